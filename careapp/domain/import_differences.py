"""Where an imported row and careapp hold different values for the same customer.

An import never overwrites what careapp knows (:func:`careapp.domain.merge.merge_drafts`): a re-imported
birthday of 3 May over careapp's 4 May is kept as 4 May. That is the safe default, but a silent one;
these functions name each such field so the preview can say so, and put the file's values in when the
user asks for them.

A field differs only where the file *contradicts* careapp: a value the file leaves empty, or a birthday
the file gives without the year careapp knows, is not a difference (the file says less, not something
else); a year the file adds to careapp's day and month is one, since keeping careapp's loses it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from typing import Any, Literal

from careapp.domain.customer import CustomerDraft, ImportantDate, PartialDate, PostalAddress

DifferingField = Literal["first_name", "last_name", "company", "birthday", "address", "date"]
FieldValue = str | PartialDate | PostalAddress

_NameField = Literal["first_name", "last_name", "company"]
_NAME_FIELDS: tuple[_NameField, ...] = ("first_name", "last_name", "company")
_FIELD_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "birthday": "birthday",
    "address": "address",
}


@dataclass(frozen=True)
class FieldDifference:
    """One field where the file says one thing and careapp another.

    For ``field == "date"``, ``date`` is careapp's date of that kind and label (anniversary,
    customer since, a custom date): the one the file's value would replace.
    """

    field: DifferingField
    file_value: FieldValue
    careapp_value: FieldValue
    date: ImportantDate | None = None


def _same_text(a: str, b: str) -> bool:
    # "ann" and "Ann" are the same name: not worth asking about.
    return a.strip().casefold() == b.strip().casefold()


def dates_differ(careapp: PartialDate, file: PartialDate) -> bool:
    """A different day or month, a different year, or a year the file knows and careapp does not."""
    if (careapp.month, careapp.day) != (file.month, file.day):
        return True
    return file.year is not None and careapp.year != file.year


def _addresses_differ(careapp: PostalAddress, file: PostalAddress) -> bool:
    if careapp.is_empty() or file.is_empty():
        return False
    fields = ("street", "city", "region", "postcode", "country")
    return not all(_same_text(getattr(careapp, name), getattr(file, name)) for name in fields)


def _date_key(date: ImportantDate) -> tuple[str, str]:
    return date.kind.value, date.label.strip().lower()


def differences(careapp: CustomerDraft, file: CustomerDraft) -> tuple[FieldDifference, ...]:
    """The fields where ``file`` (an imported row) contradicts ``careapp`` (the stored customer)."""
    found: list[FieldDifference] = []
    for name in _NAME_FIELDS:
        kept, offered = getattr(careapp, name), getattr(file, name)
        if kept.strip() and offered.strip() and not _same_text(kept, offered):
            found.append(FieldDifference(name, offered.strip(), kept))
    if careapp.birthday and file.birthday and dates_differ(careapp.birthday, file.birthday):
        found.append(FieldDifference("birthday", file.birthday, careapp.birthday))
    if _addresses_differ(careapp.address, file.address):
        found.append(FieldDifference("address", file.address, careapp.address))
    stored = {_date_key(date): date for date in careapp.dates}
    for offered_date in file.dates:
        kept_date = stored.get(_date_key(offered_date))
        if kept_date is not None and dates_differ(kept_date.date, offered_date.date):
            found.append(FieldDifference("date", offered_date.date, kept_date.date, kept_date))
    return tuple(found)


def take_file_values(draft: CustomerDraft, found: tuple[FieldDifference, ...]) -> CustomerDraft:
    """``draft`` (careapp's customer, the file folded in) with the file's value of each field in ``found``."""
    for difference in found:
        value = difference.file_value
        if difference.field == "date":
            assert difference.date is not None and isinstance(value, PartialDate)
            kept = difference.date
            draft = replace(
                draft,
                dates=[replace(d, date=value) if _date_key(d) == _date_key(kept) else d for d in draft.dates],
            )
        else:
            changes: dict[str, Any] = {difference.field: value}
            draft = replace(draft, **changes)
    return draft


# --- words for the command line (the window says the same through Qt's translations) ---------


def value_text(value: FieldValue) -> str:
    """ "3 May", "3 May 1985", "1 High St, Cardiff", or a name as it is."""
    if isinstance(value, PartialDate):
        day_month = f"{value.day} {calendar.month_name[value.month]}"
        return f"{day_month} {value.year}" if value.year is not None else day_month
    if isinstance(value, PostalAddress):
        parts = (value.street, value.city, value.region, value.postcode, value.country)
        return ", ".join(part for part in parts if part.strip())
    return value


def field_words(difference: FieldDifference) -> str:
    """ "birthday", "first name", "anniversary"."""
    if difference.field == "date" and difference.date is not None:
        return difference.date.title().lower() if not difference.date.label else difference.date.title()
    return _FIELD_WORDS[difference.field]


def difference_text(difference: FieldDifference, took_file_values: bool) -> str:
    """ "birthday: file 3 May, careapp 4 May — kept careapp's" (or "— took the file's")."""
    outcome = "took the file's" if took_file_values else "kept careapp's"
    return (
        f"{field_words(difference)}: file {value_text(difference.file_value)}, "
        f"careapp {value_text(difference.careapp_value)} — {outcome}"
    )
