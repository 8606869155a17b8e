"""Goal words → typed conditions, in English, German, Spanish and French (rules, no model: the small tier).

Each rule reads one kind of condition and the time window next to it ("in 90 days", "diesen Monat", "este mes",
"depuis 3 mois"); the tenant's own plans, categories and pages are the vocabulary, so the words grow with data.
A clause that states a condition no rule reads ("who opened our last email") comes back as not applied, with
the reason, so nothing the marketer asked for disappears silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, TypeAdapter

from hyperjourney.scoring.conditions import (
    ActivityRecency,
    BoughtCategory,
    Condition,
    Consented,
    Employees,
    HighValue,
    NotApplied,
    OrderRecency,
    PageVisit,
    PlanIs,
    SeatUsage,
    Tenure,
)

_UNITS = {
    r"days?|tagen?|d[ií]as?|jours?": 1,
    r"weeks?|wochen?|semanas?|semaines?": 7,
    r"months?|monate?n?|mes(?:es)?|mois": 30,
    r"quarters?|quartale?n?|trimestres?": 90,
    r"years?|jahre?n?|a[ñn]os?|ans?|ann[ée]es?": 365,
}
_NUMBER_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "ein": 1, "einem": 1, "einen": 1,
    "zwei": 2, "drei": 3, "sechs": 6, "un": 1, "una": 1, "dos": 2, "tres": 3, "seis": 6, "une": 1, "deux": 2,
    "trois": 3,
}  # fmt: skip
_NUM = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_WINDOW = re.compile(rf"\b{_NUM}\s*(?:-\s*)?({'|'.join(_UNITS)})\b")
_THIS = [
    (re.compile(r"\b(this|last|past|previous) (month|30 days)\b|\b(diese[nm]?|letzte[nm]?|im letzten) monat\b"
                r"|\b(este|el (último|pasado)) mes\b|\bdel mes\b|\b(ce mois(-ci)?|le mois dernier|du mois)\b"), 30),
    (re.compile(r"\b(this|last|past) week\b|\b(diese|letzte[nr]?) woche\b|\b(esta|la última) semana\b"
                r"|\bcette semaine\b|\bla semaine dernière\b"), 7),
    (re.compile(r"\b(this|last|past) quarter\b|\b(dieses|letzte[ns]?) quartal\b|\b(este|ce) trimestre\b"), 90),
    (re.compile(r"\b(this|last|past) year\b|\b(dieses|letzte[ns]?|im letzten) jahr\b|\b(este|el último) año\b"
                r"|\bcette année\b|\bl'année dernière\b"), 365),
]  # fmt: skip


def _window(text: str, at: int, end: int) -> int | None:
    """Days of the window nearest the trigger at [at, end), after it first, within the same stretch of words."""
    best: tuple[int, int] | None = None
    for m in _WINDOW.finditer(text):
        unit = next(v for k, v in _UNITS.items() if re.fullmatch(k, m.group(2)))
        raw = m.group(1)
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        gap = m.start() - end if m.start() >= end else at - m.end()
        if -1 <= gap <= 45 and (best is None or gap < best[0]):
            best = (gap, n * unit)
    for pattern, days in _THIS:
        for m in pattern.finditer(text):
            gap = m.start() - end if m.start() >= end else at - m.end()
            if -1 <= gap <= 45 and (best is None or gap < best[0]):
                best = (gap, days)
    return best[1] if best else None


class Vocabulary(BaseModel):
    """The tenant's own values the words are matched against."""

    plans: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)


@dataclass
class Reading:
    """What the rules read from a goal: typed conditions, the spans they used, and what they could not apply."""

    conditions: list[Condition] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    not_applied: list[NotApplied] = field(default_factory=list)

    def add(self, condition: Condition, m: re.Match[str], end: int | None = None) -> None:
        if any(type(c) is type(condition) and c.words() == condition.words() for c in self.conditions):
            return
        self.conditions.append(condition)
        self.spans.append((m.start(), end if end is not None else m.end()))

    def used(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.spans)


