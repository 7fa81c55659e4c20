"""Importing orders files through the customer import: matched by email, then phone, else a new
customer (reported); the same dry run, one transaction, cancel and undo; a re-import adds nothing twice."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careapp.context import Services
from careapp.db.models import PurchaseRecord
from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.domain.phones import make_phone
from careapp.services.customers.importer import ImportCancelled
from tests.importing.test_import_orders_fixtures import ORDERS_DIR


def _orders_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    shutil.copy(ORDERS_DIR / name, path)
    return path


def _purchase_count(services: Services) -> int:
    with services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(PurchaseRecord)) or 0)


@pytest.fixture
def ann(services: Services) -> int:
    # Stored in lower case; the WooCommerce file writes her address in capitals.
    draft = CustomerDraft(first_name="Ann", last_name="Evans", emails=[EmailAddress("ann.evans@example.com")])
    return services.customers.create(draft, "Sam").id


@pytest.fixture
def carys(services: Services) -> int:
    draft = CustomerDraft(first_name="Carys", last_name="Morgan", phones=[make_phone("07700 900123", "GB")])
    return services.customers.create(draft, "Sam").id


def test_shopify_preview_matches_by_email_then_phone_and_reports_new_customers(
    services: Services, ann: int, carys: int, tmp_path: Path
) -> None:
    summary = services.imports.preview(_orders_file(tmp_path, "shopify_orders_export.csv"))
    assert summary.dry_run and summary.format_label == "Shopify orders export"
    assert [(r.line, r.action, r.customer_id) for r in summary.rows] == [
        (2, "update", ann),  # by email
        (3, "merge", ann),  # the second line of the same order
        (4, "create", None),  # Bob is new: reported as a new customer
        (5, "update", carys),  # no email: by phone
        (6, "reject", None),
        (7, "reject", None),
    ]
    assert summary.rows[2].name == "Bob Hughes"
    assert summary.sales == 4
    assert _purchase_count(services) == 0 and services.customers.count() == 2


def test_shopify_apply_records_each_line_with_its_quantity_and_key(
    services: Services, ann: int, carys: int, tmp_path: Path
) -> None:
    summary = services.imports.apply(_orders_file(tmp_path, "shopify_orders_export.csv"), "Sam")
    assert summary.sales == 4 and summary.count("create") == 1
    bought = sorted(services.customers.purchases(ann), key=lambda p: p.order_line or "")
    assert [(p.item, p.quantity, p.amount, p.order_line) for p in bought] == [
        ("Ethiopia Yirgacheffe 250g", 2, Decimal("29.00"), "shopify:#1041:1"),
        ("Hand grinder, ceramic burr", 1, Decimal("25.00"), "shopify:#1041:2"),
    ]
    assert [p.item for p in services.customers.purchases(carys)] == ["Gift card £19"]
    bob = services.customers.get(services.customers.search_ids("hughes")[0])
    assert [e.address for e in bob.emails] == ["BOB@example.com"]
    assert [p.order_line for p in services.customers.purchases(bob.id)] == ["shopify:#1042:1"]


def test_email_wins_over_phone_when_they_point_at_different_customers(
    services: Services, ann: int, tmp_path: Path
) -> None:
    other = services.customers.create(
        CustomerDraft(first_name="Phone", last_name="Owner", phones=[make_phone("+44 29 2018 0123", "GB")]),
        "Sam",
    ).id
    summary = services.imports.preview(_orders_file(tmp_path, "shopify_orders_export.csv"))
    assert summary.rows[0].customer_id == ann != other


@pytest.mark.parametrize(
    "name", ["shopify_orders_export.csv", "woocommerce_orders_export.csv", "square_item_sales.csv"]
)
def test_reimporting_the_same_orders_file_adds_nothing(
    services: Services, ann: int, carys: int, tmp_path: Path, name: str
) -> None:
    path = _orders_file(tmp_path, name)
    services.imports.apply(path, "Sam")
    purchases, customers = _purchase_count(services), services.customers.count()
    assert purchases > 0
    again = services.imports.preview(path)
    assert again.sales == 0
    assert {r.action for r in again.rows} <= {"unchanged", "reject"}
    assert {r.reason for r in again.rows if r.action == "unchanged"} == {
        "this order line was imported before"
    }
    services.imports.apply(path, "Sam")
    assert (_purchase_count(services), services.customers.count()) == (purchases, customers)


def test_a_file_with_new_lines_of_a_known_order_adds_only_those(
    services: Services, ann: int, tmp_path: Path
) -> None:
    source = (ORDERS_DIR / "woocommerce_orders_export.csv").read_text(encoding="utf-8").splitlines()
    first = tmp_path / "week1.csv"
    first.write_text("\n".join(source[:2]) + "\n", encoding="utf-8")
    services.imports.apply(first, "Sam")
    both = tmp_path / "week1-and-2.csv"
    both.write_text("\n".join(source[:3]) + "\n", encoding="utf-8")
    summary = services.imports.apply(both, "Sam")
    assert [r.action for r in summary.rows] == ["unchanged", "update"]
    assert sorted(p.order_line or "" for p in services.customers.purchases(ann)) == [
        "woocommerce:2301:1",
        "woocommerce:2301:2",
    ]


def test_woocommerce_matches_the_email_whatever_its_case(
    services: Services, ann: int, tmp_path: Path
) -> None:
    summary = services.imports.apply(_orders_file(tmp_path, "woocommerce_orders_export.csv"), "Sam")
    assert [(r.line, r.action) for r in summary.rows] == [
        (2, "update"),
        (3, "merge"),
        (4, "create"),
        (5, "reject"),
        (6, "reject"),
    ]
    assert summary.rows[4].reason == 'Quantity "two": this is not a whole number'
    assert len(services.customers.purchases(ann)) == 2


def test_square_keeps_one_customer_per_square_customer_id(services: Services, tmp_path: Path) -> None:
    summary = services.imports.apply(_orders_file(tmp_path, "square_item_sales.csv"), "Sam")
    assert [(r.line, r.action) for r in summary.rows] == [
        (2, "create"),
        (3, "merge"),
        (4, "reject"),
        (5, "reject"),
        (6, "create"),
    ]
    jenna = services.customers.search_ids("jenna")
    assert len(jenna) == 1
    assert sorted(p.item for p in services.customers.purchases(jenna[0])) == [
        "Brazil Cerrado (1kg)",
        "Flat white",
    ]


def test_sumup_rows_are_all_reported_and_nothing_is_written(services: Services, tmp_path: Path) -> None:
    summary = services.imports.apply(_orders_file(tmp_path, "sumup_sales_report.csv"), "Sam")
    assert summary.count("reject") == 3 and summary.sales == 0
    assert _purchase_count(services) == 0 and services.customers.count() == 0


def test_undo_removes_the_imported_sales_and_the_customers_it_created(
    services: Services, ann: int, carys: int, tmp_path: Path
) -> None:
    services.imports.apply(_orders_file(tmp_path, "shopify_orders_export.csv"), "Sam")
    result = services.imports.undo_last()
    assert result.removed == 1  # Bob
    assert result.sales_removed == 4  # Ann's and Carys's too, though putting them back took theirs away
    assert _purchase_count(services) == 0
    assert services.customers.count() == 2
    assert services.customers.get(ann).first_name == "Ann"


def test_cancel_mid_import_writes_nothing(services: Services, ann: int, tmp_path: Path) -> None:
    with pytest.raises(ImportCancelled):
        services.imports.apply(
            _orders_file(tmp_path, "shopify_orders_export.csv"), "Sam", cancelled=lambda: True
        )
    assert _purchase_count(services) == 0 and services.customers.count() == 1
