"""Logging contacts and working tickets: the use cases behind the quick log and the ticket screen.

Every method opens one short session and returns plain dataclasses (:mod:`careapp.services.tickets.store`).
Every change takes an :class:`~careapp.services.shop.staff.Actor`; the state machine, its rules and the
audit entries come from :mod:`careapp.domain.tickets`, never from here.

Times in and out are naive UTC, like everywhere in careapp's storage.

Concurrency: appending a contact never conflicts. Two seats logging contacts for the same customer
or ticket both succeed; each write first takes the database's write lock, then reads the ticket as it
is now. A contact whose outcome would move the state but that started before the ticket's last state
change (another seat moved it meanwhile) is kept, with its outcome, without moving the state; the
result says so. A contact for a ticket merged away meanwhile goes to the ticket it was merged into.
Edits of a ticket (state, fields, merge, marks) carry the ``version`` the user saw and are refused with
:class:`StaleTicket` when someone changed the ticket since.

Callbacks: a contact with the outcome "callback promised" is a due item from its ``callback_at``
until it is done: when :meth:`TicketService.complete_callback` is called, or when a later contact on
the same ticket (for a contact without a ticket: a later contact without a ticket with the same
customer) reaches the customer: any outbound contact, or a live one (phone, walk-in, visit).

A new matter: a contact logged on a resolved or closed ticket whose FCR windows had passed
(:func:`careapp.domain.fcr.new_matter_since`) would count for nothing. ``ContactInput.after_windows``
says what to do with one: log it on that ticket all the same (the default, as before), ask
(:class:`NewMatter` is raised and nothing is written), or log it on a new ticket marked a repeat of
that one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from careapp.db.database import Database
from careapp.db.models import ContactRecord, CustomerRecord, TicketRecord
from careapp.domain import tickets as domain
from careapp.domain.customer import CustomerDraft, CustomerRow, EmailAddress, LoyaltyStage
from careapp.domain.fcr import new_matter_since
from careapp.domain.phones import make_phone
from careapp.domain.tickets import (
    MAX_CATEGORY,
    MAX_TITLE,
    Change,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    TicketDataError,
    TicketHistory,
    TicketState,
    TicketTransitionError,
)
from careapp.services.customers.service import CustomerNotFound, CustomerService
from careapp.services.shop.settings import SettingsService
from careapp.services.shop.staff import Actor, OwnerAction, check_actor, check_member, check_owner
from careapp.services.tickets import callbacks
from careapp.services.tickets.callbacks import CallbackDue
from careapp.services.tickets.fcr_settings import read_fcr_settings, read_windows_history
from careapp.services.tickets.store import (
    ContactView,
    Ticket,
    TicketSummary,
    contact_view,
    load_histories,
    load_history,
    lock_ticket,
    summaries,
    ticket_view,
    write_audit,
    write_history,
)

Clock = Callable[[], dt.datetime]
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_MERGE_HOPS = 20
Operation = Callable[[TicketHistory, str, dt.datetime], Change]


class InvalidContact(ValueError):
    """The contact form has a problem; the message says which and what to do."""


class StaleTicket(Exception):
    """Someone changed the ticket after this copy was read; ``current`` is the ticket as it is now."""

    def __init__(self, current: Ticket) -> None:
        who = current.summary.updated_by or "someone"
        when = current.summary.updated_at.strftime("%Y-%m-%d %H:%M")
        super().__init__(
            f"Ticket {current.id} was changed by {who} at {when} while you were looking at it; "
            "look at it again and repeat your change if it is still needed."
        )
        self.current = current


class AfterWindows(enum.Enum):
    """What to do with a contact on a ticket whose windows have passed (see the module docstring)."""

    LOG = "log"
    ASK = "ask"
    REPEAT = "repeat"


class NewMatter(Exception):
    """A contact on ``ticket`` came after its windows passed (at ``decided_at``): a new matter. Nothing
    was written; log it again with ``AfterWindows.REPEAT`` (a new ticket marked a repeat of
    ``ticket``) or ``AfterWindows.LOG`` (on ``ticket`` all the same)."""

    def __init__(self, ticket: TicketSummary, decided_at: dt.datetime) -> None:
        self.ticket = ticket
        self.decided_at = decided_at
        super().__init__(
            f"Ticket {ticket.id} was resolved and its reopen and repeat windows passed on "
            f"{decided_at:%Y-%m-%d %H:%M}, so this contact is a new matter: log it on a new ticket marked "
            f"a repeat of ticket {ticket.id}, or on ticket {ticket.id} all the same."
        )


@dataclass(frozen=True)
class NewTicket:
    """Open a new ticket with the contact; it is opened at the contact's time by the actor."""

    category: str = "General"
    title: str = ""
    priority: Priority = Priority.NORMAL
    assignee: str = ""


