"""guardrails-ai, imported offline: no nltk download, no hub telemetry, no remote inference, no history.

guardrails-ai 0.11 downloads nltk `punkt` at import when it is missing and exports hub telemetry traces
unless ~/.guardrailsrc says otherwise. An empty stub resource (nltk_stub/, on NLTK_DATA via offline.py and
appended here too) satisfies the import-time check; metrics are switched off on the shared settings and on
every Guard we build. Its OpenTelemetry spans are switched off too: even with no exporter, guardrails serialises
every step's whole call history into span attributes, which was a quarter of a canvas run's time.
`HYPERJOURNEY_TELEMETRY=1` leaves guardrails' own defaults alone.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

NLTK_STUB = Path(__file__).parent / "nltk_stub"


def telemetry_opted_in() -> bool:
    return os.environ.get("HYPERJOURNEY_TELEMETRY", "").lower() in {"1", "true", "yes"}


@lru_cache(maxsize=1)
def guardrails() -> ModuleType:
    """The guardrails package, configured to stay offline (imported once, on first use).

    Validation runs sequentially: our validators are cheap and CPU-bound, and guardrails' async path would
    install an event loop (and uvloop's policy, process-wide) or warn when called from async code.
    """
    os.environ.setdefault("GUARDRAILS_RUN_SYNC", "true")
    if not telemetry_opted_in():
        import nltk

        if str(NLTK_STUB) not in nltk.data.path:
            nltk.data.path.append(str(NLTK_STUB))
    import guardrails as gr

    quiet_settings()
    return gr


def quiet_settings() -> None:
    if telemetry_opted_in():
        return
    from guardrails.classes.rc import RC
    from guardrails.settings import settings

    current = settings.rc
    settings.rc = RC(id=current.id, token=current.token, enable_metrics=False, use_remote_inferencing=False)
    settings.disable_tracing = True


def new_guard(name: str) -> Any:
    """A Guard with metrics collection off (Guard() re-reads ~/.guardrailsrc, so switch it off again)."""
    gr = guardrails()
    guard = gr.Guard(name=name)
    if not telemetry_opted_in():
        guard.configure(allow_metrics_collection=False)
        quiet_settings()
    return guard
