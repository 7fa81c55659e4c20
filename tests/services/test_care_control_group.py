"""The control group in the stored care plan, on a real migrated database: turning it on (the owner,
through the value service) re-plans everyone, so the marketing touches of the customers drawn are held
with the reason and nobody else's change; turning it off brings them back; the incremental queue stays
the queue planned from scratch (tests/services/test_care_incremental.py's check) throughout."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from careapp.context import Services
from careapp.domain.care_queue import CONTROL_GROUP_HELD
from careapp.services.care.plan_store import PLAN, read_state
from careapp.services.shop.staff import PermissionDenied, Role
from tests.services.test_care_incremental import Edits, check_same, demo_shop

# A fixed seed, so the group drawn is the same every run; with it, the Held section has check-ins days
# past beside today's follow-ups (which the stored plan's SQL once ordered unlike the domain).
SEED = "5eed0f1ce5a1e5c0"


def held_for_control(services: Services, day: dt.date) -> set[str]:
    queue = services.care_queue.queue(day)
    return {e.key for e in queue.held if e.reason == CONTROL_GROUP_HELD}


def test_the_control_group_holds_its_customers_touches_and_re_plans_everyone(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("careapp.services.value.service.secrets.token_hex", lambda _n: SEED)
    owner = demo_shop(services, clock, 300)
    today = services.touches.today()
    before = check_same(services, today, "the first refresh")
    assert not held_for_control(services, today)

    group = services.value.save_control_group(owner, True, 10)
    with services.db.session() as session:
        assert read_state(session, PLAN)[0]["control"] is None  # the stored plan was for no group
    after = check_same(services, today, "the control group turned on")
    with services.db.session() as session:
        assert read_state(session, PLAN)[0]["control"] == {"percent": 10, "seed": group.seed}
    held = {e.key: e for e in after.held if e.reason == CONTROL_GROUP_HELD}
    assert held, "no touch of a control customer was held"
    assert {e.customer_id for e in held.values()} <= {c for c in range(1, 400) if group.holds(c)}
    for entry in after.entries():  # every open marketing touch of a control customer is held
        if group.holds(entry.customer_id) and not entry.is_service:
            assert entry.key in held, f"{entry.key} of a control customer is {entry.status}"
    # Whoever is outside the group kept their place (the group's touches came out of the queue).
    outside = {e.key: e.status for e in before.entries() if not group.holds(e.customer_id)}
    assert {e.key: e.status for e in after.entries() if e.key in outside} == outside

    # Edits and a new day: the incremental plan still equals the plan from scratch.
    edits = Edits(services, clock, random.Random(3), owner)
    for step in range(20):
        what = edits.next_day() if step == 10 else edits.random()
        check_same(services, services.touches.today(), f"step {step}: {what}")

    services.value.save_control_group(owner, False, 10)
    assert not held_for_control(services, services.touches.today())
    check_same(services, services.touches.today(), "the control group turned off")


def test_only_the_owner_changes_the_control_group(services: Services, clock: list[dt.datetime]) -> None:
    owner = demo_shop(services, clock, 20)
    staff = services.staff.add(owner, "Sam", Role.STAFF).actor()
    with pytest.raises(PermissionDenied):
        services.value.save_control_group(staff, True, 5)
    with pytest.raises(ValueError, match="5 to 10 %"):
        services.value.save_control_group(owner, True, 20)
    assert not services.value.control_group().enabled
