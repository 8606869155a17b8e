"""The copilot workspace in headless Chromium: a ticket read with its thread and customer context beside the
draft, a refused edit, a fixed edit, marked answered, and the same card (answered, no buttons) after a reload.

Shares the session's UI server (tests/ui/conftest.py); screenshots land in .artifacts/ui/.
"""

from __future__ import annotations

from typing import Any

import pytest

from hyperjourney.db.database import Database
from tests.ui.browser import (
    UiServer,
    browser_available,
    button,
    chromium,
    click,
    hostile_ticket,
    login,
    open_copilot,
    press,
    say,
    shot,
    wait_for,
)

pytestmark = pytest.mark.skipif(
    not browser_available(), reason="Debian chromium + chromium-driver (make test installs)"
)
BODY = "I returned the jacket two weeks ago and still have no refund on my card. When does it arrive?"
BUTTONS = ("Edit reply", "Copy reply", "Send by email", "Mark answered", "Escalate")


def _text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def _reply_box(driver: Any) -> Any:
    from selenium.webdriver.common.by import By

    return wait_for(driver, lambda d: d.find_elements(By.ID, "edit-reply-body"), "the reply form")[-1]


def _scroll_to(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.XPATH, f"//*[contains(text(), '{text}')]")
    if found:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", found[-1])


def _queue_buttons(driver: Any) -> list[str]:
    """Labels of every review-queue button on the page (Approve/Open/Edit/Reject n), in any message."""
    return [
        str(t)
        for t in driver.execute_script(
            "return [...document.querySelectorAll('button')].map(b => b.innerText.trim())"
            ".filter(t => /^(Approve|Open|Edit|Reject) \\d+$/.test(t))"
        )
    ]


