"""Quiet customers (nothing dated: a fresh import's) are worked out once per distinct stage, first known
day and tags (careapp.domain.touches.quiet_wakes). Whatever the profiles and the rules, that must give
each customer exactly the wake day :func:`generate_with_wakes` gives them one by one, and set apart
exactly the customers for whom it would make a touch."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from careapp.domain.customer import Channel, ConsentState, LoyaltyStage
from careapp.domain.touches import (
    Article,
    CheckInRule,
    CustomerFacts,
    Interval,
    QuietProfile,
    TouchRules,
    generate_with_wakes,
    quiet_wakes,
    rules_read_tags,
)

TODAY = dt.date(2026, 12, 7)
TAGS = ("vip", "Tea", "tea ", "coffee", "walks")
ARTICLES = [
    Article(1, "Tea at home", "https://example.com/tea", dt.date(2026, 12, 1), topics=frozenset({"tea"})),
    Article(2, "Coffee", "https://example.com/coffee", dt.date(2026, 9, 1), topics=frozenset({"coffee"})),
]

profiles = st.builds(
    lambda stage, age, tags: (stage, None if age is None else TODAY - dt.timedelta(age), frozenset(tags)),
    st.sampled_from(list(LoyaltyStage)),
    st.one_of(st.none(), st.integers(0, 400)),
    st.sets(st.sampled_from(TAGS), max_size=3),
)


def full_facts(customer_id: int, profile: QuietProfile) -> CustomerFacts:
    """The facts :func:`careapp.services.care.facts.load_facts` gives such a customer: a name,
    consents and channels too, none of which the rules read."""
    return CustomerFacts(
        id=customer_id,
        first_name=f"Kim{customer_id}",
        last_name="Park",
        stage=profile.stage,
        known_since=profile.known_since,
        tags=profile.tags,
        consents=(ConsentState(Channel.EMAIL, customer_id % 2 == 0),),
        reachable=frozenset({Channel.EMAIL}) if customer_id % 3 else frozenset(),
        in_control_group=customer_id % 5 == 0,
    )


def grouped(people: list[QuietProfile]) -> dict[QuietProfile, list[int]]:
    groups: dict[QuietProfile, list[int]] = {}
    for number, profile in enumerate(people, 1):
        groups.setdefault(profile, []).append(number)
    return groups


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    people=st.lists(profiles, min_size=1, max_size=30),
    by_tag=st.booleans(),
    with_articles=st.booleans(),
    horizon=st.integers(0, 30),
)
def test_quiet_customers_get_what_generating_each_of_them_gives(
    people: list[tuple[LoyaltyStage, dt.date | None, frozenset[str]]],
    by_tag: bool,
    with_articles: bool,
    horizon: int,
) -> None:
    rules = TouchRules(check_in=CheckInRule(by_tag={"VIP": Interval(3, 10)} if by_tag else {}))
    articles = ARTICLES if with_articles else []
    start, end = TODAY - dt.timedelta(days=horizon), TODAY + dt.timedelta(days=30)
    profiles = [QuietProfile(*person) for person in people]

    wakes, loud = quiet_wakes(grouped(profiles), rules, articles, start, end)

    assert len(wakes) + len(loud) == len(profiles)
    for customer_id, profile in enumerate(profiles, 1):
        made, wake = generate_with_wakes([full_facts(customer_id, profile)], rules, articles, start, end, ())
        if made:
            assert customer_id in loud and customer_id not in wakes
        else:
            assert customer_id not in loud
            assert wakes[customer_id] == wake[customer_id]
        if not rules_read_tags(rules, articles):  # tags left unread then: they must not matter
            untagged = replace(full_facts(customer_id, profile), tags=frozenset())
            assert generate_with_wakes([untagged], rules, articles, start, end, ()) == (made, wake)


def test_a_profile_that_makes_a_touch_sets_its_customers_apart() -> None:
    rules = TouchRules(check_in=CheckInRule(by_tag={"vip": Interval(1, 5)}))
    long_known = TODAY - dt.timedelta(days=10)
    groups = {
        QuietProfile(LoyaltyStage.PROSPECT, long_known, frozenset({"vip"})): [1, 2],
        QuietProfile(LoyaltyStage.PROSPECT, long_known, frozenset()): [3],
        QuietProfile(LoyaltyStage.CUSTOMER, TODAY, frozenset()): [4],
    }
    wakes, loud = quiet_wakes(groups, rules, [], TODAY, TODAY + dt.timedelta(days=30))
    assert sorted(loud) == [1, 2]  # a check-in every day for VIPs: due at once
    assert wakes[3] == TODAY + dt.timedelta(days=30 + 400)  # prospects get no check-in: nothing ahead
    assert wakes[4] == TODAY + dt.timedelta(days=90)  # a customer's check-in, 90 days on
    assert rules_read_tags(rules, [])
    assert not rules_read_tags(TouchRules(), [])
    assert rules_read_tags(TouchRules(), ARTICLES)
