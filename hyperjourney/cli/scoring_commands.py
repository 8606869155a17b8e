"""`hyperjourney models …`: features, training, the model registry, scores and segments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.table import Table

from hyperjourney.cli import ticket_model_commands
from hyperjourney.cli.context import TenantOption, console, database, err_console, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.db.database import Database
from hyperjourney.features import store
from hyperjourney.features.definitions import DEFINITIONS
from hyperjourney.scoring import export, registry
from hyperjourney.scoring.backtest import backtest as run_backtest
from hyperjourney.scoring.backtest import parse_horizon
from hyperjourney.scoring.schema import CustomerScores, Score
from hyperjourney.scoring.segments import find_segment
from hyperjourney.scoring.service import score_all, score_as_of, score_customer
from hyperjourney.scoring.text import packaged_quality
from hyperjourney.scoring.train import KINDS, TEXT_MODELS, TrainReport, train_all

AsOfOption = typer.Option(
    None, "--as-of", help="Use only data before this date (UTC unless it carries an offset), as if it were then."
)


def raise_user_error(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _aware(at: datetime | None) -> datetime | None:
    return at if at is None or at.tzinfo is not None else at.replace(tzinfo=UTC)


app = typer.Typer(
    help="Scoring models: train on point-in-time features, list and inspect versions, score customers.",
    no_args_is_help=True,
)
features_app = typer.Typer(help="The feature store: refresh, inspect, and the feature registry.", no_args_is_help=True)
app.add_typer(features_app, name="features")


@app.command()
def train(
    model: str | None = typer.Argument(None, help="Train only this model (default: every model the data supports)."),
    require: list[str] = typer.Option(
        [], "--require", help="Exit 1 unless this model trained (repeatable); without it, skips are not failures."
    ),
    as_of: datetime | None = AsOfOption,
    tenant: str | None = TenantOption,
) -> None:
    """Train every model the data supports (skip the rest, with the reason and what would enable them)."""
    tid = tenant_or_default(tenant)
    with user_errors(), database() as db:
        unknown = [n for n in [*require, *([model] if model else [])] if n not in KINDS]
        if unknown:
            raise ValueError(f"unknown model {unknown[0]!r}; models: {', '.join(KINDS)}")
        report = _train(db, tid, only=model, as_of=_aware(as_of))
    if report.metrics:
        print_quality(report.metrics)
    print_skipped(report)
    console.print(
        f"trained {len(report.versions)} of {len(report.versions) + len(report.skipped)} models "
        f"({report.business_model} business) on {report.examples:,} examples in {report.seconds:.1f} s"
    )
    missing = [n for n in require if n not in report.versions]
    if missing:
        err_console.print(f"[bold red]error:[/] required model(s) not trained: {', '.join(missing)}")
        raise typer.Exit(1)


def print_skipped(report: TrainReport) -> None:
    if not report.skipped:
        return
    table = Table(title="models not trained")
    for col in ("model", "why", "would enable it"):
        table.add_column(col)
    for name, skip in report.skipped.items():
        table.add_row(name, skip.reason, skip.needs or "-")
    console.print(table)


def _train(db: Database, tenant: str, *, only: str | None = None, as_of: datetime | None = None) -> TrainReport:
    with progress_bar() as bar:
        task = bar.add_task("refreshing features", total=None)
        store.refresh_all(db, tenant, as_of=as_of)
        report = train_all(db, tenant, end=as_of, only=only, progress=lambda s: bar.update(task, description=s))
        if report.versions:
            bar.update(task, description="scoring every customer")
            score_all(db, tenant)
    return report


@app.command("list")
def list_models(tenant: str | None = TenantOption) -> None:
    """Every stored model version: when it was trained, on which window, its headline metric, whether active."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        versions = registry.list_versions(conn)
    table = Table(title="model versions")
    for col in ("model", "kind", "trained", "test window from", "headline", "beats baseline", "active"):
        table.add_column(col)
    for v in versions:
        table.add_row(
            v.label,
            v.kind,
            f"{v.trained_at:%Y-%m-%d %H:%M}",
            str(v.training_window.get("test_cutoff", ""))[:10],
            _headline(v.metrics),
            "yes" if v.metrics.get("beats_baseline") else "NO",
            "●" if v.active else "",
        )
    active = {v.name for v in versions if v.active}
    for name in TEXT_MODELS:
        if name not in active:
            q = packaged_quality(name)
            table.add_row(
                f"{name} (packaged)",
                KINDS[name],
                "shipped",
                "project's held-out tickets",
                f"accuracy {q['accuracy']:.3f} (held out)",
                "yes" if q.get("beats_baseline") else "NO",
                "● fallback",
            )
    console.print(table)


