"""PII redaction for logs and audit: every kind found, tokens stable, the mapping kept only where allowed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.guardrails.pii import luhn_ok
from hyperjourney.guardrails.pii_vault import audit_redacted, keeps_mapping, reveal, set_keep_mapping
from hyperjourney.guardrails.redaction import RedactingFilter, redact, redact_payload
from hyperjourney.settings import Settings

TEXT = (
    "Email ana.ruiz@example.com or call +1 (415) 555-0199. Card 4111 1111 1111 1111, "
    "IBAN DE89 3704 0044 0532 0130 00, ship to 42 Maple Street, Apt 3. Order total $129.00 on 2026-03-01."
)


def test_redacts_every_kind_and_keeps_the_rest() -> None:
    r = redact(TEXT)
    for value in ("ana.ruiz@example.com", "555-0199", "4111 1111 1111 1111", "DE89 3704", "42 Maple Street"):
        assert value not in r.text
    assert "$129.00" in r.text and "2026-03-01" in r.text
    kinds = {token.split("_")[0].strip("[") for token in r.mapping}
    assert kinds == {"EMAIL", "PHONE", "CARD", "IBAN", "ADDRESS"}
    assert redact(TEXT).text == r.text  # deterministic tokens
    assert set(r.mapping.values()) >= {"ana.ruiz@example.com", "4111 1111 1111 1111"}


def test_card_numbers_need_a_valid_luhn_checksum() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert "4111111111111112" in redact("ref 4111111111111112").text


def test_payloads_and_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    mapping: dict[str, str] = {}
    clean = redact_payload({"body": "mail bob@example.net", "n": 3, "list": ["call 020 7946 0958"]}, mapping)
    assert "bob@example.net" not in str(clean) and clean["n"] == 3 and len(mapping) == 2
    logger = logging.getLogger("hj-redaction-test")
    handler_filter = RedactingFilter()
    logger.addFilter(handler_filter)
    with caplog.at_level(logging.INFO, logger="hj-redaction-test"):
        logger.info("customer %s wrote", "ana.ruiz@example.com")
    assert "ana.ruiz@example.com" not in caplog.text and "[EMAIL_" in caplog.text


def test_installed_log_redaction_covers_every_logger(caplog: pytest.LogCaptureFixture) -> None:
    from hyperjourney.guardrails.redaction import install_log_redaction

    before = logging.getLogRecordFactory()
    try:
        install_log_redaction()
        install_log_redaction()
        with caplog.at_level(logging.WARNING):
            logging.getLogger("some.library").warning("card %s for %s", "4111 1111 1111 1111", "bob@example.net")
    finally:
        logging.setLogRecordFactory(before)
    assert "4111" not in caplog.text and "bob@example.net" not in caplog.text and "[CARD_" in caplog.text


def test_mapping_is_kept_only_where_the_tenant_allows(db: Database, make_tenant) -> None:  # type: ignore[no-untyped-def]
    keeps, forgets = make_tenant("pv"), make_tenant("pv")
    with db.tenant(keeps) as conn:
        set_keep_mapping(conn, True, actor="admin")
    for tenant in (keeps, forgets):
        with db.tenant(tenant) as conn:
            audit_redacted(conn, actor="bot", action="reply_draft", payload={"to": "ana.ruiz@example.com"})
    with db.tenant(keeps) as conn:
        stored = conn.execute("SELECT payload->>'to' FROM audit_log WHERE action = 'reply_draft'").fetchone()
        assert stored is not None and stored[0].startswith("[EMAIL_")
        assert reveal(conn, stored[0]) == "ana.ruiz@example.com"
        assert audit.verify(conn).ok
    with db.tenant(forgets) as conn:
        assert not keeps_mapping(conn)
        token = conn.execute("SELECT payload->>'to' FROM audit_log WHERE action = 'reply_draft'").fetchone()
        assert token is not None and reveal(conn, token[0]) == token[0]
        assert conn.execute("SELECT count(*) FROM pii_vault").fetchone() == (0,)
    with db.tenant(keeps) as conn:
        set_keep_mapping(conn, False, actor="admin")
        assert conn.execute("SELECT count(*) FROM pii_vault").fetchone() == (0,)


def _unkeyed(kind: str, value: str) -> str:
    """What tokens used to be: a plain hash anyone can recompute from a guessed value."""
    import hashlib

    return f"[{kind.upper()}_{hashlib.sha256(f'{kind}:{value}'.encode()).hexdigest()[:8]}]"


def _audited_token(db: Database, tenant: str, phone: str) -> str:
    with db.tenant(tenant) as conn:
        audit_redacted(conn, actor="bot", action="call_note", payload={"note": f"call {phone}"})
        row = conn.execute(
            "SELECT payload->>'note' FROM audit_log WHERE action = 'call_note' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    return str(row[0]).removeprefix("call ")


def test_tokens_are_keyed_per_tenant_stable_within_it_and_not_guessable(db: Database, make_tenant) -> None:  # type: ignore[no-untyped-def]
    from hyperjourney.guardrails.redaction import token_for

    phone = "+1 (415) 555-0199"
    a, b = make_tenant("salt"), make_tenant("salt")
    first, again, other = _audited_token(db, a, phone), _audited_token(db, a, phone), _audited_token(db, b, phone)
    assert first == again and first.startswith("[PHONE_") and len(first) == len("[PHONE_]") + 16
    assert other != first  # the same number reads differently in another tenant
    for guess in ("+1 (415) 555-0198", phone):  # recomputing from a guessed number without the key finds nothing
        assert first not in (_unkeyed("phone", guess), token_for("phone", guess, b""))


def test_the_tenant_key_is_made_once_never_changed_and_never_stored_in_the_audit_log(db: Database, tenant: str) -> None:
    import psycopg

    from hyperjourney.guardrails.redaction_keys import forget_cached_keys, tenant_key, tenant_key_in

    with pytest.raises(RuntimeError), db.tenant(tenant) as conn:  # made in a transaction that rolls back: gone
        tenant_key_in(conn)
        raise RuntimeError("roll back")
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM tenant_secrets").fetchone() == (0,)
    with pytest.raises(ValueError, match="tenant-bound connection"), db.admin() as admin:
        tenant_key_in(admin)
    token = _audited_token(db, tenant, "020 7946 0958")
    key = tenant_key(db, tenant)
    forget_cached_keys()
    assert tenant_key(db, tenant) == key and len(key) == 32
    assert _audited_token(db, tenant, "020 7946 0958") == token  # stable across processes (re-read from Postgres)
    for statement in ("UPDATE tenant_secrets SET secret = secret || 'x'", "DELETE FROM tenant_secrets"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant(tenant) as conn:
            conn.execute(statement)
    with db.tenant(tenant) as conn:
        payloads = " ".join(str(r[0]) for r in conn.execute("SELECT payload FROM audit_log"))
    assert key.hex() not in payloads and "\\x" + key.hex() not in payloads


def test_reveal_still_reads_tokens_stored_before_keyed_redaction(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        set_keep_mapping(conn, True, actor="admin")
        legacy = _unkeyed("email", "old.customer@example.com")
        conn.execute(
            "INSERT INTO pii_vault (token, original, kind) VALUES (%s, %s, 'email')",
            (legacy, "old.customer@example.com"),
        )
        audit_redacted(conn, actor="bot", action="reply_draft", payload={"to": "new.customer@example.com"})
        new = conn.execute("SELECT payload->>'to' FROM audit_log WHERE action = 'reply_draft'").fetchone()
        assert new is not None
        assert reveal(conn, f"from {legacy} to {new[0]}") == "from old.customer@example.com to new.customer@example.com"


def test_process_logs_use_the_installation_key_file(settings) -> None:  # type: ignore[no-untyped-def]
    import stat

    from hyperjourney.guardrails.redaction_keys import forget_cached_keys

    forget_cached_keys()
    first = redact("call 020 7946 0958").text
    path = settings.home_dir / "secrets" / "redaction.key"
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    forget_cached_keys()
    assert redact("call 020 7946 0958").text == first != f"call {_unkeyed('phone', '020 7946 0958')}"


def test_without_a_writable_home_every_process_shares_the_key_in_postgres(
    db: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hyperjourney.guardrails import redaction_keys

    unwritable = tmp_path / "a-file"
    unwritable.write_text("not a directory")  # mkdir under it fails for any user, root included
    readonly = settings.model_copy(update={"home": unwritable / "home", "database_url": SecretStr(db.admin_url)})
    monkeypatch.setattr(redaction_keys, "get_settings", lambda: readonly)
    redaction_keys.forget_cached_keys()
    first = redaction_keys.install_key()
    redaction_keys.forget_cached_keys()  # another process
    assert redaction_keys.install_key() == first
    with db.admin() as conn:
        assert conn.execute("SELECT value FROM installation_secrets WHERE name = 'redaction'").fetchone() == (first,)
    redaction_keys.forget_cached_keys()


def test_no_token_ever_looks_like_a_number_to_the_pii_detectors() -> None:
    """Hex tokens held a 13-digit run now and then, which the card pattern (and the safety eval) read as a card."""
    from hyperjourney.guardrails.pii import find_pii

    for i in range(3000):
        key = i.to_bytes(4, "big")
        token = next(iter(redact(f"card 4111 1111 1111 1111 call +1 (415) 555-{i % 10000:04d}", key).mapping))
        assert not any(ch.isdigit() for ch in token), token
        assert list(find_pii(f"Your reference: {token}.")) == [], token
