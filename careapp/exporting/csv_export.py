"""Customers as a CSV file that is safe to open in a spreadsheet.

Formula injection: a cell starting with = + - @ or a tab or carriage return can be run as a
formula by Excel, LibreOffice or Google Sheets (a customer who signs up as
'=HYPERLINK(...)' could otherwise plant a link). Following the OWASP advice, such cells get
a leading apostrophe, which spreadsheets hide and treat as "this is text". That includes
phone numbers in international form: "+44 20 7946 0958" is written "'+44 20 7946 0958",
which still shows as +44 20 7946 0958 in a spreadsheet, and birthdays without a year
("--04-12"). careapp's own CSV import removes the apostrophe again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from careapp.domain.customer import Channel, Customer, DateKind, PartialDate

CSV_COLUMNS = (
    "ID",
    "First name",
    "Last name",
    "Company",
    "Emails",
    "Phones",
    "Street",
    "City",
    "Region",
    "Postcode",
    "Country",
    "Birthday",
    "Anniversary",
    "Customer since",
    "Other dates",
    "Tags",
    "Notes",
    "Loyalty stage",
    "Email consent",
    "SMS consent",
    "Phone consent",
    "Post consent",
)
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def customers_to_csv(customers: Iterable[Customer]) -> str:
    """One row per customer under a header row; CRLF line ends as RFC 4180 (and Excel) expect."""
    buffer = io.StringIO()
    write_customers_csv(customers, buffer)
    return buffer.getvalue()


def write_customers_csv(customers: Iterable[Customer], handle: TextIO) -> int:
    """:func:`customers_to_csv` written to ``handle`` as the customers come (opened with
    ``newline=""``); returns how many were written."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    triggers = _FORMULA_TRIGGERS
    for customer in customers:
        # guard_cell spelled out: a call per cell was a tenth of an export of 100,000 customers.
        writer.writerow(["'" + cell if cell.startswith(triggers) else cell for cell in _cells(customer)])
        count += 1
    return count


def guard_cell(cell: str) -> str:
    """``cell`` made safe from being read as a spreadsheet formula (see the module docstring)."""
    return "'" + cell if cell.startswith(_FORMULA_TRIGGERS) else cell


def _cells(customer: Customer) -> list[str]:
    address = customer.address
    return [
        str(customer.id),
        customer.first_name,
        customer.last_name,
        customer.company,
        LIST_SEPARATOR.join(email.address for email in customer.emails),
        LIST_SEPARATOR.join(phone.raw for phone in customer.phones),
        address.street,
        address.city,
        address.region,
        address.postcode,
        address.country,
        _iso(customer.birthday),
        _first_date(customer, DateKind.ANNIVERSARY),
        _first_date(customer, DateKind.CUSTOMER_SINCE),
        LIST_SEPARATOR.join(
            f"{date.title()}: {date.date.iso()}" for date in customer.dates if date.kind == DateKind.CUSTOM
        ),
        ", ".join(customer.tags),
        customer.notes,
        customer.loyalty_stage.value,
        *_consents(customer),
    ]


def _iso(date: PartialDate | None) -> str:
    return date.iso() if date is not None else ""


def _first_date(customer: Customer, kind: DateKind) -> str:
    return next((date.date.iso() for date in customer.dates if date.kind == kind), "")


_CONSENT_COLUMNS = (Channel.EMAIL, Channel.SMS, Channel.PHONE, Channel.POST)
_ANSWER = {True: "yes", False: "no", None: ""}


def _consents(customer: Customer) -> list[str]:
    """Per channel, "yes" or "no" from the latest consent event (the customer's state for it); empty
    when the customer was never asked. One pass over the states, not one per channel."""
    answers: dict[Channel, str] = {}
    for state in customer.consents:
        answers.setdefault(state.channel, _ANSWER[state.granted])
    return [answers.get(channel, "") for channel in _CONSENT_COLUMNS]
