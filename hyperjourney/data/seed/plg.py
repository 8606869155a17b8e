"""Northwind Boards: product-led collaboration SaaS.

A hidden engagement level per team drives milestones, trials and churn together. The planted
signals: many members view the (premium) automations page again and again but never create one,
and teams past the onboarding milestones upgrade far more often.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hyperjourney.data.seed.people import ascii_slug
from hyperjourney.data.seed.timeline import DAY, created_in
from hyperjourney.data.seed.world import Profile, World

INDUSTRIES = (
    "professional services",
    "marketing",
    "software",
    "education",
    "nonprofit",
    "events",
    "construction",
    "media",
    "healthcare",
    "retail",
)
_NAMES = (
    "Lumen",
    "Cobalt",
    "Fernhill",
    "Brightside",
    "Northstar",
    "Papercut",
    "Tandem",
    "Moonrise",
    "Quarry",
    "Kitefield",
    "Saltmarsh",
    "Redwood",
    "Foundry",
    "Marigold",
    "Pinwheel",
    "Driftless",
    "Copperleaf",
    "Halcyon",
)
_KINDS = ("Studio", "Agency", "Labs", "Collective", "Co", "Events", "Builders", "Media", "Academy", "Partners")
# Teams from the knowledge-base case studies: (name, industry, plan, seats).
CASE_STUDIES = (
    ("Lumen and Oak Studio", "professional services", "team", 40),
    ("Cobalt Events", "events", "business", 120),
)
TEMPLATES = ("Project plan", "Content calendar", "Sprint board", "Client onboarding")
AUTOMATIONS = ("Done means done", "Assign on arrival", "Overdue nudge", "Weekly planning", "Client handoff")
CAMPAIGNS = ("boards-onboarding", "automation-tips", "team-plan-offer", "boards-product-news", "template-of-the-week")
_APP_PAGES = (
    "/app/templates",
    "/app/templates",
    "/pricing",
    "/help/automations",
    "/app/settings/billing",
    "/help/invite-your-team",
    "/app/boards",
)
SOURCES = ("organic", "google_ads", "referral", "template_gallery", "invite")


@dataclass
class Team:
    team_id: str
    name: str
    industry: str
    engagement: float  # hidden: drives milestones, trials and churn together
    plan: str = "free"
    seats: int = 1
    committed: tuple[str, int] | None = None
    members: list[Profile] = field(default_factory=list)
    milestones: dict[str, float] = field(default_factory=dict)
    trial: float | None = None


def build(world: World, n: int) -> None:
    made, case_studies = 0, list(CASE_STUDIES)
    rng = world.rng
    while made < n:
        team_id = world.next_id("team", 4)
        if case_studies:
            name, industry, plan, seats = case_studies.pop(0)
            team = Team(team_id, name, industry, 0.95, committed=(plan, seats))
        else:
            name = f"{rng.choice(_NAMES)} {rng.choice(_KINDS)}"
            team = Team(team_id, name, rng.choice(INDUSTRIES), rng.betavariate(1.3, 2.2))
        size = min(n - made, rng.choices(range(1, 11), weights=(22, 16, 14, 12, 10, 8, 6, 5, 4, 3))[0])
        _members(world, team, size)
        _story(world, team)
        made += size


def _members(world: World, team: Team, size: int) -> None:
    rng = world.rng
    place = world.people.place()
    domain = f"{ascii_slug(team.name)}{team.team_id[-4:]}.example" if rng.random() < 0.6 else None
    start = created_in(world.clock, "plg", place.utc_offset, 520 if not team.committed else 150, 1.4)
    if team.committed:
        start -= 360 * DAY
    churn = 0.3 - 0.25 * team.engagement
    life = (world.anchor - DAY, 1.0, "steady") if team.committed else world.life(start, churn=churn, risk=0.12)
    joined = sorted(start + rng.uniform(0.02, 25) * DAY for _ in range(size - 1))
    for i, created in enumerate([start, *joined]):
        member_place = place if rng.random() < 0.85 else world.people.place()
        person = world.people.person(member_place, domain=domain, phone_share=0.3)
        person.cookie_id = world.people.token("ck") if rng.random() < 0.5 else None
        person.device_id = world.people.token("dev") if rng.random() < 0.45 else None
        person.age_band = rng.choice((None, "18_24", "25_34", "25_34", "35_44", "45_54", "55_64"))
        profile = world.new_profile("plg", person, min(created, life[0] - DAY), life)
        profile.weight *= 0.5 + team.engagement * (1.6 if i == 0 else 1.0)
        profile.account_id, profile.company, profile.industry = team.team_id, team.name, team.industry
        profile.job_title = (
            rng.choice(("Founder", "Operations Manager", "Project Manager", "Team Lead")) if i == 0 else None
        )
        team.members.append(profile)


def _story(world: World, team: Team) -> None:
    rng, owner = world.rng, team.members[0]
    eng = team.engagement
    world.emit(owner, "signup", owner.created, "web", plan="free", source=rng.choice(SOURCES[:4]))
    if rng.random() < 0.5 + 0.45 * eng:
        t = owner.created + rng.uniform(300, 2 * DAY)
        if world.emit(owner, "board_created", t, "web", template=rng.choice(TEMPLATES)):
            _milestone(world, team, owner, "first_board", t + rng.uniform(60, 1800))
    invites = len(team.members) - 1 + (rng.choice((0, 0, 1, 2, 3, 4)) if rng.random() < eng else 0)
    for k in range(invites):
        member = team.members[k + 1] if k + 1 < len(team.members) else None
        t = member.created - rng.uniform(600, DAY) if member else world.when(owner, hi=owner.created + 30 * DAY)
        invited = world.emit(owner, "collaborator_invited", max(t, owner.created), "web", role="member")
        if invited and k == 4:
            _milestone(world, team, owner, "5_collaborators", t + 60)
        if member:
            world.emit(
                member, "signup", member.created, "web", plan="free", source="invite", invited_by=owner.customer_id
            )
    viewers = [m for m in team.members if rng.random() < 0.6]
    for member in viewers:  # the stall: repeated looks at a feature the Free plan cannot run
        for _ in range(1 + int(rng.expovariate(0.35))):
            world.emit(member, "automation_viewed", world.when(member), "web", template=rng.choice(AUTOMATIONS))
    _trial(world, team, viewers)
    _upgrade(world, team)
    _finish(world, team)


def _milestone(world: World, team: Team, member: Profile, name: str, t: float) -> None:
    if name not in team.milestones and world.emit(member, "usage_milestone", t, "web", milestone=name):
        team.milestones[name] = t


def _create_automation(world: World, team: Team, by: Profile, t: float) -> None:
    if world.emit(by, "automation_created", t, "web", template=world.rng.choice(AUTOMATIONS)):
        _milestone(world, team, by, "first_automation", t + world.rng.uniform(60, 3 * 3600))


def _trial(world: World, team: Team, viewers: list[Profile]) -> None:
    """A 14-day Business trial is the only way to a first automation on Free: where most teams stall."""
    rng, owner = world.rng, team.members[0]
    p = 0.08 + 0.3 * team.engagement + 0.1 * ("first_board" in team.milestones)
    if not team.committed and rng.random() > p:
        return
    t = world.when(owner, lo=owner.created + DAY)
    if not world.emit(owner, "trial_started", t, "web", plan="business", days=14):
        return
    team.trial = t
    if team.committed or rng.random() < 0.35 + 0.4 * team.engagement:
        _create_automation(world, team, rng.choice(viewers or [owner]), t + rng.uniform(0.1, 10) * DAY)


def _upgrade(world: World, team: Team) -> None:
    rng, owner = world.rng, team.members[0]
    m = team.milestones
    p = 0.03 + 0.1 * ("first_board" in m) + 0.22 * ("5_collaborators" in m) + 0.42 * ("first_automation" in m)
    if not team.committed and rng.random() > p:
        return
    ready = max([owner.created + DAY, *m.values(), *([team.trial + 14 * DAY] if team.trial else [])])
    t = world.clock.after(ready, 0.2, 40, limit=owner.end)
    if t is None:
        return
    if team.committed:
        plan, seats = team.committed
    else:
        plan = "business" if "first_automation" in m and rng.random() < 0.35 else "team"
        seats = sum(member.created <= t for member in team.members) + rng.choice((0, 0, 1, 2, 5))
    if not world.emit(owner, "upgrade", t, "web", **{"from": "free", "to": plan, "seats": seats}):
        return
    team.plan, team.seats = plan, seats
    if "first_automation" not in m and rng.random() < 0.6:
        _create_automation(world, team, owner, world.when(owner, lo=t))
    later = world.clock.after(t, 30, 240, limit=owner.end) if not team.committed and rng.random() < 0.12 else None
    paid_until = later or owner.end
    joins = [m.created + 120 for m in team.members if m.created > t]
    growth = [world.when(owner, lo=t, hi=paid_until) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))]
    for ts in sorted(joins + growth):
        if ts < paid_until:
            team.seats += 1 if ts in joins else rng.choice((1, 1, 2, 5))
            world.emit(owner, "seat_added", ts, "web", seats=team.seats)
    if later is not None and world.emit(owner, "downgrade", later, "web", **{"from": plan, "to": "free"}):
        team.plan = "free"


def _finish(world: World, team: Team) -> None:
    """Lifecycle: paying teams are customers; Free teams are leads until they reach a milestone."""
    for i, member in enumerate(team.members):
        if member.state != "steady":
            member.stage = member.state
        elif team.plan != "free":
            member.stage = "active"
        elif team.trial and team.trial + 14 * DAY > world.anchor:
            member.stage = "trial"
        else:
            member.stage = "prospect" if team.milestones else "lead"
        member.attributes = {
            "segment": "plg",
            "product": "boards",
            "team_name": team.name,
            "plan": team.plan,
            "seats": team.seats if team.plan != "free" else len(team.members),
            "role": "owner" if i == 0 else "member",
            "app_user": member.app_user,
        }


def fill(world: World, profile: Profile, n: int) -> int:
    """Day-to-day product use plus marketing touches on consented channels."""
    rng, made = world.rng, 0
    for _ in range(3 * n):
        if made >= n:
            break
        r = rng.random()
        if r < 0.14 and (got := world.email_touch(profile, CAMPAIGNS)):
            made += got
        elif r < 0.18 and (t := world.reachable(profile, profile.push_windows)) is not None:
            made += world.emit(profile, "push_open", t, "push", campaign=rng.choice(CAMPAIGNS))
        elif r < 0.28:
            made += world.emit(
                profile, "board_created", world.when(profile), "web", template=rng.choice((*TEMPLATES, "Blank"))
            )
        elif r < 0.38:
            made += world.emit(profile, "page_view", world.when(profile), "web", page=rng.choice(_APP_PAGES))
        elif r < 0.42:
            made += world.emit(
                profile, "automation_viewed", world.when(profile), "web", template=rng.choice(AUTOMATIONS)
            )
        else:
            channel = "app" if profile.app_user and rng.random() < 0.6 else "web"
            made += world.emit(profile, "login", world.when(profile), channel)
    return made
