"""The first-contact resolution report for a year (ReportService.fcr, by month), against a bare SQL
aggregate over the same tickets: the tickets first resolved in the year, by month, with how many had a
single inbound contact (gross FCR's numerator, roughly), in one query run with sqlite3. On PostgreSQL
the baseline is the very statements the warm report sent, replayed with bare psycopg (bench/bare.py)."""

from __future__ import annotations

import datetime as dt

from bench.bare import Bare
from bench.common import Figure, below, median_time, timed

BARE_SQL = """
WITH first_resolved AS (
    SELECT ticket_id, min(at) AS at FROM ticket_state_change WHERE new = 'resolved' GROUP BY ticket_id
), inbound AS (
    SELECT ticket_id, count(*) AS n FROM contact WHERE direction = 'in' AND ticket_id IS NOT NULL
    GROUP BY ticket_id
)
SELECT strftime('%Y-%m', f.at) AS month, count(*), sum(coalesce(i.n, 0) <= 1)
FROM first_resolved f JOIN ticket t ON t.id = f.ticket_id LEFT JOIN inbound i ON i.ticket_id = f.ticket_id
WHERE f.at >= ? AND f.at < ? AND t.exclusion IS NULL
GROUP BY month ORDER BY month
"""


def measure(services, log=print, label: str = "") -> list[Figure]:
    """``label`` starts every figure's name (the database, when it is not the SQLite file)."""
    today = dt.date.today()
    first = today - dt.timedelta(days=364)

    def report():
        return services.reports.fcr(first, today, "month")

    cold, result = timed(report)
    warm = median_time(report, 3)
    bare = Bare(services)
    try:
        if bare.postgres:  # the very statements a warm report sends, replayed
            _result, statements = bare.catch(services, report)
            baseline = median_time(lambda: bare.replay(statements), 3)
            baseline_name = f"the same statements, bare {bare.driver}"
            bare_total = f"{len(statements)} statements replayed"
        else:
            bounds = (first.isoformat(), (today + dt.timedelta(days=1)).isoformat())
            baseline = median_time(lambda: bare.rows(BARE_SQL, bounds), 3)
            baseline_name = "bare SQL aggregate"
            bare_total = str(sum(row[1] for row in bare.rows(BARE_SQL, bounds)))
    finally:
        bare.close()
    log(
        f"  FCR year: {result.report.total.cohort} tickets in the cohort (bare SQL: {bare_total}), "
        f"first call {cold:.2f} s"
    )
    return [
        below(
            f"{label}FCR report, one year",
            warm,
            0.5,
            baseline=baseline,
            baseline_name=baseline_name,
            note=f"{result.report.total.cohort} tickets; first call {cold:.2f} s",
        ),
        # A user's report is a first call (a new process: bench/commands.py); here, in this process.
        below(
            f"{label}FCR report, one year, first call",
            cold,
            0.5,
            baseline=baseline,
            baseline_name=baseline_name,
        ),
    ]
