"""Edit → Change selected… (Ctrl+Shift+E): several customers at once, then Undo from the message bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt

from careapp.domain.customer import LoyaltyStage

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow


def select_rows(window: MainWindow, rows: list[int]) -> list[int]:
    panel = window.list_panel
    assert panel.model is not None
    selection = panel.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    return [panel.model.customer_id(row) for row in rows]  # type: ignore[misc]


def test_change_selected_then_undo(window: MainWindow, demo_services: Services, qtbot: QtBot) -> None:
    ids = select_rows(window, [0, 2, 5])
    assert window.list_panel.selected_ids() == ids
    assert window.bulk_edit.action.shortcut().toString() == "Ctrl+Shift+E"
    window.bulk_edit.action.trigger()
    dialog = window.bulk_edit.dialog
    assert dialog is not None
    assert dialog.intro.text() == "Changes 3 customers at once. Fields left empty stay as they are."
    qtbot.keyClicks(dialog.add_tag, "Christmas card")
    dialog.stage.setCurrentIndex(dialog.stage.findData(LoyaltyStage.ADVOCATE))
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert not dialog.error.isVisible(), dialog.error.text()
    for customer_id in ids:
        customer = demo_services.customers.get(customer_id)
        assert "christmas card" in customer.tags and customer.loyalty_stage is LoyaltyStage.ADVOCATE
        assert customer.updated_by == "Sam"
    bar = window.message_bar
    assert bar.text.text() == "Changed 3 customers." and bar.action.isVisible()
    assert window.bulk_edit.undo_action.isEnabled()
    qtbot.mouseClick(bar.action, Qt.MouseButton.LeftButton)
    for customer_id in ids:
        assert "christmas card" not in demo_services.customers.get(customer_id).tags
    assert "are as they were" in bar.text.text()
    assert not window.bulk_edit.undo_action.isEnabled()


def test_undo_from_the_edit_menu_refused_when_edited_since(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    from dataclasses import replace

    ids = select_rows(window, [0, 1])
    dialog = window.bulk_edit.open_dialog()
    assert dialog is not None
    qtbot.keyClicks(dialog.remove_tag, "no-such-tag")
    qtbot.keyClicks(dialog.add_tag, "vip")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    edited = demo_services.customers.get(ids[1])
    demo_services.customers.update(ids[1], replace(edited.draft(), notes="Called."), edited.version, "Jo")
    window.bulk_edit.undo_action.trigger()
    assert window.message_bar.text.text().startswith("The change cannot be undone:")
    assert "vip" in demo_services.customers.get(ids[0]).tags  # nothing was undone


def test_nothing_chosen_is_said_and_nothing_changes(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    ids = select_rows(window, [1, 3])
    versions = [demo_services.customers.get(i).version for i in ids]
    dialog = window.bulk_edit.open_dialog()
    assert dialog is not None
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Type a tag to add or remove" in dialog.error.text()
    assert [demo_services.customers.get(i).version for i in ids] == versions
    dialog.reject()


def test_a_refused_change_keeps_what_was_typed(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    ids = select_rows(window, [0, 1])
    dialog = window.bulk_edit.open_dialog()
    assert dialog is not None
    qtbot.keyClicks(dialog.add_tag, "x" * 300)  # longer than a tag may be: the service refuses
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible(), "the dialog closed although the change failed"
    assert dialog.error.text().startswith("Nothing was changed:")
    assert dialog.add_tag.text() == "x" * 300 and dialog.add_tag.isEnabled()
    assert all(demo_services.customers.get(i).version == 1 for i in ids)
    dialog.reject()


def test_change_selected_asked_for_before_the_selected_customers_are_known_opens_when_they_are(
    qtbot: QtBot, demo_services: Services, threaded_runner: object, tmp_path: object, prompts: object
) -> None:
    # Ctrl+A then Ctrl+Shift+E at once: past the first page the customers are on their way from
    # the database thread; the dialog opens when they are there, for all of them (not "select first").
    from pathlib import Path

    from tests.ui.conftest import make_window

    window = make_window(qtbot, threaded_runner, Path(str(tmp_path)), prompts)  # type: ignore[arg-type]
    window.attach_services(demo_services, demo_services.settings.shop())
    model = window.list_panel.model
    assert model is not None
    qtbot.waitUntil(lambda: model.has_searched, timeout=5000)
    assert not model.ids_known and model.rowCount() > model.known_rows()
    window.list_panel.table.selectAll()
    assert window.list_panel.selected_ids() == [] and window.list_panel.selection_waits_for_ids()
    window.bulk_edit.action.trigger()
    qtbot.waitUntil(lambda: window.bulk_edit.dialog is not None, timeout=5000)
    dialog = window.bulk_edit.dialog
    assert dialog is not None
    count = len(demo_services.customers.search_ids(""))
    assert dialog.intro.text() == f"Changes {count} customers at once. Fields left empty stay as they are."
    assert window.message_bar.text.text() == ""
    dialog.reject()
