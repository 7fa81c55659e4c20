"""Touch rules: what falls due when, with stable keys. Every date here was worked out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from careapp.domain.customer import (
    Channel,
    ConsentState,
    Customer,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    Purchase,
)
from careapp.domain.recurrence import Feb29Rule
from careapp.domain.touches import (
    CHEERFUL_KINDS,
    MARKETING_KINDS,
    Article,
    ArticleRule,
    BirthdayRule,
    CallbackFact,
    CheckInRule,
    CustomerFacts,
    DueTouch,
    FeedbackRule,
    FollowUpRule,
    Interval,
    Referral,
    TicketFact,
    TouchKind,
    TouchRules,
    default_rules,
    describe,
    facts_from_customer,
    generate_due_touches,
    last_real_contact,
)

D = dt.date
ONLY_BIRTHDAYS = TouchRules(
    follow_up=FollowUpRule(enabled=False),
    check_in=CheckInRule(enabled=False),
    articles=ArticleRule(enabled=False),
)


def run(
    facts: list[CustomerFacts],
    start: dt.date,
    end: dt.date,
    rules: TouchRules | None = None,
    articles: list[Article] | None = None,
    keys: set[str] | None = None,
) -> list[DueTouch]:
    return generate_due_touches(facts, rules or default_rules(), articles or [], start, end, keys or set())


def by_kind(touches: list[DueTouch], kind: TouchKind) -> list[DueTouch]:
    return [t for t in touches if t.kind is kind]


def test_callbacks_are_the_only_service_kind() -> None:
    assert {k for k in TouchKind if k not in MARKETING_KINDS} == {TouchKind.CALLBACK}
    assert TouchKind.CALLBACK not in CHEERFUL_KINDS
    assert TouchKind.PURCHASE_FOLLOW_UP not in CHEERFUL_KINDS
    assert TouchKind.BIRTHDAY in CHEERFUL_KINDS


# --- birthdays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "due"), [(Feb29Rule.FEB28, D(2027, 2, 28)), (Feb29Rule.MAR1, D(2027, 3, 1))]
)
def test_a_leap_day_birthday_in_2027_follows_the_shop_setting(rule: Feb29Rule, due: dt.date) -> None:
    anna = CustomerFacts(7, "Anna", birthday=PartialDate(2, 29, 2000))
    [touch] = run([anna], D(2027, 2, 1), D(2027, 3, 31), replace(ONLY_BIRTHDAYS, feb29=rule))
    assert touch.key == "birthday:7:2027"
    assert touch.due == due
    assert touch.occasion == due
    assert touch.years == 27
    assert describe(touch) == "Birthday greeting: turns 27"


def test_a_leap_day_birthday_in_2028_is_on_29_february() -> None:
    anna = CustomerFacts(7, "Anna", birthday=PartialDate(2, 29, 2000))
    for rule in Feb29Rule:
        [touch] = run([anna], D(2028, 2, 1), D(2028, 3, 31), replace(ONLY_BIRTHDAYS, feb29=rule))
        assert (touch.due, touch.years) == (D(2028, 2, 29), 28)


def test_2100_is_not_a_leap_year_and_an_unknown_year_shows_no_age() -> None:
    ben = CustomerFacts(8, "Ben", birthday=PartialDate(2, 29))
    [touch] = run([ben], D(2100, 2, 1), D(2100, 3, 31), ONLY_BIRTHDAYS)
    assert touch.due == D(2100, 2, 28)
    assert touch.years is None
    assert describe(touch) == "Birthday greeting"


def test_birthday_lead_time_counts_back_from_the_birthday_across_new_year() -> None:
    cara = CustomerFacts(9, "Cara", birthday=PartialDate(1, 2, 1990))
    rules = replace(ONLY_BIRTHDAYS, birthday=BirthdayRule(days_ahead=3))
    [touch] = run([cara], D(2027, 12, 1), D(2027, 12, 31), rules)
    assert touch.key == "birthday:9:2028"
    assert (touch.due, touch.occasion, touch.years) == (D(2027, 12, 30), D(2028, 1, 2), 38)


def test_no_greeting_in_the_birth_year_itself() -> None:
    baby = CustomerFacts(10, "Dot", birthday=PartialDate(3, 10, 2027))
    assert run([baby], D(2027, 3, 1), D(2027, 3, 31), ONLY_BIRTHDAYS) == []


# --- other dates that matter ---------------------------------------------------------------------


def test_customer_since_and_custom_dates_recur_yearly() -> None:
    eve = CustomerFacts(
        11,
        "Eve",
        dates=(
            ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate(3, 15, 2022)),
            ImportantDate(DateKind.CUSTOM, PartialDate(3, 3), "Dog's birthday"),
        ),
    )
    rules = replace(ONLY_BIRTHDAYS, birthday=BirthdayRule(enabled=False))
    custom, since = run([eve], D(2027, 3, 1), D(2027, 3, 31), rules)
    assert since.key == "important_date:11:customer_since::2027"
    assert (since.due, since.years, since.label) == (D(2027, 3, 15), 5, "Customer since")
    assert describe(since) == "Anniversary: Customer since, 5 years"
    assert custom.key == "important_date:11:custom:dog's birthday:2027"
    assert (custom.due, custom.years) == (D(2027, 3, 3), None)
    # The first day itself is not an anniversary.
    assert by_kind(run([eve], D(2022, 3, 4), D(2022, 3, 31), rules), TouchKind.IMPORTANT_DATE) == []


# --- purchase follow-ups and feedback ----------------------------------------------------------


def test_follow_up_30_days_after_31_january_lands_on_2_march_or_1_march_in_a_leap_year() -> None:
    rules = TouchRules(follow_up=FollowUpRule(days_by_category={"Bikes": 30}))
    fay = CustomerFacts(12, "Fay", purchases=(Purchase(D(2027, 1, 31), "Road bike", "bikes", id=101),))
    gus = CustomerFacts(13, "Gus", purchases=(Purchase(D(2028, 1, 31), "Road bike", "BIKES", id=202),))
    [fays] = by_kind(run([fay], D(2027, 2, 1), D(2027, 3, 31), rules), TouchKind.PURCHASE_FOLLOW_UP)
    [guss] = by_kind(run([gus], D(2028, 2, 1), D(2028, 3, 31), rules), TouchKind.PURCHASE_FOLLOW_UP)
    assert (fays.key, fays.due, fays.label) == ("follow_up:101", D(2027, 3, 2), "Road bike")
    assert (guss.key, guss.due) == ("follow_up:202", D(2028, 3, 1))


def test_one_follow_up_per_visit_after_the_shortest_delay_and_none_for_excluded_categories() -> None:
    rules = TouchRules(follow_up=FollowUpRule(days_by_category={"bikes": 30, "gift cards": None}))
    hal = CustomerFacts(
        14,
        "Hal",
        purchases=(
            Purchase(D(2027, 1, 31), "Bell", "accessories", id=302),
            Purchase(D(2027, 1, 31), "Road bike", "bikes", id=301),
            Purchase(D(2027, 1, 31), "Voucher", "Gift Cards", id=303),
            Purchase(D(2027, 2, 3), "Voucher", "gift cards", id=304),
        ),
    )
    [touch] = by_kind(run([hal], D(2027, 2, 1), D(2027, 3, 31), rules), TouchKind.PURCHASE_FOLLOW_UP)
    # Accessories use the 14-day default: 31 January + 14 days.
    assert (touch.key, touch.due) == ("follow_up:301", D(2027, 2, 14))
    assert touch.purchase_ids == (301, 302)
    assert touch.label == "Road bike, Bell"


def test_feedback_after_a_resolved_ticket_but_not_an_open_one_and_not_after_purchases_by_default() -> None:
    ida = CustomerFacts(
        15,
        "Ida",
        tickets=(TicketFact(31, D(2027, 3, 8), D(2027, 3, 10)), TicketFact(32, D(2027, 3, 9))),
        purchases=(Purchase(D(2027, 3, 1), "Kettle", id=401),),
    )
    feedback = by_kind(run([ida], D(2027, 3, 1), D(2027, 3, 31)), TouchKind.FEEDBACK_REQUEST)
    assert [(t.key, t.due, t.ticket_id) for t in feedback] == [("feedback:ticket:31", D(2027, 3, 13), 31)]
    rules = TouchRules(feedback=FeedbackRule(after_purchase_days=7))
    feedback = by_kind(run([ida], D(2027, 3, 1), D(2027, 3, 31), rules), TouchKind.FEEDBACK_REQUEST)
    assert [(t.key, t.due) for t in feedback] == [
        ("feedback:purchase:401", D(2027, 3, 8)),
        ("feedback:ticket:31", D(2027, 3, 13)),
    ]


# --- check-ins -----------------------------------------------------------------------------------


def test_check_in_counts_from_the_last_contact_and_a_purchase_resets_it() -> None:
    jo = CustomerFacts(16, "Jo", stage=LoyaltyStage.CLIENT, last_contact=D(2027, 1, 10))
    [touch] = by_kind(run([jo], D(2027, 3, 1), D(2027, 3, 31)), TouchKind.CHECK_IN)
    # Clients: ideally 60 days, at most 90. 10 January + 60 = 11 March; + 90 = 10 April.
    assert (touch.key, touch.due, touch.deadline) == (
        "check_in:16:2027-01-10",
        D(2027, 3, 11),
        D(2027, 4, 10),
    )
    bought = replace(jo, purchases=(Purchase(D(2027, 2, 20), "Lamp", id=501),))
    assert last_real_contact(bought) == D(2027, 2, 20)
    assert by_kind(run([bought], D(2027, 3, 1), D(2027, 3, 31)), TouchKind.CHECK_IN) == []
    [later] = by_kind(run([bought], D(2027, 4, 1), D(2027, 4, 30)), TouchKind.CHECK_IN)
    assert (later.key, later.due) == ("check_in:16:2027-02-20", D(2027, 4, 21))


def test_a_tag_interval_beats_the_stage_and_prospects_get_no_check_in() -> None:
    rules = TouchRules(check_in=CheckInRule(by_tag={"VIP": Interval(30, 45), "regular": Interval(50, 70)}))
    kim = CustomerFacts(17, "Kim", tags=frozenset({"vip", "Regular"}), last_contact=D(2027, 3, 1))
    [touch] = by_kind(run([kim], D(2027, 3, 1), D(2027, 4, 30), rules), TouchKind.CHECK_IN)
    assert (touch.due, touch.deadline) == (D(2027, 3, 31), D(2027, 4, 15))
    lee = CustomerFacts(18, "Lee", stage=LoyaltyStage.PROSPECT, last_contact=D(2026, 1, 1))
    assert by_kind(run([lee], D(2027, 3, 1), D(2027, 4, 30)), TouchKind.CHECK_IN) == []


def test_a_check_in_missed_long_ago_is_still_generated() -> None:
    max_ = CustomerFacts(19, "Max", last_contact=D(2026, 6, 1))
    [touch] = by_kind(run([max_], D(2027, 3, 1), D(2027, 3, 31)), TouchKind.CHECK_IN)
    # Customers: ideally 90 days. 1 June 2026 + 90 = 30 August 2026.
    assert touch.due == D(2026, 8, 30)


def test_last_real_contact_takes_the_latest_of_contacts_purchases_and_tickets() -> None:
    facts = CustomerFacts(
        20,
        known_since=D(2026, 1, 5),
        last_contact=D(2027, 1, 10),
        purchases=(Purchase(D(2027, 1, 2), "Mug", id=1),),
        tickets=(TicketFact(1, D(2027, 1, 4), D(2027, 1, 12)),),
    )
    assert last_real_contact(facts) == D(2027, 1, 12)
    assert last_real_contact(CustomerFacts(21, known_since=D(2026, 1, 5))) == D(2026, 1, 5)
    assert last_real_contact(CustomerFacts(22)) is None


# --- articles ------------------------------------------------------------------------------------

BRAKES = Article(
    1,
    "Servicing your brakes",
    "https://example.com/brakes",
    D(2027, 3, 1),
    topics=frozenset({"Cycling", "Maintenance"}),
)
ROUTES = Article(
    2, "Spring routes", "https://example.com/routes", D(2027, 3, 5), topics=frozenset({"cycling"})
)
TEA = Article(3, "Brewing green tea", "https://example.com/tea", D(2027, 3, 6), topics=frozenset({"tea"}))


def test_an_article_goes_to_matching_customers_one_at_a_time_and_never_twice() -> None:
    mia = CustomerFacts(23, "Mia", interests=frozenset({"Cycling", "maintenance"}))
    ned = CustomerFacts(24, "Ned", tags=frozenset({"tea"}))
    touches = run([mia, ned], D(2027, 3, 1), D(2027, 3, 31), articles=[BRAKES, ROUTES, TEA])
    shares = by_kind(touches, TouchKind.ARTICLE_SHARE)
    # Mia shares two topics with the brakes article and one with routes: brakes first.
    assert [(t.key, t.due) for t in shares] == [
        ("article:1:23", D(2027, 3, 1)),
        ("article:3:24", D(2027, 3, 6)),
    ]
    keys = {t.key for t in touches}
    again = by_kind(
        run([mia, ned], D(2027, 3, 1), D(2027, 3, 31), articles=[BRAKES, ROUTES, TEA], keys=keys),
        TouchKind.ARTICLE_SHARE,
    )
    assert [(t.key, t.due) for t in again] == [("article:2:23", D(2027, 3, 5))]


def test_article_shares_are_spaced_out_and_stale_articles_are_not_shared() -> None:
    mia = CustomerFacts(23, "Mia", interests=frozenset({"cycling"}), last_article_on=D(2027, 2, 20))
    [share] = by_kind(run([mia], D(2027, 3, 1), D(2027, 3, 31), articles=[ROUTES]), TouchKind.ARTICLE_SHARE)
    # 20 February + 30 days = 22 March.
    assert (share.key, share.due) == ("article:2:23", D(2027, 3, 22))
    rules = TouchRules(articles=ArticleRule(fresh_for_days=90))
    fresh = replace(mia, last_article_on=None)
    assert by_kind(
        run([fresh], D(2027, 6, 1), D(2027, 6, 30), rules, articles=[ROUTES]), TouchKind.ARTICLE_SHARE
    )
    assert not by_kind(
        run([fresh], D(2027, 6, 4), D(2027, 6, 30), rules, articles=[ROUTES]), TouchKind.ARTICLE_SHARE
    )


# --- referrals and callbacks ---------------------------------------------------------------------


def test_thank_you_for_a_referral_once_per_referred_customer() -> None:
    ola = CustomerFacts(25, "Ola", referrals=(Referral(26, D(2027, 3, 5), "Maria"),))
    [touch] = by_kind(run([ola], D(2027, 3, 1), D(2027, 3, 31)), TouchKind.REFERRAL_THANKS)
    assert (touch.key, touch.due, touch.label) == ("referral_thanks:26", D(2027, 3, 5), "Maria")
    assert describe(touch) == "Thank-you for a referral: referred Maria"


def test_callbacks_are_generated_whatever_the_horizon_and_keep_their_time() -> None:
    at = dt.datetime(2027, 3, 10, 15, 0, tzinfo=dt.UTC)
    pat = CustomerFacts(27, "Pat", callbacks=(CallbackFact(41, D(2027, 3, 10), at, "About the invoice"),))
    [touch] = run([pat], D(2027, 6, 1), D(2027, 6, 30))
    assert (touch.key, touch.kind, touch.due, touch.due_at) == (
        "callback:41",
        TouchKind.CALLBACK,
        D(2027, 3, 10),
        at,
    )
    assert touch.channels == (Channel.PHONE,)
    with pytest.raises(ValueError, match="time zone"):
        CallbackFact(42, D(2027, 3, 10), dt.datetime(2027, 3, 10, 15, 0))


# --- never twice ---------------------------------------------------------------------------------


def everyone() -> list[CustomerFacts]:
    return [
        CustomerFacts(
            1,
            "Amy",
            birthday=PartialDate(3, 20, 1980),
            stage=LoyaltyStage.CLIENT,
            last_contact=D(2027, 1, 20),
        ),
        CustomerFacts(
            2, "Bob", birthday=PartialDate(4, 10), purchases=(Purchase(D(2027, 2, 20), "Tent", id=9),)
        ),
    ]


def test_restarting_generates_nothing_new() -> None:
    first = run(everyone(), D(2027, 3, 1), D(2027, 3, 31))
    assert [(t.key, t.due) for t in first] == [
        ("follow_up:9", D(2027, 3, 6)),
        ("birthday:1:2027", D(2027, 3, 20)),
        ("check_in:1:2027-01-20", D(2027, 3, 21)),
    ]
    keys = {t.key for t in first}
    for _ in range(3):
        assert run(everyone(), D(2027, 3, 1), D(2027, 3, 31), keys=keys) == []


def test_a_rule_edit_moves_only_touches_not_yet_generated() -> None:
    first = run(everyone(), D(2027, 3, 1), D(2027, 3, 31))
    keys = {t.key for t in first}
    edited = TouchRules(
        birthday=BirthdayRule(days_ahead=14),
        follow_up=FollowUpRule(default_days=30),
        check_in=CheckInRule(by_stage={LoyaltyStage.CLIENT: Interval(30, 60)}),
        feb29=Feb29Rule.MAR1,
    )
    second = run(everyone(), D(2027, 3, 2), D(2027, 4, 1), edited, keys=keys)
    # Amy's birthday, Bob's follow-up and Amy's check-in were generated already and keep their
    # dates; only Bob's birthday (10 April, now 14 days ahead: 27 March) is new.
    assert [(t.key, t.due) for t in second] == [("birthday:2:2027", D(2027, 3, 27))]


def test_changing_the_29_february_setting_does_not_greet_twice() -> None:
    anna = CustomerFacts(7, "Anna", birthday=PartialDate(2, 29, 2000))
    [first] = run([anna], D(2027, 2, 1), D(2027, 2, 28), ONLY_BIRTHDAYS)
    assert first.due == D(2027, 2, 28)
    mar1 = replace(ONLY_BIRTHDAYS, feb29=Feb29Rule.MAR1)
    assert run([anna], D(2027, 2, 28), D(2027, 3, 31), mar1, keys={first.key}) == []


def test_touches_missed_while_the_app_was_closed_come_back() -> None:
    amy = CustomerFacts(1, "Amy", birthday=PartialDate(3, 5, 1980))
    # Last run on 1 March; the app opens again on 10 March.
    [touch] = run([amy], D(2027, 3, 2), D(2027, 4, 9), ONLY_BIRTHDAYS)
    assert touch.due == D(2027, 3, 5)


def test_a_longer_lead_time_never_skips_a_birthday_still_ahead() -> None:
    amy = CustomerFacts(1, "Amy", birthday=PartialDate(4, 5, 1980))
    rules = replace(ONLY_BIRTHDAYS, birthday=BirthdayRule(days_ahead=40))
    [touch] = run([amy], D(2027, 3, 1), D(2027, 3, 31), rules)
    # 5 April - 40 days = 24 February: before the horizon, but the birthday is not.
    assert (touch.due, touch.occasion) == (D(2027, 2, 24), D(2027, 4, 5))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="horizon"):
        run([], D(2027, 3, 2), D(2027, 3, 1))
    with pytest.raises(ValueError, match="days ahead cannot be negative"):
        BirthdayRule(days_ahead=-1)
    with pytest.raises(ValueError, match="ideal"):
        Interval(90, 60)


def test_facts_from_a_stored_customer() -> None:
    customer = Customer(
        first_name="Rae",
        emails=[EmailAddress("rae@example.com")],
        phones=[PhoneNumber("07700 900123")],
        tags=["cycling"],
        loyalty_stage=LoyaltyStage.CLIENT,
        id=30,
        created_at=dt.datetime(2026, 5, 1, 10, 0),
        consents=[ConsentState(Channel.EMAIL, True), ConsentState(Channel.SMS, False)],
    )
    facts = facts_from_customer(customer, last_contact=D(2027, 1, 1))
    assert facts.reachable == {Channel.EMAIL, Channel.SMS, Channel.PHONE}
    assert facts.has_consent(Channel.EMAIL)
    assert not facts.has_consent(Channel.SMS)
    assert not facts.has_consent(Channel.PHONE)
    assert (facts.id, facts.stage, facts.known_since) == (30, LoyaltyStage.CLIENT, D(2026, 5, 1))
    assert facts.topics() == {"cycling"}
