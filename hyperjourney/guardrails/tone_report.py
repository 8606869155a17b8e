"""Tone of what was actually sent, per channel, beside the brand voice's target: the Brand dashboard's figure.

Reads the outbox's stored messages (the copy as queued, never customer text) and estimates each with the
same scorer the tone guard uses (hyperjourney.guardrails.tone), so the dashboard and the guard agree.
"""

from __future__ import annotations

from typing import Any

import psycopg
from pydantic import BaseModel

from hyperjourney.guardrails.tone import BRAND_VOICE, ToneAttributes, brand_tone, estimate_tone

SENT = ("pending", "sending", "delivered")


class ChannelTone(BaseModel):
    channel: str
    messages: int
    mean: ToneAttributes
    target: ToneAttributes | None = None


def tone_by_channel(conn: psycopg.Connection[Any], *, per_channel: int = 200) -> list[ChannelTone]:
    """Mean estimated tone of each channel's latest ``per_channel`` messages (marketing and support)."""
    rows = conn.execute(
        "SELECT channel, body FROM (SELECT channel, payload->>'body' AS body, row_number() OVER "
        "(PARTITION BY channel ORDER BY created_at DESC, action_id DESC) AS n FROM outbox "
        "WHERE status = ANY(%s) AND payload ? 'body') m WHERE n <= %s ORDER BY channel",
        (list(SENT), per_channel),
    ).fetchall()
    bodies: dict[str, list[ToneAttributes]] = {}
    for channel, body in rows:
        bodies.setdefault(str(channel), []).append(estimate_tone(str(body)))
    out = []
    for channel, tones in bodies.items():
        mean = ToneAttributes(**{a: round(sum(getattr(t, a) for t in tones) / len(tones), 3)
                                 for a in ("formality", "warmth", "brevity")})  # fmt: skip
        target = brand_tone(channel) if channel in BRAND_VOICE else None
        out.append(ChannelTone(channel=channel, messages=len(tones), mean=mean, target=target))
    return out
