"""The care queue for a 30-day horizon, through the existing services (another part of the work makes
them fast; this only measures): the queue from cold (new services, after a refresh), and the queue
again after one change (one touch done); and, without a target, the refreshes the window runs on its
background thread: another one the same day (every few minutes) and the first of a new day (touches
generated and the queue planned for every customer). Baseline: the bare SQL read of the open touches
in the window (with sqlite3, or psycopg on PostgreSQL). On PostgreSQL, also each section's first page
asked again, against the very statements it sent replayed with bare psycopg."""

from __future__ import annotations

import datetime as dt
import time

from bench.bare import Bare
from bench.common import Figure, below, median_time, timed

OPEN_TOUCHES = (
    "SELECT t.id, t.customer_id, t.kind, t.due, t.status, t.payload_json, c.display_name "
    "FROM touch t JOIN customer c ON c.id = t.customer_id "
    "WHERE t.status IN ('open', 'held', 'snoozed') AND coalesce(t.snoozed_until, t.due) <= ?"
)


def _bare(bare: Bare, today: dt.date) -> float:
    horizon = (today + dt.timedelta(days=30)).isoformat()
    return median_time(lambda: bare.rows(OPEN_TOUCHES, (horizon,)), 3)


def _edit_to_queue(services, page: int) -> float:
    """One customer's birthday changed (as the editor saves it: the triggers mark them for the
    pipeline), then what the window runs on that commit: the refresh and the queue's first page."""
    from sqlalchemy import text

    start = time.perf_counter()
    with services.db.session() as session:
        session.execute(
            text(
                "UPDATE customer SET birthday_month = 1 + (coalesce(birthday_month, 0) % 12), "
                "birthday_day = 1, version = version + 1 WHERE id = (SELECT min(id) FROM customer)"
            )
        )
    services.touches.refresh()
    services.care_queue.queue(page=page, plan_all=False)
    return time.perf_counter() - start


def _rest_of_the_day(services, page: int) -> None:
    """After a new day's refresh: the queue loaded, the user's F5 (another refresh) and the queue."""
    services.care_queue.queue(page=page, plan_all=False)
    services.touches.refresh()
    services.care_queue.queue(page=page, plan_all=False)


def _replayed_first_page(services, page: int, label: str, log) -> list[Figure]:
    """On PostgreSQL, where a read can be replayed: each section's first page asked again (no change
    since, no plan of everyone), against the very statements it sent replayed with bare psycopg.
    Nothing on SQLite, whose figures keep the bare read of the open touches."""
    if services.db.engine.dialect.name != "postgresql":
        return []
    bare = Bare(services)
    try:

        def first_page():
            return services.care_queue.queue(page=page, plan_all=False)

        _queue, statements = bare.catch(services, first_page)
        took = median_time(first_page, 3)
        replayed = median_time(lambda: bare.replay(statements), 3)
    finally:
        bare.close()
    log(f"  first page of each section again {took:.3f} s, its statements replayed {replayed:.3f} s")
    return [
        below(
            f"{label}care queue, first page of each section",
            took,
            0.3,
            baseline=replayed,
            baseline_name=f"the same statements, bare {bare.driver}",
        )
    ]


def measure(make_services, log=print, label: str = "") -> list[Figure]:
    """``make_services(days_ahead=0)``: services on a fresh copy of the demo database (the clock that
    many days on); ``label`` starts every figure's name. The baseline is read from the first copy,
    before anything is written to it."""
    from careapp.services.care.queue import PAGE  # what the window asks for: each section's first page

    services = make_services()
    bare = Bare(services)
    try:
        baseline = _bare(bare, dt.date.today())
    finally:
        bare.close()
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
    replayed = _replayed_first_page(services, PAGE, label, log)
    after = None
    if entries:
        actor = services.staff.actor("Sam")
        services.care_queue.done(actor, entries[0].touch_id)
        start = time.perf_counter()
        services.care_queue.queue(page=PAGE)
        after = time.perf_counter() - start
    edit_time = _edit_to_queue(services, PAGE)
    overview_cold, _ = timed(lambda: services.care_overview.overview(plan_all=False))
    overview_warm = median_time(lambda: services.care_overview.overview(plan_all=False), 3)
    services.close()
    services = make_services(1)  # the clock a day on: what the first start of tomorrow does
    new_day_time, _ = timed(services.touches.refresh)
    rest_of_day, _ = timed(lambda: _rest_of_the_day(services, PAGE))
    services.close()
    log(
        f"  a customer edit to the queue showing it {edit_time:.2f} s; overview {overview_cold:.2f} s "
        f"(then {overview_warm:.2f} s); what follows a new day's refresh that day {rest_of_day:.2f} s"
    )
    log(f"  refresh again the same day {again_time:.2f} s, the first of a new day {new_day_time:.2f} s")
    figures = [
        below(  # issue 14's targets: within 1 s of a change, 2 s for a new day, 0.5 s for the Overview
            f"{label}care: a customer edited -> the queue shows it (refresh + first page)",
            edit_time,
            1.0,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
        below(
            f"{label}care: new day, refresh and everything after it that day (queue, F5 refresh, queue)",
            new_day_time + rest_of_day,
            2.0,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
            note=f"the refresh {new_day_time:.2f} s, the rest {rest_of_day:.2f} s",
        ),
        below(
            f"{label}care: Overview, first call",
            overview_cold,
            0.5,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
            note=f"then {overview_warm:.2f} s",
        ),
        Figure(
            f"{label}care queue: refresh again the same day (background thread)",
            again_time,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
        Figure(
            f"{label}care queue: refresh on a new day, every customer (background thread)",
            new_day_time,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
            note="the window shows the stored queue meanwhile; list and actions answer",
        ),
        below(
            f"{label}care queue: 30 days, cold",
            queue_time,
            0.3,
            baseline=baseline,
            baseline_name="bare SQL read of open touches",
        ),
    ]
    if after is not None:
        figures.append(
            below(
                f"{label}care queue: after one change",
                after,
                0.050,
                baseline=baseline,
                baseline_name="bare SQL read of open touches",
            )
        )
    return figures + replayed
