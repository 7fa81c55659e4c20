"""The import dialog takes an orders file as it takes a customer list: preview (with the sales it
would record and the rejected lines), import, undo. Screenshot of the preview: CAREAPP_SHOTS=dir."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from tests.importing.test_import_orders_fixtures import ORDERS_DIR
from tests.ui.test_import_dialog import open_dialog, preview, shown_rows

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


def test_orders_preview_import_and_undo(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    path = tmp_path / "orders_export.csv"
    shutil.copy(ORDERS_DIR / "shopify_orders_export.csv", path)
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, path)
    assert dialog.pages.currentWidget() is dialog.preview
    assert "Shopify orders export" in dialog.preview.file_facts.text()
    assert re.search(r"\b4 sale(s|\(s\)) to record", dialog.preview.file_facts.text())
    rejected = shown_rows(dialog.preview.model)
    assert [row[0] for row in rejected] == ["6", "7"]
    assert "Order #1044 is refunded, so it is not a sale" in rejected[0][6]  # the Why column
    if os.environ.get("CAREAPP_SHOTS"):
        dialog.resize(900, 600)
        dialog.preview.show_all.setChecked(True)
        qtbot.wait(50)
        dialog.grab().save(str(Path(os.environ["CAREAPP_SHOTS"]) / "orders-import-preview.png"))
    with qtbot.waitSignal(dialog.customersChanged):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.done_page
    assert "Sales recorded: 4" in dialog.done_page.text.text()
    assert services.customers.count() == 3
    with qtbot.waitSignal(dialog.customersChanged):
        qtbot.mouseClick(dialog.done_page.undo_button, Qt.MouseButton.LeftButton)
    assert services.customers.count() == 0
    assert "was undone: 4 sales and 3 new customers removed" in dialog.done_page.text.text()
