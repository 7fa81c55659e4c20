"""The runners: order, threads, stale results dropped, errors delivered, progress relayed."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QObject

from careapp.ui.runner import Job, ProgressRelay, SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def test_sync_runner_delivers_before_submit_returns() -> None:
    runner = SyncRunner()
    results: list[object] = []
    runner.submit(lambda: 6 * 7, results.append)
    runner.submit(lambda: 1 / 0, on_error=results.append)
    assert results[0] == 42
    assert isinstance(results[1], ZeroDivisionError)


def test_error_without_handler_goes_to_unhandled_error(qtbot: QtBot) -> None:
    runner = SyncRunner()
    with qtbot.waitSignal(runner.unhandledError) as blocker:
        runner.submit(lambda: {}["missing"])
    assert isinstance(blocker.args[0], KeyError)


def test_threaded_runner_works_off_the_ui_thread_and_answers_on_it(
    qtbot: QtBot, threaded_runner: ThreadedRunner
) -> None:
    ui_thread = threading.get_ident()
    ran_on: list[int] = []
    answered_on: list[int] = []

    def job() -> str:
        ran_on.append(threading.get_ident())
        return "done"

    results: list[str] = []

    def on_done(result: str) -> None:
        answered_on.append(threading.get_ident())
        results.append(result)

    threaded_runner.submit(job, on_done)
    qtbot.waitUntil(lambda: results == ["done"])
    assert ran_on[0] != ui_thread
    assert answered_on == [ui_thread]


def test_threaded_runner_keeps_submission_order(qtbot: QtBot, threaded_runner: ThreadedRunner) -> None:
    order: list[int] = []
    for number in range(20):
        threaded_runner.submit(lambda n=number: n, order.append)  # type: ignore[misc]
    qtbot.waitUntil(lambda: len(order) == 20)
    assert order == list(range(20))


def test_an_older_keyed_job_is_dropped_and_not_even_run(
    qtbot: QtBot, threaded_runner: ThreadedRunner
) -> None:
    gate = threading.Event()
    ran: list[str] = []
    delivered: list[str] = []
    threaded_runner.submit(gate.wait)  # keeps the worker busy while the searches queue up

    def search(text: str) -> str:
        ran.append(text)
        return text

    threaded_runner.submit(lambda: search("an"), delivered.append, key="search")
    threaded_runner.submit(lambda: search("ann"), delivered.append, key="search")
    gate.set()
    qtbot.waitUntil(lambda: not threaded_runner.is_busy())
    assert delivered == ["ann"]
    assert ran == ["ann"]


def test_a_result_that_arrives_after_a_newer_submit_is_dropped(
    qtbot: QtBot, threaded_runner: ThreadedRunner
) -> None:
    started, finish = threading.Event(), threading.Event()
    delivered: list[str] = []

    def slow_search() -> str:
        started.set()
        finish.wait()
        return "old"

    threaded_runner.submit(slow_search, delivered.append, key="search")
    assert started.wait(5)
    threaded_runner.submit(lambda: "new", delivered.append, key="search")
    finish.set()
    qtbot.waitUntil(lambda: not threaded_runner.is_busy())
    assert delivered == ["new"]


def test_result_for_a_destroyed_owner_is_dropped(qtbot: QtBot, threaded_runner: ThreadedRunner) -> None:
    gate = threading.Event()
    owner = QObject()
    delivered: list[str] = []
    threaded_runner.submit(lambda: gate.wait() and "late", delivered.append, owner=owner)
    threaded_runner.submit(lambda: "kept", delivered.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    gate.set()
    qtbot.waitUntil(lambda: not threaded_runner.is_busy())
    assert delivered == ["kept"]


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_busy_changed_reports_work_in_progress(qtbot: QtBot, threaded_runner: ThreadedRunner) -> None:
    states: list[bool] = []
    threaded_runner.busyChanged.connect(states.append)
    threaded_runner.submit(lambda: None)
    qtbot.waitUntil(lambda: states == [True, False])


def test_progress_relay_reaches_the_ui_thread(qtbot: QtBot, threaded_runner: ThreadedRunner) -> None:
    relay = ProgressRelay()
    seen: list[tuple[int, int, int]] = []
    relay.progressed.connect(lambda done, total: seen.append((done, total, threading.get_ident())))

    def job() -> None:
        for done in (1, 2, 3):
            relay.report(done, 3)

    threaded_runner.submit(job)
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert {thread for _, _, thread in seen} == {threading.get_ident()}


def test_shutdown_skips_queued_jobs_and_stops_the_thread(threaded_runner: ThreadedRunner) -> None:
    ran: list[str] = []
    queued_holder: list[Job] = []

    def running_job() -> None:
        # Still running when shutdown() begins: it only finishes once shutdown has cancelled
        # the job queued behind it.
        deadline = time.monotonic() + 5
        while not (queued_holder and queued_holder[0].cancelled) and time.monotonic() < deadline:
            time.sleep(0.001)

    threaded_runner.submit(running_job)
    queued_holder.append(threaded_runner.submit(lambda: ran.append("queued")))
    threaded_runner.shutdown()
    assert ran == []
    assert not threaded_runner._worker.isRunning()


@pytest.mark.parametrize("runner_class", [SyncRunner, ThreadedRunner])
def test_cancelled_job_is_not_delivered(qtbot: QtBot, runner_class: type) -> None:
    runner = runner_class()
    delivered: list[str] = []
    gate = threading.Event()
    if runner_class is ThreadedRunner:
        runner.submit(gate.wait)
    job = runner.submit(lambda: "x", delivered.append)
    job.cancel()
    gate.set()
    runner.submit(lambda: "y", delivered.append)
    qtbot.waitUntil(lambda: not runner.is_busy())
    runner.shutdown()
    expected = ["x", "y"] if runner_class is SyncRunner else ["y"]  # a sync job is done before cancel()
    assert delivered == expected


def test_shutdown_tells_a_long_job_to_stop_and_waits_only_for_that() -> None:
    runner = ThreadedRunner()
    started = threading.Event()
    rounds: list[int] = []

    def long_job() -> str:
        started.set()
        while not runner.stopping():  # a refresh asks between slices of customers
            rounds.append(1)
            time.sleep(0.01)
            if len(rounds) > 3000:  # 30 s: the stop never came
                return "ran to the end"
        return "stopped"

    runner.submit(long_job)
    assert started.wait(5)
    assert not runner.stopping()
    runner.shutdown()
    assert runner.stopping()
    assert len(rounds) <= 3000  # it stopped when asked, not at its own end
