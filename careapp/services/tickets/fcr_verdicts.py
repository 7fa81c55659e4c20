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

from sqlalchemy import Select, String, and_, case, cast, delete, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from careapp.db.database import Database, DatabaseError
from careapp.db.models import Base, ContactRecord, FcrVerdictRecord, TicketRecord, TicketStateChangeRecord
from careapp.domain.fcr import FcrResult, WindowsHistory, WindowsInForce

log = logging.getLogger(__name__)

# Whole microseconds since 1970-01-01 UTC, as stored -> the report's local (aware) time.
MicrosecondsToLocal = Callable[[int], dt.datetime]

_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.UTC)

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


def _text(value: Any) -> Any:
    return cast(value, String)


def _count_and_top(ticket_column: Any, id_column: Any, ticket_id: Any) -> Any:
    """ "count:highest id" of a ticket's rows ("None" without any): they move when a row is added (even
    dated in the past), removed or moved to another ticket; no row is re-dated or changed in what a
    verdict reads."""
    count = func.count()
    return (
        select(case((count == 0, "None"), else_=_joined(count, func.max(id_column))))
        .where(ticket_column == ticket_id)
        .scalar_subquery()
    )


def fingerprint(ticket: Any) -> Any:
    """What the verdict of ``ticket`` (the ticket table, or an alias of it) is worked out from, as one
    text the database makes: the ticket's version and customer, the customer's tickets (count, sum
    of versions, highest id, sum of ids), and the count and highest id of its contacts and of its
    state changes. Worked out in SQL, index seeks per ticket: made in Python from grouped reads, the
    fingerprints were half of a report that reads kept verdicts (0.27 s of 0.8 at 100,000 customers).
    Kept verdicts store this very text, so a stored one matches exactly when nothing moved."""
    other = aliased(TicketRecord)
    customer = (
        select(_joined(func.count(), func.sum(other.version), func.max(other.id), func.sum(other.id)))
        .where(other.customer_id == ticket.customer_id)
        .scalar_subquery()
    )
    contacts = _count_and_top(ContactRecord.ticket_id, ContactRecord.id, ticket.id)
    changes = _count_and_top(TicketStateChangeRecord.ticket_id, TicketStateChangeRecord.id, ticket.id)
    return _joined(ticket.version, ticket.customer_id) + ":" + customer + ":" + contacts + ":" + changes


def _joined(*values: Any) -> Any:
    """The values as text, with ":" between them (as ":".join(map(str, values)) would write them)."""
    text = _text(values[0])
    for value in values[1:]:
        text = text + ":" + _text(value)
    return text


@dataclass(frozen=True)
class PeriodRead:
    """The period's tickets with their fingerprints, and the kept verdicts that still hold."""

    period: PeriodTickets
    known: dict[int, FcrResult]


def read_period(
    session: Session,
    period_ids: Select[int],
    windows: WindowsHistory,
    local_us: MicrosecondsToLocal,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    as_of_utc: dt.datetime,
) -> PeriodRead:
    """The tickets of ``period_ids`` (a statement selecting ticket ids) with their fingerprints, and,
    in the same statement, the kept verdict of each that still holds at ``as_of_utc``: fingerprint
    unchanged, decided by then, first resolved in ``[start_utc, end_utc)``, judged by windows that
    ``windows`` (the history known at as_of) still has. ``local_us`` turns stored microseconds
    since 1970 (UTC) into the report's local times."""
    t, v = TicketRecord, FcrVerdictRecord
    kept_in_period = and_(
        v.ticket_id == t.id,
        v.first_resolved_us >= _to_us(start_utc),
        v.first_resolved_us < _to_us(end_utc),
        v.decided_us <= _to_us(as_of_utc),
    )
    statement = (
        select(t.id, t.customer_id, t.category, fingerprint(t), *_VERDICT_COLUMNS)
        .outerjoin(v, kept_in_period)
        .where(t.id.in_(period_ids.scalar_subquery()))
    )
    entries = {
        (None if e.since is None else _to_us(_utc(e.since)), e.reopen_window_days, e.repeat_window_days): e
        for e in windows.entries
    }
    customer_of: dict[int, int] = {}
    inputs: dict[int, str] = {}
    known: dict[int, FcrResult] = {}
    for row in session.connection().execute(statement):
        ticket_id, customer_id, _category, printed, kept_inputs = row[:5]
        customer_of[ticket_id] = customer_id
        inputs[ticket_id] = printed
        if kept_inputs != printed:  # none kept in the period (None), or its inputs moved since
            continue
        entry = entries.get((row[7], row[8], row[9]))
        if entry is not None:
            known[ticket_id] = _result(row, entry, local_us)
    return PeriodRead(PeriodTickets(customer_of, inputs), known)


