"""End to end in headless Chromium against the real `hyperjourney ui` and database.

One server for the session (tests/ui/conftest.py; it runs under strace and must make no outbound
connection), one fresh browser per test. Screenshots land in .artifacts/ui/.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from hyperjourney.db.database import Database
from tests.ui.browser import (
    UiServer,
    attacker,
    browser_available,
    button,
    chromium,
    click,
    hostile_ticket,
    login,
    open_copilot,
    requested_urls,
    say,
    shot,
    wait_for,
)
from tests.ui.outcomes import grow_and_convert

pytestmark = pytest.mark.skipif(
    not browser_available(), reason="Debian chromium + chromium-driver (make test installs)"
)
GOAL = "Lift LTV 20% in fintech SMBs"


def _text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def _cited(text: str, n: int) -> str:
    """The citation id listed as source ``n`` under the plan (the list's numbers are not part of innerText)."""
    listed = re.findall(r"^(?:\d+\. )?(\S+#\d+)(?: — |$)", text, re.MULTILINE)  # a fact's chunk may have no title
    assert len(listed) >= n, f"no source {n} listed"
    return str(listed[n - 1])


def _panel_text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.ID, "side-view-content")
    return str(found[0].get_attribute("innerText")) if found else ""


def _panel(driver: Any) -> tuple[str, int, str] | None:
    """The side panel's title, how many chunks it shows, and the citation id of the (last) one."""
    from selenium.webdriver.common.by import By

    titles = driver.find_elements(By.ID, "side-view-title")
    body = _panel_text(driver)
    cited = re.findall(r"Citation (\S+)", body)
    return (str(titles[0].text), len(cited), cited[-1]) if titles and cited else None


def _charts(driver: Any) -> int:
    """Lift charts on the page that rendered (loaded with a size, not only listed); they load lazily, so ask now."""
    return int(
        driver.execute_script(
            "const charts = [...document.images].filter(i => / lift$/.test(i.alt));"
            "charts.forEach(i => { i.loading = 'eager'; });"
            "return charts.filter(i => i.complete && i.naturalWidth > 0).length"
        )
    )


def _chart_shown(driver: Any) -> bool:
    return _charts(driver) >= 1


def _local_only(driver: Any, server: UiServer) -> None:
    local = (server.url, server.url.replace("http://", "ws://"))
    remote = [u for u in requested_urls(driver) if u.startswith(("http", "ws")) and not u.startswith(local)]
    assert remote == [], remote


def test_canvas_goal_steps_citations_approve_and_reload(server: UiServer) -> None:
    with chromium() as driver:
        login(driver, server.url, "rita")
        shot(driver, "01-logged-in")
        say(driver, GOAL)
        wait_for(driver, lambda d: button(d, "Approve"), "the approval buttons")
        text = _text(driver)
        for agent in ("researcher", "analyst", "copywriter", "orchestrator"):
            assert agent in text
        assert "What will be sent" in text and "Sources" in text and "[1]" in text
        assert button(driver, "Edit") is not None and button(driver, "Reject") is not None
        shot(driver, "02-canvas-plan")
        first, second = _cited(text, 1), _cited(text, 2)
        click(driver, button(driver, "Inspect [1]"))
        wait_for(driver, lambda d: _panel(d) == (f"Evidence {first}", 1, first), "the first inspected chunk")
        click(driver, button(driver, "Inspect [2]"))
        wait_for(
            driver, lambda d: _panel(d) == (f"Evidence {second}", 1, second), "the second chunk, replacing the first"
        )
        assert first not in _panel_text(driver)
        shot(driver, "03-evidence")
        click(driver, button(driver, "Approve"))
        wait_for(driver, lambda d: "Approved and recorded" in _text(d) or "Launched" in _text(d), "the launch")
        shot(driver, "04-launched")
        thread_url = driver.current_url
        assert "/thread/" in thread_url
        driver.get(thread_url)
        wait_for(
            driver,
            lambda d: GOAL in _text(d) and ("Approved and recorded" in _text(d) or "Launched" in _text(d)),
            "the conversation after a reload",
        )
        wait_for(driver, lambda d: "What will be sent" in _text(d), "the plan card after a reload")
        text = _text(driver)
        for agent in ("researcher", "analyst", "copywriter", "orchestrator"):
            assert agent in text, f"the {agent} step is missing after a reload"
        assert "Sources" in text and "[1]" in text and "Sized opportunity" in text
        assert "Decision approved by ui:rita" in text
        launched = "Launched" if "Launched" in text else "Approved and recorded"
        assert text.index(GOAL) < text.index("researcher") < text.index("What will be sent") < text.rindex(launched)
        wait_for(driver, lambda d: _chart_shown(d), "the lift chart after a reload")
        shot(driver, "05-after-reload")
        _local_only(driver, server)


