"""The care scheduler: one timer, a refresh at start and every few minutes, and at once after a clock
jump, a night's sleep or midnight; time is moved by hand, never waited for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QTimer

from careapp.ui.runner import SyncRunner
from careapp.ui.scheduler import REFRESH_EVERY, TICK, CareScheduler

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.care.touches import RefreshResult


class Clocks:
    """A wall clock and a monotonic clock that move only when told."""

    def __init__(self, wall: dt.datetime) -> None:
        self.now = wall
        self.mono = 1000.0

    def wall(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def run(self, seconds: float) -> None:
        """Time passes normally: both clocks move together."""
        self.now += dt.timedelta(seconds=seconds)
        self.mono += seconds

    def set_wall(self, when: dt.datetime, mono_passed: float = 1.0) -> None:
        """The clock is set (or the computer slept): the wall clock moves, the monotonic one barely."""
        self.now = when
        self.mono += mono_passed


class CountingRefresh:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"refresh {self.calls}"


class LaterRunner(SyncRunner):
    """Keeps jobs until told to run them, like a busy database thread."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[Callable[[], Any]] = []

    def submit(self, call: Any, on_done: Any = None, on_error: Any = None, **kwargs: Any) -> Any:
        self.waiting.append(lambda: super(LaterRunner, self).submit(call, on_done, on_error, **kwargs))

    def run_all(self) -> None:
        jobs, self.waiting = self.waiting, []
        for job in jobs:
            job()


@pytest.fixture
def clocks() -> Clocks:
    return Clocks(dt.datetime(2026, 11, 23, 9, 30))


def make(qtbot: QtBot, clocks: Clocks, refresh: Callable[[], Any], runner: Any = None) -> CareScheduler:
    return CareScheduler(runner or SyncRunner(), refresh, wall=clocks.wall, monotonic=clocks.monotonic)


def ticks(scheduler: CareScheduler, clocks: Clocks, count: int) -> None:
    for _ in range(count):
        clocks.run(TICK.total_seconds())
        scheduler.tick()


def test_start_refreshes_at_once_and_arms_one_timer(qtbot: QtBot, clocks: Clocks) -> None:
    refresh = CountingRefresh()
    scheduler = make(qtbot, clocks, refresh)
    with qtbot.waitSignal(scheduler.refreshed) as signal:
        scheduler.start()
    assert signal.args == ["refresh 1"]
    assert scheduler.reasons == ["start"]
    assert scheduler.is_active() and scheduler.timer.interval() == TICK.total_seconds() * 1000
    assert scheduler.findChildren(QTimer) == [scheduler.timer]
    scheduler.stop()
    assert not scheduler.is_active()


def test_it_refreshes_every_few_minutes_not_every_tick(qtbot: QtBot, clocks: Clocks) -> None:
    refresh = CountingRefresh()
    scheduler = make(qtbot, clocks, refresh)
    scheduler.start()
    per_refresh = int(REFRESH_EVERY / TICK)
    ticks(scheduler, clocks, per_refresh - 1)
    assert refresh.calls == 1
    ticks(scheduler, clocks, 1)
    assert refresh.calls == 2 and scheduler.reasons == ["start", "timer"]
    assert scheduler.is_active()  # re-armed after every tick
    scheduler.stop()


def test_the_timer_wakes_just_after_midnight(qtbot: QtBot, clocks: Clocks) -> None:
    scheduler = make(qtbot, clocks, CountingRefresh())
    clocks.now = dt.datetime(2026, 11, 23, 23, 59, 30)
    scheduler.start()
    assert scheduler.timer.interval() == 35_000
    days: list[dt.date] = []
    scheduler.dayChanged.connect(days.append)
    clocks.run(35)
    scheduler.tick()
    assert days == [dt.date(2026, 11, 24)]
    assert scheduler.reasons == ["start", "new day"]
    scheduler.stop()


