"""Property (issue 14): whatever the sequence of changes and days, the touches and the plan kept up to
date incrementally are exactly what a full regeneration and a full plan give: same rows, same keys.

Hypothesis draws a sequence of steps: consents given or withdrawn, purchases, calls (chats,
complaints, callbacks promised), customers edited, touches done, snoozed or skipped, refreshes, and
the day moving on by one or several days (with and without a refresh that day). The shop then works
the way careapp does: each refresh and each read works only on the customers the triggers noted, those
whose wake day came, and those the new day moves. At the end the stored touches and their plan are
read (A); then the refresh's and the plan's state are forgotten, so the next refresh goes through
every customer and the next read plans everyone (B). A must equal B, row for row, on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from careapp.context import Services
from careapp.db.models import CarePlanStateRecord
from tests.services.test_care_incremental import Edits, demo_shop, generated_and_planned

STEPS = ("consent", "purchase", "call", "edit", "act", "refresh", "next_day", "days_later", "quiet_day")


def apply(edits: Edits, step: str) -> str:
    if step == "next_day":
        return edits.next_day()
    if step == "days_later":  # careapp closed for a few days, then started (one refresh)
        edits.clock[0] += dt.timedelta(days=edits.rng.randrange(2, 9))
        edits.services.touches.refresh()
        return f"started again on {edits.clock[0].date()}"
    if step == "quiet_day":  # a new day on which only the window read the queue (no refresh)
        edits.clock[0] += dt.timedelta(days=1)
        edits.services.care_queue.queue(page=20, plan_all=False)
        return f"the queue read on {edits.clock[0].date()}"
    return str(getattr(edits, step)())


def forget_state(services: Services) -> None:
    with services.db.session() as session:
        session.execute(delete(CarePlanStateRecord))


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.sampled_from(STEPS), min_size=4, max_size=14),
    seed=st.integers(0, 10_000),
    cap=st.sampled_from([1, 2]),
)
def test_incremental_touches_and_plan_equal_a_full_regeneration(
    services: Services, clock: list[dt.datetime], steps: list[str], seed: int, cap: int
) -> None:
    owner = demo_shop(services, clock, 60)
    # A cap of one marketing touch in the window makes capped and crowded customers common, so the
    # parts of a new day's plan that depend on the cap are exercised too.
    care = services.touches.care_settings()
    services.touches.save_care_settings(owner, replace(care, marketing_cap=cap))
    edits = Edits(services, clock, random.Random(seed), owner)
    done = [apply(edits, step) for step in steps]
    services.touches.refresh()
    services.care_queue.queue()
    incremental = generated_and_planned(services)

    forget_state(services)
    everyone = services.touches.refresh()
    services.care_queue.queue()
    assert everyone.generated == 0, f"a full refresh found touches the incremental ones missed: {done}"
    full = generated_and_planned(services)
    differ = [(a, b) for a, b in zip(incremental[0], full[0], strict=False) if a != b][:3]
    assert full == incremental, f"the plan differs after {done} (cap {cap}): incremental, full: {differ}"
    start_again(services)


def start_again(services: Services) -> None:
    """Hypothesis runs the examples on the one database of the test: empty it for the next one."""
    from sqlalchemy import text

    from careapp.db.models import Base

    with services.db.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in ("alembic_version", "change_counter"):
                session.execute(text(f"DELETE FROM {table.name}"))
