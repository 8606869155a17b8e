"""Minimal, honest stand-ins for parts that have not landed yet; wiring names which one is in use.

Each is deliberately simple and says what it is: keyword search over the packaged demo knowledge
base, SQL filters for segments, keyword rules for ticket intent and sentiment, citation and banned
phrase checks, consent checks, review requests recorded in the audit log, and a launcher that only
records the approved plan.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from hyperjourney.agents.ports import (
    ActionProposal,
    AssetDraft,
    CustomerInsight,
    Evidence,
    InboundCheck,
    LaunchResult,
    PolicyPort,
    PolicyVerdict,
    RankedCandidate,
    ScoringPort,
    SegmentInfo,
    TicketSignal,
)
from hyperjourney.data import audit
from hyperjourney.db.database import Database

_WORD = re.compile(r"[a-z0-9]+")
_CITE = re.compile(r"\[cite:([^\]]+)\]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@cache
def _kb_chunks() -> tuple[Evidence, ...]:
    """The packaged demo KB split at '## ' headings; citation ids are '<document id>#<chunk index>'."""
    folder = resources.files("hyperjourney") / "knowledge" / "kb" / "demo"
    chunks: list[Evidence] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".md"):
            continue
        raw = path.read_text(encoding="utf-8")
        _, front, body = raw.split("---", 2)
        meta = dict(line.split(": ", 1) for line in front.strip().splitlines() if ": " in line)
        for i, part in enumerate(re.split(r"\n(?=## )", body.strip())):
            text = part.strip()
            heading = text.splitlines()[0].lstrip("# ").strip() if text else ""
            chunks.append(
                Evidence(
                    citation_id=f"{meta['id']}#{i}",
                    title=f"{meta['title']} — {heading}" if i else meta["title"],
                    doc_type=meta.get("type", ""),
                    snippet=" ".join(text.split())[:240],
                    text=text,
                )
            )
    return tuple(chunks)


class PackagedKbKeywordSearch:
    """BM25 over the packaged demo KB (no embeddings) until hyperjourney.knowledge.search lands."""

    name = "fallback: keyword BM25 over the packaged demo KB"

    def __init__(self) -> None:
        self.chunks = _kb_chunks()
        self.tfs = [Counter(_words(c.title + " " + c.text)) for c in self.chunks]
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(self.chunks)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self.avg = sum(sum(tf.values()) for tf in self.tfs) / max(n, 1)

    def search(self, tenant: str, query: str, *, doc_types: list[str] | None = None, k: int = 6) -> list[Evidence]:
        terms = set(_words(query))
        scored = []
        for chunk, tf in zip(self.chunks, self.tfs, strict=True):
            if doc_types and chunk.doc_type not in doc_types:
                continue
            length = sum(tf.values())
            s = sum(
                self.idf.get(t, 0) * tf[t] * 2.2 / (tf[t] + 1.2 * (0.25 + 0.75 * length / self.avg))
                for t in terms
                if t in tf
            )
            if s > 0:
                scored.append(chunk.model_copy(update={"score": round(s, 4)}))
        return sorted(scored, key=lambda e: -e.score)[:k]


_INTENT_WORDS = {
    "refund_request": "refund money back return reimburse",
    "shipping_delay": "shipping delivery delayed late arrived tracking parcel package where",
    "billing_question": "invoice charged charge billing bill payment vat receipt",
    "cancel_subscription": "cancel cancellation unsubscribe close subscription downgrade",
    "technical_issue": "error bug broken crash sync not working fails failed integration",
    "product_question": "how does feature support available product",
    "sizing_fit": "size sizing fit small large tight loose",
    "account_access": "login password locked reset access sign 2fa account",
    "complaint": "terrible awful unacceptable worst disappointed complaint angry",
    "praise": "thank thanks great love awesome amazing",
    "data_privacy": "gdpr delete data privacy personal export erase",
    "upgrade_inquiry": "upgrade plan seats scale pricing tier more",
}
_NEGATIVE = {
    "terrible", "awful", "unacceptable", "worst", "angry", "furious", "ridiculous", "disappointed", "still",
    "again", "never",
}  # fmt: skip
_VERY = {"furious", "unacceptable", "worst", "ridiculous", "lawyer", "scam", "disgusted"}
_POSITIVE = {"thanks", "thank", "great", "love", "awesome", "amazing", "happy", "appreciate"}


class KeywordScoring:
    """SQL segment filters and keyword ticket rules until hyperjourney.scoring lands."""

    name = "fallback: SQL segment filters + keyword ticket rules"

    def __init__(self, db: Database) -> None:
        self.db = db

    def classify_ticket(self, tenant: str, text: str) -> TicketSignal:
        words = _words(text)
        counts = {i: sum(w in set(v.split()) for w in words) for i, v in _INTENT_WORDS.items()}
        intent, hits = max(counts.items(), key=lambda kv: kv[1])
        total = sum(counts.values())
        neg, very, pos = (sum(w in s for w in words) for s in (_NEGATIVE, _VERY, _POSITIVE))
        shouting = sum(1 for w in text.split() if len(w) > 3 and w.isupper()) + text.count("!")
        if very or neg + shouting >= 4:
            sentiment = "very_negative"
        elif neg or shouting >= 2:
            sentiment = "negative"
        elif pos:
            sentiment = "positive"
        else:
            sentiment = "neutral"
        return TicketSignal(
            intent=intent if hits else "product_question",
            intent_confidence=round(hits / total, 3) if total else 0.2,
            sentiment=sentiment,
            sentiment_score=float(pos - neg - very),
            reasons=[f"matched {hits} '{intent}' keywords"] if hits else ["no intent keywords"],
            model_version="keyword-rules-1",
        )

    def find_segment(self, tenant: str, description: str) -> SegmentInfo:
        words = set(_words(description))
        with self.db.tenant(tenant) as conn:
            industries = [
                r[0] for r in conn.execute("SELECT DISTINCT industry FROM customers WHERE industry IS NOT NULL")
            ]
            industry = next((i for i in industries if i.lower() in words), None)
            size = next(
                (s for s, keys in _SIZES.items() if words & keys),
                None,
            )
            where, params = ["merged_into IS NULL"], []
            if industry:
                where.append("industry = %s")
                params.append(industry)
            if size:
                where.append("attributes->>'company_size' = %s")
                params.append(size)
            row = conn.execute(
                "SELECT count(*), coalesce(avg((attributes->>'arr_usd')::float) "
                "FILTER (WHERE attributes ? 'arr_usd'), 0), "
                "coalesce(avg((lifecycle_stage = 'active')::int), 0), "
                "coalesce(avg((lifecycle_stage IN ('churned', 'at_risk'))::int), 0) "
                f"FROM customers WHERE {' AND '.join(where)}",
                params,
            ).fetchone()
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT customer_id FROM customers WHERE {' AND '.join(where)} ORDER BY customer_id LIMIT 20",
                    params,
                )
            ]
        assert row is not None
        definition: dict[str, Any] = {k: v for k, v in (("industry", industry), ("company_size", size)) if v}
        why = [f"industry = {industry}"] if industry else []
        why += [f"company size = {size}"] if size else []
        return SegmentInfo(
            name=" ".join(v for v in (industry, _SIZE_NAMES.get(size or "")) if v) or "all customers",
            definition=definition,
            size=int(row[0]),
            customer_ids=ids,
            why=why or ["no filter matched the description"],
            baseline={
                "avg_arr_usd": round(float(row[1]), 2),
                "active_share": round(float(row[2]), 4),
                "at_risk_share": round(float(row[3]), 4),
            },
        )

    def score_customer(self, tenant: str, customer_id: str) -> CustomerInsight:
        with self.db.tenant(tenant) as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE ts > now() - interval '30 days'), count(*), "
                "count(*) FILTER (WHERE type ILIKE '%%pricing%%') FROM events WHERE customer_id = %s",
                (customer_id,),
            ).fetchone()
            orders = conn.execute("SELECT count(*) FROM orders WHERE customer_id = %s", (customer_id,)).fetchone()
        assert row is not None and orders is not None
        recent, total, pricing = (int(x) for x in row)
        propensity = min(1.0, 0.1 + 0.1 * pricing + 0.02 * recent)
        churn = 0.8 if total and not recent else 0.2
        return CustomerInsight(
            customer_id=customer_id,
            scores={"purchase_propensity": round(propensity, 3), "churn_risk": churn},
            confidence={"purchase_propensity": 0.4, "churn_risk": 0.4},
            segment="",
            reasons=[f"{recent} events in 30 days", f"{pricing} pricing views", f"{orders[0]} orders"],
        )


_SIZE_NAMES = {"smb": "SMBs", "mid_market": "mid-market companies", "enterprise": "enterprises"}
_SIZES = {"smb": {"smb", "smbs", "small"}, "mid_market": {"mid", "midmarket"}, "enterprise": {"enterprise", "large"}}
_BANNED = tuple(
    p.strip("- ").lower()
    for p in (resources.files("hyperjourney") / "knowledge" / "kb" / "demo" / "banned-claims.md")
    .read_text(encoding="utf-8")
    .split("## Banned phrases", 1)[-1]
    .split("\n## ", 1)[0]
    .splitlines()
    if p.startswith("- ")
)
_PII = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}|\b(?:\d[ -]?){13,15}\d\b|\+?\d[\d ().-]{8,}\d")
_INJECTION = re.compile(r"ignore (all|any|previous|the above)|system prompt|you are now|disregard", re.I)


class ScoredRulesNba:
    """Three candidate actions ranked by the customer's scores, each checked by the policy port, until
    hyperjourney.nba lands."""

    name = "fallback: score-ranked candidates + policy"

    def __init__(self, scoring: ScoringPort, policy: PolicyPort) -> None:
        self.scoring, self.policy = scoring, policy

    def rank(self, tenant: str, customer_id: str, event: dict[str, Any] | None, now: datetime) -> list[RankedCandidate]:
        s = self.scoring.score_customer(tenant, customer_id).scores
        kind = str((event or {}).get("type", ""))
        options = [
            ("offer_upgrade", "email", s.get("upgrade_fit", s.get("purchase_propensity", 0.0)), "upgrade fit"),
            ("retention_checkin", "email", s.get("churn_risk", 0.0), "churn risk"),
            ("in_app_tip", "in_app", 0.3 + (0.3 if "pricing" in kind else 0.0), f"event {kind or 'none'}"),
        ]
        ranked = [
            RankedCandidate(
                action_id=action, kind="message", channel=channel, score=round(score, 4), reasons=[why],
                policy=self.policy.check(
                    tenant, ActionProposal(customer_id=customer_id, channel=channel, purpose="marketing", send_at=now)
                ),
            )
            for action, channel, score, why in options
        ]  # fmt: skip
        return sorted(ranked, key=lambda a: -a.score)


class CitationGuard:
    """Citation, banned-phrase and length checks until hyperjourney.guardrails lands."""

    name = "fallback: citation + banned-phrase checks"

    def validate(self, asset: AssetDraft, evidence: list[Evidence], tenant: str | None = None) -> list[str]:
        known = {e.citation_id for e in evidence}
        cited = _CITE.findall(asset.body)
        failures = [f"cites unknown source {c}" for c in cited if c not in known]
        if not cited:
            failures.append("no claim cites a source")
        text = f"{asset.subject or ''} {asset.body}".lower()
        failures += [f"banned phrase '{p}'" for p in _BANNED if re.search(rf"\b{re.escape(p)}\b", text)]
        if asset.kind == "sms" and len(_CITE.sub("", asset.body)) > 320:
            failures.append("sms longer than 320 characters")
        if not asset.body.strip():
            failures.append("empty body")
        return failures

    def redact(self, text: str, tenant: str | None = None) -> str:
        return _PII.sub("[redacted]", text)

    def scan(self, text: str) -> InboundCheck:
        hits = [m.group(0) for m in _INJECTION.finditer(text)]
        return InboundCheck(attack=bool(hits), reasons=hits, neutralized=_INJECTION.sub("[removed]", text))


class ConsentPolicy:
    """Latest-consent and stakes rules until hyperjourney.policy lands."""

    name = "fallback: consent + stakes rules"

    def __init__(self, db: Database) -> None:
        self.db = db

    def check(self, tenant: str, action: ActionProposal) -> PolicyVerdict:
        rules: list[str] = []
        allowed, review = True, False
        if action.purpose == "marketing" and action.channel in ("email", "sms", "push", "in_app"):
            with self.db.tenant(tenant) as conn:
                row = conn.execute(
                    "SELECT status FROM current_consents WHERE customer_id = %s AND channel = %s "
                    "AND purpose = 'marketing'",
                    (action.customer_id, action.channel),
                ).fetchone()
            if action.customer_id != "*" and (row is None or row[0] != "granted"):
                allowed = False
                rules.append(f"deny: no marketing consent on {action.channel}")
            else:
                rules.append(f"allow: consent on {action.channel}")
        if action.cohort_size >= 1000:
            review = True
            rules.append(f"review: cohort of {action.cohort_size}")
        if action.regulated_claim:
            review = True
            rules.append("review: regulated claim")
        return PolicyVerdict(allowed=allowed, needs_review=review, rules=rules, policy_version="fallback-1")


class AuditedReviewRequests:
    """Review requests appended to the audit log until hyperjourney.review.queue lands."""

    name = "fallback: review requests in the audit log"

    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(
        self, tenant: str, *, run_id: str, kind: str, reason: str, payload: dict[str, Any],
        asset: AssetDraft | None = None, evidence: list[Evidence] | None = None,
    ) -> str:  # fmt: skip
        if asset is not None:
            payload = {**payload, "asset": asset.model_dump(mode="json")}
        item_id = f"rev-{uuid.uuid4().hex[:12]}"
        with self.db.tenant(tenant) as conn:
            audit.append(
                conn,
                actor="agents",
                action="review_requested",
                entity=run_id,
                payload={"item_id": item_id, "kind": kind, "reason": reason, **payload},
            )
        return item_id


class RecordOnlyLauncher:
    """Records the approved plan (in agent_outcomes, by the graph) until the action layer can launch it."""

    name = "fallback: record the approved plan"

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        return LaunchResult(
            launched=False,
            detail="approved plan recorded; the action layer launches it once installed",
            launcher="record-only",
        )
