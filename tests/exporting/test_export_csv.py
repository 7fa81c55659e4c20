import csv
import io

import pytest
from export_samples import phone_only, plain, zoe

from careapp.domain.customer import Customer, EmailAddress, PhoneNumber
from careapp.exporting import CSV_COLUMNS, customers_to_csv
from careapp.exporting.csv_export import guard_cell


def read_back(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_customer_with_crlf_line_ends():
    text = customers_to_csv([zoe(), plain(), phone_only()])
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = read_back(text)
    assert [row["ID"] for row in rows] == ["42", "7", "8"]
    assert list(rows[0]) == list(CSV_COLUMNS)


def test_every_field_of_a_customer():
    row = read_back(customers_to_csv([zoe()]))[0]
    assert row["First name"] == "Zoë"
    assert row["Last name"] == "Ødegård-Østergaard"
    assert row["Company"] == "Café Ødegård; Søn & Co"
    assert row["Emails"] == "zoe@example.no; zoe.private@example.com"
    assert row["Phones"] == "020 7946 0958; 555-0100"
    assert row["Street"] == "12 High St\nFlat 2"
    assert (row["City"], row["Region"], row["Postcode"], row["Country"]) == (
        "London",
        "",
        "SW1A 1AA",
        "United Kingdom",
    )
    assert row["Birthday"] == "'--02-29"  # starts with "-": guarded like any formula-looking cell
    assert (row["Anniversary"], row["Customer since"]) == ("2010-06-19", "2019-03-01")
    assert row["Other dates"] == "Name day: --01-02"
    assert row["Tags"] == "vip, wedding, 2024"
    assert row["Notes"] == "Likes tea, not coffee; allergic to nuts.\nPaid with C:\\voucher \\ cash."
    assert row["Loyalty stage"] == "client"
    assert (row["Email consent"], row["SMS consent"], row["Phone consent"], row["Post consent"]) == (
        "yes",
        "no",
        "",
        "",
    )


def test_birthday_with_year_and_international_phone():
    row = read_back(customers_to_csv([plain()]))[0]
    assert row["Birthday"] == "1985-04-12"
    # OWASP: a leading + could start a formula, so it is prefixed; spreadsheets show +1 416 555 0100.
    assert row["Phones"] == "'+1 416 555 0100"


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_formula_injection_is_defused_in_every_text_column(dangerous):
    customer = Customer(
        id=1,
        first_name=dangerous,
        last_name=dangerous,
        company=dangerous,
        notes=dangerous,
        emails=[EmailAddress(dangerous)],
        tags=[dangerous],
    )
    row = read_back(customers_to_csv([customer]))[0]
    for column in ("First name", "Last name", "Company", "Notes", "Emails", "Tags"):
        assert row[column] == "'" + dangerous, column


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        ("'quoted", "'quoted"),
        (" =1", " =1"),
    ],
)
def test_guard_cell(cell, expected):
    assert guard_cell(cell) == expected


def test_quotes_and_separators_inside_cells_stay_in_their_cell():
    customer = Customer(id=3, first_name='Ann "Nan"', notes='said "hi", left; came back\r\nlater')
    row = read_back(customers_to_csv([customer]))[0]
    assert row["First name"] == 'Ann "Nan"'
    assert row["Notes"] == 'said "hi", left; came back\r\nlater'


def test_no_customers_gives_just_the_header():
    assert customers_to_csv([]) == ",".join(CSV_COLUMNS) + "\r\n"


def test_export_reads_back_through_the_importer_with_the_suggested_mapping():
    import datetime as dt

    from careapp.importing import NeedsColumnMapping, parse_import

    data = customers_to_csv([zoe(), plain()]).encode("utf-8")
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    with pytest.raises(NeedsColumnMapping) as caught:
        parse_import(data, "export.csv", now=now)
    parsed = parse_import(data, "export.csv", now=now, default_region="GB", mapping=caught.value.suggested)
    first, second = (row.draft for row in parsed.rows)
    assert first is not None and second is not None
    original = zoe()
    assert (first.first_name, first.last_name, first.company) == (
        original.first_name,
        original.last_name,
        original.company,
    )
    assert [e.address for e in first.emails] == [e.address for e in original.emails]
    assert first.birthday == original.birthday
    assert first.dates == original.dates[:2]  # "Other dates" has no column to go back to
    assert first.address == original.address
    assert first.notes == original.notes
    assert first.loyalty_stage == original.loyalty_stage
    assert second.phones == [PhoneNumber("+1 416 555 0100", "+14165550100")]
    assert [(e.channel.value, e.granted) for e in parsed.rows[0].consents] == [
        ("email", True),
        ("sms", False),
    ]
