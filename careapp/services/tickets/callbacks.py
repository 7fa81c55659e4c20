"""Promised callbacks not yet done: read by the tickets service and by the care queue's refresh.

A module of its own so that the care queue (and ``careapp agenda``) reads them without importing the
tickets service and what it needs to edit tickets (customers, phone numbers, FCR).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.models import ContactRecord, CustomerRecord, TicketRecord
from careapp.domain.tickets import Outcome


@dataclass(frozen=True)
class CallbackDue:
    """A promised callback not yet done, for the care queue."""

    contact_id: int
    customer_id: int
    customer_name: str
    customer_phone: str
    ticket_id: int | None
    ticket_title: str
    due_at: dt.datetime
    promised_at: dt.datetime
    promised_by: str
    summary: str


def open_callbacks(session: Session, until: dt.datetime) -> list[CallbackDue]:
    """Promised callbacks due by ``until`` and not yet done, the earliest first."""
    statement = (
        select(ContactRecord, CustomerRecord.display_name, CustomerRecord.primary_phone, TicketRecord.title)
        .join(CustomerRecord, CustomerRecord.id == ContactRecord.customer_id)
        .outerjoin(TicketRecord, TicketRecord.id == ContactRecord.ticket_id)
        .where(
            ContactRecord.callback_at <= until,
            ContactRecord.callback_done_at.is_(None),
            ContactRecord.outcome == Outcome.CALLBACK_PROMISED.value,
        )
        .order_by(ContactRecord.callback_at, ContactRecord.id)
    )
    return [_callback_due(*row) for row in session.execute(statement)]


def _callback_due(contact: ContactRecord, name: str, phone: str, title: str | None) -> CallbackDue:
    assert contact.callback_at is not None  # selected by callback_at <= until
    return CallbackDue(
        contact_id=contact.id,
        customer_id=contact.customer_id,
        customer_name=name,
        customer_phone=phone,
        ticket_id=contact.ticket_id,
        ticket_title=title or "",
        due_at=contact.callback_at,
        promised_at=contact.at,
        promised_by=contact.staff,
        summary=contact.summary,
    )
