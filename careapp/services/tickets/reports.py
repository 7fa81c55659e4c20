"""Service reports: first-contact resolution (every variant), reopen and repeat rates, response and
resolution times, and the open backlog by age, computed by :mod:`careapp.domain.fcr`.

Tickets are loaded in bulk for a period (a handful of queries whatever the number of tickets): the
cohort (tickets first resolved in the period, as known at ``as_of``) and the other tickets of the same
customers that could count as their repeats. Stored times are naive UTC; reports are made in the
shop's local time (``tz``, by default the computer's zone), so "November" and "from 1 November" mean
the local calendar. The renderers at the end make text, CSV and JSON of a report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import textwrap
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from careapp.db.database import Database
from careapp.db.models import ContactRecord, TicketRecord, TicketStateChangeRecord
from careapp.domain.durations import format_duration
from careapp.domain.fcr import (
    DEFAULT_BACKLOG_BUCKETS,
    DEFINITIONS,
    BacklogBucket,
    FcrReport,
    FcrRow,
    FcrSettings,
    GroupBy,
    Rate,
    WindowsUse,
    day_text,
    fcr_report,
    headline,
    open_backlog_by_age,
    period_label,
    windows_used,
)
from careapp.domain.tickets import ACTIVE_STATES, TicketHistory, TicketState
from careapp.exporting.csv_export import guard_cell
from careapp.services.tickets.fcr_settings import read_fcr_settings, read_windows_history
from careapp.services.tickets.fcr_verdicts import keep_verdicts, read_period, verdicts_to_keep
from careapp.services.tickets.store import TimeConverter, load_histories

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class FcrReportResult:
    """An FCR report for the local days ``first_day`` to ``last_day`` (both included), with the open
    backlog at the same ``as_of``. Times in ``report`` are aware, in the report's time zone."""

    report: FcrReport
    backlog: tuple[BacklogBucket, ...]
    first_day: dt.date
    last_day: dt.date


class ReportService:
    """Reports over tickets. ``tz`` None means the computer's local time zone."""

    def __init__(self, db: Database, clock: Clock, tz: dt.tzinfo | None = None) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz
        self._local = LocalTimes(tz)
        self._histories = HistoryCache()

    def fcr(
        self,
        first_day: dt.date,
        last_day: dt.date,
        group_by: GroupBy = "month",
        as_of: dt.datetime | None = None,
    ) -> FcrReportResult:
        """FCR for tickets first resolved from ``first_day`` to ``last_day`` (local days, both included),
        as known at ``as_of`` (naive UTC; default now)."""
        if last_day < first_day:
            raise ValueError("The report must end on or after the day it starts.")
        as_of_utc = as_of or self._clock()
        start = self._local_midnight(first_day)
        end = self._local_midnight(last_day + dt.timedelta(days=1))
        with self._db.session() as session:
            settings = read_fcr_settings(session)
            windows = read_windows_history(session, self._local)
            # A repeat is looked for within the longest N that was ever in force.
            longest_n = max(e.repeat_window_days for e in windows.entries)
            statement = period_ticket_statement(_utc(start), _utc(end), as_of_utc, settings, longest_n)
            # The fingerprints first: a change committed after them makes the verdict kept below
            # look stale next time, never a stale verdict look current.
            as_of_local = self._local(as_of_utc)
            known_windows = windows.known_at(as_of_local)
            to_local = self._local.of_microseconds
            read = read_period(session, statement, known_windows, to_local, _utc(start), _utc(end), as_of_utc)
            period, known = read.period, read.known
            histories = self._histories.load(session, period.needing_histories(known), self._local)
            backlog_histories = load_open_at(session, as_of_utc)
        report = fcr_report(
            histories, settings, start, end, as_of_local, group_by, windows, known=known.values()
        )
        keep_verdicts(self._db, verdicts_to_keep(report.results, known, period.inputs, self._clock()))
        backlog = open_backlog_by_age(backlog_histories, as_of_utc)
        return FcrReportResult(report, backlog, first_day, last_day)

    def backlog(
        self, as_of: dt.datetime | None = None, buckets: Sequence[int] = DEFAULT_BACKLOG_BUCKETS
    ) -> tuple[BacklogBucket, ...]:
        """Open tickets at ``as_of`` (naive UTC; default now) by age."""
        as_of_utc = as_of or self._clock()
        with self._db.session() as session:
            histories = load_open_at(session, as_of_utc)
        return open_backlog_by_age(histories, as_of_utc, buckets)

    # --- time zones ------------------------------------------------------------------------------

    def _local_midnight(self, day: dt.date) -> dt.datetime:
        midnight = dt.datetime.combine(day, dt.time())
        return midnight.astimezone() if self._tz is None else midnight.replace(tzinfo=self._tz)


