"""The UI server serves a page that names no remote asset, logs people in, and never reaches the network.

It runs under strace (connect syscalls) and a socket hook (tests/offline/sitecustomize.py); see tests/ui/browser.py.
"""

from __future__ import annotations

import re

import httpx

from tests.ui.browser import USERS, UiServer


def test_page_login_and_no_outbound_connection(server: UiServer) -> None:
    page = httpx.get(server.url + "/", timeout=30)
    assert page.status_code == 200 and "<title>hyperjourney</title>" in page.text
    assert re.findall(r"(?:href|src|content)=\"(?:https?:)?//", page.text) == []
    assets = re.findall(r"(?:href|src)=\"(/assets/[^\"]+)\"", page.text)
    assert assets and all(httpx.get(server.url + a, timeout=30).status_code == 200 for a in assets)
    bad = httpx.post(server.url + "/login", data={"username": "rita", "password": "wrong"}, timeout=30)
    assert bad.status_code == 401
    good = httpx.post(server.url + "/login", data={"username": "vic", "password": USERS["vic"]["password"]}, timeout=30)
    assert good.status_code == 200
    me = httpx.get(server.url + "/user", cookies=good.cookies, timeout=30)
    assert me.status_code == 200 and me.json()["metadata"]["role"] == "viewer"
    assert server.outbound() == []
