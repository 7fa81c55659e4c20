"""The care queue at scale: the refresh, the queue from cold and after one change, the overview.

    python -m bench.care_queue DATA_DIR [--page N] [--in-place]

``DATA_DIR`` is a careapp data folder (e.g. made by ``careapp --data-dir D demo --customers 100000
--tickets 20000``). It is copied to a temporary folder first (the run does a touch, withdraws a
consent and edits a customer), unless ``--in-place``.

Figures (seconds, wall clock; each "after one change" is the median of a few single changes):

- refresh: the first :meth:`TouchService.refresh` of the run, then one with nothing changed;
- first paint: :meth:`CareQueueService.stored_queue` as the first call of a new process (what the
  window shows first);
- cold: :meth:`CareQueueService.queue` with ``page`` as the first call of a new process (the plan
  checked and brought up to date, each section's first page and every section's size read);
- after one change: one touch done / one consent withdrawn / one customer edited, then the queue
  asked again (only that customer is re-planned);
- full: :meth:`CareQueueService.queue` with every entry (what ``careapp agenda`` prints);
- overview: :meth:`CareOverviewService.overview`.

Baseline, measured in the same run: the bare SQL read of the open touches due within 30 days,
``SELECT ... FROM touch WHERE status = 'open' AND due <= ?`` with sqlite3; each figure is also shown
as a ratio to it. Targets (issue 7): cold < 0.3 s, after one change < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PAGE = 50
TARGETS = {"cold": 0.3, "after one change": 0.050}


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: float
    note: str = ""


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def bare_sql(database: Path, today: dt.date, repeat: int = 3) -> tuple[float, int]:
    """The baseline: the open touches due within 30 days, read with sqlite3 and nothing else."""
    connection = sqlite3.connect(database)
    horizon = (today + dt.timedelta(days=30)).isoformat()
    times, rows = [], 0
    for _ in range(repeat):
        took, found = timed(
            lambda: connection.execute(
                "SELECT id, customer_id, kind, due, due_at, channel, snoozed_until, payload_json "
                "FROM touch WHERE status = 'open' AND due <= ?",
                (horizon,),
            ).fetchall()
        )
        times.append(took)
        rows = len(found)
    connection.close()
    return statistics.median(times), rows


def _services(data_dir: Path) -> Any:
    from careapp.config import resolve_paths
    from careapp.context import build_services

    return build_services(resolve_paths(str(data_dir)))


def _one_change_each(services: Any, page: int) -> list[Timing]:
    """Single changes, each followed by the queue asked again."""
    from careapp.domain.customer import Channel, ConsentEvent, LoyaltyStage
    from careapp.services.shop.staff import Actor

    queue = services.care_queue.queue(page=page)
    members = services.staff.list()
    actor = members[0].actor() if members else Actor("bench")
    found: list[Timing] = []
    candidates = [e for e in (*queue.overdue, *queue.due_today, *queue.next_7_days) if e.status == "queued"]
    for entry in candidates[:3]:
        services.care_queue.done(actor, entry.touch_id)
        took, _ = timed(lambda: services.care_queue.queue(page=page))
        found.append(Timing("after one change", took, f"touch {entry.touch_id} done"))
    for entry in [*queue.next_30_days][:3]:
        event = ConsentEvent(Channel.EMAIL, False, services.clock())
        services.customers.record_consent(entry.customer_id, event)
        took, _ = timed(lambda: services.care_queue.queue(page=page))
        found.append(Timing("after one change", took, f"customer {entry.customer_id} withdrew email consent"))
    for entry in [*queue.held][:3]:
        customer = services.customers.get(entry.customer_id)
        draft = replace(
            customer.draft(), loyalty_stage=LoyaltyStage.CLIENT, notes=customer.notes + " (bench)"
        )
        services.customers.update(entry.customer_id, draft, customer.version, "bench")
        took, _ = timed(lambda: services.care_queue.queue(page=page))
        found.append(Timing("after one change", took, f"customer {entry.customer_id} edited"))
    return found


def measure(data_dir: Path, page: int = PAGE, log: Callable[[str], None] = print) -> list[Timing]:
    """Every figure of the module docstring, on ``data_dir`` (changed in place)."""
    services = _services(data_dir)
    timings = [Timing("refresh (first of the run)", timed(services.touches.refresh)[0])]
    timings.append(Timing("refresh (nothing changed)", timed(services.touches.refresh)[0]))
    services.close()

    took, counts = _in_new_process(data_dir, "stored_queue", page)
    timings.append(Timing("first paint (stored queue, new process)", took, f"sections {counts}"))
    took, counts = _in_new_process(data_dir, "queue", page)
    timings.append(Timing("cold", took, f"new process, page {page}; sections {counts}"))
    services = _services(data_dir)
    changes = _one_change_each(services, page)
    timings += changes
    if changes:
        median = statistics.median(t.seconds for t in changes)
        timings.append(Timing("after one change", median, f"median of {len(changes)}"))
    took, full = timed(services.care_queue.queue)
    timings.append(Timing("full queue (every entry, as agenda)", took, f"{len(full.entries())} entries"))
    timings.append(Timing("overview", timed(services.care_overview.overview)[0]))
    services.close()
    return timings


_COLD = """
import sys, time
from careapp.config import resolve_paths
from careapp.context import build_services
services = build_services(resolve_paths(sys.argv[1]))
call = getattr(services.care_queue, sys.argv[2])
page = int(sys.argv[3])
start = time.perf_counter()
queue = call(page) if sys.argv[2] == "stored_queue" else call(page=page)
took = time.perf_counter() - start
print(took, queue.counts() if queue is not None else None)
"""


def _in_new_process(data_dir: Path, method: str, page: int) -> tuple[float, str]:
    """How long ``care_queue.<method>`` takes as the first call of a new process (services built
    before the clock starts, as the window has them before it asks)."""
    done = subprocess.run(
        [sys.executable, "-c", _COLD, str(data_dir), method, str(page)],
        check=True,
        capture_output=True,
        text=True,
    )
    took, _, counts = done.stdout.strip().partition(" ")
    return float(took), counts


def report(timings: list[Timing], baseline: float, rows: int, log: Callable[[str], None] = print) -> None:
    log(f"baseline: bare SQL read of {rows} open touches due within 30 days: {baseline * 1000:.1f} ms")
    medians = {t.name for t in timings if t.note.startswith("median")}
    for t in timings:
        if t.name in medians and not t.note.startswith("median"):
            log(f"    {t.seconds * 1000:8.1f} ms  ({t.note})")
            continue
        target = TARGETS.get(t.name)
        verdict = (
            "" if target is None else (" OK" if t.seconds < target else f" MISSES < {target * 1000:.0f} ms")
        )
        ratio = t.seconds / baseline if baseline else float("nan")
        log(f"{t.name:<44} {t.seconds * 1000:10.1f} ms  {ratio:7.1f}x baseline{verdict}  {t.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--page", type=int, default=PAGE, help="entries per section the window asks for")
    parser.add_argument("--in-place", action="store_true", help="measure on DATA_DIR itself, not a copy")
    args = parser.parse_args(argv)
    if not (args.data_dir / "careapp.db").exists():
        print(
            f"{args.data_dir} has no careapp.db; make one with careapp --data-dir DIR demo", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="careapp-bench-") as scratch:
        data_dir = args.data_dir
        if not args.in_place:
            data_dir = Path(scratch) / "data"
            shutil.copytree(args.data_dir, data_dir)
        timings = measure(data_dir, args.page)
        baseline, rows = bare_sql(data_dir / "careapp.db", _today(data_dir))
        report(timings, baseline, rows)
    return 0


def _today(data_dir: Path) -> dt.date:
    services = _services(data_dir)
    try:
        return services.touches.today()
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