_EPOCH = dt.datetime(1970, 1, 1)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_ONE_HOUR = dt.timedelta(hours=1)
_HOUR_US = _ONE_HOUR // _ONE_MICROSECOND


class LocalTimes:
    """Naive UTC -> aware local time in ``tz`` (None: the computer's zone), as ``astimezone`` gives it.

    A year's report converts about 100,000 stored times; asking the zone each time is most of the cost.
    The zone's answer is kept per UTC hour, and only for an hour that starts and ends with the same
    offset and fold (so never across a daylight-saving change, which is computed exactly).
    """

    def __init__(self, tz: dt.tzinfo | None) -> None:
        self._tz = tz
        self._hours: dict[tuple[int, int, int, int], tuple[dt.timedelta, dt.tzinfo | None, int] | None] = {}
        self._hour_starts: dict[int, dt.datetime | None] = {}

    def __call__(self, utc_naive: dt.datetime) -> dt.datetime:
        # The hour as a tuple: five times cheaper than replace(minute=0, ...) for the key (a first
        # report converts 100,000 times); the hour's datetime is made only when it is new.
        key = (utc_naive.year, utc_naive.month, utc_naive.day, utc_naive.hour)
        try:
            known = self._hours[key]
        except KeyError:
            hour = utc_naive.replace(minute=0, second=0, microsecond=0)
            known = self._hours[key] = self._steady(hour)
        if known is None:
            return self._exact(utc_naive)
        offset, tzinfo, fold = known
        return (utc_naive + offset).replace(tzinfo=tzinfo, fold=fold)

    def of_microseconds(self, microseconds: int) -> dt.datetime:
        """``self(1970-01-01 + microseconds)``, for times stored as whole microseconds since 1970 (UTC):
        the local start of the hour is kept, and the rest of the hour added to it (a report that reads
        20,000 kept verdicts converts 40,000 such times; 0.11 s through ``__call__``, 0.03 s making
        each from 1970 with its offset). Adding keeps the zone and wall time, and makes fold 0: an
        hour whose fold is 1 (the repeated hour of a daylight-saving change) is made the long way."""
        hour, rest = divmod(microseconds, _HOUR_US)
        try:
            start = self._hour_starts[hour]
        except KeyError:
            start = self._hour_starts[hour] = self._steady_start(hour)
        if start is None:
            return self(_EPOCH + microseconds * _ONE_MICROSECOND)
        return start + dt.timedelta(0, 0, rest)

    def _steady_start(self, hour: int) -> dt.datetime | None:
        """The local start of a steady hour with fold 0, else None."""
        utc_start = _EPOCH + hour * _ONE_HOUR
        steady = self._steady(utc_start)
        if steady is None or steady[2] != 0:
            return None
        offset, tzinfo, _fold = steady
        return (utc_start + offset).replace(tzinfo=tzinfo)

    def _exact(self, utc_naive: dt.datetime) -> dt.datetime:
        return utc_naive.replace(tzinfo=dt.UTC).astimezone(self._tz)

    def _steady(self, hour: dt.datetime) -> tuple[dt.timedelta, dt.tzinfo | None, int] | None:
        first = self._exact(hour)
        last = self._exact(hour + dt.timedelta(hours=1, microseconds=-1))
        offset = first.utcoffset()
        same = (offset, first.tzinfo, first.fold) == (last.utcoffset(), last.tzinfo, last.fold)
        if offset is None or not same or first.tzname() != last.tzname():
            return None
        return offset, first.tzinfo, first.fold


