"""Checks on a customer draft, phrased for the person who typed it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from careapp.domain.customer import CustomerDraft
from careapp.domain.phones import digits_only

# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    return errors
