"""Every command a user runs, as a new process (``python -m careapp --data-dir F ...``), against the bare
SQL (or file write) it stands for, also as a new process (bench/bare_cli.py): the process start, the
imports and the database open are in both. Target (issue 20): each <= 3x its bare baseline.

First calls are the figures: each command runs once on a copy of the demo folder that no other command
has warmed (but the operating system's file cache, which a user's second command has too)."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import importing
from bench.children import child_env, run, scratch_home
from bench.common import Figure, within_ratio
from bench.importing import write_shopify_export

HERE = Path(__file__).parent
FACTOR = 3.0


def _timed_process(command: list[str], env: dict[str, str], what: str) -> float:
    start = time.perf_counter()
    done = run(command, env)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout)[-1500:]}")
    return took


class Commands:
    """Runs careapp and the bare baselines in new processes on one data folder."""

    def __init__(self, folder: Path, work: Path) -> None:
        self.folder, self.work = folder, work
        self.home = scratch_home()
        self.env = child_env(self.home, bytecode=True)
        self.database = folder / "careapp.db"

    def careapp(self, *args: str) -> float:
        command = [sys.executable, "-m", "careapp", "--data-dir", str(self.folder), *args]
        return _timed_process(command, self.env, "careapp " + " ".join(args))

    def bare(self, *args: str) -> float:
        command = [sys.executable, str(HERE / "bare_cli.py"), *args]
        return _timed_process(command, self.env, "bare " + " ".join(args))


def measure(big: Path, work: Path, customers: int, log=print) -> list[Figure]:
    folder = work / "commands"
    folder.mkdir()
    shutil.copyfile(big, folder / big.name)
    run_ = Commands(folder, work)
    run_.careapp("--version")  # writes the .pyc files, as a user's first command did
    figures: list[Figure] = []

    def figure(
        name: str, careapp_args: tuple[str, ...], bare_args: tuple[str, ...], baseline_name: str
    ) -> None:
        took = run_.careapp(*careapp_args)
        baseline = run_.bare(*bare_args)
        log(f"  careapp {' '.join(careapp_args[:4])}: {took:.2f} s, bare {baseline:.2f} s")
        figures.append(
            within_ratio(
                f"command: {name}", took, baseline, FACTOR, baseline_name=baseline_name + ", new process"
            )
        )

    today = dt.date.today()
    first = today - dt.timedelta(days=364)
    fcr_bounds = (first.isoformat(), (today + dt.timedelta(days=1)).isoformat())
    for by in ("month", "staff", "category"):
        figure(
            f"careapp report fcr --by {by} (one year)",
            ("report", "fcr", "--from", first.isoformat(), "--to", today.isoformat(), "--by", by),
            ("fcr", str(run_.database), *fcr_bounds),
            "bare SQL FCR aggregate",
        )
    for days in (30, 1):
        horizon = (today + dt.timedelta(days=days)).isoformat()
        figure(
            f"careapp agenda --days {days}",
            ("agenda", "--days", str(days)),
            ("touches", str(run_.database), horizon),
            "bare SQL read of the open touches",
        )
    for export_format in ("csv", "json", "vcard"):
        out = work / f"customers.{export_format}"
        figure(
            f"careapp export customers --format {export_format} ({customers:,})",
            ("export", "customers", str(out), "--format", export_format),
            (export_format, str(run_.database), str(work / f"bare.{export_format}")),
            "bare sqlite3 dump written",
        )
    figures.append(_ics(run_, work, log))
    figures.append(_import(work, log))
    figures.append(_erase(run_, log))
    return figures


def _ics(run_: Commands, work: Path, log: Callable[[str], None]) -> Figure:
    """``export ics`` of everything for a year against careapp's own writer (``feed_bytes``) over the
    same items, handed to a new process ready-made: the writer without the bookkeeping."""
    out = work / "everything.ics"
    took = run_.careapp("export", "ics", str(out), "--days", "366")
    items_file = work / "items.pickle"
    _pickle_items(run_.folder, items_file)
    baseline = run_.bare("ics", str(items_file), str(work / "bare.ics"))
    events = out.read_bytes().count(b"BEGIN:VEVENT")
    log(f"  careapp export ics (366 days): {events:,} events in {took:.2f} s, bare writer {baseline:.2f} s")
    return within_ratio(
        f"command: careapp export ics --days 366 ({events:,} events)",
        took,
        baseline,
        FACTOR,
        baseline_name="careapp's .ics writer over ready items, new process",
    )


def _pickle_items(folder: Path, path: Path) -> None:
    from careapp.config import resolve_paths
    from careapp.context import build_services, calendar_service

    services = build_services(resolve_paths(str(folder)))
    try:
        calendar = calendar_service(services)
        items = calendar.file_items(None, None, 366)
        path.write_bytes(pickle.dumps((items, calendar.calendar_name())))
    finally:
        services.close()


def _import(work: Path, log: Callable[[str], None]) -> Figure:
    source = work / "shopify-export.csv"
    if not source.exists():
        write_shopify_export(source)
    folder = work / "import-target"
    folder.mkdir()
    run_ = Commands(folder, work)
    run_.careapp("--version")
    took = run_.careapp("import", str(source))
    baseline = run_.bare("read-csv", str(source))
    log(
        f"  careapp import ({importing.ROWS:,} rows, empty database): {took:.2f} s, bare {baseline:.2f} s"
    )
    figure = within_ratio(
        f"command: careapp import of {importing.ROWS:,} Shopify rows",
        took,
        baseline,
        150,
        baseline_name="one csv.reader pass, new process",
    )
    figure.target = "<= 30 s and <= 150x baseline"
    figure.passed = bool(figure.passed) and took <= 30
    return figure


def _erase(run_: Commands, log: Callable[[str], None]) -> Figure:
    import sqlite3

    with sqlite3.connect(run_.database) as db:
        first, second = (row[0] for row in db.execute("SELECT id FROM customer ORDER BY id LIMIT 2"))
    took = run_.careapp("erase", "customer", str(first), "--reason", "bench", "--yes")
    baseline = run_.bare("delete", str(run_.database), str(second))
    log(f"  careapp erase customer: {took:.2f} s, bare DELETE {baseline:.2f} s")
    return within_ratio(
        "command: careapp erase customer", took, baseline, FACTOR, baseline_name="bare DELETE, new process"
    )
