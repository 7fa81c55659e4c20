"""The start-up baseline: a bare PySide6 QMainWindow that writes ``first_paint <time>`` to the file
given as argv[1] once its first paint has reached the screen, then quits. With ``--rss`` it prints
its peak RSS (kB) instead, for the memory baseline."""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow


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
        if self.out == "--rss":
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        else:
            with open(self.out, "w", encoding="utf-8") as file:
                file.write(f"first_paint {time.time():.6f}\n")
        QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window(sys.argv[1])
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
