"""Orders files (Shopify, WooCommerce, Square, SumUp): recognised by their header row, each sold
line read into a purchase with its re-import key, bad lines rejected with their line and a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from import_helpers import by_line, parse_bytes

from careapp.importing import parse_import
from careapp.importing.orders import PurchaseCell, read_purchase
from tests.importing.import_helpers import NOW
from tests.importing.test_import_orders_fixtures import ORDERS, read_orders


def test_shopify_orders_export_is_recognised_and_later_lines_take_the_order_columns() -> None:
    parsed = read_orders("shopify_orders_export.csv")
    assert (parsed.format, parsed.format_label) == ("shopify-orders", "Shopify orders export")
    rows = by_line(parsed)
    first, second = rows[2], rows[3]
    assert first.draft is not None and second.draft is not None
    assert [e.address for e in second.draft.emails] == ["ann.evans@example.com"]
    assert (first.draft.first_name, first.draft.last_name) == ("Ann", "Evans")
    # Lineitem price is the price of one: 2 x 14.50
    assert [(p.item, p.quantity, p.amount, p.date, p.order_line) for p in first.purchases] == [
        ("Ethiopia Yirgacheffe 250g", 2, Decimal("29.00"), dt.date(2025, 2, 10), "shopify:#1041:1")
    ]
    # The second line of #1041 leaves Financial Status and Billing Name blank: they come from its first line.
    assert second.draft.display_name() == "Ann Evans"
    assert [(p.item, p.amount, p.order_line) for p in second.purchases] == [
        ("Hand grinder, ceramic burr", Decimal("25.00"), "shopify:#1041:2")
    ]
    assert first.match_key == second.match_key


def test_shopify_orders_bad_and_unsold_lines_are_rejected_with_a_reason() -> None:
    rows = by_line(read_orders("shopify_orders_export.csv"))
    assert rows[6].draft is None and rows[6].error == "Order #1044 is refunded, so it is not a sale"
    assert rows[7].draft is None and "erin@example" in (rows[7].error or "")
    phone_only = rows[5]
    assert phone_only.draft is not None and not phone_only.draft.emails
    assert [p.raw for p in phone_only.draft.phones] == ["07700 900123"]


def test_woocommerce_orders_export() -> None:
    parsed = read_orders("woocommerce_orders_export.csv")
    assert parsed.format == "woocommerce-orders"
    rows = by_line(parsed)
    assert rows[2].draft is not None
    assert [(p.item, p.quantity, p.amount, p.order_line) for p in rows[2].purchases] == [
        ("Kenya AA 250g", 2, Decimal("32.00"), "woocommerce:2301:1")
    ]
    assert [p.order_line for p in rows[3].purchases] == ["woocommerce:2301:2"]
    assert rows[4].draft is not None and rows[4].draft.company == "Thomas & Co"
    assert rows[5].error == "Order 2303 is cancelled, so it is not a sale"
    assert rows[6].error == 'Quantity "two": this is not a whole number'


def test_square_item_sales() -> None:
    parsed = read_orders("square_item_sales.csv")
    assert parsed.format == "square-item-sales"
    rows = by_line(parsed)
    assert rows[2].draft is not None and rows[2].draft.display_name() == "Jenna Rees"
    assert rows[2].match_key == rows[3].match_key == "square-customer:CUST-77"
    # Net Sales (after the discount), the price point in the item's name, Square's category kept
    assert [(p.item, p.category, p.amount, p.quantity) for p in rows[3].purchases] == [
        ("Brazil Cerrado (1kg)", "Beans", Decimal("28.80"), 1)
    ]
    assert rows[4].error == "Sale sq0Tx9cD has no customer in Square, so there is nobody to record it for"
    assert rows[5].error == "Sale sq0TxAeF is a refund, not a sale"
    assert [(p.quantity, p.amount) for p in rows[6].purchases] == [(3, Decimal("8.25"))]


def test_sumup_sales_report_names_no_buyer_so_every_line_says_so() -> None:
    parsed = read_orders("sumup_sales_report.csv")
    assert (parsed.format, parsed.format_label) == ("sumup-sales", "SumUp sales report")
    rows = by_line(parsed)
    assert all(row.draft is None for row in rows.values())
    assert "does not say who bought" in (rows[2].error or "")
    assert rows[4].error == "Sale TEGUCXAGDF was refunded, so it is not a sale"


def test_every_sample_is_recognised_as_its_own_format() -> None:
    assert {name: read_orders(name).format for name in ORDERS} == ORDERS


def test_a_customer_export_is_not_taken_for_an_orders_file() -> None:
    data = (
        b"First Name,Last Name,Email,Accepts Email Marketing,Total Orders\nAnn,Evans,ann@example.com,yes,2\n"
    )
    assert parse_bytes(data).format == "shopify"


def _cell(**values: str) -> PurchaseCell:
    base = {"source": "shopify", "order": "#1", "date": "2025-02-01", "item": "Mug", "amount": "9.00"}
    return PurchaseCell(**{**base, **values})  # type: ignore[arg-type]


def _read(cell: PurchaseCell, day_first: bool = True) -> tuple[object, list[str]]:
    problems: list[str] = []
    purchase = read_purchase(cell, day_first=day_first, today=dt.date(2025, 3, 1), problems=problems)
    return purchase, problems


def test_order_dates_as_shop_systems_write_them() -> None:
    for text, day_first, expected in (
        ("2025-02-10 09:13:40 +0000", True, dt.date(2025, 2, 10)),
        ("2025-02-10T09:13:40Z", True, dt.date(2025, 2, 10)),
        ("17.02.25", False, dt.date(2025, 2, 17)),
        ("3/1/2025", True, dt.date(2025, 1, 3)),
        ("3/1/2025", False, dt.date(2025, 3, 1)),
    ):
        purchase, problems = _read(_cell(date=text), day_first)
        assert not problems and getattr(purchase, "date", None) == expected, text


def test_bad_order_lines_say_why() -> None:
    cases = {
        "no date": (_cell(date=""), "The order has no date"),
        "bad date": (_cell(date="31.02.2025"), 'Order date "31.02.2025": this is not a date'),
        "future": (_cell(date="2025-04-01"), "is in the future"),
        "no item": (_cell(item=" "), "does not say what was bought"),
        "bad amount": (_cell(amount="twelve"), "“twelve” is not a number"),
        "refund": (_cell(amount="-9.00"), "below zero, so this is a refund"),
        "zero quantity": (_cell(quantity="0"), 'Quantity "0"'),
    }
    for name, (cell, expected) in cases.items():
        purchase, problems = _read(cell)
        assert purchase is None, name
        assert any(expected in problem for problem in problems), (name, problems)


def test_control_characters_in_an_order_line_reject_the_row() -> None:
    header = "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
    data = (header + "#7,ann@example.com,2025-02-01,1,Mu\x00g,3.00\n").encode()
    row = parse_import(data, "orders_export.csv", now=NOW).rows[0]
    assert row.draft is None and "Item contains a control character (NUL)" in (row.error or "")
