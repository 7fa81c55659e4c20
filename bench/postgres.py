"""The service-level figures on PostgreSQL (``python -m bench --database-url postgresql+psycopg://...``):
the same benchmarks as on SQLite (bench/fcr.py, search.py, care.py, value.py, importing.py, calendar.py's
.ics export), on scratch databases of that server, each against a baseline measured on the same server
in the same run (bench/bare.py: the very statements the service sent replayed with bare psycopg where the
figure is a read, otherwise the SQLite figure's own baseline run there).

The database the URL names is filled once with ``careapp demo`` (same size and seed as the SQLite one)
and the care queue's first refresh, brought to the current schema (and refresh version) at every run,
and then only read: every benchmark gets a copy (``CREATE DATABASE ... TEMPLATE``), or an empty database
(the import) or one filled with the calendar demo (the .ics export), all dropped when it is done. So
the URL's user must be allowed to create databases, and nothing else may be connected to the named
database while the copies are made.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.bare import plain_url
from bench.dataset import DemoSize, refresh_is_current
from bench.places import built_services


class PostgresPlace:
    """Scratch databases on the server of ``url``, copied from the demo database ``url`` names."""

    def __init__(self, url: str, size: DemoSize, calendar_items: int, log: Callable[[str], None]) -> None:
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        if self.url.get_backend_name() != "postgresql" or not self.url.database:
            raise ValueError(f"--database-url must name a PostgreSQL database, not {url}")
        self.size = size
        self.calendar_items = calendar_items
        self.log = log
        self.label = f"PostgreSQL, {size.customers:,} customers: "
        self._ready = False
        self._databases: list[str] = []
        self._folders: list[Path] = []

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def demo(self, days_ahead: int = 0):
        if not self._ready:
            prepare(self.url_of(self.url.database or ""), self.size, self.log)
            self._ready = True
        return self._services(self._create(self.url.database), days_ahead)

    def empty(self):
        return self._services(self._create(None))

    def calendar_demo(self):
        """A new database filled with ``careapp demo`` of ``calendar_items`` customers and no history
        (SQLite keeps that one in its cache; here it is made each run: a few seconds)."""
        database = self._create(None)
        start = time.perf_counter()
        size = DemoSize(self.calendar_items, 0, 0, self.size.seed)
        run_demo(self.url_of(database), size, self.work("demo"))
        took = time.perf_counter() - start
        self.log(f"  calendar demo of {self.calendar_items:,} customers made in {took:.1f} s")
        return self._services(database)

    def work(self, name: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=f"careapp-bench-pg-{name}-"))
        self._folders.append(folder)
        return folder

    def clean(self) -> None:
        for database in self._databases:
            # FORCE: a benchmark that failed half-way may have left its services connected.
            self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._databases.clear()
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders.clear()

    def _create(self, template: str | None) -> str:
        """A new database: a copy of ``template``, or empty (from ``template0``)."""
        name = f"careapp_bench_{uuid.uuid4().hex[:12]}"
        self._databases.append(name)
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template or "template0"}"')
        return name

    def _services(self, database: str, days_ahead: int = 0):
        from careapp.config import resolve_paths

        paths = resolve_paths(str(self.work("data")), {"CAREAPP_DATABASE_URL": self.url_of(database)})
        return built_services(paths, days_ahead)

    def _admin(self, sql: str) -> None:
        """``sql`` on the server's maintenance database (not in the one copied or dropped)."""
        import psycopg

        with psycopg.connect(plain_url(self.url_of("postgres")), autocommit=True) as connection:
            connection.execute(sql.encode())


def prepare(url: str, size: DemoSize, log: Callable[[str], None]) -> None:
    """The demo on the server at ``url`` (made now unless it already holds that many customers), at
    the current schema, its touches refreshed by the refresh careapp runs now."""
    import psycopg
    from sqlalchemy import text

    with psycopg.connect(plain_url(url)) as connection:
        exists = connection.execute("SELECT to_regclass('customer') IS NOT NULL").fetchone()
        row = connection.execute("SELECT count(*) FROM customer").fetchone() if exists and exists[0] else None
    count = row[0] if row else 0
    if count and count != size.customers:
        raise RuntimeError(
            f"{plain_url(url)} holds {count} customers, not {size.customers}: give an empty database"
        )
    scratch = Path(tempfile.mkdtemp(prefix="careapp-bench-pg-"))
    try:
        if not count:
            log(f"  filling PostgreSQL with {size.customers:,} demo customers (once)")
            start = time.perf_counter()
            run_demo(url, size, scratch)
            log(f"  filled in {time.perf_counter() - start:.0f} s")
        from careapp.config import resolve_paths

        services = built_services(resolve_paths(str(scratch), {"CAREAPP_DATABASE_URL": url}), 0)
        try:  # opening it migrated it; now the refresh, as bench/dataset.py does for the SQLite cache
            with services.db.session() as session:
                query = "SELECT name, signature_json FROM care_plan_state WHERE name IN ('refresh', 'plan')"
                rows = [tuple(row) for row in session.execute(text(query))]
            if not refresh_is_current(rows):
                start = time.perf_counter()
                result = services.touches.refresh()
                log(
                    f"  care-queue refresh: {result.generated} touches in {time.perf_counter() - start:.1f} s"
                )
        finally:
            services.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_demo(url: str, size: DemoSize, folder: Path) -> None:
    """``careapp demo`` of ``size`` into the database at ``url``, as a new process."""
    env = {**os.environ, "CAREAPP_DATABASE_URL": url}
    demo = ["demo", "--customers", str(size.customers), "--seed", str(size.seed)]
    demo += ["--tickets", str(size.tickets), "--history", str(size.history)]
    subprocess.run(
        [sys.executable, "-m", "careapp", "--data-dir", str(folder), *demo],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