def test_a_launched_plan_shows_measured_lift_beside_expected(server: UiServer, db: Database) -> None:
    with chromium() as driver:
        login(driver, server.url, "rita")
        say(driver, GOAL)
        wait_for(driver, lambda d: button(d, "Approve"), "the approval buttons")
        click(driver, button(driver, "Approve"))
        launched = wait_for(
            driver, lambda d: re.search(r"Launched\n+(?:Decision[^\n]*\n+)?(\S+)", _text(d)), "the launched journey"
        )
        grow_and_convert(db, server.tenant, launched.group(1))
        driver.get(driver.current_url)
        wait_for(driver, lambda d: "Measured lift" in _text(d), "measured lift when the thread is reopened")
        wait_for(driver, lambda d: _charts(d) == 2, "the plan's chart and the measured chart")
        text = _text(driver)
        assert "95% CI" in text and "held out" in text and text.index("What will be sent") < text.index("Measured lift")
        shot(driver, "06-measured-on-reopen")
        driver.get(driver.current_url)
        wait_for(driver, lambda d: "What will be sent" in _text(d) and _charts(d) == 2, "the thread reopened again")
        assert _text(driver).count("Measured lift") == 1, "a reopened thread repeats a readout it already showed"
        say(driver, "How did it do?")
        wait_for(driver, lambda d: _text(d).count("Measured lift") == 2 and _charts(d) == 3, "the asked-for readout")
        shot(driver, "07-measured-asked")


def test_pending_approval_survives_a_reload(server: UiServer) -> None:
    with chromium() as driver:
        login(driver, server.url, "rita")
        say(driver, GOAL)
        wait_for(driver, lambda d: button(d, "Approve"), "the approval buttons")
        driver.get(driver.current_url)
        wait_for(driver, lambda d: button(d, "Approve"), "the approval buttons after a reload")
        click(driver, button(driver, "Approve"))
        wait_for(driver, lambda d: "Approved and recorded" in _text(d) or "Launched" in _text(d), "the launch")
        shot(driver, "08-approved-after-reload")


def test_a_viewer_can_neither_run_nor_paste(server: UiServer, db: Database) -> None:
    """The UI asks the same role table as the API: a viewer starts no run and stores no ticket."""

    def counts() -> tuple[int, int]:
        with db.tenant(server.tenant) as conn:
            row = conn.execute("SELECT (SELECT count(*) FROM agent_runs), (SELECT count(*) FROM tickets)").fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    before = counts()
    with chromium() as driver:
        login(driver, server.url, "vic")
        say(driver, GOAL)
        wait_for(driver, lambda d: "viewer role: only reviewers can start runs" in _text(d), "the canvas refusal")
        open_copilot(driver)
        say(driver, "Where is my refund? I paid last week.")
        wait_for(driver, lambda d: "role: viewer may not" in _text(d), "the copilot refusal")
        assert button(driver, "Approve") is None and "researcher" not in _text(driver)
        shot(driver, "10-viewer")
    assert counts() == before


