"""Turning the fields one record gave (whatever the format) into a customer draft or a rejection.

Every format reader fills a RowFields with text as found in the file; the checks and the
conversions (dates, emails, phones, consent) happen here once, so every format rejects
bad rows the same way and with the same words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import phonenumbers

from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    InvalidDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    Purchase,
    normalize_tags,
)
from careapp.domain.phones import digits_only, make_phone, to_e164
from careapp.domain.validation import is_plausible_email
from careapp.importing.model import ParsedRow
from careapp.importing.orders import PurchaseCell, read_purchase
from careapp.importing.values import UnreadableValue, clean_email, read_date, read_yes_no, split_full_name

MAX_NOTES_CHARS = 100_000  # the customer editor refuses longer notes
NOBODY = "There is no name, company, email or phone in this row, so there is nobody to import."


@dataclass(frozen=True)
class DateCell:
    text: str
    source: str  # what to call it in a message: "Birthday", or the column's header
    kind: DateKind | None = None  # None: the birthday
    label: str = ""  # for custom dates


@dataclass(frozen=True)
class PhoneCell:
    raw: str
    label: str = ""
    dialable: str = ""  # an unambiguous form (a tel: URI's number) to find E.164 from, if the file has one


@dataclass(frozen=True)
class EmailCell:
    address: str
    label: str = ""
    source: str = "Email"


@dataclass(frozen=True)
class ConsentCell:
    channel: Channel
    text: str
    source: str


@dataclass
class RowFields:
    """One record's values as text, before any checking."""

    first_name: str = ""
    last_name: str = ""
    full_name: str = ""  # used only when first and last name are both empty
    company: str = ""
    emails: list[EmailCell] = field(default_factory=list)
    phones: list[PhoneCell] = field(default_factory=list)
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    country_code: str = ""  # ISO 3166 alpha-2 when the file has one apart from country: reads local phones
    dates: list[DateCell] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loyalty_stage: str = ""
    loyalty_source: str = "Loyalty stage"
    default_stage: LoyaltyStage = LoyaltyStage.PROSPECT
    consents: list[ConsentCell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # found by the format reader itself
    purchases: list[PurchaseCell] = field(default_factory=list)  # orders files: the sold line(s)
    match_key: str = ""  # orders files: the same key on two rows makes them one buyer


@dataclass(frozen=True)
class RowContext:
    """What every row of one file shares."""

    now: dt.datetime
    default_region: str | None
    consent_method: str  # e.g. "import: Shopify export"
    source_name: str  # the file name, kept with consent events as evidence
    day_first: bool = True  # how to read slashed dates that could be either way round


def build_row(line: int, fields: RowFields, context: RowContext) -> ParsedRow:
    unstorable = unstorable_text(fields)
    if unstorable:  # before anything reads the values: they would be stored as found
        return ParsedRow(line=line, draft=None, error="; ".join(unstorable))
    problems = list(fields.problems)
    emails = _emails(fields.emails, problems)
    phones = _phones(fields, context, problems)
    birthday, dates = _dates(fields.dates, context, problems)
    stage = _loyalty_stage(fields, problems)
    consents = _consents(fields.consents, line, context, problems)
    purchases = _purchases(fields.purchases, context, problems)
    notes = _one_line_ending("\n".join(note.strip() for note in fields.notes if note.strip()))
    if len(notes) > MAX_NOTES_CHARS:
        problems.append(
            f"Notes are {len(notes):,} characters long; careapp keeps at most {MAX_NOTES_CHARS:,}."
        )
    first, last = _names(fields)
    company = fields.company.strip()
    if problems:
        name = " ".join(part for part in (first, last) if part) or company
        return ParsedRow(line=line, draft=None, error="; ".join(problems), name=name)
    if not (first or last or company or emails or phones):
        return ParsedRow(line=line, draft=None, error=NOBODY)
    draft = CustomerDraft(
        first_name=first,
        last_name=last,
        company=company,
        emails=emails,
        phones=phones,
        address=_address(fields),
        birthday=birthday,
        dates=dates,
        tags=normalize_tags(fields.tags),
        notes=notes,
        loyalty_stage=stage,
    )
    return ParsedRow(
        line=line,
        draft=draft,
        consents=tuple(consents),
        purchases=tuple(purchases),
        match_key=fields.match_key,
    )


def unstorable_text(fields: RowFields) -> list[str]:
    """What in the record cannot be kept as text, in words: control characters (NUL and the other C0
    characters but tab and line breaks, which PostgreSQL refuses and nobody types), and bytes that were
    not valid text in the file's encoding (read as lone surrogates). The same on every database, in a
    dry run and a real import: the row is rejected with its line, never stored half-cleaned."""
    found = []
    for where, text in _texts(fields):
        reason = text_problem(text)
        if reason:
            found.append(f"{where} {reason}; correct it in the file and import it again")
    return found


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    for char in text:
        code = ord(char)
        if code < 0x20 and char not in _ALLOWED_CONTROLS:
            name = "NUL" if code == 0 else f"U+{code:04X}"
            return f"contains a control character ({name})"
        if 0xD800 <= code <= 0xDFFF:
            return "holds bytes that are not valid text (invalid UTF-8)"
    return None


def _texts(fields: RowFields) -> list[tuple[str, str]]:
    """Every text value of the record with what to call it in a message."""
    texts = [
        ("First name", fields.first_name),
        ("Last name", fields.last_name),
        ("Name", fields.full_name),
        ("Company", fields.company),
        ("Street", fields.street),
        ("City", fields.city),
        ("Region", fields.region),
        ("Postcode", fields.postcode),
        ("Country", fields.country),
        ("Country code", fields.country_code),
        (fields.loyalty_source, fields.loyalty_stage),
    ]
    texts += [(cell.source, f"{cell.address}{cell.label}") for cell in fields.emails]
    texts += [("Phone", f"{cell.raw}{cell.label}{cell.dialable}") for cell in fields.phones]
    texts += [(cell.source, f"{cell.text}{cell.label}") for cell in fields.dates]
    texts += [("Tags", tag) for tag in fields.tags]
    texts += [("Notes", note) for note in fields.notes]
    texts += [(cell.source, cell.text) for cell in fields.consents]
    texts += [("The row", problem) for problem in fields.problems]
    texts += [text for cell in fields.purchases for text in cell.texts()]
    return texts


def _one_line_ending(text: str) -> str:
    # Outlook and Excel keep CRLF inside quoted cells; careapp stores plain \n.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _names(fields: RowFields) -> tuple[str, str]:
    first, last = fields.first_name.strip(), fields.last_name.strip()
    full = fields.full_name.strip()
    if first or last or not full or full == fields.company.strip():
        return first, last
    return split_full_name(full)


def _emails(cells: list[EmailCell], problems: list[str]) -> list[EmailAddress]:
    emails: list[EmailAddress] = []
    seen: set[str] = set()
    for cell in cells:
        address = clean_email(cell.address)
        if not address:
            continue
        if not is_plausible_email(address):
            problems.append(f'{cell.source} "{cell.address.strip()}": this is not an email address')
        elif address.lower() not in seen:
            seen.add(address.lower())
            emails.append(EmailAddress(address=address, label=cell.label))
    return emails


def _phones(fields: RowFields, context: RowContext, problems: list[str]) -> list[PhoneNumber]:
    region = _row_region(fields.country_code or fields.country)
    phones: list[PhoneNumber] = []
    seen: set[str] = set()
    for cell in fields.phones:
        raw = cell.raw.strip()
        if not raw:
            continue
        if len(digits_only(raw)) < 3:
            problems.append(f'Phone "{raw}": this has too few digits for a phone number')
            continue
        phone = _phone(cell, region, context.default_region)
        key = phone.e164 or digits_only(phone.raw)
        if key not in seen:
            seen.add(key)
            phones.append(phone)
    return phones


def _phone(cell: PhoneCell, row_region: str | None, default_region: str | None) -> PhoneNumber:
    if cell.dialable:
        e164 = to_e164(cell.dialable, row_region or default_region)
        return PhoneNumber(raw=cell.raw.strip(), e164=e164, label=cell.label)
    # The customer's own country reads a local number best; the shop's country is the fallback
    # (a French address with a British mobile typed the British way).
    phone = make_phone(cell.raw, row_region or default_region, cell.label)
    if phone.e164 is None and row_region and default_region and row_region != default_region.upper():
        phone = make_phone(cell.raw, default_region, cell.label)
    return phone


def _row_region(country: str) -> str | None:
    """The row's country as a phone region, when the file gives it as a two-letter code ("DE")."""
    code = country.strip().upper()
    return code if len(code) == 2 and code in phonenumbers.SUPPORTED_REGIONS else None


def _dates(
    cells: list[DateCell], context: RowContext, problems: list[str]
) -> tuple[PartialDate | None, list[ImportantDate]]:
    birthday: PartialDate | None = None
    dates: list[ImportantDate] = []
    for cell in cells:
        try:
            value = read_date(cell.text, day_first=context.day_first, this_year=context.now.year)
        except (InvalidDate, UnreadableValue) as error:
            problems.append(f'{cell.source} "{cell.text.strip()}": {error}')
            continue
        if value is None:
            continue
        if cell.kind is None:
            birthday = birthday or value
        else:
            dates.append(ImportantDate(kind=cell.kind, date=value, label=cell.label))
    return birthday, dates


def _loyalty_stage(fields: RowFields, problems: list[str]) -> LoyaltyStage:
    text = fields.loyalty_stage.strip()
    if not text:
        return fields.default_stage
    try:
        return LoyaltyStage(text.lower())
    except ValueError:
        choices = ", ".join(stage.value for stage in LoyaltyStage)
        problems.append(f'{fields.loyalty_source} "{text}": use one of {choices}')
        return fields.default_stage


def _consents(
    cells: list[ConsentCell], line: int, context: RowContext, problems: list[str]
) -> list[ConsentEvent]:
    events: list[ConsentEvent] = []
    for cell in cells:
        try:
            granted = read_yes_no(cell.text)
        except UnreadableValue as error:
            problems.append(f'{cell.source} "{cell.text.strip()}": {error}')
            continue
        if granted is not None:
            events.append(
                ConsentEvent(
                    channel=cell.channel,
                    granted=granted,
                    at=context.now,
                    method=context.consent_method,
                    note=f"{cell.source}: {cell.text.strip()} ({context.source_name}, line {line})",
                )
            )
    return events


def _purchases(cells: list[PurchaseCell], context: RowContext, problems: list[str]) -> list[Purchase]:
    # A day's slack: "now" is UTC and a sale made this evening in the shop's zone is not in the future.
    today = (context.now + dt.timedelta(days=1)).date()
    day_first = context.day_first
    read = [read_purchase(cell, day_first=day_first, today=today, problems=problems) for cell in cells]
    return [purchase for purchase in read if purchase is not None]


def _address(fields: RowFields) -> PostalAddress:
    return PostalAddress(
        street=fields.street.strip(),
        city=fields.city.strip(),
        region=fields.region.strip(),
        postcode=fields.postcode.strip(),
        country=fields.country.strip(),
    )
