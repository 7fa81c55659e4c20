"""The care queue's actions, message drafts and the overview, on a real migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import ContactRecord, TouchLogRecord, TouchRecord
from careapp.domain.care_queue import Bucket, CareSettings, Placement, TouchOutcome
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    EmailAddress,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
)
from careapp.domain.templates import MessageTemplate
from careapp.domain.touches import TouchKind
from careapp.services.care.articles import ArticleDraft, InvalidArticle
from careapp.services.care.queue import CareQueue, QueueEntry, SentMessage, TouchActionRefused
from careapp.services.shop.staff import Actor, PermissionDenied, Role

D = dt.date
TODAY = D(2026, 11, 23)


class Shop:
    def __init__(self, services: Services, clock: list[dt.datetime]) -> None:
        self.services = services
        self.clock = clock

    def at(self, day: dt.date, hour: int = 9) -> None:
        self.clock[0] = dt.datetime.combine(day, dt.time(hour))

    def customer(
        self,
        first: str,
        last: str = "Evans",
        *,
        birthday: PartialDate | None = None,
        stage: LoyaltyStage = LoyaltyStage.PROSPECT,
        tags: tuple[str, ...] = (),
        consent: tuple[Channel, ...] = (Channel.EMAIL,),
        referred_by: int | None = None,
    ) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            phones=[PhoneNumber("07700 900123", "+447700900123")],
            address=PostalAddress("1 High Street", "Cardiff", "", "CF10 1AA", "GB"),
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
        self.services.customers.record_consent(customer_id, ConsentEvent(channel, granted, self.clock[0]))

    def queue(self, day: dt.date) -> CareQueue:
        if self.clock[0].date() != day:
            self.at(day)
        self.services.touches.refresh(day)
        return self.services.care_queue.queue(day)

    def only(self, queue: CareQueue, kind: TouchKind, customer_id: int) -> QueueEntry:
        [found] = [e for e in queue.entries() if e.kind is kind and e.customer_id == customer_id]
        return found

    def contacts(self, customer_id: int) -> list[ContactRecord]:
        with self.services.db.session() as session:
            return list(
                session.scalars(
                    select(ContactRecord)
                    .where(ContactRecord.customer_id == customer_id)
                    .order_by(ContactRecord.id)
                )
            )

    def status(self, touch_id: int) -> tuple[str, str]:
        with self.services.db.session() as session:
            record = session.get(TouchRecord, touch_id)
            assert record is not None
            return record.status, record.reason


@pytest.fixture
def shop(services: Services, clock: list[dt.datetime]) -> Shop:
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    services.settings.save_shop(replace(services.settings.shop(), shop_name="Bean There"))
    return Shop(services, clock)


@pytest.fixture
def staff(services: Services) -> tuple[Actor, Actor]:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    return owner, services.staff.add(owner, "Sam").actor()


# --- done, snooze, skip ---------------------------------------------------------------------------------


def test_done_logs_the_touch_and_an_outgoing_contact_with_the_staff_member(
    shop: Shop, staff: tuple[Actor, Actor]
) -> None:
    _, sam = staff
    ann = shop.customer("Ann", birthday=PartialDate(11, 23, 1986))
    shop.at(TODAY, hour=11)
    birthday = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    assert (birthday.bucket, birthday.channel, birthday.description) == (
        Bucket.TODAY,
        Channel.EMAIL,
        "Birthday greeting: turns 40",
    )
    assert birthday.context.age_turning == 40

    sent = SentMessage("Hi Ann,\n\nHappy birthday!", "Happy birthday from Bean There")
    log = shop.services.care_queue.done(sam, birthday.touch_id, message=sent)
    assert (log.outcome, log.who, log.channel, log.at) == (
        TouchOutcome.DONE,
        "Sam",
        Channel.EMAIL,
        dt.datetime(2026, 11, 23, 11, 0),
    )
    assert (log.subject, log.body) == (sent.subject, sent.body)
    [contact] = shop.contacts(ann)
    assert (contact.channel, contact.direction, contact.staff, contact.id) == (
        "email",
        "out",
        "Sam",
        log.contact_id,
    )
    assert contact.summary == "Birthday greeting: turns 40, by email: Happy birthday from Bean There"
    timeline = shop.services.customers.timeline(ann)
    assert (timeline[0].title, timeline[0].detail) == ("Outgoing email with Sam", contact.summary)
    assert shop.status(birthday.touch_id) == ("done", "")
    assert shop.services.care_queue.queue(TODAY).entries() == []
    assert [s.subject for s in shop.services.messages.sent(ann)] == ["Happy birthday from Bean There"]

    with pytest.raises(TouchActionRefused, match=r"^Sam already did this touch on 23 November 2026\.$"):
        shop.services.care_queue.done(sam, birthday.touch_id)


def test_a_touch_is_done_only_on_a_channel_the_customer_agreed_to(shop: Shop) -> None:
    ann = shop.customer("Ann", birthday=PartialDate(11, 23))
    touch = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    assert touch.channels == (Channel.EMAIL,)
    with pytest.raises(TouchActionRefused) as refused:
        shop.services.care_queue.done(Actor("Sam"), touch.touch_id, Channel.SMS)
    assert str(refused.value) == (
        "Ann Evans has not agreed to be contacted by text message; choose another way, "
        "or record their consent first."
    )
    assert shop.status(touch.touch_id) == ("open", "")
    assert shop.contacts(ann) == []


def test_a_snoozed_touch_comes_back_on_its_day_and_is_not_being_in_touch(
    shop: Shop, staff: tuple[Actor, Actor]
) -> None:
    _, sam = staff
    ann = shop.customer("Ann", birthday=PartialDate(11, 23))
    touch = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    choices = shop.services.care_queue.snooze_choices(TODAY)
    assert [(c.label, c.until) for c in choices] == [
        ("Tomorrow", D(2026, 11, 24)),
        ("Next week", D(2026, 11, 30)),
        ("In a month", D(2026, 12, 23)),
    ]
    with pytest.raises(TouchActionRefused, match="Choose a day after today"):
        shop.services.care_queue.snooze(sam, touch.touch_id, TODAY)
    log = shop.services.care_queue.snooze(sam, touch.touch_id, D(2026, 11, 26))
    assert (log.outcome, log.who, log.note) == (TouchOutcome.SNOOZED, "Sam", "until 26 November 2026")
    # Logged as an internal contact by Sam (on the timeline); nothing reached Ann, so it is not "in touch".
    [note] = shop.contacts(ann)
    assert (note.direction, note.staff, note.ticket_id, note.id) == ("internal", "Sam", None, log.contact_id)
    assert note.summary == "Snoozed: Birthday greeting, until 26 November 2026"
    timeline = shop.services.customers.timeline(ann)
    assert [(e.kind, e.title) for e in timeline if e.kind == "contact"] == [
        ("contact", "Care queue note by Sam")
    ]

    later = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    assert later.context.last_contact is None  # the check-in anchor did not move
    assert (later.bucket, later.day, later.snoozed_until) == (
        Bucket.NEXT_7_DAYS,
        D(2026, 11, 26),
        D(2026, 11, 26),
    )
    back = shop.only(shop.queue(D(2026, 11, 26)), TouchKind.BIRTHDAY, ann)
    assert (back.bucket, back.status, back.touch_id) == (Bucket.TODAY, Placement.QUEUED, touch.touch_id)
    assert shop.only(shop.queue(D(2026, 11, 28)), TouchKind.BIRTHDAY, ann).bucket is Bucket.OVERDUE


def test_skip_needs_a_reason_and_the_touch_never_comes_back(shop: Shop, staff: tuple[Actor, Actor]) -> None:
    _, sam = staff
    ann = shop.customer("Ann", birthday=PartialDate(11, 23))
    touch = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    with pytest.raises(TouchActionRefused, match="Say why this touch is skipped"):
        shop.services.care_queue.skip(sam, touch.touch_id, "  ")
    log = shop.services.care_queue.skip(sam, touch.touch_id, "Moved abroad")
    [note] = shop.contacts(ann)
    assert (log.outcome, log.note, log.contact_id) == (TouchOutcome.SKIPPED, "Moved abroad", note.id)
    assert (note.direction, note.staff, note.summary) == (
        "internal",
        "Sam",
        "Skipped: Birthday greeting. Moved abroad",
    )
    assert shop.status(touch.touch_id) == ("skipped", "Moved abroad")
    assert shop.queue(TODAY).entries() == []
    assert shop.queue(D(2026, 11, 24)).entries() == []
    history = shop.services.care_queue.history(ann)
    assert [(h.outcome, h.who, h.title) for h in history] == [
        (TouchOutcome.SKIPPED, "Sam", "Birthday greeting")
    ]
    with pytest.raises(TouchActionRefused, match=r"^This touch was skipped: Moved abroad$"):
        shop.services.care_queue.snooze(sam, touch.touch_id, D(2026, 11, 30))


def test_someone_not_on_the_staff_list_cannot_act(shop: Shop, staff: tuple[Actor, Actor]) -> None:
    from careapp.services.shop.staff import PermissionDenied as Denied

    ann = shop.customer("Ann", birthday=PartialDate(11, 23))
    touch = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    with pytest.raises(Denied, match="Mallory is not an active member of the staff list"):
        shop.services.care_queue.done(Actor("Mallory"), touch.touch_id)
    with shop.services.db.session() as session:
        assert session.scalars(select(TouchLogRecord)).all() == []


def test_the_daily_limit_carries_the_rest_over_to_tomorrow(shop: Shop) -> None:
    shop.services.touches.save_care_settings(
        Actor("setup"), CareSettings(daily_limit=2, timezone="Europe/London")
    )
    ids = [shop.customer(name, birthday=PartialDate(11, 23)) for name in ("Ann", "Bob", "Cat")]
    queue = shop.queue(TODAY)
    assert [e.customer_id for e in queue.due_today] == ids[:2]
    [carried] = queue.carried_over
    assert (carried.customer_id, carried.reason) == (
        ids[2],
        "Today's list is full (2 touches); this moves to tomorrow.",
    )


# --- messages ---------------------------------------------------------------------------------------------


def test_drafts_fill_the_template_and_open_the_right_app(shop: Shop, staff: tuple[Actor, Actor]) -> None:
    owner, sam = staff
    ann = shop.customer(
        "Ann", birthday=PartialDate(11, 23, 1986), consent=(Channel.EMAIL, Channel.SMS, Channel.PHONE)
    )
    touch = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    messages = shop.services.messages

    email = messages.draft(touch.touch_id)
    assert (email.channel, email.subject, email.address) == (
        Channel.EMAIL,
        "Happy birthday from Bean There",
        "ann@example.com",
    )
    assert email.body.startswith(
        "Hi Ann,\n\nHappy birthday from all of us at Bean There! Congratulations on turning 40."
    )
    assert email.url is not None and email.url.startswith(
        "mailto:ann@example.com?subject=Happy%20birthday%20from%20Bean%20There&body=Hi%20Ann%2C%0D%0A%0D%0A"
    )
    sms = messages.draft(touch.touch_id, Channel.SMS)
    assert sms.body == "Hi Ann, happy birthday from Bean There! Enjoy turning 40 today."
    assert sms.url == (
        "sms:+447700900123?body=Hi%20Ann%2C%20happy%20birthday%20from%20Bean%20There%21%20"
        "Enjoy%20turning%2040%20today."
    )
    assert messages.draft(touch.touch_id, Channel.PHONE).url == "tel:+447700900123"
    card = messages.draft(touch.touch_id, Channel.POST)
    assert (card.url, card.address) == (None, "Ann Evans\n1 High Street\nCardiff\nCF10 1AA")

    # The owner's own wording, previewed live, then saved; a typo is pointed out, not an error.
    mine = MessageTemplate(TouchKind.BIRTHDAY, Channel.SMS, "Happy birthday {first_name}! {frist_name} x")
    preview = messages.draft(touch.touch_id, template=mine)
    assert (preview.body, preview.unknown_placeholders) == (
        "Happy birthday Ann! {frist_name} x",
        ("frist_name",),
    )
    with pytest.raises(PermissionDenied, match="Only the owner can edit touch rules"):
        messages.save_template(sam, mine)
    messages.save_template(owner, replace(mine, body="Happy birthday {first_name}!"))
    assert messages.draft(touch.touch_id, Channel.SMS).body == "Happy birthday Ann!"
    messages.reset_template(owner, TouchKind.BIRTHDAY, Channel.SMS)
    assert messages.draft(touch.touch_id, Channel.SMS).body == sms.body


def test_an_article_draft_carries_its_title_and_link(shop: Shop) -> None:
    bea = shop.customer("Bea", tags=("Tea",))
    article = shop.services.articles.add(
        Actor("Sam"),
        ArticleDraft(
            "  Steeping   times ", " https://example.com/steep ", "A chart", ("TEA", " tea ", "Green Tea")
        ),
    )
    assert (article.title, article.link, article.topics) == (
        "Steeping times",
        "https://example.com/steep",
        ("tea", "green tea"),
    )
    touch = shop.only(shop.queue(TODAY), TouchKind.ARTICLE_SHARE, bea)
    draft = shop.services.messages.draft(touch.touch_id)
    assert draft.subject == "Thought you might like this: Steeping times"
    assert "Steeping times\nhttps://example.com/steep" in draft.body
    with pytest.raises(InvalidArticle, match="The link must be a web address"):
        shop.services.articles.add(Actor("Sam"), ArticleDraft("Bad", "javascript:alert(1)", topics=("tea",)))
    with pytest.raises(InvalidArticle, match="at least one topic"):
        shop.services.articles.add(Actor("Sam"), ArticleDraft("No topic", "https://example.com/x"))


# --- the overview -----------------------------------------------------------------------------------------


def test_overview_counts_the_month_the_drifting_the_ladder_and_the_referrers(
    shop: Shop, staff: tuple[Actor, Actor]
) -> None:
    _, sam = staff
    # Known since May and never heard from: Old Client (60/90 days) drifts further than Old Customer
    # (90/150 days).
    shop.at(D(2026, 5, 1))
    client = shop.customer("Old", "Client", stage=LoyaltyStage.CLIENT, consent=())
    customer = shop.customer("Old", "Customer", stage=LoyaltyStage.CUSTOMER, consent=())
    shop.at(D(2026, 11, 1))
    ann = shop.customer("Ann", birthday=PartialDate(11, 23))
    shop.customer("Ref", "One", referred_by=ann)
    shop.customer("Ref", "Two", referred_by=ann)
    bob = shop.customer("Bob", referred_by=customer, consent=(Channel.EMAIL, Channel.SMS))
    shop.consent(bob, Channel.EMAIL, granted=False)
    shop.services.touches.refresh(D(2026, 11, 1))  # first sight of every stage

    shop.at(TODAY, hour=10)
    birthday = shop.only(shop.queue(TODAY), TouchKind.BIRTHDAY, ann)
    shop.services.care_queue.done(sam, birthday.touch_id)
    record = shop.services.customers.get(ann)
    shop.services.customers.update(
        ann, replace(record.draft(), loyalty_stage=LoyaltyStage.CUSTOMER), record.version, "Sam"
    )
    shop.services.touches.record_stage_change(ann, sam)

    overview = shop.services.care_overview.overview(TODAY)
    assert (overview.done_this_month, dict(overview.done_by_kind)) == (1, {TouchKind.BIRTHDAY: 1})
    assert [(d.customer_id, d.days_since, d.max_days, d.days_past) for d in overview.drifting] == [
        (client, 206, 90, 116),
        (customer, 206, 150, 56),
    ]
    assert overview.ladder[LoyaltyStage.CUSTOMER] == 2 and overview.ladder[LoyaltyStage.PROSPECT] == 3
    [move] = overview.moved_this_month
    assert (move.name, move.old_stage, move.new_stage, move.by, move.up) == (
        "Ann Evans",
        LoyaltyStage.PROSPECT,
        LoyaltyStage.CUSTOMER,
        "Sam",
        True,
    )
    overall = overview.opt_out[0]
    assert (overall.channel, overall.ever_granted, overall.withdrawn, overall.rate) == (None, 4, 1, 0.25)
    email = next(r for r in overview.opt_out if r.channel is Channel.EMAIL)
    assert (email.ever_granted, email.withdrawn) == (4, 1)
    assert [(r.customer_id, r.referrals) for r in overview.top_referrers] == [(ann, 2), (customer, 1)]
    # Ann's two thank-yous (for Ref One and Ref Two) and her birthday: the cap holds the third.
    assert overview.queue_counts == {
        "overdue": 1,
        "today": 0,
        "next_7_days": 0,
        "next_30_days": 0,
        "held": 1,
        "carried_over": 0,
    }
