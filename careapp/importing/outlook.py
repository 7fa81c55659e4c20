"""Outlook's contacts export ("Comma Separated Values"), also what Google offers as "Outlook CSV"."""

from __future__ import annotations

from careapp.domain.customer import DateKind
from careapp.importing.csv_format import CsvFormat, join_nonempty
from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.rows import DateCell, EmailCell, PhoneCell, RowFields
from careapp.importing.values import split_values

_EMAIL_COLUMNS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
_PHONE_COLUMNS = (
    ("Mobile Phone", "mobile"),
    ("Home Phone", "home"),
    ("Home Phone 2", "home"),
    ("Business Phone", "work"),
    ("Business Phone 2", "work"),
    ("Company Main Telephone", "work"),
    ("Primary Phone", ""),
    ("Other Phone", "other"),
)
_ADDRESS_KINDS = ("Home", "Business", "Other")  # the first one filled in becomes the address


def is_outlook(header: Header) -> bool:
    return header.has("First Name", "Last Name", "E-mail Address") and header.has_any(
        "Home Phone", "Business Phone", "Mobile Phone", "Home Street", "Categories"
    )


def read_outlook(row: CsvRow) -> RowFields:
    fields = RowFields(
        first_name=join_nonempty((row.get("First Name"), row.get("Middle Name")), " "),
        last_name=row.get("Last Name"),
        company=row.get("Company"),
        emails=[
            EmailCell(row.get(column), source=column)
            for column in _EMAIL_COLUMNS
            if _is_email(row.get(column))
        ],
        phones=[PhoneCell(row.get(column), label) for column, label in _PHONE_COLUMNS],
        dates=[
            DateCell(row.get("Birthday"), "Birthday"),
            DateCell(row.get("Anniversary"), "Anniversary", DateKind.ANNIVERSARY),
        ],
        tags=split_values(row.get("Categories"), ";"),
        notes=[row.get("Notes")],
    )
    _add_addresses(fields, row)
    return fields


def _is_email(value: str) -> bool:
    # Exchange accounts export X.500 paths ("/o=ExchangeLabs/ou=...") in place of an
    # address: not an email and nothing the customer wrote, so it is left out.
    return not value.lower().startswith("/o=")


def _add_addresses(fields: RowFields, row: CsvRow) -> None:
    for kind in _ADDRESS_KINDS:
        street = join_nonempty(
            (row.get(f"{kind} Street"), row.get(f"{kind} Street 2"), row.get(f"{kind} Street 3")), ", "
        )
        city, region = row.get(f"{kind} City"), row.get(f"{kind} State")
        postcode, country = row.get(f"{kind} Postal Code"), row.get(f"{kind} Country/Region")
        if not (street or city or postcode):
            continue
        if fields.street or fields.city or fields.postcode:
            whole = join_nonempty((street, city, region, postcode, country), ", ")
            fields.notes.append(f"{kind} address: {whole}")
            continue
        fields.street, fields.city, fields.region = street, city, region
        fields.postcode, fields.country = postcode, country


OUTLOOK = CsvFormat(
    name="outlook",
    label="Outlook contacts CSV",
    consent_method="import: Outlook contacts",
    read=read_outlook,
    date_columns=("Birthday", "Anniversary"),
    month_first=True,  # Outlook's default (US English) writes month/day/year
)
