"""Erasing a customer completely: every row about them goes, others' references are cleared, mentions are
rewritten, the audit row holds none of their data, only the owner may do it, and the SQLite file and its
WAL keep no bytes of them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from privacy_people import (
    EMAIL,
    FIRST,
    LAST,
    NAME,
    OWNER,
    PHONE_E164,
    PHONE_RAW,
    People,
    make_people,
    rows_of,
)
from sqlalchemy import Integer, String, Text, select

from careapp.cli import main
from careapp.context import Services, calendar_service
from careapp.db.models import Base, CustomerRecord, ErasureAuditRecord, TouchRecord
from careapp.services.customers.service import CustomerNotFound
from careapp.services.privacy.service import InvalidErasure
from careapp.services.shop.staff import Actor, PermissionDenied, Role

REASON = "Asked in the shop on 20 November to be forgotten"


@pytest.fixture
def people(services: Services, tmp_path: Path) -> People:
    return make_people(services, tmp_path)


def every_text(services: Services) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value in every table of the database."""
    found = []
    with services.db.session() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in session.execute(select(*columns)) if columns else []:
                found += [(table.name, c.name, v) for c, v in zip(columns, row, strict=True) if v]
    return found


def references_to(services: Services, customer_id: int) -> list[tuple[str, str]]:
    """(table, column) of integer columns pointing at customers that hold ``customer_id``."""
    found = []
    with services.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                to_customer = any(fk.column.table.name == "customer" for fk in column.foreign_keys)
                if (to_customer or column.name == "customer_id") and isinstance(column.type, Integer):
                    if table.name == "erasure_audit":
                        continue
                    if session.scalar(select(column).where(column == customer_id).limit(1)) is not None:
                        found.append((table.name, column.name))
    return found


def mentions(services: Services, people: People) -> list[tuple[str, str, str]]:
    needles = [s.casefold() for s in people.secrets()]
    keyed = [f"referral_thanks:{people.zoe}", f"birthday:{people.zoe}"]
    return [
        (t, c, v)
        for t, c, v in every_text(services)
        if any(n in v.casefold() for n in needles) or any(k in v for k in keyed)
    ]


def test_erase_leaves_nothing_of_the_customer_anywhere(services: Services, people: People) -> None:
    calendar_service(services).items()  # her birthday, anniversary, touch and callback in calendar_item
    assert mentions(services, people), "the fixture should mention her in several tables before"
    before = rows_of(services, people.zoe)

    report = services.guard.erase_customer(OWNER, people.zoe, REASON)

    assert mentions(services, people) == []
    assert references_to(services, people.zoe) == []
    assert all(v == 0 for v in rows_of(services, people.zoe).values())
    for table, count in before.items():
        assert report.counts[table] == count, table
    assert report.counts["calendar_item"] >= 3
    assert report.counts["referrals_cleared"] == 1
    assert report.counts["mentions_rewritten"] >= 1  # Ned's notes
    with services.db.session() as session:
        ivy = session.get(CustomerRecord, people.ivy)
        assert ivy is not None and ivy.referred_by_id is None
        ned = session.get(CustomerRecord, people.ned)
        assert ned is not None and ned.notes == "Comes in with [erased] ([erased])"
        keys = set(session.scalars(select(TouchRecord.key)))
        assert f"referral_thanks:{people.zoe}" not in keys
    # The others are otherwise untouched.
    assert services.customers.get(people.rex).display_name() == "Rex Barnaby"
    assert services.customers.get(people.ivy).emails[0].address == "ivy@example.net"


def test_the_audit_row_says_who_when_why_and_how_many_and_nothing_personal(
    services: Services, people: People
) -> None:
    report = services.guard.erase_customer(OWNER, people.zoe, REASON)
    with services.db.session() as session:
        [audit] = session.scalars(select(ErasureAuditRecord)).all()
        assert (audit.customer_id, audit.by, audit.reason) == (people.zoe, "Olive", REASON)
        assert audit.at == services.clock()
        counts = json.loads(audit.counts_json)
        assert counts["customer"] == 1 and counts["contact"] == report.counts["contact"]
        text = " ".join([audit.by, audit.reason, audit.counts_json]).casefold()
    for secret in [*people.secrets(), "Zoë", "zoe"]:
        assert secret.casefold() not in text
    assert services.guard.privacy.erasures()[0]["customer_id"] == people.zoe


@pytest.mark.parametrize(
    "reason", [f"{NAME} asked", f"request from {EMAIL}", f"rang from {PHONE_RAW}", "zoë"]
)
def test_a_reason_that_names_the_customer_is_refused_and_nothing_changes(
    services: Services, people: People, reason: str
) -> None:
    before = rows_of(services, people.zoe)
    with pytest.raises(InvalidErasure, match="must not name the customer"):
        services.guard.erase_customer(OWNER, people.zoe, reason)
    with pytest.raises(InvalidErasure, match="Say why"):
        services.guard.erase_customer(OWNER, people.zoe, "   ")
    assert rows_of(services, people.zoe) == before
    assert services.customers.get(people.zoe).display_name() == NAME


