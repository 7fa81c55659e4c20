"""Planning everyone (other care settings) in slices: other writers get in between slices, a stop
between slices leaves the next call to plan everyone again, and readers that must not plan everyone
(the window, while the refresh runs on its own thread) get the stored plan as it is.

A new day alone no longer plans everyone (issue 14): only the customers the day moves are planned,
which is cheap enough for any reader; so these tests move the care settings (the marketing cap) to
make a full plan, the way a settings change does."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from careapp.context import Services
from careapp.services.care import plan_store as care_plan_store
from careapp.services.care.plan_store import PLAN, PlanningStopped, ensure_planned, read_state
from careapp.services.care.touches import write_lock
from careapp.services.shop.staff import Actor
from tests.services.test_care_incremental import Edits, check_same, demo_shop, from_scratch


def _next_day_without_refresh(services: Services, clock: list[dt.datetime]) -> dt.date:
    clock[0] += dt.timedelta(days=1)
    return clock[0].date()


def _other_settings(services: Services, owner: Actor) -> None:
    """A new marketing cap: the stored plan no longer fits anyone, so the next plan is a full one."""
    care = services.touches.care_settings()
    services.touches.save_care_settings(owner, replace(care, marketing_cap=care.marketing_cap + 1))


def test_a_writer_gets_in_between_the_slices_of_a_full_plan_and_its_change_is_planned_next(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = demo_shop(services, clock, 120)
    monkeypatch.setattr(care_plan_store, "PLAN_CHUNK", 20)
    day = _next_day_without_refresh(services, clock)
    _other_settings(services, owner)
    edits = Edits(services, clock, random.Random(3), owner)
    written: list[str] = []

    def write_between_slices() -> bool:
        # Another seat or thread saving while the plan runs: it must not wait for the whole plan
        # (with the write lock held throughout, SQLite would time out here and PostgreSQL would
        # wait for ever on the named lock, the plan being on this same thread).
        if len(written) < 3:
            written.append(edits.consent())
        return False

    care = services.touches.care_settings()
    changed = ensure_planned(services.db, day, care, lock=write_lock, should_stop=write_between_slices)
    assert changed is not None
    assert len(written) == 3
    # What was written during the plan is noted after its watermark: the next read plans it.
    check_same(services, day, f"a full plan with {written} in between its slices")


def test_a_full_plan_stopped_between_slices_is_done_again_by_the_next_call(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = demo_shop(services, clock, 80)
    monkeypatch.setattr(care_plan_store, "PLAN_CHUNK", 10)
    day = _next_day_without_refresh(services, clock)
    _other_settings(services, owner)
    care = services.touches.care_settings()
    asked: list[int] = []

    def stop_at_the_third_slice() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(PlanningStopped):
        ensure_planned(services.db, day, care, lock=write_lock, should_stop=stop_at_the_third_slice)
    with services.db.session() as session:
        signature, _ = read_state(session, PLAN)
    assert signature is not None and signature["day"] != day.isoformat()  # not marked as planned
    check_same(services, day, "a stopped full plan, then a read")


def test_a_refresh_told_to_stop_raises_and_the_next_refresh_finishes_the_day(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 60)
    clock[0] += dt.timedelta(days=1)
    _other_settings(services, owner)
    with pytest.raises(PlanningStopped):
        services.touches.refresh(should_stop=lambda: True)
    services.touches.refresh()
    check_same(services, clock[0].date(), "a stopped refresh, then a whole one")


def test_a_read_that_must_not_plan_everyone_gets_the_stored_plan_as_it_is(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 80)
    yesterday = clock[0].date()
    stored = services.care_queue.queue(yesterday)
    with services.db.session() as session:
        before = read_state(session, PLAN)
    today = _next_day_without_refresh(services, clock)

    _other_settings(services, owner)
    shown = services.care_queue.queue(page=50, plan_all=False)
    with services.db.session() as session:
        assert read_state(session, PLAN) == before  # nothing planned, nothing stored
    assert sum(shown.counts().values()) == sum(stored.counts().values())
    assert services.care_overview.overview(plan_all=False) is not None
    with services.db.session() as session:
        assert read_state(session, PLAN) == before

    services.touches.refresh()  # the background refresh plans the day
    planned = services.care_queue.queue(page=50, plan_all=False)
    assert planned.today == today
    assert planned.counts() == from_scratch(services, today).counts()


def test_a_read_that_must_not_plan_everyone_still_plans_a_few_changed_customers(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 80)
    edits = Edits(services, clock, random.Random(5), owner)
    for _ in range(5):
        edits.consent()
    queue = services.care_queue.queue(plan_all=False)
    expected = from_scratch(services, clock[0].date())
    for (title, got), (_, want) in zip(queue.sections(), expected.sections(), strict=True):
        assert got == want, title


def test_a_new_day_alone_is_planned_by_any_reader_and_only_for_the_customers_it_moves(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_shop(services, clock, 80)
    services.care_queue.queue()
    today = _next_day_without_refresh(services, clock)
    planned: list[int] = []
    real = care_plan_store.plan_customers

    def counted(session, day, settings, ids, loaded=None):  # type: ignore[no-untyped-def]
        planned.append(len(ids) if ids is not None else -1)
        return real(session, day, settings, ids, loaded)

    monkeypatch.setattr(care_plan_store, "plan_customers", counted)
    shown = services.care_queue.queue(page=50, plan_all=False)  # the window's read: no full plan
    assert shown.today == today
    assert planned and -1 not in planned and max(planned) < 80  # some customers, never everyone
    monkeypatch.setattr(care_plan_store, "plan_customers", real)
    assert shown.counts() == from_scratch(services, today).counts()
    check_same(services, today, "a new day planned for the customers it moves")


def test_a_new_day_with_a_touch_never_planned_plans_its_customer(
    services: Services, clock: list[dt.datetime]
) -> None:
    """A touch stored but not planned yet (no plan day) beside others must not break a new day's
    plan (the bench hit a comparison with None), and its customer is planned."""
    from sqlalchemy import select, update

    from careapp.db.models import TouchRecord

    demo_shop(services, clock, 60)
    services.care_queue.queue()
    with services.db.session() as session:
        touch_id, customer_id = session.execute(
            select(TouchRecord.id, TouchRecord.customer_id).where(TouchRecord.status == "open").limit(1)
        ).one()
        session.execute(update(TouchRecord).where(TouchRecord.id == touch_id).values(plan_day=None))
    today = _next_day_without_refresh(services, clock)
    with services.db.session() as session:
        moved = care_plan_store.moved_by_the_day(session, today - dt.timedelta(days=1), today)
    assert customer_id in moved
    services.care_queue.queue(page=20, plan_all=False)  # plans the new day without failing
    check_same(services, today, "a new day with a touch never planned")
