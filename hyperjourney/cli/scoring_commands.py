"""`hyperjourney models …`: features, training, the model registry, scores and segments."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from hyperjourney.cli import ticket_model_commands
from hyperjourney.cli.context import TenantOption, console, database, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.db.database import Database
from hyperjourney.features import store
from hyperjourney.features.definitions import DEFINITIONS
from hyperjourney.scoring import registry
from hyperjourney.scoring.schema import CustomerScores, InsufficientDataError
from hyperjourney.scoring.segments import find_segment
from hyperjourney.scoring.service import score_all, score_customer
from hyperjourney.scoring.train import KINDS, TrainReport, train_all

app = typer.Typer(
    help="Scoring models: train on point-in-time features, list and inspect versions, score customers.",
    no_args_is_help=True,
)
features_app = typer.Typer(help="The feature store: refresh, inspect, and the feature registry.", no_args_is_help=True)
app.add_typer(features_app, name="features")


@app.command()
def train(tenant: str | None = TenantOption) -> None:
    """Refresh features, train every model on point-in-time data, judge it on a held-out window, activate it."""
    tid = tenant_or_default(tenant)
    with user_errors(), database() as db:
        report = _train(db, tid)
    print_quality(report.metrics)
    console.print(f"trained {len(report.versions)} models on {report.examples:,} examples in {report.seconds:.1f} s")


def _train(db: Database, tenant: str) -> TrainReport:
    with progress_bar() as bar:
        task = bar.add_task("refreshing features", total=None)
        store.refresh_all(db, tenant)
        report = train_all(db, tenant, progress=lambda step: bar.update(task, description=step))
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
        if found is None:
            raise ValueError(f"no model {name!r}" + (f" version {version}" if version else " is active"))
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
    tenant: str | None = TenantOption,
) -> None:
    """Scores with confidence and reason codes for one customer, or batch-score the whole tenant (--all)."""
    tid = tenant_or_default(tenant)
    if (customer_id is None) == (not all_customers):
        console.print("[bold red]error:[/] give a CUSTOMER_ID or --all (not both)")
        raise typer.Exit(2)
    with user_errors(), database() as db:
        if all_customers:
            with progress_bar() as bar:
                task = bar.add_task("scoring", total=None)
                report = score_all(db, tid, progress=lambda n, total: bar.update(task, completed=n, total=total))
            console.print(f"scored {report.customers:,} customers in {report.seconds:.1f} s")
            return
        assert customer_id is not None
        print_scores(score_customer(db, tid, customer_id))


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
        try:
            metrics = _train(db, tenant).metrics
        except InsufficientDataError as exc:
            console.print(f"[yellow]models not trained:[/] {exc}")
            return
    print_quality(metrics)


app.add_typer(ticket_model_commands.taxonomy_app, name="taxonomy")
app.command("train-tickets")(ticket_model_commands.train_tickets)