def test_only_the_owner_may_erase(services: Services, people: People) -> None:
    services.staff.add(Actor("Olive"), "Olive", Role.OWNER)
    services.staff.add(Actor("Olive"), "Sam", Role.STAFF)
    with pytest.raises(PermissionDenied, match="Only the owner can erase customers completely"):
        services.guard.erase_customer(Actor("Sam"), people.zoe, REASON)
    assert services.customers.get(people.zoe).display_name() == NAME
    services.guard.erase_customer(Actor("Olive"), people.zoe, REASON)
    with pytest.raises(CustomerNotFound):
        services.customers.get(people.zoe)
    with pytest.raises(CustomerNotFound):  # twice: the second finds nobody, and says so
        services.guard.erase_customer(Actor("Olive"), people.zoe, REASON)


def test_erase_leaves_no_undo(services: Services, people: People) -> None:
    """A delete keeps a snapshot to undo; an erase returns none, and a delete's snapshot of someone
    else still restores them without bringing her back."""
    deleted_ned = services.guard.delete_customer(OWNER, people.ned)
    report = services.guard.erase_customer(OWNER, people.zoe, REASON)
    assert not hasattr(report, "snapshot_json")
    services.guard.undo_delete(OWNER, deleted_ned)
    assert services.customers.get(people.ned).display_name() == "Ned Fallow"
    with pytest.raises(CustomerNotFound):
        services.customers.get(people.zoe)


def test_the_cli_asks_for_yes_and_refuses_staff(
    services: Services, people: People, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(data_dir), "erase", "customer", str(people.zoe), "--reason", REASON]
    assert main(base) == 2
    assert "cannot be undone; add --yes" in capsys.readouterr().err
    services.staff.add(Actor("Olive"), "Olive", Role.OWNER)
    services.staff.add(Actor("Olive"), "Sam", Role.STAFF)
    assert main([*base, "--yes", "--as", "Sam"]) == 2
    assert "Only the owner can erase customers completely" in capsys.readouterr().err
    assert services.customers.get(people.zoe).display_name() == NAME
    assert main([*base, "--yes", "--as", "Olive"]) == 0
    assert f"Erased customer {people.zoe}:" in capsys.readouterr().out
    with pytest.raises(CustomerNotFound):
        services.customers.get(people.zoe)


@pytest.mark.sqlite_only
def test_the_database_file_and_its_wal_keep_no_bytes_of_her(
    services: Services, people: People, data_dir: Path
) -> None:
    calendar_service(services).items()
    files = [data_dir / "careapp.db", data_dir / "careapp.db-wal"]

    def found() -> list[str]:
        hits = []
        for path in files:
            data = path.read_bytes() if path.exists() else b""
            for secret in (NAME, LAST, EMAIL, PHONE_E164, "Quillfeather".lower()):
                for form in {secret.encode(), secret.encode("utf-8").lower()}:
                    if form in data:
                        hits.append(f"{path.name}: {secret}")
        return hits

    assert found(), "the name should be in the file before"
    report = services.guard.erase_customer(OWNER, people.zoe, REASON)
    assert report.scrubbed
    assert found() == []
    # The app keeps working on the scrubbed file.
    assert services.customers.get(people.rex).display_name() == "Rex Barnaby"
    with services.db.session() as session:
        assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert session.connection().exec_driver_sql("PRAGMA secure_delete").scalar() == 1


@pytest.mark.sqlite_only
def test_an_erase_still_succeeds_when_another_program_holds_the_file(
    services: Services, people: People, data_dir: Path
) -> None:
    """The erase is committed first; compacting the file is best effort and says when it could not."""
    import sqlite3

    from careapp.services.privacy.service import scrub_free_space

    other = sqlite3.connect(data_dir / "careapp.db", timeout=0.1, isolation_level=None)
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM customer").fetchone()  # another seat reading: a snapshot
        report = services.guard.erase_customer(OWNER, people.zoe, REASON)
        assert report.scrubbed is False and "could not be compacted" in report.compact_note()
        with pytest.raises(CustomerNotFound):
            services.customers.get(people.zoe)
    finally:
        other.execute("COMMIT")
        other.close()
    assert scrub_free_space(services.db) is True


def test_what_another_customer_shares_with_her_is_not_rewritten(services: Services, people: People) -> None:
    """Her name, a phone and an email (in other letters' case) that another customer also has are theirs
    too: mentions of those stay; her own email and phone are still rewritten."""
    from careapp.domain.customer import CustomerDraft, EmailAddress, PhoneNumber

    shared_email, shared_raw, shared_e164 = "Family.Quillfeather@Example.org", "01632 960123", "+441632960123"
    zoe = services.customers.get(people.zoe)
    services.customers.update(
        people.zoe,
        replace(
            zoe.draft(),
            emails=[*zoe.emails, EmailAddress(shared_email.lower())],
            phones=[*zoe.phones, PhoneNumber(shared_raw, shared_e164, "home")],
        ),
        zoe.version,
        "Olive",
    )
    note = f"Ask {NAME} or ring {shared_raw} / {shared_e164}, {shared_email}; she is on {EMAIL}"
    twin = CustomerDraft(
        first_name=FIRST,
        last_name=LAST,
        emails=[EmailAddress(shared_email)],
        phones=[PhoneNumber(shared_raw, shared_e164, "home")],
        notes=note,
    )
    other = services.customers.create(twin, "Olive").id

    services.guard.erase_customer(OWNER, people.zoe, REASON)

    kept = services.customers.get(other)
    assert (
        kept.notes == f"Ask {NAME} or ring {shared_raw} / {shared_e164}, {shared_email}; she is on [erased]"
    )
    assert kept.display_name() == NAME
