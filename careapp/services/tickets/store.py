"""Tickets between the database rows and the domain's :class:`TicketHistory`, and the plain views.

Loading is in bulk (one query per table for any number of tickets) so reports never go row by row.
Writing takes the history before and after a domain change and stores the difference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Executable, Row, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from careapp.db.models import (
    ContactRecord,
    CustomerRecord,
    TicketAuditRecord,
    TicketRecord,
    TicketStateChangeRecord,
)
from careapp.domain.tickets import (
    AuditEntry,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    StateChange,
    TicketHistory,
    TicketState,
)

_CHUNK = 5000  # ids per IN (...) list, well under SQLite's limit on bound variables
TimeConverter = Callable[[dt.datetime], dt.datetime]
_E = TypeVar("_E", NotResolvableReason, Exclusion, Outcome)
_V = TypeVar("_V", ContactChannel, Direction, Outcome, TicketState, Priority)


def _optional(kind: type[_E], value: str | None) -> _E | None:
    return kind(value) if value else None


class TicketNotFound(LookupError):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"Ticket {ticket_id} does not exist; its customer may have been deleted.")
        self.ticket_id = ticket_id


@dataclass(frozen=True)
class ContactView:
    """One logged contact as stored. ``channel`` is text: contacts from before tickets may use other
    spellings than :class:`ContactChannel`. ``outcome`` is None for a contact that changed nothing."""

    id: int
    customer_id: int
    ticket_id: int | None
    at: dt.datetime
    channel: str
    direction: str
    staff: str
    summary: str
    outcome: Outcome | None
    outcome_reason: str
    callback_at: dt.datetime | None
    callback_done_at: dt.datetime | None
    callback_done_by: str
    duration_seconds: int | None
    customer_confirmed: bool | None


@dataclass(frozen=True)
class TicketSummary:
    """A ticket without its history, for lists. ``version`` goes back into every edit."""

    id: int
    customer_id: int
    customer_name: str
    title: str
    category: str
    priority: Priority
    state: TicketState
    assignee: str
    opened_at: dt.datetime
    opened_by: str
    merged_into_id: int | None
    repeat_of_id: int | None
    not_resolvable_reason: NotResolvableReason | None
    exclusion: Exclusion | None
    version: int
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class Ticket:
    """A ticket with everything that happened to it, oldest first."""

    summary: TicketSummary
    contacts: tuple[ContactView, ...]
    state_changes: tuple[StateChange, ...]
    audit: tuple[AuditEntry, ...]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def version(self) -> int:
        return self.summary.version

    @property
    def state(self) -> TicketState:
        return self.summary.state


def chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def lock_ticket(session: Session, ticket_id: int) -> None:
    """Take the write lock before reading, so the read is current and no other seat writes in between
    (SQLite: the first write of a transaction locks the file; PostgreSQL: the row is locked)."""
    result = session.execute(
        update(TicketRecord)
        .where(TicketRecord.id == ticket_id)
        .values(version=TicketRecord.version)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 1):
        raise TicketNotFound(ticket_id)


def contact_view(record: ContactRecord) -> ContactView:
    return ContactView(
        id=record.id,
        customer_id=record.customer_id,
        ticket_id=record.ticket_id,
        at=record.at,
        channel=record.channel,
        direction=record.direction,
        staff=record.staff,
        summary=record.summary,
        outcome=_optional(Outcome, record.outcome),
        outcome_reason=record.outcome_reason or "",
        callback_at=record.callback_at,
        callback_done_at=record.callback_done_at,
        callback_done_by=record.callback_done_by or "",
        duration_seconds=record.duration_seconds,
        customer_confirmed=record.customer_confirmed,
    )


def _same(value: dt.datetime) -> dt.datetime:
    return value


def _lookup(kind: type[_V]) -> dict[str, _V]:
    """Value -> member: a dict lookup costs a tenth of calling the enum for each of 100,000 rows."""
    return {member.value: member for member in kind}


_CHANNELS = _lookup(ContactChannel)
_DIRECTIONS = _lookup(Direction)
_OUTCOMES = _lookup(Outcome)
_STATES = _lookup(TicketState)
_PRIORITIES = _lookup(Priority)


def _contact_event(row: Sequence[Any], when: TimeConverter) -> ContactEvent:
    # Unpacked as a tuple (the order of _CONTACT_COLUMNS): a first FCR report reads 30,000 contacts,
    # and each named attribute of a Row is a lookup.
    contact_id, _ticket_id, at, channel, direction, staff, outcome, callback_at, reason, summary = row
    return ContactEvent(
        at=when(at),
        channel=_CHANNELS.get(channel) or ContactChannel(channel),
        direction=_DIRECTIONS.get(direction) or Direction(direction),
        staff=staff,
        outcome=(_OUTCOMES.get(outcome) or Outcome(outcome)) if outcome else None,
        callback_at=None if callback_at is None else when(callback_at),
        outcome_reason=reason or "",
        note=summary,
        id=contact_id,
    )


def _state_change(row: Row[Any] | TicketStateChangeRecord, when: TimeConverter = _same) -> StateChange:
    old = _STATES.get(row.old) or TicketState(row.old)
    new = _STATES.get(row.new) or TicketState(row.new)
    return StateChange(when(row.at), row.by, old, new, row.reason)


def _change_row(row: Sequence[Any], when: TimeConverter) -> StateChange:
    """A state change read with _CHANGE_COLUMNS, unpacked as a tuple (see _contact_event)."""
    _ticket_id, at, by, old, new, reason = row
    return StateChange(
        when(at), by, _STATES.get(old) or TicketState(old), _STATES.get(new) or TicketState(new), reason
    )


def _history(
    row: Row[Any], contacts: Iterable[Row[Any]], changes: Iterable[Row[Any]], when: TimeConverter
) -> TicketHistory:
    return TicketHistory(
        id=row.id,
        customer_id=row.customer_id,
        category=row.category,
        opened_at=when(row.opened_at),
        opened_by=row.opened_by,
        assignee=row.assignee,
        priority=_PRIORITIES.get(row.priority) or Priority(row.priority),
        title=row.title,
        contacts=tuple(_contact_event(c, when) for c in contacts),
        changes=tuple(_change_row(c, when) for c in changes),
        merged_into=row.merged_into_id,
        repeat_of=row.repeat_of_id,
        not_resolvable_reason=(
            NotResolvableReason(row.not_resolvable_reason) if row.not_resolvable_reason else None
        ),
        exclusion=Exclusion(row.exclusion) if row.exclusion else None,
    )


# Only what a history needs: fewer columns to fetch and convert (reports load 20,000 tickets).
_TICKET_COLUMNS = (
    TicketRecord.id,
    TicketRecord.customer_id,
    TicketRecord.category,
    TicketRecord.opened_at,
    TicketRecord.opened_by,
    TicketRecord.assignee,
    TicketRecord.priority,
    TicketRecord.title,
    TicketRecord.merged_into_id,
    TicketRecord.repeat_of_id,
    TicketRecord.not_resolvable_reason,
    TicketRecord.exclusion,
)
_CONTACT_COLUMNS = (
    ContactRecord.id,
    ContactRecord.ticket_id,
    ContactRecord.at,
    ContactRecord.channel,
    ContactRecord.direction,
    ContactRecord.staff,
    ContactRecord.outcome,
    ContactRecord.callback_at,
    ContactRecord.outcome_reason,
    ContactRecord.summary,
)
_CHANGE_COLUMNS = (
    TicketStateChangeRecord.ticket_id,
    TicketStateChangeRecord.at,
    TicketStateChangeRecord.by,
    TicketStateChangeRecord.old,
    TicketStateChangeRecord.new,
    TicketStateChangeRecord.reason,
)


def _rows(connection: Connection, statement: Executable) -> Sequence[Row[Any]]:
    return connection.execute(statement).all()


def _grouped(connection: Connection, statement: Executable) -> dict[int, list[Row[Any]]]:
    """Rows by their ``ticket_id``, in the statement's order."""
    grouped: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in _rows(connection, statement):
        grouped[row.ticket_id].append(row)
    return grouped


