"""The demo database the benchmarks run on, made once per size and seed and kept in a cache folder.

Made by the real command (``careapp demo``), migrated to the current schema whenever it is reused,
and copied into a fresh work folder for each run so a benchmark that writes never changes the cache.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATABASE_FILE = "careapp.db"
CACHE_ENV = "CAREAPP_BENCH_CACHE"


@dataclass(frozen=True)
class DemoSize:
    customers: int = 100_000
    tickets: int = 20_000
    # Contacts and purchases made by the customer demo; ticket contacts come on top.
    history: int = 970_000
    seed: int = 7
    # Generate the care queue's touches once, as the app's first start would (later starts only add).
    first_refresh: bool = True

    @property
    def key(self) -> str:
        return f"demo-c{self.customers}-t{self.tickets}-h{self.history}-s{self.seed}"


def cache_root() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careapp-bench"


def careapp_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "careapp", *args]


def demo_database(size: DemoSize, log: Callable[[str], None] = print) -> Path:
    """The cached demo database for ``size`` (made now if missing), migrated to the current schema."""
    folder = cache_root() / size.key
    ready = folder / "ready"
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        log(f"making the demo database ({size.customers:,} customers, {size.tickets:,} tickets) in {folder}")
        start = time.perf_counter()
        subprocess.run(
            careapp_command(
                "--data-dir",
                str(folder),
                "demo",
                "--customers",
                str(size.customers),
                "--seed",
                str(size.seed),
                "--tickets",
                str(size.tickets),
                "--history",
                str(size.history),
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        log(f"  made in {time.perf_counter() - start:.1f} s")
        migrate(folder)
        if size.first_refresh:
            first_refresh(folder, log)
        ready.write_text(size.key)
    migrate(folder)
    if size.first_refresh and not _refresh_current(folder):
        # A new refresh version (e.g. migration 0013's anchors) re-derives everyone once: done here,
        # on the cache, so no copy pays it inside a figure.
        first_refresh(folder, log)
    return folder / DATABASE_FILE


def _refresh_current(folder: Path) -> bool:
    """Whether the cached database's last touches' refresh and plan are of the versions careapp
    writes now."""
    import sqlite3

    connection = sqlite3.connect(folder / DATABASE_FILE)
    try:
        query = "SELECT name, signature_json FROM care_plan_state WHERE name IN ('refresh', 'plan')"
        return refresh_is_current(connection.execute(query).fetchall())
    finally:
        connection.close()


def refresh_is_current(states: Iterable[tuple[str, str]]) -> bool:
    """Whether care_plan_state's ``(name, signature_json)`` rows for 'refresh' and 'plan' are of the
    versions careapp writes now."""
    import json

    from careapp.services.care.plan_store import PLAN_VERSION, REFRESH_VERSION

    versions = {name: json.loads(text).get("version") for name, text in states}
    return versions == {"refresh": REFRESH_VERSION, "plan": PLAN_VERSION}


def first_refresh(folder: Path, log: Callable[[str], None]) -> None:
    from careapp.config import resolve_paths
    from careapp.context import build_services

    start = time.perf_counter()
    services = build_services(resolve_paths(str(folder)))
    try:
        result = services.touches.refresh()
    finally:
        services.close()
    log(f"  first care-queue refresh: {result.generated} touches in {time.perf_counter() - start:.1f} s")


def migrate(folder: Path) -> None:
    """Bring the cached database to the current schema (a no-op when it is current)."""
    from careapp.config import sqlite_url
    from careapp.db.database import open_database

    db, _report = open_database(sqlite_url(folder / DATABASE_FILE), folder / "backups", _now())
    db.dispose()
    shutil.rmtree(folder / "backups", ignore_errors=True)  # the cache can be remade; no copies needed


def _now() -> dt.datetime:
    from careapp.clock import utc_now

    return utc_now()


def work_folder(source: Path | None, name: str) -> Path:
    """A fresh data folder under the run's temp folder, holding a copy of ``source`` (if any)."""
    folder = Path(tempfile.mkdtemp(prefix=f"careapp-bench-{name}-"))
    if source is not None:
        shutil.copyfile(source, folder / DATABASE_FILE)
    return folder
