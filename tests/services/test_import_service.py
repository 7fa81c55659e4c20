"""Import service: preview, apply in one transaction, merge/update rules, undo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from careapp.context import Services
from careapp.domain.customer import Channel, CustomerDraft, EmailAddress
from careapp.domain.phones import make_phone
from careapp.services.customers.importer import ImportCancelled, NothingToUndo, UndoWouldLoseEdits

SHOPIFY_HEADER = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,"
    "Default Address Province Code,Default Address Country Code,"
    "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags"
)


def shopify_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "customers_export.csv"
    path.write_text("\n".join((SHOPIFY_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


ROWS = (
    # line 2: new
    "Ann,Evans,ann@example.com,yes,,1 High St,,Cardiff,,GB,CF10 1AA,,'+442920180123,no,120.00,3,,no,coffee",
    # line 3: matches a customer already in careapp by email (different case)
    "Bob,Hughes,BOB@example.com,no,,,,,,,,,,no,0.00,0,Prefers mornings,no,",
    # line 4: same phone as line 2: merged into Ann
    "Annie,Evans,,no,,,,,,,,,'+44 29 2018 0123,no,0.00,0,,no,tea",
    # line 5: no name, no email, no phone: rejected
    ",,,no,,,,,,,,,,no,0.00,0,,no,",
    # line 6: bad email: rejected
    "Cy,Jones,cy-at-example,no,,,,,,,,,,no,0.00,0,,no,",
)


@pytest.fixture
def bob(services: Services) -> int:
    draft = CustomerDraft(first_name="Bob", last_name="Hughes", emails=[EmailAddress("bob@example.com")])
    return services.customers.create(draft, "Sam").id


def test_preview_changes_nothing_and_reports_every_row(services: Services, bob: int, tmp_path: Path) -> None:
    summary = services.imports.preview(shopify_file(tmp_path, *ROWS))
    assert summary.dry_run
    assert (summary.count("create"), summary.count("update"), summary.count("merge")) == (1, 1, 1)
    assert [(r.line, r.action) for r in summary.rows] == [
        (2, "create"),
        (3, "update"),
        (4, "merge"),
        (5, "reject"),
        (6, "reject"),
    ]
    assert "cy-at-example" in summary.rejected_rows[1].reason
    assert services.customers.count() == 1


def test_apply_creates_updates_merges_and_records_consent(
    services: Services, bob: int, tmp_path: Path
) -> None:
    summary = services.imports.apply(shopify_file(tmp_path, *ROWS), "Sam")
    assert not summary.dry_run and summary.batch_id is not None
    assert services.customers.count() == 2
    ann_id = services.customers.search_ids("evans")[0]
    ann = services.customers.get(ann_id)
    assert ann.first_name == "Ann"  # the first row wins; the merged row only fills gaps
    assert ann.tags == ["coffee", "tea"]
    assert [p.e164 for p in ann.phones] == ["+442920180123"]
    assert {s.channel: s.granted for s in ann.consents}[Channel.EMAIL] is True
    updated_bob = services.customers.get(bob)
    assert updated_bob.notes == "Prefers mornings"
    assert updated_bob.version == 2 and updated_bob.updated_by == "Sam"


def test_reimporting_the_same_file_changes_nothing(services: Services, tmp_path: Path) -> None:
    path = shopify_file(tmp_path, ROWS[1])
    services.imports.apply(path, "Sam")
    again = services.imports.preview(path)
    assert [r.action for r in again.rows] == ["unchanged"]


def test_undo_removes_created_and_restores_updated(services: Services, bob: int, tmp_path: Path) -> None:
    before = services.customers.get(bob)
    services.imports.apply(shopify_file(tmp_path, *ROWS), "Sam")
    result = services.imports.undo_last()
    assert (result.removed, result.restored) == (1, 1)
    assert services.customers.count() == 1
    after = services.customers.get(bob)
    assert after.notes == before.notes == ""
    assert after.version > before.version  # the restore is itself a change
    assert services.customers.consent_history(bob) == []
    with pytest.raises(NothingToUndo):
        services.imports.undo_last()


def test_undo_refuses_when_imported_customers_were_edited(services: Services, tmp_path: Path) -> None:
    services.imports.apply(shopify_file(tmp_path, ROWS[0]), "Sam")
    ann = services.customers.get(services.customers.search_ids("ann")[0])
    draft = ann.draft()
    draft.notes = "Edited after the import"
    services.customers.update(ann.id, draft, ann.version, "Jo")
    with pytest.raises(UndoWouldLoseEdits, match="Ann Evans"):
        services.imports.undo_last()
    assert services.customers.count() == 1
    services.imports.undo_last(force=True)
    assert services.customers.count() == 0


def test_cancel_mid_import_leaves_nothing_behind(services: Services, tmp_path: Path) -> None:
    rows = [f"P{i},Q,p{i}@example.com,no,,,,,,,,,,no,0,0,,no," for i in range(1200)]
    calls: list[int] = []

    def cancel_after_first_progress() -> bool:
        return bool(calls)

    with pytest.raises(ImportCancelled):
        services.imports.apply(
            shopify_file(tmp_path, *rows),
            "Sam",
            progress=lambda done, total: calls.append(done),
            cancelled=cancel_after_first_progress,
        )
    assert calls and calls[0] < 1200  # it really was part-way through
    assert services.customers.count() == 0
    assert services.imports.last_undoable() is None


def test_phone_match_uses_e164(services: Services, tmp_path: Path) -> None:
    existing = services.customers.create(
        CustomerDraft(first_name="Dee", phones=[make_phone("029 2018 0123", "GB")]), "Sam"
    )
    summary = services.imports.preview(shopify_file(tmp_path, ROWS[2]))
    assert [(r.action, r.customer_id) for r in summary.rows] == [("update", existing.id)]


def test_clock_is_used_for_batch_time(services: Services, clock: list[dt.datetime], tmp_path: Path) -> None:
    clock[0] = dt.datetime(2027, 1, 2, 3, 4)
    services.imports.apply(shopify_file(tmp_path, ROWS[0]), "Sam")
    undoable = services.imports.last_undoable()
    assert undoable is not None and undoable[2] == dt.datetime(2027, 1, 2, 3, 4)


def test_consent_no_is_kept_as_declined_with_its_source_and_once(services: Services, tmp_path: Path) -> None:
    """Issue 14: a file's explicit "no" is an answer, kept as a declined event with the file as its
    source (it used to be dropped, so every imported customer was "never asked"); over a "yes"
    careapp holds it is a withdrawal; importing the file again records nothing more."""
    from careapp.domain.customer import ConsentEvent

    held = services.customers.create(
        CustomerDraft(first_name="Bob", emails=[EmailAddress("bob@example.com")]), "Sam"
    )
    services.customers.record_consent(
        held.id, ConsentEvent(Channel.EMAIL, True, dt.datetime(2025, 5, 1), "form")
    )
    services.imports.apply(
        shopify_file(tmp_path, ROWS[1], ROWS[4].replace("cy-at-example", "cy@example.com")), "Sam"
    )
    bob_history = services.customers.consent_history(held.id)
    assert [(e.channel, e.granted) for e in bob_history][:1] == [(Channel.EMAIL, True)]
    # Email withdrawn over the "yes" careapp held; text messages declined (never asked before).
    assert {(e.channel, e.granted) for e in bob_history[1:]} == {(Channel.EMAIL, False), (Channel.SMS, False)}
    cy_id = services.customers.search_ids("cy@example.com")[0]
    declined = {e.channel: e for e in services.customers.consent_history(cy_id)}
    assert set(declined) == {Channel.EMAIL, Channel.SMS}
    email = declined[Channel.EMAIL]
    assert (email.granted, email.method) == (False, "import: Shopify export")
    assert "customers_export.csv" in email.note and "Accepts Email Marketing" in email.note
    services.imports.apply(
        shopify_file(tmp_path, ROWS[1], ROWS[4].replace("cy-at-example", "cy@example.com")), "Sam"
    )
    assert len(services.customers.consent_history(cy_id)) == 2  # the same file again: nothing new
    assert len(services.customers.consent_history(held.id)) == 3


def test_a_file_over_the_limit_is_refused_before_reading(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import careapp.services.customers.importer as importer

    path = shopify_file(tmp_path, ROWS[0])
    monkeypatch.setattr(importer, "MAX_IMPORT_BYTES", path.stat().st_size - 1)
    with pytest.raises(importer.ImportFileError, match="Split it into smaller files"):
        services.imports.preview(path)
