"""The window benchmark's child: ``python -m bench.window_child DATA_DIR OUT WATCH_SECONDS [DAYS_AHEAD]``.

Runs careapp's real start (``careapp.app.run_gui``: first paint, daily backup, migration, the
pages, the stored queue, the background refresh) and writes to OUT, one ``name value`` a line:

- ``first_paint``: wall-clock time (``time.time()``) the main window's frame reached the screen;
- ``usable``: the time the window is usable: the customer list has come from the database, the care
  queue page shows a queue read from the database (not the copy saved at the last run, which shows
  before the database is open), and the actions (New customer, Find, Import, Export) are enabled;
- with WATCH_SECONDS > 0, the window stays on the Care queue page (the page it opens on) that long
  from the first paint while a 10 ms timer ticks: ``pause_max`` and ``pause_p95`` (seconds between
  two ticks, so 0.010 is a window that never waited), ``pause_max_ended`` (seconds after the first
  paint) and ``rss_kb`` (peak RSS, VmHWM, with the care
  queue page shown); ``fresh_queue`` is when the refreshed queue came, if it did.

DAYS_AHEAD > 0 moves careapp's clock (``careapp.clock.utc_now``, the one place it is read) that many
days on, as the first start of a new day: its daily backup and its refresh. The module is patched
before careapp is imported, so every ``from careapp.clock import utc_now`` gets the moved clock.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

TICK_MS = 10


def move_clock(days: int) -> None:
    import careapp.clock

    real = careapp.clock.utc_now
    careapp.clock.utc_now = lambda: real() + dt.timedelta(days=days)


class Probe:
    """Watches the real window that ``careapp.app`` builds (hooked in where it wires its bench times)."""

    def __init__(self, out: Path, watch_seconds: float) -> None:
        self.out = out
        self.watch_seconds = watch_seconds
        self.lines: dict[str, float] = {}
        self.list_ready = False
        self.queue_from_database = False
        self.ticks: list[float] = []

    def hook(self, window, startup) -> None:
        self.window, self.startup = window, startup
        attach = window.attach_services

        def attached(*args: object) -> object:  # the database is open and migrated: the services came
            self.lines.setdefault("services", time.time())
            return attach(*args)

        window.attach_services = attached
        window.firstPainted.connect(self._painted)
        startup.listReady.connect(self._list_ready)
        startup.openFailed.connect(lambda reason: self._fail(f"could not open the database: {reason}"))

    def _painted(self) -> None:
        from PySide6.QtCore import QTimer

        if "first_paint" in self.lines:
            return
        self.lines["first_paint"] = time.time()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.ticks.append(time.perf_counter())
        if self.window.is_built:
            self._watch_queue()
        else:
            self.window.built.connect(self._watch_queue)

    def _watch_queue(self) -> None:
        self.window.care.queue_page.queueLoaded.connect(self._queue_loaded)
        self.window.care.refreshed.connect(self._refreshed)

    def _refreshed(self) -> None:
        self.lines.setdefault("refreshed", time.time())

    def _queue_loaded(self, _queue: object) -> None:
        if self.window.services is None:
            return  # the copy saved at the last run, shown before the database is open
        self.queue_from_database = True
        self.lines.setdefault("queue", time.time())
        if "refreshed" in self.lines:
            self.lines.setdefault("fresh_queue", time.time())
        self._check_usable()

    def _list_ready(self) -> None:
        self.list_ready = True
        self.lines.setdefault("list", time.time())
        self._check_usable()

    def _check_usable(self) -> None:
        from PySide6.QtCore import QCoreApplication

        window = self.window
        actions = (window.new_action, window.find_action, window.import_action, window.export_action)
        if "usable" in self.lines or not (self.list_ready and self.queue_from_database):
            return
        if not all(action.isEnabled() for action in actions):
            return
        self.lines["usable"] = time.time()
        if self.watch_seconds <= 0:
            self._write()
            QCoreApplication.exit(0)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append(now)
        if now - self.ticks[0] >= self.watch_seconds > 0:
            self._finish_watch()

    def _finish_watch(self) -> None:
        from PySide6.QtCore import QCoreApplication

        from bench.bare_window import peak_rss_kb
        from bench.common import percentile

        self.timer.stop()
        pauses = [b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)]
        self.lines["pause_max"] = max(pauses)
        # When it ended, in seconds after the first paint: which part of the start it belongs to.
        self.lines["pause_max_ended"] = self.ticks[pauses.index(max(pauses)) + 1] - self.ticks[0]
        self.lines["pause_p95"] = percentile(pauses, 0.95)
        self.lines["rss_kb"] = peak_rss_kb()
        self.lines["on_queue_page"] = float(self.window.pages.currentWidget() is self.window.care.queue_page)
        self._write()
        QCoreApplication.exit(0)

    def _fail(self, reason: str) -> None:
        from PySide6.QtCore import QCoreApplication

        print(reason, file=sys.stderr, flush=True)
        QCoreApplication.exit(3)

    def _write(self) -> None:
        self.out.write_text("".join(f"{name} {value:.6f}\n" for name, value in self.lines.items()))


def main() -> int:
    data_dir, out, watch = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    days = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if days:
        move_clock(days)
    import careapp.app as app

    probe = Probe(out, watch)
    real_bench_times = app._bench_times

    def hooked(window, startup):  # where _run wires the bench's milestones: the window and its start
        probe.hook(window, startup)
        return real_bench_times(window, startup)

    app._bench_times = hooked
    return app.run_gui(data_dir)


if __name__ == "__main__":
    sys.exit(main())
