"""Inline SVG charts for the dashboards, drawn on the server (no CDN, no script, no font download).

Every label passes through ``html.escape``: journey names, rules and channels are tenant data.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pydantic import BaseModel

WIDTH, ROW, LEFT, RIGHT = 720, 30, 220, 80  # RIGHT leaves room for the value printed past a bar


class Interval(BaseModel):
    label: str
    value: float
    low: float
    high: float


def _svg(height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13"><title>{escape(title)}</title>'
        f"{body}</svg>"
    )


def _scale(lo: float, hi: float) -> tuple[float, float]:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    return (lo, hi) if hi > lo else (lo - 1, hi + 1)


def intervals(title: str, rows: Sequence[Interval], fmt: str = "{:+.1%}") -> str:
    """Point and interval per row on one axis with a zero line: lift with its 95% interval per journey."""
    lo, hi = _scale(min(r.low for r in rows), max(r.high for r in rows))

    def x(v: float) -> float:
        return LEFT + (v - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT)

    height = ROW * len(rows) + 30
    parts = [f'<line x1="{x(0):.1f}" y1="5" x2="{x(0):.1f}" y2="{height - 20}" stroke="#888" stroke-dasharray="4"/>']
    for i, r in enumerate(rows):
        y = 20 + i * ROW
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">{escape(r.label[:32])}</text>'
            f'<line x1="{x(r.low):.1f}" y1="{y}" x2="{x(r.high):.1f}" y2="{y}" stroke="#2563eb" stroke-width="3"/>'
            f'<circle cx="{x(r.value):.1f}" cy="{y}" r="5" fill="#1e3a8a"/>'
            f'<text x="{x(r.high) + 6:.1f}" y="{y + 4}">{escape(fmt.format(r.value))}</text>'
        )
    parts.append(f'<text x="{x(0):.1f}" y="{height - 5}" text-anchor="middle">0</text>')
    return _svg(height, title, "".join(parts))


def bars(title: str, rows: Sequence[tuple[str, float]], fmt: str = "{:g}") -> str:
    """One horizontal bar per row (counts, shares)."""
    top = max((v for _, v in rows), default=0.0) or 1.0
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 10 + i * ROW
        w = value / top * (WIDTH - LEFT - RIGHT - 60)
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(label[:32])}</text>'
            f'<rect x="{LEFT}" y="{y + 3}" width="{w:.1f}" height="16" fill="#0f766e"/>'
            f'<text x="{LEFT + w + 6:.1f}" y="{y + 15}">{escape(fmt.format(value))}</text>'
        )
    return _svg(ROW * len(rows) + 20, title, "".join(parts))


def calibration(title: str, points: Sequence[tuple[float, float]], size: int = 260) -> str:
    """Observed rate against mean predicted probability per bin, with the diagonal a calibrated model follows."""
    pad = 30

    def xy(px: float, py: float) -> str:
        return f"{pad + px * (size - 2 * pad):.1f},{size - pad - py * (size - 2 * pad):.1f}"

    path = " ".join(xy(p, o) for p, o in points)
    dots = "".join(f'<circle cx="{xy(p, o).split(",")[0]}" cy="{xy(p, o).split(",")[1]}" r="3" fill="#b45309"/>'
                   for p, o in points)  # fmt: skip
    body = (
        f'<rect x="{pad}" y="{pad}" width="{size - 2 * pad}" height="{size - 2 * pad}" fill="none" stroke="#ccc"/>'
        f'<polyline points="{xy(0, 0)} {xy(1, 1)}" fill="none" stroke="#888" stroke-dasharray="4"/>'
        f'<polyline points="{path}" fill="none" stroke="#b45309" stroke-width="2"/>{dots}'
        f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">predicted</text>'
        f'<text x="10" y="{size / 2}" transform="rotate(-90 10 {size / 2})" text-anchor="middle">observed</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" font-family="sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )
