"""Orders and item sales from shop systems: each row is one sold line and the customer who bought it.

- Shopify: Orders › Export (one row per line item; later rows of an order leave the order's columns blank).
- WooCommerce: the Customer/Order/Coupon Export extension's CSV, one row per line item.
- Square: Reports › Item sales › Export › Item detail CSV.
- SumUp: Reports › Sales report CSV (it names no customer, so its rows are reported, not imported).

Each reader says who bought (for matching by email, then phone) and what (a PurchaseCell); the
checks happen in rows.py and orders.py like for every other format.
"""

from __future__ import annotations

from careapp.domain.customer import Channel, LoyaltyStage
from careapp.importing.csv_format import CsvFormat, first_of, join_nonempty
from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.orders import PurchaseCell
from careapp.importing.rows import ConsentCell, EmailCell, PhoneCell, RowFields
from careapp.importing.values import strip_sheet_guard

_NOT_SOLD_STATUSES = frozenset({"cancelled", "refunded", "voided", "failed", "trash", "draft"})


# --- Shopify ---------------------------------------------------------------------------------


def is_shopify_orders(header: Header) -> bool:
    return header.has("Name", "Email", "Lineitem name", "Lineitem quantity")


def read_shopify_order(row: CsvRow) -> RowFields:
    order = row.get("Name")
    fields = RowFields(
        full_name=first_of(row, "Billing Name", "Shipping Name"),
        company=row.get("Billing Company"),
        emails=[EmailCell(row.get("Email"), source="Email")],
        phones=[
            PhoneCell(strip_sheet_guard(row.get("Phone"), always=True)),
            PhoneCell(strip_sheet_guard(row.get("Billing Phone"), always=True)),
        ],
        street=join_nonempty((row.get("Billing Address1"), row.get("Billing Address2")), ", "),
        city=row.get("Billing City"),
        region=row.get("Billing Province"),
        postcode=strip_sheet_guard(row.get("Billing Zip"), always=True),
        country=row.get("Billing Country"),
        country_code=row.get("Billing Country"),
        default_stage=LoyaltyStage.CUSTOMER,
        match_key=f"shopify-order:{order}",
    )
    if row.header.has("Accepts Marketing"):
        fields.consents = [ConsentCell(Channel.EMAIL, row.get("Accepts Marketing"), "Accepts Marketing")]
    if row.get("Cancelled at"):
        fields.problems.append(f"Order {order} was cancelled, so it is not a sale")
        return fields
    if row.get("Financial Status").lower() in _NOT_SOLD_STATUSES:
        fields.problems.append(f"Order {order} is {row.get('Financial Status').lower()}, so it is not a sale")
        return fields
    fields.purchases = [
        PurchaseCell(
            source="shopify",
            order=order,
            date=first_of(row, "Created at", "Paid at"),
            item=row.get("Lineitem name"),
            unit_price=row.get("Lineitem price"),
            quantity=row.get("Lineitem quantity"),
        )
    ]
    return fields


SHOPIFY_ORDERS = CsvFormat(
    name="shopify-orders",
    label="Shopify orders export",
    consent_method="import: Shopify orders export",
    read=read_shopify_order,
    order_column="Name",
    # Shopify writes the order's own columns on its first line only.
    carry=(
        "Email",
        "Phone",
        "Created at",
        "Paid at",
        "Cancelled at",
        "Financial Status",
        "Accepts Marketing",
        "Billing Name",
        "Billing Company",
        "Billing Phone",
        "Billing Address1",
        "Billing Address2",
        "Billing City",
        "Billing Province",
        "Billing Zip",
        "Billing Country",
        "Shipping Name",
    ),
)


# --- WooCommerce -----------------------------------------------------------------------------


def is_woocommerce_orders(header: Header) -> bool:
    return header.has("order_date", "item_name", "item_quantity") and header.has_any(
        "order_number", "order_id"
    )