@app.command()
def show(
    name: str = typer.Argument(..., help="Model name, e.g. purchase_propensity, churn_risk, clv, ticket_intent."),
    version: int | None = typer.Option(None, "--version", "-v", help="Version number (default: the active one)."),
    tenant: str | None = TenantOption,
) -> None:
    """Quality on the held-out window against the baseline: AUC, ECE, Brier, decile lift, CLV error."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        found = registry.get(conn, name, version)
    if found is None and name in TEXT_MODELS and version is None:
        m = packaged_quality(name)
        console.print(f"[bold]{name} (packaged fallback)[/] ({KINDS[name]}) — {m.get('description', '')}")
        console.print(f"measured on {m['held_out']}: accuracy {m['accuracy']:.3f}, macro F1 {m['macro_f1']:.3f}")
        if "dev" in m:
            d = m["dev"]
            console.print(
                f"dev ({d['n']} {d['split']}): accuracy {d['accuracy']:.3f}, reliability ECE "
                f"{d['reliability']['ece']:.3f}, by language "
                + ", ".join(f"{k} {v:.2f}" for k, v in d["by_language"].items())
            )
    elif found is None:
        raise_user_error(f"no model {name!r}" + (f" version {version}" if version else " is active"))
    else:
        m = found.metrics
        console.print(f"[bold]{found.label}[/] ({found.kind}) — {m.get('description', '')}")
        console.print(f"training window: {json.dumps(found.training_window)}")
    console.print(f"baseline: {m.get('baseline', '-')}")
    table = Table(title="held-out quality")
    for col in ("metric", "model", "baseline", "better", "in criterion"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    tested = m.get("tested", [])
    for metric, lower_better in _COMPARED:
        if metric in m and f"baseline_{metric}" in m:
            a, b = float(m[metric]), float(m[f"baseline_{metric}"])
            better = "yes" if (a < b if lower_better else a > b) else "no"
            table.add_row(metric, f"{a:.4f}", f"{b:.4f}", better, "yes" if metric in tested else "-")
    console.print(table)
    _print_choice(name, m)
    if "mae_zero" in m:
        console.print(
            f"MAE uses the median estimate, RMSE the expected value (MAE of the expected value "
            f"{m['mae_of_expected']:.2f}; of predicting 0 for everyone {m['mae_zero']:.2f})"
        )
    if "lift" in m:
        lift = Table(title="lift by decile (1 = highest scores)")
        for col in ("decile", "n", "rate", "lift", "baseline lift"):
            lift.add_column(col, justify="right")
        base = m.get("baseline_lift") or [{}] * len(m["lift"])
        for row, b in zip(m["lift"], base, strict=False):
            lift.add_row(
                f"{row['decile']:.0f}",
                f"{row['n']:.0f}",
                f"{row['rate']:.3f}",
                f"{row['lift']:.2f}",
                f"{b['lift']:.2f}" if b else "-",
            )
        console.print(lift)
    verdict = "[green]yes[/]" if m.get("beats_baseline") else "[red]NO[/]"
    console.print(f"beats baseline: {verdict}" + (f" ({m['criterion']})" if m.get("criterion") else ""))


@app.command()
def activate(
    name: str = typer.Argument(..., help="Model name."),
    version: int = typer.Argument(..., help="Stored version to make active (roll back or forward)."),
    tenant: str | None = TenantOption,
) -> None:
    """Make a stored version the one the scoring path loads (audited)."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        registry.activate(conn, name, version)
    console.print(f"{name}@v{version} is active")


