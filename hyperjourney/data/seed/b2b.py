"""Northwind Ledger: account-based marketing to finance teams.

Accounts hold several contacts led by a finance executive. The planted signal: an account whose
people read a whitepaper and then look at pricing books a meeting far more often than others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

from hyperjourney.data.seed.people import Place, ascii_slug
from hyperjourney.data.seed.timeline import DAY
from hyperjourney.data.seed.world import Profile, World

INDUSTRIES = {
    "fintech": 0.3,
    "banking": 0.14,
    "insurance": 0.12,
    "healthcare": 0.1,
    "retail": 0.1,
    "software": 0.14,
    "logistics": 0.1,
}
_NAME_PARTS = {
    "fintech": (
        "Tallyfox Brightpath Coinwise Ledgerly Paystream Clearmint Fundhaven Quillpay Novacredit Vaultline",
        "Payments,Lending,Pay,Capital,Financial,Money",
    ),
    "banking": (
        "Harborline Marrowstone Granite Riverside Summit Pinecrest Keystone Bayview Oakmont Prairie",
        "Credit Union,Community Bank,Savings Bank,Bancorp,Trust",
    ),
    "insurance": (
        "Copperline Shieldmark Northgate Evergreen Beacon Lakemont Ironwood Bluecrest",
        "Insurance Agency,Mutual,Assurance,Underwriters,Insurance Group",
    ),
    "healthcare": (
        "Riverbend Cedarview Mercy Brookside Valleycare Lumina Stonebridge Westhaven",
        "Health,Medical Group,Clinics,Hospital,Care Partners",
    ),
    "retail": (
        "Juniper Maple Cornerstone Driftwood Bramble Tidewater Foxglove Larkspur",
        "Outfitters,Market,Home Goods,Supply Co,Stores",
    ),
    "software": (
        "Brightloop Codewell Stackhaven Cloudberry Pixelmint Orbitly Datavane Hexaform",
        "Labs,Software,Systems,Technologies,Cloud",
    ),
    "logistics": (
        "Portside Freightway Crossdock Meridian Wayline Cargoline Roadrunner Trackstone",
        "Logistics,Freight,Shipping,Transport,Distribution",
    ),
}
# Accounts from the knowledge-base case studies: (name, industry, employees, plan).
CASE_STUDIES = (
    ("Brightpath Lending", "fintech", 85, "scale"),
    ("Tallyfox Payments", "fintech", 140, "scale"),
    ("Harborline Credit Union", "banking", 210, "scale"),
    ("Marrowstone Community Bank", "banking", 120, "growth"),
    ("Copperline Insurance Agency", "insurance", 60, "growth"),
)
ANNUAL_PRICE = {"starter": 499.80, "growth": 2029.80, "scale": 6109.80}
ASSETS = (
    "The Controller's Guide to a 5-Day Close",
    "Payout Operations at Scale",
    "Spend Controls Playbook for Fintech SMBs",
)
WEBINARS = (
    "Closing the books in 5 days",
    "Spend controls without the spreadsheets",
    "Payout exceptions, explained",
    "Audit-ready reconciliation for credit unions",
)
CAMPAIGNS = (
    "close-faster-nurture",
    "fintech-spend-controls",
    "webinar-invite",
    "ledger-product-update",
    "case-study-harborline",
    "payout-ops-series",
)
_PAGES = (
    ("/", 14),
    ("/product/ledger", 18),
    ("/product/ledger/reconciliation", 7),
    ("/product/ledger/spend-controls", 6),
    ("/blog/month-end-close-checklist", 8),
    ("/blog/ap-automation-roi", 7),
    ("/blog/bank-reconciliation-rules", 6),
    ("/blog/spend-policy-templates", 5),
    ("/blog/ach-returns-explained", 4),
    ("/customers/harborline-credit-union", 4),
    ("/customers/tallyfox-payments", 3),
    ("/integrations", 6),
    ("/security", 5),
)  # no /pricing and no whitepapers here: those are the planted buying signals, written by _story only
_PAGE_NAMES = [p for p, _ in _PAGES]
_PAGE_CUM = list(accumulate(w for _, w in _PAGES))
EXECUTIVES = ("CFO", "VP Finance", "Controller", "Head of Finance", "Finance Director")
STAFF = (
    "AP Manager",
    "Accounting Manager",
    "Senior Accountant",
    "FP&A Analyst",
    "Payroll Specialist",
    "IT Director",
    "Treasury Analyst",
    "Revenue Accountant",
)
LEAD_SOURCES = ("whitepaper", "webinar", "outbound", "referral", "paid_search", "event")


@dataclass
class Account:
    account_id: str
    name: str
    domain: str
    industry: str
    employees: int
    place: Place
    plan: str | None = None  # a committed (case study) account's plan, else set when a contract is signed
    contacts: list[Profile] = field(default_factory=list)


def build(world: World, n: int) -> None:
    """About ``n`` contacts, account by account; each account's story is written once its contacts exist."""
    made, case_studies = 0, list(CASE_STUDIES)
    while made < n:
        account = _account(world, case_studies.pop(0) if case_studies else None)
        size = min(n - made, world.rng.choices(range(1, 9), weights=(8, 14, 18, 18, 14, 10, 10, 8))[0])
        _contacts(world, account, size)
        _story(world, account)
        made += size


