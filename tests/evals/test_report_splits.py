"""The report shows dev beside held-out with the gap, sample outputs beside their input and cited facts, and what
changed since the baseline run (issue 16.8). Pure rendering: runs are built in memory."""

from __future__ import annotations

from datetime import UTC, datetime

from hyperjourney.evals import report
from hyperjourney.evals.compare import compare
from hyperjourney.evals.results import EvalRun, RunContext, SplitInfo

DEV = SplitInfo(files=["copilot_tickets.jsonl"], hash="aaaa", items=100)
HELD = SplitInfo(files=["copilot_tickets.jsonl"], hash="bbbb", items=120)


def _run(run_id: str, metrics: dict[str, float], splits: dict[str, SplitInfo]) -> EvalRun:
    return EvalRun(
        run_id=run_id, suite="copilot", tier="small", started_at=datetime(2026, 12, 7, tzinfo=UTC), finished_at=None,
        context=RunContext(code_version="x", dataset="aaaa", splits=splits), metrics=metrics,
    )  # fmt: skip


def test_dev_and_held_out_side_by_side_with_the_gap() -> None:
    run = _run("r2", {"intent_accuracy.dev": 0.93, "intent_accuracy.held_out": 0.71, "items.dev": 100.0}, {
        "dev": DEV, "held_out": HELD})  # fmt: skip
    headers, rows = report.metric_rows(run)
    assert headers[:4] == ["metric", "dev", "held-out", "gap (held-out - dev)"]
    assert rows[0][:4] == ["intent_accuracy", "0.93", "0.71", "-0.22"]
    assert "held_out bbbb (120 items)" in report.split_notes(run)


def test_a_suite_whose_held_out_set_has_not_landed_says_pending() -> None:
    run = _run("r1", {"intent_accuracy.dev": 0.93}, {"dev": DEV})
    _headers, rows = report.metric_rows(run)
    assert rows[0][:3] == ["intent_accuracy", "0.93", "pending"]
    assert any("held-out: pending" in n for n in report.split_notes(run))


def test_html_shows_samples_and_what_changed_since_the_baseline() -> None:
    base = _run("r1", {"intent_accuracy.dev": 0.93}, {"dev": DEV})
    run = _run("r2", {"intent_accuracy.dev": 0.90, "intent_accuracy.held_out": 0.71}, {"dev": DEV, "held_out": HELD})
    sample = {
        "input": "Where is my <refund>?",
        "output": "Refunds reach your card in 5 days.",
        "cited": ["kb#1: 5 days"],
    }
    page = report.render_html(run, [base, run], [], None, [("held_out:tkt-007", sample)], compare(base, run))
    assert "Where is my &lt;refund&gt;?" in page and "Refunds reach your card in 5 days." in page
    assert "held_out:tkt-007" in page and "kb#1: 5 days" in page
    moved = {row[1]: row for row in report.baseline_rows(compare(base, run))}
    assert moved["intent_accuracy.dev"][4] == "-0.03" and "splits.held_out.hash" in moved
    markdown = report.render_markdown(run, None, [("held_out:tkt-007", sample)], compare(base, run))
    assert "since the baseline r1" in markdown and "sample held_out:tkt-007" in markdown
