"""The "suggest a related product" touch (issue 21, item 2): the shop-wide table of strong moves, a
customer's suggestion from their own categories and that table, the touch the rule makes (off by
default), its drafted message naming the category, and the queue's consent and complaint hold.
Answers worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from careapp.domain.care_queue import CareSettings, Placement, QueueItem, plan_queue
from careapp.domain.customer import Channel, ConsentState, Purchase
from careapp.domain.templates import render, template_for, values_for
from careapp.domain.touches import (
    CHEERFUL_KINDS,
    MARKETING_KINDS,
    CustomerFacts,
    RelatedProductRule,
    TouchKind,
    TouchRules,
    generate_due_touches,
)
from careapp.domain.value import NextTable, Suggestion, SuggestionTable, next_table, suggestion_table

D = dt.date


def shop_table() -> NextTable:
    # 20 buyers. 10 bought tea first and cups later; 4 bought only cups; 6 bought only biscuits.
    # tea buyers 10, cups buyers 14, biscuits 6.
    # tea -> cups: 10 customers; confidence 10/10 = 1.0; lift = 1.0 / (14/20) = 1.43 -> 1.4.
    rows: list[tuple[int, str, dt.date]] = []
    for c in range(10):
        rows += [(c, "tea", D(2026, 1, 1)), (c, "cups", D(2026, 2, 1))]
    rows += [(c, "cups", D(2026, 1, 1)) for c in range(10, 14)]
    rows += [(c, "biscuits", D(2026, 1, 1)) for c in range(14, 20)]
    return next_table(rows)


def test_the_table_keeps_only_strong_moves_with_lift_to_a_tenth() -> None:
    table = shop_table()
    assert table.rule("tea", "cups").lift == 1.0 / (14 / 20)  # type: ignore[union-attr]
    # At the defaults (10 customers, lift 2.0) the tea -> cups move (lift 1.4) is not strong.
    assert suggestion_table(table).moves == {}
    # With lift 1.4 allowed it is; with 11 customers needed it is not (only 10 made it).
    assert suggestion_table(table, 10, 1.4).moves == {"tea": (("cups", 1.4),)}
    assert suggestion_table(table, 11, 1.0).moves == {}
    # The version names the table: the same moves, the same version; other moves, another.
    assert suggestion_table(table, 10, 1.4).version() == suggestion_table(table, 5, 1.3).version()
    assert suggestion_table(table, 10, 1.4).version() != SuggestionTable().version()


def test_a_customer_is_suggested_the_strongest_category_they_have_not_bought() -> None:
    table = SuggestionTable({"tea": (("cups", 3.0), ("pots", 2.5)), "cups": (("saucers", 3.0),)})
    assert table.suggest({"tea"}) == Suggestion("cups", "tea", 3.0)
    assert table.suggest({"tea", "cups"}) == Suggestion("saucers", "cups", 3.0)  # cups: bought already
    assert table.suggest({"tea", "cups", "saucers"}) == Suggestion("pots", "tea", 2.5)
    assert table.suggest({"biscuits"}) is None
    assert table.suggest(set()) is None


def facts(**changes: object) -> CustomerFacts:
    bought = (Purchase(D(2027, 3, 1), "Green tea", "tea", Decimal("4.50"), id=7),)
    base = CustomerFacts(
        1, "Anna", "Smith", consents=(ConsentState(Channel.EMAIL, True),), purchases=bought,
        suggestion=Suggestion("cups", "tea", 3.0),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


ON = TouchRules(related_product=RelatedProductRule(enabled=True))


def related(*args: object) -> list:  # type: ignore[type-arg]
    """The suggestion touches generate_due_touches makes (the other rules make theirs too)."""
    made = generate_due_touches(*args)  # type: ignore[arg-type]
    return [t for t in made if t.kind is TouchKind.RELATED_PRODUCT]


def test_the_rule_is_off_by_default_and_makes_one_touch_per_category_when_on() -> None:
    assert not TouchRules().related_product.enabled
    assert related([facts()], TouchRules(), [], D(2027, 3, 1), D(2027, 4, 30), []) == []
    # Latest visit 1 March + 21 days = 22 March, inside the horizon.
    (touch,) = related([facts()], ON, [], D(2027, 3, 1), D(2027, 4, 30), [])
    assert (touch.key, touch.kind, touch.due, touch.label) == (
        "related_product:1:cups", TouchKind.RELATED_PRODUCT, D(2027, 3, 22), "cups",
    )  # fmt: skip
    assert touch.is_marketing and TouchKind.RELATED_PRODUCT in MARKETING_KINDS
    assert TouchKind.RELATED_PRODUCT in CHEERFUL_KINDS  # held while a complaint is open
    # Never the same category twice; no suggestion, no touch; due before the horizon, none.
    assert related([facts()], ON, [], D(2027, 3, 1), D(2027, 4, 30), [touch.key]) == []
    assert related([facts(suggestion=None)], ON, [], D(2027, 3, 1), D(2027, 4, 30), []) == []
    assert related([facts()], ON, [], D(2027, 3, 23), D(2027, 4, 30), []) == []


def test_the_drafted_message_names_the_category() -> None:
    (touch,) = related([facts()], ON, [], D(2027, 3, 1), D(2027, 4, 30), [])
    values = values_for(touch, facts(), shop_name="Leaf & Cup")
    email = render(template_for(TouchKind.RELATED_PRODUCT, Channel.EMAIL), values)
    assert email.subject == "Something you might like: cups"
    assert "often go on to enjoy our cups" in email.body and "Hi Anna" in email.body
    sms = render(template_for(TouchKind.RELATED_PRODUCT, Channel.SMS), values)
    assert "enjoy our cups too" in sms.body and "{" not in sms.body


def test_consent_and_the_complaint_hold_apply_like_every_marketing_touch() -> None:
    (touch,) = related([facts()], ON, [], D(2027, 3, 1), D(2027, 4, 30), [])
    settings = CareSettings(timezone="Europe/London")
    today = D(2027, 3, 22)
    plan = plan_queue([QueueItem(touch)], {1: facts()}, settings, today)
    assert plan.items[0].placement is Placement.QUEUED and plan.items[0].item.channel is Channel.EMAIL
    plan = plan_queue([QueueItem(touch)], {1: facts(open_complaint=True)}, settings, today)
    assert plan.items[0].placement is Placement.HELD and "complaint" in plan.items[0].reason
    plan = plan_queue([QueueItem(touch)], {1: facts(consents=())}, settings, today)
    assert plan.items[0].placement is Placement.CANCELLED  # due today, no consent: not sent
