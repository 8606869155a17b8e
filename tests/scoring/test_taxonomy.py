"""The tenant's intent taxonomy: learned from labels, descriptions and routes set from a file, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.agents.tone import intent_list
from hyperjourney.db.database import Database
from hyperjourney.scoring import taxonomy
from hyperjourney.scoring.text import FALLBACK_VERSION, INTENTS, classify_ticket
from tests.cli_runner import invoke


def _label(db: Database, tenant: str, intents: list[str]) -> None:
    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO customers (tenant_id, customer_id) VALUES (current_tenant(), 'c1')")
        for n, intent in enumerate(intents):
            conn.execute(
                "INSERT INTO tickets (tenant_id, ticket_id, customer_id, channel, subject, status, labels, opened_at, "
                "updated_at) VALUES (current_tenant(), %s, 'c1', 'email', 's', 'open', jsonb_build_object('intent', "
                "%s::text), now(), now())",
                (f"t{n}", intent),
            )


def test_taxonomy_from_labels_with_descriptions_and_routes(db: Database, tenant: str, tmp_path: Path) -> None:
    _label(db, tenant, ["lost_card", "lost_card", "pin_blocked"])
    spec = tmp_path / "taxonomy.yaml"
    spec.write_text("- intent: lost_card\n  description: the card is lost or stolen\n  route: cards-team\n")
    entries = taxonomy.parse(spec)
    with db.tenant(tenant) as conn:
        taxonomy.store(conn, entries)
        found = taxonomy.load(conn)
    assert found.names() == ["lost_card", "pin_blocked"]
    assert [e.tickets for e in found.intents] == [2, 1]
    assert found.route("lost_card") == "cards-team" and found.route("pin_blocked") is None
    assert "- lost_card: the card is lost or stolen" in found.prompt_lines()


def test_bad_taxonomy_file_names_the_line_and_stores_nothing(db: Database, tenant: str, tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.csv"
    bad.write_text("intent,description,route\nlost_card,lost,cards\n,missing intent,cards\n")
    with pytest.raises(ValueError, match=r"line 3: field 'intent'"):
        taxonomy.parse(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("intent,route\na,x\na,y\n")
    with pytest.raises(ValueError, match="line 3: intent 'a' appears twice"):
        taxonomy.parse(dup)


def test_packaged_model_says_so_without_tenant_models(db: Database, tenant: str) -> None:
    result = classify_ticket("My parcel has not arrived yet, where is it?", db=db, tenant=tenant)
    assert result.source == "packaged" and result.model_version == FALLBACK_VERSION
    assert sorted(result.intents) == sorted(INTENTS)


def test_classification_carries_the_route_and_the_prompt_lists_the_intents(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    spec = tmp_path / "taxonomy.csv"
    spec.write_text("intent,description,route\nshipping_delay,a parcel is late or lost,logistics-queue\n")
    with db.tenant(tenant) as conn:
        taxonomy.store(conn, taxonomy.parse(spec))
    result = classify_ticket("My parcel has not arrived yet, tracking has not moved.", db=db, tenant=tenant)
    assert result.intent == "shipping_delay" and result.route == "logistics-queue"

    listed = intent_list(result)
    assert "shipping_delay (a parcel is late or lost)" in listed
    assert listed.count(",") == len(INTENTS) - 1


def test_cli_taxonomy_set_show_and_train_tickets(db: Database, tenant: str, tmp_path: Path) -> None:
    _label(db, tenant, ["lost_card", "pin_blocked"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("- intent: lost_card\n  colour: red\n")
    code, out = invoke("models", "taxonomy", "set", str(bad), "--tenant", tenant)
    assert code == 1 and "item 1: unknown field 'colour'" in out
    good = tmp_path / "good.yaml"
    good.write_text("intents:\n  - intent: lost_card\n    route: cards-team\n")
    code, out = invoke("models", "taxonomy", "set", str(good), "--tenant", tenant)
    assert code == 0 and "stored 1 intents" in out
    code, out = invoke("models", "taxonomy", "show", "--tenant", tenant)
    assert code == 0 and "cards-team" in out and "pin_blocked" in out
    code, out = invoke("models", "train-tickets", "--tenant", tenant)
    assert code == 1 and "0 tickets with an intent label and a customer message (need 60)" in out
    assert "2 labelled tickets have no customer message" in out
