"""The value service: one customer's value panel, the shop's value, retention, churn and care-effect
reports, and the control-group setting.

The panel needs the shop's RFM scale and co-purchase table (a pass over every purchase); they are kept
in memory and made again only when the ``customers`` change counter moves (any seat's purchase, refund
or customer change), so a customer's panel afterwards is one indexed read of their own rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import SettingAuditRecord
from careapp.domain.customer import LoyaltyStage
from careapp.domain.value import (
    EFFECT_WINDOWS,
    ChurnRow,
    CohortRow,
    CustomerTotals,
    EffectRow,
    EffectSums,
    NextRule,
    NextTable,
    Period,
    RetentionRow,
    RfmScale,
    RfmScore,
    ValueSummary,
    WalletShare,
    churn,
    cohorts,
    customer_totals,
    effect_of_month,
    effect_rows,
    next_period,
    next_table,
    often_bought_next,
    period_of,
    retention,
    touched_by_month,
    trend_per_month,
    value_summary,
    wallet_share,
)
from careapp.services.shop.control_group import CONTROL_KEY, ControlGroup, read_control_group
from careapp.services.shop.settings import write_setting
from careapp.services.shop.staff import Actor, check_actor, check_owner
from careapp.services.tickets.reports import LocalTimes
from careapp.services.value import loading
from careapp.services.value.list_scale import ListScale, read_list_scale, write_list_scale
from careapp.services.value.snapshot import Snapshot, SnapshotKeeper

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
CHANGE_CONTROL_GROUP = "change the control group"
CONTROL_CAVEAT = (
    "Touched and untouched customers are compared within the same RFM segment and month, but the shop "
    "chose whom to touch, so the untouched may differ in ways the segment does not show. Only the control "
    "group, drawn at random and skipped by marketing touches, is a fair comparison; with a small group "
    "the shares move a lot by chance."
)


@dataclass(frozen=True)
class CustomerValue:
    """Everything the customer page's value panel shows."""

    customer_id: int
    totals: CustomerTotals
    rfm: RfmScore | None
    buyers: int
    wallet: WalletShare
    next_categories: tuple[NextRule, ...]
    in_control_group: bool
    today: dt.date


@dataclass(frozen=True)
class ListFigures:
    """What the customer list shows of a customer's value: net spent, purchases, RFM segment (None
    without a purchase)."""

    spent_cents: int
    purchases: int
    segment: str | None


@dataclass(frozen=True)
class ValueReport:
    today: dt.date
    summary: ValueSummary
    revenue_cents: int
    average_order_cents: int | None
    edges: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class RetentionReport:
    first_day: dt.date
    last_day: dt.date
    by: Period
    today: dt.date
    rows: tuple[RetentionRow, ...]
    cohorts: tuple[CohortRow, ...]


@dataclass(frozen=True)
class ChurnReport:
    first_day: dt.date
    last_day: dt.date
    rows: tuple[ChurnRow, ...]
    trend: dict[str, float | None]  # per channel, and "all"


@dataclass(frozen=True)
class EffectReport:
    first_day: dt.date
    last_day: dt.date
    today: dt.date
    rows: tuple[EffectRow, ...]
    control: ControlGroup
    caveat: str = CONTROL_CAVEAT
    windows: tuple[int, ...] = EFFECT_WINDOWS


@dataclass
class _ShopFigures:
    counter: int
    scale: RfmScale
    table: NextTable
    categories: tuple[str, ...] = field(default_factory=tuple)


