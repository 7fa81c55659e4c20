"""A pass over everyone works out quiet customers (nothing dated yet, as a fresh import's) once per
distinct stage, first known day and tags instead of loading each one's facts (issue 14: a refresh right
after a 100,000-row import). It must store exactly what loading every customer's facts stores: the same
touches, wake days, kept anchors and stage changes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from careapp.context import Services
from careapp.db.changes import read_counters
from careapp.db.models import CareWakeRecord, CustomerRecord, TouchRecord
from careapp.domain.customer import LoyaltyStage, PartialDate
from careapp.domain.touches import Interval
from careapp.services.care import touches as touches_module
from careapp.services.care.articles import ArticleDraft
from careapp.services.customers.service import CustomerDraft
from tests.services.test_care_incremental import demo_shop, generated_and_planned, start_over

STAGES = [LoyaltyStage.PROSPECT, LoyaltyStage.CUSTOMER, LoyaltyStage.CLIENT, LoyaltyStage.ADVOCATE]
TAG_SETS = [[], ["vip"], ["tea"], ["Tea", "walks"], ["coffee"]]


def add_quiet_customers(services: Services, clock: list[dt.datetime], count: int) -> None:
    """Customers with a stage, tags and a first known day, nothing dated; every seventh has a birthday
    (so not quiet), to mix both kinds in one slice."""
    start = clock[0]
    for n in range(count):
        clock[0] = start - dt.timedelta(days=(n * 37) % 200)
        draft = CustomerDraft(
            first_name=f"Quiet{n}",
            last_name="Park",
            loyalty_stage=STAGES[n % len(STAGES)],
            tags=TAG_SETS[n % len(TAG_SETS)],
            birthday=PartialDate(12, 10 + n % 10, 1980) if n % 7 == 0 else None,
        )
        services.customers.create(draft, "test")
    clock[0] = start


def stored(services: Services) -> tuple[object, ...]:
    w = CareWakeRecord
    with services.db.session() as session:
        wakes = session.execute(select(w.customer_id, w.wake_on, w.anchor_on).order_by(w.customer_id)).all()
    return generated_and_planned(services), [tuple(row) for row in wakes]


@pytest.mark.parametrize("tag_rules", [False, True], ids=["tags unread", "tags read"])
def test_quiet_customers_are_stored_as_loading_everyones_facts_stores_them(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch, tag_rules: bool
) -> None:
    owner = demo_shop(services, clock, 40)
    if tag_rules:  # a tag's check-in interval, and an article on a tag's topic: some quiet ones get touches
        services.articles.add(owner, ArticleDraft("All about tea", "https://example.com/tea", "", ("tea",)))
        rule_set = services.touches.rule_set()
        check_in = replace(rule_set.rules.check_in, by_tag={"vip": Interval(20, 60)})
        services.touches.save_rules(owner, replace(rule_set.rules, check_in=check_in), rule_set.versions)
    add_quiet_customers(services, clock, 90)
    loaded: list[int] = []
    real_load = touches_module.load_facts

    def counting_load(*args: object, **kwargs: object) -> object:
        found = real_load(*args, **kwargs)  # type: ignore[arg-type]
        loaded.append(len(found.facts))
        return found

    monkeypatch.setattr(touches_module, "load_facts", counting_load)
    results = []
    for quiet_path in (False, True):
        start_over(services)
        services.touches.quiet_path = quiet_path
        services.touches.chunk_size = 25  # several slices, each with quiet customers and others
        days = [clock[0], clock[0] + dt.timedelta(days=1), clock[0] + dt.timedelta(days=45)]
        for number, moment in enumerate(days):
            clock[0] = moment
            loaded.clear()
            services.touches.refresh()
            if number == 0:
                first_pass = (sum(loaded), untouched_quiet(services))
        clock[0] = days[0]
        results.append((stored(services), first_pass))
    (everyone, (loaded_everyone, _)), (quiet, (loaded_quiet, untouched)) = results
    assert quiet == everyone
    (touches, stages), wakes = quiet
    assert len(wakes) == 130 and len(stages) >= 130
    # The first pass loaded the facts of everyone but the quiet customers it made no touch for.
    assert loaded_everyone == 130
    assert len(untouched) >= 5 and loaded_quiet == 130 - len(untouched)
    if tag_rules:
        quiet_kinds = {row[2] for row in touches if row[1] > 40}
        assert {"check_in", "article_share"} <= quiet_kinds


def untouched_quiet(services: Services) -> set[int]:
    """The added customers with no birthday and no touch made."""
    c, t = CustomerRecord, TouchRecord
    with services.db.session() as session:
        touched = select(t.customer_id)
        return set(
            session.scalars(
                select(c.id).where(c.id > 40, c.birthday_month.is_(None), c.id.not_in(touched))
            )
        )


def test_the_wake_days_and_stage_changes_written_beside_the_orm_are_counted(
    services: Services, clock: list[dt.datetime]
) -> None:
    """The pass writes wake rows with the driver's executemany and stage changes with INSERT ...
    SELECT: other screens must still hear of them, through the change counters."""
    add_quiet_customers(services, clock, 20)
    start_over(services)  # no stage noted yet: the pass notes every customer's first sighting
    with services.db.session() as session:
        before = read_counters(session)
    services.touches.refresh()
    with services.db.session() as session:
        after = read_counters(session)
        wakes = session.scalar(select(func.count()).select_from(CareWakeRecord))
    assert wakes == 20
    assert after["care"] > before.get("care", 0) and after["customers"] > before.get("customers", 0)
    services.touches.refresh()  # nothing new: nothing written, no counter moved
    with services.db.session() as session:
        assert read_counters(session)["customers"] == after["customers"]
