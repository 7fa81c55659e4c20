"""Property (issue 14): whatever the sequence of changes and days, the touches and the plan kept up to
date incrementally are exactly what a full regeneration and a full plan give: same rows, same keys.

Hypothesis draws a sequence of steps: consents given or withdrawn, purchases, calls (chats,
complaints, callbacks promised), customers edited, touches done, snoozed or skipped, refreshes, and
the day moving on by one or several days (with and without a refresh that day). The same steps run
on two databases of the same backend, built alike:

- the shop's: careapp as it works, each refresh and each read working only on the customers the
  triggers noted, those whose wake day came, and those the new day moves;
- the reference: every refresh starts with no refresh or plan state, so it regenerates every
  customer's touches from their facts, and every read of the queue plans everyone from all their
  facts (no kept anchor, no wake day). No touch there was ever made by the incremental path, so a
  touch the incremental path made wrongly (or missed) is on one side only.

After every step, and after a last refresh and read, both databases must hold the same touches (key,
customer, kind, due day, status, channel, reason and plan) and the same stage changes, on SQLite and
on PostgreSQL. The steps act on touches the queue shows, so the two shops stay in step only while
their queues agree.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text

from careapp.context import Services, build_services
from careapp.db.models import Base, CarePlanStateRecord
from careapp.services.care.plan_store import PLAN, plan_signature, read_state
from careapp.services.care.queue import CareQueue
from careapp.services.care.touches import RefreshResult
from careapp.services.shop.control_group import read_control_group
from tests.conftest import another_database
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
    """Forget the refresh's and the plan's state: the next refresh works on every customer (with no
    kept anchor) and the next read plans everyone."""
    with services.db.session() as session:
        session.execute(delete(CarePlanStateRecord))


def always_from_scratch(services: Services) -> None:
    """Make every refresh of ``services`` regenerate everyone's touches and every read of its queue
    plan everyone: the reference the incremental refresh and plan must equal."""
    refresh, queue = services.touches.refresh, services.care_queue.queue

    def full_refresh(*args: Any, **kwargs: Any) -> RefreshResult:
        forget_state(services)
        return refresh(*args, **kwargs)

    def full_read(*args: Any, plan_all: bool = True, **kwargs: Any) -> CareQueue:
        if not plan_all and not plans_when_read(services):  # read as stored, as careapp does
            return queue(*args, plan_all=False, **kwargs)
        forget_state(services)
        return queue(*args, **kwargs)

    setattr(services.touches, "refresh", full_refresh)  # noqa: B010 (mypy refuses a method assigned)
    setattr(services.care_queue, "queue", full_read)  # noqa: B010


def plans_when_read(services: Services) -> bool:
    """Whether a read with ``plan_all`` False brings the plan up to date: only when the stored plan is
    of the same care settings and control group, for today or an earlier day. Otherwise (the settings
    changed) planning everyone is left to the next refresh and the stored plan is read as it is."""
    care = services.touches.care_settings()
    with services.db.session() as session:
        stored, _ = read_state(session, PLAN)
        wanted = plan_signature(services.touches.today(), care, read_control_group(session))
    if stored is None:
        return False
    return stored.pop("day") <= wanted.pop("day") and stored == wanted


@pytest.fixture
def reference(
    db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Services, list[dt.datetime]]]:
    """A second database of the same backend, fresh from the same migrations, with its own clock,
    whose refreshes and reads always start from scratch (:func:`always_from_scratch`)."""
    with another_database(db_backend, tmp_path / "reference", request) as paths:
        clock = [dt.datetime(2026, 1, 1)]
        built = build_services(paths, clock=lambda: clock[0])
        always_from_scratch(built)
        yield built, clock
        built.close()


def set_up_shop(services: Services, clock: list[dt.datetime], seed: int, cap: int) -> Edits:
    start_again(services)
    owner = demo_shop(services, clock, 60)
    # A cap of one marketing touch in the window makes capped and crowded customers common, so the
    # parts of a new day's plan that depend on the cap are exercised too.
    care = services.touches.care_settings()
    services.touches.save_care_settings(owner, replace(care, marketing_cap=cap))
    return Edits(services, clock, random.Random(seed), owner)


@settings(
    max_examples=30,  # about 45 s on PostgreSQL, 20 s on SQLite (2 cores)
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
    services: Services,
    clock: list[dt.datetime],
    reference: tuple[Services, list[dt.datetime]],
    steps: list[str],
    seed: int,
    cap: int,
) -> None:
    full, full_clock = reference
    shop = set_up_shop(services, clock, seed, cap)
    scratch = set_up_shop(full, full_clock, seed, cap)
    same_rows(services, full, "after the demo shop was made")
    done: list[str] = []
    for step in steps:
        done.append(apply(shop, step))
        assert apply(scratch, step) == done[-1], f"the shops acted differently after {done[:-1]}"
        same_rows(services, full, f"after {done} (cap {cap})")
    for side in (services, full):
        side.touches.refresh()
        side.care_queue.queue()
    touches, _ = generated_and_planned(services)
    assert touches, "no touch at all: nothing was compared"
    same_rows(services, full, f"after {done} (cap {cap}), a refresh and a read")


def stored_rows(services: Services) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The touches by key and the stage changes: those of one customer sorted by what they say, as
    the two databases may hand out their ids in another order."""
    touches, stages = generated_and_planned(services)
    return touches, sorted(stages, key=repr)


def same_rows(incremental: Services, full: Services, when: str) -> None:
    mine, reference = stored_rows(incremental), stored_rows(full)
    if mine == reference:
        return
    keys = {str(row[0]): row for row in mine[0]}
    wanted = {str(row[0]): row for row in reference[0]}
    extra = sorted(keys.keys() - wanted.keys())[:3]
    missing = sorted(wanted.keys() - keys.keys())[:3]
    differ = [(keys[k], wanted[k]) for k in sorted(keys.keys() & wanted.keys()) if keys[k] != wanted[k]][:3]
    raise AssertionError(
        f"{when}: the incremental touches differ from a full regeneration: made only incrementally "
        f"{extra}, only by the full one {missing}, planned differently (incremental, full) {differ}, "
        f"stage changes equal: {mine[1] == reference[1]}"
    )


def start_again(services: Services) -> None:
    """Hypothesis runs the examples on the same databases: empty them before each one (after a failed
    example too, so shrinking starts clean)."""
    with services.db.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in ("alembic_version", "change_counter"):
                session.execute(text(f"DELETE FROM {table.name}"))