@app.command()
def score(
    customer_id: str | None = typer.Argument(None, help="Customer to score (omit with --all)."),
    all_customers: bool = typer.Option(False, "--all", help="Score every customer and store the scores."),
    out: Path | None = typer.Option(None, "--out", help="With --all: write the scores to this .csv or .parquet file."),
    as_of: datetime | None = AsOfOption,
    tenant: str | None = TenantOption,
) -> None:
    """Scores with confidence and reason codes for one customer, or batch-score the whole tenant (--all).

    With --as-of, features are computed from the data before that date and scored in memory with the active
    models (train them with `models train --as-of` first); nothing stored changes.
    """
    tid = tenant_or_default(tenant)
    if (customer_id is None) == (not all_customers):
        raise_user_error("give a CUSTOMER_ID or --all (not both)", code=2)
    if out is not None and not all_customers:
        raise_user_error("--out needs --all", code=2)
    at = _aware(as_of)
    with user_errors(), database() as db:
        if out is not None:
            export.check_path(out)
        if customer_id is not None:
            if at is None:
                print_scores(score_customer(db, tid, customer_id))
            else:
                print_scores_as_of(customer_id, at, score_as_of(db, tid, at, [customer_id])[customer_id])
            return
        if at is not None:
            scored = score_as_of(db, tid, at)
            rows: list[export.Long] = [
                (cid, s.name, s.value, s.label, s.confidence, s.model_version)
                for cid, scores in scored.items()
                for s in scores.values()
            ]
            console.print(f"scored {len(scored):,} customers as of {at:%Y-%m-%d} (not stored)")
        else:
            with progress_bar() as bar:
                task = bar.add_task("scoring", total=None)
                report = score_all(db, tid, progress=lambda n, total: bar.update(task, completed=n, total=total))
            console.print(f"scored {report.customers:,} customers in {report.seconds:.1f} s")
            if out is None:
                return
            with db.tenant(tid) as conn:
                rows = export.stored_scores(conn)
        if out is not None:
            console.print(f"wrote {export.export_scores(rows, out):,} customers to {out}")


def print_scores_as_of(customer_id: str, at: datetime, scores: dict[str, Score]) -> None:
    table = Table(title=f"{customer_id} as of {at:%Y-%m-%d}")
    for col in ("score", "value", "confidence", "version", "why"):
        table.add_column(col)
    for s in scores.values():
        table.add_row(
            s.name,
            s.label or f"{s.value:.3f}",
            f"{s.confidence:.2f}",
            s.model_version,
            "\n".join(r.text for r in s.reasons[:4]),
        )
    console.print(table)


def _print_choice(name: str, m: dict[str, Any]) -> None:
    """Which model the backtest chose and why: for CLV hurdle vs BG/NBD+GG, for purchase propensity the
    classifier vs BG/NBD, each judged on the customers with an order."""
    if "choice" not in m:
        return
    console.print(f"{'CLV' if name == 'clv' else 'purchase'} model: {m['choice']}")
    h = m.get("chosen_holdout")
    if h and "rmse" in h:
        console.print(f"as used (every held-out customer, n={h['n']:,}): RMSE {h['rmse']:.2f}, MAE {h['mae']:.2f}")
    elif h:
        console.print(f"as used (every held-out customer, n={h['n']:,}): Brier {h['brier']:.4f}, AUC {h['auc']:.3f}")


