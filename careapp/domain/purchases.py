"""A sale typed at the counter: the checks on it, said in sentences. Pure; "today" is passed in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_ITEM = 400
MAX_CATEGORY = 100
MAX_QUANTITY = 10_000
MAX_AMOUNT = Decimal("10000000")
_SYMBOLS = re.compile(r"[£$€\s]")
_NUMBER = re.compile(r"(?:[A-Z]{3})?([-+]?[0-9.,]+)(?:[A-Z]{3})?")  # a currency code either side


class InvalidPurchase(ValueError):
    """The purchase form has a problem; the message says which and what to do."""


@dataclass(frozen=True)
class SaleInput:
    """What the purchase form holds: ``amount`` is the total paid for the line, as typed."""

    date: dt.date
    item: str
    category: str = ""
    amount: str = "0"
    quantity: int = 1


@dataclass(frozen=True)
class Sale:
    """A checked sale, ready to store."""

    date: dt.date
    item: str
    category: str
    amount: Decimal
    quantity: int


def parse_amount(text: str) -> Decimal:
    """ "12.50", "£12.50", "12,50", "1,234.50" or "1.234,50" as a Decimal; a sentence if it is not one."""
    cleaned = _SYMBOLS.sub("", text.upper())
    if not cleaned:
        return Decimal("0")
    number = _NUMBER.fullmatch(cleaned)
    if number is None:
        raise InvalidPurchase(f"The amount “{text.strip()}” is not a number; type it like 12.50.")
    cleaned = number.group(1)
    if "," in cleaned and "." in cleaned:  # the last one of the two is the decimal mark
        mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if mark == "," else ",", "").replace(",", ".")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidPurchase(f"The amount “{text.strip()}” is not a number; type it like 12.50.") from None
    if not amount.is_finite():
        raise InvalidPurchase(f"The amount “{text.strip()}” is not a number; type it like 12.50.")
    return amount.quantize(Decimal("0.01"))


def check_sale(sale: SaleInput, today: dt.date) -> Sale:
    """The sale as stored, or :class:`InvalidPurchase` with what to put right."""
    item, category = sale.item.strip(), sale.category.strip()
    if not item:
        raise InvalidPurchase("Say what was bought: the item is empty.")
    if len(item) > MAX_ITEM:
        raise InvalidPurchase(f"The item is too long: at most {MAX_ITEM} characters, not {len(item)}.")
    if len(category) > MAX_CATEGORY:
        raise InvalidPurchase(
            f"The category is too long: at most {MAX_CATEGORY} characters, not {len(category)}."
        )
    if not 1 <= sale.quantity <= MAX_QUANTITY:
        raise InvalidPurchase(f"The quantity must be between 1 and {MAX_QUANTITY:,}.")
    if sale.date > today:
        raise InvalidPurchase(
            "The date is in the future; a sale is recorded on or after the day it happened."
        )
    amount = parse_amount(sale.amount)
    if amount < 0:
        raise InvalidPurchase("The amount is below zero; record a refund as a note for now.")
    if amount >= MAX_AMOUNT:
        raise InvalidPurchase("The amount is too large; check the decimal mark.")
    return Sale(sale.date, item, category, amount, sale.quantity)
