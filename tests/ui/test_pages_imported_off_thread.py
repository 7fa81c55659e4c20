"""The pages' modules are imported on a worker thread before the UI thread builds them (issue 20): the
list the worker imports must hold everything the build imports, or the UI thread pays for the rest in
one turn again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BUILD_AFTER_IMPORT = """
import sys, threading
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from careapp.ui.main_window import MainWindow, import_pages
from careapp.ui.runner import SyncRunner

app = QApplication([])
worker = threading.Thread(target=import_pages)
worker.start()
worker.join()
before = set(sys.modules)
window = MainWindow(SyncRunner(), QSettings(sys.argv[1], QSettings.Format.IniFormat), "jo", deferred=True)
window.show()
window.build()
window.care.build_dashboard()
print(sorted(m for m in set(sys.modules) - before if m.startswith("careapp")))
"""


def test_building_the_pages_after_import_pages_imports_no_careapp_module(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_AFTER_IMPORT, str(tmp_path / "settings.ini")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    imported_by_the_build = eval(result.stdout.strip().splitlines()[-1])
    assert imported_by_the_build == []
