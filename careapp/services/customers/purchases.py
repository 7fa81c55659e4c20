"""Sales recorded at the counter: record, edit and delete one purchase, each undoable.

One short session per call; plain data out. A purchase written here is seen at once by everything
that reads the purchase table (the timeline, the wallet figures) and, through the care_dirty
triggers on it, by the care pipeline that makes the follow-up touch after a purchase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from careapp.clock import to_local
from careapp.db.database import Database
from careapp.db.models import CustomerRecord, PurchaseRecord
from careapp.domain.purchases import InvalidPurchase, Sale, SaleInput, check_sale
from careapp.services.customers.mapping import cents
from careapp.services.customers.service import CustomerNotFound

Clock = Callable[[], dt.datetime]


class PurchaseNotFound(LookupError):
    def __init__(self, purchase_id: int) -> None:
        super().__init__(f"Purchase {purchase_id} is no longer there (deleted meanwhile?).")
        self.purchase_id = purchase_id


@dataclass(frozen=True)
class PurchaseView:
    """One purchase as stored; ``order_line`` is set for one imported from an orders file."""

    id: int
    customer_id: int
    date: dt.date
    item: str
    category: str
    amount: Decimal
    quantity: int
    order_line: str | None
    created_at: dt.datetime


def _view(record: PurchaseRecord) -> PurchaseView:
    return PurchaseView(
        id=record.id,
        customer_id=record.customer_id,
        date=record.date,
        item=record.item,
        category=record.category,
        amount=(Decimal(record.amount_cents) / 100).quantize(Decimal("0.01")),
        quantity=record.quantity,
        order_line=record.order_line,
        created_at=record.created_at,
    )


def _write(record: PurchaseRecord, sale: Sale) -> None:
    record.date = sale.date
    record.item = sale.item
    record.category = sale.category
    record.amount_cents = cents(sale.amount)
    record.quantity = sale.quantity


class PurchaseService:
    """Record, edit, delete and put back purchases; the shop's categories for the form."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def _today(self) -> dt.date:
        return to_local(self._clock()).date()

    def record(self, customer_id: int, sale: SaleInput) -> PurchaseView:
        checked = check_sale(sale, self._today())
        with self._db.session() as session:
            if session.get(CustomerRecord, customer_id) is None:
                raise CustomerNotFound(customer_id)
            record = PurchaseRecord(customer_id=customer_id, created_at=self._clock())
            _write(record, checked)
            session.add(record)
            session.flush()
            return _view(record)

    def edit(self, purchase_id: int, sale: SaleInput) -> tuple[PurchaseView, PurchaseView]:
        """(before, after): ``before`` goes back through :meth:`edit` to undo it."""
        checked = check_sale(sale, self._today())
        with self._db.session() as session:
            record = session.get(PurchaseRecord, purchase_id)
            if record is None:
                raise PurchaseNotFound(purchase_id)
            before = _view(record)
            _write(record, checked)
            session.flush()
            return before, _view(record)

    def delete(self, purchase_id: int) -> PurchaseView:
        """The purchase as it was, for :meth:`restore` (undo)."""
        with self._db.session() as session:
            record = session.get(PurchaseRecord, purchase_id)
            if record is None:
                raise PurchaseNotFound(purchase_id)
            gone = _view(record)
            session.delete(record)
            return gone

    def restore(self, gone: PurchaseView) -> PurchaseView:
        """Undo a delete: the same purchase back, with its id (so an import's undo still finds it)."""
        with self._db.session() as session:
            if session.get(CustomerRecord, gone.customer_id) is None:
                raise InvalidPurchase(
                    "The customer of that purchase was deleted meanwhile; it cannot come back."
                )
            record = PurchaseRecord(
                id=gone.id,
                customer_id=gone.customer_id,
                created_at=gone.created_at,
                order_line=gone.order_line,
            )
            _write(record, Sale(gone.date, gone.item, gone.category, gone.amount, gone.quantity))
            session.add(record)
            session.flush()
            return _view(record)

    def for_customer(self, customer_id: int) -> list[PurchaseView]:
        """The customer's purchases, newest first."""
        with self._db.session() as session:
            records = session.scalars(
                select(PurchaseRecord)
                .where(PurchaseRecord.customer_id == customer_id)
                .order_by(PurchaseRecord.date.desc(), PurchaseRecord.id.desc())
            )
            return [_view(record) for record in records]

    def categories(self) -> list[str]:
        """The categories the shop's purchases use, for the form's completion."""
        with self._db.session() as session:
            found = session.scalars(
                select(PurchaseRecord.category).distinct().where(PurchaseRecord.category != "")
            )
            return sorted(found, key=str.casefold)