def _account(world: World, case_study: tuple[str, str, int, str] | None) -> Account:
    rng = world.rng
    account_id = world.next_id("acct", 4)
    if case_study:
        name, industry, employees, plan = case_study
        return Account(
            account_id, name, f"{ascii_slug(name)}.example", industry, employees, world.people.place("US"), plan
        )
    industry = rng.choices(list(INDUSTRIES), weights=list(INDUSTRIES.values()))[0]
    heads, tails = _NAME_PARTS[industry]
    name = f"{rng.choice(heads.split())} {rng.choice(tails.split(','))}"
    employees = max(8, int(rng.lognormvariate(4.6, 1.1)))
    return Account(
        account_id, name, f"{ascii_slug(name)}{account_id[-4:]}.example", industry, employees, world.people.place()
    )


def _contacts(world: World, account: Account, size: int) -> None:
    rng, clock = world.rng, world.clock
    latest = world.anchor - (360 if account.plan else 20) * DAY  # case-study accounts need time to sign
    start = clock.sample("b2b", account.place.utc_offset, world.anchor - 600 * DAY, latest)
    life = (world.anchor - DAY, 1.0, "steady") if account.plan else world.life(start, churn=0.14, risk=0.1)
    lead_source = rng.choice(LEAD_SOURCES)
    for i in range(size):
        place = account.place if rng.random() < 0.9 else world.people.place(account.place.country)
        person = world.people.person(place, domain=account.domain, phone_share=0.7)
        person.crm_id = world.people.crm_id()
        person.cookie_id = world.people.token("ck") if rng.random() < 0.6 else None
        person.age_band = rng.choice((None, None, "25_34", "35_44", "45_54", "55_64"))
        created = start if i == 0 else min(start + rng.uniform(0, 150) * DAY, life[0] - DAY)
        contact = world.new_profile("b2b", person, max(created, start), life)
        contact.weight *= 1.4 if i == 0 else 1.0
        contact.account_id, contact.company, contact.industry = account.account_id, account.name, account.industry
        contact.job_title = rng.choice(EXECUTIVES) if i == 0 or rng.random() < 0.15 else rng.choice(STAFF)
        contact.attributes = {"lead_source": lead_source}
        account.contacts.append(contact)


