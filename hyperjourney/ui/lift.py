"""The canvas's lift chart: the Analyst's expected lift range and, once a launched journey has outcomes, the
measured lift against its holdout with a 95% confidence interval, side by side on one axis.

Measured lift comes from the experiments readout (goal conversion, treated versus holdout). Both are shown
as relative lift over the baseline so they can be compared; the measured interval is the readout's
absolute interval divided by the holdout's rate. Rendered with matplotlib to SVG (text as paths), so the
chart needs no font or asset from anywhere.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.experiments.readout import readout
from hyperjourney.journeys import store


class MeasuredLift(BaseModel):
    journey_id: str
    goal: str
    treated_n: int
    control_n: int
    treated_rate: float
    control_rate: float
    abs_lift: float
    ci_low: float
    ci_high: float
    p_value: float
    summary: str

    @property
    def relative(self) -> tuple[float, float, float] | None:
        """(lift, CI low, CI high) relative to the holdout's rate; None while the holdout has no conversion."""
        if self.control_rate <= 0:
            return None
        base = self.control_rate
        return self.abs_lift / base, self.ci_low / base, self.ci_high / base

    def signature(self) -> str:
        """What changes when new outcomes arrive (so a reopened thread shows a fresh readout only then)."""
        return f"{self.treated_n}:{self.treated_rate:.6f}:{self.control_n}:{self.control_rate:.6f}"


def launched_journey(outcome: dict[str, Any] | None) -> str | None:
    """The journey a canvas run launched (from the run's outcome), if it launched one."""
    launch = (outcome or {}).get("launch") or {}
    journey = launch.get("journey_id")
    return str(journey) if launch.get("launched") and journey else None


def measured_lift(db: Database, tenant: str, journey_id: str) -> MeasuredLift | None:
    """The journey's measured lift, or None until both arms have customers and any of them reached the goal."""
    with db.tenant(tenant) as conn:
        goal = store.get(conn, journey_id).definition.goal.event
    result = readout(db, tenant, journey_id)
    conv = result.conversion
    hits = conv.treated_rate * conv.treated_n + conv.control_rate * conv.control_n
    if conv.treated_n == 0 or conv.control_n == 0 or hits == 0:
        return None
    return MeasuredLift(
        journey_id=journey_id,
        goal=goal,
        treated_n=conv.treated_n,
        control_n=conv.control_n,
        treated_rate=conv.treated_rate,
        control_rate=conv.control_rate,
        abs_lift=conv.abs_lift,
        ci_low=conv.ci_low,
        ci_high=conv.ci_high,
        p_value=conv.p_value,
        summary=result.summary,
    )


def measured_markdown(measured: MeasuredLift) -> str:
    rel = measured.relative
    headline = (
        f"**{rel[0]:+.0%}** relative (95% CI {rel[1]:+.0%} to {rel[2]:+.0%})"
        if rel
        else f"**{100 * measured.abs_lift:+.1f} pts** (95% CI {100 * measured.ci_low:+.1f} to "
        f"{100 * measured.ci_high:+.1f} pts; the holdout has no conversion yet)"
    )
    return (
        f"### Measured lift: journey `{measured.journey_id}`\n\n{headline} on {measured.goal}: "
        f"{measured.treated_rate:.1%} of {measured.treated_n} treated vs {measured.control_rate:.1%} of "
        f"{measured.control_n} held out (p={measured.p_value:.3f}).\n\n{measured.summary}"
    )


def lift_chart(analyst: dict[str, Any], measured: MeasuredLift | None = None) -> str | None:
    """SVG of the expected lift range and, when there is one, the measured lift with its CI (None: no numbers)."""
    sizing = analyst.get("sizing") or {}
    low, high = sizing.get("lift_low"), sizing.get("lift_high")
    expected = (float(low), float(high)) if isinstance(low, int | float) and isinstance(high, int | float) else None
    if expected is None and measured is None:
        return None
    rows: list[str] = []
    span: list[float] = [0.0]
    fig = Figure(figsize=(7.5, 2.2 if measured is None or expected is None else 3.0), dpi=100)  # ~750 px wide
    ax = fig.subplots()
    if expected is not None:
        ax.barh(len(rows), expected[1] - expected[0], left=expected[0], height=0.5, color="#4c9f70")
        ax.text(expected[1], len(rows), f"  {expected[0]:+.0%} to {expected[1]:+.0%}", va="center", fontsize=13)
        rows.append("expected")
        span += expected
    if measured is not None:
        rel = measured.relative
        point, lo, hi = rel if rel else (measured.abs_lift, measured.ci_low, measured.ci_high)
        ax.errorbar(point, len(rows), xerr=[[point - lo], [hi - point]], fmt="o", color="#1f4e9c", capsize=5)
        label = (
            f"  {point:+.0%} (CI {lo:+.0%} to {hi:+.0%})"
            if rel
            else f"  {100 * point:+.1f} pts (CI {100 * lo:+.1f} to {100 * hi:+.1f})"
        )
        ax.text(hi, len(rows), label, va="center", fontsize=13)
        rows.append("measured" if rel else "measured (pts)")
        span += [lo, hi]
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(range(len(rows)), rows, fontsize=13)
    ax.tick_params(axis="x", labelsize=12)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("lift vs holdout (relative)", fontsize=12)
    segment = analyst.get("segment") or "the segment"
    ax.set_title(f"Lift in {segment}: expected" + (" vs measured (95% CI)" if measured else ""), fontsize=14)
    width = (max(span) - min(span)) or 0.1
    ax.set_xlim(min(span) - 0.1 * width, max(span) + 0.9 * width)  # room on the right for the value labels
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return out.getvalue()
