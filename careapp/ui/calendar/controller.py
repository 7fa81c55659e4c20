"""The window's calendar actions: File → Calendar…, File → Export .ics…, and the background updates.

Wiring (main window): add ``settings_action`` and ``export_action`` to a menu, call ``attach`` with the
services, ``changed()`` after changes, and ``shutdown()`` when the window closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from careapp.ui.calendar.background import CalendarBackground
from careapp.ui.formatting import counted
from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.ui.calendar.jobs import CalendarJobs, Loaded
    from careapp.ui.calendar.settings_dialog import CalendarDialog

# The dialog and the jobs import the calendar services (and the database stack): only when used.


class CalendarController(QObject):
    """Opens the calendar dialog, exports .ics files and keeps the feed and CalDAV current."""

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        message_bar: MessageBar,
        status_bar: QStatusBar,
        background: Runner | None = None,
    ) -> None:
        """``background`` runs the feed and CalDAV updates and "Sync now" (``runner`` if not given):
        network calls, and on a new day the queue they read waits for the touches' refresh."""
        super().__init__(window)
        self._window, self._runner, self._message_bar = window, runner, message_bar
        self._background = background or runner
        self._status_bar = status_bar
        self.jobs: CalendarJobs | None = None
        self.dialog: CalendarDialog | None = None
        self._loading = False
        self.settings_action = QAction(self.tr("&Calendar…"), window)
        self.settings_action.setToolTip(
            self.tr("What goes into your calendar, the feed file and CalDAV sync")
        )
        self.settings_action.triggered.connect(self.open_settings)
        self.export_action = QAction(self.tr("Ex&port .ics…"), window)
        self.export_action.setToolTip(
            self.tr("Calendar events to an .ics file (adds only: later changes will not follow)")
        )
        self.export_action.triggered.connect(self.export_ics)
        for action in (self.settings_action, self.export_action):
            action.setEnabled(False)
        self.background = CalendarBackground(self._background, self._update, self._show_status, self)

    def attach(self, services: Services, jobs: CalendarJobs | None = None) -> None:
        from careapp.ui.calendar.jobs import CalendarJobs

        self.jobs = jobs or CalendarJobs(services)
        for action in (self.settings_action, self.export_action):
            action.setEnabled(True)
        self.background.start()

    def changed(self) -> None:
        """A customer was saved, a touch done, snoozed or skipped, a call logged."""
        if self.jobs is not None:
            self.background.changed()

    def shutdown(self) -> None:
        self.background.stop()

    def _update(self) -> str:
        jobs = self.jobs
        return jobs.update(should_stop=self._background.stopping) if jobs is not None else ""

    def _show_status(self, line: str) -> None:
        self._status_bar.showMessage(line, 30_000)

    # --- the dialog ----------------------------------------------------------------------

    def open_settings(self) -> None:
        if self.jobs is None or self.dialog is not None or self._loading:
            return
        self._loading = True
        self._runner.submit(self.jobs.load, self._show_dialog, self._load_failed, owner=self._window)

    def _show_dialog(self, loaded: Loaded) -> None:
        from careapp.ui.calendar.settings_dialog import CalendarDialog

        assert self.jobs is not None
        self._loading = False
        dialog = CalendarDialog(
            loaded.settings,
            loaded.last_sync,
            self._runner,
            self.jobs,
            self._window,
            sync_runner=self._background,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _settings: self.changed())
        dialog.synced.connect(self._show_status)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._message_bar.show_message(
            self.tr("The calendar settings could not be read: {error}").format(error=error), error=True
        )

    # --- export --------------------------------------------------------------------------

    def export_ics(self) -> None:
        if self.jobs is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self._window, self.tr("Export calendar"), "careapp.ics", self.tr("iCalendar files (*.ics)")
        )
        if path:
            self.export_to(Path(path if path.lower().endswith(".ics") else path + ".ics"))

    def export_to(self, path: Path) -> None:
        jobs = self.jobs
        assert jobs is not None
        self._status_bar.showMessage(self.tr("Exporting the calendar…"))
        # On the background thread: the export refreshes the touches first, which on a new day is
        # the long refresh already running there (it then finds nothing left to do).
        self._background.submit(
            lambda: jobs.export_ics(path),
            lambda count: self._exported(path, count),
            lambda error: self._message_bar.show_message(
                self.tr("The calendar export failed: {error}").format(
                    error=getattr(error, "strerror", None) or error
                ),
                error=True,
            ),
            owner=self._window,
        )

    def _exported(self, path: Path, count: int) -> None:
        from careapp.services.calendar.service import ADDS_ONLY_NOTE

        self._status_bar.clearMessage()
        self._message_bar.show_message(
            self.tr("Exported {events} to {path}. {note}").format(
                events=counted(count, self.tr("{count} calendar event"), self.tr("{count} calendar events")),
                path=path,
                note=ADDS_ONLY_NOTE,
            )
        )
