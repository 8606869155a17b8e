"""`hyperjourney kb …`: ingest the knowledge base, search it with citations, list its typed facts, check its
state and quality."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, err_console, tenant_or_default, user_errors
from hyperjourney.cli.progress import progress_bar
from hyperjourney.db.database import Database
from hyperjourney.knowledge import fact_store, store
from hyperjourney.knowledge.evaluation import evaluate, load_golden
from hyperjourney.knowledge.facts import FACT_KINDS
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.models import IngestReport, SearchFilters
from hyperjourney.knowledge.search import MODES, Mode, search

app = typer.Typer(
    help="The knowledge base agents cite: ingest, search, typed facts, status, retrieval evals.", no_args_is_help=True
)


def demo_kb_path() -> Path:
    return Path(str(resources.files("hyperjourney.knowledge") / "kb" / "demo"))


def run_ingest(db: Database, tenant: str, path: Path, *, delete_missing: bool = True) -> IngestReport:
    """Ingest with one progress bar per stage (reading, embedding, writing)."""
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return ingest_path(db, tenant, path, progress=tick, delete_missing=delete_missing)


def print_ingest(report: IngestReport) -> None:
    table = Table(title=f"knowledge ingest of {report.path}", show_header=False)
    for label, value in (
        ("added", report.added),
        ("changed", report.changed),
        ("unchanged", report.unchanged),
        ("deleted", report.deleted),
        ("failed", report.failed),
        ("chunks written", report.chunks_written),
        ("facts written", report.facts_written),
        ("chunks embedded now", report.embedded),
        ("chunks from embedding cache", report.cached),
        ("knowledge version", report.kb_version),
    ):
        table.add_row(label, f"{value:,}")
    table.add_row("seconds", f"{report.seconds:.1f}")
    console.print(table)
    for doc in report.errors:
        err_console.print(f"[bold red]failed:[/] {doc.error} [dim](previous chunks of this document kept)[/]")


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(..., help="A folder (ingested recursively) or one .md/.txt/.html/.pdf file."),
    tenant: str | None = TenantOption,
    keep_missing: bool = typer.Option(
        False, "--keep-missing", help="Keep documents whose files are gone from the folder (default: delete them)."
    ),
) -> None:
    """Parse, chunk by headings, embed (cached by content hash) and store; re-running embeds only what changed.

    Prints added / changed / unchanged / deleted documents, chunks written and embedded vs cached. Exits 1 if
    any file failed; a failed file keeps its document's previous chunks.
    """
    with user_errors(), database() as db:
        report = run_ingest(db, tenant_or_default(tenant), path, delete_missing=not keep_missing)
    print_ingest(report)
    if report.failed:
        raise typer.Exit(1)


@app.command("search")
def search_command(
    query: str = typer.Argument(..., help='What to look for (websearch syntax: "exact phrase", -exclude).'),
    doc_type: list[str] | None = typer.Option(None, "--type", help="Document type; repeat for several."),
    region: str | None = typer.Option(None, "--region", help="Region, e.g. eu (global documents always match)."),
    language: str | None = typer.Option(None, "--language", help="Language code, e.g. de."),
    max_age_days: int | None = typer.Option(None, "--max-age-days", min=0, help="Only documents this fresh."),
    k: int = typer.Option(8, "-k", min=1, max=100, help="How many hits."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, vector or keyword."),
    tenant: str | None = TenantOption,
) -> None:
    """Print the ranked chunks for QUERY with their citation ids, sources, freshness and a snippet."""
    with user_errors(), database() as db:
        if mode not in MODES:
            raise ValueError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
        filters = SearchFilters(doc_type=doc_type or None, region=region, language=language, max_age_days=max_age_days)
        chosen: Mode = "hybrid" if mode == "hybrid" else "vector" if mode == "vector" else "keyword"
        hits = search(db, tenant_or_default(tenant), query, filters=filters, k=k, mode=chosen)
    if not hits:
        console.print("no matching knowledge")
        return
    now = datetime.now(UTC)
    table = Table(title=f"{chosen} search: {query}", show_lines=True)
    for col in ("#", "citation", "source", "score", "age", "snippet"):
        table.add_column(col, overflow="fold")
    for i, h in enumerate(hits, 1):
        age = f"{(now - h.updated_at).days} d"
        source = f"{h.title}\n[dim]{h.section} · {h.doc_type} · {h.region} · {h.language}[/]"
        table.add_row(str(i), h.citation_id, source, f"{h.score:.4f}", age, h.snippet)
    console.print(table)


@app.command("facts")
def facts_command(
    kind: str | None = typer.Option(None, "--kind", help=f"Only this kind: {', '.join(FACT_KINDS)}."),
    doc: str | None = typer.Option(None, "--doc", help="Only facts of this document id."),
    tenant: str | None = TenantOption,
) -> None:
    """Print the typed facts extracted at ingest, each with its citation, product lines and structured detail."""
    with user_errors(), database() as db:
        if kind is not None and kind not in FACT_KINDS:
            raise ValueError(f"--kind must be one of {', '.join(FACT_KINDS)}, got {kind!r}")
        with db.tenant(tenant_or_default(tenant)) as conn:
            facts = fact_store.list_facts(conn, fact_store.FactFilter(kinds=[kind] if kind else None, document_id=doc))
    if not facts:
        console.print("no facts (run `hyperjourney kb ingest` first, or widen --kind/--doc)")
        return
    table = Table(title=f"{len(facts)} facts", show_lines=True)
    for col in ("kind", "citation", "products", "fact", "detail"):
        table.add_column(col, overflow="fold")
    for f in facts:
        detail = f.detail.model_dump(exclude={"kind"}, exclude_none=True, exclude_defaults=True)
        shown = "\n".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in detail.items())
        where = f"{f.citation_id}\n[dim]{f.language} · {f.region} · {f.audience}[/]"
        table.add_row(f.kind, where, ", ".join(f.products) or "-", escape(f.text), escape(shown))
    console.print(table)


@app.command("status")
def status(tenant: str | None = TenantOption) -> None:
    """Documents, chunks, cached embeddings, knowledge version and freshness of the tenant's knowledge base."""
    with user_errors(), database() as db, db.tenant(tenant_or_default(tenant)) as conn:
        s = store.status(conn)
        facts = fact_store.counts(conn)
    table = Table(title=f"knowledge base of {tenant_or_default(tenant)}", show_header=False)
    table.add_row("documents", f"{s.documents:,}")
    table.add_row("chunks", f"{s.chunks:,}")
    table.add_row("cached embeddings", f"{s.cached_embeddings:,}")
    table.add_row("knowledge version", str(s.version))
    table.add_row("last ingest", f"{s.last_ingest_at:%Y-%m-%d %H:%M}" if s.last_ingest_at else "never")
    table.add_row("by type", ", ".join(f"{k} {v}" for k, v in s.by_type.items()) or "-")
    table.add_row("by language", ", ".join(f"{k} {v}" for k, v in s.by_language.items()) or "-")
    table.add_row("facts by kind", ", ".join(f"{k} {v}" for k, v in facts.items()) or "-")
    if s.oldest_update and s.newest_update:
        table.add_row("updated between", f"{s.oldest_update:%Y-%m-%d} and {s.newest_update:%Y-%m-%d}")
    console.print(table)


