"""Keys everywhere the same: Ctrl+S and Ctrl+Enter save in the customer editor, Ctrl+Enter in the
multi-line forms (even with the cursor in the multi-line field); Help → Keyboard shortcuts lists
every action's key, made from the actions themselves, and no two actions answer the same key."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from careapp.ui.customers.note_dialog import NoteDialog
from careapp.ui.runner import SyncRunner
from careapp.ui.shortcuts import ShortcutsDialog, action_rows, clashes
from tests.ui.test_editor import open_editor

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts


def press(qtbot: QtBot, widget: object, keys: str) -> None:
    sequence = QKeySequence(keys)[0]
    qtbot.keyClick(widget, sequence.key(), sequence.keyboardModifiers())  # type: ignore[arg-type]


@pytest.mark.parametrize("keys", ["Ctrl+S", "Ctrl+Return", "Ctrl+Enter"])
def test_the_editor_saves_with_ctrl_s_and_ctrl_enter(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, keys: str
) -> None:
    editor = open_editor(qtbot, services, prompts)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    qtbot.keyClicks(editor.form.first_name, "Ann")
    editor.form.notes.setFocus()  # the multi-line field: Enter alone is a new line there
    qtbot.keyClicks(editor.form.notes, "Likes oat milk")
    with qtbot.waitSignal(editor.saved, timeout=3000) as saved:
        press(qtbot, editor.form.notes, keys)
    assert services.customers.get(saved.args[0].id).notes == "Likes oat milk"


def test_add_note_saves_with_ctrl_enter(qtbot: QtBot, services: Services, prompts: ScriptedPrompts) -> None:
    from careapp.domain.customer import CustomerDraft

    customer = services.customers.create(CustomerDraft(first_name="Ann"), "Sam")
    dialog = NoteDialog(services.customers, SyncRunner(), prompts, customer.id, "Ann", "Sam")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClicks(dialog.text, "Called about the grinder")
    with qtbot.waitSignal(dialog.added, timeout=3000):
        press(qtbot, dialog.text, "Ctrl+Return")
    texts = [f"{entry.title} {entry.detail}" for entry in services.customers.timeline(customer.id)]
    assert "Called about the grinder" in " ".join(texts)


def test_help_lists_every_actions_shortcut_made_from_the_actions(qtbot: QtBot, window: MainWindow) -> None:
    assert window.shortcuts_action in window.help_menu.actions()
    dialog = window.show_shortcuts()
    assert isinstance(dialog, ShortcutsDialog)
    listed = {(row.keys, row.what) for row in dialog.rows}
    with_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 15  # the menus' and the pages' actions, not an empty list passing
    for action in with_keys:
        for sequence in action.shortcuts():
            text = action.text().replace("&", "").replace("…", "").strip()
            assert (sequence.toString(QKeySequence.SequenceFormat.NativeText), text) in listed, text
    shown = [dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())]
    assert "Ctrl+L" in shown and "Ctrl+Shift+W" in shown and "Ctrl+N" in shown
    # Generated, not written down: a new action with a key shows up in the list at once.
    extra = QAction("Brew &coffee", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+B"))
    assert ("Ctrl+Alt+B", "Brew coffee") in {(r.keys, r.what) for r in action_rows(window)}


def test_no_two_actions_answer_the_same_key(qtbot: QtBot, window: MainWindow) -> None:
    assert clashes(window) == []
    twin = QAction("Another new", window)
    twin.setShortcut(QKeySequence("Ctrl+N"))
    assert clashes(window) == ["Ctrl+N is given to Another new and New customer"]
