"""The assistant's widget in headless Chromium: a demo page on another origin embeds it with one script tag; the
visitor asks about pricing, answers two questions and books a meeting; the invite reaches a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.channels.adapters import FileSinkAdapter, SmtpAdapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.conversations import calendar
from hyperjourney.conversations.models import Slot
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, ChannelSettings, Settings
from tests.channels.test_outbox_dispatch import Inbox, free_port
from tests.conftest import new_tenant
from tests.ui.browser import browser_available, chromium, wait_for

pytestmark = pytest.mark.skipif(
    not browser_available(), reason="Debian chromium + chromium-driver (make test installs)"
)
PRICING = Path(__file__).resolve().parents[2] / "hyperjourney" / "knowledge" / "kb" / "demo" / "pricing.md"


@pytest.fixture
def api(db: Database, settings: Settings) -> Iterator[str]:
    """The real API app under uvicorn on a free loopback port."""
    port = free_port()
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=10_000)}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def demo_page(folder: Path, api: str, key: str) -> Iterator[str]:
    """A customer's page on another origin that embeds the widget with one script tag."""
    (folder / "index.html").write_text(
        f'<!doctype html><html><body><h1>Acme Books</h1><script src="{api}/widget.js" data-key="{key}"></script>'
        "</body></html>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()


def replies(driver: Any) -> list[str]:
    return list(driver.execute_script("return [...document.querySelectorAll('.hj-assistant')].map(e => e.textContent)"))


def ask(driver: Any, text: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    before = len(replies(driver))
    box = driver.find_element(By.ID, "hj-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: len(replies(d)) > before, f"the reply to {text!r}", timeout=60)
    return "\n".join(replies(driver)[before:])


def test_a_visitor_books_a_meeting_through_the_embedded_widget(db: Database, api: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from hyperjourney.knowledge.ingest import ingest_path

    tenant = new_tenant(db, "widget")
    (tmp_path / "kb").mkdir()
    shutil.copy(PRICING, tmp_path / "kb" / PRICING.name)
    ingest_path(db, tenant, tmp_path / "kb")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    with db.tenant(tenant) as conn:
        calendar.add_slots(
            conn,
            [
                Slot(
                    slot_id=f"s{i}",
                    owner_id="ana",
                    owner_email="ana@northwind.example",
                    starts_at=start + timedelta(hours=i),
                    ends_at=start + timedelta(hours=i, minutes=30),
                )
                for i in range(3)
            ],
        )
    key = create_key(db, tenant, "acme site", "widget").token
    (tmp_path / "site").mkdir()
    page = demo_page(tmp_path / "site", api, key)
    with chromium() as driver:
        driver.get(next(page))
        wait_for(driver, lambda d: d.find_elements(By.ID, "hj-open"), "the widget's button")
        driver.find_element(By.ID, "hj-open").click()
        first = ask(driver, "How much does Ledger cost per month?")
        assert "$" in first and "[cite:" not in first and "How many people work at your company?" in first
        assert "What would you use Ledger for first" in ask(driver, "We are about 50 people")
        slots = ask(driver, "Mostly reconciliation. Can we book a call? I am dana@acme.example")
        assert "Which one suits you?" in slots
        booked = ask(driver, "2")
        assert f"Booked: {start + timedelta(hours=1):%A %d %B at %H:%M} UTC" in booked
    page.close()

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = ChannelSettings(smtp_host="127.0.0.1", smtp_port=port, timeout_s=5, backoff_base_s=0.01)
        crm = FileSinkAdapter(tmp_path / "crm.jsonl", "webhook")  # the CRM webhook's dry-run sink
        Dispatcher(db, tenant, {"email": SmtpAdapter(cfg), "webhook": crm}, cfg).run()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["dana@acme.example"]
    mail = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    assert any(p.get_content_type() == "text/calendar" for p in mail.iter_attachments())
    assert len((tmp_path / "crm.jsonl").read_text().splitlines()) == 1  # the lead went to the CRM once
    with db.tenant(tenant) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM leads), (SELECT count(*) FROM outbox "
            "WHERE channel = 'email'), (SELECT count(*) FROM audit_log WHERE action = 'assistant_book_meeting')"
        ).fetchone()
    assert counts == (1, 1, 1, 1)
