"""vCard files (.vcf) from phones, Apple Contacts, Outlook and careapp itself: one row per card."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from careapp.domain.customer import DateKind, InvalidDate
from careapp.importing.model import ImportFileError, ParsedFile, ParsedRow
from careapp.importing.rows import DateCell, EmailCell, PhoneCell, RowContext, RowFields, build_row
from careapp.importing.values import UnreadableValue, normalize_label, read_date
from careapp.importing.vcard_lines import VCard, VProperty, read_cards, split_structured, unescape

_BEGIN = re.compile(r"\s*BEGIN:VCARD[ \t]*(?:\r\n|\r|\n|$)", re.IGNORECASE)
_NOT_LABELS = frozenset({"internet", "pref", "voice", "x400", "msg", "x-internet"})
_ANNIVERSARY_NAMES = frozenset(
    {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"}
)
TYPED_AS_PARAM = "X-TYPED-AS"  # careapp's export keeps the number as typed beside its tel: URI


def looks_like_vcard(text: str) -> bool:
    return bool(_BEGIN.match(text))


def parse_vcards(
    text: str,
    *,
    filename: str,
    encoding: str,
    now: dt.datetime,
    default_region: str | None,
    warnings: list[str],
) -> ParsedFile:
    context = RowContext(
        now=now, default_region=default_region, consent_method="import: vCard file", source_name=filename
    )
    rows: list[ParsedRow] = []
    for card in read_cards(text, warnings):
        rows.append(build_row(card.line, card_fields(card), context))
    if not rows:
        raise ImportFileError(f"“{filename}” has no contacts in it (no BEGIN:VCARD … END:VCARD).")
    return ParsedFile(
        format="vcard",
        format_label="vCard contacts file",
        encoding=encoding,
        delimiter=None,
        rows=tuple(rows),
        warnings=tuple(warnings),
    )


class _CardReader:
    """Collects one card's properties into RowFields."""

    def __init__(self, card: VCard) -> None:
        self.card = card
        self.fields = RowFields()
        # Apple ties a label to a value by group: item1.EMAIL + item1.X-ABLabel:Shop
        self.group_labels = {
            prop.group: normalize_label(unescape(prop.value))
            for prop in card.properties
            if prop.name == "X-ABLABEL" and prop.group
        }
        self.formatted_name = ""
        self.is_organisation = False
        self.has_address = False

    def read(self) -> RowFields:
        for prop in self.card.properties:
            handler = _HANDLERS.get(prop.name)
            if handler is not None:
                handler(self, prop)
        self._settle_names()
        return self.fields

    def label(self, prop: VProperty) -> str:
        if prop.group in self.group_labels:
            return self.group_labels[prop.group]
        types = [kind for kind in prop.types() if kind not in _NOT_LABELS]
        return normalize_label(types[0]) if types else ""

    def name(self, prop: VProperty) -> None:
        parts = _components(prop.value, 5)
        self.fields.last_name = parts[0]
        self.fields.first_name = " ".join(part for part in (parts[1], parts[2]) if part)

    def formatted(self, prop: VProperty) -> None:
        self.formatted_name = unescape(prop.value).strip()

    def organisation(self, prop: VProperty) -> None:
        self.fields.company = _components(prop.value, 1)[0]

    def kind(self, prop: VProperty) -> None:
        self.is_organisation = prop.value.strip().lower() == "org"

    def apple_show_as(self, prop: VProperty) -> None:
        self.is_organisation = prop.value.strip().upper() == "COMPANY"

    def email(self, prop: VProperty) -> None:
        self.fields.emails.append(EmailCell(unescape(prop.value), self.label(prop), "Email"))

    def phone(self, prop: VProperty) -> None:
        value = unescape(prop.value).strip()
        if value.lower().startswith("tel:"):
            number, _, extension = value[4:].partition(";ext=")
            number = number.split(";")[0]
            dialable = f"{number} ext. {extension}" if extension else number
            raw = prop.param(TYPED_AS_PARAM) or dialable
            self.fields.phones.append(PhoneCell(raw, self.label(prop), dialable))
        else:
            self.fields.phones.append(PhoneCell(value, self.label(prop)))

    def address(self, prop: VProperty) -> None:
        po_box, extended, street, city, region, postcode, country = _components(prop.value, 7, ", ")
        street = ", ".join(part for part in (street, extended, po_box) if part)
        if self.has_address:  # careapp keeps one address; the others go into the notes
            whole = ", ".join(part for part in (street, city, region, postcode, country) if part)
            self.fields.notes.append(f"{(self.label(prop) or 'Other').capitalize()} address: {whole}")
            return
        self.has_address = True
        fields = self.fields
        fields.street, fields.city, fields.region, fields.postcode, fields.country = (
            street,
            city,
            region,
            postcode,
            country,
        )

    def birthday(self, prop: VProperty) -> None:
        text = _date_text(prop)
        if prop.param("VALUE").lower() == "text" and not _is_date(text):
            # vCard 4 allows free text ("circa 1960"): keep it where the owner can read it.
            self.fields.notes.append(f"Birthday: {text}")
            return
        self.fields.dates.append(DateCell(text, "Birthday"))

    def anniversary(self, prop: VProperty) -> None:
        self.fields.dates.append(DateCell(_date_text(prop), "Anniversary", DateKind.ANNIVERSARY))

    def apple_date(self, prop: VProperty) -> None:
        label = self.group_labels.get(prop.group, "")
        kind = {"anniversary": DateKind.ANNIVERSARY, "customer since": DateKind.CUSTOMER_SINCE}.get(
            label.lower(), DateKind.CUSTOM
        )
        custom_label = (label or "Other") if kind is DateKind.CUSTOM else ""
        self.fields.dates.append(DateCell(_date_text(prop), label or "Date", kind, custom_label))

    def categories(self, prop: VProperty) -> None:
        self.fields.tags += [tag for component in split_structured(prop.value) for tag in component]

    def note(self, prop: VProperty) -> None:
        self.fields.notes.append(unescape(prop.value))

    def _settle_names(self) -> None:
        fields = self.fields
        if self.is_organisation and not fields.company:
            fields.company = self.formatted_name
        elif not self.is_organisation and _is_person_name(self.formatted_name):
            fields.full_name = self.formatted_name  # used only when N gave no name


