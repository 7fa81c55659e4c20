"""Taking back a walk-in customer that was added during a call which was then cancelled.

A walk-in made inside the call log and left behind by Cancel would stay in the customer list
forever; removing it is undoing the call's own step. If anything else was recorded for them
since (a contact, a ticket, a sale, a note, feedback, an edit), the caller is asked first.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import (
    ContactRecord,
    CustomerRecord,
    FeedbackRecord,
    NoteRecord,
    PurchaseRecord,
    TicketRecord,
)
from careapp.services.shop.staff import Actor, check_actor

_HISTORY = (
    (ContactRecord, "a logged contact"),
    (TicketRecord, "a ticket"),
    (PurchaseRecord, "a sale"),
    (NoteRecord, "a note"),
    (FeedbackRecord, "feedback"),
)


class WalkInHasHistory(Exception):
    """Something was added to the walk-in since it was created; ``str()`` says what, and asks."""

    def __init__(self, name: str, added: list[str]) -> None:
        super().__init__(
            f"{name} was added as a walk-in during this call, and since then {' and '.join(added)} "
            "was recorded for them. Remove them anyway, with all of that?"
        )
        self.name, self.added = name, added


class NotThisCallsWalkIn(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} was not added by you during this call, so cancelling it does not remove them."
        )


def discard_walk_in(db: Database, actor: Actor, customer_id: int, *, force: bool = False) -> str | None:
    """Remove the walk-in ``customer_id``; returns their name, or None when they are already gone.

    Raises :class:`WalkInHasHistory` (unless ``force``) when anything was recorded for them since.
    """
    with db.session() as session:
        check_actor(session, actor)
        record = session.get(CustomerRecord, customer_id)
        if record is None:
            return None
        if record.version == 1 and record.updated_by != actor.name:  # at version 1: who created them
            raise NotThisCallsWalkIn(record.display_name)
        added = _added_since(session, record)
        if added and not force:
            raise WalkInHasHistory(record.display_name, added)
        name = record.display_name
        session.execute(delete(CustomerRecord).where(CustomerRecord.id == customer_id))
        return name


def _added_since(session: Session, record: CustomerRecord) -> list[str]:
    added = ["an edit to their details"] if record.version > 1 else []
    for model, what in _HISTORY:
        if session.scalar(select(exists().where(model.customer_id == record.id))):
            added.append(what)
    return added
