"""Agent commands: run the canvas, the copilot and next-best-action; answer approvals; inspect runs."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import typer
import yaml
from pydantic import ValidationError
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from hyperjourney.cli.context import TenantOption, console, database, err_console, tenant_or_default, user_errors
from hyperjourney.data.pasted_tickets import PastedTicket, create_ticket, from_form
from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.nodes import ApprovalDecision
from hyperjourney.graphs.runs import RunResult
from hyperjourney.graphs.wiring import Deps, build_deps

runs_app = typer.Typer(help="Agent runs: list them, or show one run's timeline with evidence.", no_args_is_help=True)


def _deps(db: Database, step: Any) -> Deps:
    from hyperjourney.cli.context import settings

    deps = build_deps(db, settings())
    deps.progress = step
    return deps


def _run(db: Database, label: str, fn: Any) -> RunResult:
    with err_console.status(label) as status:
        return fn(_deps(db, lambda text: status.update(f"{label} — {text}")))


def canvas(goal: str = typer.Argument(..., help='A marketer\'s goal, e.g. "Lift LTV 20% in fintech SMBs".'),
           tenant: str | None = TenantOption) -> None:  # fmt: skip
    """Goal-first canvas: research, sizing, cited copy and a journey under policy, stopping for your approval."""
    with user_errors(), database() as db:
        t = tenant_or_default(tenant)
        print_result(_run(db, "canvas", lambda deps: runs.start_canvas(db, t, goal, deps=deps)))


def copilot(
    ticket_id: str | None = typer.Argument(None, help="Ticket id, e.g. tkt_00004 (or paste one with --text)."),
    text: str | None = typer.Option(
        None,
        "--text",
        metavar="FILE|-",
        help="A pasted ticket: a file, or - for standard input. All of it is the customer's text: From:, "
        "Customer:, Subject: lines in it choose nothing (use --customer and --subject).",
    ),
    customer: str | None = typer.Option(
        None, "--customer", help="With --text: the customer's id or email (default: a new customer profile)."
    ),
    subject: str | None = typer.Option(None, "--subject", help="With --text: the subject (default: its first line)."),
    tenant: str | None = TenantOption,
) -> None:
    """Support copilot: intent, sentiment, tone and channel, a grounded reply with sources, escalation advice."""
    with user_errors():
        if (ticket_id is None) == (text is None):
            raise ValueError("give a ticket id or --text FILE|- (one of them)")
        if (customer is not None or subject is not None) and text is None:
            raise ValueError("--customer/--subject: only with --text (an existing ticket already has them)")
        pasted = _pasted(text, customer, subject) if text is not None else None
        with database() as db:
            t = tenant_or_default(tenant)
            if pasted is not None:
                with db.tenant(t) as conn:
                    made = create_ticket(conn, pasted, actor="cli")
                ticket_id = made.ticket_id
                who = f"new customer {made.customer_id}" if made.customer_created else f"customer {made.customer_id}"
                console.print(f"stored the pasted ticket as {ticket_id} ({who})")
            assert ticket_id is not None
            tid = ticket_id
            print_result(_run(db, "copilot", lambda deps: runs.start_copilot(db, t, tid, deps=deps)))


def _pasted(source: str, customer: str | None, subject: str | None) -> PastedTicket:
    """The pasted ticket with its customer and subject from the options only: a header line in pasted text can be
    forged, so it stays the customer's text (hyperjourney.data.pasted_tickets.from_form)."""
    raw = sys.stdin.read() if source == "-" else _read(Path(source))
    try:
        return from_form(raw, customer=customer, subject=subject)
    except ValidationError as exc:
        first = exc.errors()[0]
        options = {"customer_email": "--customer", "customer_id": "--customer", "subject": "--subject"}
        field = options.get(str(first["loc"][0]), "--text")
        raise ValueError(f"{field}: {first['msg']}") from exc


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--text: cannot read {path}: {exc.strerror}") from exc