def _utc(aware: dt.datetime) -> dt.datetime:
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


# --- bulk loading ----------------------------------------------------------------------------------


def period_ticket_ids(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    settings: FcrSettings,
    repeat_window_days: int | None = None,
) -> list[int]:
    """Every ticket an FCR report for ``[start, end)`` at ``as_of`` needs (naive UTC arguments).

    The cohort: tickets whose first resolution known at ``as_of`` is in the period. Their repeats:
    the other tickets of the same customers opened from ``start`` to ``end`` plus the repeat window
    (a repeat is opened within N days after a first resolution in the period). ``repeat_window_days``
    is the longest N to look within (default: that of ``settings``).
    """
    statement = period_ticket_statement(start, end, as_of, settings, repeat_window_days)
    return list(session.connection().execute(statement).scalars())


def period_ticket_statement(
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    settings: FcrSettings,
    repeat_window_days: int | None = None,
) -> Select[int]:
    """The statement selecting :func:`period_ticket_ids`."""
    repeat_days = settings.repeat_window_days if repeat_window_days is None else repeat_window_days
    resolved = TicketStateChangeRecord
    earlier = aliased(TicketStateChangeRecord)
    resolved_before = exists().where(
        earlier.ticket_id == resolved.ticket_id,
        earlier.new == TicketState.RESOLVED.value,
        earlier.at < start,
    )
    cohort = (
        select(resolved.ticket_id)
        .where(
            resolved.new == TicketState.RESOLVED.value,
            resolved.at >= start,
            resolved.at < end,
            resolved.at <= as_of,
            ~resolved_before,
        )
        .distinct()
    )
    customers = select(TicketRecord.customer_id).where(TicketRecord.id.in_(cohort)).distinct()
    return select(TicketRecord.id).where(
        or_(
            TicketRecord.id.in_(cohort),
            and_(
                TicketRecord.customer_id.in_(customers),
                TicketRecord.opened_at >= start,
                TicketRecord.opened_at <= end + dt.timedelta(days=repeat_days),
            ),
        )
    )


def load_period(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    settings: FcrSettings,
    when: TimeConverter,
) -> list[TicketHistory]:
    """The histories of :func:`period_ticket_ids`, their times through ``when`` (e.g. to local time)."""
    ids = period_ticket_ids(session, start, end, as_of, settings)
    return list(load_histories(session, ids, when).values())


class HistoryCache:
    """Ticket histories kept between reports while no ticket changed (looking at a report by month, then
    by staff, then another period loads nothing twice).

    Whether anything changed is asked of the database on every use, so other seats' changes count too:
    tickets, their contacts and their state changes are only ever added, edited with a new ticket
    version, or deleted, and each of those moves the stamp (counts, highest ids, sum of versions).
    Safe to use from several threads; the histories are immutable.
    """

    MAX_KEPT = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[object, ...] | None = None
        self._kept: dict[int, TicketHistory] = {}

    def load(self, session: Session, ids: Sequence[int], when: TimeConverter) -> list[TicketHistory]:
        stamp = _tickets_stamp(session)
        with self._lock:
            if stamp != self._stamp or len(self._kept) > self.MAX_KEPT:
                self._kept, self._stamp = {}, stamp
            kept = self._kept
        missing = [i for i in ids if i not in kept]
        loaded = load_histories(session, missing, when)
        with self._lock:
            if self._stamp == stamp:
                self._kept.update(loaded)
        # In id order, as load_histories gives them: the report lists ticket ids in that order.
        return [history for i in sorted(set(ids)) if (history := kept.get(i) or loaded.get(i)) is not None]


