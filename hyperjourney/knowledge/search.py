"""Hybrid retrieval with citations: Postgres full-text and pgvector nearest neighbours fused by reciprocal rank.

Every query runs on a tenant-bound connection, so row-level security (not this module) keeps tenants apart.
Searches are for a reader: ``audience="customer"`` (the default, so a caller that forgets is safe) sees only
documents written for customers; ``audience="internal"`` (staff tools, retrieval evals) sees every document.
Results are cached per process under (tenant, knowledge version, normalised query, filters, k, mode); any
ingest that changes the tenant's knowledge bumps the version, so stale results are never served.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Literal

import psycopg
from pydantic import BaseModel, ValidationError

from hyperjourney.db.database import Database
from hyperjourney.knowledge.embedder import Embedder, from_settings, to_pgvector
from hyperjourney.knowledge.models import Hit, KnowledgeError, SearchFilters
from hyperjourney.settings import Settings, get_settings

Mode = Literal["hybrid", "vector", "keyword"]
Reader = Literal["customer", "internal"]
MODES: tuple[Mode, ...] = ("hybrid", "vector", "keyword")
RRF_K = 60
MAX_K = 100


class Facets(BaseModel):
    """The filter values that exist in a tenant's knowledge base (to reject unknown ones)."""

    doc_types: list[str]
    regions: list[str]
    languages: list[str]
    models: list[str] = []