def nba(
    customer_id: str = typer.Argument(..., help="Customer id, e.g. cus_000001."),
    event: str | None = typer.Option(None, help='The triggering event as JSON, e.g. \'{"type": "pricing_view"}\'.'),
    tenant: str | None = TenantOption,
) -> None:
    """Next best action for one customer (and event): ranked actions, each checked against policy."""
    with user_errors():
        try:
            payload = json.loads(event) if event else None
        except json.JSONDecodeError as exc:
            raise ValueError(f"--event: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        with database() as db:
            t = tenant_or_default(tenant)
            print_result(_run(db, "nba", lambda deps: runs.start_nba(db, t, customer_id, payload, deps=deps)))


ReviewerOption = typer.Option("cli", "--reviewer", "-r", help="Who decides (recorded in the audit log).")


def _resume(run_id: str, decision: ApprovalDecision, tenant: str | None) -> None:
    with user_errors(), database() as db:
        t = tenant_or_default(tenant)
        print_result(_run(db, decision.action, lambda deps: runs.resume(db, t, run_id, decision, deps=deps)))


def approve(run_id: str = typer.Argument(..., help="Run id awaiting approval."), reviewer: str = ReviewerOption,
            tenant: str | None = TenantOption) -> None:  # fmt: skip
    """Approve a run's plan: it is launched (exactly once) and the outcome recorded."""
    _resume(run_id, ApprovalDecision(action="approve", reviewer=reviewer), tenant)


def reject(
    run_id: str = typer.Argument(..., help="Run id awaiting approval."),
    comment: str = typer.Option("", "--comment", "-m", help="Why (recorded in the audit log)."),
    reviewer: str = ReviewerOption,
    tenant: str | None = TenantOption,
) -> None:
    """Reject a run's plan: nothing is launched."""
    _resume(run_id, ApprovalDecision(action="reject", reviewer=reviewer, comment=comment), tenant)


def edit(
    run_id: str = typer.Argument(..., help="Run id awaiting approval."),
    file: Path = typer.Option(..., "--file", "-f", exists=True, dir_okay=False,
                              help="JSON or YAML with `variants`: [{channel, subject, body, ...}] replacing the copy."),
    reviewer: str = ReviewerOption,
    tenant: str | None = TenantOption,
) -> None:  # fmt: skip
    """Edit a run's copy and approve it; the edit is re-validated by the guardrails and refused if it fails."""
    with user_errors():
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{file}: not valid JSON or YAML ({exc})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("variants"), list):
            raise ValueError(f"{file}: expected a mapping with a `variants` list")
        decision = ApprovalDecision.model_validate({"action": "edit", "reviewer": reviewer, **data})
    _resume(run_id, decision, tenant)


@runs_app.command("list")
def runs_list(limit: int = typer.Option(20, min=1, max=500, help="How many recent runs."),
              tenant: str | None = TenantOption) -> None:  # fmt: skip
    """Recent runs with their flow, status and routing mix."""
    with user_errors(), database() as db:
        table = Table(title="agent runs")
        for col in ("run", "flow", "status", "request", "mix", "created"):
            table.add_column(col)
        for r in runs.list_runs(db, tenant_or_default(tenant), limit=limit):
            mix = ", ".join(f"{k} {v:.0%}" for k, v in r.summary.get("mix", {}).items())
            table.add_row(r.run_id, r.flow, r.status, json.dumps(r.request)[:60], mix, f"{r.created_at:%Y-%m-%d %H:%M}")
        console.print(table)


@runs_app.command("show")
def runs_show(run_id: str = typer.Argument(..., help="Run id."), tenant: str | None = TenantOption) -> None:
    """A run's timeline: each step's agent, decision, tier, model, prompt version, tokens, latency and evidence."""
    with user_errors(), database() as db:
        view = runs.show_run(db, tenant_or_default(tenant), run_id)
    table = Table(title=f"{view.run_id} · {view.flow} · {view.status}")
    for col in ("#", "agent", "decision", "tier", "model", "prompt", "conf", "tokens", "ms", "evidence", "why"):
        table.add_column(col, overflow="fold")
    for s in view.steps:
        why = s.review_reason or s.reason
        table.add_row(
            str(s.step_no), s.node, s.decision, s.tier, s.model or "-", s.prompt or "-",
            "-" if s.confidence is None else f"{s.confidence:.2f}", str(s.tokens), f"{s.latency_ms:.0f}",
            ", ".join(s.evidence_ids) or "-", escape(why),
        )  # fmt: skip
    console.print(table)
    if view.outcome:
        console.print(Panel(escape(f"{view.outcome['decision']}: {view.outcome['next']}"), title="outcome"))


