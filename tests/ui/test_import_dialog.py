"""The import dialog: preview with rejected lines, column mapping, import, cancel, undo."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from careapp.ui.importing.dialog import ImportDialog
from careapp.ui.importing.outcome_model import ImportOutcomeModel
from careapp.ui.runner import SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts

SHOPIFY_HEADER = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,"
    "Default Address Address2,Default Address City,Default Address Province Code,"
    "Default Address Country Code,"
    "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags"
)
GOOD_ROWS = (
    "Ann,Evans,ann@example.com,yes,,1 High St,,Cardiff,,GB,CF10 1AA,,,no,120.00,3,,no,coffee",
    "Bob,Hughes,bob@example.com,no,,,,,,,,,,no,0.00,0,Prefers mornings,no,",
)
BAD_ROW = "Cy,Jones,cy-at-example,no,,,,,,,,,,no,0.00,0,,no,"


def write_shopify(tmp_path: Path, rows: tuple[str, ...]) -> Path:
    path = tmp_path / "customers_export.csv"
    path.write_text("\n".join((SHOPIFY_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def open_dialog(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, runner: Any = None
) -> ImportDialog:
    dialog = ImportDialog(services.imports, runner or SyncRunner(), prompts, "Sam")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def preview(qtbot: QtBot, dialog: ImportDialog, path: Path) -> None:
    dialog.choose.path.setText(str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)


def shown_rows(model: ImportOutcomeModel) -> list[tuple[str, ...]]:
    return [
        tuple(str(model.data(model.index(row, column))) for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_preview_lists_the_rejected_line_with_its_number_and_reason(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, write_shopify(tmp_path, (*GOOD_ROWS, BAD_ROW)))
    assert dialog.pages.currentWidget() is dialog.preview
    counts = {action: label.text() for action, label in dialog.preview.counts.items()}
    assert counts == {"create": "2", "update": "0", "merge": "0", "unchanged": "0", "reject": "1"}
    rows = shown_rows(dialog.preview.model)
    assert len(rows) == 1
    line, action, _name, _birthday, _consent, _tags, reason, _differs = rows[0]
    assert (line, action) == ("4", "Rejected")
    assert "cy-at-example" in reason
    assert dialog.preview.rows_title.text() == "1 line cannot be imported:"
    assert services.customers.count() == 0  # a preview changes nothing


def test_show_all_lists_every_line(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, write_shopify(tmp_path, (*GOOD_ROWS, BAD_ROW)))
    dialog.preview.show_all.setChecked(True)
    assert [row[0] for row in shown_rows(dialog.preview.model)] == ["2", "3", "4"]


def test_outcome_model_passes_the_model_tester(
    qtmodeltester: Any, qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, write_shopify(tmp_path, (*GOOD_ROWS, BAD_ROW)))
    qtmodeltester.check(dialog.preview.model)
    dialog.preview.show_all.setChecked(True)
    qtmodeltester.check(dialog.preview.model)


def test_a_file_that_cannot_be_imported_is_explained(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, empty)
    assert dialog.pages.currentWidget() is dialog.choose
    assert dialog.choose.error.text() == "“empty.csv” is empty: there is nothing to import."
    preview(qtbot, dialog, tmp_path / "missing.csv")
    assert dialog.choose.error.text().startswith("There is no file at ")


def test_unknown_columns_ask_for_a_mapping_prefilled_with_suggestions(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    path = tmp_path / "till.csv"
    path.write_text("Kunde,E-Mail,Lieblingsfarbe\nAnn Evans,ann@example.com,blau\n", encoding="utf-8")
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, path)
    assert dialog.pages.currentWidget() is dialog.mapping
    combos = dialog.mapping.combos
    assert list(combos) == ["Kunde", "E-Mail", "Lieblingsfarbe"]
    assert combos["Kunde"].currentData() == "full_name"
    assert combos["E-Mail"].currentData() == "email"
    combos["Lieblingsfarbe"].setCurrentIndex(combos["Lieblingsfarbe"].findData("notes"))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.preview
    assert dialog.preview.counts["create"].text() == "1"
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    customer = services.customers.get(services.customers.search_ids("ann")[0])
    assert (customer.first_name, customer.last_name) == ("Ann", "Evans")
    assert "blau" in customer.notes


def test_import_then_undo_this_import(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, write_shopify(tmp_path, GOOD_ROWS))
    with qtbot.waitSignal(dialog.customersChanged):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.done_page
    assert services.customers.count() == 2
    with qtbot.waitSignal(dialog.customersChanged):
        qtbot.mouseClick(dialog.done_page.undo_button, Qt.MouseButton.LeftButton)
    assert services.customers.count() == 0
    assert dialog.done_page.title.text() == "Import undone"


def test_cancel_stops_the_import_and_changes_nothing(
    qtbot: QtBot,
    services: Services,
    prompts: ScriptedPrompts,
    tmp_path: Path,
    threaded_runner: ThreadedRunner,
) -> None:
    dialog = open_dialog(qtbot, services, prompts, threaded_runner)
    preview(qtbot, dialog, write_shopify(tmp_path, GOOD_ROWS))
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.preview)
    gate = threading.Event()
    threaded_runner.submit(gate.wait)  # the import queues behind this, so Cancel comes first
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.progress
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # it waits for the import to stop
    assert dialog.progress.text.text() == "Cancelling…"
    gate.set()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.preview)
    assert dialog.preview.error.text() == "The import was cancelled; nothing was changed."
    assert services.customers.count() == 0
    assert services.imports.last_undoable() is None


def test_undo_last_import_from_the_menu(
    qtbot: QtBot, window: Any, demo_services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    before = demo_services.customers.count()
    demo_services.imports.apply(write_shopify(tmp_path, GOOD_ROWS), "Sam")
    window.list_panel.refresh()
    qtbot.waitUntil(lambda: window.count_label.text() == f"{before + 2} customers")
    window.undo_import_action.trigger()
    assert prompts.asked[0].startswith("Undo the import of customers_export.csv made on ")
    qtbot.waitUntil(lambda: window.count_label.text() == f"{before} customers")
    assert "was undone: 2 customers removed" in window.message_bar.text.text()


def test_closing_the_window_cancels_a_running_import(qtbot: QtBot, window: Any) -> None:
    dialog = window.import_actions.open_dialog()
    assert dialog is not None
    dialog.pages.setCurrentWidget(dialog.progress)  # as while apply() runs on the worker
    window.close()
    assert dialog._cancel.is_set()


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def test_known_headings_go_straight_to_the_preview_which_shows_each_row_as_stored(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "First Name,Last Name,Email,Birthday,Email consent,SMS consent,Tags\n"
        "Ann,Lee,ann@example.com,--02-29,yes,no,vip\n"
        "Rowan,Jones,rowan@example.com,1985-05-20,,,\n"
        "Ben,Roe,not-an-email,,,,\n"
        "Ann,Lee,ann@example.com,,,,\n",
        encoding="utf-8",
    )
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, path)
    assert dialog.pages.currentWidget() is dialog.preview  # no mapping step
    page = dialog.preview
    assert page.columns.isVisibleTo(page) and "First Name → First name" in page.columns.text()
    page.show_all.setChecked(True)
    rows = {row[0]: row for row in shown_rows(page.model)}
    assert rows["2"][1:6] == ("New customer", "Ann Lee", "29 February", "Email yes, SMS no", "vip")
    assert rows["3"][2:4] == ("Rowan Jones", "20 May 1985")
    assert rows["4"][1:3] == ("Rejected", "Ben Roe") and "not-an-email" in rows["4"][6]
    assert rows["5"][1] == "Merged with an earlier line"
    qtbot.mouseClick(page.change_columns, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.mapping
    combos = dialog.mapping.combos
    assert combos["Tags"].currentData() == "tags"
    combos["Tags"].setCurrentIndex(combos["Tags"].findData("notes"))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.preview
    assert "Tags → Notes" in dialog.preview.columns.text()
    assert services.customers.count() == 0  # previews change nothing


def test_a_german_excel_file_needs_no_mapping_in_the_wizard(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, prompts)
    preview(qtbot, dialog, FIXTURES / "excel_german_cp1252.csv")
    assert dialog.pages.currentWidget() is dialog.preview
    dialog.preview.show_all.setChecked(True)
    rows = {row[0]: row for row in shown_rows(dialog.preview.model)}
    assert rows["2"][2:4] == ("Jürgen Weiß", "29 February 1988")
