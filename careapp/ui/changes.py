"""Seeing other seats' work without a restart.

:class:`ChangeWatcher` asks the database every :data:`POLL_MS` whether another seat (another computer on
the shared server, or another careapp process on the same SQLite file) has changed something: one
tiny query on the database thread, through the runner, never on the UI thread, and never a second one
while the first is still on its way. Its own writes are told apart by the service, so they do not
cause a refresh. ``othersChanged(areas)`` carries the areas of data that moved ("customers",
"tickets", "care", "settings", "calendar", "other").

:class:`OthersWorkRefresher` puts that on screen in the main window: the customer list (keeping the
selected customer and the scroll position), the selected customer's page, their tickets and feedback,
open ticket windows, the care queue, the overview and the shop's settings, each only when its area
moved. An editor with unsaved typing is left alone: its save is checked against the version it was
opened with, which is how a clash with another seat is caught and shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.db.database import Database
    from careapp.services.shop.changes import ChangeCheck
    from careapp.ui.main_window import MainWindow

log = logging.getLogger(__name__)

POLL_MS = 3000
LIST_AREAS = frozenset({"customers", "other"})
CUSTOMER_PAGE_AREAS = frozenset({"customers", "tickets", "care", "other"})
TICKET_AREAS = frozenset({"tickets", "customers", "other"})
CARE_AREAS = frozenset({"customers", "tickets", "care", "settings", "other"})
SETTINGS_AREAS = frozenset({"settings", "other"})


def check_changes(db: Database, since: Mapping[str, int] | None) -> ChangeCheck:
    """Database thread: read the counters and compare them with the last look."""
    from careapp.services.shop.changes import ChangeService

    return ChangeService(db).check(since)


class ChangeWatcher(QObject):
    """Polls the change counters on a timer; see the module docstring."""

    othersChanged = Signal(object)  # frozenset[str]: the areas another seat changed
    failed = Signal(object)  # the exception of a failed poll (the next one tries again)
    lost = Signal(object)  # the first failure in a row: the database cannot be reached (exception)
    restored = Signal()  # the first success after failures

    def __init__(self, runner: Runner, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._runner = runner
        self._check: Callable[[Mapping[str, int] | None], ChangeCheck] | None = None
        self._seen: dict[str, int] | None = None
        self._polling = False
        self._failing = False
        self.polls = 0  # how many were started, for the tests and the log
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def attach(self, db: Database) -> None:
        """Start watching: the first look only notes where the counters stand."""
        self._check = lambda since: check_changes(db, since)
        self._seen = None
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._check = None

    def poll(self) -> None:
        if self._check is None or self._polling:
            return
        self._polling = True
        self.polls += 1
        check, since = self._check, self._seen
        self._runner.submit(lambda: check(since), self._checked, self._failed, owner=self)

    def _checked(self, result: ChangeCheck) -> None:
        self._polling = False
        if self._failing:
            self._failing = False
            log.info("the database answers again")
            self.restored.emit()
        self._seen = dict(result.counters)
        if result.by_others:
            log.info("another seat changed: %s", ", ".join(sorted(result.by_others)))
            self.othersChanged.emit(frozenset(result.by_others))

    def _failed(self, error: BaseException) -> None:
        self._polling = False
        # A server that went away for a moment: say so once, try again on every tick.
        if not self._failing:
            self._failing = True
            log.warning("could not look for other seats' changes: %s", error)
            self.lost.emit(error)
        self.failed.emit(error)


class OthersWorkRefresher(QObject):
    """Refreshes what the main window shows when another seat changed it (see the module docstring)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._scroll_to: int | None = None
        self._selected: list[int] = []
        window.list_panel.searchFinished.connect(self._list_refreshed)

    def refresh(self, areas: frozenset[str]) -> None:
        window = self._window
        if window.services is None:
            return
        if areas & LIST_AREAS:
            self._refresh_list()  # the list's answer shows the selected customer again, too
        elif areas & CUSTOMER_PAGE_AREAS:
            self._refresh_customer_page()
        if areas & TICKET_AREAS:
            window.customer_tickets.refresh()
            for dialog in list(window.ticket_windows.open_dialogs.values()):
                # One with a change half typed is left alone: its save is checked against the
                # version it showed, so a clash is caught and shown there.
                if not dialog.panel.isVisibleTo(dialog):
                    dialog.reload()
        if areas & CARE_AREAS:
            window.care.reload()
        if areas & SETTINGS_AREAS:
            self._reload_shop()
        window.statusBar().showMessage(self.tr("Showing the latest changes made on another computer."), 4000)

    def connection_lost(self, error: BaseException) -> None:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0:1]
        self._window.message_bar.show_message(
            self.tr(
                "careapp cannot reach the database ({reason}). It keeps trying; what you type in an "
                "open window stays there until it can be saved."
            ).format(reason=reason[0] if reason else type(error).__name__),
            error=True,
        )

    def connection_restored(self) -> None:
        self._window.message_bar.show_message(self.tr("The database answers again."))

    def _refresh_list(self) -> None:
        panel = self._window.list_panel
        if panel.model is None:
            return
        self._scroll_to = panel.table.verticalScrollBar().value()
        model, rows = panel.model, panel.table.selectionModel().selectedRows()
        self._selected = [cid for cid in (model.customer_id(i.row()) for i in rows) if cid is not None]
        panel.refresh()

    def _list_refreshed(self) -> None:
        self._reselect()
        if self._scroll_to is not None:
            # Selecting the row again scrolled it into view; the user's own place comes back.
            self._window.list_panel.table.verticalScrollBar().setValue(self._scroll_to)
            self._scroll_to = None

    def _reselect(self) -> None:
        """Several rows picked (for a bulk change) stay picked; the list only re-selected the current."""
        selected, self._selected = self._selected, []
        self._window.list_panel.pick_again(selected)

    def _refresh_customer_page(self) -> None:
        window = self._window
        customer_id = window.list_panel.current_id()
        if customer_id is not None:
            window.customer_actions.show_customer(customer_id)
            window.customer_feedback.show_customer(customer_id)

    def _reload_shop(self) -> None:
        window, services = self._window, self._window.services
        if services is None:
            return
        settings = services.settings
        window.runner.submit(settings.shop, window.apply_shop, self._shop_failed, owner=window)

    @staticmethod
    def _shop_failed(error: BaseException) -> None:
        log.warning("could not read the shop settings changed on another seat: %s", error)


def connect_refresher(watcher: ChangeWatcher, window: MainWindow) -> OthersWorkRefresher:
    refresher = OthersWorkRefresher(window)
    watcher.othersChanged.connect(refresher.refresh)
    watcher.lost.connect(refresher.connection_lost)
    watcher.restored.connect(refresher.connection_restored)
    return refresher