@dataclass(frozen=True)
class ContactInput:
    """The quick-log form. ``started_at`` None means now. Give ``ticket_id`` (an existing ticket of the
    customer), or ``new_ticket``, or neither (a contact that stands alone)."""

    channel: ContactChannel = ContactChannel.PHONE
    direction: Direction = Direction.IN
    started_at: dt.datetime | None = None
    duration_seconds: int | None = None
    summary: str = ""
    outcome: Outcome | None = None
    callback_at: dt.datetime | None = None
    outcome_reason: str = ""
    ticket_id: int | None = None
    new_ticket: NewTicket | None = None
    customer_confirmed: bool | None = None
    after_windows: AfterWindows = AfterWindows.LOG


@dataclass(frozen=True)
class LoggedContact:
    """What :meth:`TicketService.log_contact` did. ``ticket`` is None for a contact that stands alone.

    ``outcome_applied`` is False when the outcome was kept on the contact without moving the state
    (see the module docstring); ``notes`` are sentences to show. ``repeat_suggestions`` are earlier
    tickets a new ticket probably repeats (same customer and category, within the repeat window).
    ``attach_suggestions``: for an inbound contact that stands alone, the customer's tickets first
    resolved at most N days before it (the most recent first), to offer attaching it to one of them
    (:meth:`TicketService.attach_contact`) so that a customer coming back does not escape the figures.
    """

    contact: ContactView
    ticket: Ticket | None
    outcome_applied: bool
    notes: tuple[str, ...] = ()
    repeat_suggestions: tuple[TicketSummary, ...] = ()
    fulfilled_callbacks: tuple[int, ...] = ()
    attach_suggestions: tuple[TicketSummary, ...] = ()


@dataclass(frozen=True)
class _Edit:
    session: Session
    record: TicketRecord
    before: TicketHistory
    at: dt.datetime


@dataclass(frozen=True)
class MergeOutcome:
    duplicate: Ticket
    target: Ticket


def _check_lengths(new: NewTicket) -> None:
    """The ticket columns' lengths, said in words (PostgreSQL would refuse longer text anyway)."""
    for what, value, limit in (("title", new.title, MAX_TITLE), ("category", new.category, MAX_CATEGORY)):
        if len(value.strip()) > limit:
            raise InvalidContact(
                f"The ticket's {what} is too long: at most {limit} characters, not {len(value.strip())}."
            )


def _mark_not_resolvable_from(change: Change, event: ContactEvent) -> Change:
    """A contact before the ticket's first resolution whose outcome says it needs a repair, a visit or
    the supplier marks the ticket "not resolvable at first contact" (it leaves the net-FCR base), with
    the contact's reason, by its staff member; the mark stays editable on the ticket. A mark already
    there, or a ticket already resolved once, is left as it is (after the first resolution a new
    need is a reopen, not a first-contact matter)."""
    cause = domain.not_resolvable_cause(event.outcome, event.outcome_reason)
    ticket = change.ticket
    if cause is None or ticket.not_resolvable_reason is not None:
        return change
    resolved_at = ticket.first_resolved_at()
    if resolved_at is not None and resolved_at < event.at:
        return change
    why = f"call log: {event.outcome}" + (f": {event.outcome_reason}" if event.outcome_reason else "")
    marked = domain.mark_not_resolvable(ticket, cause, event.staff, event.at, why)
    return Change(marked.ticket, (*change.audit, *marked.audit))


