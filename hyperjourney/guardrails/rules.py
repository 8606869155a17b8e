"""Content rules: banned claims, competitors, footers, disclaimers, limits. Versioned YAML per tenant.

The demo tenant's rules ship in the package and mirror kb/demo/banned-claims.md, claims-and-legal-policy.md
and brand-voice.md. Unknown keys are errors so a misspelt rule is never silently ignored.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hyperjourney.guardrails.models import AssetKind


class ContentRulesError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LengthLimit(_Strict):
    subject_max_chars: int | None = Field(None, ge=1)
    body_max_chars: int | None = Field(None, ge=1)
    body_max_words: int | None = Field(None, ge=1)


class Disclaimer(_Strict):
    name: str
    triggers: list[str] = Field(min_length=1, description="whole words that make the disclaimer mandatory")
    text: str = Field(min_length=1)
    applies_with: list[str] = Field(
        default_factory=list, description="only when one of these words appears too (e.g. the product it covers)"
    )


class ContentRules(_Strict):
    version: str = "unversioned"
    banned_phrases: list[str] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    fuzzy_threshold: float = Field(0.86, ge=0.5, le=1.0)
    length_limits: dict[AssetKind, LengthLimit] = Field(default_factory=dict)
    sms_single_segment: bool = Field(True, description="SMS must fit one segment (160 GSM-7 / 70 UCS-2)")
    reading_grade_max: float | None = Field(None, ge=0)
    tone_tolerance: float = Field(0.3, gt=0, le=1)
    required_elements: dict[AssetKind, list[str]] = Field(
        default_factory=dict, description="text that marketing copy of this kind must contain (footers, STOP)"
    )
    transactional_elements: dict[AssetKind, list[str]] = Field(default_factory=dict)
    disclaimers: list[Disclaimer] = Field(default_factory=list)
    max_exclamations: int | None = Field(1, ge=0)
    caps_allowlist: list[str] = Field(default_factory=list)
    internal_markers: list[str] = Field(default_factory=list)
    company_domains: list[str] = Field(default_factory=list, description="email domains the copy may show")
    company_phones: list[str] = Field(default_factory=list)
    email_sources_footer: bool = Field(
        False, description="rendered email numbers its claims and lists their sources in a short footer"
    )


def parse_rules(text: str, *, source: str = "content rules") -> ContentRules:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentRulesError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentRulesError(f"{source}: expected a mapping of rules")
    try:
        return ContentRules.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ContentRulesError(f"{source} is invalid:\n  " + "\n  ".join(lines)) from exc


@lru_cache(maxsize=1)
def demo_rules() -> ContentRules:
    text = (resources.files("hyperjourney.guardrails") / "demo_content_rules.yaml").read_text(encoding="utf-8")
    return parse_rules(text, source="demo_content_rules.yaml")
