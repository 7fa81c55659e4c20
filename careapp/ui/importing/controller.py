"""The window's import actions: open the import dialog, and "Undo last import"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from careapp.ui.formatting import format_count, format_stored_time
from careapp.ui.importing.undone import removed_text
from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar, Prompts

if TYPE_CHECKING:
    from careapp.services.customers.importer import ImportService, UndoResult
    from careapp.ui.importing.dialog import ImportDialog


class ImportController(QObject):
    """Runs the import actions of the main window."""

    customersChanged = Signal()

    def __init__(
        self, window: QWidget, runner: Runner, prompts: Prompts, message_bar: MessageBar, actor: str
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._prompts = window, runner, prompts
        self._message_bar, self._actor = message_bar, actor
        self._imports: ImportService | None = None
        self.dialog: ImportDialog | None = None

    def attach(self, imports: ImportService) -> None:
        self._imports = imports

    def set_actor(self, actor: str) -> None:
        """Who is recorded for imports opened from now on."""
        self._actor = actor

    def open_dialog(self) -> ImportDialog | None:
        if self._imports is None:
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        from careapp.ui.importing.dialog import ImportDialog  # not needed before the first paint

        dialog = ImportDialog(self._imports, self._runner, self._prompts, self._actor, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.customersChanged.connect(self.customersChanged)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def cancel_running(self) -> None:
        """Ask a running import to stop (the window is closing); it rolls back."""
        if self.dialog is not None:
            self.dialog.cancel_import()

    def undo_last(self) -> None:
        if self._imports is None:
            return
        imports = self._imports
        self._runner.submit(imports.last_undoable, self._confirm_undo, self._show_error, owner=self._window)

    def _confirm_undo(self, last: tuple[int, str, object] | None) -> None:
        if last is None:
            self._prompts.info(self.tr("Undo last import"), self.tr("There is no import left to undo."))
            return
        _batch_id, name, at = last
        when = format_stored_time(at)  # type: ignore[arg-type]
        if self._prompts.confirm(
            self.tr("Undo last import"),
            self.tr("Undo the import of {file} made on {when}?").format(file=name, when=when),
            self.tr("Undo import"),
            self.tr("Customers it added are removed; customers it updated are put back as they were."),
        ):
            self._undo(force=False)

    def _undo(self, force: bool) -> None:
        assert self._imports is not None
        imports = self._imports
        self._runner.submit(
            lambda: imports.undo_last(force=force), self._undone, self._undo_failed, owner=self._window
        )

    def _undone(self, result: UndoResult) -> None:
        self._message_bar.show_message(
            self.tr("The import of {file} was undone: {removed}, {restored} put back.").format(
                file=result.source_name,
                removed=removed_text(result),
                restored=format_count(result.restored),
            )
        )
        self.customersChanged.emit()

    def _undo_failed(self, error: BaseException) -> None:
        from careapp.services.customers.importer import UndoWouldLoseEdits

        if isinstance(error, UndoWouldLoseEdits) and self._prompts.confirm(
            self.tr("Undo last import"), str(error), self.tr("Undo anyway")
        ):
            self._undo(force=True)
            return
        if not isinstance(error, UndoWouldLoseEdits):
            self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        self._message_bar.show_message(str(error), error=True)
