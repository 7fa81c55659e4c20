"""The customer list's RFM scale, kept in the database (services/value/list_scale.py): it scores exactly
as the whole scale does, a start reads it instead of reading every purchase, and it is made again only
when the customers' data moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careapp.config import Paths
from careapp.context import Services, build_services
from careapp.db.changes import read_counters
from careapp.domain.customer import CustomerDraft, Purchase
from careapp.domain.value import CustomerTotals, RfmScale
from careapp.services.shop.settings import write_setting
from careapp.services.value import loading
from careapp.services.value.list_scale import LIST_SCALE_KEY, ListScale, read_list_scale

D = dt.date
FIRST = D(2020, 1, 1).toordinal()

totals_strategy = st.builds(
    lambda cid, spent, count, last: CustomerTotals(
        cid, spent, count, D.fromordinal(FIRST), None if last is None else D.fromordinal(FIRST + last)
    ),
    st.integers(1, 10**6),
    st.integers(-5_000, 50_000),
    st.integers(0, 12),
    st.none() | st.integers(0, 60),
)


@given(st.lists(totals_strategy, max_size=60), st.lists(totals_strategy, min_size=1, max_size=20))
def test_the_cuts_score_every_customer_as_the_whole_scale_does(
    shop: list[CustomerTotals], others: list[CustomerTotals]
) -> None:
    """Customers of the shop and others (a purchase since: values below, between and above all)."""
    scale = RfmScale.of(shop)
    cuts = ListScale.of(scale, 7)
    for totals in [*shop, *others]:
        assert cuts.score(totals) == scale.score(totals)
    assert ListScale.from_json(cuts.as_json()) == cuts


def person(services: Services, name: str) -> int:
    return services.customers.create(CustomerDraft(first_name=name), "test").id


def buy(services: Services, cid: int, day: dt.date, amount: str) -> None:
    services.customers.add_purchase(cid, Purchase(day, "tea item", "tea", Decimal(amount)))


@pytest.fixture
def shop(services: Services) -> list[int]:
    ids = [person(services, name) for name in ("Ann", "Bob", "Cy", "Di", "Ed", "Flo")]
    for number, cid in enumerate(ids[:5]):
        for times in range(number + 1):
            buy(services, cid, D(2026, 1, 1 + number * 3 + times), f"{5 + number * 7}.00")
    return ids


@pytest.fixture
def again(paths: Paths, services: Services) -> Iterator[Services]:
    """The same database as a new start would open it."""
    other = build_services(paths, clock=services.clock)
    yield other
    other.close()


def segments(services: Services, ids: list[int]) -> dict[int, str | None]:
    return {cid: figures.segment for cid, figures in services.value.list_figures(ids).items()}


def no_pass_over_every_purchase(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the shop's scale was made (every purchase read)")

    monkeypatch.setattr(loading, "customer_totals", refused)


def test_a_start_scores_the_list_by_the_stored_scale_without_reading_every_purchase(
    services: Services, shop: list[int], again: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = segments(services, shop)  # a database that never had one: made here, and stored
    assert first[shop[4]] and first[shop[5]] is None
    with services.db.session() as session:
        stored = read_list_scale(session)
        counter = read_counters(session)["customers"]
    assert stored is not None and stored.counter == counter and stored.buyers == 5
    no_pass_over_every_purchase(monkeypatch)
    assert segments(again, shop) == first
    assert again.value.update_list_scale() is False  # nothing changed since it was made


def test_after_a_change_the_scale_is_made_again_behind_the_list_and_stored(
    services: Services, shop: list[int], again: Services
) -> None:
    before = segments(services, shop)
    with services.db.session() as session:
        old = read_list_scale(session)
    assert old is not None
    for day in range(1, 20):  # Flo becomes the best customer: everyone else's scores move
        buy(services, shop[5], D(2026, 3, day), "90.00")
    shown = segments(again, shop)  # a start shows the stored scale at once
    values = {cid: again.value.customer_value(cid) for cid in shop}
    assert shown == {cid: getattr(old.score(v.totals), "segment", None) for cid, v in values.items()}
    assert again.value.update_list_scale() is True
    fresh = {cid: v.rfm.segment if v.rfm else None for cid, v in values.items()}
    assert segments(again, shop) == fresh != before
    with again.db.session() as session:
        stored = read_list_scale(session)
        assert stored is not None and stored.counter == read_counters(session)["customers"]
    assert again.value.update_list_scale() is False


def test_storing_the_scale_sets_off_no_care_refresh(services: Services, shop: list[int]) -> None:
    heard: list[frozenset[str]] = []
    services.db.changes.add_listener(heard.append)
    segments(services, shop)
    buy(services, shop[0], D(2026, 4, 1), "1.00")
    heard.clear()
    assert services.value.update_list_scale() in (True, False)
    with services.db.session() as session:
        assert read_list_scale(session).counter == read_counters(session)["customers"]  # type: ignore[union-attr]
    assert heard == []


def test_a_stored_value_it_cannot_read_is_made_again(
    services: Services, shop: list[int], again: Services
) -> None:
    expected = segments(services, shop)
    with services.db.session() as session:
        write_setting(session, LIST_SCALE_KEY, {"counter": "x", "recency": [1, 2]})
    assert segments(again, shop) == expected
    with again.db.session() as session:
        assert read_list_scale(session) is not None
