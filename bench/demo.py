"""Demo data with and without the care bookkeeping (issue 14, must-have 5: <= 1.3x).

``careapp demo --customers N --history H --tickets T --seed S`` as a new process into an empty folder,
against the same command in a new process whose database has no care_dirty triggers and whose demo
writers note nothing (the same rows inserted without the care bookkeeping). Both include process start
and the schema's creation, so the ratio is the bookkeeping's share.

    python -m bench.demo [--customers 100000] [--history 970000] [--tickets 0] [--runs 1]
    python -m bench.demo --bare -- demo ...    (the baseline's child; not for direct use)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, within_ratio

ROOT = Path(__file__).resolve().parents[1]


def _bare_child(argv: list[str]) -> int:
    """The demo command with the care bookkeeping off: no triggers, nothing noted."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from careapp.clock import utc_now
    from careapp.db import care_triggers
    from careapp.db.care_bulk import BulkMarks
    from careapp.db.database import open_database
    from careapp.services.demo import customers, tickets

    data_dir = argv[argv.index("--data-dir") + 1]
    db, _ = open_database(f"sqlite:///{Path(data_dir) / 'careapp.db'}", None, utc_now())
    with db.engine.begin() as connection:
        care_triggers.run(connection.exec_driver_sql, care_triggers.drop_statements("sqlite"))
    db.dispose()

    @contextmanager
    def nothing(_session: object) -> Iterator[BulkMarks]:
        yield BulkMarks()

    customers.bulk_care_marking = nothing  # type: ignore[assignment]
    tickets.bulk_care_marking = nothing  # type: ignore[assignment]
    from careapp.cli import main

    return main(argv)


def _run(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return took


def measure(customers: int, history: int, tickets: int, seed: int, runs: int) -> list[Figure]:
    args = ["demo", "--customers", str(customers), "--history", str(history), "--tickets", str(tickets)]
    args += ["--seed", str(seed)]
    with_care: list[float] = []
    bare: list[float] = []
    for _ in range(runs):  # alternated, so both see the same load
        with tempfile.TemporaryDirectory() as folder:
            with_care.append(_run([sys.executable, "-m", "careapp", "--data-dir", folder, *args]))
        with tempfile.TemporaryDirectory() as folder:
            bare.append(
                _run([sys.executable, "-m", "bench.demo", "--bare", "--", "--data-dir", folder, *args])
            )
    name = f"demo of {customers:,} customers ({history:,} history rows, {tickets:,} tickets), new process"
    return [
        within_ratio(name, min(with_care), min(bare), 1.3, baseline_name="same rows, no care bookkeeping")
    ]


def main() -> int:
    if "--bare" in sys.argv:
        return _bare_child(sys.argv[sys.argv.index("--") + 1 :])
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=970_000)
    parser.add_argument("--tickets", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()
    figures = measure(args.customers, args.history, args.tickets, args.seed, args.runs)
    for figure in figures:
        print(json.dumps({**figure.as_json(), "load_before": load, "load_after": os.getloadavg()}))
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
