"""Harness for the browser tests: the real `hyperjourney ui` under strace plus a network hook, and headless Chromium.

Chromium and chromedriver are Debian's (`make test` installs them when missing); no browser is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts" / "ui"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
USERS = {"rita": {"password": "rita-pw-1", "role": "reviewer"}, "vic": {"password": "vic-pw-1", "role": "viewer"}}
_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?, [^}]*?(?:inet_addr\(\"|inet_pton\(AF_INET6, \")([^\"]+)")


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@dataclass
class UiServer:
    url: str
    work: Path
    tenant: str
    process: subprocess.Popen[bytes] = field(repr=False)

    def outbound(self) -> list[str]:
        """Every non-loopback connection the server attempted (socket hook and connect syscalls)."""
        found: list[str] = []
        net_log = self.work / "net.log"
        if net_log.exists():
            found += net_log.read_text().splitlines()
        trace = self.work / "strace.log"
        if trace.exists():
            found += [
                f"syscall connect to {a}"
                for a in _CONNECT.findall(trace.read_text())
                if not (a.startswith("127.") or a == "::1")
            ]
        return found

    def log(self) -> str:
        path = self.work / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def ui_server(tenant: str) -> Iterator[UiServer]:
    """Start `hyperjourney ui` for ``tenant`` on a free loopback port; stop its whole process group afterwards."""
    work = Path(tempfile.mkdtemp(prefix="hj-ui-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACELOOP_", "OTEL_"))}
    env |= {
        "HYPERJOURNEY_UI__USERS": json.dumps(USERS),
        "HJ_NET_LOG": str(work / "net.log"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "offline"), str(ROOT)]),
    }
    cmd = [sys.executable, "-m", "hyperjourney.cli", "ui", "--tenant", tenant, "--port", str(port)]
    if shutil.which("strace"):
        cmd = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-o", str(work / "strace.log"), *cmd]
    with (work / "server.log").open("wb") as log:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = UiServer(f"http://127.0.0.1:{port}", work, tenant, process)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"hyperjourney ui exited: {server.log()}")
            try:
                if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise RuntimeError(f"hyperjourney ui did not come up: {server.log()}")
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium that does not reach Google on its own; its requests are logged for checking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='hj-chromium-')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: Any) -> list[str]:
    """URLs the page requested since the last call (from Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def wait_for(driver: Any, condition: Callable[[Any], Any], what: str, timeout: float = 120) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.3).until(condition)
    except TimeoutException:
        shot(driver, f"timeout-{re.sub(r'[^a-z0-9]+', '-', what.lower())}")
        raise AssertionError(f"timed out waiting for {what}") from None


def shot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def login(driver: Any, base_url: str, user: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/")
    wait_for(driver, lambda d: d.find_elements(By.ID, "email"), "the login form")
    driver.find_element(By.ID, "email").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(USERS[user]["password"])
    driver.find_element(By.XPATH, "//button[@type='submit']").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "chat-input"), "the chat input after login")
    wait_for(driver, lambda d: "Type a goal" in d.execute_script("return document.body.innerText"), "the greeting")


def say(driver: Any, text: str) -> None:
    """Type into the chat and send; waits until the message shows in the conversation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = wait_for(driver, lambda d: d.find_element(By.ID, "chat-input"), "the chat input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.execute_script("return document.body.innerText").count(text) >= 1, "the sent message")


def button(driver: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.XPATH, f"//button[normalize-space()='{label}']")
    return found[-1] if found else None


def click(driver: Any, element: Any) -> None:
    """Click through JavaScript: chainlit's floating scroll button may cover the element."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def press(driver: Any, label: str) -> None:
    """Click the (last) button labelled ``label`` once it is there; look again while the page re-renders it."""
    from selenium.common.exceptions import StaleElementReferenceException

    def pressed(d: Any) -> bool:
        try:
            found = button(d, label)
            if found is not None:
                click(d, found)
            return found is not None
        except StaleElementReferenceException:
            return False

    wait_for(driver, pressed, f"the {label} button")


def open_copilot(driver: Any) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def pick(d: Any) -> bool:
        """Pick Copilot in the open menu; False (look again) while the page re-renders under the click, and open
        the menu again when a re-render (the thread renamed after a first message) closed it."""
        try:
            found = d.find_elements(By.XPATH, "//*[normalize-space()='Copilot']")
            menu = d.find_element(By.ID, "chat-profiles")
            if found:
                click(d, found[-1])
            elif menu.get_attribute("aria-expanded") != "true":
                click(d, menu)
            return bool(found)
        except StaleElementReferenceException:
            return False

    wait_for(driver, pick, "the Copilot profile")
    confirm = driver.find_elements(By.XPATH, "//button[normalize-space()='Confirm']")
    if confirm:
        click(driver, confirm[-1])
    wait_for(
        driver,
        lambda d: "paste a ticket's text" in d.execute_script("return document.body.innerText"),
        "the copilot greeting",
    )


@contextmanager
def attacker() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server standing in for an attacker's host: yields its base URL and the paths asked of it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def hostile_ticket(db: Any, tenant: str, subject: str, body: str) -> str:
    """An open ticket from one of the tenant's customers, stored through the tickets dataset like any other."""
    import uuid
    from datetime import UTC, datetime

    from hyperjourney.data.ingest.loader import dataset, load_rows, validate

    ticket_id = f"tkt_hostile_{uuid.uuid4().hex[:8]}"
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
        record = {
            "ticket_id": ticket_id, "message_id": f"{ticket_id}-1", "customer_id": row[0], "channel": "email",
            "subject": subject, "body": body, "sent_at": datetime.now(UTC), "author": "customer",
        }  # fmt: skip
        ds = dataset("tickets")
        assert not load_rows(conn, ds, validate(ds, [(1, record)])).rejects
    return ticket_id
