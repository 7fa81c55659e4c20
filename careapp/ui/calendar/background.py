"""Keeps the feed file and the CalDAV calendar current, in the background.

:meth:`CalendarBackground.changed` (called after a customer is saved, a touch is done, snoozed or
skipped, a call is logged) and a timer (every 15 minutes) ask for an update. Requests that arrive
within ``delay_ms`` of each other are one update; a request that arrives while an update runs gives
exactly one more update after it. The update itself (write the feed, sync) runs through the runner on
the worker thread, never on the UI thread; its line goes to ``show`` (the status bar). A failed sync is
tried again at the next tick. The line is the sync's summary, which never holds the password.

``delay_ms`` is short (:data:`DELAY_MS`): it only gathers what one change sets off (a saved customer's
``customersChanged``, then the touches' refresh), and the feed must show the change within a second or
two of it (issue 14). Anything asked for while an update runs is one more update after it anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from careapp.ui.runner import Runner

log = logging.getLogger(__name__)
INTERVAL_MS = 15 * 60 * 1000
DELAY_MS = 250  # was 2000: with the refresh before it, the feed came 2.2 s after the change


class CalendarBackground(QObject):
    """One update at a time: ``update`` (worker thread) returns a line for ``show`` ("" for none)."""

    finished = Signal(str)  # the line shown, after each update

    def __init__(
        self,
        runner: Runner,
        update: Callable[[], str],
        show: Callable[[str], None],
        parent: QObject | None = None,
        *,
        interval_ms: int = INTERVAL_MS,
        delay_ms: int = DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._runner, self._update, self._show = runner, update, show
        self._running = False
        self._again = False
        self.runs = 0
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(delay_ms)
        self._delay.timeout.connect(self._start)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.changed)

    def start(self) -> None:
        """Start the timer and bring things up to date once."""
        self.timer.start()
        self.changed()

    def stop(self) -> None:
        self.timer.stop()
        self._delay.stop()
        self._again = False

    def is_running(self) -> bool:
        return self._running

    def is_idle(self) -> bool:
        return not self._running and not self._again and not self._delay.isActive()

    def changed(self) -> None:
        """Something the calendar shows may have changed: update soon (coalesced)."""
        if self._running:
            self._again = True
        elif not self._delay.isActive():
            self._delay.start()

    def _start(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        self.runs += 1
        self._runner.submit(self._update, self._done, self._failed, owner=self)

    def _done(self, line: str) -> None:
        self._finish(line)

    def _failed(self, error: BaseException) -> None:
        log.warning("calendar update failed: %s", type(error).__name__)
        self._finish(self.tr("The calendar could not be updated: {error}").format(error=error))

    def _finish(self, line: str) -> None:
        self._running = False
        if line:
            self._show(line)
        self.finished.emit(line)
        if self._again:
            self._again = False
            self._delay.start()