def load_histories(
    session: Session, ticket_ids: Iterable[int], when: TimeConverter = _same
) -> dict[int, TicketHistory]:
    """The histories of ``ticket_ids`` (missing ids are left out): three queries per 5,000 tickets.

    ``when`` converts every stored time (naive UTC) on the way, e.g. to aware local time for reports.
    Plain Core queries on the session's connection (in its transaction): no ORM objects to build.
    """
    ids = sorted(set(ticket_ids))
    connection = session.connection()
    found: dict[int, TicketHistory] = {}
    for chunk in chunks(ids):
        tickets = _rows(connection, select(*_TICKET_COLUMNS).where(TicketRecord.id.in_(chunk)))
        contacts = _grouped(
            connection,
            select(*_CONTACT_COLUMNS)
            .where(ContactRecord.ticket_id.in_(chunk))
            .order_by(ContactRecord.ticket_id, ContactRecord.at, ContactRecord.id),
        )
        changes = _grouped(
            connection,
            select(*_CHANGE_COLUMNS)
            .where(TicketStateChangeRecord.ticket_id.in_(chunk))
            .order_by(
                TicketStateChangeRecord.ticket_id, TicketStateChangeRecord.at, TicketStateChangeRecord.id
            ),
        )
        for ticket in tickets:
            found[ticket.id] = _history(ticket, contacts.get(ticket.id, ()), changes.get(ticket.id, ()), when)
    return found