def _sentence(error: Exception) -> str:
    text = str(error)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class TicketService:
    """Contacts, tickets, callbacks. One short session per call."""

    def __init__(
        self, db: Database, clock: Clock, customers: CustomerService, settings: SettingsService
    ) -> None:
        self._db = db
        self._clock = clock
        self._customers = customers
        self._settings = settings

    # --- the quick log: find or create the customer --------------------------------------------

    def find_customers(self, query: str, limit: int = 20) -> list[CustomerRow]:
        """Customers matching every word of ``query`` (name, email, or any part of a phone number)."""
        if not query.strip():
            return []
        return self._customers.rows(self._customers.search_ids(query)[:limit])

    def create_walk_in(
        self, actor: Actor, first_name: str, last_name: str = "", phone: str = "", email: str = ""
    ) -> CustomerRow:
        """Create a customer on the spot from what the caller said; the usual checks apply."""
        with self._db.session() as session:
            check_actor(session, actor)
        region = self._settings.shop().default_region
        draft = CustomerDraft(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            phones=[make_phone(phone, region)] if phone.strip() else [],
            emails=[EmailAddress(email.strip())] if email.strip() else [],
            loyalty_stage=LoyaltyStage.PROSPECT,
        )
        created = self._customers.create(draft, actor.name)
        return self._customers.rows([created.id])[0]

    def discard_walk_in(self, actor: Actor, customer_id: int, force: bool = False) -> str | None:
        """A call that added a walk-in was cancelled: take the walk-in back (see walk_ins.py)."""
        from careapp.services.tickets.walk_ins import discard_walk_in

        return discard_walk_in(self._db, actor, customer_id, force=force)

    def contact_defaults(self) -> ContactInput:
        """The form's defaults: an incoming phone call starting now."""
        return ContactInput(started_at=self._clock())

    def categories(self) -> list[str]:
        """Categories used so far, for the form's suggestions."""
        with self._db.session() as session:
            return sorted(session.scalars(select(TicketRecord.category).distinct()), key=str.casefold)

    # --- logging a contact -------------------------------------------------------------------

    def log_contact(self, actor: Actor, customer_id: int, contact: ContactInput) -> LoggedContact:
        """Log one contact: on an existing ticket, on a new one, or standing alone."""
        now = self._clock()
        event = self._event(actor, contact, now)
        with self._db.session() as session:
            check_actor(session, actor)
            if contact.ticket_id is not None:
                return self._log_on_ticket(session, actor, customer_id, contact, event)
            if session.get(CustomerRecord, customer_id) is None:
                raise CustomerNotFound(customer_id)
            if contact.new_ticket is not None:
                return self._log_on_new_ticket(session, actor, customer_id, contact, event)
            record = self._add_contact(session, customer_id, None, contact, event)
            done = self._fulfil_callbacks(session, record, event)
            offer = (
                self._attach_suggestions(session, customer_id, event)
                if event.direction is Direction.IN
                else ()
            )
            return LoggedContact(
                contact_view(record), None, True, fulfilled_callbacks=done, attach_suggestions=offer
            )

    @staticmethod
    def _attach_suggestions(
        session: Session, customer_id: int, event: ContactEvent
    ) -> tuple[TicketSummary, ...]:
        """The customer's tickets (not excluded) first resolved at most N days before ``event``."""
        window = dt.timedelta(days=read_fcr_settings(session).repeat_window_days)
        ids = session.scalars(
            select(TicketRecord.id).where(
                TicketRecord.customer_id == customer_id,
                TicketRecord.exclusion.is_(None),
                TicketRecord.opened_at <= event.at,
                TicketRecord.opened_at >= event.at - dt.timedelta(days=365),
            )
        )
        found: list[tuple[dt.datetime, int]] = []
        for history in load_histories(session, list(ids)).values():
            resolved_at = history.first_resolved_at(event.at)
            if resolved_at is not None and resolved_at <= event.at <= resolved_at + window:
                found.append((resolved_at, history.id))
        if not found:
            return ()
        order = [ticket_id for _, ticket_id in sorted(found, reverse=True)]
        by_id = {t.id: t for t in summaries(session, TicketRecord.id.in_(order), [TicketRecord.id])}
        return tuple(by_id[i] for i in order)

    def attach_contact(self, actor: Actor, contact_id: int, ticket_id: int) -> Ticket:
        """Attach a contact that stands alone to the ticket the customer came back about, so it counts
        as what it is (see :mod:`careapp.domain.fcr`): within R days of the ticket's first resolution,
        on a resolved or closed ticket, it reopens the ticket at the contact's time (a reopen); later,
        up to N days, it opens a new ticket marked a repeat of it (a repeat). On a ticket that is
        active again it simply joins it. Returns the ticket the contact is now on."""
        with self._db.session() as session:
            check_actor(session, actor)
            contact = session.get(ContactRecord, contact_id)
            if contact is None or contact.ticket_id is not None:
                raise InvalidContact(f"Contact {contact_id} is not a contact that stands alone.")
            lock_ticket(session, ticket_id)
            history = load_history(session, ticket_id)
            if history.customer_id != contact.customer_id:
                raise InvalidContact(f"Ticket {ticket_id} belongs to another customer; choose one of theirs.")
            settings = read_fcr_settings(session)
            resolved_at = history.first_resolved_at()
            if resolved_at is None or not resolved_at <= contact.at <= resolved_at + dt.timedelta(
                days=settings.repeat_window_days
            ):
                raise InvalidContact(
                    f"Contact {contact_id} came more than {settings.repeat_window_days} days after ticket "
                    f"{ticket_id} was resolved (or before it); log it as a new matter instead."
                )
            now = max(self._clock(), history.last_change_at)
            record = session.get(TicketRecord, ticket_id)
            assert record is not None
            if history.state in domain.ACTIVE_STATES:
                contact.ticket_id = ticket_id
            elif contact.at <= resolved_at + settings.reopen_window and contact.at >= history.last_change_at:
                reason = f"contact {contact_id} attached: the customer came back about it"
                change = domain.reopen(history, actor.name, contact.at, reason)
                contact.ticket_id = ticket_id
                write_history(session, record, history, change.ticket, actor.name, now)
                write_audit(session, history.customer_id, change.audit)
            else:
                return self._repeat_ticket(session, actor, contact, history, now)
            session.flush()
            return ticket_view(session, ticket_id)

    @staticmethod
    def _repeat_ticket(
        session: Session, actor: Actor, contact: ContactRecord, earlier: TicketHistory, now: dt.datetime
    ) -> Ticket:
        """A new ticket opened by ``contact``, in ``earlier``'s category, marked a repeat of it."""
        record = TicketRecord(
            customer_id=earlier.customer_id,
            title=f"Back about ticket {earlier.id}",
            category=earlier.category,
            priority=Priority.NORMAL.value,
            state=TicketState.NEW.value,
            assignee="",
            opened_at=contact.at,
            opened_by=contact.staff,
            repeat_of_id=earlier.id,
            version=1,
            updated_at=now,
            updated_by=actor.name,
        )
        session.add(record)
        session.flush()
        contact.ticket_id = record.id
        reason = f"contact {contact.id} attached: the customer came back about ticket {earlier.id}"
        write_audit(
            session,
            earlier.customer_id,
            [
                domain.AuditEntry(record.id, now, actor.name, "ticket", "", "opened", reason),
                domain.AuditEntry(record.id, now, actor.name, "repeat_of", "", str(earlier.id), reason),
            ],
        )
        session.flush()
        return ticket_view(session, record.id)

    def _event(self, actor: Actor, contact: ContactInput, now: dt.datetime) -> ContactEvent:
        if contact.ticket_id is not None and contact.new_ticket is not None:
            raise InvalidContact("Log the contact on an existing ticket or on a new one, not both.")
        if contact.duration_seconds is not None and contact.duration_seconds < 0:
            raise InvalidContact("A contact cannot last less than no time at all.")
        started = contact.started_at or now
        if started > now + FUTURE_TOLERANCE:
            raise InvalidContact("A contact cannot start in the future; check the date and time.")
        if contact.new_ticket is not None and not contact.new_ticket.category.strip():
            raise InvalidContact("Choose a category for the new ticket.")
        if contact.new_ticket is not None:
            _check_lengths(contact.new_ticket)
        try:
            return ContactEvent(
                at=started,
                channel=ContactChannel(contact.channel),
                direction=Direction(contact.direction),
                staff=actor.name,
                outcome=contact.outcome,
                callback_at=contact.callback_at,
                outcome_reason=contact.outcome_reason.strip(),
                note=contact.summary.strip(),
            )
        except (TicketDataError, ValueError) as error:
            raise InvalidContact(_sentence(error)) from error

    def _log_on_ticket(
        self, session: Session, actor: Actor, customer_id: int, contact: ContactInput, event: ContactEvent
    ) -> LoggedContact:
        assert contact.ticket_id is not None
        notes: list[str] = []
        lock_ticket(session, contact.ticket_id)
        history = load_history(session, contact.ticket_id)
        for _ in range(MAX_MERGE_HOPS):
            if history.merged_into is None:
                break
            notes.append(
                f"Ticket {history.id} was merged into ticket {history.merged_into}; "
                f"the contact was logged on ticket {history.merged_into}."
            )
            lock_ticket(session, history.merged_into)
            history = load_history(session, history.merged_into)
        if history.customer_id != customer_id:
            raise InvalidContact(f"Ticket {history.id} belongs to another customer; choose one of theirs.")
        if contact.after_windows is not AfterWindows.LOG and history.exclusion is None:
            decided_at = new_matter_since(history, read_windows_history(session), event.at)
            if decided_at is not None and contact.after_windows is AfterWindows.ASK:
                [summary] = summaries(session, TicketRecord.id == history.id, [TicketRecord.id])
                raise NewMatter(summary, decided_at)
            if decided_at is not None:
                return self._log_on_repeat_ticket(session, actor, customer_id, contact, event, history)
        apply = event.at >= history.last_change_at
        if not apply and event.outcome is not None:
            notes.append(
                f"Ticket {history.id} changed at {history.last_change_at:%Y-%m-%d %H:%M}, after this contact "
                "started, so its outcome was recorded without changing the ticket's state; change the "
                "state on the ticket if it is still needed."
            )
        try:
            change = domain.log_contact(history, event, apply_outcome=apply)
        except TicketTransitionError as error:
            raise InvalidContact(str(error)) from error
        change = _mark_not_resolvable_from(change, event)
        record = self._add_contact(session, customer_id, history.id, contact, event)
        self._store(session, actor, history, change, event.at)
        done = self._fulfil_callbacks(session, record, event)
        session.flush()
        return LoggedContact(
            contact_view(record),
            ticket_view(session, history.id),
            apply or event.outcome is None,
            tuple(notes),
            fulfilled_callbacks=done,
        )

    def _log_on_new_ticket(
        self, session: Session, actor: Actor, customer_id: int, contact: ContactInput, event: ContactEvent
    ) -> LoggedContact:
        new = contact.new_ticket
        assert new is not None
        record = TicketRecord(
            customer_id=customer_id,
            title=new.title.strip(),
            category=new.category.strip(),
            priority=Priority(new.priority).value,
            state=TicketState.NEW.value,
            assignee=new.assignee.strip(),
            opened_at=event.at,
            opened_by=actor.name,
            version=1,
            updated_at=event.at,
            updated_by=actor.name,
        )
        session.add(record)
        session.flush()
        history = load_history(session, record.id)
        opened = domain.AuditEntry(record.id, event.at, actor.name, "ticket", "", "opened")
        write_audit(session, customer_id, [opened])
        change = _mark_not_resolvable_from(domain.log_contact(history, event), event)
        contact_record = self._add_contact(session, customer_id, record.id, contact, event)
        self._store(session, actor, history, change, event.at)
        session.flush()
        suggestions = self._repeat_suggestions(session, change.ticket)
        return LoggedContact(
            contact_view(contact_record),
            ticket_view(session, record.id),
            True,
            repeat_suggestions=suggestions,
        )

    def _log_on_repeat_ticket(
        self,
        session: Session,
        actor: Actor,
        customer_id: int,
        contact: ContactInput,
        event: ContactEvent,
        earlier: TicketHistory,
    ) -> LoggedContact:
        """The contact on a new ticket in ``earlier``'s category, marked a repeat of it."""
        new = NewTicket(category=earlier.category, title=f"Back about ticket {earlier.id}")
        logged = self._log_on_new_ticket(
            session, actor, customer_id, replace(contact, ticket_id=None, new_ticket=new), event
        )
        assert logged.ticket is not None
        record = session.get(TicketRecord, logged.ticket.id)
        assert record is not None
        record.repeat_of_id = earlier.id
        reason = f"logged after ticket {earlier.id}'s windows had passed: a new matter"
        write_audit(
            session,
            customer_id,
            [domain.AuditEntry(record.id, event.at, actor.name, "repeat_of", "", str(earlier.id), reason)],
        )
        session.flush()
        note = f"Logged on new ticket {record.id}, a repeat of ticket {earlier.id}."
        return replace(logged, ticket=ticket_view(session, record.id), notes=(note,), repeat_suggestions=())

    @staticmethod
    def _add_contact(
        session: Session, customer_id: int, ticket_id: int | None, contact: ContactInput, event: ContactEvent
    ) -> ContactRecord:
        record = ContactRecord(
            customer_id=customer_id,
            ticket_id=ticket_id,
            at=event.at,
            channel=event.channel.value,
            direction=event.direction.value,
            staff=event.staff,
            summary=event.note,
            outcome=event.outcome.value if event.outcome else None,
            outcome_reason=event.outcome_reason or None,
            callback_at=event.callback_at,
            duration_seconds=contact.duration_seconds,
            customer_confirmed=contact.customer_confirmed,
        )
        session.add(record)
        session.flush()
        return record

    @staticmethod
    def _store(
        session: Session, actor: Actor, before: TicketHistory, change: Change, at: dt.datetime
    ) -> None:
        """Write a change made by logging a contact: only when it moved the state or marked the ticket."""
        if change.ticket.changes == before.changes and not change.audit:
            return
        record = session.get(TicketRecord, before.id)
        assert record is not None
        write_history(session, record, before, change.ticket, actor.name, at)
        write_audit(session, before.customer_id, change.audit)

    @staticmethod
    def _fulfil_callbacks(session: Session, contact: ContactRecord, event: ContactEvent) -> tuple[int, ...]:
        """Mark earlier promised callbacks done when this contact reached the customer."""
        if not (event.is_live or event.direction is Direction.OUT):
            return ()
        same_place = (
            ContactRecord.ticket_id == contact.ticket_id
            if contact.ticket_id is not None
            else (ContactRecord.customer_id == contact.customer_id) & ContactRecord.ticket_id.is_(None)
        )
        open_promises = select(ContactRecord.id).where(
            same_place,
            ContactRecord.outcome == Outcome.CALLBACK_PROMISED.value,
            ContactRecord.callback_done_at.is_(None),
            ContactRecord.at < contact.at,
        )
        ids = tuple(session.scalars(open_promises))
        if ids:
            session.execute(
                update(ContactRecord)
                .where(ContactRecord.id.in_(ids))
                .values(callback_done_at=event.at, callback_done_by=event.staff)
                .execution_options(synchronize_session=False)
            )
        return ids

    # --- callbacks -----------------------------------------------------------------------------

    def open_callbacks(self, until: dt.datetime) -> list[CallbackDue]:
        """Promised callbacks due by ``until`` and not yet done, the earliest first."""
        with self._db.session() as session:
            return callbacks.open_callbacks(session, until)

    def complete_callback(self, actor: Actor, contact_id: int) -> ContactView:
        """Mark a promised callback done now (e.g. after a call that was not logged as a contact)."""
        with self._db.session() as session:
            check_actor(session, actor)
            record = session.get(ContactRecord, contact_id)
            if record is None or record.outcome != Outcome.CALLBACK_PROMISED.value:
                raise InvalidContact(f"Contact {contact_id} has no promised callback.")
            if record.callback_done_at is None:
                record.callback_done_at = self._clock()
                record.callback_done_by = actor.name
            return contact_view(record)

    # --- reading -------------------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        with self._db.session() as session:
            return ticket_view(session, ticket_id)

    def tickets_for_customer(self, customer_id: int) -> list[TicketSummary]:
        """The customer's tickets, newest first (merged-away ones included: they say where they went)."""
        with self._db.session() as session:
            return summaries(
                session,
                TicketRecord.customer_id == customer_id,
                [TicketRecord.opened_at.desc(), TicketRecord.id.desc()],
            )

    def open_tickets(self, assignee: str | None = None) -> list[TicketSummary]:
        """Tickets in an active state, the oldest first; only ``assignee``'s if given."""
        conditions: list[ColumnElement[bool]] = [
            TicketRecord.state.in_([s.value for s in domain.ACTIVE_STATES])
        ]
        if assignee is not None:
            conditions.append(TicketRecord.assignee == assignee)
        with self._db.session() as session:
            return summaries(session, and_(*conditions), [TicketRecord.opened_at, TicketRecord.id])

    def suggest_repeat(self, ticket_id: int) -> list[TicketSummary]:
        """Earlier tickets this one probably repeats (see :func:`domain.suggest_repeat_of`)."""
        with self._db.session() as session:
            return list(self._repeat_suggestions(session, load_history(session, ticket_id)))

    @staticmethod
    def _repeat_suggestions(session: Session, ticket: TicketHistory) -> tuple[TicketSummary, ...]:
        window = read_fcr_settings(session).repeat_window_days
        earliest = ticket.opened_at - dt.timedelta(days=365)
        other_ids = session.scalars(
            select(TicketRecord.id).where(
                TicketRecord.customer_id == ticket.customer_id,
                TicketRecord.id != ticket.id,
                TicketRecord.opened_at >= earliest,
                TicketRecord.opened_at <= ticket.opened_at,
            )
        )
        others = load_histories(session, list(other_ids)).values()
        found = domain.suggest_repeat_of(ticket, others, window)
        if not found:
            return ()
        by_id = {
            s.id: s for s in summaries(session, TicketRecord.id.in_([t.id for t in found]), [TicketRecord.id])
        }
        return tuple(by_id[t.id] for t in found)

    # --- editing a ticket ------------------------------------------------------------------------

    @contextmanager
    def _editing(
        self, actor: Actor, ticket_id: int, expected_version: int, owner_action: OwnerAction | None = None
    ) -> Iterator[_Edit]:
        """Check who acts, lock the ticket, refuse a stale version, and read the ticket as it is."""
        with self._db.session() as session:
            check_actor(session, actor)
            if owner_action is not None:
                check_owner(session, actor, owner_action)
            record = self._locked(session, ticket_id, expected_version)
            before = load_history(session, ticket_id)
            yield _Edit(session, record, before, max(self._clock(), before.last_change_at))

    @staticmethod
    def _save(edit: _Edit, actor: Actor, change: Change) -> Ticket:
        write_history(edit.session, edit.record, edit.before, change.ticket, actor.name, edit.at)
        write_audit(edit.session, edit.record.customer_id, change.audit)
        edit.session.flush()
        return ticket_view(edit.session, edit.record.id)

    def _edit(
        self,
        actor: Actor,
        ticket_id: int,
        expected_version: int,
        operation: Operation,
        owner_action: OwnerAction | None = None,
    ) -> Ticket:
        """Run one domain change on the ticket at ``expected_version`` and store it with its audit."""
        with self._editing(actor, ticket_id, expected_version, owner_action) as edit:
            return self._save(edit, actor, operation(edit.before, actor.name, edit.at))

    @staticmethod
    def _locked(session: Session, ticket_id: int, expected_version: int) -> TicketRecord:
        lock_ticket(session, ticket_id)
        record = session.get(TicketRecord, ticket_id, populate_existing=True)
        assert record is not None
        if record.version != expected_version:
            raise StaleTicket(ticket_view(session, ticket_id))
        return record

    def start_work(self, actor: Actor, ticket_id: int, version: int, reason: str = "") -> Ticket:
        return self._edit(actor, ticket_id, version, lambda t, by, at: domain.start_work(t, by, at, reason))

    def wait_on_customer(self, actor: Actor, ticket_id: int, version: int, reason: str = "") -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.wait_on_customer(t, by, at, reason)
        )

    def wait_on_supplier(self, actor: Actor, ticket_id: int, version: int, reason: str = "") -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.wait_on_supplier(t, by, at, reason)
        )

    def resolve(self, actor: Actor, ticket_id: int, version: int, reason: str = "") -> Ticket:
        return self._edit(actor, ticket_id, version, lambda t, by, at: domain.resolve(t, by, at, reason))

    def close(self, actor: Actor, ticket_id: int, version: int, reason: str = "") -> Ticket:
        return self._edit(actor, ticket_id, version, lambda t, by, at: domain.close(t, by, at, reason))

    def reopen(
        self, actor: Actor, ticket_id: int, version: int, reason: str, to: TicketState = TicketState.OPEN
    ) -> Ticket:
        return self._edit(actor, ticket_id, version, lambda t, by, at: domain.reopen(t, by, at, reason, to))

    def assign(self, actor: Actor, ticket_id: int, version: int, assignee: str, reason: str = "") -> Ticket:
        """Give the ticket to an active member of the staff list (or to nobody: ``""``)."""
        with self._editing(actor, ticket_id, version) as edit:
            name = check_member(edit.session, assignee) if assignee.strip() else ""
            return self._save(edit, actor, domain.assign(edit.before, name, actor.name, edit.at, reason))

    def set_category(self, actor: Actor, ticket_id: int, version: int, category: str, reason: str) -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.set_category(t, category, by, at, reason)
        )

    def set_priority(
        self, actor: Actor, ticket_id: int, version: int, priority: Priority, reason: str = ""
    ) -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.set_priority(t, priority, by, at, reason)
        )

    def mark_not_resolvable(
        self, actor: Actor, ticket_id: int, version: int, cause: NotResolvableReason, reason: str
    ) -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.mark_not_resolvable(t, cause, by, at, reason)
        )

    def clear_not_resolvable(self, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
        return self._edit(
            actor, ticket_id, version, lambda t, by, at: domain.clear_not_resolvable(t, by, at, reason)
        )

    def set_exclusion(
        self, actor: Actor, ticket_id: int, version: int, exclusion: Exclusion | None, reason: str
    ) -> Ticket:
        """Mark a ticket spam or no-action (or clear that). Owner only: it takes it out of the FCR figures."""
        return self._edit(
            actor,
            ticket_id,
            version,
            lambda t, by, at: domain.set_exclusion(t, exclusion, by, at, reason),
            owner_action=OwnerAction.EXCLUDE_TICKETS,
        )

    def mark_repeat(self, actor: Actor, ticket_id: int, version: int, earlier_id: int, reason: str) -> Ticket:
        with self._editing(actor, ticket_id, version) as edit:
            earlier = load_history(edit.session, earlier_id)
            return self._save(
                edit, actor, domain.mark_repeat(edit.before, earlier, actor.name, edit.at, reason)
            )

    def clear_repeat(self, actor: Actor, ticket_id: int, version: int, reason: str) -> Ticket:
        return self._edit(actor, ticket_id, version, lambda t, by, at: domain.clear_repeat(t, by, at, reason))

    def merge(
        self,
        actor: Actor,
        duplicate_id: int,
        duplicate_version: int,
        target_id: int,
        target_version: int,
        reason: str,
    ) -> MergeOutcome:
        """Fold the duplicate into the target: its contacts move, it is closed and excluded as merged."""
        with self._db.session() as session:
            check_actor(session, actor)
            first, second = sorted(((duplicate_id, duplicate_version), (target_id, target_version)))
            records = {
                first[0]: self._locked(session, *first),
                second[0]: self._locked(session, *second),
            }
            duplicate = load_history(session, duplicate_id)
            target = load_history(session, target_id)
            at = max(self._clock(), duplicate.last_change_at, target.last_change_at)
            result = domain.merge(duplicate, target, actor.name, at, reason)
            write_history(session, records[duplicate_id], duplicate, result.duplicate, actor.name, at)
            write_history(session, records[target_id], target, result.target, actor.name, at)
            write_audit(session, target.customer_id, result.audit)
            session.execute(
                update(ContactRecord)
                .where(ContactRecord.ticket_id == duplicate_id)
                .values(ticket_id=target_id)
                .execution_options(synchronize_session=False)
            )
            session.flush()
            return MergeOutcome(ticket_view(session, duplicate_id), ticket_view(session, target_id))
