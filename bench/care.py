"""The care queue for a 30-day horizon, through the existing services (another part of the work makes
them fast; this only measures): the queue from cold (new services, after a refresh), and the queue
again after one change (one touch done); and, without a target, the refreshes the window runs on its
background thread: another one the same day (every few minutes) and the first of a new day (touches
generated and the queue planned for every customer). Baseline: the bare SQL read of the open touches
in the window."""

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
    from careapp.services.care.queue import PAGE  # what the window asks for: each section's first page

    services = make_services()
    refresh_time, _ = timed(services.touches.refresh)
    again_time, _ = timed(services.touches.refresh)
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
    services = make_services(1)  # the clock a day on: what the first start of tomorrow does
    new_day_time, _ = timed(services.touches.refresh)
    services.close()
    log(f"  refresh again the same day {again_time:.2f} s, the first of a new day {new_day_time:.2f} s")
    baseline = _bare(database, dt.date.today())
    figures = [
        Figure(
            "care queue: refresh again the same day (background thread)",
            again_time,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
        Figure(
            "care queue: refresh on a new day, every customer (background thread)",
            new_day_time,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
            note="the window shows the stored queue meanwhile; list and actions answer",
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
