"""Making touches due while careapp runs: one timer, awake to midnight, clock jumps and sleep.

:class:`CareScheduler` runs the touch service's refresh on the database thread (through the
runner): once at start (touches missed while careapp was closed come back), then every
:data:`REFRESH_EVERY` of running time, at once when the local date changes, and at once after the
clock jumped or the computer slept.

There is ONE ``QTimer``, single-shot, re-armed at the end of every tick: for :data:`TICK` from now,
or for just after the next local midnight if that is sooner. A tick compares how much wall-clock
time passed since the last tick with how much monotonic time did. They match unless the clock was
set (a jump, either way) or the computer was suspended (Linux's and macOS's monotonic clocks stand
still during sleep, the wall clock does not), so a difference of more than :data:`JUMP_TOLERANCE`
means "refresh now". Both clocks are injected, so tests move time by hand and call :meth:`tick`.

Results come back as ``refreshed(RefreshResult)``; ``failed(exception)`` if the refresh raised.
A refresh is never started while another is still running: one asked for meanwhile (a change the
user just made) runs right after it, once however many were asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.services.care.touches import RefreshResult

log = logging.getLogger(__name__)

TICK = dt.timedelta(minutes=1)
REFRESH_EVERY = dt.timedelta(minutes=5)
JUMP_TOLERANCE = dt.timedelta(seconds=90)
AFTER_MIDNIGHT = dt.timedelta(seconds=5)


def local_now() -> dt.datetime:
    """The computer's wall clock, local and naive: its date is "today" here."""
    return dt.datetime.now()


class CareScheduler(QObject):
    """Refreshes the touches on a timer; see the module docstring.

    ``refresh`` is the job run on the database thread (``services.touches.refresh``); ``wall`` and
    ``monotonic`` are the clocks (local wall time as a naive datetime, and seconds).
    """

    refreshed = Signal(object)  # RefreshResult
    failed = Signal(object)  # the exception
    clockJumped = Signal(float)  # seconds the wall clock moved beyond the monotonic one
    dayChanged = Signal(object)  # the new local date

    def __init__(
        self,
        runner: Runner,
        refresh: Callable[[], RefreshResult],
        *,
        wall: Callable[[], dt.datetime] = local_now,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner, self._refresh = runner, refresh
        self._wall, self._monotonic = wall, monotonic
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self._last_wall: dt.datetime | None = None
        self._last_mono = 0.0
        self._last_refresh_mono: float | None = None
        self._running = False
        self._again: str | None = None  # asked for while one was running: run when it ends
        self.refreshes = 0  # how many were started
        self.reasons: list[str] = []  # why each refresh was started, for the log and the tests

    # --- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Refresh now (the catch-up after a break) and start ticking."""
        self._remember_clocks()
        self._start_refresh("start")
        self._arm()

    def stop(self) -> None:
        self.timer.stop()

    def is_active(self) -> bool:
        return self.timer.isActive()

    # --- ticking -------------------------------------------------------------------------

    def tick(self) -> None:
        """Look at the clocks, refresh if something calls for it, and arm the timer again."""
        wall, mono = self._wall(), self._monotonic()
        if self._last_wall is None:
            self._remember_clocks()
            self._arm()
            return
        wall_passed = (wall - self._last_wall).total_seconds()
        mono_passed = mono - self._last_mono
        drift = wall_passed - mono_passed
        reason = ""
        if abs(drift) > JUMP_TOLERANCE.total_seconds():
            reason = "clock jump or sleep"
            log.info("the clock moved %.0f s more than the time that passed (jump or sleep)", drift)
            self.clockJumped.emit(drift)
        if wall.date() != self._last_wall.date():
            reason = reason or "new day"
            self.dayChanged.emit(wall.date())
        due = (
            self._last_refresh_mono is None or mono - self._last_refresh_mono >= REFRESH_EVERY.total_seconds()
        )
        if not reason and due:
            reason = "timer"
        self._last_wall, self._last_mono = wall, mono
        if reason:
            self._start_refresh(reason)
        self._arm()

    def next_interval(self) -> dt.timedelta:
        """How long until the next tick: :data:`TICK`, or just after midnight if that comes first."""
        now = self._wall()
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
        return max(min(TICK, midnight - now + AFTER_MIDNIGHT), dt.timedelta(seconds=1))

    def _arm(self) -> None:
        self.timer.start(int(self.next_interval().total_seconds() * 1000))

    def _remember_clocks(self) -> None:
        self._last_wall, self._last_mono = self._wall(), self._monotonic()

    # --- refreshing ----------------------------------------------------------------------

    def refresh_now(self, reason: str = "asked") -> None:
        self._start_refresh(reason)

    def _start_refresh(self, reason: str) -> None:
        if self._running:
            if reason != "timer" and self._again is None:
                self._again = reason
            return
        self._running = True
        self._last_refresh_mono = self._monotonic()
        self.refreshes += 1
        self.reasons.append(reason)
        log.info("refreshing the touches (%s)", reason)
        self._runner.submit(self._refresh, self._done, self._failed, owner=self)

    def _done(self, result: Any) -> None:
        self._running = False
        self.refreshed.emit(result)
        self._run_again()

    def _failed(self, error: BaseException) -> None:
        self._running = False
        log.warning("refreshing the touches failed: %s", error)
        self.failed.emit(error)
        self._run_again()

    def _run_again(self) -> None:
        again, self._again = self._again, None
        if again is not None:
            self._start_refresh(again)
