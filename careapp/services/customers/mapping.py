"""Translation between customer rows and the domain dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

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
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    Purchase,
    display_name,
    normalize_tags,
)
from careapp.domain.phones import digits_only, searchable_digits


def with_children() -> list[LoaderOption]:
    """Loader options for a customer's emails, phones, dates and tags: what
    :func:`customer_from_record` and :func:`draft_from_record` read, in one query per table."""
    c = CustomerRecord
    return [selectinload(c.emails), selectinload(c.phones), selectinload(c.dates), selectinload(c.tags)]


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def purchase_from_record(record: PurchaseRecord) -> Purchase:
    return Purchase(
        id=record.id,
        date=record.date,
        item=record.item,
        category=record.category,
        amount=Decimal(record.amount_cents) / 100,
        quantity=record.quantity,
        order_line=record.order_line,
    )


def consent_from_record(record: ConsentEventRecord) -> ConsentEvent:
    return ConsentEvent(
        channel=Channel(record.channel),
        granted=record.granted,
        at=record.at,
        method=record.method,
        recorded_by=record.recorded_by,
        note=record.note,
    )


def consent_states(events: Iterable[ConsentEventRecord]) -> list[ConsentState]:
    """Where each channel's consent stands: the last of its ``events`` (given oldest first)."""
    latest: dict[str, ConsentEventRecord] = {}
    for event in events:
        latest[event.channel] = event
    states = []
    for channel in Channel:
        last = latest.get(channel.value)
        states.append(ConsentState(channel, last.granted if last else None, last.at if last else None))
    return states


def search_text_for(draft: CustomerDraft) -> str:
    """Everything search-as-you-type looks at, lower-cased, in one string."""
    parts = [draft.first_name, draft.last_name, draft.company, draft.address.city, draft.notes]
    parts += [email.address for email in draft.emails]
    for phone in draft.phones:
        parts += [phone.raw, *searchable_digits(phone.raw, phone.e164)]
    parts += [f"#{tag}" for tag in draft.tags]
    return " ".join(part for part in parts if part).lower()


def sort_name_for(draft: CustomerDraft) -> str:
    key = " ".join(part for part in (draft.last_name, draft.first_name) if part.strip())
    return (key or draft.company or (draft.emails[0].address if draft.emails else "")).strip().lower()


def write_draft(record: CustomerRecord, draft: CustomerDraft) -> None:
    """Copy a draft onto a record, replacing its emails, phones, dates and tags."""
    tags = normalize_tags(draft.tags)
    clean = CustomerDraft(**{**draft.__dict__, "tags": tags})
    record.first_name = draft.first_name.strip()
    record.last_name = draft.last_name.strip()
    record.company = draft.company.strip()
    record.street = draft.address.street
    record.city = draft.address.city
    record.region = draft.address.region
    record.postcode = draft.address.postcode
    record.country = draft.address.country
    birthday = draft.birthday
    record.birthday_month = birthday.month if birthday else None
    record.birthday_day = birthday.day if birthday else None
    record.birthday_year = birthday.year if birthday else None
    record.loyalty_stage = LoyaltyStage(draft.loyalty_stage).value
    record.referred_by_id = draft.referred_by_id
    record.notes = draft.notes
    record.emails = [
        EmailRecord(
            address=e.address.strip(), address_key=e.address.strip().lower(), label=e.label, position=i
        )
        for i, e in enumerate(draft.emails)
    ]
    record.phones = [
        PhoneRecord(raw=p.raw, e164=p.e164, digits=digits_only(p.raw), label=p.label, position=i)
        for i, p in enumerate(draft.phones)
    ]
    record.dates = [
        DateRecord(kind=d.kind.value, label=d.label, month=d.date.month, day=d.date.day, year=d.date.year)
        for d in draft.dates
    ]
    record.tags = [TagRecord(tag=tag) for tag in tags]
    record.display_name = display_name(draft.first_name, draft.last_name, draft.company, draft.emails)
    record.sort_name = sort_name_for(draft)
    record.primary_email = draft.emails[0].address if draft.emails else ""
    record.primary_phone = draft.phones[0].raw if draft.phones else ""
    record.tags_text = ", ".join(tags)
    record.search_text = search_text_for(clean)


def draft_from_record(record: CustomerRecord) -> CustomerDraft:
    birthday = None
    if record.birthday_month is not None and record.birthday_day is not None:
        birthday = PartialDate(record.birthday_month, record.birthday_day, record.birthday_year)
    return CustomerDraft(
        first_name=record.first_name,
        last_name=record.last_name,
        company=record.company,
        emails=[EmailAddress(e.address, e.label) for e in record.emails],
        phones=[PhoneNumber(p.raw, p.e164, p.label) for p in record.phones],
        address=PostalAddress(record.street, record.city, record.region, record.postcode, record.country),
        birthday=birthday,
        dates=[
            ImportantDate(DateKind(d.kind), PartialDate(d.month, d.day, d.year), d.label)
            for d in record.dates
        ],
        tags=[t.tag for t in record.tags],
        notes=record.notes,
        loyalty_stage=LoyaltyStage(record.loyalty_stage),
        referred_by_id=record.referred_by_id,
    )


def customer_from_record(
    record: CustomerRecord, consents: list[ConsentState], referred_by_name: str = ""
) -> Customer:
    draft = draft_from_record(record)
    return Customer(
        **draft.__dict__,
        id=record.id,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        consents=consents,
        referred_by_name=referred_by_name,
    )
