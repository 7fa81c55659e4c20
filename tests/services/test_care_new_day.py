"""A new day re-plans only the customers whose plan the date moves, and that is the plan planning
everyone gives, day after day, with nothing else changed: same rows, same plan columns. The days of
a demo shop with a cap of one touch in five days include the case the cap used to move daily: a
customer with a touch due now and not done, and later touches a window's length ahead (see
careapp.domain.care_queue, step 5). With the cap counting such a touch only in windows that reach
today and no band of customers re-planned for it, this test fails."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import TouchRecord
from careapp.services.care import plan_store
from tests.services.test_care_incremental import demo_shop, generated_and_planned
from tests.services.test_care_incremental_property import forget_state


def test_each_new_day_plans_only_what_it_moves_and_that_is_the_plan_of_everyone(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = demo_shop(services, clock, 200)
    care = services.touches.care_settings()
    services.touches.save_care_settings(owner, replace(care, marketing_cap=1, cap_window_days=5))
    services.touches.refresh()
    planned: list[int] = []
    real = plan_store.plan_customers

    def counting(session, today, settings, customer_ids, loaded=None):  # type: ignore[no-untyped-def]
        planned.append(len(customer_ids) if customer_ids is not None else -1)
        return real(session, today, settings, customer_ids, loaded)

    waiting = 0
    for _ in range(8):
        clock[0] += dt.timedelta(days=1)
        planned.clear()
        monkeypatch.setattr(plan_store, "plan_customers", counting)
        services.touches.refresh()
        monkeypatch.setattr(plan_store, "plan_customers", real)
        assert planned and -1 not in planned and sum(planned) < 200  # some customers, never everyone
        incremental = generated_and_planned(services)

        forget_state(services)
        assert services.touches.refresh().generated == 0
        assert generated_and_planned(services) == incremental, f"the plan of {clock[0].date()} differs"
        with services.db.session() as session:
            reasons = session.scalars(select(TouchRecord.plan_reason).where(TouchRecord.status == "open"))
            waiting += sum(1 for reason in reasons if reason and "has a touch due now" in reason)
    assert waiting  # the case the cap used to move daily was there to be checked


def test_a_customer_not_changed_since_the_refresh_is_planned_with_the_kept_anchor(
    services: Services, clock: list[dt.datetime]
) -> None:
    """Planning reads a customer's last real contact from care_wake.anchor_on when nothing changed
    since the refresh kept it: an anchor later than an open check-in's (set by hand here, which no
    writer does) cancels that check-in as a contact since would."""
    from sqlalchemy import update

    from careapp.db.models import CareWakeRecord

    demo_shop(services, clock, 60)
    with services.db.session() as session:
        check_in = session.scalars(
            select(TouchRecord).where(TouchRecord.status == "open", TouchRecord.kind == "check_in").limit(1)
        ).one()
        touch_id, customer_id = check_in.id, check_in.customer_id
        occasion = dt.date.fromisoformat(json.loads(check_in.payload_json)["occasion"])
        later = occasion + dt.timedelta(days=1)
        session.execute(
            update(CareWakeRecord).where(CareWakeRecord.customer_id == customer_id).values(anchor_on=later)
        )
        session.execute(update(TouchRecord).where(TouchRecord.id == touch_id).values(plan_day=None))
    clock[0] += dt.timedelta(days=1)
    services.touches.refresh()
    with services.db.session() as session:
        row = session.get(TouchRecord, touch_id)
        assert row is not None and row.status == "cancelled"
        assert "has been in touch since" in row.reason
