"""The "suggest a related product" touch in the care pipeline on a real migrated database (SQLite and
PostgreSQL): switched on through the rules, it suggests categories from the shop's table of strong
moves; a refresh of the changed customers makes what a refresh of everyone would, through random edits
(purchases move the table) and new days; the incremental queue stays the queue planned from scratch;
and the table is read once per refresh, not per customer (kept while no purchase changes it)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import PurchaseRecord
from careapp.domain.customer import Purchase
from careapp.domain.touches import RelatedProductRule, TouchKind
from careapp.services.care import facts as facts_module
from careapp.services.care.plan_store import REFRESH, read_state
from careapp.services.care.rules import RuleKind
from careapp.services.shop.staff import Actor
from tests.services.test_care_incremental import Edits, check_same, demo_shop, forget_refresh_state


def teapots_after_tea(services: Services, clock: list[dt.datetime]) -> None:
    """The demo shop buys at random (no move is strong): 15 tea buyers go on to buy teapots a month
    later, and nobody else buys teapots, so tea -> teapots has lift (15 / tea buyers) / (15 / buyers),
    about 1.6 (buyers / tea buyers), from 15 customers."""
    today = clock[0].date()
    with services.db.session() as session:
        tea = sorted(
            set(session.scalars(select(PurchaseRecord.customer_id).where(PurchaseRecord.category == "tea")))
        )
    for customer_id in tea[:15]:
        services.customers.add_purchase(
            customer_id, Purchase(today - dt.timedelta(days=3), "Teapot", "teapots", Decimal("30"))
        )


def switch_on(services: Services, owner: Actor) -> None:
    rule_set = services.touches.rule_set()
    rule = RelatedProductRule(enabled=True, min_customers=10, min_lift=1.5, days_after=7)
    rules = replace(rule_set.rules, related_product=rule)
    services.touches.save_rules(owner, rules, rule_set.versions)


def suggestions(services: Services) -> dict[str, str]:
    queue = services.care_queue.queue(services.touches.today())
    return {e.key: e.description for e in queue.entries() if e.kind is TouchKind.RELATED_PRODUCT}


def test_suggestions_keep_incremental_equal_to_everyone(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = demo_shop(services, clock, 300)
    assert not services.touches.rule_set().rules.related_product.enabled  # off by default
    assert suggestions(services) == {}
    reads: list[int] = []
    real = facts_module.suggestion_source
    monkeypatch.setattr(
        "careapp.services.care.touches.suggestion_source", lambda s: reads.append(1) or real(s)
    )
    teapots_after_tea(services, clock)
    switch_on(services, owner)
    assert RuleKind.RELATED_PRODUCT in services.touches.rule_set().versions
    result = services.touches.refresh()
    assert len(reads) == 1  # one read of the table for a refresh of all 300 customers
    found = suggestions(services)
    assert found, "no suggestion was made"
    assert set(found.values()) == {"Suggest a related product: teapots"}
    assert result.generated >= len(found)
    with services.db.session() as session:
        assert "suggestions" in read_state(session, "refresh")[0]  # type: ignore[operator]
    services.touches.refresh()
    assert len(reads) == 1  # nothing changed: the table is kept
    check_same(services, services.touches.today(), "suggestions on")
    forget_refresh_state(services)
    assert services.touches.refresh().generated == 0

    edits = Edits(services, clock, random.Random(8), owner)
    for step in range(30):
        what = edits.next_day() if step in (10, 20) else edits.random()
        services.touches.refresh()
        check_same(services, services.touches.today(), f"step {step}: {what}")
        forget_refresh_state(services)
        assert services.touches.refresh().generated == 0, f"after step {step} ({what}) everyone found more"
    with services.db.session() as session:
        assert read_state(session, REFRESH)[0] is not None
