"""Recording, editing, deleting and putting back a sale, with the checks said in sentences, on a
real migrated database (both backends)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from careapp.domain.purchases import InvalidPurchase, SaleInput, parse_amount
from careapp.services.customers.purchases import PurchaseNotFound
from careapp.services.shop.staff import Role

if TYPE_CHECKING:
    from careapp.context import Services


@pytest.fixture
def ann(services: Services) -> int:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    return services.tickets.create_walk_in(owner, "Ann", "Evans").id


def today(services: Services) -> dt.date:
    from careapp.clock import to_local

    return to_local(services.clock()).date()


def test_a_recorded_sale_is_on_the_timeline_with_its_quantity(services: Services, ann: int) -> None:
    sale = SaleInput(today(services), " Ethiopia beans 250 g ", "Coffee", "£12.50", 2)
    recorded = services.purchases.record(ann, sale)
    assert (recorded.item, recorded.category, recorded.amount, recorded.quantity) == (
        "Ethiopia beans 250 g",
        "Coffee",
        Decimal("12.50"),
        2,
    )
    assert services.purchases.for_customer(ann) == [recorded]
    entry = next(e for e in services.customers.timeline(ann) if e.kind == "purchase")
    assert entry.title == "Bought 2 × Ethiopia beans 250 g"
    assert "12.50" in entry.detail and "Coffee" in entry.detail
    assert services.purchases.categories() == ["Coffee"]


def test_edit_gives_what_undoes_it(services: Services, ann: int) -> None:
    recorded = services.purchases.record(ann, SaleInput(today(services), "Kettle", "Kitchen", "40"))
    before, after = services.purchases.edit(
        recorded.id, SaleInput(today(services), "Gooseneck kettle", "Kitchen", "45,00")
    )
    assert (after.item, after.amount) == ("Gooseneck kettle", Decimal("45.00"))
    services.purchases.edit(
        before.id, SaleInput(before.date, before.item, before.category, str(before.amount), before.quantity)
    )
    assert services.purchases.for_customer(ann)[0].item == "Kettle"


def test_delete_and_undo_put_back_the_same_purchase(services: Services, ann: int) -> None:
    recorded = services.purchases.record(ann, SaleInput(today(services), "Grinder", "Machines", "199.99"))
    gone = services.purchases.delete(recorded.id)
    assert services.purchases.for_customer(ann) == []
    with pytest.raises(PurchaseNotFound):
        services.purchases.delete(recorded.id)
    assert services.purchases.restore(gone) == recorded
    assert services.purchases.for_customer(ann) == [recorded]


@pytest.mark.parametrize(
    ("sale", "says"),
    [
        (SaleInput(dt.date(2026, 1, 1), "  "), "item is empty"),
        (SaleInput(dt.date(2026, 1, 1), "Beans", amount="twelve"), "is not a number"),
        (SaleInput(dt.date(2026, 1, 1), "Beans", amount="-3"), "below zero"),
        (SaleInput(dt.date(2026, 1, 1), "Beans", quantity=0), "quantity must be between"),
        (SaleInput(dt.date(2999, 1, 1), "Beans"), "in the future"),
    ],
)
def test_bad_input_is_refused_in_a_sentence_and_nothing_is_saved(
    services: Services, ann: int, sale: SaleInput, says: str
) -> None:
    with pytest.raises(InvalidPurchase, match=says):
        services.purchases.record(ann, sale)
    assert services.purchases.for_customer(ann) == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("£1,234.50", "1234.50"),
        ("1.234,50 EUR", "1234.50"),
        ("", "0.00"),
        ("7", "7.00"),
    ],
)
def test_amounts_as_people_type_them(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)
