"""The canvas's state machine in headless Chromium: refused and fixed edits, follow-up edit requests, and a
viewer's plan decided by a reviewer from the review queue. One card per thread, buttons that match its state.

Shares the session's UI server (tests/ui/conftest.py); screenshots land in .artifacts/ui/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from tests.ui.browser import UiServer, browser_available, button, chromium, click, login, say, shot, wait_for

pytestmark = pytest.mark.skipif(
    not browser_available(), reason="Debian chromium + chromium-driver (make test installs)"
)
GOAL = "Lift LTV 20% in fintech SMBs"
CARD = "What will be sent"


def _text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def _enabled(driver: Any, *labels: str) -> bool:
    found = [button(driver, label) for label in labels]
    return all(b is not None and b.is_enabled() for b in found)


def _type_into(driver: Any, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, element_id)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def _scroll_to(driver: Any, text: str) -> None:
    """Bring the (last) element whose own text contains ``text`` to the top, for the screenshot."""
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.XPATH, f"//*[contains(text(), '{text}')]")
    if found:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", found[-1])


def _wrong_login(driver: Any, base_url: str) -> None:
    """The login page in the project's words, and a failed sign-in said as a sentence, not a code."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/")
    wait_for(driver, lambda d: d.find_elements(By.ID, "email"), "the login form")
    assert "Username" in _text(driver) and "Email address" not in _text(driver)
    driver.find_element(By.ID, "email").send_keys("rita")
    driver.find_element(By.ID, "password").send_keys("not-her-password")
    driver.find_element(By.XPATH, "//button[@type='submit']").click()
    wait_for(driver, lambda d: "Wrong username or password." in _text(d), "the refusal")
    assert "credentialssignin" not in _text(driver).lower()
    assert "Unauthorized" not in _text(driver), "the toast reads as the sentence alone, no HTTP status text"
    shot(driver, "19-login-refused")


def _runs(db: Database, tenant: str) -> int:
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT count(*) FROM agent_runs").fetchone()
    assert row is not None
    return int(row[0])


