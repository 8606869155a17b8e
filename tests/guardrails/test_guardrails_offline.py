"""A fresh process imports guardrails-ai and validates with no network and no nltk download attempt,
even when ~/.guardrailsrc asks for metrics, and without its span bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import atexit, json, socket, sys
attempts = []
atexit.register(lambda: print("ATTEMPTS=" + json.dumps(attempts)))
def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network disabled in this test")
socket.socket.connect = lambda self, *a: refuse(*a)
socket.create_connection = refuse
socket.getaddrinfo = refuse
import hyperjourney
import nltk
nltk.download = lambda *a, **k: attempts.append("nltk.download" + repr(a))
from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.models import Asset, Evidence
from guardrails.settings import settings
report = validate_asset(
    Asset(kind="support_reply", body="Your refund of $40 was sent today [cite:kb#1]. Reply if it has not arrived."),
    [Evidence(citation_id="kb#1", text="Refunds of $40 or less are sent today to the original payment method.")],
)
print("PASSED=" + json.dumps(report.passed))
print("METRICS=" + json.dumps(settings.rc.enable_metrics))
print("TRACING_OFF=" + json.dumps(settings.disable_tracing))
"""


def test_import_and_validate_need_no_network(tmp_path: Path) -> None:
    (tmp_path / ".guardrailsrc").write_text("id=someone\nenable_metrics=true\n")
    env = {k: v for k, v in os.environ.items() if k not in ("NLTK_DATA", "HYPERJOURNEY_TELEMETRY")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert json.loads(lines["PASSED"]) is True
    assert json.loads(lines["METRICS"]) is False
    assert json.loads(lines["TRACING_OFF"]) is True  # its spans serialise every call history, exporter or not
    assert json.loads(lines["ATTEMPTS"]) == []
    assert "nltk_data" not in done.stderr