def load_history(session: Session, ticket_id: int) -> TicketHistory:
    history = load_histories(session, [ticket_id]).get(ticket_id)
    if history is None:
        raise TicketNotFound(ticket_id)
    return history


def write_history(
    session: Session,
    record: TicketRecord,
    before: TicketHistory,
    after: TicketHistory,
    by: str,
    at: dt.datetime,
) -> None:
    """Store what a domain change made of ``before``: the ticket's fields, its new state changes,
    and a new version. Contacts are rows of their own and are written by the caller."""
    record.title = after.title
    record.category = after.category
    record.priority = after.priority.value
    record.assignee = after.assignee
    record.opened_at = after.opened_at
    record.merged_into_id = after.merged_into
    record.repeat_of_id = after.repeat_of
    record.not_resolvable_reason = after.not_resolvable_reason.value if after.not_resolvable_reason else None
    record.exclusion = after.exclusion.value if after.exclusion else None
    record.state = after.state.value
    for change in after.changes[len(before.changes) :]:
        session.add(
            TicketStateChangeRecord(
                ticket_id=record.id,
                customer_id=record.customer_id,
                at=change.at,
                by=change.by,
                old=change.old.value,
                new=change.new.value,
                reason=change.reason,
            )
        )
    record.version += 1
    record.updated_at = at
    record.updated_by = by


def write_audit(session: Session, customer_id: int, entries: Iterable[AuditEntry]) -> None:
    for entry in entries:
        session.add(
            TicketAuditRecord(
                ticket_id=entry.ticket_id,
                customer_id=customer_id,
                at=entry.at,
                by=entry.by,
                field=entry.field,
                old=entry.old,
                new=entry.new,
                reason=entry.reason,
            )
        )


def _summary(record: TicketRecord, customer_name: str) -> TicketSummary:
    return TicketSummary(
        id=record.id,
        customer_id=record.customer_id,
        customer_name=customer_name,
        title=record.title,
        category=record.category,
        priority=Priority(record.priority),
        state=TicketState(record.state),
        assignee=record.assignee,
        opened_at=record.opened_at,
        opened_by=record.opened_by,
        merged_into_id=record.merged_into_id,
        repeat_of_id=record.repeat_of_id,
        not_resolvable_reason=_optional(NotResolvableReason, record.not_resolvable_reason),
        exclusion=_optional(Exclusion, record.exclusion),
        version=record.version,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
    )


def summaries(session: Session, where: ColumnElement[bool], order_by: Sequence[Any]) -> list[TicketSummary]:
    """Ticket summaries matching a SQL condition on ``ticket``, with the customer's name."""
    statement = (
        select(TicketRecord, CustomerRecord.display_name)
        .join(CustomerRecord, CustomerRecord.id == TicketRecord.customer_id)
        .where(where)
        .order_by(*order_by)
    )
    return [_summary(record, name) for record, name in session.execute(statement)]


def ticket_view(session: Session, ticket_id: int) -> Ticket:
    found = summaries(session, TicketRecord.id == ticket_id, [TicketRecord.id])
    if not found:
        raise TicketNotFound(ticket_id)
    contacts = session.scalars(
        select(ContactRecord)
        .where(ContactRecord.ticket_id == ticket_id)
        .order_by(ContactRecord.at, ContactRecord.id)
    )
    changes = session.scalars(
        select(TicketStateChangeRecord)
        .where(TicketStateChangeRecord.ticket_id == ticket_id)
        .order_by(TicketStateChangeRecord.at, TicketStateChangeRecord.id)
    )
    audit = session.scalars(
        select(TicketAuditRecord)
        .where(TicketAuditRecord.ticket_id == ticket_id)
        .order_by(TicketAuditRecord.at, TicketAuditRecord.id)
    )
    return Ticket(
        summary=found[0],
        contacts=tuple(contact_view(c) for c in contacts),
        state_changes=tuple(_state_change(c) for c in changes),
        audit=tuple(AuditEntry(a.ticket_id, a.at, a.by, a.field, a.old, a.new, a.reason) for a in audit),
    )
