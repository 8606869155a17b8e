"""Journey definitions as versioned data (YAML or JSON) and the checks that reject bad ones on load.

A journey is a directed acyclic graph of steps from ``start`` to exit steps. Loops are rejected: a
re-engagement "loop" is a new enrollment after the caps allow it, never a cycle in one enrollment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from hyperjourney.assets.marked import MARKER_START
from hyperjourney.channels.models import CHANNELS

# Event types the demo tenant emits plus the outcome events that flow back from channels.
KNOWN_EVENTS = frozenset(
    {
        "page_view", "product_view", "search", "added_to_cart", "cart_abandoned", "checkout", "order_delivered",
        "email_open", "email_click", "sms_click", "push_open", "in_app_click", "unsubscribe", "complaint",
        "signup", "login", "whitepaper_download", "webinar_attended", "demo_requested", "meeting_booked",
        "trial_started", "contract_signed", "usage_milestone", "board_created", "collaborator_invited",
        "automation_viewed", "automation_created", "upgrade", "downgrade", "seat_added", "segment_entered",
    }
)  # fmt: skip


class JourneyValidationError(ValueError):
    """A definition that cannot run; ``reasons`` names each problem (step, field, why)."""

    def __init__(self, journey: str, reasons: list[str]) -> None:
        super().__init__(f"journey {journey!r} is invalid: " + "; ".join(reasons))
        self.reasons = reasons


class Condition(BaseModel):
    """``field`` is event.<property>, customer.<column or attribute>, score.<name> or events.<type> (30-day count)."""

    field: str = Field(pattern=r"^(event|customer|score|events)\.[A-Za-z0-9_]+$")
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "exists"] = "eq"
    value: Any = None


class PriorEvent(BaseModel):
    """The trigger only fires when this event happened before, within ``within_days``."""

    event: str
    within_days: float = Field(30, gt=0)
    where: list[Condition] = Field(default_factory=list)


class Trigger(BaseModel):
    event: str
    where: list[Condition] = Field(default_factory=list)
    after: PriorEvent | None = None
    entity_key: str | None = Field(None, description="Event property naming the entity (cart_id); else the event")


class MessageVariant(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    subject: str | None = None
    body: str
    rendered: bool = Field(
        False, description="the body is the asset renderer's final text (why line included): sent unchanged"
    )


class WaitStep(BaseModel):
    type: Literal["wait"]
    id: str
    hours: float = Field(gt=0)
    next: str


class WaitForEventStep(BaseModel):
    """Wait for ``event`` on the same entity (``match_on`` property equal to the trigger's entity key)."""

    type: Literal["wait_for_event"]
    id: str
    event: str
    match_on: str | None = None
    timeout_hours: float = Field(gt=0)
    on_event: str
    on_timeout: str


class Case(BaseModel):
    when: list[Condition] = Field(min_length=1)
    next: str


class BranchStep(BaseModel):
    type: Literal["branch"]
    id: str
    cases: list[Case] = Field(min_length=1)
    default: str


class ActionStep(BaseModel):
    """Send on a channel; several variants run as an A/B test or a Thompson-sampling bandit."""

    type: Literal["action"]
    id: str
    channel: str
    purpose: Literal["marketing", "transactional", "support"] = "marketing"
    variants: list[MessageVariant] = Field(min_length=1)
    experiment: Literal["ab", "bandit"] = "ab"
    why: str = Field(description="The 'why you got this' line, e.g. 'you left items in your cart'")
    regulated_claim: bool = Field(False, description="The copy makes a regulated claim: the policy may hold it")
    cost: float = Field(0.0, ge=0, description="Cost of one send (paid SMS, coupon), checked against budgets")
    next: str


class ExitStep(BaseModel):
    type: Literal["exit"]
    id: str
    reason: str = "done"


Step = Annotated[WaitStep | WaitForEventStep | BranchStep | ActionStep | ExitStep, Field(discriminator="type")]


class Goal(BaseModel):
    event: str
    match_on: str | None = None
    within_hours: float = Field(168, gt=0, description="Attribution window for the readout")


class Caps(BaseModel):
    max_actions: int = Field(3, ge=1, description="Most sends to one customer from this journey per window")
    window_days: float = Field(7, gt=0)
    reenter_after_days: float = Field(7, ge=0, description="No new enrollment sooner than this after the last")


class JourneyDefinition(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    version: int = Field(1, ge=1)
    name: str
    description: str = ""
    trigger: Trigger
    start: str
    steps: list[Step] = Field(min_length=1)
    goal: Goal
    caps: Caps = Field(default_factory=Caps)
    holdout_share: float = Field(0.1, ge=0, le=0.9)

    def step(self, step_id: str) -> Step:
        return self.by_id()[step_id]

    def by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}


def successors(step: Step) -> list[str]:
    if isinstance(step, WaitStep | ActionStep):
        return [step.next]
    if isinstance(step, WaitForEventStep):
        return [step.on_event, step.on_timeout]
    if isinstance(step, BranchStep):
        return [c.next for c in step.cases] + [step.default]
    return []


def check(defn: JourneyDefinition, known_events: frozenset[str] = KNOWN_EVENTS) -> list[str]:
    """Every reason the definition cannot run: unknown events/channels/steps, cycles, missing exits, and copy a
    customer must never get (an empty body, a citation marker: copy is rendered before it is stored)."""
    reasons: list[str] = []
    ids = [s.id for s in defn.steps]
    steps = defn.by_id()
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        reasons.append(f"step id {dup!r} is used more than once")
    events = [("trigger", defn.trigger.event), ("goal", defn.goal.event)]
    if defn.trigger.after:
        events.append(("trigger.after", defn.trigger.after.event))
    events += [(f"step {s.id!r}", s.event) for s in defn.steps if isinstance(s, WaitForEventStep)]
    reasons += [f"{where} uses unknown event {ev!r}" for where, ev in events if ev not in known_events]
    for s in defn.steps:
        if isinstance(s, ActionStep):
            if s.channel not in CHANNELS:
                reasons.append(f"step {s.id!r} uses unknown channel {s.channel!r} (known: {', '.join(CHANNELS)})")
            reasons += _copy_problems(s)
        for target in successors(s):
            if target not in steps:
                reasons.append(f"step {s.id!r} goes to unknown step {target!r}")
    if defn.start not in steps:
        reasons.append(f"start step {defn.start!r} does not exist")
        return reasons
    if not any(isinstance(s, ExitStep) for s in defn.steps):
        reasons.append("journey has no exit step")
    cycle = _find_cycle(defn.start, steps)
    if cycle:
        reasons.append("cycle: " + " -> ".join(cycle))
    else:
        seen = _reachable(defn.start, steps)
        reasons += [f"step {i!r} is unreachable from start {defn.start!r}" for i in ids if i not in seen]
    return reasons


def _copy_problems(step: ActionStep) -> list[str]:
    out = []
    for v in step.variants:
        if not v.body.strip():
            out.append(f"step {step.id!r} variant {v.name!r} has an empty body")
        for field, value in (("subject", v.subject), ("body", v.body)):
            if value and MARKER_START in value:
                out.append(
                    f"step {step.id!r} variant {v.name!r} {field} contains a citation marker {MARKER_START!r}: "
                    "render the copy asset (hyperjourney.assets.render) before it goes into a journey"
                )
    return out


def _reachable(start: str, steps: dict[str, Step]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        cur = todo.pop()
        if cur in seen or cur not in steps:
            continue
        seen.add(cur)
        todo += successors(steps[cur])
    return seen


def _find_cycle(start: str, steps: dict[str, Step]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in successors(steps[node]):
            if nxt not in steps:
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    return visit(start)


def parse(
    data: dict[str, Any] | str, *, known_events: frozenset[str] = KNOWN_EVENTS, source: str = ""
) -> JourneyDefinition:
    """Parse YAML/JSON text or a mapping and validate; raises JourneyValidationError with every reason."""
    try:
        raw = yaml.safe_load(data) if isinstance(data, str) else data
    except yaml.YAMLError as exc:
        raise JourneyValidationError(source or "?", [f"not valid YAML: {exc}"]) from exc
    name = str(raw.get("id", source or "?")) if isinstance(raw, dict) else source or "?"
    if not isinstance(raw, dict):
        raise JourneyValidationError(name, ["a journey definition must be a mapping"])
    try:
        defn = JourneyDefinition.model_validate(raw)
    except ValidationError as exc:
        raise JourneyValidationError(
            name, [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from exc
    reasons = check(defn, known_events)
    if reasons:
        raise JourneyValidationError(defn.id, reasons)
    return defn


def load(path: Path, *, known_events: frozenset[str] = KNOWN_EVENTS) -> JourneyDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise JourneyValidationError(path.name, [f"cannot read {path}: {exc.strerror}"]) from exc
    return parse(text, known_events=known_events, source=path.stem)


def examples() -> list[JourneyDefinition]:
    """The demo tenant's three patterns, shipped with the package."""
    folder = Path(__file__).with_name("examples")
    return [load(p) for p in sorted(folder.glob("*.yaml"))]
