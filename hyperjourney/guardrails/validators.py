"""The content checks as guardrails-ai validators, registered locally (no hub install, no download).

Each validator wraps one pure check. The asset, evidence and rules travel in the call's metadata; the
structured failures go into a sink in that metadata, because guardrails' own summary keeps only text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from hyperjourney.guardrails.brand import check_brand
from hyperjourney.guardrails.citations import check_citations
from hyperjourney.guardrails.claims import check_banned, check_competitors, check_entailment
from hyperjourney.guardrails.leaks import check_pii
from hyperjourney.guardrails.models import GuardFailure
from hyperjourney.guardrails.runtime import guardrails

Check = Callable[..., list[GuardFailure]]
"""(asset, evidence, rules) -> failures; the pii check also takes the tenant's customer-name index."""
CHECKS: dict[str, Check] = {
    "citations": check_citations,
    "banned_claims": check_banned,
    "competitors": check_competitors,
    "policy_claims": check_entailment,
    "tone_brand": check_brand,
    "pii": check_pii,
}


@lru_cache(maxsize=1)
def validator_classes() -> dict[str, type]:
    """Register one guardrails Validator per check (once per process)."""
    guardrails()
    from guardrails.validators import (
        ErrorSpan,
        FailResult,
        PassResult,
        Validator,
        register_validator,
    )

    def make(name: str, check: Check) -> type:
        def _validate(self: Any, value: Any, metadata: dict[str, Any]) -> Any:
            extra = {"names": metadata.get("names")} if check is check_pii else {}
            failures = check(metadata["asset"], metadata["evidence"], metadata["rules"], **extra)
            metadata["sink"].extend(failures)
            if not failures:
                return PassResult()
            spans = []
            for f in failures:
                at = value.find(f.span) if f.span else -1
                if at >= 0 and f.span:
                    spans.append(ErrorSpan(start=at, end=at + len(f.span), reason=f.code))
            return FailResult(error_message="; ".join(f.message for f in failures), error_spans=spans or None)

        cls = type(f"HJ_{name}", (Validator,), {"_validate": _validate, "__doc__": check.__doc__})
        return register_validator(name=f"hyperjourney/{name}", data_type="string")(cls)

    return {name: make(name, check) for name, check in CHECKS.items()}
