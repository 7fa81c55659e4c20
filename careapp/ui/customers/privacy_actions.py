"""A customer's privacy requests from the window: export their data (a file dialog, then a job on the
database thread) and erase them completely (a confirm dialog that cannot be clicked through by accident).

Both act on the customer shown on the detail page. Erasing is for the owner (the service refuses anyone
else with a sentence) and cannot be undone; the dialog says so and asks for the customer's name or the
word ERASE before its button works.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDir, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.customers.detail import CustomerDetail
from careapp.ui.formatting import counted
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, MessageBar

if TYPE_CHECKING:
    from careapp.services.privacy.guard import CustomerGuard
    from careapp.services.privacy.service import ErasureReport
    from careapp.services.shop.staff import Actor

translate = QCoreApplication.translate
CONFIRM_WORD = "ERASE"


def ask_export_path(parent: QWidget, name: str) -> Path | None:
    """Where to save one customer's data (JSON); None if the user cancelled."""
    stem = re.sub(r"[^\w.-]+", "-", name).strip("-") or "customer"
    start = str(Path(QDir.homePath()) / f"{stem}-data.json")
    title = translate("CustomerPrivacy", "Export this customer's data")
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, start, translate("CustomerPrivacy", "JSON (*.json)")
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".json" else path.with_name(path.name + ".json")


class EraseDialog(QDialog):
    """Asks why, and for the customer's name (or ERASE) typed out, before an erase that has no undo.

    ``confirmed`` carries the reason; the dialog stays open while the erase runs, so a refusal (a
    reason that names the customer, or staff instead of the owner) shows here with the text kept.
    """

    confirmed = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setWindowTitle(self.tr("Erase customer completely"))
        self.setAccessibleName(self.tr("Erase customer completely"))
        heading = QLabel(self.tr("Erase {name} completely?").format(name=name))
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        heading.setWordWrap(True)
        heading.setAccessibleName(self.tr("Question"))
        self.explain = explain = QLabel(self._explanation())
        explain.setWordWrap(True)
        explain.setAccessibleName(self.tr("What erasing does"))
        self.warning = QLabel(self._warning())
        self.warning.setWordWrap(True)
        bold = self.warning.font()
        bold.setBold(True)
        self.warning.setFont(bold)
        self.warning.setAccessibleName(self.tr("Warning"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("for example: asked by email on 3 May"))
        self.reason.setAccessibleName(self.tr("Reason"))
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText(CONFIRM_WORD)
        self.confirm.setAccessibleName(self.tr("Type the name or ERASE to confirm"))
        form = QFormLayout()
        # The captions are sentences: each field goes under its caption, at full width.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.tr("&Reason (kept in the audit trail; do not name them):"), self.reason)
        confirm_label = self.tr("&Type “{name}” or {word} to confirm:").format(name=name, word=CONFIRM_WORD)
        form.addRow(confirm_label, self.confirm)
        self.error = ErrorLabel(self.tr("Problem"))
        self.buttons = QDialogButtonBox()
        self.erase_button = QPushButton(self.tr("&Erase completely"))
        self.erase_button.setAccessibleName(self.tr("Erase completely"))
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)
        self.buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("&Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.setDefault(True)
        self.erase_button.clicked.connect(self._erase)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._check)
        self.confirm.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        # Wrapped labels: never smaller than what they need, also when the error line appears.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._busy = False

    def _explanation(self) -> str:
        return self.tr(
            "This removes them and everything careapp holds about them: contact details, notes, "
            "purchases, consent history, calls and tickets, care-queue touches and calendar items (the "
            "next calendar sync removes those events too). Where other customers' records mention their "
            "name, email or phone, it is replaced by “[erased]”. The audit trail keeps only that an "
            "erasure happened: when, by whom, why and how much."
        )

    def _warning(self) -> str:
        return self.tr(
            "This cannot be undone. Backup copies made before now still hold them until they are "
            "replaced. If you may want them back, use Delete instead."
        )

    def matches(self) -> bool:
        typed = " ".join(self.confirm.text().split())
        name = " ".join(self.name.split())
        return typed == CONFIRM_WORD or (bool(typed) and typed.casefold() == name.casefold())

    def _check(self) -> None:
        self.erase_button.setEnabled(self.matches() and bool(self.reason.text().strip()))

    def _erase(self) -> None:
        if not self.matches():
            return
        self.error.show_error(None)
        self.set_busy(True)
        self.confirmed.emit(self.reason.text())

    def set_busy(self, busy: bool) -> None:
        """While the erase runs (a few seconds on a big database: other records are searched for
        mentions, then the file is compacted) the fields are locked and the button says so."""
        self._busy = busy
        for widget in (self.reason, self.confirm, self.buttons):
            widget.setEnabled(not busy)
        self.erase_button.setText(self.tr("Erasing…") if busy else self.tr("&Erase completely"))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
        if not busy:
            self._check()

    def reject(self) -> None:
        # Esc while the erase runs would hide its outcome; the erase cannot be called back anyway.
        if not self._busy:
            super().reject()

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.show_error(text)
        self.adjustSize()


