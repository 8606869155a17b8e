"""Registers the acting-and-learning command groups with one call from main, and runs their demo step."""

from __future__ import annotations

from rich.panel import Panel
from rich.table import Table

from hyperjourney.channels.adapters import build_adapters
from hyperjourney.cli.context import console, database, err_console, settings, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.data.demo_tenant import DEMO_TENANT
from hyperjourney.data.seed.generator import DEMO_ANCHOR
from hyperjourney.experiments.offpolicy import estimate
from hyperjourney.experiments.readout import Readout, readout
from hyperjourney.experiments.simulate import JOURNEYS, already_simulated, simulate
from hyperjourney.nba.rank import Weights


def demo_step() -> None:
    """Simulate two weeks of the shipped journeys on the demo tenant (once), then print the readouts."""
    with user_errors(), database() as db:
        if not already_simulated(db, DEMO_TENANT):
            err_console.print("simulating two weeks of journeys and outcomes on the demo tenant…")
            with progress_bar() as bar:
                task = bar.add_task("simulate 14 days", total=14 * 24)
                report = simulate(db, DEMO_TENANT, build_adapters(settings()), start=DEMO_ANCHOR,
                                  progress=lambda done, total: bar.update(task, completed=done))  # fmt: skip
            console.print(
                f"simulated {report.days} days: {report.triggers} trigger events, {report.runner.enrolled} enrolled "
                f"(+{report.runner.holdout} holdout), {report.delivered} actions delivered, {report.refused} refused "
                f"at dispatch for lack of consent; outcomes {report.outcomes}"
            )
        results = [readout(db, DEMO_TENANT, j) for j in JOURNEYS]
        offp = estimate(db, DEMO_TENANT, Weights(risk=1.2, fatigue=0.8))
    print_readouts(results)
    console.print(
        f"off-policy check of a more cautious NBA weighting (risk 1.2, fatigue 0.8) on {offp.decisions} logged "
        f"decisions: doubly robust value {offp.doubly_robust:.3f} (95% CI {offp.dr_ci[0]:.3f}–{offp.dr_ci[1]:.3f}) "
        f"vs logged {offp.logged_value:.3f}; IPS {offp.ips:.3f}, agreement {offp.agreement:.0%}"
    )


def print_readouts(results: list[Readout]) -> None:
    table = Table(title="journey readout: goal conversion vs holdout (two simulated weeks)")
    for col in ("journey", "treated", "holdout", "lift (pts)", "95% CI", "p", "guardrails"):
        table.add_column(col, justify="left" if col == "journey" else "right")
    for r in results:
        c = r.conversion
        table.add_row(
            r.journey_id, f"{c.treated_rate:.1%} of {c.treated_n}", f"{c.control_rate:.1%} of {c.control_n}",
            f"{100 * c.abs_lift:+.1f}", f"{100 * c.ci_low:+.1f} … {100 * c.ci_high:+.1f}", f"{c.p_value:.3f}",
            "ok" if all(g.ok for g in r.guardrails) else "BREACHED",
        )  # fmt: skip
    console.print(table)
    for r in results:
        console.print(Panel(f"{r.summary}\n[bold]Next:[/] {r.next_test}", title=f"Analyst: {r.journey_id}"))