def test_copilot_ticket_shows_the_cited_draft(server: UiServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        login(driver, server.url, "rita")
        open_copilot(driver)
        pick = wait_for(
            driver, lambda d: d.find_elements(By.XPATH, "//button[starts-with(normalize-space(), 'tkt_')]"), "tickets"
        )
        click(driver, pick[0])
        wait_for(driver, lambda d: "Reply draft" in _text(d), "the reply draft")
        text = _text(driver)
        assert "Sentiment" in text and "Recommended tone" in text and "Sources" in text
        assert button(driver, "Escalate") is not None
        shot(driver, "11-copilot")
        click(driver, button(driver, "Escalate"))
        note = wait_for(driver, lambda d: d.find_elements(By.ID, "escalate-text"), "the escalation note")
        note[-1].send_keys("Customer asked twice already")
        click(driver, driver.find_element(By.ID, "escalate-confirm"))
        wait_for(driver, lambda d: "Escalated to a human" in _text(d), "the escalation")
        _local_only(driver, server)


def test_copilot_answers_a_pasted_ticket(server: UiServer, db: Database) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    lines = [
        "From: paula.pasted@example.org",
        "Subject: Charged twice",
        "I was charged twice for my plan this month and I am really upset. Please refund the second charge.",
    ]
    with chromium() as driver:
        login(driver, server.url, "rita")
        open_copilot(driver)
        box = driver.find_element(By.ID, "chat-input")
        for i, line in enumerate(lines):
            box.send_keys(line)
            if i < len(lines) - 1:
                box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys(Keys.ENTER)
        stored = wait_for(
            driver, lambda d: re.search(r"Stored the pasted ticket as (tkt_pasted_\w+)", _text(d)), "store"
        )
        assert "for a new customer" in _text(driver), "a From: line inside the paste must not pick the customer"
        wait_for(driver, lambda d: "Reply draft" in _text(d), "the reply draft for the pasted ticket")
        text = _text(driver)
        assert "Sentiment" in text and "Recommended tone" in text and "Sources" in text
        assert button(driver, "Escalate") is not None
        shot(driver, "12-copilot-pasted")
    with db.tenant(server.tenant) as conn:
        row = conn.execute(
            "SELECT m.body, a.actor FROM messages m JOIN audit_log a ON a.entity = m.ticket_id "
            "WHERE m.ticket_id = %s AND a.action = 'ticket_pasted'",
            (stored.group(1),),
        ).fetchone()
    assert row == ("\n".join(lines), "ui:rita")


def test_a_hostile_ticket_makes_the_reviewers_browser_fetch_nothing(server: UiServer, db: Database) -> None:
    """A subject and body holding markdown images, links and HTML aimed at an "attacker" server on loopback:
    the rendered card (and the thread reopened from history) shows them as text and the attacker sees no request."""
    from selenium.webdriver.common.by import By

    with attacker() as (base, requests):
        subject = f"![p]({base}/pixel.png) refund"
        body = f"[Reset your password]({base}/login) <img src={base}/img.png> {base}/bare.png"
        ticket_id = hostile_ticket(db, server.tenant, subject, body)
        with chromium() as driver:
            login(driver, server.url, "rita")
            open_copilot(driver)
            say(driver, ticket_id)
            wait_for(driver, lambda d: "Reply draft" in _text(d), "the reply draft for the hostile ticket")
            for shown in ("the card", "the thread reopened from history"):
                time.sleep(2)
                assert requests == [], f"{shown}: the attacker's server was asked for {requests}"
                pointing = [
                    str(e.get_attribute("src") or e.get_attribute("href"))
                    for e in driver.find_elements(By.CSS_SELECTOR, "img, a, iframe, video, audio, source")
                ]
                assert not [u for u in pointing if u.startswith(base)], f"{shown}: {pointing}"
                assert subject in _text(driver).replace("\u2060", ""), "the subject must read as the customer wrote it"
                if shown == "the card":
                    shot(driver, "13-hostile-ticket")
                    driver.get(driver.current_url)
                    wait_for(driver, lambda d: "Reply draft" in _text(d), "the reopened thread")
            assert [u for u in requested_urls(driver) if u.startswith(base)] == []
        assert requests == [], f"the attacker's server was asked for {requests}"


def test_the_ui_server_made_no_outbound_connection(server: UiServer) -> None:
    """Runs last in this module: everything above went through this server, which runs under strace + a socket hook."""
    assert server.log(), "the server wrote no log, so it may not have run under the recorders"
    assert server.outbound() == []