class ValueService:
    """``today`` gives the shop's day; ``tz`` the zone for stored times (None: the computer's)."""

    def __init__(self, db: Database, clock: Clock, today: Callable[[], dt.date], tz: dt.tzinfo | None = None):
        self._db, self._clock, self._today = db, clock, today
        self._local = LocalTimes(tz)
        self._snapshots = SnapshotKeeper()
        self._last_scale: ListScale | None = None  # the list's scale: the newest made or read

    def _local_day(self, utc_naive: dt.datetime) -> dt.date:
        return self._local(utc_naive).date()

    def _offset_at(self, hour: dt.datetime) -> dt.timedelta | None:
        """Local minus UTC through the hour starting at ``hour`` (naive UTC); None if it changes."""
        first = self._local(hour)
        last = self._local(hour + dt.timedelta(hours=1, microseconds=-1))
        if first.utcoffset() != last.utcoffset():
            return None
        return first.replace(tzinfo=None) - hour

    # --- one customer ---------------------------------------------------------------------------

    def customer_value(self, customer_id: int) -> CustomerValue:
        days = loading.Days()
        with self._db.session() as session:
            figures = self._shop_figures(session, days)
            sales = loading.customer_sales(session, days, customer_id)
            control = read_control_group(session)
        totals = customer_totals(sales).get(customer_id) or CustomerTotals(customer_id, 0, 0, None, None)
        bought = {sale.category for sale in sales if sale.amount_cents >= 0}
        return CustomerValue(
            customer_id,
            totals,
            figures.scale.score(totals),
            figures.scale.customers,
            wallet_share(bought, figures.categories),
            tuple(often_bought_next(figures.table, bought)),
            control.holds(customer_id),
            self._today(),
        )

    def _shop_figures(self, session: Session, days: loading.Days) -> _ShopFigures:
        snapshot = self._snapshots.get(session)

        def make() -> _ShopFigures:
            firsts = loading.category_first_days(session, days)
            return _ShopFigures(
                snapshot.key[0],
                snapshot.scale(session),
                next_table(firsts),
                tuple(sorted({category for _cid, category, _day in firsts})),
            )

        return snapshot.kept("shop figures", make)

    def list_figures(self, customer_ids: Sequence[int]) -> dict[int, ListFigures]:
        """The list's value columns for one page of customers: one grouped read of their rows.

        A customer's own totals are always current. Their segment is scored against the shop's RFM
        scale as last made (by the value panel, a report, :meth:`update_list_scale`, or a start before
        this one, which stored it: see :mod:`careapp.services.value.list_scale`): making it again reads
        every purchase, which a keystroke or the window's first page must not wait for, and one sale
        barely moves the quintile edges of a shop's customers. Only a database that never had one makes
        it here. The value panel and the reports always use a current one.
        """
        days = loading.Days()
        with self._db.session() as session:
            totals = loading.page_totals(session, days, customer_ids)
            scale, made = self._list_scale(session)
        if made:
            self._store_list_scale(scale)
        found = {}
        for cid in customer_ids:
            t = totals.get(cid) or CustomerTotals(cid, 0, 0, None, None)
            score = scale.score(t)
            found[cid] = ListFigures(t.spent_cents, t.purchases, None if score is None else score.segment)
        return found

    def _list_scale(self, session: Session) -> tuple[ListScale, bool]:
        """The list's scale, and whether it was made (and so is to be stored) by this call."""
        snapshot = self._snapshots.get(session)
        with snapshot.lock:
            current = snapshot.memo.get("scale")
        made = False
        if current is not None:
            scale = snapshot.kept("list scale", lambda: ListScale.of(current, snapshot.key[0]))
        elif self._last_scale is not None:
            return self._last_scale, False
        else:
            stored = read_list_scale(session)
            made = stored is None
            scale = stored if stored is not None else self._current_list_scale(session, snapshot)
        self._last_scale = scale
        return scale, made

    @staticmethod
    def _current_list_scale(session: Session, snapshot: Snapshot) -> ListScale:
        return snapshot.kept("list scale", lambda: ListScale.of(snapshot.scale(session), snapshot.key[0]))

    def update_list_scale(self) -> bool:
        """Make the list's scale again if the customers' data changed since the stored one was made
        (a pass over every purchase), and store it. True when the list's segments may now read
        differently than they did (the list then reads its pages again). For the background thread
        after the window's start."""
        with self._db.session() as session:
            snapshot = self._snapshots.get(session)
            stored = read_list_scale(session)
            if stored is not None and stored.counter == snapshot.key[0]:
                scale = stored
            else:
                scale = self._current_list_scale(session, snapshot)
        if scale is not stored:
            self._store_list_scale(scale)
        shown, self._last_scale = self._last_scale, scale
        return not scale.scores_as(shown)

    def _store_list_scale(self, scale: ListScale) -> None:
        """Quietly (no care refresh for it); a scale not stored is made again next time, so a failure
        here is only logged."""
        try:
            with self._db.changes.quietly(), self._db.session() as session:
                write_list_scale(session, scale)
        except SQLAlchemyError as error:
            log.warning("could not store the customer list's RFM scale: %s", error)

    # --- the shop -------------------------------------------------------------------------------

    def value(self) -> ValueReport:
        today = self._today()
        with self._db.session() as session:
            snapshot = self._snapshots.get(session)
            return snapshot.kept(("value", today), lambda: _value_report(session, snapshot, today))

    def retention(self, first_day: dt.date, last_day: dt.date, by: Period = "month") -> RetentionReport:
        _check_period(first_day, last_day)
        today = self._today()
        with self._db.session() as session:
            snapshot = self._snapshots.get(session)

            def make() -> RetentionReport:
                start = period_of(first_day, by)
                end = next_period(next_period(period_of(last_day, by), by), by)  # the next period too
                active = loading.purchase_months(session, start, end)
                first_purchase = {t.customer_id: t.first_day for t in snapshot.totals(session) if t.first_day}
                rows = retention(active, first_day, last_day, by, today)
                triangle = cohorts(first_purchase, active, first_day, last_day, today)
                return RetentionReport(first_day, last_day, by, today, tuple(rows), tuple(triangle))

            return snapshot.kept(("retention", first_day, last_day, by, today), make)

    def churn(self, first_day: dt.date, last_day: dt.date) -> ChurnReport:
        _check_period(first_day, last_day)
        with self._db.session() as session:
            snapshot = self._snapshots.get(session)
            changes = snapshot.kept(
                "consent changes", lambda: loading.consent_rows(session, self._local_day, self._offset_at)
            )

        def make() -> ChurnReport:
            rows = churn(changes, first_day, last_day)
            trend: dict[str, float | None] = {}
            for channel in sorted({row.channel for row in rows}):
                trend[channel] = trend_per_month([row.rate for row in rows if row.channel == channel])
            trend["all"] = trend_per_month(_overall_by_month(rows))
            return ChurnReport(first_day, last_day, tuple(rows), trend)

        return snapshot.kept(("churn", first_day, last_day), make)

    def care_effect(self, first_day: dt.date, last_day: dt.date) -> EffectReport:
        _check_period(first_day, last_day)
        today = self._today()
        start, end = period_of(first_day, "month"), next_period(period_of(last_day, "month"), "month")
        # A day's touches in UTC may fall a few hours either side of the local month: read a day more.
        utc_start = dt.datetime.combine(start - dt.timedelta(days=1), dt.time())
        utc_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        with self._db.session() as session:
            snapshot = self._snapshots.get(session)
            touched = loading.done_marketing_touches(session, utc_start, utc_end, self._local_day)
            control = read_control_group(session)
            days = snapshot.kept("purchase days", lambda: _everyone(session, snapshot))
            customers = list(days)
            controls = snapshot.kept(("control", control), lambda: {c for c in customers if control.holds(c)})

            def month_sums(month: dt.date, touched_days: dict[int, dt.date]) -> EffectSums:
                segments = snapshot.segments_before(session, month, customers)
                return effect_of_month(days, segments, touched_days, controls, today)

            sums = [
                snapshot.kept(
                    ("effect month", month, today, control, tuple(sorted(touched_days.items()))),
                    partial(month_sums, month, touched_days),
                )
                for month, touched_days in touched_by_month(touched, first_day, last_day).items()
            ]
        return EffectReport(first_day, last_day, today, tuple(effect_rows(sums)), control)

    # --- the control group setting ----------------------------------------------------------------

    def control_group(self) -> ControlGroup:
        with self._db.session() as session:
            return read_control_group(session)

    def save_control_group(self, actor: Actor, enabled: bool, percent: int) -> ControlGroup:
        """Turn the control group on or off or change its share (5-10 %). Owner only, once the shop has
        one. The seed is drawn the first time and then kept, so the same customers stay in it."""
        if not 5 <= percent <= 10:
            raise ValueError("The control group is 5 to 10 % of customers.")
        with self._db.session() as session:
            check_actor(session, actor)
            check_owner(session, actor, CHANGE_CONTROL_GROUP)
            current = read_control_group(session)
            chosen = ControlGroup(enabled, percent, current.seed or secrets.token_hex(16))
            old, new = write_setting(session, CONTROL_KEY, asdict(chosen))
            session.add(
                SettingAuditRecord(
                    key=CONTROL_KEY, at=self._clock(), by=actor.name, old_json=old, new_json=new, reason=""
                )
            )
        return chosen


