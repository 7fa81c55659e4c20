"""Bad rows are reported by the line they start on, with a reason; good rows are not affected."""

import pytest
from import_helpers import by_line, parse_bytes

from careapp.importing import ColumnMapping

MAPPING = ColumnMapping({"Name": "full_name", "Email": "email", "Notes": "notes", "Birthday": "birthday"})


def parse(text: str, newline: str = "\n"):
    return parse_bytes(text.replace("\n", newline).encode(), mapping=MAPPING)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_rows_after_multi_line_cells_keep_their_physical_lines(newline):
    text = (
        "Name,Email,Notes,Birthday\n"  # 1
        'Ann Lee,ann@example.com,"line one\nline two\nline three",1985-04-12\n'  # 2-4
        "Ben Roe,ben@example,,\n"  # 5
        '"Cleo\nMartin",cleo@example.com,,1990-02-30\n'  # 6-7
        "Dan Poe,dan@example.com,,\n"  # 8
    )
    rows = by_line(parse(text, newline))
    assert sorted(rows) == [2, 5, 6, 8]
    assert rows[2].draft is not None and rows[2].draft.notes == "line one\nline two\nline three"
    assert rows[5].error == 'Email "ben@example": this is not an email address'
    assert rows[6].error == 'Birthday "1990-02-30": February 1990 has no day 30'
    assert rows[8].draft is not None and rows[8].draft.first_name == "Dan"


def test_blank_lines_are_skipped_without_shifting_line_numbers():
    rows = parse("Name,Email,Notes,Birthday\n\nAnn Lee,ann@example.com,,\n,,,\n\nBen Roe,x,,\n").rows
    assert [(row.line, row.error) for row in rows] == [
        (3, None),
        (6, 'Email "x": this is not an email address'),
    ]


def test_stray_quote_rejects_its_row_and_the_next_row_is_read():
    text = 'Name,Email,Notes,Birthday\nAnn Lee,ann@example.com,"5" screen,\nBen Roe,ben@example.com,,\n'
    rows = by_line(parse(text))
    assert rows[2].draft is None
    assert rows[2].error is not None and rows[2].error.startswith('The double quotes (") in this row')
    assert rows[3].draft is not None and rows[3].draft.first_name == "Ben"


def test_quote_never_closed_is_reported_with_the_lines_it_swallowed():
    text = (
        "Name,Email,Notes,Birthday\n"
        "Ann Lee,ann@example.com,,\n"
        'Ben Roe,ben@example.com,"oops,\n'
        "Cleo,c@x.com,,\n"
    )
    rows = by_line(parse(text))
    assert rows[2].draft is not None
    assert rows[3].draft is None
    assert rows[3].error is not None
    assert "closing quote is missing, so lines 3–4 could not be read" in rows[3].error


def test_extra_cells_are_ignored_with_a_warning():
    parsed = parse(
        "Name,Email,Notes,Birthday\nAnn Lee,ann@example.com,,,\nBen, Roe,ben@example.com,,1990-01-01\n"
    )
    assert parsed.rows[0].draft is not None  # an empty extra cell (a trailing separator) is harmless
    assert parsed.rows[1].error == 'Email "Roe": this is not an email address'
    assert parsed.warnings == (
        (
            "Line 3 has more cells than there are column headings; the extra cells were "
            "not imported. A cell with the separator in it may be missing its quotes."
        ),
    )


def test_unreadable_date_and_row_with_nothing_to_identify():
    rows = by_line(parse("Name,Email,Notes,Birthday\nAnn Lee,,,next tuesday\n,,just a note,\n"))
    assert rows[2].error == (
        'Birthday "next tuesday": this is not a date careapp can read; '
        "write it like 1985-04-12, or --04-12 when the year is unknown"
    )
    assert (
        rows[3].error
        == "There is no name, company, email or phone in this row, so there is nobody to import."
    )


def test_too_few_digits_for_a_phone():
    parsed = parse_bytes(
        b"Name,Phone\nAnn Lee,n/a 12\n", mapping=ColumnMapping({"Name": "full_name", "Phone": "phone"})
    )
    assert parsed.rows[0].error == 'Phone "n/a 12": this has too few digits for a phone number'


def test_a_missing_closing_quote_on_the_last_line_names_one_line():
    text = 'Name,Email,Notes,Birthday\nAnn Lee,ann@example.com,,\nBen Roe,ben@example.com,"oops\n'
    rows = by_line(parse(text))
    assert rows[3].error is not None
    assert "so line 3 could not be read" in rows[3].error
    assert "lines 3–3" not in rows[3].error


def test_a_short_row_is_imported_with_a_warning_naming_its_line():
    parsed = parse("Name,Email,Notes,Birthday\nAnn Lee,ann@example.com,,\nBen Roe,ben@example.com\n")
    assert [row.draft is not None for row in parsed.rows] == [True, True]
    assert parsed.warnings == (
        (
            "Line 3 has fewer cells than there are column headings; the missing cells were read as empty. "
            "Check that nothing moved into the wrong column."
        ),
    )


def test_a_rejected_row_keeps_its_name_for_the_preview():
    rows = by_line(parse("Name,Email,Notes,Birthday\nBen Roe,not-an-email,,\n"))
    assert rows[2].draft is None and rows[2].name == "Ben Roe"
