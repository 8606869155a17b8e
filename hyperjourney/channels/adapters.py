"""Channel adapters: SMTP email, HTTP webhooks (CRM, ad platform, SMS/push/in-app gateways) and a file sink.

Every adapter passes the idempotency key along (``Message-ID`` / ``Idempotency-Key``) so a receiver can
drop a redelivery after a dispatcher crash; that is what turns at-least-once sending into exactly-once effects.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import httpx

from hyperjourney.channels.models import Delivery, Receipt, RollbackUnsupportedError, SendError
from hyperjourney.settings import ChannelSettings, Settings

WHY_PREFIX = "Why you got this: "


class Adapter(Protocol):
    name: str
    can_rollback: bool

    def send(self, delivery: Delivery) -> Receipt: ...

    def rollback(self, delivery: Delivery, receipt: Receipt) -> None: ...


def message_id(idempotency_key: str) -> str:
    """An RFC 5322 msg-id for the key: the key itself holds ':' (not allowed in a dot-atom), so a header
    parser cut every id at the first ':' and all emails read ``<journey``. A hash of the key is valid and
    deterministic, so a retried delivery keeps its id and a receiver can still drop the duplicate."""
    return f"<hj.{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}@hyperjourney.local>"


def why_line(delivery: Delivery) -> str:
    return WHY_PREFIX + delivery.message.why if delivery.message.why else ""


class SmtpAdapter:
    """Email over SMTP; a sent email cannot be recalled, so only not-yet-sent actions can be cancelled."""

    can_rollback = False

    def __init__(self, cfg: ChannelSettings) -> None:
        assert cfg.smtp_host is not None
        self.name = f"smtp://{cfg.smtp_host}:{cfg.smtp_port}"
        self.cfg = cfg

    def render(self, delivery: Delivery) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.cfg.smtp_from
        msg["To"] = delivery.message.to
        msg["Subject"] = delivery.message.subject or ""
        msg["Message-ID"] = message_id(delivery.idempotency_key)
        msg["X-Idempotency-Key"] = delivery.idempotency_key
        if delivery.message.rendered:  # the approved render, byte for byte (it carries its own why line)
            msg.set_content(delivery.message.body)
        else:
            why = why_line(delivery)
            msg.set_content(delivery.message.body + (f"\n\n--\n{why}\n" if why else "\n"))
        ics = delivery.message.data.get("ics")
        if isinstance(ics, str):  # a meeting invite (tools/actions.book_meeting): calendars read the attachment
            msg.add_attachment(ics, subtype="calendar", filename="invite.ics", params={"method": "REQUEST"})
        return msg

    def send(self, delivery: Delivery) -> Receipt:
        cfg = self.cfg
        try:
            with smtplib.SMTP(cfg.smtp_host or "", cfg.smtp_port, timeout=cfg.timeout_s) as smtp:
                if cfg.smtp_starttls:
                    smtp.starttls()
                if cfg.smtp_user and cfg.smtp_password:
                    smtp.login(cfg.smtp_user, cfg.smtp_password.get_secret_value())
                refused = smtp.send_message(self.render(delivery))
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc.recipients}", transient=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", transient=exc.smtp_code < 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP unavailable: {exc}", transient=True) from exc
        if refused:
            raise SendError(f"recipient refused: {refused}", transient=False)
        return Receipt(adapter=self.name, reference=message_id(delivery.idempotency_key))

    def rollback(self, delivery: Delivery, receipt: Receipt) -> None:
        raise RollbackUnsupportedError("email cannot be recalled once delivered")


class WebhookAdapter:
    """JSON over HTTP POST; 5xx, 408, 429 and timeouts are retried, other 4xx are final.

    Rollback is a DELETE of the same key on the same URL, which CRMs and audience APIs accept.
    """

    can_rollback = True

    def __init__(self, url: str, kind: str, cfg: ChannelSettings, client: httpx.Client | None = None) -> None:
        self.name = f"{kind}:{url}"
        self.url = url
        self.kind = kind
        self.client = client or httpx.Client(timeout=cfg.timeout_s)

    def body(self, delivery: Delivery) -> dict[str, object]:
        m = delivery.message
        return {
            "kind": self.kind,
            "idempotency_key": delivery.idempotency_key,
            "customer_id": delivery.customer_id,
            "to": m.to,
            "title": m.subject,
            "body": m.body,
            "why": why_line(delivery),
            "data": m.data,
        }

    def send(self, delivery: Delivery) -> Receipt:
        headers = {"Idempotency-Key": delivery.idempotency_key}
        try:
            resp = self.client.post(self.url, json=self.body(delivery), headers=headers)
        except httpx.TimeoutException as exc:
            raise SendError(f"timeout after {self.client.timeout.read}s", transient=True) from exc
        except httpx.TransportError as exc:
            raise SendError(f"connection failed: {exc}", transient=True) from exc
        if resp.status_code == 409 or resp.is_success:
            return Receipt(
                adapter=self.name, reference=resp.headers.get("x-reference", ""), detail={"status": resp.status_code}
            )
        transient = resp.status_code >= 500 or resp.status_code in (408, 429)
        raise SendError(f"HTTP {resp.status_code}: {resp.text[:200]}", transient=transient)

    def rollback(self, delivery: Delivery, receipt: Receipt) -> None:
        try:
            resp = self.client.delete(self.url, headers={"Idempotency-Key": delivery.idempotency_key})
        except httpx.HTTPError as exc:
            raise SendError(f"rollback failed: {exc}", transient=True) from exc
        if not (resp.is_success or resp.status_code == 404):
            raise SendError(f"rollback failed: HTTP {resp.status_code}", transient=resp.status_code >= 500)


class FileSinkAdapter:
    """Dry runs: each send is one JSON line; a rollback appends a tombstone for the same key.

    The file holds customers' addresses and messages, so only its owner may read it (0600)."""

    can_rollback = True

    def __init__(self, path: Path, channel: str) -> None:
        self.name = f"sink:{channel}"
        self.path = path
        self._lock = _SINK_LOCKS.setdefault(str(path), threading.Lock())

    def _write(self, record: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, default=str) + "\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(fd, 0o600)  # a sink made by an older version, or under a loose umask, is tightened too
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(line)

    def send(self, delivery: Delivery) -> Receipt:
        m = delivery.message
        self._write(
            {
                "at": datetime.now(UTC).isoformat(),
                "idempotency_key": delivery.idempotency_key,
                "channel": delivery.channel,
                "customer_id": delivery.customer_id,
                "to": m.to,
                "subject": m.subject,
                "body": m.body,
                "why": why_line(delivery),
            }
        )
        return Receipt(adapter=self.name, reference=str(self.path))

    def rollback(self, delivery: Delivery, receipt: Receipt) -> None:
        self._write({"at": datetime.now(UTC).isoformat(), "rollback": delivery.idempotency_key})


_SINK_LOCKS: dict[str, threading.Lock] = {}


def build_adapters(settings: Settings) -> dict[str, Adapter]:
    """One adapter per channel from settings; channels without an endpoint write to the dry-run sink."""
    cfg = settings.channels
    sink = cfg.sink_path or settings.home_dir / "outbox-sink.jsonl"
    adapters: dict[str, Adapter] = {}
    adapters["email"] = SmtpAdapter(cfg) if cfg.smtp_host else FileSinkAdapter(sink, "email")
    client = httpx.Client(timeout=cfg.timeout_s)
    for channel, url in (
        ("sms", cfg.sms_url),
        ("push", cfg.push_url),
        ("in_app", cfg.in_app_url),
        ("webhook", cfg.webhook_url),
    ):
        adapters[channel] = WebhookAdapter(url, channel, cfg, client) if url else FileSinkAdapter(sink, channel)
    return adapters