def print_result(result: RunResult) -> None:
    out = result.outcome
    if result.approval is not None:
        _print_approval(result)
    elif result.flow == "copilot" and "reply" in out:
        head = f"intent {out['intent']} · sentiment {out['sentiment']} · reply on {out['channel']} · tone " + ", ".join(
            f"{k} {v:.1f}" for k, v in out["tone"].items()
        )
        console.print(Panel(escape(out["reply"]), title=f"{result.run_id} · draft reply", subtitle=escape(head)))
        console.print("sources: " + (", ".join(out["citations"]) or "none"))
        if out["escalate"]:
            console.print(f"[bold yellow]escalate to a human:[/] {escape('; '.join(out['escalation_reasons']))}")
    elif result.flow == "nba" and "nba" in out:
        table = Table(title=f"{result.run_id} · next best action for {out['nba']['customer_id']}")
        for col in ("action", "channel", "score", "policy"):
            table.add_column(col)
        for a in out["nba"]["ranked"]:
            fired = [f"{h['outcome']}: {h['rule']} — {h['reason']}" for h in a["policy"]["rules_fired"]]
            table.add_row(a["action_id"], a["channel"], f"{a['score']:.2f}", escape("; ".join(fired) or "ok"))
        console.print(table)
        chosen = out["nba"]["chosen"]
        console.print(f"chosen: [bold]{chosen['action_id'] if chosen else 'do nothing'}[/]")
    for reason in result.review:
        console.print(f"[yellow]review:[/] {escape(reason)}")
    status = {"completed": "green", "awaiting_approval": "yellow"}.get(result.status, "red")
    if "next" in out:
        console.print(f"next: {escape(out['next'])}")
    mix = ", ".join(f"{k} {v:.0%}" for k, v in result.summary.mix.items())
    console.print(
        f"[{status}]{result.status}[/] · run {result.run_id} · {result.summary.decisions} decisions ({mix}) · "
        f"{result.summary.tokens} tokens · ${result.summary.cost_usd:.4f}"
    )


def _print_escalation(result: RunResult, a: dict[str, Any]) -> None:
    lines = [f"{e['stage']}: {r}" for e in a.get("escalations", []) for r in e["reasons"]]
    console.print(Panel(escape("\n".join([a["question"], *lines])), title=f"{result.run_id} · escalated to a person"))
    item = a.get("review_item")
    console.print(
        f"review item {item} · approve: [bold]hyperjourney approve {result.run_id}[/] (or review approve {item}) · "
        f"reject: hyperjourney reject {result.run_id}"
    )


def _print_approval(result: RunResult) -> None:
    a = result.approval or {}
    if a.get("kind") == "escalation":
        _print_escalation(result, a)
        return
    if a.get("review_item"):
        console.print(f"[yellow]review item {a['review_item']}[/] holds this approval (escalated decisions below)")
    plan = a["plan"]
    steps = ", ".join(f"day {s['delay_days']}: {s['channel']}" for s in plan["steps"])
    console.print(
        Panel(
            escape(
                f"{plan['name']}\ntrigger: {plan['trigger']}\nsteps: {steps}\ncadence: {plan['cadence']} · cap "
                f"{plan['frequency_cap_per_week']}/week · holdout {plan['holdout_share']:.0%}"
            ),
            title=f"{result.run_id} · proposed journey",
        )
    )
    who = a.get("audience") or {}
    if who:
        filters = "; ".join(who["filters"]) or "no filter (every customer)"
        console.print(f"audience: [bold]{who['size']:,}[/] customers — {escape(filters)}")
        for n in who["not_applied"]:
            console.print(f"[yellow]not applied:[/] {escape(n['phrase'])} — {escape(n['reason'])}")
    for v in a["variants"]:
        title = f"{v['channel']} ({v['tier']} tier, guardrails {'passed' if v['passed_guardrails'] else 'FAILED'})"
        console.print(Panel(escape((f"Subject: {v['subject']}\n\n" if v["subject"] else "") + v["body"]), title=title))
    for p in a["policy"]:
        step, channel = p["channel"].split(":", 1)
        rules = escape("; ".join(p["rules"]))
        allowed = f"{p['allowed']}/{p['checked']} sampled customers allowed"
        console.print(f"policy, step {step} ({channel}): {allowed} · {rules}")  # fmt: skip
    if result.evidence:
        console.print("evidence: " + ", ".join(result.evidence))
    for problem in a.get("edit_problems", []):
        console.print(f"[red]edit refused:[/] {escape(problem)}")
    console.print(
        f"approve: [bold]hyperjourney approve {result.run_id}[/] · reject: hyperjourney reject {result.run_id} · "
        f"edit: hyperjourney edit {result.run_id} --file variants.yaml"
    )


