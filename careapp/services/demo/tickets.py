"""Realistic demo tickets with their contacts, state changes and audit trail, written in bulk.

Each ticket's story is played through the domain's own functions (so every history obeys the state
machine), then all rows are inserted with SQLAlchemy Core, 5,000 tickets per transaction: 20,000
tickets on 100,000 customers take seconds. Deterministic for a seed and a day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select

from careapp.db.care_bulk import bulk_care_marking
from careapp.db.database import Database, refresh_statistics
from careapp.db.models import ContactRecord, TicketAuditRecord, TicketRecord, TicketStateChangeRecord
from careapp.db.sequences import advance_id_sequences
from careapp.domain import tickets as domain
from careapp.domain.tickets import (
    AuditEntry,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    TicketHistory,
)
from careapp.services.demo.customers import STAFF

ISSUES = {
    "Grinder": ("Grinder rattles", "Burrs need adjusting", "Grinder will not start"),
    "Espresso machine": ("Machine leaking", "No steam pressure", "Descale warning stays on"),
    "Order": ("Order delayed", "Wrong item delivered", "Parcel missing"),
    "Billing": ("Charged twice", "Invoice needed for company", "Voucher not accepted"),
    "Advice": ("Gift idea for a tea lover", "Which beans for a moka pot", "Choosing a kettle"),
    "Returns": ("Return a cracked cup", "Exchange a gift", "Refund not received"),
}
CHANNELS = (
    (ContactChannel.PHONE,) * 5
    + (ContactChannel.WALK_IN,) * 2
    + (ContactChannel.EMAIL, ContactChannel.MESSAGE)
)
SCENARIOS = (
    ("first", 55),
    ("callback", 15),
    ("supplier", 10),
    ("repair", 7),
    ("reopen", 6),
    ("spam", 2),
    ("customer", 5),
)
_BATCH = 5000


@dataclass(frozen=True)
class DemoTicketsResult:
    tickets: int
    contacts: int
    state_changes: int


@dataclass
class _Rows:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


class _Story:
    """Plays one ticket forward through the domain, stopping at ``now``."""

    def __init__(self, ticket: TicketHistory, now: dt.datetime, rng: random.Random) -> None:
        self.ticket = ticket
        self.now = now
        self.rng = rng
        self.audit: list[AuditEntry] = [
            AuditEntry(ticket.id, ticket.opened_at, ticket.opened_by, "ticket", "", "opened")
        ]
        self.durations: dict[dt.datetime, int] = {}

    def contact(self, at: dt.datetime, direction: Direction, outcome: Outcome | None, **extra: Any) -> bool:
        """Log a contact at ``at`` unless that is after now; says whether it happened."""
        if at > self.now:
            return False
        channel = ContactChannel.PHONE if direction is Direction.OUT else self.rng.choice(CHANNELS)
        event = ContactEvent(at, channel, direction, self.rng.choice(STAFF), outcome, **extra)
        self._apply(domain.log_contact(self.ticket, event))
        self.durations[at] = self.rng.randint(60, 900) if event.is_live else 0
        return True

    def correct(self, at: dt.datetime, change: domain.Change) -> None:
        if at <= self.now:
            self._apply(change)

    def _apply(self, change: domain.Change) -> None:
        self.ticket = change.ticket
        self.audit.extend(change.audit)


def _shop_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 540))


def _later(at: dt.datetime, rng: random.Random, min_hours: int, max_hours: int) -> dt.datetime:
    return at + dt.timedelta(minutes=rng.randint(min_hours * 60, max_hours * 60))


def _play(story: _Story, scenario: str, rng: random.Random) -> None:
    opened = story.ticket.opened_at
    if scenario == "first":
        story.contact(opened, Direction.IN, Outcome.RESOLVED_NOW)
    elif scenario == "callback":
        due = _later(opened, rng, 2, 30)
        story.contact(opened, Direction.IN, Outcome.CALLBACK_PROMISED, callback_at=due)
        if rng.random() < 0.3:  # no answer the first time
            story.contact(due, Direction.OUT, None)
            due = _later(due, rng, 2, 24)
        story.contact(due + dt.timedelta(minutes=rng.randint(0, 90)), Direction.OUT, Outcome.RESOLVED_NOW)
    elif scenario in ("supplier", "customer"):
        outcome = Outcome.WAITING_SUPPLIER if scenario == "supplier" else Outcome.WAITING_CUSTOMER
        story.contact(opened, Direction.IN, outcome)
        story.contact(_later(opened, rng, 24, 240), Direction.OUT, Outcome.RESOLVED_NOW)
    elif scenario == "repair":
        reason = "Booked in for a repair in the workshop"
        story.contact(opened, Direction.IN, Outcome.NEEDS_REPAIR_OR_VISIT, outcome_reason=reason)
        marked = domain.mark_not_resolvable(story.ticket, NotResolvableReason.REPAIR, "Sam", opened, reason)
        story.correct(opened, marked)
        story.contact(_later(opened, rng, 72, 240), Direction.OUT, Outcome.RESOLVED_NOW)
    elif scenario == "reopen":
        story.contact(opened, Direction.IN, Outcome.RESOLVED_NOW)
        back = _later(opened, rng, 20, 150)
        if story.contact(back, Direction.IN, Outcome.CALLBACK_PROMISED, callback_at=_later(back, rng, 1, 20)):
            story.contact(_later(back, rng, 2, 24), Direction.OUT, Outcome.RESOLVED_NOW)
    else:  # spam
        story.contact(opened, Direction.IN, None)
        at = opened + dt.timedelta(minutes=5)
        story.correct(at, domain.close(story.ticket, "Sam", at, "spam call"))
        story.correct(at, domain.set_exclusion(story.ticket, Exclusion.SPAM, "Sam", at, "spam call"))


def _rows_for(story: _Story, rows: _Rows) -> None:
    ticket = story.ticket
    rows.tickets.append(
        {
            "id": ticket.id,
            "customer_id": ticket.customer_id,
            "title": ticket.title,
            "category": ticket.category,
            "priority": ticket.priority.value,
            "state": ticket.state.value,
            "assignee": ticket.assignee,
            "opened_at": ticket.opened_at,
            "opened_by": ticket.opened_by,
            "merged_into_id": None,
            "repeat_of_id": ticket.repeat_of,
            "not_resolvable_reason": ticket.not_resolvable_reason and ticket.not_resolvable_reason.value,
            "exclusion": ticket.exclusion and ticket.exclusion.value,
            "version": 1 + len(story.audit),
            "updated_at": max([ticket.last_change_at, *(a.at for a in story.audit)]),
            "updated_by": story.audit[-1].by,
        }
    )
    for index, contact in enumerate(ticket.contacts):
        # A promised callback is done by the next contact (the demo's next contact always reaches them).
        after = ticket.contacts[index + 1] if index + 1 < len(ticket.contacts) else None
        promised = contact.outcome is Outcome.CALLBACK_PROMISED and after is not None
        rows.contacts.append(
            {
                "customer_id": ticket.customer_id,
                "ticket_id": ticket.id,
                "at": contact.at,
                "channel": contact.channel.value,
                "direction": contact.direction.value,
                "staff": contact.staff,
                "summary": ticket.title,
                "outcome": contact.outcome and contact.outcome.value,
                "outcome_reason": contact.outcome_reason or None,
                "callback_at": contact.callback_at,
                "callback_done_at": after.at if promised and after else None,
                "callback_done_by": after.staff if promised and after else None,
                "duration_seconds": story.durations.get(contact.at),
                "customer_confirmed": True if contact.outcome is Outcome.RESOLVED_NOW else None,
            }
        )
    base = {"ticket_id": ticket.id, "customer_id": ticket.customer_id}
    rows.changes += [
        {**base, "at": c.at, "by": c.by, "old": c.old.value, "new": c.new.value, "reason": c.reason}
        for c in ticket.changes
    ]
    rows.audit += [
        {**base, "at": a.at, "by": a.by, "field": a.field, "old": a.old, "new": a.new, "reason": a.reason}
        for a in story.audit
    ]


class _Maker:
    def __init__(self, customer_ids: Sequence[int], seed: int, now: dt.datetime, first_id: int) -> None:
        self.rng = random.Random(seed)
        self.customer_ids = customer_ids
        self.now = now
        self.next_id = first_id
        self.resolved: list[TicketHistory] = []  # recent resolved tickets, for repeats

    def story(self) -> _Story:
        rng = self.rng
        repeat_of = rng.choice(self.resolved) if self.resolved and rng.random() < 0.08 else None
        if repeat_of is not None:
            first_resolved = repeat_of.first_resolved_at() or repeat_of.opened_at
            opened = _later(first_resolved, rng, 12, 24 * 6)
            customer_id, category = repeat_of.customer_id, repeat_of.category
        else:
            opened = _shop_time(rng, self.now.date() - dt.timedelta(days=rng.randint(1, 180)))
            customer_id, category = rng.choice(self.customer_ids), rng.choice(tuple(ISSUES))
        opened = min(opened, self.now)
        ticket = TicketHistory(
            id=self.next_id,
            customer_id=customer_id,
            category=category,
            opened_at=opened,
            opened_by=rng.choice(STAFF),
            title=rng.choice(ISSUES[category]),
            priority=rng.choices(list(Priority), weights=(2, 12, 3, 1))[0],
        )
        self.next_id += 1
        story = _Story(ticket, self.now, rng)
        _play(story, rng.choices([s for s, _ in SCENARIOS], weights=[w for _, w in SCENARIOS])[0], rng)
        if repeat_of is not None and rng.random() < 0.5:
            mark = domain.mark_repeat(story.ticket, repeat_of, "Sam", opened, "same problem again")
            story.correct(opened, mark)
        if story.ticket.first_resolved_at() is not None and story.ticket.exclusion is None:
            self.resolved = [*self.resolved[-199:], story.ticket]
        return story


_ANALYZED = tuple(
    record.__tablename__
    for record in (TicketRecord, ContactRecord, TicketStateChangeRecord, TicketAuditRecord)
)


def fill_demo_tickets(
    db: Database, customer_ids: Sequence[int], seed: int, now: dt.datetime, count: int
) -> DemoTicketsResult:
    """Add ``count`` demo tickets spread over the 180 days before ``now`` for ``customer_ids``."""
    if count <= 0 or not customer_ids:
        return DemoTicketsResult(0, 0, 0)
    with db.session() as session:
        first_id = (session.scalar(select(func.max(TicketRecord.id))) or 0) + 1
    # Anchor on the day, not the second: the same seed gives the same tickets all day long.
    maker = _Maker(customer_ids, seed, now.replace(hour=0, minute=0, second=0, microsecond=0), first_id)
    totals = [0, 0, 0]
    for start in range(0, count, _BATCH):
        rows = _Rows()
        for _ in range(min(_BATCH, count - start)):
            _rows_for(maker.story(), rows)
        with db.session() as session, bulk_care_marking(session) as marks:
            for model, batch in (
                (TicketRecord, rows.tickets),
                (ContactRecord, rows.contacts),
                (TicketStateChangeRecord, rows.changes),
                (TicketAuditRecord, rows.audit),
            ):
                if batch:
                    session.execute(insert(model), batch)
            # The tickets carry their own ids; PostgreSQL's sequence must move past them.
            advance_id_sequences(session, [TicketRecord.__table__])  # type: ignore[list-item]
            # Contacts and state changes are the tickets' customers' too: noted in one statement.
            marks.wrote_facts(row["customer_id"] for row in rows.tickets)
        totals = [
            totals[0] + len(rows.tickets),
            totals[1] + len(rows.contacts),
            totals[2] + len(rows.changes),
        ]
    with db.session() as session:
        refresh_statistics(session, _ANALYZED)
    return DemoTicketsResult(*totals)