def _tickets_stamp(session: Session) -> tuple[object, ...]:
    """Changes whenever any ticket's history could have changed (see :class:`HistoryCache`)."""
    tickets = select(
        func.count().label("n"),
        func.max(TicketRecord.id).label("top"),
        func.sum(TicketRecord.version).label("v"),
    ).subquery()
    contacts = (
        select(
            func.count().label("n"),
            func.max(ContactRecord.id).label("top"),
            func.sum(ContactRecord.ticket_id).label("t"),
        )
        .where(ContactRecord.ticket_id.is_not(None))
        .subquery()
    )
    changes = select(func.count().label("n"), func.max(TicketStateChangeRecord.id).label("top")).subquery()
    # One row each: joined on true, not a cartesian product by accident.
    statement = select(tickets, contacts, changes).select_from(
        tickets.join(contacts, true()).join(changes, true())
    )
    return tuple(session.connection().execute(statement).one())


def load_open_at(session: Session, as_of: dt.datetime) -> list[TicketHistory]:
    """Tickets that may be open at ``as_of``: opened by then, not excluded, and active now or changed
    after ``as_of`` (the domain then decides from their state at ``as_of``)."""
    changed_later = exists().where(
        TicketStateChangeRecord.ticket_id == TicketRecord.id, TicketStateChangeRecord.at > as_of
    )
    candidates = select(TicketRecord.id).where(
        TicketRecord.opened_at <= as_of,
        TicketRecord.exclusion.is_(None),
        or_(TicketRecord.state.in_([s.value for s in ACTIVE_STATES]), changed_later),
    )
    return list(load_histories(session, session.scalars(candidates)).values())


# --- rendering ---------------------------------------------------------------------------------------

# Short column names of the text report -> the domain's definition they stand for.
COLUMN_DEFINITIONS = (
    ("Tickets", "Tickets"),
    ("Excl.", "Excluded"),
    ("Shop", "Shop-initiated"),
    ("Open", "Still open"),
    ("One-touch", "One-touch"),
    ("Gross", "Gross"),
    ("Net", "Net"),
    ("Strict", "Strict"),
    ("Reopen", "Reopen"),
    ("Repeat", "Repeat"),
    ("1st resp.", "First response"),
    ("Resolution", "Resolution"),
)


def definitions(settings: FcrSettings) -> tuple[tuple[str, str], ...]:
    """The domain's definitions, word for word, with this report's R and N put in."""
    return tuple(
        (
            name,
            meaning.replace("R days", f"R = {settings.reopen_window_days} days").replace(
                "N days", f"N = {settings.repeat_window_days} days"
            ),
        )
        for name, meaning in DEFINITIONS
    )


def report_headline(result: FcrReportResult) -> str:
    """The owner's sentence for the whole report (see :func:`careapp.domain.fcr.headline`)."""
    report = result.report
    label = period_label(result.first_day, result.last_day, report.as_of.date())
    return headline(report.total, report.settings, label)


def windows_text(settings: FcrSettings, uses: Sequence[WindowsUse] = ()) -> str:
    """The windows of a report: those in force at its as_of, and any earlier ones that judged tickets
    decided before a change (see :func:`careapp.domain.fcr.windows_used`)."""
    shop = "counted" if settings.include_shop_initiated else "left out"
    return f"Windows: {windows_applied(settings, uses)}; shop-initiated tickets {shop}."


def windows_applied(settings: FcrSettings, uses: Sequence[WindowsUse] = ()) -> str:
    """ "reopen R = 7 days, repeat N = 7 days (R = 14 days, N = 14 days for the 3 tickets decided
    before 3 March 2026 09:00)": R and N in force at the report's as_of, then any earlier ones."""
    earlier = [use for use in uses if not use.current]
    applied = f" ({'; '.join(_earlier_windows(use) for use in earlier)})" if earlier else ""
    return (
        f"reopen R = {settings.reopen_window_days} days, repeat N = {settings.repeat_window_days} "
        f"days{applied}"
    )