def test_a_jump_forward_across_midnight_refreshes_at_once(qtbot: QtBot, clocks: Clocks) -> None:
    scheduler = make(qtbot, clocks, CountingRefresh())
    clocks.now = dt.datetime(2026, 11, 23, 22, 0)
    scheduler.start()
    jumps: list[float] = []
    days: list[dt.date] = []
    scheduler.clockJumped.connect(jumps.append)
    scheduler.dayChanged.connect(days.append)
    clocks.set_wall(dt.datetime(2026, 11, 24, 7, 0), mono_passed=60)
    scheduler.tick()
    assert jumps == [9 * 3600 - 60]
    assert days == [dt.date(2026, 11, 24)]
    assert scheduler.reasons == ["start", "clock jump or sleep"]
    scheduler.stop()


def test_waking_from_sleep_and_setting_the_clock_back_refresh_too(qtbot: QtBot, clocks: Clocks) -> None:
    scheduler = make(qtbot, clocks, CountingRefresh())
    scheduler.start()
    clocks.set_wall(clocks.now + dt.timedelta(hours=2), mono_passed=0.5)  # the lid was closed
    scheduler.tick()
    clocks.set_wall(clocks.now - dt.timedelta(hours=1), mono_passed=30)  # the clock was set back
    scheduler.tick()
    assert scheduler.reasons == ["start", "clock jump or sleep", "clock jump or sleep"]
    ticks(scheduler, clocks, 1)  # a normal minute: nothing to do
    assert len(scheduler.reasons) == 3
    scheduler.stop()


def test_no_second_refresh_while_one_is_running(qtbot: QtBot, clocks: Clocks) -> None:
    runner = LaterRunner()
    refresh = CountingRefresh()
    scheduler = make(qtbot, clocks, refresh, runner)
    scheduler.start()
    clocks.set_wall(clocks.now + dt.timedelta(hours=3))
    scheduler.tick()
    assert len(runner.waiting) == 1
    runner.run_all()
    assert refresh.calls == 1
    clocks.set_wall(clocks.now + dt.timedelta(hours=3))
    scheduler.tick()
    runner.run_all()
    assert refresh.calls == 2
    scheduler.stop()


def test_a_failed_refresh_is_reported_and_the_next_tick_tries_again(qtbot: QtBot, clocks: Clocks) -> None:
    def broken() -> None:
        raise OSError("disk full")

    scheduler = make(qtbot, clocks, broken)
    errors: list[BaseException] = []
    scheduler.failed.connect(errors.append)
    scheduler.start()
    assert [str(e) for e in errors] == ["disk full"]
    ticks(scheduler, clocks, int(REFRESH_EVERY / TICK))
    assert len(errors) == 2
    scheduler.stop()


def test_with_the_real_service_a_night_later_the_new_days_touches_come(
    qtbot: QtBot, demo_services: Services, clock: list[dt.datetime], clocks: Clocks
) -> None:
    results: list[RefreshResult] = []
    scheduler = make(qtbot, clocks, demo_services.touches.refresh)
    scheduler.refreshed.connect(results.append)
    scheduler.start()
    assert results[0].today == dt.date(2026, 11, 23) and results[0].generated > 0
    next_day = demo_services.care_queue.queue(dt.date(2026, 11, 24))
    # Overnight: the service's clock and the wall clock both jump to the next morning.
    clock[0] = dt.datetime(2026, 11, 24, 8, 0)
    clocks.set_wall(dt.datetime(2026, 11, 24, 8, 0))
    scheduler.tick()
    assert [r.today for r in results] == [dt.date(2026, 11, 23), dt.date(2026, 11, 24)]
    assert results[1].horizon_start == dt.date(2026, 11, 23)  # looks back to the last run
    assert demo_services.touches.last_run() == dt.date(2026, 11, 24)
    queue = demo_services.care_queue.queue()
    assert queue.today == dt.date(2026, 11, 24)
    assert {e.touch_id for e in queue.due_today} >= {e.touch_id for e in next_day.due_today}
    keys = [e.key for e in queue.entries()]
    assert len(keys) == len(set(keys))
    scheduler.stop()
