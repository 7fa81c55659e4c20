"""``python -m bench``: make (or reuse) the demo databases, run every benchmark, print the table and
write bench/results.json. Each figure has a baseline measured in the same run; targets from issue 7."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import (
    calendar,
    care,
    commands,
    demo,
    fcr,
    importing,
    memory,
    postgres,
    search,
    startup,
    value,
    window,
)
from bench.common import Figure, table
from bench.dataset import DemoSize, work_folder
from bench.places import Place, SqlitePlace

HERE = Path(__file__).parent
ALL = (
    "fcr", "search", "care", "ics", "sync", "import", "memory", "startup", "window", "commands", "value",
    "demo",
)  # fmt: skip
QUICK_CUSTOMERS = 20_000


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--customers", type=int, default=None, help="100,000 (20,000 with --quick)")
    parser.add_argument("--tickets", type=int, default=None, help="20,000 (4,000 with --quick)")
    parser.add_argument(
        "--history",
        type=int,
        default=None,
        help="contacts and purchases of the customer demo (ticket contacts come on top); 970,000 (194,000)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="20,000 customers, 3 runs, 20 s watches: for development"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database (postgresql+psycopg://...): the service-level figures (fcr, search, "
        "care, value, import, ics) run there too, on scratch databases copied from it and dropped; "
        "filled with the demo once if empty",
    )
    parser.add_argument(
        "--watch", type=float, default=None, help="seconds the window is watched for pauses (60; 20 quick)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each (the median is shown)")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated, of: {', '.join(ALL)}")
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the figures already in --output that this run did not measure (for a run split by --only)",
    )
    args = parser.parse_args(argv)
    scale = 5 if args.quick else 1
    args.customers = args.customers or 100_000 // scale
    args.tickets = args.tickets if args.tickets is not None else 20_000 // scale
    args.history = args.history if args.history is not None else 970_000 // scale
    args.watch = args.watch or (20.0 if args.quick else 60.0)
    if args.quick and "--runs" not in (argv if argv is not None else sys.argv):
        args.runs = 3
    return args


def service_level(place: Place, attempt: Callable[..., None], log: Callable[[str], None]) -> None:
    """The service-level figures (in-process, through careapp's services) on ``place``'s databases,
    each benchmark on fresh copies, removed after it."""
    label = place.label
    demo_services = None
    try:
        for name, measure in (("fcr", fcr.measure), ("search", search.measure)):

            def run(measure=measure) -> list[Figure]:
                nonlocal demo_services
                if demo_services is None:  # one copy for both: neither writes what the other reads
                    demo_services = place.demo()
                return measure(demo_services, log, label)

            attempt(name, run, label)
    finally:
        if demo_services is not None:
            demo_services.close()
        place.clean()

    def ics(services) -> list[Figure]:
        calendar.give_everyone_a_birthday(services)
        return calendar.measure_export(services, place.work("ics"), log, label)

    runs: tuple[tuple[str, Callable[[], list[Figure]]], ...] = (
        ("care", lambda: care.measure(place.demo, log, label)),
        ("value", lambda: _closing(place.demo(), lambda s: value.measure(s, log, label))),
        ("import", lambda: importing.measure(place.empty, place.work("import-file"), log, label)),
        ("ics", lambda: _closing(place.calendar_demo(), ics)),
    )
    for name, figures_of in runs:
        try:
            attempt(name, figures_of, label)
        finally:
            place.clean()


def _closing(services, measure: Callable[[Any], list[Figure]]) -> list[Figure]:
    try:
        return measure(services)
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        print(
            f"unknown benchmarks: {', '.join(sorted(unknown))} (choose from {', '.join(ALL)})",
            file=sys.stderr,
        )
        return 2
    if args.quick and "CAREAPP_BENCH_CALENDAR_ITEMS" not in os.environ:
        calendar.ITEMS = 500  # a first full CalDAV sync of 10,000 items takes tens of minutes
        importing.ROWS = 20_000
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    started = time.time()
    load_before = os.getloadavg()
    size = DemoSize(args.customers, args.tickets, args.history, args.seed)
    figures: list[Figure] = []
    failures: list[str] = []

    def log(text: str) -> None:
        print(text, flush=True)

    def attempt(name: str, run: Callable[[], list[Figure]], label: str = "") -> None:
        if name not in chosen:
            return
        where = f" ({label.rstrip(': ')})" if label else ""
        log(f"== {name}{where}")
        try:
            figures.extend(run())
        except Exception as error:  # one broken benchmark must not hide the others
            traceback.print_exc()
            failures.append(f"{name}{where}: {error}")

    sqlite = SqlitePlace(size, calendar.ITEMS, log)
    folders: list[Path] = []

    def fresh(source: Path | None, name: str) -> Path:
        folder = work_folder(source, name)
        folders.append(folder)
        return folder

    places: list[Place] = [sqlite]
    if args.database_url:  # the same service-level figures there, named "PostgreSQL, N customers: ..."
        places.append(postgres.PostgresPlace(args.database_url, size, calendar.ITEMS, log))
    try:
        for place in places:
            service_level(place, attempt, log)
        if {"memory", "startup"} & set(chosen):
            main_folder = fresh(sqlite.big, "main")
            attempt("memory", lambda: memory.measure(main_folder, log))
            attempt("startup", lambda: startup.measure(main_folder, args.runs, log))
        attempt(
            "window",
            lambda: window.measure(
                sqlite.big, fresh(None, "window"), args.runs, args.watch, size.customers, log
            ),
        )
        attempt(
            "commands", lambda: commands.measure(sqlite.big, fresh(None, "commands"), size.customers, log)
        )
        attempt(
            "demo",
            lambda: demo.measure(size.customers, size.history, size.tickets, size.seed, min(args.runs, 2)),
        )
        if "sync" in chosen:

            def sync() -> list[Figure]:
                services = sqlite.calendar_demo()
                try:
                    calendar.give_everyone_a_birthday(services)
                    return calendar.measure_sync(services, sqlite.work("sync"), log)
                finally:
                    services.close()

            attempt("sync", sync)
    finally:
        for place in places:
            place.clean()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(table(figures))
    for failure in failures:
        print(f"FAILED TO RUN: {failure}")
    write_results(args, size, figures, failures, started, load_before)
    print(f"\nwritten to {args.output}")
    return 1 if failures or any(f.passed is False for f in figures) else 0


def write_results(args, size, figures, failures, started, load_before) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent
    ).stdout.strip()
    result = {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "commit": commit,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "data": {
            "customers": size.customers,
            "tickets": size.tickets,
            "history": size.history,
            "seed": size.seed,
        },
        "figures": [f.as_json() for f in figures],
        "failed_to_run": failures,
    }
    if args.merge and args.output.exists():
        earlier = json.loads(args.output.read_text())
        measured = {f.name for f in figures}
        kept = [f for f in earlier.get("figures", []) if f["name"] not in measured]
        result["figures"] = kept + result["figures"]
        result["earlier_runs"] = [
            *earlier.get("earlier_runs", []),
            {k: earlier.get(k) for k in ("command", "started", "seconds", "commit", "machine")},
        ]
    args.output.write_text(json.dumps(result, indent=2) + "\n")
