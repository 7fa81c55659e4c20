"""The change counter: every committed write bumps the counter of each area of data it touched, in the
same transaction, so any seat can tell cheaply whether someone changed something since it last looked.

How a write is noticed (session events on the Database's session factory, so no service has to
remember): ``after_flush`` sees the ORM objects added, changed or deleted; ``do_orm_execute`` sees Core
``insert``/``update``/``delete`` statements run through the session (the demo data, imports, bulk
changes). Just before the outermost transaction commits (``before_commit``) the areas touched are
bumped, in a fixed order, with ``UPDATE change_counter SET value = value + 1``.

Why a bumped row, and bumped last: the row lock makes the values follow commit order (a polled value
never skips a commit that lands later), and taking it at the very end keeps it held for the shortest
time and always after any other row lock, so two seats cannot deadlock on it.

Which bumps were this process's own: after a commit the values it produced are remembered
(:meth:`ChangeTracker.own_values`), so a poller can skip refreshing for its own writes.

Telling this process at once (:meth:`ChangeTracker.add_listener`): after every commit that wrote, each
listener is called with the names of the tables written, on the thread that committed (the database
thread). The window uses it to bring the care queue up to date right after whatever the user just did,
without a timer. Work that only keeps derived data up to date (the touches' refresh and planning)
runs inside :meth:`ChangeTracker.quietly`, so it does not wake the listeners and cannot set off a
refresh of its own.

Threading: the tracker is shared by every session of one Database, on any thread; the small set of
own values and the listeners are guarded by a lock; ``quietly`` is per thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, TextClause, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction, sessionmaker

from careapp.db.models import ChangeCounterRecord

AREAS = ("calendar", "care", "customers", "other", "settings", "tickets")

_TABLE_AREAS = {
    "customers": (
        "customer",
        "customer_email",
        "customer_phone",
        "customer_date",
        "customer_tag",
        "purchase",
        "reward_ledger",
        "consent_event",
        "customer_note",
        "import_batch",
        "import_change",
        "customer_stage_change",
        "feedback",
        "erasure_audit",
    ),
    "tickets": ("contact", "ticket", "ticket_state_change", "ticket_audit", "fcr_verdict"),
    "care": ("touch_rule", "article", "touch", "touch_log", "care_plan_state", "care_dirty", "care_wake"),
    "settings": ("setting", "staff", "setting_audit", "reward_rule"),
    "calendar": ("calendar_item", "caldav_state"),
}
AREA_OF_TABLE = {table: area for area, tables in _TABLE_AREAS.items() for table in tables}
_TOUCHED = "careapp_changed_areas"
_TABLES = "careapp_changed_tables"
_BUMPING = "careapp_bumping"
_OWN_KEPT = 1000  # own values remembered per area; a poller looks far more often than that


def area_of(table_name: str | None) -> str:
    """The area a table belongs to; "other" (meaning: anything may have changed) when unknown."""
    if table_name == ChangeCounterRecord.__tablename__:
        return ""
    return AREA_OF_TABLE.get(table_name or "", "other")


log = logging.getLogger(__name__)
TablesListener = Callable[[frozenset[str]], None]


class ChangeTracker:
    """Bumps the counters for every session made by ``sessions``; remembers the values it produced;
    tells its listeners which tables each commit wrote."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._lock = threading.Lock()
        self._own: dict[str, set[int]] = {area: set() for area in AREAS}
        self._listeners: list[TablesListener] = []
        self._quiet = threading.local()
        event.listen(sessions, "after_flush", self._after_flush)
        event.listen(sessions, "do_orm_execute", self._on_execute)
        event.listen(sessions, "before_commit", self._before_commit)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_transaction_end", self._transaction_ended)

    # --- noticing writes -----------------------------------------------------------------

    @staticmethod
    def _touch(session: Session, areas: Iterable[str], tables: Iterable[str] = ()) -> None:
        touched: set[str] = session.info.setdefault(_TOUCHED, set())
        touched.update(area for area in areas if area)
        session.info.setdefault(_TABLES, set()).update(tables)

    def _after_flush(self, session: Session, _context: UOWTransaction) -> None:
        objects = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
        names = [_table_name(o) or "" for o in objects]
        self._touch(session, (area_of(name) for name in names), names)

    def _on_execute(self, state: ORMExecuteState) -> None:
        session = state.session
        if session.info.get(_BUMPING):
            return
        statement = state.statement
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(statement, "table", None)
            name = table.name if isinstance(table, Table) else None
            self._touch(session, [area_of(name)], [name or "?"])
        elif isinstance(statement, TextClause) and not _reads_only(statement.text):
            self._touch(session, ["other"], ["?"])

    # --- bumping -------------------------------------------------------------------------

    def _before_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint: the outer commit bumps
        session.flush()  # pending ORM changes are noticed now, before the counters are bumped
        areas = sorted(session.info.get(_TOUCHED, ()))
        if not areas:
            return
        session.info[_BUMPING] = True
        try:
            produced = {area: bump(session, area) for area in areas}
        finally:
            session.info[_BUMPING] = False
        session.info["careapp_produced"] = produced

    def _after_commit(self, session: Session) -> None:
        produced: dict[str, int] = session.info.pop("careapp_produced", {})
        session.info.pop(_TOUCHED, None)
        tables = frozenset(session.info.pop(_TABLES, ()))
        with self._lock:
            for area, value in produced.items():
                own = self._own.setdefault(area, set())
                own.add(value)
                if len(own) > _OWN_KEPT:
                    own.difference_update(sorted(own)[: len(own) - _OWN_KEPT])
            listeners = list(self._listeners)
        if produced and tables and not getattr(self._quiet, "on", False):
            for listener in listeners:
                try:
                    listener(tables)
                except Exception:  # a listener's fault must never undo or fail a committed write
                    log.exception("a change listener failed")

    # --- telling listeners ---------------------------------------------------------------

    def add_listener(self, listener: TablesListener) -> None:
        """Call ``listener(tables written)`` after each commit that wrote (on the committing thread)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: TablesListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Commits made on this thread inside the block wake no listener (derived data kept up to date)."""
        before = getattr(self._quiet, "on", False)
        self._quiet.on = True
        try:
            yield
        finally:
            self._quiet.on = before

    @staticmethod
    def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
        # Only the outermost: a savepoint rolled back must not forget what the transaction around it
        # wrote (at worst, a change undone with its savepoint is counted; never one missed).
        if transaction.parent is None and not transaction.nested:
            session.info.pop(_TOUCHED, None)
            session.info.pop(_TABLES, None)
            session.info.pop("careapp_produced", None)

    def own_values(self, area: str) -> frozenset[int]:
        """Counter values of ``area`` that this Database's own commits produced (the latest 1000)."""
        with self._lock:
            return frozenset(self._own.get(area, ()))