def card_fields(card: VCard) -> RowFields:
    return _CardReader(card).read()


def _components(value: str, count: int, joiner: str = " ") -> list[str]:
    """``count`` components of a structured value, each one's comma-separated values joined."""
    parts = [joiner.join(v.strip() for v in values if v.strip()) for values in split_structured(value)]
    return (parts + [""] * count)[:count]


def _date_text(prop: VProperty) -> str:
    text = unescape(prop.value).strip()
    # Apple writes a birthday without a year as 1604-04-12 and says so in X-APPLE-OMIT-YEAR.
    omitted = prop.param("X-APPLE-OMIT-YEAR")
    if omitted and text.startswith(omitted):
        return "--" + text[len(omitted) :].lstrip("-")
    return text


def _is_date(text: str) -> bool:
    """Whether ``text`` is written as a date at all (an impossible one still counts)."""
    try:
        read_date(text, day_first=True, this_year=dt.MAXYEAR)  # the year only places two-digit years
    except UnreadableValue:
        return False
    except InvalidDate:
        return True
    return True


def _is_person_name(text: str) -> bool:
    # An FN that is an email address or a phone number (no letters) is not a name to split.
    return bool(text) and "@" not in text and any(char.isalpha() for char in text)


_HANDLERS: dict[str, Callable[[_CardReader, VProperty], None]] = {
    "N": _CardReader.name,
    "FN": _CardReader.formatted,
    "ORG": _CardReader.organisation,
    "KIND": _CardReader.kind,
    "X-ABSHOWAS": _CardReader.apple_show_as,
    "EMAIL": _CardReader.email,
    "TEL": _CardReader.phone,
    "ADR": _CardReader.address,
    "BDAY": _CardReader.birthday,
    "X-ABDATE": _CardReader.apple_date,
    "CATEGORIES": _CardReader.categories,
    "NOTE": _CardReader.note,
    **dict.fromkeys(_ANNIVERSARY_NAMES, _CardReader.anniversary),
}
