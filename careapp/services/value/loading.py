"""The bulk queries behind the value figures: a handful of grouped reads whatever the number of
customers, each returning plain tuples for :mod:`careapp.domain.value`.

Purchase days are stored as dates (the shop's calendar days); SQLite hands back text for aggregates
of them, so every day read goes through :class:`Days`, which parses each distinct text once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

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


def page_totals(session: Session, days: Days, customer_ids: Sequence[int]) -> dict[int, CustomerTotals]:
    """The totals of a page of customers (those with rows), read by the customer index."""
    if not customer_ids:
        return {}
    purchase_day = case((_IS_PURCHASE, _DAY))
    statement = (
        select(
            PurchaseRecord.customer_id,
            func.sum(PurchaseRecord.amount_cents),
            func.sum(case((_IS_PURCHASE, 1), else_=0)),
            func.min(purchase_day),
            func.max(purchase_day),
        )
        .where(PurchaseRecord.customer_id.in_(list(customer_ids)))
        .group_by(PurchaseRecord.customer_id)
    )
    return {
        cid: CustomerTotals(cid, int(spent or 0), int(count or 0), days.maybe(first), days.maybe(last))
        for cid, spent, count, first, last in session.execute(statement)
    }


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


MonthRow = tuple[int, int, int, "dt.date | None", "dt.date | None"]


def _month_text(session: Session):
    """The purchase's month as 'YYYY-MM' text, in the database's own dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(_DAY, 1, 7)
    return func.to_char(PurchaseRecord.date, "YYYY-MM")


def monthly_rows(session: Session, days: Days) -> dict[int, list[MonthRow]]:
    """Per customer, per month they had a row: (month index year*12+month-1, net cents, purchases,
    first and last purchase day that month), sorted by month: one GROUP BY per customer and month."""
    month = _month_text(session)
    purchase_day = case((_IS_PURCHASE, _DAY))
    statement = select(
        PurchaseRecord.customer_id,
        month,
        func.sum(PurchaseRecord.amount_cents),
        func.sum(case((_IS_PURCHASE, 1), else_=0)),
        func.min(purchase_day),
        func.max(purchase_day),
    ).group_by(PurchaseRecord.customer_id, month)
    indexes: dict[str, int] = {}
    found: dict[int, list[MonthRow]] = defaultdict(list)
    for cid, text, spent, count, first, last in session.execute(statement):
        index = indexes.get(text)
        if index is None:
            index = indexes[text] = int(text[:4]) * 12 + int(text[5:7]) - 1
        found[cid].append((index, int(spent or 0), int(count or 0), days.maybe(first), days.maybe(last)))
    for rows in found.values():
        rows.sort(key=lambda row: row[0])
    return dict(found)


def purchase_ordinals(session: Session, days: Days) -> dict[int, list[int]]:
    """Per customer the sorted day ordinals on which they made a purchase (refunds left out)."""
    statement = select(PurchaseRecord.customer_id, _DAY).where(_IS_PURCHASE).distinct()
    found: dict[int, list[int]] = defaultdict(list)
    ordinals: dict[object, int] = {}
    for cid, day in session.execute(statement):
        ordinal = ordinals.get(day)
        if ordinal is None:
            ordinal = ordinals[day] = days(day).toordinal()
        found[cid].append(ordinal)
    for kept in found.values():
        kept.sort()
    return dict(found)


def customer_ids(session: Session) -> list[int]:
    return list(session.scalars(select(CustomerRecord.id)))


def consent_rows(
    session: Session,
    local_day: Callable[[dt.datetime], dt.date],
    offset_at: Callable[[dt.datetime], dt.timedelta | None],
) -> list[ConsentChange]:
    """Every consent change on its local day, in the order they happened. The zone's offset is asked
    once per UTC hour (``offset_at``: local minus UTC through that hour, None when it changes within
    it, and then each time is converted exactly), the rest is arithmetic."""
    if session.get_bind().dialect.name != "sqlite":
        return consent_changes(session, local_day)
    at_text = type_coerce(ConsentEventRecord.at, String)
    statement = select(
        ConsentEventRecord.customer_id, ConsentEventRecord.channel, ConsentEventRecord.granted, at_text
    ).order_by(ConsentEventRecord.at, ConsentEventRecord.id)
    offsets: dict[str, dt.timedelta | None] = {}
    found = []
    parse = dt.datetime.fromisoformat
    for cid, channel, granted, text in session.execute(statement):
        hour = text[:13]
        if hour not in offsets:
            offsets[hour] = offset_at(parse(hour + ":00"))
        offset, at = offsets[hour], parse(text[:19])
        day = local_day(at) if offset is None else (at + offset).date()
        found.append(ConsentChange(cid, channel, bool(granted), day))
    return found


def purchase_months(session: Session, first: dt.date, end: dt.date) -> list[tuple[int, dt.date]]:
    """(customer, first day of the month) once per customer and month with a purchase, from ``first``
    to before ``end``: the months are grouped in SQL, so a customer's many days come back as one row."""
    month = _month_text(session)
    statement = (
        select(PurchaseRecord.customer_id, month)
        .where(_IS_PURCHASE, PurchaseRecord.date >= first, PurchaseRecord.date < end)
        .group_by(PurchaseRecord.customer_id, month)
    )
    months: dict[str, dt.date] = {}
    found = []
    for cid, text in session.execute(statement):
        day = months.get(text)
        if day is None:
            day = months[text] = dt.date(int(text[:4]), int(text[5:7]), 1)
        found.append((cid, day))
    return found