DEMO_GOAL = "Lift LTV 20% in fintech SMBs"


class EarlierDemoRun(NamedTuple):
    run_id: str
    status: str
    journey_id: str | None
    journey_status: str | None
    at: datetime


def earlier_demo_run(db: Database, tenant: str) -> EarlierDemoRun | None:
    """The newest canvas run of the demo goal that is still waiting for approval or launched a live journey."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT r.run_id, r.status, o.launch->>'journey_id', j.status, r.created_at FROM agent_runs r "
            "LEFT JOIN agent_outcomes o ON o.run_id = r.run_id "
            "LEFT JOIN LATERAL (SELECT status FROM journeys WHERE journey_id = o.launch->>'journey_id' "
            "ORDER BY version DESC LIMIT 1) j ON true "
            "WHERE r.flow = 'canvas' AND r.request->>'goal' = %s "
            "AND (r.status = 'awaiting_approval' OR j.status = 'active') ORDER BY r.created_at DESC LIMIT 1",
            (DEMO_GOAL,),
        ).fetchone()
    return EarlierDemoRun(*row) if row else None


def demo_canvas(db: Database, tenant: str) -> None:
    """The demo's canvas goal to approval, then approved: once. A later demo reuses what the first one left."""
    earlier = earlier_demo_run(db, tenant)
    if earlier is not None and earlier.status != "awaiting_approval":
        console.print(
            f"canvas: found run {earlier.run_id} ({earlier.at:%Y-%m-%d %H:%M}) for {DEMO_GOAL!r}: journey "
            f"{earlier.journey_id} is live, so no second journey is launched "
            f"(`hyperjourney runs show {earlier.run_id}`)"
        )
        return
    if earlier is not None:
        console.print(f"canvas: found run {earlier.run_id} from an earlier demo still awaiting approval; approving it")
        run_id = earlier.run_id
    else:
        console.rule(f"canvas: {DEMO_GOAL}")
        started = _run(db, "canvas", lambda deps: runs.start_canvas(db, tenant, DEMO_GOAL, deps=deps))
        print_result(started)
        if started.status != "awaiting_approval":
            return
        run_id = started.run_id
    decision = ApprovalDecision(action="approve", reviewer="demo")
    console.rule(f"hyperjourney approve {run_id}")
    print_result(_run(db, "approve", lambda deps: runs.resume(db, tenant, run_id, decision, deps=deps)))


def demo_agents() -> None:
    """Demo step: the canvas goal to its approval (then approved) and two support tickets, on the small tier."""
    from hyperjourney.data.demo_tenant import DEMO_TENANT

    with database() as db:
        demo_canvas(db, DEMO_TENANT)
        with db.tenant(DEMO_TENANT) as conn:
            tickets = [
                row[0]
                for where in ("labels->>'intent' = 'refund_request'", "labels->>'sentiment' = 'very_negative'")
                for row in conn.execute(
                    f"SELECT ticket_id FROM tickets WHERE language = 'en' AND {where} ORDER BY ticket_id LIMIT 1"
                )
            ]
        for ticket_id in tickets:
            console.rule(f"copilot: {ticket_id}")
            print_result(
                _run(db, "copilot", lambda deps, t=ticket_id: runs.start_copilot(db, DEMO_TENANT, t, deps=deps))
            )
