"""Running service calls off the UI thread, and delivering their results back onto it.

Threading contract
------------------
* Widgets never call a service on the UI thread. They hand a *job* (a callable taking no
  arguments, usually a lambda over a service method) to a runner with ``submit``.
* :class:`ThreadedRunner` runs every job on ONE database worker thread, strictly in the order
  submitted, so saves never overlap and a read submitted after a write sees that write.
* Jobs must not touch widgets or any other Qt object owned by the UI thread. They return plain
  data (the services already return dataclasses, never live ORM rows).
* ``on_done(result)`` and ``on_error(exception)`` are always called on the UI thread (through a
  queued signal), in submission order. If a job fails and no ``on_error`` was given, the
  runner's ``unhandledError`` signal carries the exception instead.
* Stale results are dropped, not delivered: a job submitted with a ``key`` supersedes every
  earlier job with the same key (a search typed after another, the detail of the customer
  selected after another). A superseded job that has not started yet is skipped altogether.
  ``Job.cancel()`` drops one job's result the same way, and a job whose ``owner`` QObject has
  been destroyed is dropped too.
* Long jobs may report progress through a :class:`ProgressRelay` created on the UI thread; its
  signal is queued back to the UI thread like the results, and may ask :meth:`Runner.stopping`
  between their steps, to end early when careapp quits.

The app has two ThreadedRunners: the window's, for everything the user asks for, and a background
one ("careapp-background") for the long jobs nobody waits on: the touches' refresh (a new day plans
every customer), the calendar's feed and CalDAV syncs, and exports. They run at the same time, so a
background job that writes takes the write lock per short transaction (see care_plan_store), as
another seat would. Sending email (a touch's message, the Outbox's Retry, the settings' test message)
runs there too: a slow mail server may hold a send for its whole timeout, and the window's runner must
not wait behind it. A window that has a background runner offers it as ``background_runner``; a
screen another one builds finds it through its parents with :func:`background_runner_of`.

:class:`SyncRunner` has the same interface but runs each job at once, on the calling thread, and
calls back before ``submit`` returns (like Picard's fake thread pool): tests use it where timing
would make them flaky.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")
DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


@dataclass(eq=False)
class Job:
    """One submitted call. ``cancel()`` (UI thread) means its result will never be delivered."""

    number: int
    call: Callable[[], Any]
    on_done: DoneCallback | None = None
    on_error: ErrorCallback | None = None
    key: str | None = None
    owner: QObject | None = None
    # Written on the UI thread, read by the worker: a plain attribute is enough under the GIL.
    cancelled: bool = field(default=False)

    def cancel(self) -> None:
        self.cancelled = True

    def wanted(self) -> bool:
        """Whether anyone still wants the result (UI thread only: looks at the owner)."""
        return not self.cancelled and (self.owner is None or shiboken6.isValid(self.owner))


class Runner(Protocol):
    """What widgets need from a runner; both runners below provide it."""

    unhandledError: Any  # Signal(object): an exception no ``on_error`` was given for
    busyChanged: Any  # Signal(bool): True while jobs are queued or running

    def submit(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
    ) -> Job: ...

    def is_busy(self) -> bool: ...

    def stopping(self) -> bool:
        """True once :meth:`shutdown` has begun: a long job asks between its steps, and stops."""
        ...

    def shutdown(self) -> None: ...


class _RunnerBase(QObject):
    """Bookkeeping shared by both runners: keys, numbering, delivery."""

    unhandledError = Signal(object)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count(1)
        self._latest_by_key: dict[str, Job] = {}
        self._outstanding = 0
        self._stopping = threading.Event()  # set by shutdown; read from the worker thread

    def _make_job(
        self,
        call: Callable[[], Any],
        on_done: DoneCallback | None,
        on_error: ErrorCallback | None,
        key: str | None,
        owner: QObject | None,
    ) -> Job:
        job = Job(next(self._numbers), call, on_done, on_error, key, owner)
        if key is not None:
            previous = self._latest_by_key.get(key)
            if previous is not None:
                previous.cancel()
            self._latest_by_key[key] = job
        return job

    def _deliver(self, job: Job, result: Any, error: BaseException | None) -> None:
        if job.key is not None and self._latest_by_key.get(job.key) is job:
            del self._latest_by_key[job.key]
        if not job.wanted():
            return
        if error is None:
            if job.on_done is not None:
                job.on_done(result)
        elif job.on_error is not None:
            job.on_error(error)
        else:
            self.unhandledError.emit(error)

    def _count(self, change: int) -> None:
        was_busy = self._outstanding > 0
        self._outstanding += change
        if was_busy != (self._outstanding > 0):
            self.busyChanged.emit(self._outstanding > 0)

    def is_busy(self) -> bool:
        return self._outstanding > 0

    def stopping(self) -> bool:
        return self._stopping.is_set()


def _run(job: Job) -> tuple[Any, BaseException | None]:
    try:
        return job.call(), None
    except Exception as error:
        log.info("job %s failed: %s", job.number, error, exc_info=True)
        return None, error


class _Worker(QThread):
    """The one database thread: takes jobs from the queue until it gets ``None``."""

    finished_job = Signal(object, object, object)  # job, result, error

    def __init__(self, jobs: queue.Queue[Job | None]) -> None:
        super().__init__()
        self._jobs = jobs

    def run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if job.cancelled:  # superseded before it started: don't even run it
                self.finished_job.emit(job, None, None)
                continue
            result, error = _run(job)
            self.finished_job.emit(job, result, error)


class ThreadedRunner(_RunnerBase):
    """Runs jobs in order on one worker thread; see the module docstring for the contract."""

    def __init__(self, parent: QObject | None = None, *, name: str = "careapp-database") -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._worker = _Worker(self._jobs)
        self._worker.setObjectName(name)
        # The worker emits from its own thread; this runner lives on the UI thread, so Qt
        # queues the call and _finished runs on the UI thread.
        self._worker.finished_job.connect(self._finished)
        self._worker.start()

    def submit(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
    ) -> Job:
        job = self._make_job(call, on_done, on_error, key, owner)
        self._count(+1)
        self._jobs.put(job)
        return job

    def _finished(self, job: Job, result: Any, error: BaseException | None) -> None:
        self._count(-1)
        self._deliver(job, result, error)

    def shutdown(self) -> None:
        """Let the running job finish (a long one sees :meth:`stopping` and ends early), skip the
        rest, stop the thread (UI thread, at exit)."""
        self._stopping.set()
        if not self._worker.isRunning():
            return
        for job in list(self._jobs.queue):
            if job is not None:
                job.cancel()
        self._jobs.put(None)
        self._worker.wait()


class SyncRunner(_RunnerBase):
    """Runs each job at once on the calling thread; results are delivered before submit returns."""

    def submit(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
    ) -> Job:
        job = self._make_job(call, on_done, on_error, key, owner)
        self._count(+1)
        result, error = _run(job)
        self._count(-1)
        self._deliver(job, result, error)
        return job

    def shutdown(self) -> None:
        """Nothing runs in the background, so there is nothing to wait for."""
        self._stopping.set()


def background_runner_of(widget: QObject | None, fallback: Runner) -> Runner:
    """The background runner of the window ``widget`` sits in (the first parent with a
    ``background_runner``), or ``fallback`` when there is none (a dialog shown on its own, in tests)."""
    while widget is not None:
        found = getattr(widget, "background_runner", None)
        if found is not None:
            return found
        widget = widget.parent()
    return fallback


class ProgressRelay(QObject):
    """Carries ``(done, total)`` from a job on the worker thread to the UI thread.

    Create it on the UI thread; pass ``relay.report`` to the service as its progress callback.
    """

    progressed = Signal(int, int)

    def report(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
