"""Checks on a customer draft, phrased for the person who typed it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from careapp.domain.customer import CustomerDraft, Purchase
from careapp.domain.phones import digits_only

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The longest text each field may hold: the database columns' lengths (PostgreSQL refuses longer
# text, SQLite would keep it), checked here so both say the same thing in words. A test keeps
# these equal to careapp/db/models.py.
MAX_LENGTHS = {
    "first name": 200,
    "last name": 200,
    "company": 200,
    "street": 400,
    "city": 200,
    "region": 200,
    "postcode": 40,
    "country": 100,
    "email": 320,
    "phone": 60,
    "label": 60,
    "date label": 100,
    "tag": 100,
    "full name": 400,
    "purchased item": 400,
    "purchase category": 100,
}


@dataclass(frozen=True)
class FieldError:
    """A problem with one field; ``field`` names it the way the editor does ("emails[1]")."""

    field: str
    message: str


def is_plausible_email(address: str) -> bool:
    return bool(_EMAIL.match(address.strip()))


def validate_customer(draft: CustomerDraft) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (draft.first_name.strip() or draft.last_name.strip() or draft.company.strip() or draft.emails):
        errors.append(FieldError("name", "Give at least a first name, a last name, a company or an email."))
    for index, email in enumerate(draft.emails):
        if not is_plausible_email(email.address):
            errors.append(
                FieldError(f"emails[{index}]", f"“{email.address}” does not look like an email address.")
            )
    for index, phone in enumerate(draft.phones):
        if len(digits_only(phone.raw)) < 3:
            errors.append(
                FieldError(f"phones[{index}]", f"“{phone.raw}” has too few digits for a phone number.")
            )
    for index, date in enumerate(draft.dates):
        if date.kind == "custom" and not date.label.strip():
            errors.append(FieldError(f"dates[{index}]", "A custom date needs a label (what it is)."))
    if len(draft.notes) > 100_000:
        errors.append(FieldError("notes", "Notes are limited to 100,000 characters."))
    errors.extend(too_long_fields(draft))
    return errors


def too_long_fields(draft: CustomerDraft) -> list[FieldError]:
    """Fields longer than the database keeps (:data:`MAX_LENGTHS`), one error each."""
    address = draft.address
    checks: list[tuple[str, str, str]] = [
        ("name", "first name", draft.first_name),
        ("name", "last name", draft.last_name),
        ("name", "company", draft.company),
        ("address", "street", address.street),
        ("address", "city", address.city),
        ("address", "region", address.region),
        ("address", "postcode", address.postcode),
        ("address", "country", address.country),
    ]
    for index, email in enumerate(draft.emails):
        checks += [(f"emails[{index}]", "email", email.address), (f"emails[{index}]", "label", email.label)]
    for index, phone in enumerate(draft.phones):
        checks += [(f"phones[{index}]", "phone", phone.raw), (f"phones[{index}]", "label", phone.label)]
    checks += [(f"dates[{index}]", "date label", date.label) for index, date in enumerate(draft.dates)]
    checks += [("tags", "tag", tag) for tag in draft.tags]
    # The display and sort names ("first last") are kept in columns of 400 characters.
    checks.append(("name", "full name", f"{draft.first_name.strip()} {draft.last_name.strip()}"))
    return [
        FieldError(field, f"The {what} is too long: at most {limit:,} characters, not {len(value):,}.")
        for field, what, value in checks
        if len(value) > (limit := MAX_LENGTHS[what])
    ]


def too_long_purchases(purchases: Iterable[Purchase]) -> list[FieldError]:
    items = list(purchases)
    checks = [("purchased item", p.item) for p in items] + [("purchase category", p.category) for p in items]
    return [
        FieldError("purchases", f"The {what} is too long: at most {limit:,} characters, not {len(value):,}.")
        for what, value in checks
        if len(value) > (limit := MAX_LENGTHS[what])
    ]
