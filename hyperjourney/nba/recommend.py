"""Product recommendations: co-purchase and co-view signals, content similarity and business rules
(inventory, margin, age gates), with a returns-risk penalty; every item carries its own reasons.

The tenant model is built from orders and events once and cached (``ttl_s``) so a decision only pays
for the customer's own recent products.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import psycopg
from pydantic import BaseModel, Field

W_COPURCHASE, W_COVIEW, W_CONTENT = 0.5, 0.3, 0.2
MINOR_BANDS = frozenset({"under_18"})


class Product(BaseModel):
    product_id: str
    name: str
    category: str
    price: float
    margin: float
    inventory: int
    age_gated: bool
    tokens: frozenset[str]
    return_rate: float = 0.0
    sold: int = 0


class Recommendation(BaseModel):
    product_id: str
    name: str
    score: float
    price: float
    margin: float
    reasons: list[str] = Field(default_factory=list)
    returns_penalty: float = 0.0


class RecModel:
    """Co-occurrence tables and content neighbours for one tenant."""

    def __init__(
        self, products: dict[str, Product], co_purchase: dict[str, dict[str, int]], co_view: dict[str, dict[str, int]]
    ) -> None:
        self.products, self.co_purchase, self.co_view = products, co_purchase, co_view
        self.built_at = time.monotonic()
        self.similar = {pid: self._neighbours(p) for pid, p in products.items()}
        self._max_cp = max((n for row in co_purchase.values() for n in row.values()), default=1)
        self._max_cv = max((n for row in co_view.values() for n in row.values()), default=1)

    @classmethod
    def build(cls, conn: psycopg.Connection[Any]) -> RecModel:
        products: dict[str, Product] = {}
        for pid, name, category, price, margin, inventory, gated, attrs, sold, returned in conn.execute(
            "SELECT p.product_id, p.name, p.category, p.price, p.margin, p.inventory, p.age_gated, p.attributes, "
            "coalesce(s.sold, 0), coalesce(r.returned, 0) FROM products p "
            "LEFT JOIN (SELECT product_id, sum(quantity) sold FROM order_lines GROUP BY 1) s USING (product_id) "
            "LEFT JOIN (SELECT l.product_id, sum(r.quantity) returned FROM returns r "
            "           JOIN order_lines l USING (tenant_id, order_id, line_no) GROUP BY 1) r USING (product_id)"
        ):
            products[pid] = Product(
                product_id=pid, name=name, category=category, price=float(price), margin=float(margin),
                inventory=inventory, age_gated=gated, tokens=_tokens(category, name, attrs),
                return_rate=float(returned) / float(sold) if sold else 0.0, sold=int(sold),
            )  # fmt: skip
        co_purchase: dict[str, dict[str, int]] = defaultdict(dict)
        for a, b, n in conn.execute(
            "SELECT a.product_id, b.product_id, count(DISTINCT a.order_id) FROM order_lines a "
            "JOIN order_lines b ON a.tenant_id = b.tenant_id AND a.order_id = b.order_id "
            "AND a.product_id <> b.product_id GROUP BY 1, 2"
        ):
            co_purchase[a][b] = int(n)
        co_view: dict[str, dict[str, int]] = defaultdict(dict)
        for a, b, n in conn.execute(
            "SELECT a, b, count(*) FROM (SELECT properties->>'product_id' a, lead(properties->>'product_id') "
            "OVER w b, lead(ts) OVER w - ts d FROM events WHERE type = 'product_view' "
            "WINDOW w AS (PARTITION BY customer_id ORDER BY ts)) v "
            "WHERE b IS NOT NULL AND a <> b AND d < interval '1 hour' "
            "GROUP BY 1, 2"
        ):
            co_view[a][b] = int(n)
        return cls(products, dict(co_purchase), dict(co_view))

    def recommend(
        self,
        seeds: list[str],
        *,
        exclude: set[str] | None = None,
        customer_returns_rate: float = 0.0,
        age_band: str | None = None,
        k: int = 3,
        min_margin: float = 0.0,
    ) -> list[Recommendation]:
        """Top ``k`` products for a customer whose recent products are ``seeds`` (most recent first)."""
        exclude = (exclude or set()) | set(seeds)
        scored: dict[str, tuple[float, list[str]]] = {}
        for seed in seeds:
            anchor = self.products.get(seed)
            if anchor is None:
                continue
            for pid, n in self.co_purchase.get(seed, {}).items():
                self._add(scored, pid, W_COPURCHASE * n / self._max_cp, f"bought together with {anchor.name} ({n}x)")
            for pid, n in self.co_view.get(seed, {}).items():
                self._add(scored, pid, W_COVIEW * n / self._max_cv, f"viewed right after {anchor.name} ({n}x)")
            for pid, sim, shared in self.similar.get(seed, []):
                self._add(scored, pid, W_CONTENT * sim, f"similar to {anchor.name} ({shared})")
        if not scored:  # cold start: best sellers with stock
            for best in sorted(self.products.values(), key=lambda x: -x.sold)[: k * 3]:
                scored[best.product_id] = (0.01 * best.sold / max(1, self._max_sold()), ["a best seller"])
        out: list[Recommendation] = []
        minor = age_band in MINOR_BANDS or age_band is None
        for pid, (score, reasons) in scored.items():
            p = self.products.get(pid)
            if p is None or pid in exclude or p.inventory <= 0 or p.margin < min_margin or (p.age_gated and minor):
                continue
            penalty = min(0.8, p.return_rate * (1 + 2 * customer_returns_rate))
            why = reasons[:3]
            if penalty >= 0.05:
                why.append(f"returns risk: {p.return_rate:.0%} of these come back (score -{penalty:.0%})")
            if p.inventory < 10:
                why.append(f"only {p.inventory} left")
            out.append(
                Recommendation(
                    product_id=pid,
                    name=p.name,
                    score=round(score * (1 - penalty), 5),
                    price=p.price,
                    margin=p.margin,
                    reasons=why,
                    returns_penalty=round(penalty, 3),
                )
            )
        out.sort(key=lambda r: (-r.score, r.product_id))
        return out[:k]

    def _neighbours(self, anchor: Product, k: int = 12) -> list[tuple[str, float, str]]:
        """The ``k`` most similar products by shared category, name words and attributes (Jaccard)."""
        sims = []
        for pid, product in self.products.items():
            sim = _jaccard(anchor.tokens, product.tokens)
            if sim >= 0.25 and pid != anchor.product_id:
                shared = ", ".join(t.split(":", 1)[1] for t in sorted(anchor.tokens & product.tokens)[:3])
                sims.append((pid, sim, shared))
        return sorted(sims, key=lambda x: -x[1])[:k]

    def _max_sold(self) -> int:
        return max((p.sold for p in self.products.values()), default=1)

    @staticmethod
    def _add(scored: dict[str, tuple[float, list[str]]], pid: str, score: float, reason: str) -> None:
        prev, reasons = scored.get(pid, (0.0, []))
        scored[pid] = (prev + score, [*reasons, reason])


def _tokens(category: str, name: str, attrs: dict[str, Any] | None) -> frozenset[str]:
    toks = {f"category:{category}", *(f"word:{w.lower()}" for w in name.split() if len(w) > 3)}
    for key, value in (attrs or {}).items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str | int | float | bool):
                toks.add(f"{key}:{v}")
    return frozenset(toks)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class RecCache:
    """One model per tenant, rebuilt after ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float = 900) -> None:
        self.ttl_s = ttl_s
        self._models: dict[str, RecModel] = {}

    def get(self, conn: psycopg.Connection[Any], tenant: str) -> RecModel:
        model = self._models.get(tenant)
        if model is None or time.monotonic() - model.built_at > self.ttl_s:
            model = self._models[tenant] = RecModel.build(conn)
        return model

    def clear(self) -> None:
        self._models.clear()


RECENT_SQL = """
SELECT 'seed', product_id FROM (
    SELECT properties->>'product_id' AS product_id FROM events WHERE customer_id = %(c)s AND ts > %(since)s
    AND ts <= %(now)s AND type IN ('product_view', 'added_to_cart') ORDER BY ts DESC LIMIT 50) recent
UNION ALL
SELECT 'bought', l.product_id FROM orders o JOIN order_lines l USING (tenant_id, order_id)
WHERE o.customer_id = %(c)s AND o.ordered_at > %(bought_since)s
"""


def recent_params(customer_id: str, now: datetime) -> dict[str, Any]:
    return {"c": customer_id, "now": now, "since": now - timedelta(days=30), "bought_since": now - timedelta(days=90)}


def split_recent(rows: list[tuple[str, str | None]]) -> tuple[list[str], set[str]]:
    """(products viewed or carted in 30 days, newest first, at most 10; products bought in 90 days)."""
    seeds = list(dict.fromkeys(pid for kind, pid in rows if kind == "seed" and pid))[:10]
    return seeds, {pid for kind, pid in rows if kind == "bought" and pid}


CACHE = RecCache()
