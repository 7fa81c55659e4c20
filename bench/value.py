"""The value reports and the customer page's value panel at 100,000 customers and about 1,000,000
history rows, each against a bare SQL aggregate run with sqlite3 (psycopg on PostgreSQL) in the same run:

- each report, warm (median of 3 after a first call), target < 1 s; baseline: one GROUP BY over
  the purchases (spent, count, first and last per customer);
- the value panel for one customer, warm (the shop's scale kept), target < 50 ms; baseline: that
  customer's rows summed by sqlite3.

"Warm" means asked again with no change since: the service keeps what it read (and the figures made
from it) until the change counters move, so a warm report is worked out from memory. The first call
after a change reads the database again; it is printed beside every figure.

The demo has no done touches, so the work copy gets 2,000 done marketing touches a month over the
last 12 months first (done_touches), or the care-effect report would have nothing to compare.
"""

from __future__ import annotations

import datetime as dt
import random

from bench.bare import Bare
from bench.common import Figure, below, median_time, timed

BARE_SQL = """
SELECT customer_id, sum(amount_cents), sum(CASE WHEN amount_cents >= 0 THEN 1 ELSE 0 END),
    min(date), max(date)
FROM purchase GROUP BY customer_id
"""
BARE_ONE = "SELECT sum(amount_cents), count(*), min(date), max(date) FROM purchase WHERE customer_id = ?"


TOUCHES_A_MONTH = 2_000


def done_touches(services, today: dt.date, months: int = 12) -> int:
    """Log ``TOUCHES_A_MONTH`` random touches a month (at most every one) as done, over the ``months``
    before today."""
    from sqlalchemy import insert, text

    from careapp.db.models import TouchLogRecord, core_table

    with services.db.session() as session:
        touches = session.execute(
            text("SELECT id, customer_id, kind FROM touch WHERE kind != 'callback' ORDER BY id")
        ).all()
        chosen = random.Random(11)
        rows = []
        for back in range(months):
            for touch_id, customer_id, kind in chosen.sample(touches, min(TOUCHES_A_MONTH, len(touches))):
                at = dt.datetime.combine(today, dt.time(12)) - dt.timedelta(
                    days=30 * back + chosen.randrange(30)
                )
                rows.append(
                    {
                        "touch_id": touch_id,
                        "customer_id": customer_id,
                        "at": at,
                        "who": "bench",
                        "outcome": "done",
                        "kind": kind,
                        "note": "",
                        "subject": "",
                        "body": "",
                    }
                )
        session.execute(insert(core_table(TouchLogRecord)), rows)
    return len(rows)


def measure(services, log=print, label: str = "") -> list[Figure]:
    """``services``: on a copy of the demo database, which this writes done touches into;
    ``label`` starts every figure's name."""
    value = services.value
    today = services.touches.today()
    index = today.year * 12 + today.month - 1 - 11
    first = dt.date(index // 12, index % 12 + 1, 1)
    log(f"  {done_touches(services, today)} done touches logged on the work copy")
    bare = Bare(services)
    try:
        baseline = median_time(lambda: bare.rows(BARE_SQL), 3)
        ids = [row[0] for row in bare.rows("SELECT id FROM customer ORDER BY id")]
        picks = random.Random(7).sample(ids, 20)
        one_baseline = median_time(lambda: [bare.rows(BARE_ONE, (c,)) for c in picks], 3) / 20
    finally:
        bare.close()
    reports = {
        "value": lambda: value.value(),
        "retention": lambda: value.retention(first, today, "month"),
        "churn": lambda: value.churn(first, today),
        "care-effect": lambda: value.care_effect(first, today),
    }
    figures = []
    for name, run in reports.items():
        cold, _result = timed(run)
        warm = median_time(run, 3)
        log(f"  report {name}: warm {warm:.2f} s, first call {cold:.2f} s")
        figures.append(
            below(
                f"{label}value report: {name}, last 12 months",
                warm,
                1.0,
                baseline=baseline,
                baseline_name="bare SQL aggregate per customer",
                note=f"first call {cold:.2f} s",
            )
        )
    cold, _panel = timed(lambda: value.customer_value(picks[0]))
    warm = median_time(lambda: [value.customer_value(c) for c in picks], 3) / 20
    log(f"  value panel: warm {warm * 1000:.1f} ms, first call (the shop's scale made) {cold:.2f} s")
    figures.append(
        below(
            f"{label}customer page: value panel",
            warm,
            0.05,
            baseline=one_baseline,
            baseline_name="bare SQL sum of one customer's rows",
            note=f"first call, making the shop's RFM scale and co-purchase table: {cold:.2f} s",
        )
    )
    return figures
