"""SQLAlchemy models: the stored shape of what the domain layer describes.

Services translate between these rows and the plain dataclasses in ``careapp.domain``;
nothing outside ``careapp.db`` and ``careapp.services`` sees these classes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def core_table(model: type[Base]) -> Table:
    """The model's Core table, for writes that skip the ORM's bookkeeping per row (bulk inserts,
    INSERT ... SELECT, snapshots)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def kept_on(dialect_name: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` for comparing the models with a database of ``dialect_name``:
    a schema item declared for another dialect only (``.ddl_if(dialect=...)``, such as PostgreSQL's
    trigram index) is not expected there."""

    def include(item: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        only = getattr(item, "_ddl_if", None)
        return only is None or only.dialect in (None, dialect_name)

    return include


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CustomerRecord(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(400), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    birthday_month: Mapped[int | None] = mapped_column(Integer)
    birthday_day: Mapped[int | None] = mapped_column(Integer)
    birthday_year: Mapped[int | None] = mapped_column(Integer)
    loyalty_stage: Mapped[str] = mapped_column(String(20), default="prospect")
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Denormalised for the list: sorting and search run in SQL over one table.
    sort_name: Mapped[str] = mapped_column(String(400), default="")
    display_name: Mapped[str] = mapped_column(String(400), default="")
    primary_email: Mapped[str] = mapped_column(String(320), default="")
    primary_phone: Mapped[str] = mapped_column(String(60), default="")
    tags_text: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    emails: Mapped[list[EmailRecord]] = relationship(
        cascade="all, delete-orphan", order_by="EmailRecord.position", passive_deletes=True
    )
    phones: Mapped[list[PhoneRecord]] = relationship(
        cascade="all, delete-orphan", order_by="PhoneRecord.position", passive_deletes=True
    )
    dates: Mapped[list[DateRecord]] = relationship(
        cascade="all, delete-orphan", order_by="DateRecord.id", passive_deletes=True
    )
    tags: Mapped[list[TagRecord]] = relationship(
        cascade="all, delete-orphan", order_by="TagRecord.tag", passive_deletes=True
    )

    __table_args__ = (
        # Covers the default list query (search by LIKE, sorted by name) without touching the
        # table: 4-8x faster per keystroke at 100,000 customers.
        Index("ix_customer_sort_name_search", "sort_name", "id", "search_text"),
        Index("ix_customer_primary_email", "primary_email", "id"),
        Index("ix_customer_city", "city", "id"),
        Index("ix_customer_loyalty_stage", "loyalty_stage", "id"),
        Index("ix_customer_birthday", "birthday_month", "birthday_day"),
        # Whom a customer referred (the care queue's thank-yous, read per customer).
        Index("ix_customer_referred_by_id", "referred_by_id"),
        # PostgreSQL's trigram index is declared with its engine: see declare_postgresql_indexes.
        # Ids are never handed out twice: calendar UIDs are keyed by them (migration 0009).
        {"sqlite_autoincrement": True},
    )


class EmailRecord(Base):
    __tablename__ = "customer_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    address_key: Mapped[str] = mapped_column(String(320), index=True)  # lower-cased, for matching
    label: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class PhoneRecord(Base):
    __tablename__ = "customer_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    raw: Mapped[str] = mapped_column(String(60))
    e164: Mapped[str | None] = mapped_column(String(20), index=True)
    digits: Mapped[str] = mapped_column(String(60), index=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class DateRecord(Base):
    __tablename__ = "customer_date"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100), default="")
    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = ({"sqlite_autoincrement": True},)  # calendar UIDs are keyed by ids (migration 0009)


class TagRecord(Base):
    __tablename__ = "customer_tag"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class PurchaseRecord(Base):
    __tablename__ = "purchase"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    item: Mapped[str] = mapped_column(String(400))
    category: Mapped[str] = mapped_column(String(100), default="")
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    # Migration 0011: how many; and for an imported order its line ("shopify:#1001:2"), so a
    # re-import adds nothing twice (NULL for a sale recorded by hand).
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    order_line: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_purchase_customer_date", "customer_id", "date"),
        Index("ux_purchase_order_line", "order_line", unique=True),
    )


class ConsentEventRecord(Base):
    __tablename__ = "consent_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_consent_event_customer_channel", "customer_id", "channel", "at"),
        # The Overview's opt-out rate: who ever said yes, per channel, without reading every row.
        Index("ix_consent_event_granted_customer", "granted", "customer_id", "channel"),
    )


class NoteRecord(Base):
    """A dated note on the customer's timeline (the customer's ``notes`` is the standing memo)."""

    __tablename__ = "customer_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)


class ContactRecord(Base):
    """One exchange with a customer (call, walk-in, email, message)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))  # "in" or "out"
    staff: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # Added with tickets (migration 0002); all nullable, so older contacts stand alone.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    callback_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    callback_done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    callback_done_by: Mapped[str | None] = mapped_column(String(100))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    customer_confirmed: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_contact_customer_at", "customer_id", "at"),
        Index("ix_contact_ticket_at", "ticket_id", "at"),
        # The care queue's due callbacks: a range on callback_at (NULLs, most contacts, sort first).
        Index("ix_contact_callback", "callback_at", "callback_done_at"),
        {"sqlite_autoincrement": True},  # calendar UIDs are keyed by ids (migration 0009)
    )


class ImportBatchRecord(Base):
    """One applied import, kept so the last one can be undone."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    source_name: Mapped[str] = mapped_column(String(400))
    format: Mapped[str] = mapped_column(String(40))
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_by: Mapped[str] = mapped_column(String(100), default="")


class ImportChangeRecord(Base):
    """What an import did to one existing customer: the state before, to undo it."""

    __tablename__ = "import_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    before_json: Mapped[str] = mapped_column(Text)
    # The customer's version right after the import: a higher one means edited since.
    version_after: Mapped[int] = mapped_column(Integer)


class SettingRecord(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)


# --- tickets, staff and feedback (migration 0002) --------------------------------------------------


class StaffRecord(Base):
    """Someone who works in the shop; ``role`` is "owner" or "staff". Never deleted, only deactivated."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TicketRecord(Base):
    """One customer's one issue. ``state`` mirrors the last row of ``ticket_state_change``.

    ``version`` is the optimistic lock for edits; appending a contact that does not move the state
    leaves it alone, so two seats logging contacts never conflict.
    """

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(400), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    state: Mapped[str] = mapped_column(String(20), default="new")
    assignee: Mapped[str] = mapped_column(String(100), default="")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    opened_by: Mapped[str] = mapped_column(String(100), default="")
    # Deferred so that undoing a customer's delete can put the tickets back in any order.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL", deferrable=True, initially="DEFERRED")
    )
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL", deferrable=True, initially="DEFERRED")
    )
    not_resolvable_reason: Mapped[str | None] = mapped_column(String(20))
    exclusion: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        Index("ix_ticket_customer_opened", "customer_id", "opened_at"),
        Index("ix_ticket_state_opened", "state", "opened_at"),
        Index("ix_ticket_opened_at", "opened_at"),
    )


class TicketStateChangeRecord(Base):
    """One move of a ticket's state machine. ``customer_id`` is kept so a customer's rows can be
    snapshotted (undo of a delete) like every other child table."""

    __tablename__ = "ticket_state_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    old: Mapped[str] = mapped_column(String(20))
    new: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_ticket_state_change_ticket_at", "ticket_id", "at"),
        # First resolutions in a period (the FCR cohort) come from an index-only scan.
        Index("ix_ticket_state_change_new_at", "new", "at", "ticket_id"),
    )


class FcrVerdictRecord(Base):
    """A ticket's FCR verdict once its windows have passed (issue 20): a decided verdict never changes,
    so a report reads it instead of rebuilding the ticket's history. ``inputs`` is the fingerprint of
    what the verdict was worked out from (the ticket's version, its contacts and state changes, its
    customer's tickets); a report uses a row only while the fingerprint still matches. Times are whole
    microseconds since 1970-01-01 UTC and ``flags`` a bit set (careapp/services/tickets/fcr_verdicts.py):
    a year's report reads 20,000 rows, and parsing stored date strings and booleans was most of it."""

    __tablename__ = "fcr_verdict"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    inputs: Mapped[str] = mapped_column(String(200))
    first_resolved_us: Mapped[int] = mapped_column(BigInteger)
    decided_us: Mapped[int] = mapped_column(BigInteger)
    windows_since_us: Mapped[int | None] = mapped_column(BigInteger)
    reopen_window_days: Mapped[int] = mapped_column(Integer)
    repeat_window_days: Mapped[int] = mapped_column(Integer)
    staff: Mapped[str] = mapped_column(String(100), default="")
    flags: Mapped[int] = mapped_column(Integer)
    repeat_ticket_ids: Mapped[str] = mapped_column(Text, default="")
    first_response_us: Mapped[int | None] = mapped_column(BigInteger)
    resolution_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_fcr_verdict_first_resolved_us", "first_resolved_us"),)


class TicketAuditRecord(Base):
    """One change to a ticket: who, when, which field, from what to what, and why."""

    __tablename__ = "ticket_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_ticket_audit_ticket_at", "ticket_id", "at"),)


class FeedbackRecord(Base):
    """What a customer said about how they were helped.

    ``publishable`` may only be set with the customer's permission to publish, recorded in the
    ``publish_consent_*`` columns (who took it, when and how).
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    positive: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text, default="")
    publishable: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    publish_consent_by: Mapped[str | None] = mapped_column(String(100))
    publish_consent_method: Mapped[str | None] = mapped_column(String(200))


class SettingAuditRecord(Base):
    """A change to a shop-wide setting (such as the FCR windows): who, when, before, after and why."""

    __tablename__ = "setting_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    old_json: Mapped[str] = mapped_column(Text)
    new_json: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_setting_audit_key_at", "key", "at"),)


# --- touches and the care queue (migration 0004) ---------------------------------------------------


class TouchRuleRecord(Base):
    """One section of the touch rules (birthday, follow-up, ...) as JSON; no row means the default.

    ``version`` is the optimistic lock: an edit carries the version it was made on.
    """

    __tablename__ = "touch_rule"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    params_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class ArticleRecord(Base):
    """An article, guide or video in the shop's content library.

    AUTOINCREMENT: an id is never reused after a delete, because touch keys (``article:<id>:<customer>``)
    remember which article went to whom.
    """

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    link: Mapped[str] = mapped_column(String(2000))
    summary: Mapped[str] = mapped_column(Text, default="")
    topics_json: Mapped[str] = mapped_column(Text, default="[]")
    added_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = ({"sqlite_autoincrement": True},)


class TouchRecord(Base):
    """One generated touch: a care-queue item. ``key`` is the domain's stable dedup key; a row is never
    deleted (only its customer's delete removes it), so a key is generated once, ever.

    ``status`` is the domain's ItemStatus; ``payload_json`` keeps the rest of the DueTouch (occasion,
    deadline, years, label, purchase, article, ticket and referral ids, channels). ``due_at`` is a
    promised callback time (naive UTC).
    """

    __tablename__ = "touch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    due: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    channel: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="open")
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Where the last plan placed this open touch (migration 0008; see careapp/services/care/plan_store.py):
    # queued or held before the daily limit, why it is held, the day it shows on, the last day before
    # it is overdue, and the moment it sorts by. NULL: not planned yet.
    plan_placement: Mapped[str | None] = mapped_column(String(12))
    plan_reason: Mapped[str | None] = mapped_column(Text)
    plan_held_until: Mapped[dt.date | None] = mapped_column(Date)
    plan_day: Mapped[dt.date | None] = mapped_column(Date)
    plan_last_day: Mapped[dt.date | None] = mapped_column(Date)
    plan_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        # Planning reads the open items; the overview counts them.
        Index("ix_touch_status_customer", "status", "customer_id"),
        # The care queue's sections read the stored plan by placement and day.
        Index("ix_touch_status_plan", "status", "plan_placement", "plan_day", "key", "kind", "plan_last_day"),
        # One kind's queued touches due by a day, oldest first: the callbacks due (never held back
        # by the daily limit) and the touches the daily limit keeps, read kind by kind (migration 0017).
        Index("ix_touch_status_kind_placement_plan", "status", "kind", "plan_placement", "plan_day", "key"),
        # A customer's touches by kind (the newest article share spaces the next one out).
        Index("ix_touch_customer_kind_due", "customer_id", "kind", "due"),
    )


class TouchLogRecord(Base):
    """What was done with a touch: done, snoozed or skipped, by whom, when, on which channel, and for a
    done touch what was sent (subject and body) and the contact row written for the timeline."""

    __tablename__ = "touch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    touch_id: Mapped[int] = mapped_column(ForeignKey("touch.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_touch_log_customer_at", "customer_id", "at"),
        Index("ix_touch_log_outcome_at", "outcome", "at"),
    )


class StageChangeRecord(Base):
    """A move on the loyalty ladder, for "who moved this month". ``old_stage`` None: first seen."""

    __tablename__ = "customer_stage_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    old_stage: Mapped[str | None] = mapped_column(String(20))
    new_stage: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        Index("ix_customer_stage_change_customer_id", "customer_id", "id"),
        Index("ix_customer_stage_change_at", "at"),
    )


# --- calendar items and CalDAV sync state (migration 0005) ---------------------------------------


class CalendarItemRecord(Base):
    """One item careapp puts in calendars. ``uid`` is a uuid4 made once and never regenerated;
    ``source`` says what it comes from (``birthday:<customer id>``, ``date:<date id>``,
    ``touch:<touch key>``, ``callback:<contact id>``). ``entry_json`` is the domain's CalendarEntry;
    ``sequence`` rises only when the date, time, recurrence or status changes (``schedule_hash``);
    ``content_hash`` covers everything that is written. A cancelled item has left the calendar."""

    __tablename__ = "calendar_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    entry_json: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    schedule_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_modified: Mapped[dt.datetime] = mapped_column(DateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_calendar_item_kind_cancelled", "kind", "cancelled"),)


class CalDavStateRecord(Base):
    """What careapp last pushed of an item to the CalDAV calendar: where (``href``), the server's
    ``etag``, the fingerprint of the pushed object and its SEQUENCE. No row: never pushed."""

    __tablename__ = "caldav_state"

    uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    href: Mapped[str] = mapped_column(String(2000))
    etag: Mapped[str] = mapped_column(String(200), default="")
    pushed_hash: Mapped[str] = mapped_column(String(64))
    pushed_sequence: Mapped[int] = mapped_column(Integer, default=0)
    pushed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # "<sequence>|<content hash>|<object format>" of what was pushed: a sync compares it with the
    # item's without building the object ("": pushed before migration 0009; compared once the slow way).
    pushed_key: Mapped[str] = mapped_column(String(200), default="", server_default="")


# --- seeing other seats' work (migration 0006) ----------------------------------------------------


class ChangeCounterRecord(Base):
    """One row per area of the data (customers, tickets, care, settings, calendar, other): ``value``
    rises by one in the same transaction as every write to that area, so a seat that polls the rows
    sees at once whether anyone (another seat, another process) changed something since it last
    looked. See careapp/db/changes.py."""

    __tablename__ = "change_counter"

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- erasure on request (migration 0007) -----------------------------------------------------------


class ErasureAuditRecord(Base):
    """A customer erased on request: which id, when, by whom, why and how many rows went, per table.

    Holds no personal data of the erased customer (no name, email or phone: the reason is checked for
    them), so the record of the erasure does not undo it. ``customer_id`` is a plain number, not a
    foreign key: the customer is gone."""

    __tablename__ = "erasure_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    counts_json: Mapped[str] = mapped_column(Text, default="{}")


# --- the incremental care queue (migration 0008) --------------------------------------------------


class CareDirtyRecord(Base):
    """A customer whose care facts changed: appended by database triggers (careapp/db/care_triggers.py)
    on every write to the tables the touch rules and the queue read. The planner and the refresh keep
    their own watermark on ``seq`` and re-work only the customers noted after it. No foreign key: a
    deleted customer's note is simply found to have nothing left to plan."""

    __tablename__ = "care_dirty"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    # Noted for a new touch only: the planner must plan it, the touches' refresh has nothing to make
    # from it (so a refresh's own inserts never send it round again).
    touch_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    __table_args__ = ({"sqlite_autoincrement": True},)


class CareWakeRecord(Base):
    """The day each customer's touches next need making (:func:`careapp.domain.touches.next_wake`):
    a refresh on a new day works on the customers whose day the horizon has reached, not on everyone.
    ``anchor_on``: their last real contact (:func:`careapp.domain.touches.last_real_contact`), which
    the Overview's "drifting away" reads. Bookkeeping, like ``care_dirty``: written only by the
    refresh, from the facts it read."""

    __tablename__ = "care_wake"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wake_on: Mapped[dt.date] = mapped_column(Date, index=True)
    anchor_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)


class CarePlanStateRecord(Base):
    """How far the stored care plan is up to date (one row per ``name``: "plan" for the queue's
    placement, "refresh" for generated touches): the signature it was made for (the day and the
    settings it depends on, as JSON) and the last ``care_dirty.seq`` it has dealt with."""

    __tablename__ = "care_plan_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    signature_json: Mapped[str] = mapped_column(Text, default="{}")
    seq: Mapped[int] = mapped_column(Integer, default=0)


# --- loyalty and referral rewards (migration 0012) -------------------------------------------------


class RewardRuleRecord(Base):
    """One reward rule (careapp.domain.rewards.RewardRule) as JSON; no row means the default, which is
    off. ``version`` is the optimistic lock: a save carries the version it was made on."""

    __tablename__ = "reward_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    params_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class RewardLedgerRecord(Base):
    """The rewards ledger: append-only, one row per event, never updated or deleted (but with its
    customer). An EARNED row opens a reward (its ``id`` is the reward's number); a REDEEMED, EXPIRED,
    CANCELLED or TAKEN_BACK row closes it by ``reward_id``, which is unique: a reward closes once, so
    two seats redeeming it at the same moment cannot both succeed.

    ``key`` is the domain's stable key of what earned it; ``purchase_id`` the purchase that earned it
    (EARNED) or that it was redeemed against (REDEEMED), and ``referred_customer_id`` whose first
    purchase earned it: plain numbers, since a purchase may be deleted and the ledger keeps its story.
    ``offer_json`` is the reward as earned (kind, wording, value), so a later rule change does not
    rewrite what a customer was promised. ``cost_cents``: what giving it cost (REDEEMED)."""

    __tablename__ = "reward_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    reward_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    key: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100), default="")
    purchase_id: Mapped[int | None] = mapped_column(Integer)
    referred_customer_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    offer_json: Mapped[str] = mapped_column(Text, default="{}")
    earned_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    cost_cents: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_reward_ledger_customer_id", "customer_id", "id"),
        Index("ix_reward_ledger_event_at", "event", "at"),
        {"sqlite_autoincrement": True},
    )


_declaring = threading.Lock()
TRIGRAM_INDEX = "ix_customer_search_trgm"


def declare_postgresql_indexes() -> None:
    """Add PostgreSQL's own indexes to the models, once, when an engine for PostgreSQL is made.

    Naming PostgreSQL's index options imports SQLAlchemy's PostgreSQL dialect, 40-55 ms of every
    start, command and window alike, which a shop on its SQLite file never needs. Declared here,
    the index is in the metadata before anything creates or compares a PostgreSQL schema."""
    table = core_table(CustomerRecord)
    with _declaring:
        if any(index.name == TRIGRAM_INDEX for index in table.indexes):
            return
        # Where pg_trgm is there (migration 0016): LIKE '%term%' without a scan.
        Index(
            TRIGRAM_INDEX,
            table.c.search_text,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql")
