"""The import dialog: file → (column mapping) → preview → import with progress → done / undo.

Parsing, the dry run, the import and its undo all run on the database thread. Cancel works
while importing: it sets a flag that the import service reads between customers (on the worker
thread), and the import's single transaction is then rolled back.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from careapp.ui.formatting import format_count
from careapp.ui.importing.pages import ChooseFilePage, DonePage, MappingPage, PreviewPage, ProgressPage
from careapp.ui.importing.undone import removed_text
from careapp.ui.runner import ProgressRelay, Runner
from careapp.ui.widgets import ErrorLabel, Prompts

if TYPE_CHECKING:
    from careapp.importing import ColumnMapping
    from careapp.services.customers.importer import ImportService, ImportSummary, UndoResult


def _mapping(columns: dict[str, str] | None) -> ColumnMapping | None:
    from careapp.importing import ColumnMapping

    return ColumnMapping(columns) if columns is not None else None


class NotTheLastImport(Exception):
    def __init__(self) -> None:
        super().__init__(
            QCoreApplication.translate(
                "ImportDialog",
                "Another import was made after this one, so this one can no longer be undone on its own.",
            )
        )


def undo_batch(imports: ImportService, batch_id: int, force: bool) -> UndoResult:
    """Undo the import ``batch_id``, but only while it is still the last one (database thread)."""
    last = imports.last_undoable()
    if last is None or last[0] != batch_id:
        raise NotTheLastImport()
    return imports.undo_last(force=force)


class ImportDialog(QDialog):
    """Guides one import; emits ``customersChanged`` after an import or its undo."""

    customersChanged = Signal()

    def __init__(
        self,
        imports: ImportService,
        runner: Runner,
        prompts: Prompts,
        actor: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._imports, self._runner, self._prompts, self._actor = imports, runner, prompts, actor
        self._columns: dict[str, str] | None = None  # the column mapping, for unknown CSVs
        self._cancel = threading.Event()
        self._busy = False
        self.summary: ImportSummary | None = None
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import customers or orders"))
        self.choose, self.mapping = ChooseFilePage(), MappingPage()
        self.preview, self.progress, self.done_page = PreviewPage(), ProgressPage(), DonePage()
        self.preview.change_columns.clicked.connect(self.change_columns)
        self.pages = QStackedWidget()
        for page in (self.choose, self.mapping, self.preview, self.progress, self.done_page):
            self.pages.addWidget(page)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.back_button = self._button(self.tr("&Back"), self._back)
        self.next_button = self._button("", self._next)
        self.cancel_button = self._button(self.tr("Cancel"), self.reject)
        self.choose.pathChanged.connect(lambda _path: self._update_buttons())
        self.done_page.undo_button.clicked.connect(lambda: self._undo(force=False))
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self.progress.set_progress)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(self.buttons)
        self.resize(820, 560)
        self._show(self.choose)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.pages.currentWidget()
        if page is self.done_page:
            self.next_button.setText(self.tr("&Close"))
        elif page is self.preview:
            self.next_button.setText(self.tr("&Import"))
        else:
            self.next_button.setText(self.tr("&Preview"))
        self.next_button.setAccessibleName(self.next_button.text().replace("&", ""))
        self.next_button.setVisible(page is not self.progress)
        self.next_button.setEnabled(
            not self._busy and (page is not self.choose or bool(self.choose.path.text()))
        )
        self.next_button.setDefault(True)
        self.back_button.setVisible(page in (self.mapping, self.preview))
        self.back_button.setEnabled(not self._busy)
        self.cancel_button.setVisible(page is not self.done_page)

    @property
    def path(self) -> Path:
        return Path(self.choose.path.text().strip()).expanduser()

    # --- steps ---------------------------------------------------------------------------

    def _next(self) -> None:
        page = self.pages.currentWidget()
        if page is self.choose:
            self._columns = None
            self.start_preview()
        elif page is self.mapping:
            self._columns = self.mapping.mapping()
            self.start_preview()
        elif page is self.preview:
            self.start_import()
        elif page is self.done_page:
            self.accept()

    def _back(self) -> None:
        if self.pages.currentWidget() is self.preview and self._columns:
            self.change_columns()
            return
        self._show(self.choose)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def start_preview(self) -> None:
        imports, path, columns = self._imports, self.path, self._columns
        self._set_busy(True)
        self._runner.submit(
            lambda: imports.preview(path, _mapping(columns)),
            self._previewed,
            self._preview_failed,
            owner=self,
        )

    def _previewed(self, summary: ImportSummary) -> None:
        self._set_busy(False)
        self.summary = summary
        self.preview.show_summary(summary)
        if summary.columns:  # read by a mapping (careapp's own or the user's): Back changes it
            self._columns = dict(summary.columns)
        self._show(self.preview)

    def change_columns(self) -> None:
        """From the preview, back to the columns as careapp read them, to change any."""
        from careapp.importing import TARGET_FIELDS

        if self.summary is None or not self.summary.columns:
            return
        columns = dict(self._columns or self.summary.columns)
        file = self.summary.source_name
        message = self.tr("careapp read the columns of {file} as shown.").format(file=file)
        self.mapping.set_columns(message, list(columns), columns, TARGET_FIELDS)
        self._show(self.mapping)

    def _preview_failed(self, error: BaseException) -> None:
        from careapp.importing import TARGET_FIELDS, NeedsColumnMapping

        self._set_busy(False)
        page = self.pages.currentWidget()
        if isinstance(error, NeedsColumnMapping):
            suggested = dict(self._columns or error.suggested.columns)
            self.mapping.set_columns(str(error), error.headers, suggested, TARGET_FIELDS)
            self._show(self.mapping)
            return
        target: ErrorLabel = self.mapping.error if page is self.mapping else self.choose.error
        target.show_error(self._file_problem(error))

    def _file_problem(self, error: BaseException) -> str:
        from careapp.importing import ImportFileError

        if isinstance(error, ImportFileError):
            return str(error)
        if isinstance(error, FileNotFoundError):
            return self.tr(
                "There is no file at {path}. Check the name, or choose the file with “Choose…”."
            ).format(path=self.path)
        if isinstance(error, OSError):
            return self.tr("careapp could not read {path}: {reason}.").format(
                path=self.path, reason=error.strerror or error
            )
        return self.tr("The file could not be imported: {error}").format(error=error)

    def start_import(self) -> None:
        imports, path, columns, actor = self._imports, self.path, self._columns, self._actor
        cancel, relay, take = self._cancel, self.relay, self.preview.chosen
        cancel.clear()
        self.progress.reset()
        self._set_busy(True)
        self._show(self.progress)
        self._runner.submit(
            lambda: imports.apply(
                path,
                actor,
                _mapping(columns),
                progress=relay.report,
                cancelled=cancel.is_set,
                take_file_values=take,
            ),
            self._imported,
            self._import_failed,
            owner=self,
        )

    def _imported(self, summary: ImportSummary) -> None:
        self._set_busy(False)
        self.summary = summary
        self.done_page.show_summary(summary)
        self._show(self.done_page)
        self.customersChanged.emit()

    def _import_failed(self, error: BaseException) -> None:
        from careapp.services.customers.importer import ImportCancelled

        self._set_busy(False)
        self.cancel_button.setEnabled(True)
        self._show(self.preview)
        self.preview.error.show_error(
            str(error) if isinstance(error, ImportCancelled) else self._file_problem(error)
        )

    def _undo(self, force: bool) -> None:
        if self.summary is None or self.summary.batch_id is None:
            return
        imports, batch_id = self._imports, self.summary.batch_id
        self.done_page.undo_button.setEnabled(False)
        self._runner.submit(
            lambda: undo_batch(imports, batch_id, force), self._undone, self._undo_failed, owner=self
        )

    def _undone(self, result: UndoResult) -> None:
        self.done_page.title.setText(self.tr("Import undone"))
        self.done_page.text.setText(
            self.tr("The import of {file} was undone: {removed}, {restored} put back as they were.").format(
                file=result.source_name,
                removed=removed_text(result),
                restored=format_count(result.restored),
            )
        )
        self.customersChanged.emit()

    def _undo_failed(self, error: BaseException) -> None:
        from careapp.services.customers.importer import UndoWouldLoseEdits

        if isinstance(error, UndoWouldLoseEdits) and self._prompts.confirm(
            self.tr("Undo the import?"), str(error), self.tr("Undo anyway")
        ):
            self._undo(force=True)
            return
        self.done_page.undo_button.setEnabled(not isinstance(error, UndoWouldLoseEdits))
        self.done_page.error.show_error(str(error))

    # --- leaving -------------------------------------------------------------------------

    def cancel_import(self) -> None:
        """Set the flag the import reads between customers; it then stops and rolls back."""
        if self.pages.currentWidget() is self.progress:
            self._cancel.set()
            self.progress.text.setText(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        """Cancel: while importing, ask the import to stop (the dialog stays until it has)."""
        if self.pages.currentWidget() is self.progress:
            self.cancel_import()
            return
        if self._busy:
            return
        super().reject()
