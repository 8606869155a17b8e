"""PII redaction for logs and the audit trail: emails, phones, card numbers (Luhn), IBANs, accounts, addresses.

Tokens are deterministic per value ("[EMAIL_1a2b3c4d]"), so the same customer reads the same in every log
line without the value itself. The token -> original mapping is returned; whether it is kept is the
tenant's choice (see pii_vault.py).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from pydantic import BaseModel

from hyperjourney.guardrails.pii import find_pii


class Redacted(BaseModel):
    text: str
    mapping: dict[str, str]


def token_for(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:8]
    return f"[{kind.upper()}_{digest}]"


def redact(text: str) -> Redacted:
    mapping: dict[str, str] = {}
    out: list[str] = []
    pos = 0
    for m in find_pii(text):
        token = token_for(m.kind, m.value)
        mapping[token] = m.value
        out.append(text[pos : m.start])
        out.append(token)
        pos = m.end
    out.append(text[pos:])
    return Redacted(text="".join(out), mapping=mapping)


def redact_payload(value: Any, mapping: dict[str, str] | None = None) -> Any:
    """Redact every string inside a JSON-like payload; tokens found are added to `mapping`."""
    sink = mapping if mapping is not None else {}
    if isinstance(value, str):
        r = redact(value)
        sink.update(r.mapping)
        return r.text
    if isinstance(value, dict):
        return {k: redact_payload(v, sink) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_payload(v, sink) for v in value]
    return value


def install_log_redaction() -> None:
    """Redact every log record the process creates, whichever library logs it (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "hyperjourney_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: leave it to logging to report
            return record
        record.msg, record.args = redact(message).text, None
        return record

    factory.hyperjourney_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingFilter(logging.Filter):
    """Attach to a handler so log lines never carry raw PII."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage()).text
        record.args = None
        return True
