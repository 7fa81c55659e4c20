"""Export everything careapp knows about one customer (a subject access request), from the service and
the command line; and a guard that fails when a table holding customer rows is added without the
export and the erase knowing it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from privacy_people import EMAIL, NAME, PHONE_E164, People, make_people, rows_of
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from careapp.cli import main
from careapp.context import Services
from careapp.db.models import Base
from careapp.services.customers.service import CustomerNotFound
from careapp.services.privacy.service import SECTIONS, customer_linked_tables, uncovered_tables


@pytest.fixture
def people(services: Services, tmp_path: Path) -> People:
    return make_people(services, tmp_path)


def test_every_table_that_holds_customer_rows_is_exported_and_erased() -> None:
    assert uncovered_tables(Base.metadata) == []
    # The guard itself sees a new table, by its customer_id column or by a chain of foreign keys.
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("loyalty_card", metadata, Column("id", Integer, primary_key=True), Column("customer_id", Integer))
    Table(
        "loyalty_stamp",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("card_id", ForeignKey("loyalty_card.id")),
    )
    giver = Column("giver", ForeignKey("customer.id"))
    Table("gift", metadata, Column("id", Integer, primary_key=True), giver)
    assert uncovered_tables(metadata) == ["gift", "loyalty_card", "loyalty_stamp"]
    assert {"touch_log", "ticket_audit", "import_change"} <= customer_linked_tables(metadata)


def test_the_export_holds_every_row_of_every_customer_table(services: Services, people: People) -> None:
    counts = rows_of(services, people.zoe)
    assert all(counts.values()), f"the fixture misses rows in {[k for k, v in counts.items() if not v]}"
    document = services.guard.privacy.export_customer(people.zoe)
    assert document["customer"]["display_name"] == NAME
    assert document["customer"]["primary_email"] == EMAIL
    ticket = next(t for t in document["tickets"] if t["id"] == people.ticket_id)
    nested = {
        "contact": ticket["contacts"] + document["contacts"],
        "ticket_state_change": ticket["state_changes"],
        "ticket_audit": ticket["audit"],
        "feedback": ticket["feedback"] + document["feedback"],
        "ticket": document["tickets"],
        "import_change": [c for b in document["import_history"] for c in b["changes_to_this_customer"]],
    }
    for table, section in SECTIONS.items():
        exported = nested.get(table, document.get(section))
        assert exported is not None, section
        assert len(exported) == counts[table], table
    assert document["phones"][0]["e164"] == PHONE_E164
    assert ticket["feedback"][0]["text"] == "Lovely service, thanks"
    assert [f["text"] for f in document["feedback"]] == ["Great shop"]
    assert ticket["state_changes"][-1]["new"] == "resolved"
    assert document["referrals"] == {
        "referred_by": {"id": people.rex, "name": "Rex Barnaby"},
        "referred": [{"id": people.ivy, "name": "Ivy Marsh"}],
    }
    [batch] = document["import_history"]
    [change] = batch["changes_to_this_customer"]
    assert batch["format"] and change["before"]["customer"][0]["id"] == people.zoe
    assert document["touch_log"] and document["touch_log"][0]["body"].startswith("Happy birthday")
    assert document["touches"][0]["payload"] is not None  # the *_json columns are read into structures
    json.dumps(document)  # plain data all the way down


def test_calendar_items_of_the_customer_are_in_the_export(services: Services, people: People) -> None:
    from careapp.context import calendar_service

    calendar_service(services).items()
    document = services.guard.privacy.export_customer(people.zoe)
    sources = {item["source"] for item in document["calendar_items"]}
    assert f"birthday:{people.zoe}" in sources
    assert any(s.startswith("date:") for s in sources)
    assert any(s.startswith("callback:") for s in sources)
    assert all("Zoë" in json.dumps(item["entry"], ensure_ascii=False) for item in document["calendar_items"])
    assert not any("Rex" in json.dumps(item["entry"]) for item in document["calendar_items"])


def test_export_file_is_private_and_the_cli_writes_it(
    services: Services, people: People, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "zoe.json"
    services.guard.privacy.write_export(people.zoe, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["customer"]["first_name"] == "Zoë"

    by_cli = tmp_path / "cli.json"
    assert main(["--data-dir", str(data_dir), "export", "customer", str(people.zoe), str(by_cli)]) == 0
    assert f"Exported everything careapp holds about {NAME}" in capsys.readouterr().out
    assert stat.S_IMODE(by_cli.stat().st_mode) == 0o600
    assert json.loads(by_cli.read_text(encoding="utf-8"))["customer_id"] == people.zoe


def test_export_of_an_unknown_customer_is_a_sentence(
    services: Services, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CustomerNotFound):
        services.guard.privacy.export_customer(424242)
    target = tmp_path / "nobody.json"
    assert main(["--data-dir", str(data_dir), "export", "customer", "424242", str(target)]) == 2
    assert "Customer 424242 no longer exists" in capsys.readouterr().err
    assert not target.exists()
