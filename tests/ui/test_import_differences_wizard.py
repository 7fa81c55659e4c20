"""Issue 18, defect 5, in the import wizard: rows that differ from careapp are listed with what differs,
each with a box to take the file's values and one box for all; the counts follow each tick; the import
does what was ticked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from careapp.domain.customer import CustomerDraft, EmailAddress, PartialDate
from careapp.ui.importing.dialog import ImportDialog
from careapp.ui.importing.outcome_model import ImportOutcomeModel
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts

DIFFERS = ImportOutcomeModel.DIFFERENCES_COLUMN
FILE = (
    "First Name,Last Name,Email,Birthday\n"
    "Ann,Evans,ann@example.com,1990-05-03\n"  # careapp: 4 May 1990
    "Bobby,Jones,bob@example.com,1980-07-01\n"  # careapp: Bob, 1 July (no year)
    "Cy,Hughes,cy@example.com,1975-02-11\n"  # new
)


def add_ann_and_bob(services: Services) -> tuple[int, int]:
    def create(first: str, last: str, birthday: PartialDate) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            birthday=birthday,
        )
        return services.customers.create(draft, "Sam").id

    return create("Ann", "Evans", PartialDate(5, 4, 1990)), create("Bob", "Jones", PartialDate(7, 1))


def previewed(qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path) -> ImportDialog:
    path = tmp_path / "again.csv"
    path.write_text(FILE, encoding="utf-8")
    dialog = ImportDialog(services.imports, SyncRunner(), prompts, "Sam")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose.path.setText(str(path))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.preview
    return dialog


def counts(dialog: ImportDialog) -> dict[str, str]:
    return {action: label.text() for action, label in dialog.preview.counts.items()}


def cell(model: ImportOutcomeModel, line: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    rows = [r for r in range(model.rowCount()) if model.data(model.index(r, 0), model.LineRole) == line]
    assert rows, f"line {line} is not shown"
    return model.data(model.index(rows[0], column), role)


def click_box(qtbot: QtBot, dialog: ImportDialog, line: int) -> None:
    """A real mouse click on the check box drawn in the line's "File and careapp" cell."""
    table, model = dialog.preview.table, dialog.preview.model
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0), model.LineRole) == line)
    index = model.index(row, DIFFERS)
    table.scrollTo(index)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = table.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, table)
    assert box.isValid() and table.viewport().rect().contains(box.center())
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(box.center()))


def test_the_preview_lists_what_differs_and_keeps_careapps_values_by_default(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    add_ann_and_bob(services)
    dialog = previewed(qtbot, services, prompts, tmp_path)
    page = dialog.preview
    assert page.differ_note.isVisibleTo(dialog) and page.take_all.isVisibleTo(dialog)
    assert page.differ_note.text().startswith("2 lines hold values that differ from careapp's")
    assert not page.table.isColumnHidden(DIFFERS)
    model = page.model
    # Without "show every line", the rows that differ are listed (the new customer is not).
    assert sorted(model.data(model.index(r, 0), model.LineRole) for r in range(model.rowCount())) == [2, 3]
    assert cell(model, 2, DIFFERS) == "birthday: file 3 May 1990, careapp 4 May 1990 — kept careapp's"
    assert cell(model, 3, DIFFERS) == (
        "first name: file Bobby, careapp Bob — kept careapp's\n"
        "birthday: file 1 July 1980, careapp 1 July — kept careapp's"
    )
    assert cell(model, 2, DIFFERS, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert cell(model, 2, 3) == "4 May 1990"  # the birthday careapp keeps
    assert counts(dialog) == {"create": "1", "update": "0", "merge": "0", "unchanged": "2", "reject": "0"}


def test_ticking_a_line_takes_its_values_and_the_import_does_just_that(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    ann, bob = add_ann_and_bob(services)
    dialog = previewed(qtbot, services, prompts, tmp_path)
    page, model = dialog.preview, dialog.preview.model
    click_box(qtbot, dialog, 2)
    assert page.chosen == frozenset({2})
    assert cell(model, 2, DIFFERS, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert cell(model, 2, DIFFERS).endswith("— took the file's")
    assert cell(model, 2, 3) == "3 May 1990"
    assert counts(dialog) == {"create": "1", "update": "1", "merge": "0", "unchanged": "1", "reject": "0"}
    assert page.take_all.checkState() == Qt.CheckState.PartiallyChecked
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # Import
    assert dialog.pages.currentWidget() is dialog.done_page
    text = dialog.done_page.text.text()
    assert "The file's values were taken for 1 line." in text
    assert "careapp kept its own values where 1 line differed." in text
    assert services.customers.get(ann).birthday == PartialDate(5, 3, 1990)
    assert services.customers.get(bob).first_name == "Bob"


def test_the_box_for_all_lines_takes_every_files_value_and_clears_again(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    ann, bob = add_ann_and_bob(services)
    dialog = previewed(qtbot, services, prompts, tmp_path)
    page, model = dialog.preview, dialog.preview.model
    page.take_all.click()
    assert page.chosen == frozenset({2, 3}) and page.take_all.checkState() == Qt.CheckState.Checked
    assert counts(dialog)["update"] == "2" and counts(dialog)["unchanged"] == "0"
    page.take_all.click()
    assert page.chosen == frozenset() and page.take_all.checkState() == Qt.CheckState.Unchecked
    assert cell(model, 3, DIFFERS, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert counts(dialog)["unchanged"] == "2"
    page.take_all.click()
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "The file's values were taken for 2 lines." in dialog.done_page.text.text()
    assert services.customers.get(ann).birthday == PartialDate(5, 3, 1990)
    assert (services.customers.get(bob).first_name, services.customers.get(bob).birthday) == (
        "Bobby",
        PartialDate(7, 1, 1980),
    )


def test_the_outcome_model_with_checkable_rows_passes_the_model_tester(
    qtmodeltester: Any, qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    add_ann_and_bob(services)
    dialog = previewed(qtbot, services, prompts, tmp_path)
    qtmodeltester.check(dialog.preview.model)
    dialog.preview.take_all.click()
    dialog.preview.show_all.setChecked(True)
    qtmodeltester.check(dialog.preview.model)


def test_a_file_that_agrees_with_careapp_shows_no_choice(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    dialog = previewed(qtbot, services, prompts, tmp_path)  # nobody in careapp yet: all new
    page = dialog.preview
    assert not page.differ_note.isVisibleTo(dialog) and not page.take_all.isVisibleTo(dialog)
    assert page.table.isColumnHidden(DIFFERS)
    assert page.show_all.isChecked()
