"""The stored, incrementally updated care queue is the queue a planning from scratch gives.

A demo shop of a few hundred customers (purchases, contacts, consents, tickets) gets random edits:
consents given and withdrawn, purchases, calls logged (some opening a complaint, some promising a
callback), customers edited, touches done, snoozed and skipped, refreshes, and the day moving on.
After each edit :meth:`CareQueueService.queue` (which re-plans only the customers the triggers noted)
must equal the queue planned from scratch by the domain over every open touch, and a page of it
must be that queue's first entries with the same section sizes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from careapp.context import Services
from careapp.db.models import (
    CareDirtyRecord,
    CarePlanStateRecord,
    CustomerRecord,
    SettingRecord,
    StageChangeRecord,
    TouchRecord,
)
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, ConsentEvent, LoyaltyStage, Purchase
from careapp.domain.tickets import ContactChannel, Direction, Outcome
from careapp.domain.touches import last_real_contact
from careapp.services.care.articles import ArticleDraft
from careapp.services.care.facts import IdRange, id_ranges, load_facts
from careapp.services.care.planning import minimal_window, plan_stored
from careapp.services.care.queue import CareQueue, TouchActionRefused, build_queue
from careapp.services.care.rules import LAST_RUN_KEY
from careapp.services.demo.customers import DemoSpec, fill_demo
from careapp.services.demo.tickets import fill_demo_tickets
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket

START = dt.datetime(2026, 11, 23, 9, 0)


def from_scratch(services: Services, day: dt.date) -> CareQueue:
    """The queue as the domain plans it over every open touch, nothing stored or reused."""
    care = services.touches.care_settings()
    with services.db.session() as session:
        return build_queue(plan_stored(session, day, care))


def check_same(services: Services, day: dt.date, what: str) -> CareQueue:
    queue = services.care_queue.queue(day)
    expected = from_scratch(services, day)
    for (title, got), (_, want) in zip(queue.sections(), expected.sections(), strict=True):
        assert got == want, f"after {what}: {title} differs"
    page = services.care_queue.queue(day, page=3)
    assert page.counts() == expected.counts(), f"after {what}: the page's section sizes differ"
    for (title, got), (_, want) in zip(page.sections(), expected.sections(), strict=True):
        assert got == want[:3], f"after {what}: the first page of {title} differs"
    return queue


class Edits:
    """Random edits a shop makes during a day, each through the services."""

    def __init__(
        self, services: Services, clock: list[dt.datetime], rng: random.Random, actor: Actor
    ) -> None:
        self.services, self.clock, self.rng, self.actor = services, clock, rng, actor
        with services.db.session() as session:
            # In id order: two databases given the same edits must pick the same customers, and
            # PostgreSQL hands rows out in the order they lie on disk, which their pasts decide.
            self.customer_ids = list(session.scalars(select(CustomerRecord.id).order_by(CustomerRecord.id)))

    def customer(self) -> int:
        return self.rng.choice(self.customer_ids)

    def consent(self) -> str:
        customer_id, channel = self.customer(), self.rng.choice(list(Channel))
        granted = self.rng.random() < 0.5
        self.services.customers.record_consent(customer_id, ConsentEvent(channel, granted, self.clock[0]))
        return f"consent {channel} {granted} for {customer_id}"

    def purchase(self) -> str:
        customer_id = self.customer()
        day = self.clock[0].date() - dt.timedelta(days=self.rng.randrange(0, 20))
        self.services.customers.add_purchase(customer_id, Purchase(day, "Grinder", "Grinders", Decimal("89")))
        return f"purchase on {day} for {customer_id}"

    def call(self) -> str:
        customer_id = self.customer()
        kind = self.rng.randrange(3)
        callback = self.clock[0] + dt.timedelta(days=self.rng.randrange(1, 5)) if kind == 2 else None
        contact = ContactInput(
            channel=ContactChannel.PHONE,
            direction=Direction.IN,
            summary="Rang about the grinder",
            new_ticket=NewTicket(category="Grinder", title="Grinder rattles") if kind else None,
            outcome=Outcome.CALLBACK_PROMISED if callback else None,
            callback_at=callback,
        )
        self.services.tickets.log_contact(self.actor, customer_id, contact)
        return f"call from {customer_id} ({['a chat', 'a complaint', 'a callback promised'][kind]})"

    def edit(self) -> str:
        customer_id = self.customer()
        customer = self.services.customers.get(customer_id)
        stage = self.rng.choice(list(LoyaltyStage))
        draft = replace(customer.draft(), loyalty_stage=stage, first_name=customer.first_name + "e")
        self.services.customers.update(customer_id, draft, customer.version, "test")
        return f"edit of {customer_id} (stage {stage})"

    def act(self) -> str:
        queue = self.services.care_queue.queue(page=20)
        entries = [e for e in queue.entries() if e.status == "queued"]
        if not entries:
            return "nothing to act on"
        entry = self.rng.choice(entries)
        today = queue.today
        try:
            choice = self.rng.randrange(3)
            if choice == 0:
                self.services.care_queue.done(self.actor, entry.touch_id)
                return f"done {entry.key}"
            if choice == 1:
                until = today + dt.timedelta(days=self.rng.randrange(1, 12))
                self.services.care_queue.snooze(self.actor, entry.touch_id, until)
                return f"snoozed {entry.key} to {until}"
            self.services.care_queue.skip(self.actor, entry.touch_id, "Not now")
            return f"skipped {entry.key}"
        except TouchActionRefused as refused:  # a callback cannot be skipped, a held touch not done
            return f"refused on {entry.key}: {refused}"

    def refresh(self) -> str:
        self.services.touches.refresh()
        return "refresh"

    def next_day(self) -> str:
        self.clock[0] += dt.timedelta(days=1)
        self.services.touches.refresh()
        return f"the next day, {self.clock[0].date()}"

    def random(self) -> str:
        edits = [self.consent, self.purchase, self.call, self.edit, self.act, self.act, self.refresh]
        return self.rng.choice(edits)()


def demo_shop(services: Services, clock: list[dt.datetime], customers: int) -> Actor:
    clock[0] = START
    services.touches.save_care_settings(Actor("setup"), CareSettings(daily_limit=5, timezone="Europe/London"))
    fill_demo(services.db, DemoSpec(customers=customers, seed=7), START)
    with services.db.session() as session:
        ids = list(session.scalars(select(CustomerRecord.id).order_by(CustomerRecord.id)))
    fill_demo_tickets(services.db, ids, 7, START, customers // 5)
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    services.touches.refresh()
    return owner


def test_incremental_queue_equals_planning_from_scratch_after_every_random_edit(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 300)
    edits = Edits(services, clock, random.Random(11), owner)
    first = check_same(services, clock[0].date(), "the first refresh")
    assert sum(first.counts().values()) > 50  # a real queue, not an empty one that trivially matches
    for step in range(60):
        what = edits.next_day() if step in (25, 45) else edits.random()
        check_same(services, clock[0].date(), f"step {step}: {what}")


def test_a_change_noted_by_the_triggers_is_all_that_is_replanned(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 60)
    edits = Edits(services, clock, random.Random(3), owner)
    services.care_queue.queue()
    with services.db.session() as session:
        before = session.scalar(select(func.max(CareDirtyRecord.seq))) or 0
    customer_id = edits.customer()
    services.customers.record_consent(customer_id, ConsentEvent(Channel.SMS, False, clock[0]))
    with services.db.session() as session:
        noted = set(session.scalars(select(CareDirtyRecord.customer_id).where(CareDirtyRecord.seq > before)))
    assert noted == {customer_id}
    check_same(services, clock[0].date(), "one consent withdrawn")


def test_nothing_is_generated_twice_whatever_the_refreshes_edits_and_days(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 120)
    edits = Edits(services, clock, random.Random(5), owner)
    for step in range(30):
        edits.next_day() if step % 10 == 9 else edits.random()
        edits.refresh()
    with services.db.session() as session:
        rows = session.execute(select(TouchRecord.key, TouchRecord.kind, TouchRecord.customer_id)).all()
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys))
    birthdays = [(row.customer_id, row.key.rsplit(":", 1)[1]) for row in rows if row.kind == "birthday"]
    assert len(birthdays) == len(set(birthdays))  # one greeting per customer and year


def test_the_overview_counts_and_drifting_customers_match_the_facts_of_every_customer(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 200)
    edits = Edits(services, clock, random.Random(9), owner)
    for _ in range(10):
        edits.random()
    today = clock[0].date()
    overview = services.care_overview.overview(limit=1000)
    care = services.touches.care_settings()
    rules = services.touches.rule_set().rules
    with services.db.session() as session:
        loaded = load_facts(session, care.tz(), minimal_window(today))
    expected = []
    for customer_id, facts in loaded.facts.items():
        interval = rules.check_in.interval_for(facts.stage, facts.tags)
        anchor = last_real_contact(facts)
        if interval is not None and anchor is not None and (today - anchor).days > interval.max_days:
            expected.append((customer_id, facts.last_contact, (today - anchor).days, interval.max_days))
    expected.sort(key=lambda d: (-(d[2] - d[3]), d[0]))
    got = [(d.customer_id, d.last_contact, d.days_since, d.max_days) for d in overview.drifting]
    assert expected and got == expected[:1000]
    assert overview.drifting_total == len(expected)
    assert dict(overview.queue_counts) == from_scratch(services, today).counts()


def forget_refresh_state(services: Services) -> None:
    """Make the next refresh work on every customer, as before the incremental refresh existed."""
    with services.db.session() as session:
        session.execute(delete(CarePlanStateRecord).where(CarePlanStateRecord.name == "refresh"))


def test_a_refresh_of_the_changed_customers_generates_what_a_refresh_of_everyone_would(
    services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 250)
    edits = Edits(services, clock, random.Random(21), owner)
    worked_on = 0
    for step in range(40):
        what = edits.next_day() if step in (15, 30) else edits.random()
        result = services.touches.refresh()  # only the customers noted since the last one
        worked_on += result.generated
        forget_refresh_state(services)
        everyone = services.touches.refresh()
        assert everyone.generated == 0, f"after step {step} ({what}) the full refresh found more"
    assert worked_on > 0  # the incremental refreshes did generate touches


def test_every_table_the_care_queue_reads_notes_its_changes(services: Services) -> None:
    """A migration that rebuilds one of these tables (SQLite's batch mode drops its triggers) must
    create the care_dirty triggers again: the incremental queue relies on them."""
    from sqlalchemy import text

    from careapp.db.care_triggers import CHILD_TABLES

    wanted = {"customer", *(table for table, _ in CHILD_TABLES)}
    with services.db.session() as session:
        if session.get_bind().dialect.name == "sqlite":
            rows = session.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"))
        else:
            rows = session.execute(
                text(
                    "SELECT event_object_table FROM information_schema.triggers"
                    " WHERE trigger_name LIKE 'care_dirty%'"
                )
            )
        found = {row[0] for row in rows}
    assert wanted <= found


def generated_and_planned(services: Services) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored touch (with its plan) and every stage change noted, in a stable order."""
    t, s = TouchRecord, StageChangeRecord
    with services.db.session() as session:
        touches = session.execute(
            select(
                t.key, t.customer_id, t.kind, t.due, t.status, t.channel, t.reason, t.plan_placement,
                t.plan_reason, t.plan_held_until, t.plan_day, t.plan_last_day, t.plan_at,
            ).order_by(t.key)
        ).all()  # fmt: skip
        stages = session.execute(
            select(s.customer_id, s.old_stage, s.new_stage).order_by(s.customer_id)
        ).all()
    return [tuple(row) for row in touches], [tuple(row) for row in stages]


def start_over(services: Services) -> None:
    """Forget every touch, stage change, stored plan and the last run: the next refresh starts from
    nothing."""
    with services.db.session() as session:
        for record in (TouchRecord, StageChangeRecord, CarePlanStateRecord):
            session.execute(delete(record))
        session.execute(delete(SettingRecord).where(SettingRecord.key == LAST_RUN_KEY))


def refer_recently(services: Services, start: dt.datetime) -> None:
    """Make the last 40 customers referrals that came in over the coming days, each referred by a
    customer far away in id order (so a referrer and the one referred are in different slices)."""
    with services.db.session() as session:
        ids = list(session.scalars(select(CustomerRecord.id).order_by(CustomerRecord.id)))
        for n, customer_id in enumerate(ids[-40:]):
            session.execute(
                update(CustomerRecord)
                .where(CustomerRecord.id == customer_id)
                .values(referred_by_id=ids[n * 5], created_at=start + dt.timedelta(days=n, hours=1))
            )


def test_a_refresh_in_tiny_slices_of_customers_stores_what_one_pass_over_everyone_does(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = demo_shop(services, clock, 300)
    for topic in ("tea", "coffee", "gardening"):
        services.articles.add(
            owner, ArticleDraft(f"All about {topic}", f"https://example.com/{topic}", "", (topic,))
        )
    refer_recently(services, clock[0])
    days = [clock[0], clock[0] + dt.timedelta(days=1), clock[0] + dt.timedelta(days=40)]
    results: list[object] = []
    slices: list[int] = []

    def counted(session: Session, size: int) -> list[IdRange]:
        found = id_ranges(session, size)
        slices.append(len(found))
        return found

    monkeypatch.setattr("careapp.services.care.touches.id_ranges", counted)
    for slice_size in (7, 1_000_000):
        start_over(services)
        services.touches.chunk_size = slice_size
        monkeypatch.setattr("careapp.services.care.plan_store.PLAN_CHUNK", slice_size)
        counts = []
        for moment in days:
            clock[0] = moment
            counts.append(services.touches.refresh())
        results.append((counts, generated_and_planned(services)))
    assert results[0] == results[1]
    touches, stages = generated_and_planned(services)
    kinds = {row[2] for row in touches}
    assert {"referral_thanks", "article_share", "birthday", "purchase_follow_up"} <= kinds
    # 300 customers in slices of 7, then in one: the first refresh only. The next days work on the
    # customers their day wakes (issue 14), not on everyone again.
    assert slices == [43, 1]
    assert len(stages) == 300