@app.command("eval")
def eval_command(
    golden: Path | None = typer.Option(None, "--golden", help="Golden set YAML (default: the packaged demo set)."),
    tenant: str | None = TenantOption,
    llama: bool = typer.Option(
        True, "--llama/--no-llama", help="Also score the llama-index retrievers (vector, fusion) in the same run."
    ),
) -> None:
    """Recall@5, MRR, nDCG@10 and latency of keyword, vector and hybrid search (and the llama-index retrievers over
    the same tables) on the golden retrieval set.

    The tenant must hold the knowledge base the set was written for (the demo tenant after `hyperjourney demo`).
    """
    from hyperjourney.knowledge.llama_retrieval import LLAMA_MODES  # loads llama-index: only this command needs it

    modes = (*MODES, *LLAMA_MODES) if llama else MODES
    with user_errors(), database() as db:
        tid = tenant_or_default(tenant)
        golden_set = load_golden(golden)
        with db.tenant(tid) as conn:
            if store.status(conn).chunks == 0:
                raise ValueError(f"tenant {tid!r} has no knowledge; run `hyperjourney kb ingest PATH` first")
        with progress_bar() as bar:
            task = bar.add_task("evaluating", total=len(golden_set.questions) * len(modes))
            scores = evaluate(
                db, tid, golden_set, modes=modes, progress=lambda done, total: bar.update(task, completed=done)
            )
    table = Table(title=f"retrieval quality on {len(golden_set.questions)} golden questions")
    columns = ("mode", "recall@5", "MRR", "nDCG@10", "p50 ms", "p95 ms", "questions with nothing relevant in top 5")
    for col in columns:
        table.add_column(col, justify="left" if col == "mode" else "right")
    for s in scores:
        table.add_row(
            s.mode, f"{s.recall_at_5:.3f}", f"{s.mrr:.3f}", f"{s.ndcg_at_10:.3f}", f"{s.latency_p50_ms:.1f}",
            f"{s.latency_p95_ms:.1f}", str(len(s.misses)),
        )  # fmt: skip
    console.print(table)


def demo_step(db: Database, tenant: str) -> None:
    """The demo's knowledge step: ingest the packaged demo knowledge base (a re-run finds it unchanged)."""
    report = run_ingest(db, tenant, demo_kb_path())
    console.print(
        f"knowledge base: {report.added} added, {report.changed} changed, {report.unchanged} unchanged, "
        f"{report.deleted} deleted; {report.embedded} chunks embedded, {report.cached} from cache"
    )
