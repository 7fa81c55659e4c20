"""The daily limit's kept touches and the carried-over pages, read kind by kind from the index on
(status, kind, placement, day, key) and merged (migration 0017), are exactly what one query ordered
by the domain's priority (time-bound kinds first, then day, then key) gives."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import delete, insert, select

from careapp.context import Services
from careapp.db.models import TouchRecord, core_table
from careapp.domain.care_queue import TIME_BOUND_KINDS
from careapp.domain.customer import CustomerDraft
from careapp.domain.touches import TouchKind
from careapp.services.care.sections import Sections, _kept_by_the_limit

TODAY = dt.date(2026, 11, 23)
LIMIT = 7


def _fill(services: Services) -> list[dict[str, object]]:
    """Open touches of every kind, queued or held, due over three weeks around TODAY; the keys are
    in an order of their own, unrelated to the ids."""
    customer = services.customers.create(CustomerDraft(first_name="Ann", last_name="Evans"), "test").id
    chance = random.Random(14)
    rows = []
    for number in range(160):
        kind = chance.choice([k for k in TouchKind if k is not TouchKind.CALLBACK]).value
        day = TODAY + dt.timedelta(days=chance.randint(-14, 3))
        rows.append(
            {
                "key": f"k{chance.randrange(10**6):06d}-{number:03d}",
                "customer_id": customer,
                "kind": kind,
                "due": day,
                "status": "open",
                "created_at": dt.datetime(2026, 11, 1),
                "plan_placement": chance.choice(["queued", "queued", "queued", "held"]),
                "plan_day": day,
                "plan_last_day": day + dt.timedelta(days=chance.choice([0, 0, 10])),
                "plan_at": dt.datetime.combine(day, dt.time()),
            }
        )
    with services.db.session() as session:
        session.execute(delete(TouchRecord))
        session.execute(insert(core_table(TouchRecord)), rows)
    return rows


def _rank(kind: str) -> int:
    return 1 if TouchKind(kind) in TIME_BOUND_KINDS else 2


def test_the_kept_touches_are_the_oldest_by_priority(services: Services) -> None:
    rows = _fill(services)
    due_now = [r for r in rows if r["plan_placement"] == "queued" and r["plan_day"] <= TODAY]  # type: ignore[operator]
    expected = sorted(due_now, key=lambda r: (_rank(str(r["kind"])), r["plan_day"], r["key"]))[:LIMIT]
    with services.db.session() as session:
        kept = _kept_by_the_limit(session, core_table(TouchRecord), TODAY, LIMIT)
        table = core_table(TouchRecord)
        keys = {row.id: row.key for row in session.execute(select(table.c.id, table.c.key))}
    assert [keys[i] for i in kept] == [r["key"] for r in expected]


def test_carried_over_pages_follow_the_order_of_one_sorted_query(services: Services) -> None:
    _fill(services)
    with services.db.session() as session:
        sections = Sections(session, TODAY, LIMIT)
        for bucket in (0, 1):
            whole = [row.key for row in sections._page(session, "carried_over", bucket, 0, None)]
            assert len(whole) > 10  # enough for several pages, across both ranks
            paged: list[str] = []
            for offset in range(0, len(whole) + 3, 4):
                paged += [row.key for row in sections._carried(session, bucket, offset, 4)]
            assert paged == whole