def test_refused_edit_then_fixed_edit_then_approve_and_reload(server: UiServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        _wrong_login(driver, server.url)
        login(driver, server.url, "rita")
        say(driver, GOAL)
        wait_for(driver, lambda d: _enabled(d, "Approve", "Edit", "Reject"), "the approval buttons")
        assert "Sized opportunity" in _text(driver) and "| " not in _text(driver)  # the baseline is a table
        _scroll_to(driver, "Sized opportunity")
        shot(driver, "20-plan-card")
        click(driver, button(driver, "Edit"))
        wait_for(driver, lambda d: d.find_elements(By.ID, "edit-body-0"), "the edit form")
        original = str(driver.find_element(By.ID, "edit-body-0").get_attribute("value"))
        assert "[1]" in original and "[cite:" not in original and "Unsubscribe" not in original
        assert "Unsubscribe" in driver.find_element(By.ID, "edit-fixed-0").text  # the footer is shown, fixed
        _type_into(driver, "edit-body-0", "We love you! We love you so much, thanks, thanks, thanks!")
        shot(driver, "21-edit-form")
        click(driver, driver.find_element(By.ID, "edit-save"))
        wait_for(driver, lambda d: "Your edit was not accepted" in _text(d), "the refusal", timeout=60)
        wait_for(driver, lambda d: _enabled(d, "Approve as drafted", "Fix the edit", "Reject"), "buttons", timeout=10)
        text = _text(driver)
        # the refusal names the words that moved the tone away from the variant's own (warmth: 'love', 'you',
        # 'thanks'; formality: '!'), whichever the variant's channel tone refuses
        assert re.search(r"because of: '(love|!)'", text) and text.count(CARD) == 1
        _scroll_to(driver, "Variant 1")
        shot(driver, "22-edit-refused")
        _type_into(driver, "edit-body-0", original)
        _type_into(driver, "edit-subject-0", "A next step for your team")
        click(driver, driver.find_element(By.ID, "edit-save"))
        wait_for(driver, lambda d: button(d, "Approve edited copy"), "the checked edit", timeout=60)
        text = _text(driver)
        assert "A next step for your team" in text and text.count(CARD) == 1
        assert "Your edit was not accepted" not in text
        _scroll_to(driver, "Edited copy")
        shot(driver, "23-edit-checked")
        click(driver, button(driver, "Approve edited copy"))
        wait_for(driver, lambda d: "Decision edited and approved by ui:rita" in _text(d), "the launch")
        assert button(driver, "Approve") is None and button(driver, "Edit") is None
        driver.get(driver.current_url)
        wait_for(driver, lambda d: "Decision edited and approved" in _text(d) and button(d, "Inspect [1]"), "reload")
        text = _text(driver)
        assert text.count(CARD) == 1 and "A next step for your team" in text
        assert button(driver, "Approve") is None and button(driver, "Approve edited copy") is None
        _scroll_to(driver, "Approved by")
        shot(driver, "24-launched-after-reload")


def test_a_follow_up_on_a_pending_plan_edits_it_and_starts_no_run(server: UiServer, db: Database) -> None:
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        login(driver, server.url, "rita")
        say(driver, GOAL)
        wait_for(driver, lambda d: button(d, "Approve"), "the approval buttons")
        before = _runs(db, server.tenant)
        say(driver, "Make the email shorter")
        wait_for(driver, lambda d: "I made the email shorter" in _text(d), "the edit request applied", timeout=60)
        wait_for(driver, lambda d: _enabled(d, "Approve edited copy", "Edit", "Reject"), "the buttons", timeout=10)
        assert _runs(db, server.tenant) == before and _text(driver).count(CARD) == 1
        _scroll_to(driver, "Edited copy")
        shot(driver, "25-follow-up-shorter")
        for _ in range(2):  # reopening a pending thread updates its card, never appends a copy
            driver.get(driver.current_url)
            wait_for(driver, lambda d: button(d, "Approve edited copy") and button(d, "Inspect [1]"), "reopened")
            assert _text(driver).count(CARD) == 1
        shot(driver, "26-follow-up-after-reload")
        click(driver, button(driver, "Reject"))
        wait_for(driver, lambda d: d.find_elements(By.ID, "reject-text"), "the reject form asking why")
        _type_into(driver, "reject-text", "Off-brand for this quarter")
        click(driver, driver.find_element(By.ID, "reject-confirm"))
        wait_for(driver, lambda d: "Reason: Off-brand for this quarter" in _text(d), "the rejection with its reason")
        assert button(driver, "Approve edited copy") is None and _text(driver).count(CARD) == 1
        shot(driver, "26b-rejected-with-reason")
    with db.tenant(server.tenant) as conn:
        rows = conn.execute(
            "SELECT r.status FROM audit_log a JOIN agent_runs r ON r.run_id = a.entity "
            "WHERE a.action = 'approval:reject' AND a.payload->>'comment' = %s",
            ("Off-brand for this quarter",),
        ).fetchall()
    assert rows == [("rejected",)]


def test_a_viewers_plan_is_opened_and_approved_by_a_reviewer_from_the_queue(server: UiServer, db: Database) -> None:
    from selenium.webdriver.common.by import By

    run = runs.start_canvas(db, server.tenant, GOAL)  # as the API would: the viewer may look, not start
    assert run.status == "awaiting_approval"
    with chromium() as viewer:
        login(viewer, server.url, "vic")
        say(viewer, run.run_id)
        wait_for(viewer, lambda d: CARD in _text(d), "the plan in the viewer's thread")
        assert "Waiting for a reviewer" in _text(viewer) and button(viewer, "Approve") is None
        shot(viewer, "27-viewer-thread")
        viewer_thread = viewer.current_url
    with chromium() as driver:
        login(driver, server.url, "rita")
        say(driver, "review queue")
        wait_for(driver, lambda d: run.run_id in _text(d), "the plan in the review queue")
        blocks = re.split(r"\n(?=\d+\. )", _text(driver)[_text(driver).index("Review queue") :])
        mine = next(b for b in blocks if run.run_id in b)
        assert "thread of vic" in mine and "waiting" in mine and "Risk" in mine
        n = mine.split(".")[0].strip()
        shot(driver, "28-review-queue")
        entry = f"//li[contains(., '{run.run_id}')]/following-sibling::li/a[contains(@href, '/share/')]"
        queue_url, shared = driver.current_url, str(driver.find_element(By.XPATH, entry).get_attribute("href"))
        driver.get(shared)
        wait_for(driver, lambda d: CARD in _text(d) and run.run_id in _text(d), "the viewer's thread, read-only")
        assert "Could not reach the server" not in _text(driver)
        shot(driver, "29-reviewer-opens-viewer-thread")
        driver.get(queue_url)
        say(driver, "review queue")
        wait_for(driver, lambda d: button(d, f"Approve {n}"), "the queue's buttons")
        click(driver, button(driver, f"Approve {n}"))
        wait_for(driver, lambda d: f"run `{run.run_id}` is now" in _text(d) or f"run {run.run_id} is now" in _text(d),
                 "the decision")  # fmt: skip
        shot(driver, "30-approved-from-queue")
    assert runs.show_run(db, server.tenant, run.run_id).status == "completed"
    with chromium() as viewer:
        login(viewer, server.url, "vic")
        viewer.get(viewer_thread)
        wait_for(viewer, lambda d: "Approved by ui:rita" in _text(d) and _text(d).count(CARD) == 1, "the decision")
        shot(viewer, "31-viewer-sees-launch")