_NO_ORDER = re.compile(
    r"\b(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|not|no|never)\s+(?:\w+\s+){0,2}?"
    r"(?:ordered|order(?:s|ed)?|purchased?|purchases|bought|shopped|buy)\b|\bwithout (?:an? )?(?:order|purchase)s?\b"
    r"|\bnicht (?:mehr )?(?:\w+ ){0,3}?(?:bestellt|gekauft|eingekauft)\b|\bkeine (?:bestellung|käufe?)\w*\b"
    r"|\bohne (?:bestellung|kauf)\w*\b"
    r"|\bno (?:han|ha) (?:vuelto a )?(?:comprado|pedido|hecho (?:ningún |un )?pedido)\b"
    r"|\bsin (?:pedidos|compras|comprar)\b"
    r"|\bn'(?:ont|a) (?:pas|plus|rien) (?:re)?(?:commandé|acheté)\b|\bsans (?:commande|achat)s?\b|\baucune commande\b"
)  # fmt: skip
_ORDERED = re.compile(
    r"\b(?:ordered|purchased|bought|placed an order|shopped)\b|\b(?:bestellt|gekauft) haben\b"
    r"|\b(?:han comprado|compraron|han pedido|hicieron un pedido)\b|\b(?:ont commandé|ont acheté)\b"
)
_INACTIVE = re.compile(
    r"\binactive\b|\bnot (?:been )?active\b"
    r"|\b(?:haven'?t|have not|hasn'?t|not) (?:logged in|been active|used|signed in)"
    r"|\bno activity\b|\binaktiv\w*|\bnicht (?:mehr )?(?:aktiv|eingeloggt|angemeldet)\b|\bkeine aktivität\b"
    r"|\binactiv[oa]s?\b|\bsin actividad\b|\bno (?:han )?(?:estado activ[oa]s|iniciado sesión|entrado)\b"
    r"|\binacti(?:f|ve)s?\b|\bsans activité\b|\bne se sont pas connecté\w*|\bpas connecté\w*"
)
_ACTIVE = re.compile(r"\bactive\b|\b(?:logged in|signed in)\b|\baktiv(?:e|en)?\b|\bactiv[oa]s?\b|\bacti(?:f|ve)s?\b")
_SEATS = re.compile(
    r"\bseat (?:limit|cap)s?\b"
    r"|\b(?:near|close to|approaching|at|hitting|hit|reaching|running out of|out of|nearly out of)"
    r" (?:their |the |its )?(?:seat|seats|licen[cs]e|licen[cs]es)(?: limits?| caps?)?\b"
    r"|\bseats? (?:almost|nearly) (?:full|used up)\b"
    r"|\b(?:sitzplatz|lizenz|plätze)\w*(?:limit|grenze)\w*|\bplätze (?:fast )?(?:voll|ausgeschöpft)\b"
    r"|\blímite de (?:asientos|licencias|puestos|usuarios)\b|\blimite de (?:sièges|licences|places|postes)\b"
)  # fmt: skip
_AT_LIMIT = re.compile(r"\bat (?:their |the )?seat limit\b|\bfull\b|\bvoll\b|\bhit(?:ting)? (?:their |the )?seat")
_PAGES = (
    re.compile(r"\b([a-z][\w-]*) page\b"),
    re.compile(r"\bpage (?:de |des |du )?([a-z][\w-]*)\b"),
    re.compile(r"\bpágina de ([a-z][\w-]*)\b"),
    re.compile(r"\b(preis|produkt)seite\b"),
)
_FUNCTION_WORDS = {"a", "the", "our", "this", "that", "la", "le", "de", "web", "landing", "home", "une", "cette"}
_PAGE_WORDS = {
    "precios": "pricing", "prix": "pricing", "tarifs": "pricing", "preis": "pricing", "price": "pricing",
    "prices": "pricing", "produkt": "product", "producto": "product", "produit": "product",
}  # fmt: skip
_VALUE = re.compile(
    r"\bhigh[- ](?:value|spend\w*|ltv|clv)\b|\b(?:big|top|heavy) spenders?\b|\bmost valuable\b"
    r"|\bumsatzstark\w*|\bwertvollst\w*|\bhochwertig\w* kunden\b|\btop-kunden\b"
    r"|\b(?:de |)alto valor\b|\bmayor gasto\b|\bmás valiosos\b|\b(?:forte|haute) valeur\b|\bplus gros clients\b"
)
_SPENT = re.compile(
    r"\b(?:spent|spend(?:ing)?|ausgegeben|gastado|dépensé)\s+(?:over|more than|at least|above|mehr als|über|"
    r"más de|plus de)\s+[$€£]?\s?(\d[\d,.]*)"
)
_TOP_SHARE = re.compile(r"\btop (\d{1,2})\s*%")
_EMPLOYEES = re.compile(
    r"\b(more than|over|at least|fewer than|less than|under|mehr als|über|unter|weniger als|más de|menos de|"
    r"plus de|moins de)\s+(\d[\d,.]*)\s+(?:employees|staff|people|mitarbeiter\w*|beschäftigte\w*|empleados|"
    r"salariés|employés)\b"
)
_LOWER = ("fewer than", "less than", "under", "unter", "weniger als", "menos de", "moins de")
_SIGNED_UP = re.compile(
    r"\b(?:signed up|joined|registered|new signups?|neu registriert|angemeldet haben|se registraron|"
    r"se han registrado|se sont inscrits|inscrits)\b"
)
_LONG_TIME = re.compile(
    r"\b(?:customers?|members?|with us|kunden|clientes|clients)\s+(?:for|seit|desde hace|depuis)\s+"
    r"(?:over|more than|at least|mehr als|über|más de|plus de)\b"
)
_CONSENT = re.compile(
    r"\b(?:opted[- ]in|consented|subscribed|opt-ins?|einwilligung|eingewilligt|consentimiento|suscritos|consentement"
    r"|abonnés|inscrits)\b"
)
_CHANNELS = {"sms": "sms", "text": "sms", "e-mail": "email", "email": "email", "correo": "email", "push": "push"}
_CHANNEL_WORD = re.compile(r"\b(sms|text|e-?mail|correo|push)\b")
_PAID = re.compile(
    r"\bpaid (?:plans?|teams?|accounts?|customers?)\b|(?<!into )(?<!to )\bpaying\b"
    r"|\bzahlende\w*|\bde pago\b|\bpayants?\b"
)
_PLAN_NEAR = r"(?:plans?|tiers?|tarifs?|forfaits?|offres?|abonnements?|suscripci[oó]n)"
_CLAUSE = re.compile(
    r"\b(who|that|which|whose|with|without|die|deren|mit|ohne|que|con|sin|cuyos?|qui|avec|sans|dont)\b"
    r"((?:(?!\s(?:and|or|und|oder|y|o|et|ou)\s)[^,.;:!?])*)"
)
_NOT_CONDITIONS = re.compile(
    r"\d+\s*%|discount|rabatt|descuento|remise|réduction|offer|angebot|oferta|offre|coupon|code|email|e-mail|sms|push"
    r"|message|campaign|kampagne|campaña|campagne|copy|journey|subject|story|stories|case stud|proof|holdout|budget"
    r"|cap|limit of|tone|before|bevor|antes|avant|help|hilfe|ayuda|aide|guide|tips|webinar"
    r"|so that|damit|para que|pour que"
)  # fmt: skip


