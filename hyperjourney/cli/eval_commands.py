"""`hyperjourney eval`: golden suites, what changed between runs, regression gates, reports, drift."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, TaskID
from rich.table import Table

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.cli.context import TenantOption, console, database, settings, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.db.database import Database
from hyperjourney.evals import gate, registry_names, report, runner, splits, store
from hyperjourney.evals.compare import compare as compare_runs
from hyperjourney.evals.results import EvalRun, Tier
from hyperjourney.evals.splits import Split
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.monitoring import store as drift_store
from hyperjourney.monitoring.drift import DriftReport
from hyperjourney.monitoring.tenant_drift import measure

app = typer.Typer(
    help="Offline evals: golden suites, comparisons, regression gates, reports, drift.", no_args_is_help=True
)

EVAL_ERRORS = (gate.GateConfigError, store.UnknownRunError)


def _env(db: Database, tenant: str | None, tier: Tier) -> EvalEnv:
    return EvalEnv(db=db, tenant=tenant_or_default(tenant), tier=tier, settings=settings())


@app.command("run")
def run(
    names: list[str] = typer.Argument(None, help="Suites to run (same as --suite); default: every suite."),
    suite: list[str] = typer.Option(None, "--suite", "-s", help="Suite to run (repeatable); default: every suite."),
    tier: Tier = typer.Option(
        "small",
        help="Highest model tier the graphs may use: small, llm-small or llm-large. An LLM tier also judges "
        "(ragas faithfulness, answer relevancy, context precision/recall) when it is configured.",
    ),
    split: Split | None = typer.Option(
        None,
        "--split",
        help="Run only this split: 'dev' while tuning (the held-out set stays unread), 'held_out' for a release "
        "check; default: both, where a suite has a held-out set.",
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Run golden suites against the current graphs and models; store the results and print the metrics.

    The tenant's drift (feature PSI and base rates, recent data against the models' training window) is measured
    once before the suites, stored with every run and printed after the metrics.
    """
    with user_errors(), database() as db:
        chosen = [*(names or []), *(suite or [])] or registry_names()
        if not chosen:
            raise ValueError("no eval suites are registered")
        unknown = [name for name in chosen if name not in REGISTRY]
        if unknown:
            raise ValueError(f"unknown suite {unknown[0]!r}; choose from {', '.join(registry_names())}")
        env = _env(db, tenant, tier)
        with console.status("measuring drift against the training window"):
            drift_report = runner.measure_drift(env)
        runs: list[EvalRun] = []
        for name in chosen:
            s = REGISTRY[name]
            with progress_bar() as bar:
                task = bar.add_task(f"suite {name}", total=splits.total_size(s, split))

                def advance(n: int, task: TaskID = task, bar: Progress = bar) -> None:
                    bar.advance(task, n)

                runs.append(runner.run_suite(env, s, advance, drift=drift_report, only=split))
        limits = gate.load_thresholds().drift
    for r in runs:
        _print_run(r)
    _print_drift(drift_report)
    for check in gate.check_drift(drift_report, limits):
        if not check.ok or check.warning:
            label = "[red]drift gate FAIL[/]" if not check.ok else "[yellow]drift warning[/]"
            console.print(f"{label} {check.metric}: {check.reason}")


