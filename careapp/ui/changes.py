"""Seeing other seats' work without a restart.

:class:`ChangeWatcher` asks the database every :data:`POLL_MS` whether another seat (another computer on
the shared server, or another careapp process on the same SQLite file) has changed something: one
tiny query on the database thread, through the runner, never on the UI thread, and never a second one
while the first is still on its way. Its own writes are told apart by the service, so they do not
cause a refresh. ``othersChanged(areas)`` carries the areas of data that moved ("customers",
"tickets", "care", "settings", "calendar", "other").

The watcher knows nothing of the window: it only emits signals. What the window does with them is in
:mod:`careapp.ui.others_work`.
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

log = logging.getLogger(__name__)

POLL_MS = 3000


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
