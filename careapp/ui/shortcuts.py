"""Help → Keyboard shortcuts: a list made from the window's actions themselves, so it cannot drift
from what the keys do (a key added to an action shows up here; a test fails on two actions sharing
a key where both would answer it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from careapp.ui.keyboard import SAVE_KEYS
from careapp.ui.table import make_table

translate = QCoreApplication.translate


@dataclass(frozen=True)
class ShortcutRow:
    keys: str  # as the user's platform writes them ("Ctrl+N")
    what: str  # the action's text without mnemonics or ellipsis
    where: str  # where it works: everywhere in the window, or one page or list


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").strip()


def _where(action: QAction) -> str:
    if action.shortcutContext() in (
        Qt.ShortcutContext.WindowShortcut,
        Qt.ShortcutContext.ApplicationShortcut,
    ):
        return translate("Shortcuts", "Anywhere")
    widgets = [w for w in action.associatedObjects() if isinstance(w, QWidget) and not w.inherits("QMenu")]
    names = [w.accessibleName() or w.objectName() for w in widgets]
    return ", ".join(n for n in names if n) or translate("Shortcuts", "In its page")


def action_rows(window: QWidget) -> list[ShortcutRow]:
    """One row per key of every action in ``window`` (its menus, pages and lists) that has one."""
    rows = []
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append(ShortcutRow(keys, _plain(action.text()), _where(action)))
    return sorted(set(rows), key=lambda row: (row.where != translate("Shortcuts", "Anywhere"), row.what))


def form_rows() -> list[ShortcutRow]:
    """The keys every form shares (see :func:`careapp.ui.keyboard.save_keys`)."""
    forms = translate("Shortcuts", "Forms and dialogs")
    return [
        ShortcutRow(
            QKeySequence(SAVE_KEYS[0]).toString(QKeySequence.SequenceFormat.NativeText),
            translate("Shortcuts", "Save (also inside a multi-line field)"),
            forms,
        ),
        ShortcutRow(
            QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText),
            translate("Shortcuts", "Save the customer being edited"),
            translate("Shortcuts", "Customer editor"),
        ),
        ShortcutRow("Esc", translate("Shortcuts", "Cancel, close"), forms),
    ]


def clashes(window: QWidget) -> list[str]:
    """Keys given to two enabled-or-not actions that would both answer them: each a sentence."""
    answering: dict[tuple[str, object], list[str]] = defaultdict(list)
    for action in window.findChildren(QAction):
        wide = action.shortcutContext() in (
            Qt.ShortcutContext.WindowShortcut,
            Qt.ShortcutContext.ApplicationShortcut,
        )
        scopes: list[object] = ["window"] if wide else list(action.associatedObjects())
        for sequence in action.shortcuts():
            for scope in scopes:
                answering[(sequence.toString(), id(scope))].append(_plain(action.text()))
    return [
        f"{keys} is given to {' and '.join(sorted(set(names)))}"
        for (keys, _scope), names in answering.items()
        if len(set(names)) > 1
    ]


class ShortcutsDialog(QDialog):
    """The list: keys, what they do, where they work."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.rows = action_rows(window) + form_rows()
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Does"), self.tr("Where")])
        for row in self.rows:
            self.model.appendRow([QStandardItem(row.keys), QStandardItem(row.what), QStandardItem(row.where)])
        self.table = make_table(self.tr("Keyboard shortcuts"))
        self.table.setModel(self.model)
        self.table.resizeColumnsToContents()
        note = QLabel(
            self.tr(
                "Menus and fields also answer Alt and their underlined letter; Tab moves between controls."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 480)
