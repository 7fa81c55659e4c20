"""What the shop remembers about a customer, as plain data.

Nothing here knows about Qt or SQLAlchemy, and nothing reads the clock: callers pass
times in.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class LoyaltyStage(StrEnum):
    """The relationship-marketing ladder, lowest rung first."""

    SUSPECT = "suspect"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    CLIENT = "client"
    ADVOCATE = "advocate"


class Channel(StrEnum):
    """A way the shop may contact a customer; consent is kept per channel."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"


class DateKind(StrEnum):
    """The kinds of dates that matter besides the birthday."""

    CUSTOMER_SINCE = "customer_since"
    ANNIVERSARY = "anniversary"
    CUSTOM = "custom"


class InvalidDate(ValueError):
    """A day/month/year combination that does not exist."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date whose year may be unknown (birthdays often are).

    Without a year, 29 February is allowed; with a year it must exist in that year.
    """

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidDate(f"there is no month {self.month}")
        if self.year is not None and not 1 <= self.year <= 9999:
            raise InvalidDate(f"the year {self.year} is out of range")
        # Without a year, judge the day against a leap year so 29 February is allowed.
        year_for_check = self.year if self.year is not None else 2000
        last_day = calendar.monthrange(year_for_check, self.month)[1]
        if not 1 <= self.day <= last_day:
            month_name = calendar.month_name[self.month]
            if self.year is None:
                raise InvalidDate(f"{month_name} has no day {self.day}")
            raise InvalidDate(f"{month_name} {self.year} has no day {self.day}")

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.month, value.day, value.year)

    def to_date(self) -> dt.date | None:
        """The full date, or None when the year is unknown."""
        if self.year is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def iso(self) -> str:
        """ISO 8601 text; an unknown year is written the vCard 4 way, ``--MM-DD``."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def as_json(self) -> dict[str, int | None]:
        return {"month": self.month, "day": self.day, "year": self.year}


@dataclass(frozen=True)
class EmailAddress:
    address: str
    label: str = ""


@dataclass(frozen=True)
class PhoneNumber:
    """A phone number as the user typed it, and in E.164 when it could be parsed."""

    raw: str
    e164: str | None = None
    label: str = ""


@dataclass(frozen=True)
class PostalAddress:
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not any((self.street, self.city, self.region, self.postcode, self.country))


@dataclass(frozen=True)
class ImportantDate:
    """A date that matters besides the birthday (customer since, anniversary, custom)."""

    kind: DateKind
    date: PartialDate
    label: str = ""

    def title(self) -> str:
        if self.kind is DateKind.CUSTOM:
            return self.label or "Date"
        return {"customer_since": "Customer since", "anniversary": "Anniversary"}[self.kind]


@dataclass(frozen=True)
class Purchase:
    date: dt.date
    item: str
    category: str = ""
    amount: Decimal = Decimal("0")  # the total paid for the line
    id: int | None = None
    quantity: int = 1
    order_line: str | None = None  # "source:order:line" for an imported order line: its re-import key


@dataclass(frozen=True)
class ConsentEvent:
    """One grant or withdrawal of consent: kept as history, never overwritten."""

    channel: Channel
    granted: bool
    at: dt.datetime
    method: str = ""  # how: "in shop, signed form", "web form", "import: Shopify"
    recorded_by: str = ""  # who recorded it
    note: str = ""


@dataclass
class CustomerDraft:
    """The editable part of a customer: what an editor or an import produces."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    emails: list[EmailAddress] = field(default_factory=list)
    phones: list[PhoneNumber] = field(default_factory=list)
    address: PostalAddress = field(default_factory=PostalAddress)
    birthday: PartialDate | None = None
    dates: list[ImportantDate] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    loyalty_stage: LoyaltyStage = LoyaltyStage.PROSPECT
    referred_by_id: int | None = None

    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.company, self.emails)


@dataclass(frozen=True)
class ConsentState:
    """The current answer for one channel, from the latest event (None: never asked)."""

    channel: Channel
    granted: bool | None
    since: dt.datetime | None = None


@dataclass
class Customer(CustomerDraft):
    """A stored customer: the draft plus identity, version and consent state."""

    id: int = 0
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    updated_by: str = ""
    consents: list[ConsentState] = field(default_factory=list)
    referred_by_name: str = ""

    def draft(self) -> CustomerDraft:
        return CustomerDraft(
            first_name=self.first_name,
            last_name=self.last_name,
            company=self.company,
            emails=list(self.emails),
            phones=list(self.phones),
            address=self.address,
            birthday=self.birthday,
            dates=list(self.dates),
            tags=list(self.tags),
            notes=self.notes,
            loyalty_stage=self.loyalty_stage,
            referred_by_id=self.referred_by_id,
        )


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list: only what the list shows."""

    id: int
    name: str
    email: str
    phone: str
    city: str
    stage: LoyaltyStage
    tags: str


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a customer's story, for the detail page (newest first)."""

    at: dt.datetime
    kind: str  # "purchase", "contact", "note", "consent", "created"
    title: str
    detail: str = ""


def display_name(first: str, last: str, company: str = "", emails: list[EmailAddress] | None = None) -> str:
    name = " ".join(part for part in (first.strip(), last.strip()) if part)
    if name:
        return name
    if company.strip():
        return company.strip()
    if emails:
        return emails[0].address
    return "(no name)"


def normalize_tag(tag: str) -> str:
    """Tags are compared case-insensitively and without surrounding spaces."""
    return " ".join(tag.strip().lower().split())


def normalize_tags(tags: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        norm = normalize_tag(tag)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)
