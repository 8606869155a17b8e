"""`hyperjourney ingest KIND FILE`: validated bulk load of customer data."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, settings, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.data.ingest.loader import LoadResult, ingest_file, write_rejects
from hyperjourney.data.ingest.readers import count_rows
from hyperjourney.data.ingest.rows import DATE_WITHOUT_TIME, Validation


class Kind(str, Enum):
    customers = "customers"
    events = "events"
    orders = "orders"
    products = "products"
    tickets = "tickets"
    consents = "consents"
    decisions = "decisions"


def ingest(
    kind: Kind = typer.Argument(
        ..., help="What the file holds. Load customers (and products) before what refers to them."
    ),
    file: Path = typer.Argument(..., help="A .csv, .jsonl/.ndjson or .parquet file.", exists=False),
    strict: bool = typer.Option(False, "--strict", help="Write nothing if any row is bad."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where bad rows go (default: FILE.rejects.jsonl beside the input)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Validate every row, load the good ones with COPY, report bad rows by line, field and reason.

    Re-running the same file adds nothing: ids already stored with the same content are skipped; an id
    stored with other content is a reject. Exit code 0: every row is stored or already was; 1: some rows
    were rejected (or, with --strict, nothing was written), or the file could not be read.
    """
    with user_errors(), database() as db:
        options = Validation.from_settings(settings().ingest)
        total = count_rows(file)
        with progress_bar() as bar, db.tenant(tenant_or_default(tenant)) as conn:
            task = bar.add_task(f"ingest {kind.value}", total=total)
            result = ingest_file(
                conn, kind.value, file, strict=strict, progress=lambda n: bar.advance(task, n), options=options
            )
    _report(result, file, rejects, options)
    if result.rejects:
        raise typer.Exit(1)


def _report(result: LoadResult, file: Path, rejects_path: Path | None, options: Validation) -> None:
    table = Table(title=escape(f"ingest {result.dataset} from {file.name}"), show_header=False)
    table.add_row("rows read", f"{result.read:,}")
    for name, n in result.inserted.items():
        table.add_row(f"{name} written", f"{n:,}")
    table.add_row("already stored (skipped)", f"{result.duplicates:,}")
    table.add_row("rejected rows", f"{result.rejected_rows:,}")
    for warning, n in result.warnings.items():
        assumed = f" (taken at {options.date_time:%H:%M} {options.date_zone})" if warning == DATE_WITHOUT_TIME else ""
        table.add_row(f"warning: {warning}{assumed}", f"{n:,}")
    console.print(table)
    if not result.rejects:
        return
    reasons = Table(title="rejects by reason", show_header=True)
    for column in ("field", "reason", "rows", "first line"):
        reasons.add_column(column)
    for field, reason, n, first in result.by_reason():
        reasons.add_row(escape(field), escape(reason), f"{n:,}", str(first))
    console.print(reasons)
    for r in result.rejects[:10]:
        value = "" if r.value is None else f" (value: {str(r.value)[:60]!r})"
        console.print(f"  [red]line {r.line}[/] field [bold]{escape(r.field)}[/]: {escape(r.reason + value)}")
    if len(result.rejects) > 10:
        console.print(f"  … and {len(result.rejects) - 10} more")
    target = rejects_path or file.with_name(file.name + ".rejects.jsonl")
    write_rejects(target, result.rejects)
    console.print(f"rejects with reasons written to {escape(str(target))}")
    if result.strict_failed:
        console.print("[bold red]strict mode: nothing was written[/]")
