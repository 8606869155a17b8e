"""The tone check reads German, Spanish and French copy in its own words (per-language lexicons, issue 15.3):
addressing a formal tenant's reader with du, tú or tu fails; the same message in Sie, usted or vous passes."""

from __future__ import annotations

import pytest

from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.tone import estimate_tone, tone_words
from hyperjourney.guardrails.tone_lexicon import LOCALES, lexicon
from hyperjourney.guardrails.tone_policy import channel_tone
from hyperjourney.prompts.loader import load

FOOTER = "\n\nUnsubscribe · Manage preferences · Northwind, 500 Harbor Street, Seattle, WA 98101"
LEDGER_EMAIL = channel_tone("email", "ledger")  # formality 0.75 (Ledger adds 1): a formal tenant's email
# the same invitation, addressed informally and formally; no "Hey" or "!" that an English word list would catch
EMAILS = {
    "de": (
        "Hallo Anna, schau dir unseren Leitfaden zum Monatsabschluss an. Du kannst die Vorlage direkt in deinem "
        "Konto nutzen, und wir helfen dir gern beim Einrichten. Liebe Grüße, dein Northwind-Team",
        "Guten Tag Frau Weber, wir hoffen, es geht Ihnen gut. Dürfen wir Ihnen unseren Leitfaden zum "
        "Monatsabschluss senden? Sie können die Vorlage direkt in Ihrem Konto nutzen, und wir helfen Ihnen gern "
        "beim Einrichten. Mit freundlichen Grüßen, Ihr Northwind-Team",
    ),
    "es": (
        "Hola Ana, echa un vistazo a tu guía de cierre mensual. Puedes usar la plantilla en tu cuenta y te "
        "ayudamos con la configuración. Un abrazo, el equipo de Northwind",
        "Estimada señora Ruiz, esperamos que se encuentre bien. ¿Le gustaría recibir nuestra guía de cierre "
        "mensual? Puede usar la plantilla en su cuenta y con gusto le ayudamos con la configuración. Atentamente, "
        "el equipo de Northwind",
    ),
    "fr": (
        "Salut Anne, jette un œil à ton guide de clôture mensuelle. Tu peux utiliser le modèle dans ton compte et "
        "on t'aide à le configurer. À bientôt, l'équipe Northwind",
        "Bonjour Madame Martin, nous espérons que vous allez bien. Souhaiteriez-vous recevoir notre guide de "
        "clôture mensuelle ? Vous pouvez utiliser le modèle dans votre compte et nous serons ravis de vous aider. "
        "Cordialement, l'équipe Northwind",
    ),
}


def _tone_codes(body: str, locale: str) -> set[str]:
    asset = Asset(kind="email", subject="Monatsabschluss", body=body + FOOTER, tone=LEDGER_EMAIL, locale=locale)
    return {c for c in validate_asset(asset, []).codes() if c.startswith("tone_")}


@pytest.mark.parametrize("locale", ["de", "es", "fr"])
def test_a_too_informal_email_fails_the_tone_check_of_a_formal_tenant_in_its_own_language(locale: str) -> None:
    informal, formal = EMAILS[locale]
    assert "tone_formality" in _tone_codes(informal, locale), estimate_tone(informal, locale)
    assert _tone_codes(formal, locale) == set(), estimate_tone(formal, locale)
    # read with the English list (what the check did before), the informal email passed as neutral copy
    assert "tone_formality" not in _tone_codes(informal, "en")


def test_the_refusal_names_the_informal_address() -> None:
    informal = EMAILS["de"][0]
    named = tone_words(informal, "formality", "low", "de")
    assert {"du", "dir", "deinem"} <= {w.lower() for w in named} and "liebe grüße" in named
    assert tone_words(EMAILS["de"][1], "formality", "low", "de") == [], "'Sie' is not informal"
    assert (
        estimate_tone("Wir bedanken uns, dass sie dabei sind.", "de").formality
        > estimate_tone("Wir freuen uns, dass du dabei bist.", "de").formality
    ), "'du' lowers formality; lowercase 'sie' (they) is not an address"


@pytest.mark.parametrize("locale", LOCALES)
def test_each_language_has_its_own_versioned_lexicon(locale: str) -> None:
    lex = lexicon(locale)
    assert lex.locale == locale and lex.version == load(f"tone_lexicon_{locale}").version
    assert lex.warm and lex.formal and lex.informal
    assert bool(lex.formal_address) == (locale != "en"), "German, Spanish and French tell the formal 'you' apart"
    assert lexicon("pt").locale == "en" and lexicon("de-AT") == lexicon("de")
