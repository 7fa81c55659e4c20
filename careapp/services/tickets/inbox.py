"""The tickets inbox across customers: every open ticket and every promised callback.

Two calls, for a lazily filled list: :meth:`InboxService.keys` answers a filter and an order with
the keys of every line (light columns only, no customer names), :meth:`InboxService.rows` reads the
lines of one page of keys with everything a row shows. What the filters and orders mean is written
in :mod:`careapp.domain.inbox`; they run here in SQL. Times are naive UTC, as everywhere in storage.

A ticket is in the inbox while it is in an active state, or while it still carries a promised
callback nobody has made (a callback outlives its ticket's resolution until it is done). A ticket
merged into another is not: its contacts and callbacks live on in the one it went into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, false, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from careapp.db.database import Database
from careapp.db.models import ContactRecord, CustomerRecord, TicketRecord
from careapp.domain.inbox import CALLBACK_STATE, InboxFilter, InboxOrder, callback_key, ticket_key
from careapp.domain.tickets import ACTIVE_STATES, Outcome, TicketState
from careapp.services.tickets.store import chunks

Clock = Callable[[], dt.datetime]
_ACTIVE = sorted(state.value for state in ACTIVE_STATES)


@dataclass(frozen=True)
class InboxKeys:
    """The keys of the lines a filter keeps, in order, and the inbox's counts whatever the filter."""

    keys: list[int]
    open_tickets: int
    open_callbacks: int


@dataclass(frozen=True)
class InboxRow:
    """One line: an open ticket (``ticket_id``) or a callback outside any ticket (``contact_id``)."""

    key: int
    ticket_id: int | None
    contact_id: int | None
    customer_id: int
    customer_name: str
    title: str
    category: str
    state: str  # a TicketState value, or CALLBACK_STATE
    opened_at: dt.datetime  # the ticket's opening, or when the callback was promised
    assignee: str
    last_activity: dt.datetime
    next_promise: dt.datetime | None


@dataclass(frozen=True)
class _Callback:
    contact_id: int
    ticket_id: int | None
    due: dt.datetime
    promised_at: dt.datetime
    promised_by: str


def _open_callbacks_statement() -> Select[int, int | None, dt.datetime | None, dt.datetime, str]:
    # callback_at IS NOT NULL AND callback_done_at IS NULL: a range on ix_contact_callback, so the
    # contacts without a callback (nearly all of them) are never read.
    return select(
        ContactRecord.id,
        ContactRecord.ticket_id,
        ContactRecord.callback_at,
        ContactRecord.at,
        ContactRecord.staff,
    ).where(
        ContactRecord.callback_at.is_not(None),
        ContactRecord.callback_done_at.is_(None),
        ContactRecord.outcome == Outcome.CALLBACK_PROMISED.value,
    )


def _later(first: dt.datetime, second: dt.datetime | None) -> dt.datetime:
    return first if second is None or first >= second else second


