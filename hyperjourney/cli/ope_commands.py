"""`hyperjourney ope`: what a target policy would have earned on logged rounds, with intervals."""

from __future__ import annotations

import typer
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, tenant_or_default, user_errors


def ope(
    target: str = typer.Option(
        "uniform", "--target", help="uniform, thompson (the project's sampler replayed) or action:NAME."
    ),
    log: str = typer.Option("default", "--log", help="Which ingested log (the `log` column of `ingest decisions`)."),
    folds: int = typer.Option(5, "--folds", min=2, help="Folds for the cross-fitted DR reward model."),
    bootstrap: int = typer.Option(500, "--bootstrap", min=50, help="Poisson-bootstrap resamples per interval."),
    switch_tau: float = typer.Option(100.0, "--switch-tau", help="Switch-DR drops the IPS term above this weight."),
    min_ess: float = typer.Option(100.0, "--min-ess", help="Warn below this effective sample size."),
    seed: int = typer.Option(0, "--seed"),
    tenant: str | None = TenantOption,
) -> None:
    """Off-policy evaluation of a target policy on ingested decisions: IPS, SNIPS, DR, switch-DR with intervals."""
    from hyperjourney.experiments.ope import evaluate
    from hyperjourney.experiments.ope_logs import load_rounds
    from hyperjourney.experiments.ope_logs import target as target_dist

    with user_errors(), database() as db:
        rounds = load_rounds(db, tenant_or_default(tenant), log)
        report = evaluate(
            rounds.actions,
            rounds.rewards,
            rounds.pscores,
            target_dist(rounds, target, seed=seed),
            rounds.context,
            positions=rounds.positions,
            folds=folds,
            switch_tau=switch_tau,
            bootstrap=bootstrap,
            min_ess=min_ess,
            seed=seed,
        )
    table = Table(title=f"off-policy value of {target} on log {log} ({report.rounds:,} rounds)")
    for col in ("estimator", "value", "95% interval"):
        table.add_column(col)
    table.add_row("logged policy", f"{report.logged_value:.6f}", "")
    for e in report.estimates:
        table.add_row(e.estimator, f"{e.value:.6f}", f"[{e.ci_low:.6f}, {e.ci_high:.6f}]")
    console.print(table)
    console.print(f"effective sample size {report.effective_sample_size:,.1f}; reward model: {report.reward_model}")
    if report.warning:
        console.print(f"[bold yellow]warning:[/] {report.warning}")
