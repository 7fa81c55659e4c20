"""The start-up baseline: a bare PySide6 QMainWindow that writes ``first_paint <time>`` to the file
given as argv[1] once its first paint has reached the screen, then quits. With ``--rss`` it prints
its peak RSS (kB, VmHWM) instead, for the memory baseline. With ``--ticks SECONDS`` it runs a 10 ms
timer that long after its first paint and prints ``pause_max``, ``pause_p95`` (seconds between two
ticks) and ``rss_kb``: the responsiveness baseline (what this machine's load alone costs a timer)."""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow


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


class Window(QMainWindow):
    def __init__(self, out: str) -> None:
        super().__init__()
        self.out = out
        self.painted = False
        self.resize(1100, 700)
        self.setWindowTitle("bare")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, self.done)  # after the paint, as careapp's firstPainted

    def done(self) -> None:
        if self.out == "--ticks":
            self.ticks = [time.perf_counter()]
            self.timer = QTimer(self)
            self.timer.setInterval(10)
            self.timer.timeout.connect(self.tick)
            self.timer.start()
            return
        if self.out == "--rss":
            print(peak_rss_kb(), flush=True)
        else:
            with open(self.out, "w", encoding="utf-8") as file:
                file.write(f"first_paint {time.time():.6f}\n")
        QApplication.quit()

    def tick(self) -> None:
        self.ticks.append(time.perf_counter())
        if self.ticks[-1] - self.ticks[0] < float(sys.argv[2]):
            return
        self.timer.stop()
        pauses = sorted(b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False))
        p95 = pauses[min(len(pauses), max(1, round(0.95 * len(pauses) + 0.4999))) - 1]
        print(f"pause_max {pauses[-1]:.6f}\npause_p95 {p95:.6f}\nrss_kb {peak_rss_kb()}", flush=True)
        QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window(sys.argv[1])
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