class InboxService:
    """The inbox's two reads. One short session per call; plain data out."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def keys(self, chosen: InboxFilter, order: InboxOrder, me: str) -> InboxKeys:
        """Every line ``chosen`` keeps, ``order``-ed; ``me`` is the working staff member's name.

        Filtered and ordered in SQL and only the keys come back: turning 20,000 stored times into
        datetimes in Python would cost more than the whole query."""
        now = self._clock()
        with self._db.session() as session:
            callbacks = [
                _Callback(contact_id, ticket_id, due, at, staff)
                for contact_id, ticket_id, due, at, staff in session.execute(_open_callbacks_statement())
                if due is not None  # selected by callback_at IS NOT NULL
            ]
            promised = _earliest_promise(callbacks)
            overdue = [ticket_id for ticket_id, due in promised.items() if due < now]
            lines = union_all(
                _ticket_lines(chosen, me, list(promised), overdue),
                _loose_callback_lines(chosen, me, now),
            ).subquery()
            if order is InboxOrder.NEWEST_ACTIVITY:
                ordering = [lines.c.last.desc(), lines.c.key.desc()]
            else:
                ordering = [lines.c.last.asc(), lines.c.key.asc()]
            keys = list(session.scalars(select(lines.c.key).order_by(*ordering)))
            open_tickets = session.scalar(
                select(func.count()).where(
                    TicketRecord.state.in_(_ACTIVE), TicketRecord.merged_into_id.is_(None)
                )
            )
        return InboxKeys(keys, int(open_tickets or 0), len(callbacks))

    def rows(self, keys: Sequence[int]) -> list[InboxRow]:
        """The lines of ``keys``, in the same order; a key gone meanwhile (done, merged) is left out."""
        ticket_ids = [key for key in keys if key > 0]
        contact_ids = [-key for key in keys if key < 0]
        found: dict[int, InboxRow] = {}
        with self._db.session() as session:
            for part in chunks(ticket_ids):
                found.update((row.key, row) for row in _ticket_rows(session, part))
            for part in chunks(contact_ids):
                found.update((row.key, row) for row in _callback_rows(session, part))
        return [found[key] for key in keys if key in found]

    def open_count(self) -> int:
        """Tickets in an active state (the tab's count)."""
        with self._db.session() as session:
            statement = select(func.count()).where(
                TicketRecord.state.in_(_ACTIVE), TicketRecord.merged_into_id.is_(None)
            )
            return int(session.scalar(statement) or 0)


def _ticket_lines(
    chosen: InboxFilter, me: str, promised: list[int], overdue: list[int]
) -> Select[int, dt.datetime]:
    """(key, last activity) of the tickets in the inbox that ``chosen`` keeps."""
    last_contact = (
        select(func.max(ContactRecord.at)).where(ContactRecord.ticket_id == TicketRecord.id).scalar_subquery()
    )
    last = case(
        (and_(last_contact.is_not(None), last_contact > TicketRecord.updated_at), last_contact),
        else_=TicketRecord.updated_at,
    )
    in_inbox: ColumnElement[bool] = TicketRecord.state.in_(_ACTIVE)
    if promised:
        in_inbox = or_(in_inbox, TicketRecord.id.in_(promised))
    kept = {
        InboxFilter.ALL: true(),
        InboxFilter.MINE: and_(literal(bool(me)), TicketRecord.assignee == me),
        InboxFilter.UNASSIGNED: TicketRecord.assignee == "",
        InboxFilter.WAITING_CUSTOMER: TicketRecord.state == TicketState.WAITING_CUSTOMER.value,
        InboxFilter.WAITING_SUPPLIER: TicketRecord.state == TicketState.WAITING_SUPPLIER.value,
        InboxFilter.CALLBACK_OVERDUE: TicketRecord.id.in_(overdue) if overdue else false(),
    }[chosen]
    return select(TicketRecord.id.label("key"), last.label("last")).where(
        TicketRecord.merged_into_id.is_(None), in_inbox, kept
    )


def _loose_callback_lines(chosen: InboxFilter, me: str, now: dt.datetime) -> Select[int, dt.datetime]:
    """(key, when promised) of the callbacks outside any ticket that ``chosen`` keeps; the staff
    member who promised one is its assignee."""
    kept = {
        InboxFilter.ALL: true(),
        InboxFilter.MINE: and_(literal(bool(me)), ContactRecord.staff == me),
        InboxFilter.UNASSIGNED: ContactRecord.staff == "",
        InboxFilter.WAITING_CUSTOMER: false(),
        InboxFilter.WAITING_SUPPLIER: false(),
        InboxFilter.CALLBACK_OVERDUE: ContactRecord.callback_at < now,
    }[chosen]
    return select((-ContactRecord.id).label("key"), ContactRecord.at.label("last")).where(
        ContactRecord.callback_at.is_not(None),
        ContactRecord.callback_done_at.is_(None),
        ContactRecord.outcome == Outcome.CALLBACK_PROMISED.value,
        ContactRecord.ticket_id.is_(None),
        kept,
    )


def _earliest_promise(callbacks: Sequence[_Callback]) -> dict[int, dt.datetime]:
    earliest: dict[int, dt.datetime] = {}
    for callback in callbacks:
        if callback.ticket_id is not None:
            known = earliest.get(callback.ticket_id)
            earliest[callback.ticket_id] = callback.due if known is None else min(known, callback.due)
    return earliest


def _ticket_rows(session: Session, ticket_ids: list[int]) -> list[InboxRow]:
    last_contact = (
        select(func.max(ContactRecord.at)).where(ContactRecord.ticket_id == TicketRecord.id).scalar_subquery()
    )
    next_promise = (
        select(func.min(ContactRecord.callback_at))
        .where(
            ContactRecord.ticket_id == TicketRecord.id,
            ContactRecord.callback_done_at.is_(None),
            ContactRecord.outcome == Outcome.CALLBACK_PROMISED.value,
        )
        .scalar_subquery()
    )
    statement = (
        select(TicketRecord, CustomerRecord.display_name, last_contact, next_promise)
        .join(CustomerRecord, CustomerRecord.id == TicketRecord.customer_id)
        .where(TicketRecord.id.in_(ticket_ids))
    )
    return [
        InboxRow(
            key=ticket_key(ticket.id),
            ticket_id=ticket.id,
            contact_id=None,
            customer_id=ticket.customer_id,
            customer_name=name,
            title=ticket.title,
            category=ticket.category,
            state=ticket.state,
            opened_at=ticket.opened_at,
            assignee=ticket.assignee,
            last_activity=_later(ticket.updated_at, contacted),
            next_promise=promise,
        )
        for ticket, name, contacted, promise in session.execute(statement)
    ]


def _callback_rows(session: Session, contact_ids: list[int]) -> list[InboxRow]:
    statement = (
        select(ContactRecord, CustomerRecord.display_name)
        .join(CustomerRecord, CustomerRecord.id == ContactRecord.customer_id)
        .where(
            ContactRecord.id.in_(contact_ids),
            ContactRecord.callback_done_at.is_(None),
            ContactRecord.callback_at.is_not(None),
        )
    )
    return [
        InboxRow(
            key=callback_key(contact.id),
            ticket_id=None,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            customer_name=name,
            title=contact.summary,
            category="",
            state=CALLBACK_STATE,
            opened_at=contact.at,
            assignee=contact.staff,
            last_activity=contact.at,
            next_promise=contact.callback_at,
        )
        for contact, name in session.execute(statement)
    ]