def _print_run(r: EvalRun) -> None:
    judge = f"LLM judge {r.context.judge}" if r.context.judge else "no LLM judge (offline metrics only)"
    caption = " · ".join([f"tier {r.tier}", judge, *report.split_notes(r)])
    table = Table(title=f"{r.suite} · {r.run_id}", caption=caption)
    headers, rows = report.metric_rows(r)
    for n, col in enumerate(headers):
        table.add_column(col, justify="left" if n == 0 or col == "source" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    seconds = (r.finished_at - r.started_at).total_seconds() if r.finished_at else None
    if seconds is not None:
        console.print(f"{r.suite}: {seconds:.1f} s on tier {r.tier}")


def _print_drift(report: DriftReport, limit: int = 12) -> None:
    """The drifted readings first, then the largest stable ones, up to ``limit`` rows."""
    max_psi = "-" if report.max_psi is None else f"{report.max_psi:.3f}"
    title = f"drift · {report.report_id} · max PSI {max_psi}"
    table = Table(title=title, caption=report.reference or report.note or None)
    for col in ("signal", "kind", "PSI", "reference", "recent", "level", "compared"):
        table.add_column(col)
    drifted = report.drifted()
    rest = sorted((r for r in report.readings if r.level == "stable"), key=lambda r: -(r.psi or r.change or 0.0))
    for d in (drifted + rest)[:limit]:
        table.add_row(*d.cells())
    console.print(table)
    if report.note:
        console.print(f"drift note: {report.note}")
    shown = min(limit, len(report.readings))
    console.print(f"{len(drifted)} of {len(report.readings)} drift readings past the stable band ({shown} shown)")


@app.command("list")
def list_runs(
    suite: str | None = typer.Option(None, "--suite", "-s", help="Only this suite."),
    tenant: str | None = TenantOption,
) -> None:
    """List eval runs, newest first."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        runs = store.history(conn, suite)
    table = Table(title="eval runs")
    for col in ("run", "suite", "tier", "started", "metrics"):
        table.add_column(col)
    for r in runs:
        metrics = ", ".join(f"{k}={v:.3g}" for k, v in sorted(r.metrics.items())[:4])
        table.add_row(r.run_id, r.suite, r.tier, f"{r.started_at:%Y-%m-%d %H:%M}", metrics)
    console.print(table)


@app.command("compare")
def compare(
    run_a: str = typer.Argument(..., help="The earlier run."),
    run_b: str = typer.Argument(..., help="The later run."),
    tenant: str | None = TenantOption,
) -> None:
    """Show metric deltas and what changed between two runs (prompt versions, model, policy version, data)."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        try:
            result = compare_runs(store.load(conn, run_a), store.load(conn, run_b))
        except EVAL_ERRORS as exc:
            raise ValueError(str(exc)) from exc
    table = Table(title=f"{result.a} → {result.b}")
    for col in ("metric", "a", "b", "Δ"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for m in result.metrics:
        delta = "-" if m.delta is None else f"{m.delta:+.4g}"
        table.add_row(m.metric, "-" if m.a is None else f"{m.a:.4g}", "-" if m.b is None else f"{m.b:.4g}", delta)
    changed = Table(title="what changed")
    for col in ("key", "a", "b"):
        changed.add_column(col)
    for c in result.changes:
        changed.add_row(c.key, str(c.a), str(c.b))
    console.print(table)
    console.print(changed if result.changes else "[green]nothing changed[/] in prompts, models, policies or data")
    console.print(f"drift: {result.drift_note}")
    if result.drift:
        moved = Table(title="drift changes")
        for col in ("signal", "kind", "a → b"):
            moved.add_column(col)
        for d in result.drift:
            moved.add_row(d.name, d.kind, d.describe())
        console.print(moved)


@app.command("baseline")
def baseline(
    run_id: str = typer.Argument(..., help="Run to gate later runs of its suite against."),
    tenant: str | None = TenantOption,
) -> None:
    """Pin a run as its suite's baseline for `eval gate`."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        try:
            r = store.set_baseline(conn, run_id)
        except EVAL_ERRORS as exc:
            raise ValueError(str(exc)) from exc
    console.print(f"baseline for suite {r.suite} is now {r.run_id}")


@app.command("gate")
def gate_command(
    suite: list[str] = typer.Option(None, "--suite", "-s", help="Gate only these suites; default: every gated suite."),
    tenant: str | None = TenantOption,
) -> None:
    """Exit non-zero when any gated metric of the newest runs regresses beyond its tolerance or limit.

    The newest drift report is checked too: past its limits it warns, or fails when thresholds.yaml says
    `on_breach: fail`.
    """
    with user_errors(), database() as db:
        try:
            result = runner.gate_latest(_env(db, tenant, "small"), suite or None)
        except EVAL_ERRORS as exc:
            raise ValueError(str(exc)) from exc
    if not result.checks:
        console.print("no suite has gates in thresholds.yaml; nothing to check")
        return
    table = Table(title="regression gates")
    for col in ("suite", "metric", "value", "baseline", "result"):
        table.add_column(col)
    for c in result.checks:
        value = "-" if c.value is None else f"{c.value:.4g}"
        base = "-" if c.baseline is None else f"{c.baseline:.4g}"
        verdict = "[green]pass[/]" if c.ok and not c.warning else f"[yellow]WARN[/] {c.reason}" if c.ok else ""
        verdict = verdict or f"[red]FAIL[/] {c.reason}"
        table.add_row(c.suite, c.metric, value, base, verdict)
    console.print(table)
    if not result.ok:
        raise typer.Exit(1)


@app.command("report")
def report_command(
    run_id: str = typer.Argument(..., help="Run to report on."),
    out: Path = typer.Option(None, "--out", "-o", help="HTML file to write (default: eval-<run>.html here)."),
    tenant: str | None = TenantOption,
) -> None:
    """Write a single-file HTML report with plots and print a markdown summary."""
    with user_errors(), database() as db:
        env = _env(db, tenant, "small")
        with db.tenant(env.tenant) as conn:
            try:
                run_ = store.load(conn, run_id)
            except EVAL_ERRORS as exc:
                raise ValueError(str(exc)) from exc
            history = store.history(conn, run_.suite)
            failures = store.failed_items(conn, run_id)
            samples = store.samples(conn, run_id)
            pinned = store.baseline(conn, run_.suite)
        since = compare_runs(pinned, run_) if pinned is not None and pinned.run_id != run_.run_id else None
        gated = gate.load_thresholds().suites.get(run_.suite)
        gates = runner.gate_latest(env, [run_.suite]) if gated else None
    target = out or Path(f"eval-{run_id}.html")
    target.write_text(report.render_html(run_, history, failures, gates, samples, since), encoding="utf-8")
    console.print(report.render_markdown(run_, gates, samples, since), markup=False)
    console.print(f"report written to {target}")


@app.command("drift")
def drift(
    reference_days: int = typer.Option(90, min=1, help="Activity drift: reference window, ending where recent starts."),
    recent_days: int = typer.Option(30, min=1, help="Activity drift: recent window, ending at the latest event."),
    tenant: str | None = TenantOption,
) -> None:
    """Measure drift now and store it: feature PSI and base rates against the models' training window, and
    event intensity, order value and buyer rate in the recent window against the one before it.

    The stored report is what the Analyst reads to flag drift when it sizes an opportunity.
    """
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        with console.status("measuring drift"):
            report = measure(conn, reference_days=reference_days, recent_days=recent_days)
        if not report.readings:
            raise ValueError(report.note or "no drift readings for this tenant")
        drift_store.save_drift(conn, report)
    _print_drift(report, limit=20)