class CustomerPrivacy(QObject):
    """The two actions, for the customer the detail page shows. ``erased`` says which id went, so the
    window can drop anything it still holds of them (the delete undo, open tabs)."""

    erased = Signal(int)
    exported = Signal(object)  # the Path written

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        message_bar: MessageBar,
        current: Callable[[], tuple[int, str] | None],
        actor: Callable[[], Actor],
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._message_bar = window, runner, message_bar
        self._current, self._actor = current, actor
        self._guard: CustomerGuard | None = None
        self.ask_path: Callable[[QWidget, str], Path | None] = ask_export_path  # tests answer here
        self.dialog: EraseDialog | None = None
        self.export_action = QAction(self.tr("E&xport this customer's data…"), self)
        self.export_action.setToolTip(self.tr("Save everything careapp holds about this customer (JSON)"))
        self.export_action.triggered.connect(self.export_current)
        self.erase_action = QAction(self.tr("E&rase customer completely…"), self)
        self.erase_action.setToolTip(self.tr("Erase this customer on their request (cannot be undone)"))
        self.erase_action.triggered.connect(self.erase_current)
        self.set_enabled(False)

    def install(self, customer_list: QWidget, detail: CustomerDetail) -> None:
        """Offer both actions in the list's context menu and on the detail page (a "More" button at
        the top right and its context menu); the Customer menu has them for the keyboard."""
        customer_list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        separator = QAction(self)
        separator.setSeparator(True)
        customer_list.addActions([separator, self.export_action, self.erase_action])
        detail.header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        detail.header.addActions([self.export_action, self.erase_action])
        button = QToolButton()
        button.setText(self.tr("More"))
        button.setAccessibleName(self.tr("More customer actions"))
        button.setToolTip(self.tr("Export this customer's data, or erase them"))
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # The Customer menu offers the same from the keyboard; Tab keeps going list → timeline.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        menu = QMenu(button)
        menu.addActions([self.export_action, self.erase_action])
        button.setMenu(menu)
        detail.header.add_corner_widget(button)
        self.more_button = button

    def attach(self, guard: CustomerGuard) -> None:
        self._guard = guard

    def set_enabled(self, enabled: bool) -> None:
        for action in (self.export_action, self.erase_action):
            action.setEnabled(enabled)

    # --- export -----------------------------------------------------------------------------------

    def export_current(self) -> None:
        current = self._current()
        if current is None or self._guard is None:
            return
        customer_id, name = current
        path = self.ask_path(self._window, name)
        if path is None:
            return
        privacy = self._guard.privacy
        self._message_bar.show_message(self.tr("Exporting {name}'s data…").format(name=name))
        self._runner.submit(
            lambda: privacy.write_export(customer_id, path),
            lambda written: self._exported(name, written),
            self._export_failed,
            owner=self._window,
        )

    def _exported(self, name: str, path: Path) -> None:
        self._message_bar.show_message(
            self.tr("Saved everything careapp holds about {name} to {path} (readable by you only).").format(
                name=name, path=path
            )
        )
        self.exported.emit(path)

    def _export_failed(self, error: BaseException) -> None:
        reason = getattr(error, "strerror", None) or str(error)
        self._message_bar.show_message(self.tr("The export failed: {error}").format(error=reason), error=True)

    # --- erase ------------------------------------------------------------------------------------

    def erase_current(self) -> None:
        current = self._current()
        if current is None or self._guard is None or self.dialog is not None:
            return
        customer_id, name = current
        dialog = EraseDialog(name, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self._erase(dialog, customer_id, reason))
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _erase(self, dialog: EraseDialog, customer_id: int, reason: str) -> None:
        assert self._guard is not None
        guard, actor = self._guard, self._actor()
        self._runner.submit(
            lambda: guard.erase_customer(actor, customer_id, reason),
            lambda report: self._erased(dialog, report),
            lambda error: dialog.show_error(str(error)),
            owner=dialog,
        )

    def _erased(self, dialog: EraseDialog, report: ErasureReport) -> None:
        dialog.accept()
        records = counted(
            report.total,
            self.tr("{count} record removed or rewritten"),
            self.tr("{count} records removed or rewritten"),
        )
        text = self.tr(
            "Customer {id} was erased: {records}. The audit trail keeps when, by whom and why, nothing more."
        ).format(id=report.customer_id, records=records)
        if report.scrubbed is False:
            text += " " + self.tr(
                "The database file could not be compacted just now (another program was using it); "
                "the next erasure compacts it."
            )
        self._message_bar.show_message(text)
        self.erased.emit(report.customer_id)
