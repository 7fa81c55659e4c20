"""Decided FCR verdicts kept in ``fcr_verdict``, so a report reads them instead of rebuilding every
ticket's history (issue 20: a year's report at 100,000 customers spent 3.5 s building ~20,000
histories and 1 s judging them, for verdicts that cannot change any more).

A verdict is kept once the ticket is decided (its windows have passed by the report's as_of and by
now): from then on its figures never change (issue 17), except through what it was worked out from
being edited: an owner's correction of the ticket (a new version), a contact or state change added
or moved (even one dated in the past), another ticket of the same customer opened, corrected or
removed (the repeat window). ``inputs`` fingerprints all of that; a kept verdict is used only while
the fingerprint read now is the same, otherwise the ticket is worked out again by the domain.

Only eligible tickets that are not shop-initiated are kept: whether shop-initiated tickets count is a
setting applied to every ticket at report time, and excluded tickets are a handful.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from careapp.db.database import Database, DatabaseError
from careapp.db.models import ContactRecord, FcrVerdictRecord, TicketRecord, TicketStateChangeRecord
from careapp.domain.fcr import FcrResult, WindowsHistory, WindowsInForce

log = logging.getLogger(__name__)

TimeConverter = Callable[[dt.datetime], dt.datetime]

_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1)

# The bits of ``fcr_verdict.flags``.
ONE_TOUCH, GROSS, NET_ELIGIBLE, STRICT, REOPENED, SOLVED_IN_FIRST_CONTACT = (1 << i for i in range(6))


@dataclass(frozen=True)
class PeriodTickets:
    """Every ticket a report needs (the cohort and the possible repeats): its customer, and the
    fingerprint of what its verdict depends on, read before anything else of the report."""

    customer_of: dict[int, int]
    inputs: dict[int, str]

    def needing_histories(self, known: Iterable[int]) -> list[int]:
        """The tickets whose histories the domain still needs: every ticket of a customer who has
        one without a known verdict (a verdict is worked out against the customer's other tickets)."""
        known_ids = set(known)
        customers = {c for t, c in self.customer_of.items() if t not in known_ids}
        return sorted(t for t, c in self.customer_of.items() if c in customers)


def read_period_tickets(session: Session, period_ids: Select[int]) -> PeriodTickets:
    """The tickets of ``period_ids`` (a statement selecting ticket ids) with their fingerprints: the
    period's statement once, then grouped reads by chunks of ids (index seeks)."""
    connection = session.connection()
    tickets = connection.execute(
        select(TicketRecord.id, TicketRecord.customer_id, TicketRecord.version).where(
            TicketRecord.id.in_(period_ids.scalar_subquery())
        )
    ).all()
    ids = sorted(row[0] for row in tickets)
    by_customer = _grouped(
        connection,
        select(
            TicketRecord.customer_id,
            func.count(),
            func.sum(TicketRecord.version),
            func.max(TicketRecord.id),
            func.sum(TicketRecord.id),
        ).group_by(TicketRecord.customer_id),
        TicketRecord.customer_id,
        sorted({row[1] for row in tickets}),
    )
    contacts = _grouped(
        connection, _counts(ContactRecord.ticket_id, ContactRecord.id), ContactRecord.ticket_id, ids
    )
    changes = _grouped(
        connection,
        _counts(TicketStateChangeRecord.ticket_id, TicketStateChangeRecord.id),
        TicketStateChangeRecord.ticket_id,
        ids,
    )
    customer_of: dict[int, int] = {}
    inputs: dict[int, str] = {}
    for ticket_id, customer_id, version in tickets:
        customer_of[ticket_id] = customer_id
        inputs[ticket_id] = (
            f"{version}:{customer_id}:{by_customer.get(customer_id)}:"
            f"{contacts.get(ticket_id)}:{changes.get(ticket_id)}"
        )
    return PeriodTickets(customer_of, inputs)


def _counts(ticket_column: Any, id_column: Any) -> Any:
    """Count and highest id of each ticket's rows: they move when a row is added (even dated in the
    past), removed or moved to another ticket; no row is re-dated or changed in what a verdict reads."""
    return select(ticket_column, func.count(), func.max(id_column)).group_by(ticket_column)


def _grouped(connection: Connection, statement: Any, key: Any, keys: Sequence[int]) -> dict[int, str]:
    """``statement``'s rows for ``keys`` (its first column, sorted), the rest of each row as one text.

    Read over the range of the keys and kept for the keys only: the period's tickets are most of their
    id range, and thousands of bound ids cost more to compile than the extra rows cost to read."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = connection.execute(statement.where(key >= keys[0], key <= keys[-1])).all()
    return {first: ":".join(map(str, rest)) for first, *rest in rows if first in wanted}


def kept_verdicts(
    session: Session,
    period: PeriodTickets,
    windows: WindowsHistory,
    when: TimeConverter,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    as_of_utc: dt.datetime,
) -> dict[int, FcrResult]:
    """The kept verdicts of the period's cohort that still hold at ``as_of_utc``: fingerprint unchanged,
    decided by then, first resolved in ``[start_utc, end_utc)``, judged by windows that ``windows`` (the
    history known at as_of, times converted by ``when``) still has. Times come back through ``when``."""
    entries = {
        (_utc_or_none(e.since), e.reopen_window_days, e.repeat_window_days): e for e in windows.entries
    }
    v = FcrVerdictRecord
    statement = (
        select(
            v.ticket_id,
            v.inputs,
            v.first_resolved_us,
            v.decided_us,
            v.windows_since_us,
            v.reopen_window_days,
            v.repeat_window_days,
            v.staff,
            v.flags,
            v.repeat_ticket_ids,
            v.first_response_us,
            v.resolution_us,
            TicketRecord.category,
        )
        .join(TicketRecord, TicketRecord.id == v.ticket_id)
        .where(
            v.first_resolved_us >= _to_us(start_utc),
            v.first_resolved_us < _to_us(end_utc),
            v.decided_us <= _to_us(as_of_utc),
        )
    )
    found: dict[int, FcrResult] = {}
    inputs, customer_of = period.inputs, period.customer_of
    for row in session.connection().execute(statement).all():
        ticket_id = row[0]
        if inputs.get(ticket_id) != row[1]:
            continue
        since = None if row[4] is None else _from_us(row[4])
        entry = entries.get((since, row[5], row[6]))
        if entry is not None:
            found[ticket_id] = _result(row, customer_of[ticket_id], entry, when)
    return found


def _to_us(utc_naive: dt.datetime) -> int:
    return (utc_naive - _EPOCH) // _ONE_MICROSECOND


def _from_us(microseconds: int) -> dt.datetime:
    return _EPOCH + microseconds * _ONE_MICROSECOND


def _utc_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else _utc(moment)


def _utc(moment: dt.datetime) -> dt.datetime:
    """Naive UTC, as stored, of an aware (local) time."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _result(row: Any, customer_id: int, windows: WindowsInForce, when: TimeConverter) -> FcrResult:
    (ticket_id, _inputs, resolved, decided, _since, _r, _n, staff, flags, repeat_ids, first_response,
     resolution, category) = row  # fmt: skip
    repeats = tuple(int(i) for i in repeat_ids.split(",")) if repeat_ids else ()
    return FcrResult(
        ticket_id=ticket_id,
        customer_id=customer_id,
        category=category,
        staff=staff,
        exclusion=None,
        first_resolved_at=when(_EPOCH + resolved * _ONE_MICROSECOND),
        windows_end=when(_EPOCH + decided * _ONE_MICROSECOND),
        one_touch=bool(flags & ONE_TOUCH),
        gross=bool(flags & GROSS),
        net_eligible=bool(flags & NET_ELIGIBLE),
        strict=bool(flags & STRICT),
        provisional=False,
        reopened_within_window=bool(flags & REOPENED),
        repeat_within_window=bool(repeats),
        repeat_ticket_ids=repeats,
        time_to_first_response=None if first_response is None else first_response * _ONE_MICROSECOND,
        time_to_resolution=resolution * _ONE_MICROSECOND,
        shop_initiated=False,
        set_aside=False,
        solved_in_first_contact=bool(flags & SOLVED_IN_FIRST_CONTACT),
        windows=windows,
    )


def verdicts_to_keep(
    results: Iterable[FcrResult],
    known: Mapping[int, FcrResult],
    inputs: Mapping[int, str],
    now_utc: dt.datetime,
) -> list[dict[str, object]]:
    """Rows for the newly worked-out results that are decided by ``now_utc`` too (a report asked for a
    later as_of than now judges tickets that may still move), eligible and not shop-initiated."""
    rows = []
    for r in results:
        if r.ticket_id in known or r.ticket_id not in inputs or not r.decided or r.shop_initiated:
            continue
        assert r.windows_end is not None
        if _utc(r.windows_end) <= now_utc:
            rows.append(_row(r, inputs[r.ticket_id]))
    return rows


def _flags(r: FcrResult) -> int:
    flags = ONE_TOUCH if r.one_touch else 0
    flags |= GROSS if r.gross else 0
    flags |= NET_ELIGIBLE if r.net_eligible else 0
    flags |= STRICT if r.strict else 0
    flags |= REOPENED if r.reopened_within_window else 0
    return flags | (SOLVED_IN_FIRST_CONTACT if r.solved_in_first_contact else 0)


def _row(r: FcrResult, inputs: str) -> dict[str, object]:
    assert r.first_resolved_at is not None and r.windows_end is not None and r.windows is not None
    assert r.time_to_resolution is not None
    since = r.windows.since
    first_response = r.time_to_first_response
    return {
        "ticket_id": r.ticket_id,
        "inputs": inputs,
        "first_resolved_us": _to_us(_utc(r.first_resolved_at)),
        "decided_us": _to_us(_utc(r.windows_end)),
        "windows_since_us": None if since is None else _to_us(_utc(since)),
        "reopen_window_days": r.windows.reopen_window_days,
        "repeat_window_days": r.windows.repeat_window_days,
        "staff": r.staff,
        "flags": _flags(r),
        "repeat_ticket_ids": ",".join(map(str, r.repeat_ticket_ids)),
        "first_response_us": None if first_response is None else first_response // _ONE_MICROSECOND,
        "resolution_us": r.time_to_resolution // _ONE_MICROSECOND,
    }


_WRITE_BATCH = 2_000


def keep_verdicts(db: Database, rows: Sequence[dict[str, object]]) -> None:
    """Store ``rows`` (replacing any older verdict of the same tickets), in one short transaction.

    Keeping them only saves the next report time: if the database refuses the write (another seat
    storing the same verdicts at the same moment, a read-only file), the report stands and the next
    one tries again."""
    if not rows:
        return
    try:
        # Derived data: keeping it must not wake the window's listeners as a user's change would.
        with db.changes.quietly(), db.session() as session:
            for start in range(0, len(rows), _WRITE_BATCH):
                batch = rows[start : start + _WRITE_BATCH]
                ids = [row["ticket_id"] for row in batch]
                session.execute(delete(FcrVerdictRecord).where(FcrVerdictRecord.ticket_id.in_(ids)))
                session.execute(insert(FcrVerdictRecord), list(batch))
    except (DBAPIError, DatabaseError) as error:
        log.info("FCR verdicts not kept this time: %s", error)


def verdict_count(session: Session) -> int:
    """How many verdicts are kept (for tests and the bench)."""
    return int(session.scalar(select(func.count()).select_from(FcrVerdictRecord)) or 0)
