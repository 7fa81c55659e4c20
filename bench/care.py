"""The care queue for a 30-day horizon, through the existing services (another part of the work makes
them fast; this only measures): the refresh at start, the queue from cold (new services), and the queue
again after one change (one touch done). Baseline: the bare SQL read of the open touches in the window."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from bench.common import Figure, below, median_time, timed


def _bare(database: Path, today: dt.date) -> float:
    connection = sqlite3.connect(database)
    horizon = (today + dt.timedelta(days=30)).isoformat()

    def read() -> None:
        connection.execute(
            "SELECT t.id, t.customer_id, t.kind, t.due, t.status, t.payload_json, c.display_name "
            "FROM touch t JOIN customer c ON c.id = t.customer_id "
            "WHERE t.status IN ('open', 'held', 'snoozed') AND coalesce(t.snoozed_until, t.due) <= ?",
            (horizon,),
        ).fetchall()

    took = median_time(read, 3)
    connection.close()
    return took


def measure(make_services, database: Path, log=print) -> list[Figure]:
    from careapp.services.care_queue import PAGE  # what the window asks for: each section's first page

    services = make_services()
    refresh_time, _ = timed(services.touches.refresh)
    services.close()
    services = make_services()  # cold: new services on the stored plan (bench/care_queue.py: new process)
    queue_time, queue = timed(lambda: services.care_queue.queue(page=PAGE))
    entries = [e for e in (*queue.overdue, *queue.due_today) if e.status == "queued"]
    log(
        f"  refresh {refresh_time:.2f} s, cold queue {queue_time:.2f} s, "
        f"{sum(queue.counts().values())} entries"
    )
    after = None
    if entries:
        actor = services.staff.actor("Sam")
        services.care_queue.done(actor, entries[0].touch_id)
        start = time.perf_counter()
        services.care_queue.queue(page=PAGE)
        after = time.perf_counter() - start
    services.close()
    baseline = _bare(database, dt.date.today())
    figures = [
        Figure(
            "care queue: refresh at start",
            refresh_time,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
        below(
            "care queue: 30 days, cold",
            queue_time,
            0.3,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
    ]
    if after is not None:
        figures.append(
            below(
                "care queue: after one change",
                after,
                0.050,
                baseline=baseline,
                baseline_name="bare SQL read of open touches",
            )
        )
    return figures