def _story(world: World, account: Account) -> None:
    """Buying signals, then the funnel; the planted whitepaper -> pricing -> meeting lift lives here."""
    rng, contacts = world.rng, account.contacts
    committed = account.plan is not None
    whitepaper = pricing = None
    if rng.random() < 0.55 or committed:
        reader = rng.choice(contacts)
        whitepaper = world.when(reader, hi=reader.created + 120 * DAY if committed else None)
        world.emit(reader, "whitepaper_download", whitepaper, "web", asset=_asset(rng, account.industry))
        if rng.random() < 0.7 or committed:
            visitor = rng.choice(contacts)
            pricing = world.clock.after(whitepaper, 0.3, 14, limit=visitor.end)
            if pricing is not None and world.emit(visitor, "page_view", pricing, "web", page="/pricing"):
                world.emit(visitor, "page_view", pricing - rng.uniform(60, 900), "web", page="/product/ledger")
            else:
                pricing = None
    elif rng.random() < 0.3:
        visitor = rng.choice(contacts)
        pricing = world.when(visitor)
        world.emit(visitor, "page_view", pricing, "web", page="/pricing")
    for contact in contacts:
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            world.emit(contact, "webinar_attended", world.when(contact), "web", webinar=rng.choice(WEBINARS))

    if whitepaper and pricing:
        p_meeting = 0.6
    elif pricing or whitepaper:
        p_meeting = 0.18 if pricing else 0.12
    else:
        p_meeting = 0.05
    exec_ = contacts[0]
    signals = [t for t in (whitepaper, pricing) if t is not None]
    stage = "lead"
    if committed or rng.random() < p_meeting:
        base = max(signals) if signals else world.when(exec_)
        demo = world.clock.after(base, 0.2, 10, limit=exec_.end)
        meeting = world.clock.after(demo, 1, 10, limit=exec_.end) if demo else None
        if demo and meeting:
            if rng.random() < 0.75:
                world.emit(
                    rng.choice(contacts), "demo_requested", demo, "web", source="pricing_page" if pricing else "form"
                )
            world.emit(exec_, "meeting_booked", meeting, "sales", meeting_type="discovery")
            stage = "prospect"
            stage = _trial_and_contract(world, account, meeting, committed) or stage
    _finish(world, account, stage)


def _trial_and_contract(world: World, account: Account, meeting: float, committed: bool) -> str | None:
    rng, contacts = world.rng, account.contacts
    if not committed and rng.random() > 0.65:
        return None
    user = contacts[1] if len(contacts) > 1 else contacts[0]
    trial = world.clock.after(meeting, 2, 30, limit=user.end)
    if trial is None or not world.emit(user, "trial_started", trial, "web", plan="growth", days=14):
        return None
    signed = world.clock.after(trial, 8, 40, limit=contacts[0].end)
    if signed is None or (not committed and rng.random() > 0.7):
        return "trial" if trial + 14 * DAY > world.anchor else "prospect"
    plan = account.plan or ("starter" if account.employees < 50 else "growth" if account.employees < 400 else "scale")
    if not committed and rng.random() < 0.25:
        plan = rng.choice(("starter", "growth", "scale"))
    world.emit(
        contacts[0], "contract_signed", signed, "sales", plan=plan, arr_usd=_arr(plan, account.employees), term="annual"
    )
    account.plan = plan
    return "active"


def _finish(world: World, account: Account, stage: str) -> None:
    """Lifecycle from the account's outcome and activity; firmographics onto every contact."""
    employees = account.employees
    size = "smb" if employees < 200 else "mid_market" if employees < 1000 else "enterprise"
    arr = _arr(account.plan, employees) if stage == "active" and account.plan else 0.0
    for contact in account.contacts:
        # A customer account that stopped (or is fading) is churned (at risk); prospects keep their stage.
        contact.stage = contact.state if stage == "active" and contact.state != "steady" else stage
        contact.attributes = {
            "segment": "b2b",
            "product": "ledger",
            "employees": employees,
            "company_size": size,
            "arr_usd": arr,
            **({"plan": account.plan} if stage == "active" else {}),
            "seniority": "executive" if contact.job_title in EXECUTIVES else "staff",
            **contact.attributes,
        }


def _arr(plan: str, employees: int) -> float:
    """Annual list price; larger companies add entities."""
    return round(ANNUAL_PRICE[plan] * (1 + employees // 500), 2)


def _asset(rng: random.Random, industry: str) -> str:
    if industry == "fintech":
        return rng.choice((ASSETS[2], ASSETS[2], ASSETS[1], ASSETS[0]))
    if industry in ("banking", "insurance"):
        return rng.choice((ASSETS[1], ASSETS[0]))
    return rng.choice((ASSETS[0], ASSETS[0], ASSETS[2]))


def fill(world: World, profile: Profile, n: int) -> int:
    """Free-running contact activity: site visits and marketing email while consent holds."""
    rng, made = world.rng, 0
    for _ in range(3 * n):
        if made >= n:
            break
        r = rng.random()
        if r < 0.38:
            got = world.email_touch(profile, CAMPAIGNS)
            if got:
                made += got
                continue
        page = rng.choices(_PAGE_NAMES, cum_weights=_PAGE_CUM)[0]
        made += world.emit(profile, "page_view", world.when(profile), "web", page=page)
    return made
