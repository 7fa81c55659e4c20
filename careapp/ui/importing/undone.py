"""What an import's undo took away, in words: "3 sales and 1 new customer removed"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from careapp.ui.formatting import counted

if TYPE_CHECKING:
    from careapp.services.customers.importer import UndoResult


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImportUndone", text)


def removed_text(result: UndoResult) -> str:
    """The sales an orders file recorded come first, with the customers it created for them
    ("new customers": the buyers careapp already knew stay); a customer list says only customers."""
    if not result.sales_removed:
        return counted(result.removed, _tr("{count} customer removed"), _tr("{count} customers removed"))
    sales = counted(result.sales_removed, _tr("{count} sale"), _tr("{count} sales"))
    if not result.removed:
        return _tr("{sales} removed").format(sales=sales)
    customers = counted(result.removed, _tr("{count} new customer"), _tr("{count} new customers"))
    return _tr("{sales} and {customers} removed").format(sales=sales, customers=customers)
