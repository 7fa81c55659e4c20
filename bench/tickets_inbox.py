"""The Tickets page's first screen at 20,000 open tickets, against the bare SQL in the same run.

    .venv/bin/python -m bench.tickets_inbox [--tickets 20000] [--runs 7]

Makes its own database in a temp folder (migrated by Alembic; 2,000 demo customers, the demo
tickets all made open, a third of them Sam's): the first screen is what the page does before it can
paint: ``InboxService.keys`` (every line's key, filtered and ordered) and ``InboxService.rows`` for
the first page of 200. The baseline is the same answer from sqlite3 directly: the open tickets with
their last contact, ordered by newest activity, LIMIT 200 with the customer's name. Prints medians
and the ratio; nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from bench.common import Figure, median_time, table

PAGE = 200
BARE = """
SELECT t.id, c.display_name, t.title, t.category, t.state, t.opened_at, t.assignee,
       max(t.updated_at, coalesce((SELECT max(at) FROM contact WHERE ticket_id = t.id), '')) AS last,
       (SELECT min(callback_at) FROM contact WHERE ticket_id = t.id AND callback_done_at IS NULL
          AND outcome = 'callback_promised') AS promise
FROM ticket t JOIN customer c ON c.id = t.customer_id
WHERE t.merged_into_id IS NULL AND t.state IN ('new', 'open', 'waiting_customer', 'waiting_supplier')
ORDER BY last DESC, t.id DESC LIMIT 200
"""


def _make(folder: Path, tickets: int):  # type: ignore[no-untyped-def]
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.services.demo.customers import DemoSpec, fill_demo
    from careapp.services.demo.tickets import fill_demo_tickets
    from tests.ui.test_tickets_inbox import open_them_all

    services = build_services(resolve_paths(str(folder)))
    fill_demo(services.db, DemoSpec(customers=2_000, seed=3, history=0), services.clock())
    fill_demo_tickets(services.db, services.customers.search_ids(""), 3, services.clock(), tickets)
    open_them_all(services)
    return services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from careapp.domain.inbox import InboxFilter, InboxOrder

    with tempfile.TemporaryDirectory() as folder:
        services = _make(Path(folder), args.tickets)
        inbox = services.inbox

        def first_screen() -> int:
            keys = inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam").keys
            return len(inbox.rows(keys[:PAGE]))

        def filtered_screen() -> int:
            keys = inbox.keys(InboxFilter.CALLBACK_OVERDUE, InboxOrder.OLDEST_WAITING, "Sam").keys
            return len(inbox.rows(keys[:PAGE]))

        connection = sqlite3.connect(Path(folder) / "careapp.db")
        assert len(connection.execute(BARE).fetchall()) == PAGE == first_screen()
        bare = median_time(lambda: connection.execute(BARE).fetchall(), args.runs)
        service = median_time(first_screen, args.runs)
        filtered = median_time(filtered_screen, args.runs)
        figures = [
            Figure(
                f"Tickets page first screen, {args.tickets:,} open",
                service,
                baseline=bare,
                baseline_name="bare SQL, first 200 rows",
            ),
            Figure(
                "…filtered to callback overdue, oldest first",
                filtered,
                baseline=bare,
                baseline_name="bare SQL, first 200 rows",
            ),
        ]
        print(table(figures))
        connection.close()
        services.close()


if __name__ == "__main__":
    main()
