"""The orders samples under tests/fixtures/orders and how to read them (shared by the order tests)."""

from __future__ import annotations

from pathlib import Path

from careapp.importing import ParsedFile, parse_import
from tests.importing.import_helpers import NOW

ORDERS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "orders"
ORDERS = {
    "shopify_orders_export.csv": "shopify-orders",
    "woocommerce_orders_export.csv": "woocommerce-orders",
    "square_item_sales.csv": "square-item-sales",
    "sumup_sales_report.csv": "sumup-sales",
}


def read_orders(name: str) -> ParsedFile:
    return parse_import((ORDERS_DIR / name).read_bytes(), name, now=NOW, default_region="GB")
