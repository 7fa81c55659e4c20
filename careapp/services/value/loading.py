"""The bulk queries behind the value figures: a handful of grouped reads whatever the number of
customers, each returning plain tuples for :mod:`careapp.domain.value`.

Purchase days are stored as dates (the shop's calendar days); SQLite hands back text for aggregates
of them, so every day read goes through :class:`Days`, which parses each distinct text once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from careapp.db.models import ConsentEventRecord, CustomerRecord, PurchaseRecord, TouchLogRecord
from careapp.domain.touches import MARKETING_KINDS
from careapp.domain.value import ConsentChange, CustomerTotals, Sale, Touched

_IS_PURCHASE = PurchaseRecord.amount_cents >= 0
# Read as text on SQLite (no per-row date processing); PostgreSQL's driver gives dates anyway.
_DAY = type_coerce(PurchaseRecord.date, String)


class Days:
    """Stored day -> date, each distinct value parsed once (a few thousand days, a million rows)."""

    def __init__(self) -> None:
        self._known: dict[object, dt.date] = {}

    def __call__(self, value: object) -> dt.date:
        try:
            return self._known[value]
        except KeyError:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
            self._known[value] = day
            return day

    def maybe(self, value: object) -> dt.date | None:
        return None if value is None else self(value)


def customer_totals(session: Session, days: Days, customer_id: int | None = None) -> list[CustomerTotals]:
    """Every customer's totals (or one customer's) in one grouped query."""
    purchase_day = case((_IS_PURCHASE, _DAY))
    statement = select(
        PurchaseRecord.customer_id,
        func.sum(PurchaseRecord.amount_cents),
        func.sum(case((_IS_PURCHASE, 1), else_=0)),
        func.min(purchase_day),
        func.max(purchase_day),
    ).group_by(PurchaseRecord.customer_id)
    if customer_id is not None:
        statement = statement.where(PurchaseRecord.customer_id == customer_id)
    return [
        CustomerTotals(cid, int(spent or 0), int(count or 0), days.maybe(first), days.maybe(last))
        for cid, spent, count, first, last in session.execute(statement)
    ]


def stages(session: Session) -> dict[int, str]:
    return {
        cid: stage for cid, stage in session.execute(select(CustomerRecord.id, CustomerRecord.loyalty_stage))
    }


def category_first_days(session: Session, days: Days) -> list[tuple[int, str, dt.date]]:
    """(customer, category, first day they bought it) for every purchase with a category."""
    statement = (
        select(PurchaseRecord.customer_id, PurchaseRecord.category, func.min(_DAY))
        .where(_IS_PURCHASE, PurchaseRecord.category != "")
        .group_by(PurchaseRecord.customer_id, PurchaseRecord.category)
    )
    return [(cid, category, days(first)) for cid, category, first in session.execute(statement)]


def customer_sales(session: Session, days: Days, customer_id: int) -> list[Sale]:
    statement = select(PurchaseRecord.date, PurchaseRecord.category, PurchaseRecord.amount_cents).where(
        PurchaseRecord.customer_id == customer_id
    )
    return [
        Sale(customer_id, days(day), category, cents) for day, category, cents in session.execute(statement)
    ]


def purchase_days(
    session: Session, days: Days, first: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[int, dt.date]]:
    """(customer, day) once per customer and day with a purchase, from ``first`` to before ``end``."""
    conditions = [_IS_PURCHASE]
    if first is not None:
        conditions.append(PurchaseRecord.date >= first)
    if end is not None:
        conditions.append(PurchaseRecord.date < end)
    statement = select(PurchaseRecord.customer_id, _DAY).where(and_(*conditions)).distinct()
    return [(cid, days(day)) for cid, day in session.execute(statement)]


def histories(session: Session, days: Days) -> dict[int, list[tuple[dt.date, int]]]:
    """Every customer (those without purchases too) with their rows as sorted (day, cents)."""
    found: dict[int, list[tuple[dt.date, int]]] = {
        cid: [] for cid in session.scalars(select(CustomerRecord.id))
    }
    rows = defaultdict(list)
    statement = select(PurchaseRecord.customer_id, _DAY, PurchaseRecord.amount_cents)
    for cid, day, cents in session.execute(statement):
        rows[cid].append((days(day), cents))
    for cid, kept in rows.items():
        kept.sort()
        found[cid] = kept
    return found


def consent_changes(session: Session, local_day: Callable[[dt.datetime], dt.date]) -> list[ConsentChange]:
    statement = select(
        ConsentEventRecord.customer_id,
        ConsentEventRecord.channel,
        ConsentEventRecord.granted,
        ConsentEventRecord.at,
    ).order_by(ConsentEventRecord.at, ConsentEventRecord.id)
    return [
        ConsentChange(cid, channel, bool(granted), local_day(at))
        for cid, channel, granted, at in session.execute(statement)
    ]


def done_marketing_touches(
    session: Session, start: dt.datetime, end: dt.datetime, local_day: Callable[[dt.datetime], dt.date]
) -> list[Touched]:
    """Marketing touches done from ``start`` to before ``end`` (naive UTC), on their local day."""
    statement = select(TouchLogRecord.customer_id, TouchLogRecord.at).where(
        TouchLogRecord.outcome == "done",
        TouchLogRecord.kind.in_([kind.value for kind in MARKETING_KINDS]),
        TouchLogRecord.at >= start,
        TouchLogRecord.at < end,
    )
    return [Touched(cid, local_day(at)) for cid, at in session.execute(statement)]