def _value_report(session: Session, snapshot: Snapshot, today: dt.date) -> ValueReport:
    totals = snapshot.totals(session)
    summary = value_summary(totals, snapshot.stages(session), [s.value for s in LoyaltyStage], today)
    revenue = sum(t.spent_cents for t in totals)
    purchases = sum(t.purchases for t in totals)
    return ValueReport(
        today,
        summary,
        revenue,
        round(revenue / purchases) if purchases else None,
        snapshot.scale(session).edges(),
    )


def _everyone(session: Session, snapshot: Snapshot) -> dict[int, list[int]]:
    """Every customer (those without a purchase too) with their purchase day ordinals."""
    found = loading.purchase_ordinals(session, snapshot.days)
    return {cid: found.get(cid, []) for cid in snapshot.stages(session)}


def _check_period(first_day: dt.date, last_day: dt.date) -> None:
    if last_day < first_day:
        raise ValueError(f"The report cannot end ({last_day}) before it starts ({first_day}).")


def _overall_by_month(rows: tuple[ChurnRow, ...] | list[ChurnRow]) -> list[float | None]:
    had: dict[dt.date, int] = {}
    withdrew: dict[dt.date, int] = {}
    for row in rows:
        had[row.month] = had.get(row.month, 0) + row.had_consent
        withdrew[row.month] = withdrew.get(row.month, 0) + row.withdrew
    return [withdrew[m] / had[m] if had[m] else None for m in sorted(had)]
