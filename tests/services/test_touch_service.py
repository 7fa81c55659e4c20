"""Making touches due and planning the queue through TouchService, on a real migrated SQLite file.

Every test sets the clock to the day it works on; the shop's time zone is Europe/London (UTC+0 in
November, so the days below are the same in UTC and locally).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select, update

from careapp.config import Paths
from careapp.context import Services, build_services
from careapp.db.models import CustomerRecord, SettingAuditRecord, StageChangeRecord, TouchRecord
from careapp.domain.care_queue import CareSettings, Placement
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    Purchase,
)
from careapp.domain.tickets import ContactChannel, Outcome
from careapp.domain.touches import DueTouch, TouchKind
from careapp.services.care.articles import ArticleDraft
from careapp.services.care.queue import CareQueue, QueueEntry, SentMessage, TouchActionRefused
from careapp.services.care.rules import RuleKind
from careapp.services.care.touch_store import insert_new, insert_one_by_one, new_row
from careapp.services.care.touches import StaleRules
from careapp.services.shop.staff import Actor, PermissionDenied, Role
from careapp.services.tickets.service import ContactInput, NewTicket

D = dt.date
LONDON = CareSettings(timezone="Europe/London", daily_limit=None)


class Shop:
    """A shop on a settable clock: customers, consents, purchases, and reading the stored touches."""

    def __init__(self, services: Services, clock: list[dt.datetime]) -> None:
        self.services = services
        self.clock = clock
        self.actor = Actor("Sam")

    def at(self, day: dt.date, hour: int = 9) -> None:
        self.clock[0] = dt.datetime.combine(day, dt.time(hour))

    def customer(
        self,
        first: str,
        last: str = "Evans",
        *,
        birthday: PartialDate | None = None,
        tags: tuple[str, ...] = (),
        stage: LoyaltyStage = LoyaltyStage.PROSPECT,
        phone: bool = False,
        consent: tuple[Channel, ...] = (Channel.EMAIL,),
        referred_by: int | None = None,
    ) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            phones=[PhoneNumber("07700 900123", "+447700900123")] if phone else [],
            birthday=birthday,
            tags=list(tags),
            loyalty_stage=stage,
            referred_by_id=referred_by,
        )
        customer_id = self.services.customers.create(draft, "test").id
        for channel in consent:
            self.consent(customer_id, channel)
        return customer_id

    def consent(self, customer_id: int, channel: Channel, granted: bool = True) -> None:
        event = ConsentEvent(channel, granted, self.clock[0], "in shop", "Sam")
        self.services.customers.record_consent(customer_id, event)

    def buy(self, customer_id: int, day: dt.date, item: str, category: str = "") -> int:
        purchase = self.services.customers.add_purchase(customer_id, Purchase(day, item, category))
        assert purchase.id is not None
        return purchase.id

    def on(self, day: dt.date) -> None:
        """Move the clock to ``day`` (09:00) unless it is already on that day."""
        if self.clock[0].date() != day:
            self.at(day)

    def refresh(self, day: dt.date) -> int:
        self.on(day)
        return self.services.touches.refresh(day).generated

    def queue(self, day: dt.date) -> CareQueue:
        self.on(day)
        return self.services.care_queue.queue(day)

    def rows(self, customer_id: int | None = None) -> list[TouchRecord]:
        statement = select(TouchRecord).order_by(TouchRecord.id)
        if customer_id is not None:
            statement = statement.where(TouchRecord.customer_id == customer_id)
        with self.services.db.session() as session:
            return list(session.scalars(statement))

    def keys(self, customer_id: int | None = None) -> list[str]:
        return [r.key for r in self.rows(customer_id)]

    def row(self, key: str) -> TouchRecord:
        return next(r for r in self.rows() if r.key == key)


def entry(queue: CareQueue, key: str) -> QueueEntry:
    found = [e for e in queue.entries() if e.key == key]
    assert len(found) == 1, f"{key} is in the queue {len(found)} times"
    return found[0]


@pytest.fixture
def shop(services: Services, clock: list[dt.datetime]) -> Shop:
    services.touches.save_care_settings(Actor("setup"), LONDON)
    return Shop(services, clock)


# --- never the same touch twice ------------------------------------------------------------------------


def test_refresh_twice_and_after_a_rule_edit_stores_each_touch_once(shop: Shop) -> None:
    ann = shop.customer("Ann", birthday=PartialDate(11, 30, 1986))
    assert shop.refresh(D(2026, 11, 23)) == 1
    assert shop.keys() == [f"birthday:{ann}:2026"]
    assert shop.refresh(D(2026, 11, 23)) == 0

    rule_set = shop.services.touches.rule_set()
    earlier = replace(rule_set.rules, birthday=replace(rule_set.rules.birthday, days_ahead=7))
    shop.services.touches.save_rules(Actor("Olivia"), earlier, rule_set.versions, "a card needs a week")
    assert shop.refresh(D(2026, 11, 24)) == 0
    [birthday] = shop.rows()
    assert (birthday.key, birthday.due) == (f"birthday:{ann}:2026", D(2026, 11, 30))  # keeps its due day

    # A new customer after the edit gets the new lead time.
    bob = shop.customer("Bob", birthday=PartialDate(12, 20))
    assert shop.refresh(D(2026, 11, 24)) == 1
    assert shop.row(f"birthday:{bob}:2026").due == D(2026, 12, 13)


def test_a_restart_generates_nothing_new(shop: Shop, paths: Paths, clock: list[dt.datetime]) -> None:
    shop.customer("Ann", birthday=PartialDate(11, 30))
    shop.customer("Bob", birthday=PartialDate(12, 1))
    assert shop.refresh(D(2026, 11, 23)) == 2
    for _ in range(3):
        again = build_services(paths, clock=lambda: clock[0])
        try:
            assert again.touches.refresh(D(2026, 11, 23)).generated == 0
        finally:
            again.close()
    assert len(shop.rows()) == 2


def test_a_seat_that_read_the_keys_before_another_stored_them_adds_nothing(
    shop: Shop, paths: Paths, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.customer("Ann", birthday=PartialDate(11, 30))
    assert shop.refresh(D(2026, 11, 23)) == 1
    # The second seat read no keys (as if it read just before the first seat committed).
    monkeypatch.setattr("careapp.services.care.touches._keys_in", lambda session, id_range: set())
    monkeypatch.setattr("careapp.services.care.touches.keys_of", lambda session, ids: set())
    other = build_services(paths, clock=lambda: clock[0])
    try:
        result = other.touches.refresh(D(2026, 11, 23))
    finally:
        other.close()
    assert result.generated == 0
    assert len(shop.rows()) == 1


def test_a_duplicate_key_is_skipped_not_an_error_on_every_insert_path(shop: Shop) -> None:
    ann = shop.customer("Ann")
    touch = DueTouch(f"birthday:{ann}:2026", TouchKind.BIRTHDAY, ann, D(2026, 11, 30), (Channel.EMAIL,))
    with shop.services.db.session() as session:
        assert insert_new(session, [touch], shop.clock[0]) == 1
        assert insert_new(session, [touch, touch], shop.clock[0]) == 0
        insert_one_by_one(session, [new_row(touch, shop.clock[0])])  # the portable path
        count = session.scalar(select(func.count()).select_from(TouchRecord))
    assert count == 1


def test_every_kind_of_fact_reaches_the_rules(shop: Shop) -> None:
    shop.at(D(2026, 9, 23))  # Cy has been a client for 61 days, without a word since
    cy = shop.customer("Cy", stage=LoyaltyStage.CLIENT)
    shop.at(D(2026, 11, 23))
    ann = shop.customer("Ann", phone=True, consent=(Channel.EMAIL, Channel.SMS))
    customer = shop.services.customers.get(ann)
    married = ImportantDate(DateKind.ANNIVERSARY, PartialDate(11, 28, 2016))
    shop.services.customers.update(ann, replace(customer.draft(), dates=[married]), customer.version, "Sam")
    grinder = shop.buy(ann, D(2026, 11, 20), "Burr grinder", "coffee")
    shop.buy(ann, D(2026, 11, 20), "Gift voucher", "vouchers")
    friend = shop.customer("Friend", referred_by=ann)

    rule_set = shop.services.touches.rule_set()
    rules = rule_set.rules
    by_category = replace(rules.follow_up, default_days=14, days_by_category={"Coffee": 7, "vouchers": None})
    shop.services.touches.save_rules(
        Actor("Olivia"), replace(rules, follow_up=by_category), rule_set.versions
    )
    shop.refresh(D(2026, 11, 23))
    assert {(r.key, r.due) for r in shop.rows()} == {
        (f"important_date:{ann}:anniversary::2026", D(2026, 11, 28)),
        (f"follow_up:{grinder}", D(2026, 11, 27)),  # the voucher has no follow-up
        (f"referral_thanks:{friend}", D(2026, 11, 23)),
        (f"check_in:{cy}:2026-09-23", D(2026, 11, 22)),
    }
    queue = shop.queue(D(2026, 11, 23))
    follow_up = entry(queue, f"follow_up:{grinder}")
    assert (follow_up.description, follow_up.channel) == ("Purchase follow-up: Burr grinder", Channel.EMAIL)
    # The context shows the latest purchase, whatever the touch is about.
    assert (follow_up.context.last_purchase, follow_up.context.last_purchase_on) == (
        "Gift voucher",
        D(2026, 11, 20),
    )
    assert entry(queue, f"important_date:{ann}:anniversary::2026").description == (
        "Anniversary: Anniversary, 10 years"
    )
    assert (
        entry(queue, f"referral_thanks:{friend}").description
        == "Thank-you for a referral: referred Friend Evans"
    )
    check_in = entry(queue, f"check_in:{cy}:2026-09-23")
    assert (check_in.bucket.value, check_in.deadline) == ("today", D(2026, 12, 22))  # due until the deadline

    # Cy buys something: the check-in is no longer needed, and the next one counts from the purchase.
    shop.buy(cy, D(2026, 11, 23), "Tea towel")
    assert [e.key for e in shop.queue(D(2026, 11, 23)).entries() if e.customer_id == cy] == []
    assert shop.row(f"check_in:{cy}:2026-09-23").reason == (
        "Cy Evans has been in touch since (on 23 November 2026); the next check-in counts from then."
    )
    shop.refresh(D(2027, 1, 22))
    assert shop.row(f"check_in:{cy}:2026-11-23").due == D(2027, 1, 22)


# --- the app is not always running ---------------------------------------------------------------------


def test_missed_items_come_back_overdue_after_a_restart(
    shop: Shop, paths: Paths, clock: list[dt.datetime]
) -> None:
    ben = shop.customer("Ben", birthday=PartialDate(11, 19))
    assert shop.refresh(D(2026, 11, 16)) == 1
    assert entry(shop.queue(D(2026, 11, 16)), f"birthday:{ben}:2026").bucket.value == "next_7_days"
    shop.services.close()

    # The app stays closed for a week. Meanwhile Cara is added (by an import, say), her birthday
    # passing while nobody looked.
    cara = shop.customer("Cara", birthday=PartialDate(11, 20))
    shop.at(D(2026, 11, 23))
    restarted = build_services(paths, clock=lambda: clock[0])
    try:
        result = restarted.touches.refresh()
        queue = restarted.care_queue.queue()
    finally:
        restarted.close()
    assert (result.horizon_start, result.generated) == (D(2026, 11, 16), 1)
    assert [(e.customer_name, e.day, e.status) for e in queue.overdue] == [
        ("Ben Evans", D(2026, 11, 19), Placement.QUEUED),
        ("Cara Evans", D(2026, 11, 20), Placement.QUEUED),
    ]
    assert queue.overdue[1].key == f"birthday:{cara}:2026"


def test_after_a_long_break_only_the_last_30_days_are_caught_up(shop: Shop) -> None:
    shop.refresh(D(2026, 9, 1))
    shop.customer("Dan", birthday=PartialDate(10, 1))  # passed 53 days before the next run
    shop.customer("Eve", birthday=PartialDate(11, 1))  # passed 22 days before
    shop.at(D(2026, 11, 23))
    result = shop.services.touches.refresh(D(2026, 11, 23))
    assert result.horizon_start == D(2026, 10, 24)
    assert [r.key.split(":")[0] + ":" + r.due.isoformat() for r in shop.rows()] == ["birthday:2026-11-01"]


def test_looking_ahead_is_a_preview_that_changes_nothing_stored(shop: Shop) -> None:
    ann = shop.customer("Ann", birthday=PartialDate(12, 1), consent=())
    shop.refresh(D(2026, 11, 23))
    held = entry(shop.queue(D(2026, 11, 23)), f"birthday:{ann}:2026")
    assert held.reason == "No consent yet to contact Ann Evans by email; it goes ahead if consent is given."

    result = shop.services.touches.refresh(D(2026, 12, 5))
    assert result.preview and result.plan_changes == 0
    # On 5 December the greeting is overdue without consent, so that day's plan drops it; today it is
    # only waiting for consent, and it stays open.
    assert shop.services.care_queue.queue(D(2026, 12, 5)).entries() == []
    assert shop.row(f"birthday:{ann}:2026").status == "open"
    assert shop.services.touches.last_run() == D(2026, 11, 23)


# --- permission and restraint ---------------------------------------------------------------------------


def test_withdrawn_consent_moves_or_holds_the_pending_touches_on_that_channel_at_once(shop: Shop) -> None:
    ann = shop.customer("Ann", birthday=PartialDate(11, 26), phone=True, consent=(Channel.EMAIL,))
    bob = shop.customer("Bob", birthday=PartialDate(11, 27), consent=(Channel.EMAIL,))
    shop.refresh(D(2026, 11, 23))
    assert shop.row(f"birthday:{ann}:2026").channel == "email"  # chosen by the plan and saved

    # Ann withdraws email but accepts text messages: her greeting moves there and says so (issue 14).
    shop.consent(ann, Channel.EMAIL, granted=False)
    shop.consent(ann, Channel.SMS)
    assert shop.services.touches.on_consent_changed(ann) == 1
    moved = shop.row(f"birthday:{ann}:2026")
    assert (moved.status, moved.channel) == ("open", "sms")
    assert moved.reason == "Moved from email to text message: Ann Evans withdrew consent to email on 23 Nov."
    [entry] = [e for e in shop.queue(D(2026, 11, 23)).entries() if e.customer_id == ann]
    assert entry.reason == moved.reason  # the queue says why

    # Bob accepts nothing else: his greeting waits under Held with the reason (nobody calls
    # on_consent_changed for him: looking at the queue is enough).
    shop.consent(bob, Channel.EMAIL, granted=False)
    queue = shop.queue(D(2026, 11, 23))
    [held] = [e for e in queue.held if e.customer_id == bob]
    assert held.reason.startswith("Bob Evans withdrew consent to be contacted by email on 23 Nov")
    assert shop.row(f"birthday:{bob}:2026").status == "open"


def test_the_marketing_cap_holds_the_third_touch_in_30_days_with_the_reason(shop: Shop) -> None:
    dee = shop.customer("Dee", "Fox")
    for day in (D(2026, 11, 1), D(2026, 11, 5), D(2026, 11, 9)):
        shop.buy(dee, day, f"kettle {day.day}")
    assert shop.refresh(D(2026, 11, 15)) == 3  # follow-ups due 15, 19 and 23 November
    first, second, third = sorted(shop.rows(dee), key=lambda r: r.due)
    assert [r.due for r in (first, second, third)] == [D(2026, 11, 15), D(2026, 11, 19), D(2026, 11, 23)]
    queue = shop.services.care_queue
    queue.done(shop.actor, first.id)
    shop.at(D(2026, 11, 19))
    queue.done(shop.actor, second.id)

    held = entry(shop.queue(D(2026, 11, 23)), third.key)
    assert held.status is Placement.HELD
    assert held.reason == (
        "Dee Fox has had the shop's limit of 2 touches within 30 days; "
        "this can go ahead from 15 December 2026."
    )
    assert held.held_until == D(2026, 12, 15)
    refusal = "This touch is on hold: Dee Fox has had the shop's limit of 2 touches"
    with pytest.raises(TouchActionRefused, match=refusal):
        queue.done(shop.actor, third.id)
    assert entry(shop.queue(D(2026, 12, 15)), third.key).status is Placement.QUEUED


def test_an_open_complaint_holds_a_birthday_but_never_a_callback(shop: Shop) -> None:
    eve = shop.customer("Eve", "Green", birthday=PartialDate(11, 24), phone=True)
    shop.at(D(2026, 11, 23), hour=10)
    logged = shop.services.tickets.log_contact(
        Actor("Sam"),
        eve,
        ContactInput(
            channel=ContactChannel.PHONE,
            summary="Grinder rattles",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=dt.datetime(2026, 11, 24, 14, 0),
            new_ticket=NewTicket("Grinder", "Grinder rattles"),
        ),
    )
    assert logged.ticket is not None
    shop.refresh(D(2026, 11, 23))
    queue = shop.queue(D(2026, 11, 23))
    birthday = entry(queue, f"birthday:{eve}:2026")
    assert (birthday.status, birthday.reason) == (
        Placement.HELD,
        "On hold while Eve Green's complaint is open.",
    )
    callback = entry(queue, f"callback:{logged.contact.id}")
    assert (callback.status, callback.bucket.value, callback.is_service) == (
        Placement.QUEUED,
        "next_7_days",
        True,
    )
    assert callback.due_at == dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    assert callback.description == "Callback: Grinder rattles"
    assert callback.context.open_tickets == 1

    # The ticket is resolved: the greeting goes ahead.
    ticket = shop.services.tickets.ticket(logged.ticket.id)
    shop.services.tickets.resolve(Actor("Sam"), ticket.id, ticket.version, "new burrs fitted")
    assert entry(shop.queue(D(2026, 11, 23)), f"birthday:{eve}:2026").status is Placement.QUEUED
    # ... and "how did we do?" follows three days after the resolution.
    shop.refresh(D(2026, 11, 23))
    assert shop.row(f"feedback:ticket:{ticket.id}").due == D(2026, 11, 26)


def test_a_callback_done_in_the_queue_is_kept_on_the_ticket(shop: Shop) -> None:
    fay = shop.customer("Fay", phone=True, consent=())
    shop.at(D(2026, 11, 23), hour=10)
    logged = shop.services.tickets.log_contact(
        Actor("Sam"),
        fay,
        ContactInput(
            summary="Order late",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=dt.datetime(2026, 11, 23, 15, 0),
            new_ticket=NewTicket("Orders"),
        ),
    )
    assert logged.ticket is not None
    shop.refresh(D(2026, 11, 23))
    touch = shop.row(f"callback:{logged.contact.id}")
    shop.at(D(2026, 11, 23), hour=15)
    done = shop.services.care_queue.done(Actor("Jo"), touch.id, note="Told her it ships Friday")
    assert (done.channel, done.who) == (Channel.PHONE, "Jo")  # no consent needed for a promised call
    assert shop.services.tickets.open_callbacks(dt.datetime(2027, 1, 1)) == []
    ticket = shop.services.tickets.ticket(logged.ticket.id)
    last = ticket.contacts[-1]
    assert (last.direction, last.channel, last.staff) == ("out", "phone", "Jo")
    assert last.summary == "Callback: Order late, by phone. Told her it ships Friday"


def test_a_callback_kept_on_the_ticket_screen_leaves_the_queue_as_done(shop: Shop) -> None:
    gus = shop.customer("Gus", phone=True)
    shop.at(D(2026, 11, 23), hour=10)
    logged = shop.services.tickets.log_contact(
        Actor("Sam"),
        gus,
        ContactInput(
            summary="Quote for a service",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=dt.datetime(2026, 11, 25, 9, 0),
        ),
    )
    shop.refresh(D(2026, 11, 23))
    shop.services.tickets.complete_callback(Actor("Priya"), logged.contact.id)
    shop.refresh(D(2026, 11, 23))
    row = shop.row(f"callback:{logged.contact.id}")
    assert (row.status, row.done_by) == ("done", "Priya")
    assert shop.queue(D(2026, 11, 23)).entries() == []


# --- articles -------------------------------------------------------------------------------------------


def test_an_article_is_never_offered_twice_to_the_same_customer(shop: Shop) -> None:
    fay = shop.customer("Fay", tags=("Coffee",))
    articles = shop.services.articles
    shop.at(D(2026, 11, 23))
    first = articles.add(
        shop.actor, ArticleDraft("Dialling in beans", "https://example.com/a", topics=("coffee",))
    )
    shop.refresh(D(2026, 11, 23))
    key = f"article:{first.id}:{fay}"
    assert shop.keys(fay) == [key]
    shop.services.care_queue.done(shop.actor, shop.row(key).id, Channel.EMAIL, SentMessage("Hi Fay", "Beans"))

    # Space articles out no more, add another, and refresh again and again.
    rule_set = shop.services.touches.rule_set()
    eager = replace(rule_set.rules, articles=replace(rule_set.rules.articles, min_days_between=0))
    shop.services.touches.save_rules(Actor("Olivia"), eager, rule_set.versions)
    second = articles.add(shop.actor, ArticleDraft("Cold brew", "https://example.com/b", topics=("coffee",)))
    for day in (D(2026, 11, 24), D(2026, 11, 25), D(2026, 11, 25)):
        shop.refresh(day)
    assert shop.keys(fay) == [key, f"article:{second.id}:{fay}"]
    assert [(a.title, a.offered, a.shared) for a in articles.list()] == [
        ("Cold brew", 1, 0),
        ("Dialling in beans", 1, 1),
    ]

    # Removing an article cancels its waiting touch; a new article never takes its id.
    assert articles.remove(shop.actor, second.id) == 1
    assert shop.row(f"article:{second.id}:{fay}").reason == "'Cold brew' was removed from the library."
    third = articles.add(shop.actor, ArticleDraft("Grinders", "https://example.com/c", topics=("coffee",)))
    assert third.id > second.id


# --- who may change the rules ---------------------------------------------------------------------------


def test_only_the_owner_edits_touch_rules_and_care_settings(shop: Shop) -> None:
    owner = shop.services.staff.add(None, "Olivia", Role.OWNER).actor()
    sam = shop.services.staff.add(owner, "Sam").actor()
    touches = shop.services.touches
    rule_set = touches.rule_set()
    off = replace(rule_set.rules, birthday=replace(rule_set.rules.birthday, enabled=False))
    sentence = (
        "Only the owner can edit touch rules; Sam is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )
    with pytest.raises(PermissionDenied) as refused:
        touches.save_rules(sam, off, rule_set.versions)
    assert str(refused.value) == sentence
    with pytest.raises(PermissionDenied, match="Only the owner can edit touch rules"):
        touches.save_care_settings(sam, replace(LONDON, marketing_cap=5))
    assert touches.rule_set().versions[RuleKind.BIRTHDAY] == 0
    assert touches.care_settings().marketing_cap == 2

    saved = touches.save_rules(owner, off, rule_set.versions, "no cards this year")
    assert saved.rules.birthday.enabled is False
    assert saved.versions[RuleKind.BIRTHDAY] == 1 and saved.versions[RuleKind.CHECK_IN] == 0
    with shop.services.db.session() as session:
        audit = session.scalars(
            select(SettingAuditRecord).where(SettingAuditRecord.key == "touch_rule.birthday")
        ).one()
        assert (audit.by, audit.reason) == ("Olivia", "no cards this year")

    # Saving again from the copy read before the first save is refused, naming the section.
    longer = replace(rule_set.rules, birthday=replace(rule_set.rules.birthday, days_ahead=3))
    with pytest.raises(StaleRules, match="The birthday rules were changed on another seat"):
        touches.save_rules(owner, longer, rule_set.versions)


def test_stored_rules_come_back_as_saved(shop: Shop) -> None:
    from careapp.domain.touches import Interval

    touches = shop.services.touches
    rule_set = touches.rule_set()
    rules = rule_set.rules
    edited = replace(
        rules,
        follow_up=replace(
            rules.follow_up, default_days=10, days_by_category={"Gift cards": None, "coffee": 7}
        ),
        check_in=replace(rules.check_in, by_tag={"vip": Interval(20, 30)}),
        feedback=replace(rules.feedback, after_purchase_days=21, channels=(Channel.SMS,)),
    )
    touches.save_rules(Actor("Olivia"), edited, rule_set.versions)
    assert touches.rule_set().rules == edited


# --- loyalty stages ---------------------------------------------------------------------------------------


def test_stage_changes_are_noted_by_the_edit_with_who_and_by_refresh_otherwise(shop: Shop) -> None:
    ann = shop.customer("Ann")  # created as a prospect by "test"
    shop.refresh(D(2026, 11, 23))  # already noted at creation: nothing for refresh to add
    customer = shop.services.customers.get(ann)
    draft = replace(customer.draft(), loyalty_stage=LoyaltyStage.CUSTOMER)
    shop.services.customers.update(ann, draft, customer.version, "Sam")  # noted at once, with Sam's name
    assert shop.services.touches.record_stage_change(ann, Actor("Sam")) is None  # nothing new
    customer = shop.services.customers.get(ann)
    shop.services.customers.update(ann, replace(customer.draft(), notes="Likes jazz"), customer.version, "Jo")

    # A change that did not go through the customer editor (here straight in SQL) is noted by refresh,
    # without a name; the hook notes it with one when it is called first.
    with shop.services.db.session() as session:
        session.execute(update(CustomerRecord).where(CustomerRecord.id == ann).values(loyalty_stage="client"))
    shop.refresh(D(2026, 11, 24))
    with shop.services.db.session() as session:
        session.execute(
            update(CustomerRecord).where(CustomerRecord.id == ann).values(loyalty_stage="advocate")
        )
    change = shop.services.touches.record_stage_change(ann, Actor("Olivia"))
    assert change is not None
    assert (change.old_stage, change.new_stage, change.by) == (
        LoyaltyStage.CLIENT,
        LoyaltyStage.ADVOCATE,
        "Olivia",
    )
    with shop.services.db.session() as session:
        rows = session.execute(
            select(StageChangeRecord.old_stage, StageChangeRecord.new_stage, StageChangeRecord.by).order_by(
                StageChangeRecord.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (None, "prospect", "test"),
        ("prospect", "customer", "Sam"),
        ("customer", "client", ""),
        ("client", "advocate", "Olivia"),
    ]
