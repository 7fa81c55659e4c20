"""The memory benchmark's child: the real main window on a data folder (argv[1]), offscreen, the
Customers page open, the whole list scrolled through to the end a screenful at a time; prints its peak
RSS in kB (VmHWM, see :func:`peak_rss_kb`) and the rows it saw loaded, then quits."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer


def peak_rss_kb() -> int:
    """This process's peak resident memory in kB: VmHWM on Linux, which (unlike ``ru_maxrss``) does
    not include the parent's memory at the fork that started us; ``ru_maxrss`` elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    from careapp.app import Startup, make_application
    from careapp.config import resolve_paths
    from careapp.ui.main_window import MainWindow
    from careapp.ui.runner import ThreadedRunner

    app = make_application()
    paths = resolve_paths(sys.argv[1])
    runner = ThreadedRunner()
    window = MainWindow(runner, QSettings(), "bench")
    window.resize(1280, 800)
    startup = Startup(window, runner, paths, Path("/dev/null"), smoke_test=True)
    window.firstPainted.connect(startup.begin)
    scroller = Scroller(window)
    startup.listReady.connect(scroller.start)
    window.show()
    QTimer.singleShot(600_000, lambda: QCoreApplication.exit(2))
    try:
        code = app.exec()
    finally:
        runner.shutdown()
        startup.close_services()
    return code


class Scroller:
    """Scrolls the list a screenful per turn of the event loop, waiting for each page of rows."""

    def __init__(self, window) -> None:
        self.window = window
        self.started = 0.0

    def start(self) -> None:
        # The peak so far: start-up, the care queue's refresh and the first list, before any scrolling.
        print(f"rss_kb_list_open {peak_rss_kb()}", flush=True)
        self.window.show_page(self.window.splitter)  # the Customers page
        self.table = self.window.list_panel.table
        self.model = self.window.list_panel.model
        self.bar = self.table.verticalScrollBar()
        self.started = time.perf_counter()
        QTimer.singleShot(0, self.step)

    def step(self) -> None:
        first = self.table.rowAt(0)
        if first >= 0 and not self.model.is_loaded(first):
            QTimer.singleShot(1, self.step)  # the page is on its way
            return
        if self.bar.value() >= self.bar.maximum():
            rss = peak_rss_kb()
            print(f"rss_kb {rss}", flush=True)
            print(f"rows {self.model.rowCount()}", flush=True)
            print(f"scroll_seconds {time.perf_counter() - self.started:.2f}", flush=True)
            QCoreApplication.exit(0)
            return
        self.bar.setValue(self.bar.value() + self.bar.pageStep())
        QTimer.singleShot(0, self.step)


if __name__ == "__main__":
    sys.exit(main())