@app.command()
def backtest(
    as_of: datetime = typer.Option(..., "--as-of", help="Train on the data before this date, judge what followed."),
    horizon: str = typer.Option("90d", "--horizon", help="How long after the date to judge: 90d, 39w, 6m, 1y."),
    tenant: str | None = TenantOption,
) -> None:
    """Fit purchase, churn and CLV on the data before a date; print their metrics beside the baselines after it."""
    at = _aware(as_of)
    assert at is not None
    with user_errors(), database() as db:
        report = run_backtest(db, tenant_or_default(tenant), at, parse_horizon(horizon))
    console.print(
        f"backtest as of {at:%Y-%m-%d}, {report.horizon_days}-day horizon: trained on {report.train_examples:,} "
        f"examples ({len(report.train_cutoffs)} cutoffs), judged on {report.test_examples:,} customers"
    )
    for name, m in report.metrics.items():
        table = Table(title=f"{name}: {m.get('description', '')}")
        for col in ("metric", "model", "baseline", "better"):
            table.add_column(col, justify="left" if col == "metric" else "right")
        for metric in m.get("tested", []):
            lower = dict(_COMPARED).get(metric, False)
            a, b = m.get(metric), m.get(f"baseline_{metric}")
            if a is None or b is None:
                continue
            table.add_row(metric, f"{a:.4f}", f"{b:.4f}", "yes" if (a < b if lower else a > b) else "no")
        console.print(table)
        console.print(
            f"baseline: {m.get('baseline', '-')}; beats baseline: {'yes' if m.get('beats_baseline') else 'NO'}"
        )
        _print_choice(name, m)
    if report.horizons:
        table = Table(
            title=f"projected CLV horizons vs the spend seen after {at:%Y-%m-%d} ({report.horizons[0].model})"
        )
        for col in ("horizon", "n", "RMSE", "run-rate RMSE", "MAE", "run-rate MAE", "better"):
            table.add_column(col, justify="right")
        for h in report.horizons:
            better = "yes" if h.rmse < h.baseline_rmse and h.mae < h.baseline_mae else "no"
            table.add_row(
                f"{h.days} days", f"{h.n:,}", f"{h.rmse:.2f}", f"{h.baseline_rmse:.2f}", f"{h.mae:.2f}",
                f"{h.baseline_mae:.2f}", better,
            )  # fmt: skip
        console.print(table)
    if report.horizons_not_judged:
        console.print(f"CLV horizons not judged: {report.horizons_not_judged}")
    if report.skipped:
        table = Table(title="models not backtested")
        for col in ("model", "why", "would enable it"):
            table.add_column(col)
        for name, skip in report.skipped.items():
            table.add_row(name, skip.reason, skip.needs or "-")
        console.print(table)


@app.command()
def segment(
    description: str = typer.Argument(..., help='Who, in words: "fintech SMBs", "at-risk shoppers likely to churn".'),
    limit: int = typer.Option(10, min=1, max=1000, help="How many member ids to list."),
    tenant: str | None = TenantOption,
) -> None:
    """Find a segment: size, sample members, why they qualify, and how it compares with the whole tenant."""
    with user_errors(), database() as db:
        seg = find_segment(db, tenant_or_default(tenant), description, limit=limit)
    console.print(f"[bold]{seg.name}[/]: {seg.size:,} customers")
    for r in seg.why:
        console.print(f"  • {r.text}")
    table = Table(title="segment vs tenant")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in seg.baseline.items():
        table.add_row(key, f"{value:,.4f}")
    console.print(table)
    console.print("sample: " + ", ".join(seg.customer_ids))


@features_app.command("refresh")
def features_refresh(
    customer_id: str | None = typer.Option(None, "--customer", "-c", help="Only this customer (incremental)."),
    tenant: str | None = TenantOption,
) -> None:
    """Recompute features for the whole tenant (batch SQL) or one customer (incremental)."""
    tid = tenant_or_default(tenant)
    with user_errors(), database() as db:
        if customer_id:
            row = store.refresh_customer(db, tid, customer_id)
            console.print(f"refreshed {row.customer_id} as of {row.as_of:%Y-%m-%d %H:%M}")
            return
        with progress_bar() as bar:
            task = bar.add_task("features", total=None)
            report = store.refresh_all(db, tid, progress=lambda step: bar.update(task, description=step))
    console.print(f"{report.customers:,} customers as of {report.as_of:%Y-%m-%d %H:%M} in {report.seconds:.1f} s")