def read_woocommerce_order(row: CsvRow) -> RowFields:
    order = first_of(row, "order_number", "order_id")
    status = row.get("status").lower().removeprefix("wc-")
    fields = RowFields(
        first_name=row.get("billing_first_name"),
        last_name=row.get("billing_last_name"),
        company=row.get("billing_company"),
        emails=[EmailCell(first_of(row, "billing_email", "customer_email"), source="billing_email")],
        phones=[PhoneCell(row.get("billing_phone"))],
        street=join_nonempty((row.get("billing_address_1"), row.get("billing_address_2")), ", "),
        city=row.get("billing_city"),
        region=row.get("billing_state"),
        postcode=row.get("billing_postcode"),
        country=row.get("billing_country"),
        country_code=row.get("billing_country"),
        default_stage=LoyaltyStage.CUSTOMER,
        match_key=f"woocommerce-order:{order}",
    )
    if status in _NOT_SOLD_STATUSES:
        fields.problems.append(f"Order {order} is {status}, so it is not a sale")
        return fields
    fields.purchases = [
        PurchaseCell(
            source="woocommerce",
            order=order,
            date=row.get("order_date"),
            item=row.get("item_name"),
            amount=first_of(row, "item_total", "item_subtotal"),
            quantity=row.get("item_quantity"),
        )
    ]
    return fields


WOOCOMMERCE_ORDERS = CsvFormat(
    name="woocommerce-orders",
    label="WooCommerce orders export",
    consent_method="import: WooCommerce orders export",
    read=read_woocommerce_order,
    date_columns=("order_date",),
    order_column="order_number",
)


# --- Square ----------------------------------------------------------------------------------


def is_square_item_sales(header: Header) -> bool:
    return header.has("Date", "Item", "Qty", "Gross Sales", "Net Sales", "Transaction ID")


def read_square_item_sale(row: CsvRow) -> RowFields:
    order = row.get("Transaction ID")
    customer_id = row.get("Customer ID")
    fields = RowFields(
        full_name=row.get("Customer Name"),
        default_stage=LoyaltyStage.CUSTOMER,
        # Square's item sales name the customer but give no email or phone: its customer ID keeps
        # one person's sales together within the file.
        match_key=f"square-customer:{customer_id}" if customer_id else f"square-sale:{order}",
    )
    if row.get("Event Type").lower() == "refund":
        fields.problems.append(f"Sale {order} is a refund, not a sale")
        return fields
    if not (row.get("Customer Name") or customer_id):
        fields.problems.append(f"Sale {order} has no customer in Square, so there is nobody to record it for")
    variation = row.get("Price Point Name")
    item = row.get("Item")
    if variation and variation.lower() != "regular":
        item = f"{item} ({variation})"
    fields.purchases = [
        PurchaseCell(
            source="square",
            order=order,
            date=row.get("Date"),
            item=item,
            category=row.get("Category"),
            amount=first_of(row, "Net Sales", "Gross Sales"),
            quantity=row.get("Qty"),
        )
    ]
    return fields


SQUARE_ITEM_SALES = CsvFormat(
    name="square-item-sales",
    label="Square item sales export",
    consent_method="import: Square item sales",
    read=read_square_item_sale,
    date_columns=("Date",),
    month_first=True,
    order_column="Transaction ID",
)


# --- SumUp -----------------------------------------------------------------------------------


def is_sumup_sales(header: Header) -> bool:
    return header.has("Transaction ID", "Quantity", "Description", "Price (Gross)") and header.has_any(
        "Receipt Number", "Payment Method"
    )


def read_sumup_sale(row: CsvRow) -> RowFields:
    order = row.get("Transaction ID")
    fields = RowFields(default_stage=LoyaltyStage.CUSTOMER, match_key=f"sumup-sale:{order}")
    if row.get("Type").lower() == "refund" or row.get("Transaction refunded"):
        fields.problems.append(f"Sale {order} was refunded, so it is not a sale")
        return fields
    # The report's "Account" is the shop's own SumUp login, not the buyer.
    fields.problems.append(
        f"Sale {order}: SumUp's sales report does not say who bought, so there is nobody to record "
        "it for; record it on the customer's page with Ctrl+P"
    )
    fields.purchases = [
        PurchaseCell(
            source="sumup",
            order=order,
            date=row.get("Date"),
            item=row.get("Description"),
            amount=row.get("Price (Gross)"),
            quantity=row.get("Quantity"),
        )
    ]
    return fields


SUMUP_SALES = CsvFormat(
    name="sumup-sales",
    label="SumUp sales report",
    consent_method="import: SumUp sales report",
    read=read_sumup_sale,
    order_column="Transaction ID",
)

ORDER_FORMATS = (
    (is_shopify_orders, SHOPIFY_ORDERS),
    (is_woocommerce_orders, WOOCOMMERCE_ORDERS),
    (is_square_item_sales, SQUARE_ITEM_SALES),
    (is_sumup_sales, SUMUP_SALES),
)
