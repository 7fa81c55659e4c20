"""The Overview's "drifting away" read from the anchors the refresh keeps (``care_wake.anchor_on``)
is the list the customers' facts give, whichever way it is read: by stage from the anchors, by tag
from the anchors, changed customers from their facts before any refresh, and, before a refresh of
this version has filled the anchors (as just after the upgrade), everyone from grouped queries.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import CarePlanStateRecord, CareWakeRecord
from careapp.domain.tickets import ContactChannel, Direction
from careapp.domain.touches import Interval, last_real_contact
from careapp.services.care.facts import load_facts
from careapp.services.care.plan_store import REFRESH, stale_anchors
from careapp.services.care.planning import minimal_window
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput
from tests.services.test_care_incremental import demo_shop

Row = tuple[int, dt.date | None, int, int]


def from_facts(services: Services) -> list[Row]:
    """Every drifting customer, worst first, worked out from every customer's facts."""
    today = services.touches.today()
    care = services.touches.care_settings()
    rule = services.touches.rule_set().rules.check_in
    with services.db.session() as session:
        loaded = load_facts(session, care.tz(), minimal_window(today))
    found = []
    for customer_id, facts in loaded.facts.items():
        interval = rule.interval_for(facts.stage, facts.tags)
        anchor = last_real_contact(facts)
        if interval is not None and anchor is not None and (today - anchor).days > interval.max_days:
            found.append((customer_id, facts.last_contact, (today - anchor).days, interval.max_days))
    return sorted(found, key=lambda d: (-(d[2] - d[3]), d[0]))


def shown(services: Services, limit: int = 1000) -> tuple[list[Row], int]:
    overview = services.care_overview.overview(limit=limit, plan_all=False)
    rows = [(d.customer_id, d.last_contact, d.days_since, d.max_days) for d in overview.drifting]
    return rows, overview.drifting_total


def stale(services: Services) -> set[int] | None:
    zone = services.touches.care_settings().timezone
    with services.db.session() as session:
        return stale_anchors(session, zone)


def exactly_at_the_limit(services: Services, clock: list[dt.datetime], drifting: list[Row]) -> None:
    """On the day the last of these is exactly at their maximum interval, they are not drifting."""
    last = min(drifting, key=lambda row: row[2] - row[3])
    days_past = last[2] - last[3]
    clock[0] -= dt.timedelta(days=days_past)
    expected = from_facts(services)
    assert last[0] not in [row[0] for row in expected]
    assert shown(services) == (expected, len(expected))
    clock[0] += dt.timedelta(days=days_past)


def test_drifting_from_the_anchors_is_what_every_customers_facts_give(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 200)
    clock[0] += dt.timedelta(days=200)  # long enough for many to drift
    services.touches.refresh()
    assert stale(services) == set()  # the anchors are read, nothing left to work out from facts
    with services.db.session() as session:
        anchors = session.scalar(
            select(CareWakeRecord.customer_id).where(CareWakeRecord.anchor_on.is_not(None))
        )
    assert anchors is not None
    expected = from_facts(services)
    assert len(expected) > 20
    assert shown(services) == (expected, len(expected))
    assert shown(services, limit=5) == (expected[:5], len(expected))
    exactly_at_the_limit(services, clock, expected)

    # A call from the worst of them, not yet refreshed: worked out from their facts at once.
    worst = expected[0][0]
    services.tickets.log_contact(
        owner, worst, ContactInput(channel=ContactChannel.PHONE, direction=Direction.IN, summary="Hello")
    )
    assert stale(services) == {worst}
    expected = from_facts(services)
    assert worst not in [row[0] for row in expected]
    assert shown(services) == (expected, len(expected))


def test_drifting_by_tag_and_before_the_anchors_are_filled(
    services: Services, clock: list[dt.datetime]
) -> None:
    demo_shop(services, clock, 200)
    clock[0] += dt.timedelta(days=120)
    rule_set = services.touches.rule_set()
    rules = rule_set.rules
    tagged = replace(rules, check_in=replace(rules.check_in, by_tag={"Coffee": Interval(20, 40)}))
    services.touches.save_rules(Actor("Olivia"), tagged, rule_set.versions)
    services.touches.refresh()
    assert stale(services) == set()
    expected = from_facts(services)
    assert any(row[3] == 40 for row in expected)  # the tag's interval decided for some
    assert shown(services) == (expected, len(expected))
    exactly_at_the_limit(services, clock, [row for row in expected if row[3] == 40])

    # As just after the upgrade: no refresh of this version has filled the anchors yet.
    with services.db.session() as session:
        state = session.get(CarePlanStateRecord, REFRESH)
        assert state is not None
        state.signature_json = json.dumps({**json.loads(state.signature_json), "version": 2})
    assert stale(services) is None
    assert shown(services) == (expected, len(expected))