def read(text: str, vocab: Vocabulary) -> Reading:
    """Every condition the rules recognise in the goal, plus the clauses they could not apply."""
    t = text.lower()
    r = Reading()
    for m in _NO_ORDER.finditer(t):
        days = _window(t, m.start(), m.end())
        r.add(OrderRecency(ordered=False, days=days or 90, phrase=m.group(0)), m)
    for m in _ORDERED.finditer(t):
        days = _window(t, m.start(), m.end())
        if days and not r.used(m.start(), m.end()):
            r.add(OrderRecency(ordered=True, days=days, phrase=m.group(0)), m)
    for m in _INACTIVE.finditer(t):
        if not r.used(m.start(), m.end()):
            r.add(ActivityRecency(active=False, days=_window(t, m.start(), m.end()) or 30, phrase=m.group(0)), m)
    for m in _ACTIVE.finditer(t):
        days = _window(t, m.start(), m.end())
        if days and not r.used(m.start(), m.end()):
            r.add(ActivityRecency(active=True, days=days, phrase=m.group(0)), m)
    for m in _SEATS.finditer(t):
        share = 1.0 if _AT_LIMIT.search(m.group(0)) else 0.8
        r.add(SeatUsage(share=share, phrase=m.group(0)), m)
    _pages(t, vocab, r)
    _plans(t, vocab, r)
    _categories(t, vocab, r)
    _value_size_tenure(t, r)
    for m in _CONSENT.finditer(t):
        ch = _CHANNEL_WORD.search(t, max(0, m.start() - 25), m.end() + 25)
        if ch:
            channel = _CHANNELS[ch.group(1).replace("e-mail", "email")]
            r.add(Consented.model_validate({"channel": channel, "phrase": m.group(0)}), m)
    return r


def _pages(t: str, vocab: Vocabulary, r: Reading) -> None:
    unknown: list[tuple[re.Match[str], str]] = []
    for pattern in _PAGES:
        for m in pattern.finditer(t):
            word = _PAGE_WORDS.get(m.group(1), m.group(1))
            page = next((p for p in vocab.pages if p.strip("/").split("/")[0] == word), None)
            if page is not None:
                r.add(PageVisit(page=page, days=_window(t, m.start(), m.end()) or 30, phrase=m.group(0)), m)
            elif word not in _FUNCTION_WORDS:
                unknown.append((m, word))
    for m, word in unknown:
        if not r.used(m.start(), m.end()):
            r.not_applied.append(
                NotApplied(phrase=m.group(0), reason=f"no page matching '{word}' in the tenant's events")
            )
            r.spans.append((m.start(), m.end()))