class _Cache:
    """A small LRU of search results and facets; entries carry the knowledge version in their key."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[object, ...], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[object, ...], ttl: float) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > ttl:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[1]

    def put(self, key: tuple[object, ...], value: Any, size: int) -> None:
        if size <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


CACHE = _Cache()
_FACETS = _Cache()


def normalize_query(query: str) -> str:
    return " ".join(query.casefold().split())


def search(
    db: Database,
    tenant: str,
    query: str,
    *,
    filters: SearchFilters | Mapping[str, Any] | None = None,
    k: int = 8,
    mode: Mode = "hybrid",
    embedder: Embedder | None = None,
    use_cache: bool = True,
    settings: Settings | None = None,
    audience: Reader = "customer",
) -> list[Hit]:
    """The ``k`` best chunks for ``query`` in ``tenant``'s knowledge base, best first, each with a citation id.

    ``audience`` is who will read the result: a customer is shown only customer documents, staff every one.

    Raises :class:`KnowledgeError` for an empty or over-long query, a bad ``k`` or ``mode``, an unknown filter
    name, or a filter value that no document in the tenant's knowledge base has.
    """
    cfg = settings or get_settings()
    text = _check_query(query, cfg.knowledge.max_query_chars)
    if not 1 <= k <= MAX_K:
        raise KnowledgeError(f"k must be between 1 and {MAX_K}, got {k}")
    if mode not in MODES:
        raise KnowledgeError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    if audience not in ("customer", "internal"):
        raise KnowledgeError(f"unknown audience {audience!r}; choose customer or internal")
    flt = _filters(filters)
    embedder = embedder or (from_settings(cfg) if mode != "keyword" else None)
    with db.tenant(tenant) as conn:
        # One round trip: the knowledge version (cache key) and the HNSW search breadth for this transaction.
        ef_search = str(min(1000, max(100, 2 * max(cfg.knowledge.candidates, k))))
        row = conn.execute(
            "SELECT (SELECT version FROM kb_state), set_config('hnsw.ef_search', %s, true)", (ef_search,)
        ).fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        name = embedder.name if embedder else ""
        key = (tenant, version, mode, k, normalize_query(text), flt.cache_key(), audience, name)
        if use_cache:
            cached = CACHE.get(key, cfg.knowledge.cache_ttl_s)
            if cached is not None:
                return [h.model_copy() for h in cached]
        facets = _facets(conn, tenant, version)
        _check_filters(flt, facets)
        if embedder is not None and any(m != embedder.name for m in facets.models):
            raise KnowledgeError(
                f"the knowledge base was embedded with {', '.join(facets.models)} but searches use {embedder.name}; "
                "run `hyperjourney kb ingest PATH` again to re-embed it"
            )
        vector = to_pgvector(embedder.embed([text])[0]) if embedder is not None and mode != "keyword" else None
        hits = _run(
            conn,
            text,
            vector,
            flt,
            facets,
            k,
            mode,
            cfg.knowledge.candidates,
            cfg.knowledge.max_chunks_per_document,
            cfg.knowledge.keyword_weight,
            audience,
        )
    if use_cache:
        CACHE.put(key, hits, cfg.knowledge.cache_size)
    return [h.model_copy() for h in hits]


def _check_query(query: str, max_chars: int) -> str:
    if not isinstance(query, str) or not query.strip():
        raise KnowledgeError("query is empty: give a few words to search for")
    text = query.strip()
    if len(text) > max_chars:
        raise KnowledgeError(f"query is too long ({len(text)} characters; at most {max_chars})")
    return text


def _filters(filters: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
    if filters is None:
        return SearchFilters()
    if isinstance(filters, SearchFilters):
        return filters
    known = ", ".join(SearchFilters.model_fields)
    unknown = [name for name in filters if name not in SearchFilters.model_fields]
    if unknown:
        raise KnowledgeError(f"unknown search filter(s) {', '.join(map(repr, unknown))}; known filters: {known}")
    try:
        return SearchFilters.model_validate(dict(filters))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise KnowledgeError(f"bad search filter {field}: {first['msg']}") from exc


def _facets(conn: psycopg.Connection[Any], tenant: str, version: int) -> Facets:
    key = ("facets", tenant, version)
    cached = _FACETS.get(key, float("inf"))
    if isinstance(cached, Facets):
        return cached
    row = conn.execute(
        "SELECT coalesce(array_agg(DISTINCT doc_type), '{}'), coalesce(array_agg(DISTINCT region), '{}'), "
        "coalesce(array_agg(DISTINCT language), '{}'), coalesce(array_agg(DISTINCT embedding_model), '{}') "
        "FROM kb_documents"
    ).fetchone()
    facets = (
        Facets(doc_types=sorted(row[0]), regions=sorted(row[1]), languages=sorted(row[2]), models=sorted(row[3]))
        if row
        else None
    )
    facets = facets or Facets(doc_types=[], regions=[], languages=[])
    _FACETS.put(key, facets, 4096)
    return facets


def _check_filters(flt: SearchFilters, facets: Facets) -> None:
    """Reject filter values no document has (likely typos); an empty knowledge base simply finds nothing."""
    if not facets.doc_types:
        return
    for name, values, known in (
        ("doc_type", flt.doc_type or [], facets.doc_types),
        ("region", [flt.region] if flt.region else [], [*facets.regions, "global"]),
        ("language", [flt.language] if flt.language else [], facets.languages),
    ):
        bad = [v for v in values if v not in known]
        if bad:
            have = ", ".join(sorted(set(known)))
            raise KnowledgeError(f"unknown {name} {', '.join(map(repr, bad))}; this knowledge base has: {have}")


def _where(flt: SearchFilters, audience: Reader) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if audience == "customer":
        clauses.append("audience = 'customer'")
    if flt.doc_type:
        clauses.append("doc_type = ANY(%s)")
        params.append(list(flt.doc_type))
    if flt.region:
        clauses.append("region IN (%s, 'global')")
        params.append(flt.region)
    if flt.language:
        clauses.append("language = %s")
        params.append(flt.language)
    if flt.max_age_days is not None:
        clauses.append("updated_at >= now() - make_interval(days => %s)")
        params.append(flt.max_age_days)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


def tsquery_sql(languages: list[str]) -> tuple[str, list[str]]:
    """An OR-of-terms tsquery per knowledge-base language (websearch syntax: quotes, -exclusions)."""
    langs = ["en", *sorted({lang for lang in languages if lang != "en"})]
    parts = ["replace(websearch_to_tsquery(kb_regconfig(%s), %s)::text, ' & ', ' | ')::tsquery" for _ in langs]
    return " || ".join(parts), langs


def _run(
    conn: psycopg.Connection[Any],
    text: str,
    vector: str | None,
    flt: SearchFilters,
    facets: Facets,
    k: int,
    mode: Mode,
    candidates: int,
    per_document: int,
    keyword_weight: float,
    audience: Reader,
) -> list[Hit]:
    where, params = _where(flt, audience)
    n = max(candidates, k)
    vector_ranked: list[tuple[str, int, float]] = []
    keyword_ranked: list[tuple[str, int, float]] = []
    tsq, langs = tsquery_sql(facets.languages)
    tsq_params: list[Any] = [x for lang in langs for x in (lang, text)]
    if mode in ("hybrid", "vector") and vector is not None:
        sql = (
            "SELECT document_id, chunk_index, 1 - (embedding <=> %s::vector) FROM kb_chunks WHERE true"
            + where
            + " ORDER BY embedding <=> %s::vector LIMIT %s"
        )
        vector_ranked = [tuple(r) for r in conn.execute(sql, [vector, *params, vector, n]).fetchall()]
        if len(vector_ranked) < n:
            # The approximate index filters after scanning; when filters or other tenants starve it, go exact.
            exact = sql.replace("ORDER BY embedding <=> %s::vector", "ORDER BY (embedding <=> %s::vector) + 0")
            vector_ranked = [tuple(r) for r in conn.execute(exact, [vector, *params, vector, n]).fetchall()]
    if mode in ("hybrid", "keyword"):
        # kb_keyword_candidates (migration 0003) applies the tenant predicate itself so the GIN index is usable.
        sql = (
            f"WITH q AS (SELECT {tsq} AS tsq) SELECT k.* "
            "FROM q, kb_keyword_candidates(q.tsq, %s::int, %s::text[], %s, %s, %s::int, %s::text) k"
        )
        wanted = "customer" if audience == "customer" else None
        args = [*tsq_params, n, flt.doc_type, flt.region, flt.language, flt.max_age_days, wanted]
        keyword_ranked = [tuple(r) for r in conn.execute(sql, args).fetchall()]
    scores: dict[tuple[str, int], float] = {}
    vrank = {(d, c): i for i, (d, c, _) in enumerate(vector_ranked, 1)}
    krank = {(d, c): i for i, (d, c, _) in enumerate(keyword_ranked, 1)}
    if mode == "vector":
        scores = {(d, c): float(s) for d, c, s in vector_ranked}
    elif mode == "keyword":
        scores = {(d, c): float(s) for d, c, s in keyword_ranked}
    else:
        for ranks, weight in ((vrank, 1.0), (krank, keyword_weight)):
            for key, rank in ranks.items():
                scores[key] = scores.get(key, 0.0) + weight / (RRF_K + rank)
    top = _diversify(sorted(scores, key=lambda key: (-scores[key], key)), per_document)[:k]
    if not top:
        return []
    rows = conn.execute(
        f"WITH q AS (SELECT {tsq} AS tsq) "
        "SELECT c.document_id, c.chunk_index, c.title, c.section, c.doc_type, c.region, c.language, c.text, "
        "c.updated_at, c.audience, ts_headline(kb_regconfig(c.language), c.text, q.tsq, "
        '\'MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … ", StartSel="", StopSel=""\') '
        "FROM kb_chunks c, q WHERE (c.document_id, c.chunk_index) IN (SELECT * FROM unnest(%s::text[], %s::int[]))",
        [*tsq_params, [d for d, _ in top], [c for _, c in top]],
    ).fetchall()
    by_key = {(r[0], r[1]): r for r in rows}
    hits: list[Hit] = []
    for key in top:
        r = by_key.get(key)
        if r is None:
            continue
        hits.append(
            Hit(
                citation_id=f"{r[0]}#{r[1]}",
                document_id=r[0],
                chunk_index=r[1],
                title=r[2],
                section=r[3],
                doc_type=r[4],
                region=r[5],
                language=r[6],
                text=r[7],
                updated_at=r[8],
                audience=r[9],
                snippet=_snippet(r[10]),
                score=round(scores[key], 6),
                keyword_rank=krank.get(key),
                vector_rank=vrank.get(key),
            )
        )
    return hits


def _diversify(ranked: list[tuple[str, int]], per_document: int) -> list[tuple[str, int]]:
    """Keep at most ``per_document`` chunks of one document ahead of other documents' chunks (order kept).

    Citations from several sources serve an agent better than five neighbouring chunks of one page; the
    extra chunks are not dropped, only moved behind.
    """
    if per_document <= 0:
        return ranked
    counts: dict[str, int] = {}
    first: list[tuple[str, int]] = []
    later: list[tuple[str, int]] = []
    for key in ranked:
        counts[key[0]] = counts.get(key[0], 0) + 1
        (first if counts[key[0]] <= per_document else later).append(key)
    return first + later


def _snippet(headline: str) -> str:
    text = re.sub(r"^#{1,6}\s+", "", headline.strip(), flags=re.MULTILINE)
    return " ".join(text.split())