def _retype(driver: Any, box: Any, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def _thanked(drafted: str) -> tuple[str, str]:
    """The draft with a sentence of the agent's own after its greeting, and the words the sent reply must then hold
    (the sentence and the start of the paragraph it joins, up to its first citation chip)."""
    greeting, rest = drafted.split("\n\n", 1)
    return f"{greeting}\n\nThanks for your patience. {rest}", f"Thanks for your patience. {rest.split('[')[0][:30]}"


def test_a_ticket_read_edited_answered_and_reloaded(server: UiServer, db: Database) -> None:
    from selenium.webdriver.common.by import By

    ticket_id = hostile_ticket(db, server.tenant, "Refund still missing", BODY)
    with chromium() as driver:
        login(driver, server.url, "rita")
        open_copilot(driver)
        say(driver, ticket_id)
        wait_for(driver, lambda d: "Ticket thread" in _text(d) and all(button(d, b) for b in BUTTONS), "the workspace")
        text = _text(driver)
        assert BODY in text.replace("\u2060", "") and "Recent orders" in text and "Other open tickets" in text
        assert "Recommended tone" in text and "(formality" in text  # tone in words, the scores in brackets
        shot(driver, "30-copilot-workspace")

        click(driver, button(driver, "Edit reply"))
        box = _reply_box(driver)
        drafted = str(box.get_attribute("value"))
        assert "[1]" in drafted and "[cite:" not in drafted  # citations as chips
        _retype(driver, box, drafted + "\nWe guarantee a 100% refund within 1 hour, every time.")
        click(driver, driver.find_element(By.ID, "edit-reply-save"))
        wait_for(driver, lambda d: "Your edit was not accepted" in _text(d), "the refusal")
        assert button(driver, "Mark answered") is not None and button(driver, "Mark answered").is_enabled()
        _scroll_to(driver, "Your edit was not accepted")
        shot(driver, "31-copilot-edit-refused")

        fixed, thanked = _thanked(drafted)
        _retype(driver, _reply_box(driver), fixed)
        click(driver, driver.find_elements(By.ID, "edit-reply-save")[-1])
        wait_for(driver, lambda d: "checked by the guardrails: ready to send" in _text(d), "the accepted edit")
        assert "Your edit was not accepted" not in _text(driver)

        click(driver, button(driver, "Mark answered"))
        wait_for(driver, lambda d: "marked answered" in _text(d) and "Answered by" in _text(d), "the answer")
        assert all(button(driver, b) is None for b in BUTTONS)
        shot(driver, "32-copilot-answered")

        driver.get(driver.current_url)
        wait_for(driver, lambda d: "Answered by" in _text(d), "the reopened thread")
        wait_for(driver, lambda d: button(d, "Inspect [1]") is not None, "the card's Inspect link sent again")
        text = _text(driver)
        assert text.count("Ticket thread") == 1 and text.count("Reply draft") == 1, "one card, updated in place"
        assert "Thanks for your patience" in text and all(button(driver, b) is None for b in BUTTONS)
        _scroll_to(driver, "Answered by")
        shot(driver, "33-copilot-reloaded")
    with db.tenant(server.tenant) as conn:
        status = conn.execute("SELECT status FROM tickets WHERE ticket_id = %s", (ticket_id,)).fetchone()
        stored = conn.execute(
            "SELECT body FROM messages WHERE ticket_id = %s AND author = 'agent'", (ticket_id,)
        ).fetchall()
    assert status == ("solved",)
    assert len(stored) == 1 and thanked in stored[0][0] and "[cite:" not in stored[0][0]


def test_a_reviewer_edits_an_escalated_reply_in_the_review_queue(server: UiServer, db: Database) -> None:
    import re

    from selenium.webdriver.common.by import By

    from hyperjourney.graphs import runs
    from hyperjourney.graphs.outcomes import escalate_reply
    from hyperjourney.review import queue
    from hyperjourney.ui import review_view

    ticket_id = hostile_ticket(db, server.tenant, "Refund for my return", BODY)
    run = runs.start_copilot(db, server.tenant, ticket_id)
    item_id = escalate_reply(db, server.tenant, run.run_id, by="ui:ana", note="please check the refund date")
    with chromium() as driver, chromium() as other_tab:
        login(other_tab, server.url, "rita")  # the same reviewer's other tab shows the queue before the edit
        say(other_tab, "review queue")
        wait_for(other_tab, lambda d: f"support_reply for run {run.run_id}" in _text(d), "the queue in the other tab")
        login(driver, server.url, "rita")
        say(driver, "review queue")
        listed = wait_for(
            driver, lambda d: re.search(rf"(\d+)\. support_reply for run {run.run_id}", _text(d)), "the queued reply"
        )
        assert "escalated by ui:ana: please check the refund date" in _text(driver)
        press(driver, f"Edit {listed.group(1)}")
        box = _reply_box(driver)
        drafted = str(box.get_attribute("value"))
        assert "[1]" in drafted and "[cite:" not in drafted
        _retype(driver, box, drafted + "\nWe guarantee a 100% refund within 1 hour, every time.")
        click(driver, driver.find_element(By.ID, "edit-reply-save"))
        wait_for(driver, lambda d: "Your edit was not accepted" in _text(d), "the refused queue edit")
        assert queue.get(db, server.tenant, item_id).status == "pending"
        fixed, thanked = _thanked(drafted)
        _retype(driver, _reply_box(driver), fixed)
        click(driver, driver.find_elements(By.ID, "edit-reply-save")[-1])
        wait_for(driver, lambda d: "Edited and approved" in _text(d), "the accepted queue edit")
        wait_for(driver, lambda d: _text(d).count("Review queue") == 2, "the queue shown again")
        shot(driver, "34-queue-edit-reply")
        # the first queue's buttons are gone: only the fresh queue's remain, and it no longer lists the reply
        fresh = [a.label for a in review_view.queue_actions(review_view.pending_entries(db, server.tenant))]
        assert sorted(_queue_buttons(driver)) == sorted(fresh)
        edited = queue.get(db, server.tenant, item_id)
        # a stale button (the other tab's Approve for the item, shown before the edit) changes nothing
        press(other_tab, f"Approve {listed.group(1)}")
        wait_for(other_tab, lambda d: "already approved" in _text(d), "the stale click refused")
        shot(other_tab, "35-stale-queue-click")
    item = queue.get(db, server.tenant, item_id)
    assert item == edited
    assert item.status == "approved" and item.reviewer == "ui:rita"
    assert thanked in item.payload["body"] and "[cite:" in item.payload["body"]