def _plans(t: str, vocab: Vocabulary, r: Reading) -> None:
    found: list[str] = []
    for plan in vocab.plans:
        p = re.escape(plan.lower())
        m = re.search(
            rf"\b{p}[- ]{_PLAN_NEAR}\b|\b{_PLAN_NEAR}(?: \w+)? {p}\b"
            rf"|(?<!small )\b{p}[- ](?:\w+[- ])?(?:users|teams|accounts|subscribers|workspaces)\b",
            t,
        )
        if m:
            found.append(plan)
            r.spans.append((m.start(), m.end()))
    paid = _PAID.search(t)
    if paid and not found:
        found = [p for p in vocab.plans if p != "free"]
        r.spans.append((paid.start(), paid.end()))
    if found:
        r.conditions.append(PlanIs(plans=sorted(found), phrase=", ".join(found)))


_BOUGHT = re.compile(
    r"\b(?:bought|purchased|ordered|buyers? of|owners? of|gekauft|bestellt|kauften|compraron|comprado|compradores de"
    r"|acheté|commandé|acheteurs de)\b"
)
_BUYERS_AFTER = re.compile(r"^\s*(?:buyers?|owners?|käufer\w*|purchasers?)\b")


def _categories(t: str, vocab: Vocabulary, r: Reading) -> None:
    """Categories the customers bought ("who bought hiking boots", "running shoe buyers"); a category named as
    what to sell ("sell more rain jackets") is the offer, not a filter."""
    cats: list[str] = []
    days: int | None = None
    for cat in vocab.categories:
        words = re.escape(cat.lower()).replace("_", "[ _-]")
        singular = words.removesuffix("s")
        for m in re.finditer(rf"\b(?:{words}|{singular})\b", t):
            if _BOUGHT.search(t, max(0, m.start() - 40), m.start()) or _BUYERS_AFTER.match(t[m.end() :]):
                cats.append(cat)
                r.spans.append((m.start(), m.end()))
                days = days or _window(t, m.start(), m.end())
                break
    if cats:
        r.conditions.append(BoughtCategory(categories=cats, days=days, phrase=", ".join(cats)))


def _value_size_tenure(t: str, r: Reading) -> None:
    if spent := _SPENT.search(t):
        r.add(HighValue(min_spend=float(spent.group(1).replace(",", "")), phrase=spent.group(0)), spent)
    elif value := _VALUE.search(t):
        top = _TOP_SHARE.search(t)
        share = int(top.group(1)) / 100 if top and 0 < int(top.group(1)) <= 100 else 0.25
        r.add(HighValue(top_share=share, phrase=value.group(0)), value)
    for m in _EMPLOYEES.finditer(t):
        n = int(m.group(2).replace(",", "").replace(".", ""))
        bound = Employees(below=n) if m.group(1) in _LOWER else Employees(at_least=n + 1)
        r.add(bound.model_copy(update={"phrase": m.group(0)}), m)
    for m in _SIGNED_UP.finditer(t):
        if days := _window(t, m.start(), m.end()):
            r.add(Tenure(newer=True, days=days, phrase=m.group(0)), m)
    for m in _LONG_TIME.finditer(t):
        if days := _window(t, m.start(), m.end()):
            r.add(Tenure(newer=False, days=days, phrase=m.group(0)), m)


_CONTENT = re.compile(
    r"^(?:a|an|un|une|una|einem|einer|einen)\b|\bour\b|\bunser\w*|\bnuestr\w*|\bnotre\b|\bnos\b|something|etwas"
    r"|\balgo\b|quelque chose"
)


def unread_clauses(text: str, r: Reading, also_used: list[tuple[int, int]]) -> list[NotApplied]:
    """Clauses that state a condition ("who ...", "mit ...", "que ...", "qui ...") none of the filters used."""
    t = text.lower()
    spans = r.spans + also_used
    out: list[NotApplied] = []
    for m in _CLAUSE.finditer(t):
        start, end = m.start(2), m.end(2)
        body = m.group(2).strip()
        if len(body.split()) < 2 or _NOT_CONDITIONS.search(body) or any(a < end and start < b for a, b in spans):
            continue
        if m.group(1) in ("with", "mit", "con", "avec") and _CONTENT.search(body):  # "with a thank-you note": content
            continue
        out.append(
            NotApplied(
                phrase=f"{m.group(1)} {body}",
                reason="no segment filter reads this condition from the tenant's data (recency, plan, seats, "
                "pages, category, region, value, industry, size, tenure or consent)",
            )
        )
    return out


CONDITIONS: TypeAdapter[list[Condition]] = TypeAdapter(list[Condition])
