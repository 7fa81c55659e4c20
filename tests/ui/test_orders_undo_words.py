"""Undoing an orders import says what went: the sales it recorded and the customers it created for
them ("4 sales and 1 new customer removed"), in the window's message bar and on the command line; a
customer list's undo still counts customers only."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from careapp.cli import main
from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.domain.phones import make_phone
from careapp.services.customers.importer import UndoResult
from careapp.ui.importing.undone import removed_text
from tests.importing.test_import_orders_fixtures import ORDERS_DIR
from tests.ui.conftest import make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


@pytest.mark.parametrize(
    ("sales", "customers", "said"),
    [
        (3, 1, "3 sales and 1 new customer removed"),
        (1, 2, "1 sale and 2 new customers removed"),
        (4, 0, "4 sales removed"),
        (0, 2, "2 customers removed"),
        (0, 1, "1 customer removed"),
    ],
)
def test_the_words_count_sales_and_customers(sales: int, customers: int, said: str) -> None:
    assert removed_text(UndoResult(1, "orders.csv", customers, 0, sales)) == said


def _known_buyers(services: Services) -> None:
    """Ann and Carys are in careapp already; the Shopify sample's third buyer, Bob, is new."""
    ann = CustomerDraft(first_name="Ann", last_name="Evans", emails=[EmailAddress("ann.evans@example.com")])
    carys = CustomerDraft(first_name="Carys", last_name="Morgan", phones=[make_phone("07700 900123", "GB")])
    for draft in (ann, carys):
        services.customers.create(draft, "Sam")


def test_undo_last_import_from_the_menu_counts_the_sales(
    qtbot: QtBot, services: Services, sync_runner: object, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    _known_buyers(services)
    path = tmp_path / "orders_export.csv"
    shutil.copy(ORDERS_DIR / "shopify_orders_export.csv", path)
    summary = services.imports.apply(path, "Sam")
    assert summary.sales == 4
    window = make_window(qtbot, sync_runner, tmp_path, prompts)
    window.attach_services(services, services.settings.shop())
    window.undo_import_action.trigger()
    assert prompts.asked[0].startswith("Undo the import of orders_export.csv made on ")
    text = window.message_bar.text.text()
    assert (
        text == "The import of orders_export.csv was undone: 4 sales and 1 new customer removed, 2 put back."
    )


def test_careapp_undo_import_counts_the_sales(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = tmp_path / "orders_export.csv"
    shutil.copy(ORDERS_DIR / "shopify_orders_export.csv", path)
    assert main(["--data-dir", str(data), "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data), "undo-import"]) == 0
    out = capsys.readouterr().out
    assert (
        out.strip()
        == "Undid the import of orders_export.csv: removed 4 sales and 3 new customers, restored 0."
    )