def note_written(session: Session, *tables: str) -> None:
    """Count a write made beside the ORM (``session.connection()``, the driver's executemany) as the
    ORM's own are counted: the tables' areas are bumped at commit and the listeners told."""
    ChangeTracker._touch(session, (area_of(table) for table in tables), tables)


def bump(session: Session, area: str) -> int:
    """Raise one area's counter inside the session's transaction; the new value."""
    record = ChangeCounterRecord
    statement = (
        update(record)
        .where(record.area == area)
        .values(value=record.value + 1)
        .execution_options(synchronize_session=False)
    )
    if session.get_bind().dialect.update_returning:  # one round trip (PostgreSQL, SQLite >= 3.35)
        value = session.execute(statement.returning(record.value)).scalar()
    else:
        session.execute(statement)
        value = session.execute(select(record.value).where(record.area == area)).scalar()
    if value is None:  # an area added after the migration seeded the rows
        session.execute(insert(record).values(area=area, value=1))
        return 1
    return int(value)


def read_counters(session: Session) -> dict[str, int]:
    record = ChangeCounterRecord
    return {str(area): int(value) for area, value in session.execute(select(record.area, record.value))}


def _table_name(obj: Any) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return table.name if isinstance(table, Table) else None


def _reads_only(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in {"SELECT", "PRAGMA", "WITH", "SHOW", "EXPLAIN", ""}