@features_app.command("show")
def features_show(
    customer_id: str = typer.Argument(..., help="Customer id."),
    tenant: str | None = TenantOption,
) -> None:
    """One customer's stored features, with the ones past their freshness SLA marked stale."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        row = store.read(conn, customer_id)
    if row is None:
        console.print(
            f"[bold red]error:[/] no features for {customer_id!r}; run `hyperjourney models features refresh`"
        )
        raise typer.Exit(1)
    table = Table(title=f"{customer_id} as of {row.as_of:%Y-%m-%d %H:%M}, computed {row.computed_at:%Y-%m-%d %H:%M}")
    for col in ("feature", "value", "stale"):
        table.add_column(col)
    for name, value in row.values.items():
        table.add_row(name, json.dumps(value)[:80], "stale" if name in row.stale else "")
    console.print(table)


@features_app.command("list")
def features_list() -> None:
    """The feature registry: name, version, freshness SLA, sources (lineage) and meaning."""
    table = Table(title="feature registry")
    for col in ("feature", "v", "SLA", "sources", "description"):
        table.add_column(col)
    for d in DEFINITIONS.values():
        table.add_row(d.name, str(d.version), str(d.freshness_sla), ", ".join(d.sources), d.description)
    console.print(table)


_COMPARED = (
    ("auc", False),
    ("ece", True),
    ("brier", True),
    ("rmse", True),
    ("mae", True),
    ("auc_buyer", False),
    ("accuracy", False),
    ("log_loss", True),
    ("macro_f1", False),
    ("hit_rate", False),
)


def _headline(m: dict[str, Any]) -> str:
    for key in ("auc", "auc_buyer", "accuracy", "hit_rate"):
        if key in m:
            return f"{key} {float(m[key]):.3f}"
    return "-"


def print_quality(metrics: dict[str, dict[str, Any]]) -> None:
    table = Table(title="model quality on the held-out window (model vs baseline)")
    for col in ("model", "metric", "model", "baseline", "ECE", "beats baseline"):
        table.add_column(col, justify="left" if col in ("model", "metric") else "right")
    for name, m in metrics.items():
        key = next(k for k in ("auc", "rmse", "accuracy", "hit_rate", "macro_f1") if k in m)
        if name.startswith("ticket_"):
            key = "macro_f1"
        ece = f"{m['ece']:.3f}" if "ece" in m else "-"
        table.add_row(
            name,
            key,
            f"{m[key]:.3f}",
            f"{m[f'baseline_{key}']:.3f}",
            ece,
            "[green]yes[/]" if m.get("beats_baseline") else "[red]NO[/]",
        )
    console.print(table)


def print_scores(result: CustomerScores) -> None:
    table = Table(title=f"{result.customer_id} — segment {result.segment}")
    for col in ("score", "value", "confidence", "version", "why"):
        table.add_column(col)
    for s in result.scores.values():
        value = s.label or f"{s.value:.3f}"
        if s.label and s.name == "next_category":
            value = f"{s.label} ({s.value:.0%})"
        table.add_row(s.name, value, f"{s.confidence:.2f}", s.model_version, "\n".join(r.text for r in s.reasons[:4]))
    console.print(table)
    console.print("why in segment: " + "; ".join(r.text for r in result.why_in_segment))
    if result.stale_features:
        console.print(f"[yellow]stale features:[/] {', '.join(result.stale_features)}")


def demo_step(db: Database, tenant: str) -> None:
    """Train once (skipped when active models exist), then print the quality table."""
    with db.tenant(tenant) as conn:
        current = {v.name for v in registry.list_versions(conn) if v.active and v.kind == KINDS.get(v.name)}
        active = registry.active_versions(conn)
    if set(KINDS) <= current:
        with db.tenant(tenant) as conn:
            metrics = {n: found.metrics for n in active if (found := registry.get(conn, n)) is not None}
    else:
        report = _train(db, tenant)
        print_skipped(report)
        metrics = report.metrics
    if metrics:
        print_quality(metrics)


app.add_typer(ticket_model_commands.taxonomy_app, name="taxonomy")
app.command("train-tickets")(ticket_model_commands.train_tickets)