def _earlier_windows(use: WindowsUse) -> str:
    tickets = "the ticket" if use.tickets == 1 else f"the {use.tickets} tickets"
    assert use.decided_before is not None
    until = _moment(use.decided_before)
    when = f"before {until}" if use.decided_from is None else f"from {_moment(use.decided_from)} to {until}"
    return (
        f"R = {use.reopen_window_days} days, N = {use.repeat_window_days} days for {tickets} decided {when}"
    )


def _moment(when: dt.datetime) -> str:
    """ "3 March 2026 14:05": a change of the windows is at a moment, not on a day."""
    return f"{day_text(when.date())} {when:%H:%M}"


def report_windows_text(result: FcrReportResult, row: FcrRow | None = None) -> str:
    """:func:`windows_text` for the whole report, or for the tickets of one row."""
    report = result.report
    return windows_text(report.settings, _windows_of(report, row))


def _windows_of(report: FcrReport, row: FcrRow | None) -> tuple[WindowsUse, ...]:
    if row is None:
        return windows_used(report)
    ids = set(row.ticket_ids)
    return windows_used(report, [r for r in report.results if r.ticket_id in ids])


_RATES = (
    ("One-touch", "one_touch"),
    ("Gross", "gross"),
    ("Net", "net"),
    ("Strict", "strict"),
    ("Reopen", "reopen"),
    ("Repeat", "repeat"),
)


def _rate_text(rate: Rate) -> str:
    if rate.value is None:
        return f"{rate.numerator}/{rate.denominator} -"
    return f"{rate.numerator}/{rate.denominator} {float(rate.value):.0%}"


def _text_cells(row: FcrRow) -> list[str]:
    return [
        row.key,
        str(row.cohort),
        str(row.excluded),
        str(row.shop_initiated),
        str(row.provisional),
        *(_rate_text(getattr(row, name)) for _, name in _RATES),
        format_duration(row.median_time_to_first_response),
        f"{format_duration(row.median_time_to_resolution)} / {format_duration(row.p90_time_to_resolution)}",
    ]


def _title(result: FcrReportResult) -> list[str]:
    report = result.report
    return [
        f"First-contact resolution by {report.group_by}, {result.first_day} to {result.last_day}, "
        f"as of {report.as_of:%Y-%m-%d %H:%M} (UTC{report.as_of:%z})",
        report_windows_text(result),
        "",
        report_headline(result),
    ]


def render_text(result: FcrReportResult) -> str:
    """The headline, a readable table, the open backlog, and the definitions below them."""
    header = ["Group", *(short for short, _ in COLUMN_DEFINITIONS)]
    table = [header, *(_text_cells(row) for row in result.report.rows), _text_cells(result.report.total)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join(
            [first, *(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))]
        )

    lines = [*_title(result), "", line(header)]
    lines += [line(cells) for cells in table[1:-1]]
    lines += ["-" * len(line(header)), line(table[-1]), ""]
    backlog = ", ".join(f"{bucket.label}: {bucket.count}" for bucket in result.backlog)
    lines += [f"Open tickets by age: {backlog}", ""]
    lines += [
        "Columns: " + ", ".join(f"{short} = {name}" for short, name in COLUMN_DEFINITIONS if short != name)
    ]
    lines += ["1st resp. is a median; Resolution is median / 90th percentile.", "", "Definitions:"]
    for name, meaning in definitions(result.report.settings):
        lines += textwrap.wrap(f"{name}: {meaning}", 100, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "Group",
    "Tickets",
    "Excluded",
    "Shop-initiated",
    "Eligible",
    "Not resolvable at first contact",
    "Provisional",
    "Decided",
    *(f"{label} {part}" for label, _ in _RATES for part in ("count", "of", "%")),
    "Median first response (minutes)",
    "Median resolution (minutes)",
    "90th percentile resolution (minutes)",
    "Reopen window R (days)",
    "Repeat window N (days)",
    "Shop-initiated counted",
    "Windows applied",
)