_VERDICT_COLUMNS = (
    FcrVerdictRecord.inputs,
    FcrVerdictRecord.first_resolved_us,
    FcrVerdictRecord.decided_us,
    FcrVerdictRecord.windows_since_us,
    FcrVerdictRecord.reopen_window_days,
    FcrVerdictRecord.repeat_window_days,
    FcrVerdictRecord.staff,
    FcrVerdictRecord.flags,
    FcrVerdictRecord.repeat_ticket_ids,
    FcrVerdictRecord.first_response_us,
    FcrVerdictRecord.resolution_us,
)


def _to_us(utc_naive: dt.datetime) -> int:
    return (utc_naive - _EPOCH) // _ONE_MICROSECOND


def _us_of(aware: dt.datetime) -> int:
    """``_to_us(_utc(aware))`` in one subtraction (aware minus aware counts in UTC): a first report
    stores 20,000 verdicts, three times each."""
    return (aware - _EPOCH_UTC) // _ONE_MICROSECOND


def _utc(moment: dt.datetime) -> dt.datetime:
    """Naive UTC, as stored, of an aware (local) time."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _result(row: Any, windows: WindowsInForce, local_us: MicrosecondsToLocal) -> FcrResult:
    (ticket_id, customer_id, category, _printed, _inputs, resolved, decided, _since, _r, _n, staff, flags,
     repeat_ids, first_response, resolution) = row  # fmt: skip
    repeats = tuple(int(i) for i in repeat_ids.split(",")) if repeat_ids else ()
    return FcrResult.of_fields(
        {
            "ticket_id": ticket_id,
            "customer_id": customer_id,
            "category": category,
            "staff": staff,
            "exclusion": None,
            "first_resolved_at": local_us(resolved),
            "windows_end": local_us(decided),
            "one_touch": bool(flags & ONE_TOUCH),
            "gross": bool(flags & GROSS),
            "net_eligible": bool(flags & NET_ELIGIBLE),
            "strict": bool(flags & STRICT),
            "provisional": False,
            "reopened_within_window": bool(flags & REOPENED),
            "repeat_within_window": bool(repeats),
            "repeat_ticket_ids": repeats,
            "time_to_first_response": None if first_response is None else first_response * _ONE_MICROSECOND,
            "time_to_resolution": resolution * _ONE_MICROSECOND,
            "shop_initiated": False,
            "set_aside": False,
            "solved_in_first_contact": bool(flags & SOLVED_IN_FIRST_CONTACT),
            "windows": windows,
        }
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
        "first_resolved_us": _us_of(r.first_resolved_at),
        "decided_us": _us_of(r.windows_end),
        "windows_since_us": None if since is None else _us_of(since),
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
        # The Core table, not the mapped class: the ORM's bulk INSERT made one statement per dozen rows
        # (1,425 for 18,700 verdicts, 0.96 s of a first report), Core makes one executemany a batch.
        # Through the session all the same, so the change counter sees the write.
        table = Base.metadata.tables[FcrVerdictRecord.__tablename__]
        with db.changes.quietly(), db.session() as session:
            for start in range(0, len(rows), _WRITE_BATCH):
                batch = rows[start : start + _WRITE_BATCH]
                ids = [row["ticket_id"] for row in batch]
                session.execute(delete(table).where(table.c.ticket_id.in_(ids)))
                session.execute(insert(table), list(batch))
    except (DBAPIError, DatabaseError) as error:
        log.info("FCR verdicts not kept this time: %s", error)


def verdict_count(session: Session) -> int:
    """How many verdicts are kept (for tests and the bench)."""
    return int(session.scalar(select(func.count()).select_from(FcrVerdictRecord)) or 0)
