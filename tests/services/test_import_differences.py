"""Issue 18, defect 5: a re-imported birthday (or name) that differs from careapp's is named in the
preview, kept unless the user takes the file's values, and the calendar follows when they do. Through
the real import service and the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from careapp.cli import main
from careapp.context import Services, calendar_service
from careapp.domain.calendar import ItemKind
from careapp.domain.customer import CustomerDraft, EmailAddress, PartialDate
from careapp.services.customers.importer import ImportSummary

HEADER = "First Name,Last Name,Email,Birthday"


def csv_file(tmp_path: Path, *rows: str, name: str = "again.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ann_and_bob(services: Services) -> tuple[int, int]:
    """Ann born 4 May 1990 and Bob born 1 July (year unknown), as careapp holds them."""

    def create(first: str, last: str, birthday: PartialDate) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            birthday=birthday,
        )
        return services.customers.create(draft, "Sam").id

    return create("Ann", "Evans", PartialDate(5, 4, 1990)), create("Bob", "Jones", PartialDate(7, 1))


# Line 2: Ann's birthday a day earlier; line 3: Bob as "Bobby", with a year careapp does not know;
# line 4: a new customer; line 5: Ann again by email, with the day careapp has (no difference).
ROWS = (
    "Ann,Evans,ann@example.com,1990-05-03",
    "Bobby,Jones,bob@example.com,1980-07-01",
    "Cy,Hughes,cy@example.com,1975-02-11",
    "Ann,Evans,ANN@example.com,1990-05-04",
)


def texts(summary: ImportSummary) -> dict[int, list[str]]:
    from careapp.domain.import_differences import difference_text

    return {
        row.line: [difference_text(d, row.took_file_values) for d in row.differences]
        for row in summary.differing_rows
    }


def test_the_preview_names_each_field_that_differs_and_keeps_careapps(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = ann_and_bob
    summary = services.imports.preview(csv_file(tmp_path, *ROWS))
    assert texts(summary) == {
        2: ["birthday: file 3 May 1990, careapp 4 May 1990 — kept careapp's"],
        3: [
            "first name: file Bobby, careapp Bob — kept careapp's",
            "birthday: file 1 July 1980, careapp 1 July — kept careapp's",
        ],
    }
    by_line = {row.line: row for row in summary.rows}
    assert [by_line[line].action for line in (2, 3, 4, 5)] == ["unchanged", "unchanged", "create", "merge"]
    assert (by_line[2].customer_id, by_line[3].customer_id) == (ann, bob)
    # The birthday shown is the one careapp will keep.
    assert by_line[2].birthday == PartialDate(5, 4, 1990)
    assert services.customers.get(ann).birthday == PartialDate(5, 4, 1990)


def test_an_import_keeps_careapps_values_unless_told_and_says_so(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = ann_and_bob
    summary = services.imports.apply(csv_file(tmp_path, *ROWS), "Sam")
    assert [len(row.differences) for row in summary.differing_rows] == [1, 2]
    assert not any(row.took_file_values for row in summary.rows)
    assert services.customers.get(ann).birthday == PartialDate(5, 4, 1990)
    assert services.customers.get(bob).first_name == "Bob"
    assert services.customers.get(bob).birthday == PartialDate(7, 1)


def test_taking_the_files_values_for_every_row(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = ann_and_bob
    summary = services.imports.apply(csv_file(tmp_path, *ROWS), "Sam", take_file_values=True)
    assert texts(summary)[2] == ["birthday: file 3 May 1990, careapp 4 May 1990 — took the file's"]
    assert {row.line: row.action for row in summary.rows if row.line in (2, 3)} == {2: "update", 3: "update"}
    assert services.customers.get(ann).birthday == PartialDate(5, 3, 1990)
    bobby = services.customers.get(bob)
    assert (bobby.first_name, bobby.birthday) == ("Bobby", PartialDate(7, 1, 1980))
    # Undo puts careapp's values back.
    services.imports.undo_last()
    assert services.customers.get(ann).birthday == PartialDate(5, 4, 1990)
    assert services.customers.get(bob).first_name == "Bob"


def test_taking_the_files_values_for_chosen_lines_only(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = ann_and_bob
    summary = services.imports.apply(csv_file(tmp_path, *ROWS), "Sam", take_file_values=frozenset({3}))
    assert [row.line for row in summary.rows if row.took_file_values] == [3]
    assert services.customers.get(ann).birthday == PartialDate(5, 4, 1990)
    assert services.customers.get(bob).first_name == "Bobby"


def test_the_wizards_local_tick_gives_what_a_new_preview_gives(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    """The wizard recomputes its counts from the first preview on each tick; a second preview with
    the same choice (what the import will do) must agree, merge rows included."""
    # Line 6 merges into line 2 (Ann by email) and differs itself: a last name careapp does not have.
    path = csv_file(tmp_path, *ROWS, "Ann,Evans-Lee,ann@example.com,")
    first = services.imports.preview(path)
    for chosen in (frozenset(), frozenset({2}), frozenset({3}), frozenset({6}), frozenset({2, 3, 6})):
        assert first.with_file_values(chosen) == services.imports.preview(path, take_file_values=chosen), (
            chosen
        )
    assert first.with_file_values(frozenset({2, 3, 6})) == services.imports.preview(
        path, take_file_values=True
    )


def birthday_events(services: Services) -> dict[str, tuple[str, dt.date | dt.datetime, int]]:
    feed = calendar_service(services).feed_text([ItemKind.BIRTHDAYS])
    return {
        str(event["SUMMARY"]): (str(event["UID"]), event["DTSTART"].dt, int(event.get("SEQUENCE", 0)))
        for event in Calendar.from_ical(feed).walk("VEVENT")
    }


def test_the_calendar_follows_the_birthday_the_import_takes(
    services: Services, ann_and_bob: tuple[int, int], tmp_path: Path
) -> None:
    calendar = calendar_service(services)
    calendar.items([ItemKind.BIRTHDAYS])  # what a sync would have pushed: Ann on 4 May
    uid, start, sequence = birthday_events(services)["Birthday: Ann E."]
    assert (start.month, start.day) == (5, 4)
    services.imports.apply(csv_file(tmp_path, *ROWS), "Sam")
    assert birthday_events(services)["Birthday: Ann E."] == (uid, start, sequence)  # careapp's kept
    services.imports.apply(csv_file(tmp_path, *ROWS, name="again2.csv"), "Sam", take_file_values=True)
    calendar.items([ItemKind.BIRTHDAYS])
    moved_uid, moved_start, moved_sequence = birthday_events(services)["Birthday: Ann E."]
    assert (moved_uid, (moved_start.month, moved_start.day)) == (uid, (5, 3))
    assert moved_sequence > sequence


def test_the_command_line_lists_differences_and_takes_the_files_values_when_asked(
    services: Services,
    ann_and_bob: tuple[int, int],
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ann, _bob = ann_and_bob
    path = csv_file(tmp_path, *ROWS)
    assert main(["--data-dir", str(data_dir), "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "  2 lines differ from careapp:" in out
    assert "  line 2 (Ann Evans): birthday: file 3 May 1990, careapp 4 May 1990 — kept careapp's" in out
    assert "add --take-file-values" in out
    assert services.customers.get(ann).birthday == PartialDate(5, 4, 1990)
    code = main(["--data-dir", str(data_dir), "import", str(path), "--take-file-values", "--format", "json"])
    assert code == 0
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["updated"] == 2 and result["unchanged"] == 0
    assert result["differences"][0]["fields"][0] == {
        "field": "birthday",
        "file": "3 May 1990",
        "careapp": "4 May 1990",
        "text": "birthday: file 3 May 1990, careapp 4 May 1990 — took the file's",
    }
    assert services.customers.get(ann).birthday == PartialDate(5, 3, 1990)