def _minutes(value: dt.timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def _csv_cells(row: FcrRow, result: FcrReportResult) -> list[str]:
    settings = result.report.settings
    cells = [
        row.key,
        *map(str, (row.cohort, row.excluded, row.shop_initiated, row.eligible, row.not_resolvable)),
    ]
    cells += [str(row.provisional), str(row.decided)]
    for _, name in _RATES:
        rate: Rate = getattr(row, name)
        percent = "" if rate.value is None else f"{float(rate.value) * 100:.1f}"
        cells += [str(rate.numerator), str(rate.denominator), percent]
    cells += [_minutes(row.median_time_to_first_response), _minutes(row.median_time_to_resolution)]
    cells += [_minutes(row.p90_time_to_resolution)]
    # Every row says which windows made it, so a sheet pasted elsewhere still says so: R and N in
    # force at the report's as_of, and in words any earlier ones that judged tickets of the row.
    cells += [str(settings.reopen_window_days), str(settings.repeat_window_days)]
    applied = windows_applied(settings, _windows_of(result.report, row))
    return [*cells, "yes" if settings.include_shop_initiated else "no", applied]


def render_csv(result: FcrReportResult) -> str:
    """One row per group and a "total" row; cells that a spreadsheet would run as formulas are quoted
    with an apostrophe (a staff member or category named "=..."), as in the customer export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in (*result.report.rows, result.report.total):
        writer.writerow([guard_cell(cell) for cell in _csv_cells(row, result)])
    return buffer.getvalue()


def _rate_json(rate: Rate) -> dict[str, object]:
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "rate": None if rate.value is None else round(float(rate.value), 4),
    }


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _row_json(row: FcrRow) -> dict[str, object]:
    return {
        "key": row.key,
        "cohort": row.cohort,
        "excluded": row.excluded,
        "excluded_by": {str(reason): count for reason, count in sorted(row.excluded_by.items())},
        "shop_initiated": row.shop_initiated,
        "eligible": row.eligible,
        "not_resolvable": row.not_resolvable,
        "provisional": row.provisional,
        "decided": row.decided,
        **{name: _rate_json(getattr(row, name)) for _, name in _RATES},
        "median_time_to_first_response_seconds": _seconds(row.median_time_to_first_response),
        "median_time_to_resolution_seconds": _seconds(row.median_time_to_resolution),
        "p90_time_to_resolution_seconds": _seconds(row.p90_time_to_resolution),
        "ticket_ids": list(row.ticket_ids),
    }


def report_json(result: FcrReportResult) -> dict[str, object]:
    report = result.report
    return {
        "from": result.first_day.isoformat(),
        "to": result.last_day.isoformat(),
        "as_of": report.as_of.isoformat(),
        "group_by": report.group_by,
        "reopen_window_days": report.settings.reopen_window_days,
        "repeat_window_days": report.settings.repeat_window_days,
        "include_shop_initiated": report.settings.include_shop_initiated,
        "windows_applied": windows_applied(report.settings, windows_used(report)),
        "windows_used": [_use_json(use) for use in windows_used(report)],
        "headline": report_headline(result),
        "rows": [_row_json(row) for row in report.rows],
        "total": _row_json(report.total),
        "backlog": backlog_json(result.backlog),
        "definitions": dict(definitions(report.settings)),
    }


def _use_json(use: WindowsUse) -> dict[str, object]:
    return {
        "reopen_window_days": use.reopen_window_days,
        "repeat_window_days": use.repeat_window_days,
        "decided_from": None if use.decided_from is None else use.decided_from.isoformat(),
        "decided_before": None if use.decided_before is None else use.decided_before.isoformat(),
        "tickets": use.tickets,
    }


def backlog_json(buckets: Iterable[BacklogBucket]) -> list[dict[str, object]]:
    return [
        {
            "label": b.label,
            "min_days": b.min_days,
            "max_days": b.max_days,
            "count": b.count,
            "ticket_ids": list(b.ticket_ids),
        }
        for b in buckets
    ]
