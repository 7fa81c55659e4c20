"""Customer feedback, and which positive feedback may be published as a testimonial.

Publishing someone's words is not contacting them, so the per-channel contact consent (email, SMS,
phone, post) is not the permission to publish. careapp asks for both:

- an explicit permission for this testimonial, recorded when it is marked publishable: how the
  customer agreed (``consent_method``, e.g. "said yes on the phone"), by whom and when; and
- the customer's current consent on at least one contact channel: someone who has never agreed to
  hear from the shop, or has withdrawn every consent, is not quoted in its marketing.

:meth:`FeedbackService.testimonials` applies the second rule again when listing, so a later
withdrawal of every consent takes a testimonial out of the list without anyone editing it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import ConsentEventRecord, CustomerRecord, FeedbackRecord, TicketRecord
from careapp.services.customers.service import CustomerNotFound
from careapp.services.shop.staff import Actor, check_actor
from careapp.services.tickets.store import chunks


class PublishingRefused(ValueError):
    """Feedback that may not be published; the message says why and what would allow it."""


@dataclass(frozen=True)
class Feedback:
    id: int
    customer_id: int
    ticket_id: int | None
    at: dt.datetime
    recorded_by: str
    positive: bool
    text: str
    publishable: bool
    publish_consent_at: dt.datetime | None
    publish_consent_by: str
    publish_consent_method: str


def _feedback(record: FeedbackRecord) -> Feedback:
    return Feedback(
        id=record.id,
        customer_id=record.customer_id,
        ticket_id=record.ticket_id,
        at=record.at,
        recorded_by=record.recorded_by,
        positive=record.positive,
        text=record.text,
        publishable=record.publishable,
        publish_consent_at=record.publish_consent_at,
        publish_consent_by=record.publish_consent_by or "",
        publish_consent_method=record.publish_consent_method or "",
    )


def customers_with_current_consent(session: Session, customer_ids: Iterable[int]) -> set[int]:
    """Those of ``customer_ids`` whose latest consent event on some channel is a grant."""
    ids = sorted(set(customer_ids))
    found: set[int] = set()
    for chunk in chunks(ids):
        latest: dict[int, dict[str, bool]] = defaultdict(dict)
        events = session.execute(
            select(ConsentEventRecord.customer_id, ConsentEventRecord.channel, ConsentEventRecord.granted)
            .where(ConsentEventRecord.customer_id.in_(chunk))
            .order_by(ConsentEventRecord.at, ConsentEventRecord.id)
        )
        for customer_id, channel, granted in events:
            latest[customer_id][channel] = granted
        found |= {customer_id for customer_id, channels in latest.items() if any(channels.values())}
    return found


class FeedbackService:
    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock

    def record(
        self, actor: Actor, customer_id: int, positive: bool, text: str = "", ticket_id: int | None = None
    ) -> Feedback:
        """Keep what the customer said (at the end of a call, or any time)."""
        with self._db.session() as session:
            check_actor(session, actor)
            if session.get(CustomerRecord, customer_id) is None:
                raise CustomerNotFound(customer_id)
            if ticket_id is not None:
                ticket = session.get(TicketRecord, ticket_id)
                if ticket is None or ticket.customer_id != customer_id:
                    raise ValueError(f"Ticket {ticket_id} is not one of this customer's tickets.")
            record = FeedbackRecord(
                customer_id=customer_id,
                ticket_id=ticket_id,
                at=self._clock(),
                recorded_by=actor.name,
                positive=positive,
                text=text.strip(),
                publishable=False,
            )
            session.add(record)
            session.flush()
            return _feedback(record)

    def for_customer(self, customer_id: int) -> list[Feedback]:
        with self._db.session() as session:
            records = session.scalars(
                select(FeedbackRecord)
                .where(FeedbackRecord.customer_id == customer_id)
                .order_by(FeedbackRecord.at.desc(), FeedbackRecord.id.desc())
            )
            return [_feedback(r) for r in records]

    def mark_publishable(self, actor: Actor, feedback_id: int, consent_method: str) -> Feedback:
        """Mark positive feedback publishable, with how the customer agreed (see the module docstring)."""
        with self._db.session() as session:
            check_actor(session, actor)
            record = self._get(session, feedback_id)
            if not record.positive or not record.text:
                raise PublishingRefused(
                    "Only positive feedback with the customer's own words can be published."
                )
            if not consent_method.strip():
                raise PublishingRefused(
                    "Ask the customer whether their words may be published, and say how they agreed."
                )
            if record.customer_id not in customers_with_current_consent(session, [record.customer_id]):
                raise PublishingRefused(
                    "This customer has not given (or has withdrawn) consent on every channel, so their "
                    "feedback cannot be published; record their consent first if they give it."
                )
            record.publishable = True
            record.publish_consent_at = self._clock()
            record.publish_consent_by = actor.name
            record.publish_consent_method = consent_method.strip()
            return _feedback(record)

    def withdraw_publishable(self, actor: Actor, feedback_id: int) -> Feedback:
        """The customer no longer wants to be quoted; the consent record is kept for the history."""
        with self._db.session() as session:
            check_actor(session, actor)
            record = self._get(session, feedback_id)
            record.publishable = False
            return _feedback(record)

    def testimonials(self) -> list[Feedback]:
        """Publishable feedback whose customer still has a current consent, newest first."""
        with self._db.session() as session:
            records = list(
                session.scalars(
                    select(FeedbackRecord)
                    .where(FeedbackRecord.publishable)
                    .order_by(FeedbackRecord.at.desc(), FeedbackRecord.id.desc())
                )
            )
            allowed = customers_with_current_consent(session, [r.customer_id for r in records])
            return [_feedback(r) for r in records if r.customer_id in allowed]

    @staticmethod
    def _get(session: Session, feedback_id: int) -> FeedbackRecord:
        record = session.get(FeedbackRecord, feedback_id)
        if record is None:
            raise LookupError(f"Feedback {feedback_id} does not exist; its customer may have been deleted.")
        return record
