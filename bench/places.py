"""Where the service-level figures run: the databases a benchmark gets its services on.

Each benchmark (bench/fcr.py, search.py, care.py, value.py, importing.py, calendar.py) measures through
services it is given or makes with a place's methods, and takes its bare baseline from the database
those services use (bench/bare.py), so the same measuring code runs on SQLite (``SqlitePlace``, copies of
the cached demo file) and on PostgreSQL (``bench.postgres.PostgresPlace``, scratch databases copied from
the demo database on that server). Every database a place hands out is a fresh copy: a benchmark that
writes (an import, an edit, a new day) never changes what the next run starts from.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bench.dataset import DemoSize, demo_database, work_folder


def services_on(folder: Path, days_ahead: int = 0):
    """The services on the SQLite file in ``folder``; ``days_ahead``: their clock that many days on."""
    from careapp.config import resolve_paths

    return built_services(resolve_paths(str(folder)), days_ahead)


def built_services(paths, days_ahead: int = 0):
    """The services on ``paths``, their clock ``days_ahead`` days after today's."""
    import datetime as dt

    from careapp.clock import utc_now
    from careapp.context import build_services

    shift = dt.timedelta(days=days_ahead)
    return build_services(paths, clock=lambda: utc_now() + shift)


class Place(Protocol):
    """A database server (or SQLite) the service-level figures run on."""

    label: str  # what the figures' names start with ("" on SQLite)

    def demo(self, days_ahead: int = 0):
        """Services on a fresh copy of the demo database (clock ``days_ahead`` days on)."""

    def empty(self):
        """Services on a fresh empty database (the schema made)."""

    def calendar_demo(self):
        """Services on a fresh copy of the calendar demo (``items`` customers, no history)."""

    def work(self, name: str) -> Path:
        """A fresh folder for the files a benchmark writes."""

    def clean(self) -> None:
        """Remove what was made since the last clean (the services handed out are closed by then)."""


class SqlitePlace:
    """Copies of the cached demo files (bench/dataset.py), each in a folder of its own."""

    label = ""

    def __init__(self, size: DemoSize, calendar_items: int, log: Callable[[str], None]) -> None:
        self.size = size
        self.calendar_items = calendar_items
        self.log = log
        self._big: Path | None = None
        self._small: Path | None = None
        self._folders: list[Path] = []

    @property
    def big(self) -> Path:
        """The cached demo database (made now if missing)."""
        if self._big is None:
            self._big = demo_database(self.size, self.log)
        return self._big

    def fresh(self, source: Path | None, name: str) -> Path:
        folder = work_folder(source, name)
        self._folders.append(folder)
        return folder

    def demo(self, days_ahead: int = 0):
        return services_on(self.fresh(self.big, "demo"), days_ahead)

    def empty(self):
        return services_on(self.fresh(None, "empty"))

    def calendar_demo(self):
        if self._small is None:
            small = DemoSize(self.calendar_items, 0, 0, self.size.seed, first_refresh=False)
            self._small = demo_database(small, self.log)
        return services_on(self.fresh(self._small, "calendar"))

    def work(self, name: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=f"careapp-bench-{name}-"))
        self._folders.append(folder)
        return folder

    def clean(self) -> None:
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders.clear()
