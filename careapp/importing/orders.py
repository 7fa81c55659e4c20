"""One sold line of an orders file, as text, and its conversion into a Purchase (or a sentence).

Every orders format (Shopify, WooCommerce, Square, SumUp) fills a PurchaseCell with what its
columns say; the checks happen here once, so every format refuses a bad line in the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from careapp.domain.customer import Purchase
from careapp.domain.purchases import (
    MAX_AMOUNT,
    MAX_CATEGORY,
    MAX_ITEM,
    MAX_QUANTITY,
    InvalidPurchase,
    parse_amount,
)

MAX_ORDER_KEY = 200  # purchase.order_line

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")


@dataclass(frozen=True)
class PurchaseCell:
    """A sold line as the file has it. ``amount`` is the line's total; when a format gives only the
    price of one, ``unit_price`` is set instead and the total is price × quantity."""

    source: str  # "shopify", "woocommerce", "square", "sumup": the first part of the re-import key
    order: str  # the order (or transaction) number as the file writes it
    date: str
    item: str
    category: str = ""
    amount: str = ""
    unit_price: str = ""
    quantity: str = "1"
    line: int = 0  # which line of its order, counted in file order (set by the CSV reader)

    @property
    def order_line(self) -> str:
        return f"{self.source}:{self.order}:{self.line}"

    def numbered(self, line: int) -> PurchaseCell:
        return replace(self, line=line)

    def texts(self) -> list[tuple[str, str]]:
        """Each text with what to call it in a message (for the control-character check)."""
        return [
            ("Order", self.order),
            ("Order date", self.date),
            ("Item", self.item),
            ("Category", self.category),
            ("Amount", self.amount),
            ("Price", self.unit_price),
            ("Quantity", self.quantity),
        ]


def read_purchase(
    cell: PurchaseCell, *, day_first: bool, today: dt.date, problems: list[str]
) -> Purchase | None:
    """The line as a Purchase; when it cannot be one, the reasons go to ``problems``."""
    found_before = len(problems)
    date = _order_date(cell.date, day_first, problems)
    item = cell.item.strip()
    if not item:
        problems.append(f"Order {cell.order}: the line does not say what was bought")
    elif len(item) > MAX_ITEM:
        problems.append(f"Order {cell.order}: the item is longer than {MAX_ITEM} characters")
    if len(cell.category.strip()) > MAX_CATEGORY:
        problems.append(f"Order {cell.order}: the category is longer than {MAX_CATEGORY} characters")
    quantity = _quantity(cell, problems)
    amount = _amount(cell, quantity, problems)
    if len(cell.order_line) > MAX_ORDER_KEY:
        problems.append(f"The order number is longer than {MAX_ORDER_KEY - 20} characters")
    if date is not None and date > today:
        problems.append(f"Order {cell.order}: the date {cell.date.strip()} is in the future")
    if len(problems) > found_before or date is None or quantity is None or amount is None:
        return None
    return Purchase(
        date=date,
        item=item,
        category=cell.category.strip(),
        amount=amount,
        quantity=quantity,
        order_line=cell.order_line,
    )


def _order_date(text: str, day_first: bool, problems: list[str]) -> dt.date | None:
    """The day of "2024-03-05 14:22:31 +0100", "2024-03-05T14:22", "05.03.24" or "3/5/2024"."""
    value = text.strip()
    if not value:
        problems.append("The order has no date")
        return None
    try:
        if iso := _ISO.match(value):
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dotted := _DOTTED.match(value):  # 17.04.23: day first wherever dots are written
            return dt.date(_year(dotted[3]), int(dotted[2]), int(dotted[1]))
        if slashed := _SLASHED.match(value):
            first, second = int(slashed[1]), int(slashed[2])
            day, month = (first, second) if day_first else (second, first)
            return dt.date(_year(slashed[3]), month, day)
    except ValueError:
        pass
    problems.append(f'Order date "{value}": this is not a date careapp can read; write it like 2024-03-05')
    return None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _quantity(cell: PurchaseCell, problems: list[str]) -> int | None:
    text = cell.quantity.strip() or "1"
    try:
        number = Decimal(text.replace(",", "."))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        problems.append(f'Quantity "{text}": this is not a whole number')
        return None
    if not 1 <= number <= MAX_QUANTITY:
        problems.append(f'Quantity "{text}": a sale is 1 to {MAX_QUANTITY:,} items (refunds are not sales)')
        return None
    return int(number)


def _amount(cell: PurchaseCell, quantity: int | None, problems: list[str]) -> Decimal | None:
    text = cell.amount if cell.amount.strip() else cell.unit_price
    try:
        amount = parse_amount(text)
    except InvalidPurchase as error:
        problems.append(str(error).rstrip("."))
        return None
    if not cell.amount.strip() and quantity is not None:
        amount = (amount * quantity).quantize(Decimal("0.01"))
    if amount < 0:
        problems.append(f'Amount "{text.strip()}": below zero, so this is a refund, not a sale')
        return None
    if amount >= MAX_AMOUNT:
        problems.append(f'Amount "{text.strip()}": too large for one line; check the decimal mark')
        return None
    return amount
