"""The service-level figures on PostgreSQL (``python -m bench --database-url postgresql+psycopg://...``):
search-as-you-type, the FCR report and the care queue through careapp's services on that server,
against the very same SQL statements replayed with bare psycopg on the same server in the same run.

The statements are caught as the service sends them (SQLAlchemy's ``before_cursor_execute``), so the
baseline is exactly the database's share of the work: what is above it is careapp's (SQLAlchemy, the
mapping, the domain). The database is filled once with ``careapp demo`` (same size and seed as the
SQLite one) and the care queue's first refresh, and reused while it holds that many customers.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.common import Figure, below, median_time, percentile
from bench.search import PAGE, REPEATS, keystrokes


def fill(url: str, size, log: Callable[[str], None]) -> None:
    """The demo data on the server at ``url``, made now unless it already holds that many customers."""
    import psycopg

    with psycopg.connect(_plain(url)) as connection:
        exists = connection.execute("SELECT to_regclass('customer') IS NOT NULL").fetchone()[0]
        count = connection.execute("SELECT count(*) FROM customer").fetchone()[0] if exists else 0
    if count == size.customers:
        return
    if count:
        raise RuntimeError(
            f"{_plain(url)} holds {count} customers, not {size.customers}: give an empty database"
        )
    log(f"  filling PostgreSQL with {size.customers:,} demo customers (once)")
    start = time.perf_counter()
    env = {**os.environ, "CAREAPP_DATABASE_URL": url}
    scratch = tempfile.mkdtemp(prefix="careapp-bench-pg-")
    demo = ["demo", "--customers", str(size.customers), "--seed", str(size.seed)]
    demo += ["--tickets", str(size.tickets), "--history", str(size.history)]
    subprocess.run([sys.executable, "-m", "careapp", "--data-dir", scratch, *demo], env=env, check=True)
    services = services_on(url)
    try:
        services.touches.refresh()
    finally:
        services.close()
    log(f"  filled in {time.perf_counter() - start:.0f} s")


def services_on(url: str):
    from careapp.config import resolve_paths
    from careapp.context import build_services

    folder = tempfile.mkdtemp(prefix="careapp-bench-pg-")
    return build_services(resolve_paths(folder, {"CAREAPP_DATABASE_URL": url}))


def _plain(url: str) -> str:
    """The URL psycopg takes (without SQLAlchemy's driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Recorder:
    """The statements (with their parameters) the services send, caught on their engine."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._caught)

    def _caught(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if self.on and not executemany:
            self.statements.append((statement, parameters))

    def catch(self, call: Callable[[], Any]) -> list[tuple[str, Any]]:
        self.statements, self.on = [], True
        try:
            call()
        finally:
            self.on = False
        return self.statements


def _replay(connection, statements: list[tuple[str, Any]]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
    connection.rollback()
    return time.perf_counter() - start


def measure(url: str, customers: int, log: Callable[[str], None]) -> list[Figure]:
    import psycopg

    from careapp.services.care.queue import PAGE as QUEUE_PAGE
    from careapp.services.customers.service import SortColumn

    services = services_on(url)
    recorder = Recorder(services.db.engine)
    bare = psycopg.connect(_plain(url))
    try:
        typed = keystrokes()
        served, replayed = [], []

        def keystroke(query: str) -> Callable[[], Any]:
            return lambda: services.customers.search_page(query, SortColumn.NAME, False, PAGE)

        for _ in range(REPEATS):
            for query in typed:
                start = time.perf_counter()
                statements = recorder.catch(keystroke(query))
                served.append(time.perf_counter() - start)
                replayed.append(_replay(bare, statements))
        today = dt.date.today()
        first = today - dt.timedelta(days=364)
        fcr_call = lambda: services.reports.fcr(first, today, "month")  # noqa: E731
        fcr_cold = timed_once(fcr_call)
        fcr_statements = recorder.catch(fcr_call)
        fcr_warm = median_time(fcr_call, 3)
        fcr_bare = min(_replay(bare, fcr_statements) for _ in range(3))
        queue_call = lambda: services.care_queue.queue(page=QUEUE_PAGE, plan_all=False)  # noqa: E731
        queue_statements = recorder.catch(queue_call)
        queue_time = median_time(queue_call, 3)
        queue_bare = min(_replay(bare, queue_statements) for _ in range(3))
    finally:
        bare.close()
        services.close()
    p95, bare95 = percentile(served, 0.95), percentile(replayed, 0.95)
    log(
        f"  PostgreSQL: keystroke p95 {p95 * 1000:.1f} ms (bare psycopg {bare95 * 1000:.1f} ms); "
        f"FCR {fcr_warm:.2f} s (first {fcr_cold:.2f} s, bare {fcr_bare:.2f} s); queue {queue_time:.2f} s"
    )
    keystroke_p95 = below(
        f"PostgreSQL, {customers:,} customers: search keystroke p95",
        p95,
        0.060,
        baseline=bare95,
        baseline_name="the same statements, bare psycopg, p95",
        note=f"{len(typed)} keystrokes x {REPEATS}",
    )
    keystroke_p95.target = "<= 60 ms and <= 1.5x baseline"
    keystroke_p95.passed = p95 <= 0.060 and p95 <= 1.5 * bare95
    return [
        Figure(
            f"PostgreSQL, {customers:,} customers: search keystroke p50",
            percentile(served, 0.5),
            baseline=percentile(replayed, 0.5),
            baseline_name="the same statements, bare psycopg, p50",
        ),
        keystroke_p95,
        below(
            f"PostgreSQL, {customers:,} customers: FCR report, one year",
            fcr_warm,
            0.5,
            baseline=fcr_bare,
            baseline_name="the same statements, bare psycopg",
            note=f"first call {fcr_cold:.2f} s",
        ),
        Figure(
            f"PostgreSQL, {customers:,} customers: FCR report, one year, first call",
            fcr_cold,
            baseline=fcr_bare,
            baseline_name="the same statements, bare psycopg",
        ),
        below(
            f"PostgreSQL, {customers:,} customers: care queue, first page of each section",
            queue_time,
            0.3,
            baseline=queue_bare,
            baseline_name="the same statements, bare psycopg",
        ),
    ]


def timed_once(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start
