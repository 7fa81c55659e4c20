"""Reading many customers at once (an export of every customer): a few queries per few hundred
customers, instead of a few per customer (100,000 customers one by one took three and a half
minutes).

The rows are read with SQLAlchemy Core and turned straight into the domain's dataclasses: building
ORM objects (and their identity map) for 100,000 customers and their children was 90 % of a CSV
export's time, and an export never writes back, so it has no use for them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from careapp.db.database import Database
from careapp.db.models import (
    ConsentEventRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    PhoneRecord,
    PurchaseRecord,
    TagRecord,
)
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    ConsentState,
    Customer,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    Purchase,
)

BATCH = 2000  # ids per IN list: PostgreSQL takes 65,535 parameters at most
_CHANNELS = tuple(Channel)
# Enum("value") looks the member up slowly; a dict does it several times faster, 100,000s of times.
_CHANNEL_OF = {channel.value: channel for channel in Channel}
_STAGE_OF = {stage.value: stage for stage in LoyaltyStage}
_DATE_KIND_OF = {kind.value: kind for kind in DateKind}

_CUSTOMER = CustomerRecord.__table__
_EMAIL = EmailRecord.__table__
_PHONE = PhoneRecord.__table__
_DATE = DateRecord.__table__
_TAG = TagRecord.__table__
_CONSENT = ConsentEventRecord.__table__
_PURCHASE = PurchaseRecord.__table__


def _of_batch(column: Any) -> Any:
    """``column IN (the batch's ids)`` as one expanding parameter: each statement below is compiled
    once and reused for every batch (an IN list of literal ids was compiled again for each)."""
    return column.in_(bindparam("ids", expanding=True))


_c = _CUSTOMER.c
_CUSTOMERS = select(
    _c.id, _c.first_name, _c.last_name, _c.company, _c.street, _c.city, _c.region, _c.postcode,
    _c.country, _c.birthday_month, _c.birthday_day, _c.birthday_year, _c.notes, _c.loyalty_stage,
    _c.referred_by_id, _c.version, _c.created_at, _c.updated_at, _c.updated_by,
).where(_of_batch(_c.id))  # fmt: skip
_NAMES = select(_c.id, _c.display_name).where(_of_batch(_c.id))
# In the order the ORM relationships give them (position, position, id, tag).
_EMAILS = (
    select(_EMAIL.c.customer_id, _EMAIL.c.address, _EMAIL.c.label)
    .where(_of_batch(_EMAIL.c.customer_id))
    .order_by(_EMAIL.c.position)
)
_PHONES = (
    select(_PHONE.c.customer_id, _PHONE.c.raw, _PHONE.c.e164, _PHONE.c.label)
    .where(_of_batch(_PHONE.c.customer_id))
    .order_by(_PHONE.c.position)
)
_DATES = (
    select(_DATE.c.customer_id, _DATE.c.kind, _DATE.c.month, _DATE.c.day, _DATE.c.year, _DATE.c.label)
    .where(_of_batch(_DATE.c.customer_id))
    .order_by(_DATE.c.id)
)
_TAGS = select(_TAG.c.customer_id, _TAG.c.tag).where(_of_batch(_TAG.c.customer_id)).order_by(_TAG.c.tag)
_CONSENT_EVENTS = (
    select(
        _CONSENT.c.customer_id, _CONSENT.c.channel, _CONSENT.c.granted, _CONSENT.c.at, _CONSENT.c.method,
        _CONSENT.c.recorded_by, _CONSENT.c.note,
    )
    .where(_of_batch(_CONSENT.c.customer_id))
    .order_by(_CONSENT.c.customer_id, _CONSENT.c.at, _CONSENT.c.id)
)  # fmt: skip
_PURCHASES = (
    select(
        _PURCHASE.c.customer_id, _PURCHASE.c.id, _PURCHASE.c.date, _PURCHASE.c.item, _PURCHASE.c.category,
        _PURCHASE.c.amount_cents,
    )
    .where(_of_batch(_PURCHASE.c.customer_id))
    .order_by(_PURCHASE.c.customer_id, _PURCHASE.c.date.desc(), _PURCHASE.c.id.desc())
)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """What a batch read fills in besides the customer's own row, emails, phones, dates and tags.

    An export reads only what its format writes: a vCard has no consent and no referrer, a CSV no
    referrer's name. What is not read is left empty (``Customer.consents`` and ``referred_by_name``;
    the history lists): reading the 220,000 consent answers of 100,000 customers for a file that does
    not show them was a fifth of the export."""

    consents: bool = True
    referrers: bool = True
    history: bool = False


EVERYTHING = Reading(history=True)


@dataclass(frozen=True)
class CustomerWithHistory:
    """A customer, and (when asked for) their purchases, newest first, and every consent answer."""

    customer: Customer
    purchases: list[Purchase] = field(default_factory=list)
    consent_history: list[ConsentEvent] = field(default_factory=list)


def customers_in_batches(
    db: Database, ids: Sequence[int], with_history: bool = False, reading: Reading | None = None
) -> Iterator[list[CustomerWithHistory]]:
    """The customers with these ids, in this order, :data:`BATCH` at a time (each batch read in one
    short transaction). An id no longer there (deleted meanwhile) is left out. ``reading`` says what
    is read besides the customers' own rows (default: consents and referrers, and the history when
    ``with_history``)."""
    wanted = reading or Reading(history=with_history)
    for start in range(0, len(ids), BATCH):
        # A session only for its transaction and its sentences on a database error; no ORM objects.
        with db.session() as session:
            yield _batch(session.connection(), ids[start : start + BATCH], wanted)


def _batch(connection: Connection, ids: Sequence[int], reading: Reading) -> list[CustomerWithHistory]:
    batch = {"ids": list(ids)}
    rows = {row[0]: row for row in connection.execute(_CUSTOMERS, batch)}
    children = _Children(connection, batch)
    events = _consent_events(connection, batch) if reading.consents or reading.history else {}
    referrers: dict[int, str] = {}
    if reading.referrers:
        referrers = _names(
            connection, {r.referred_by_id for r in rows.values() if r.referred_by_id is not None}
        )
    purchases = _purchases(connection, batch) if reading.history else {}
    no_history: list[ConsentEvent] = []
    found = []
    for customer_id in ids:
        row = rows.get(customer_id)
        if row is None:
            continue
        history = events.get(customer_id, no_history)
        consents = _states(history) if reading.consents else []
        referrer = referrers.get(row.referred_by_id, "") if row.referred_by_id is not None else ""
        found.append(
            CustomerWithHistory(
                _customer(row, children, consents, referrer),
                purchases.get(customer_id, []),
                history if reading.history else [],
            )
        )
    return found


class _Children:
    """A batch's emails, phones, dates and tags, each read in one query, by customer id."""

    def __init__(self, connection: Connection, batch: dict[str, list[int]]) -> None:
        self.emails: dict[int, list[EmailAddress]] = defaultdict(list)
        for customer_id, address, label in connection.execute(_EMAILS, batch):
            self.emails[customer_id].append(EmailAddress(address, label))
        self.phones: dict[int, list[PhoneNumber]] = defaultdict(list)
        for customer_id, raw, e164, label in connection.execute(_PHONES, batch):
            self.phones[customer_id].append(PhoneNumber(raw, e164, label))
        self.dates: dict[int, list[ImportantDate]] = defaultdict(list)
        for customer_id, kind, month, day, year, label in connection.execute(_DATES, batch):
            self.dates[customer_id].append(
                ImportantDate(_DATE_KIND_OF.get(kind) or DateKind(kind), PartialDate(month, day, year), label)
            )
        self.tags: dict[int, list[str]] = defaultdict(list)
        for customer_id, tag in connection.execute(_TAGS, batch):
            self.tags[customer_id].append(tag)


