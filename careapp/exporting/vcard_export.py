"""Customers as vCard 4.0 (RFC 6350), for phones and contact programs.

Text is escaped (\\\\ \\, \\; and \\n), lines end in CRLF and are folded at 75 octets without
splitting a UTF-8 sequence. Dates without a year use vCard 4's --MMDD form. Phone numbers
known in E.164 are written as tel: URIs, with the number as the shop typed it kept in an
X-TYPED-AS parameter so careapp can read it back unchanged; other numbers are written as text.
Labels vCard has no TYPE for, and dates other than one anniversary, are written the way Apple
Contacts writes them: a grouped X-ABLabel beside the value (item1.EMAIL + item1.X-ABLabel).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from typing import TextIO

from careapp.domain.customer import Customer, DateKind, ImportantDate, PartialDate

# Fixed, so a customer keeps the same UID from one export to the next; the UID is a hash of
# this and the customer id, so it carries no name or other personal data.
UID_NAMESPACE = uuid.UUID("1ccd4ad8-b4b7-424b-b043-c78e9cec0537")
FOLD_OCTETS = 75
_EMAIL_TYPES = {"home": "home", "work": "work"}
_PHONE_TYPES = {"mobile": "cell", "home": "home", "work": "work", "fax": "fax", "pager": "pager"}


def customers_to_vcard(customers: Iterable[Customer], *, uid_namespace: uuid.UUID = UID_NAMESPACE) -> str:
    return "".join(_card(customer, uid_namespace) for customer in customers)


def write_customers_vcard(
    customers: Iterable[Customer], handle: TextIO, *, uid_namespace: uuid.UUID = UID_NAMESPACE
) -> int:
    """:func:`customers_to_vcard` written to ``handle`` a card at a time; returns how many."""
    count = 0
    for customer in customers:
        handle.write(_card(customer, uid_namespace))
        count += 1
    return count


def customer_uid(customer_id: int, namespace: uuid.UUID = UID_NAMESPACE) -> str:
    """``urn:uuid:`` and ``uuid.uuid5(namespace, str(customer_id))``, spelled out: an export makes one
    per customer, and building the UUID object was a tenth of the writing."""
    digest = bytearray(hashlib.sha1(namespace.bytes + str(customer_id).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _card(customer: Customer, uid_namespace: uuid.UUID) -> str:
    card = _CardWriter()
    card.add("BEGIN:VCARD")
    card.add("VERSION:4.0")
    card.add(f"UID:{customer_uid(customer.id, uid_namespace)}")
    card.add(f"FN:{escape_text(_formatted_name(customer))}")
    card.add(f"N:{escape_text(customer.last_name)};{escape_text(customer.first_name)};;;")
    if customer.company:
        card.add(f"ORG:{escape_text(customer.company)}")
    for email in customer.emails:
        card.add_labelled("EMAIL", _EMAIL_TYPES, email.label, f":{escape_text(email.address)}")
    for phone in customer.phones:
        if phone.e164:
            typed = f';X-TYPED-AS="{escape_param(phone.raw)}"' if phone.raw != phone.e164 else ""
            card.add_labelled("TEL", _PHONE_TYPES, phone.label, f";VALUE=uri{typed}:tel:{phone.e164}")
        else:
            card.add_labelled("TEL", _PHONE_TYPES, phone.label, f";VALUE=text:{escape_text(phone.raw)}")
    if not customer.address.is_empty():
        address = customer.address
        parts = (address.street, address.city, address.region, address.postcode, address.country)
        card.add("ADR:;;" + ";".join(escape_text(part) for part in parts))
    if customer.birthday is not None:
        card.add(f"BDAY:{date_value(customer.birthday)}")
    _add_dates(card, customer.dates)
    if customer.tags:
        card.add("CATEGORIES:" + ",".join(escape_text(tag) for tag in customer.tags))
    if customer.notes:
        card.add(f"NOTE:{escape_text(customer.notes)}")
    if customer.updated_at is not None:
        card.add(f"REV:{_timestamp(customer.updated_at)}")
    card.add("END:VCARD")
    return card.text()


class _CardWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.groups = 0

    def add(self, line: str) -> None:
        self.lines.append(fold(line))

    def add_labelled(self, name: str, types: dict[str, str], label: str, rest: str) -> None:
        """``name`` with a TYPE when vCard has one for ``label``, else with an Apple-style label."""
        kind = types.get(label.lower())
        if kind or not label:
            self.add(f"{name}{f';TYPE={kind}' if kind else ''}{rest}")
            return
        group = self.new_group()
        self.add(f"{group}.{name}{rest}")
        self.add(f"{group}.X-ABLabel:{escape_text(label)}")

    def new_group(self) -> str:
        self.groups += 1
        return f"item{self.groups}"

    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


def _add_dates(card: _CardWriter, dates: list[ImportantDate]) -> None:
    anniversary_written = False
    for date in dates:
        # vCard 4 allows one ANNIVERSARY; every other date goes in as a labelled date.
        if date.kind == DateKind.ANNIVERSARY and not anniversary_written:
            card.add(f"ANNIVERSARY:{date_value(date.date)}")
            anniversary_written = True
            continue
        group = card.new_group()
        card.add(f"{group}.X-ABDATE:{date_value(date.date)}")
        card.add(f"{group}.X-ABLabel:{escape_text(date.title())}")


def _formatted_name(customer: Customer) -> str:
    # FN is required. With no name, company or email, the first phone number says who it is.
    if (
        not (customer.first_name or customer.last_name or customer.company or customer.emails)
        and customer.phones
    ):
        return customer.phones[0].raw
    return customer.display_name()


def date_value(date: PartialDate) -> str:
    """vCard 4's date forms: 19850412, or --0412 when the year is unknown."""
    if date.year is None:
        return f"--{date.month:02d}{date.day:02d}"
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def _timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y%m%dT%H%M%S")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(text: str) -> str:
    """A text value with \\ , ; and line breaks escaped as RFC 6350 requires.

    Chained replaces (the backslash first, so the ones added are not escaped again) give what one
    ``str.translate`` pass gives, several times faster: translate looks each character up in Python."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def escape_param(text: str) -> str:
    """A quoted parameter value, with ^ " and line breaks escaped as RFC 6868 says."""
    return text.replace("^", "^^").replace('"', "^'").replace("\r\n", "^n").replace("\n", "^n")


def fold(line: str, limit: int = FOLD_OCTETS) -> str:
    """``line`` folded so no physical line is longer than ``limit`` octets of UTF-8.

    Breaks fall between characters, never inside a multi-byte character; each continuation
    line starts with one space, which counts towards its length.
    """
    # isascii() reads a flag CPython keeps on the string: most lines need no encoding to be measured.
    if len(line) <= limit and (line.isascii() or len(line.encode("utf-8")) <= limit):
        return line
    pieces: list[str] = []
    current: list[str] = []
    size, room = 0, limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > room:
            pieces.append("".join(current))
            current, size, room = [], 0, limit - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)