def _customer(row: Any, children: _Children, consents: list[ConsentState], referrer: str) -> Customer:
    (
        customer_id, first, last, company, street, city, region, postcode, country, birthday_month,
        birthday_day, birthday_year, notes, stage, referred_by_id, version, created, updated, updated_by,
    ) = row  # fmt: skip
    birthday = None
    if birthday_month is not None and birthday_day is not None:
        birthday = PartialDate(birthday_month, birthday_day, birthday_year)
    return Customer(
        first_name=first,
        last_name=last,
        company=company,
        emails=children.emails.get(customer_id, []),
        phones=children.phones.get(customer_id, []),
        address=PostalAddress(street, city, region, postcode, country),
        birthday=birthday,
        dates=children.dates.get(customer_id, []),
        tags=children.tags.get(customer_id, []),
        notes=notes,
        loyalty_stage=_STAGE_OF.get(stage) or LoyaltyStage(stage),
        referred_by_id=referred_by_id,
        id=customer_id,
        version=version,
        created_at=created,
        updated_at=updated,
        updated_by=updated_by,
        consents=consents,
        referred_by_name=referrer,
    )


def _consent_events(connection: Connection, batch: dict[str, list[int]]) -> dict[int, list[ConsentEvent]]:
    """Every consent answer of these customers, oldest first."""
    found: dict[int, list[ConsentEvent]] = defaultdict(list)
    for customer_id, channel, granted, at, method, recorded_by, note in connection.execute(
        _CONSENT_EVENTS, batch
    ):
        found[customer_id].append(ConsentEvent(_CHANNEL_OF[channel], granted, at, method, recorded_by, note))
    return found


_NEVER_ASKED = {channel: ConsentState(channel, None, None) for channel in Channel}  # frozen: shared


def _states(events: Sequence[ConsentEvent]) -> list[ConsentState]:
    """Where each channel's consent stands: the last of its ``events`` (oldest first)."""
    if not events:
        return list(_NEVER_ASKED.values())
    latest = {event.channel: event for event in events}
    states = []
    for channel in _CHANNELS:
        last = latest.get(channel)
        states.append(ConsentState(channel, last.granted, last.at) if last else _NEVER_ASKED[channel])
    return states


def _names(connection: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in connection.execute(_NAMES, {"ids": sorted(ids)})}


def _purchases(connection: Connection, batch: dict[str, list[int]]) -> dict[int, list[Purchase]]:
    found: dict[int, list[Purchase]] = defaultdict(list)
    for customer_id, purchase_id, date, item, category, cents in connection.execute(_PURCHASES, batch):
        found[customer_id].append(
            Purchase(id=purchase_id, date=date, item=item, category=category, amount=Decimal(cents) / 100)
        )
    return found
