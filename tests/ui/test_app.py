"""Start-up: paint first, open (and migrate) the database behind the window, explain failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from careapp.app import EXIT_OPEN_FAILED, Startup
from careapp.config import Paths, resolve_paths
from careapp.ui.runner import ThreadedRunner
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

REPO = Path(__file__).resolve().parents[2]


def test_the_ui_does_not_import_the_database_stack() -> None:
    code = (
        "import sys\n"
        "import careapp.app, careapp.ui.main_window\n"
        "import careapp.ui.customers.editor, careapp.ui.importing.dialog\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_start_up_paints_first_then_opens_and_migrates_the_database(
    qtbot: QtBot, tmp_path: Path, threaded_runner: ThreadedRunner, prompts: ScriptedPrompts
) -> None:
    paths = resolve_paths(str(tmp_path / "fresh"))
    window = make_window(qtbot, threaded_runner, tmp_path, prompts, show=False)
    startup = Startup(window, threaded_runner, paths, tmp_path / "careapp.log")
    seen_at_first_paint: list[str] = []
    window.firstPainted.connect(lambda: seen_at_first_paint.append(window.list_panel.empty.text.text()))
    window.firstPainted.connect(startup.begin)
    window.show()
    qtbot.waitUntil(
        lambda: window.list_panel.model is not None and window.list_panel.model.has_searched, timeout=15000
    )
    try:
        assert seen_at_first_paint == ["Opening the database…"]
        assert (paths.data_dir / "careapp.db").exists()
        assert window.list_panel.empty.text.text().startswith("No customers yet")
        assert window.new_action.isEnabled()
    finally:
        startup.close_services()


def test_a_database_that_cannot_be_opened_is_explained(
    qtbot: QtBot, tmp_path: Path, threaded_runner: ThreadedRunner, prompts: ScriptedPrompts
) -> None:
    not_a_file = tmp_path / "data" / "careapp.db"
    not_a_file.mkdir(parents=True)  # a folder where the database file should be
    paths = Paths(tmp_path / "data", f"sqlite:///{not_a_file}", tmp_path / "backups", tmp_path / "logs")
    window = make_window(qtbot, threaded_runner, tmp_path, prompts)
    log_path = tmp_path / "logs" / "careapp.log"
    startup = Startup(window, threaded_runner, paths, log_path)
    startup.begin()
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=15000)
    title, text, detail = prompts.errors[0]
    assert title == "careapp could not open its database"
    assert text == "careapp could not open the customer database, so it cannot start."
    assert str(log_path) in detail
    assert "What happened: unable to open database file" in detail
    assert "sqlalche.me" not in detail
    assert window.list_panel.empty.text.text() == "The database could not be opened."
    assert startup.exit_code == EXIT_OPEN_FAILED
    assert not window.isVisible()


def run_careapp(tmp_path: Path, data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # never the user's real settings
        **extra_env,
    }
    env.pop("CAREAPP_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "careapp", "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_smoke_test_mode_opens_the_window_and_exits_when_the_list_is_ready(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run_careapp(tmp_path, data_dir, CAREAPP_SMOKE_TEST="1")
    assert result.returncode == 0, result.stderr
    assert "smoke test: main window ready" in result.stdout
    assert (data_dir / "careapp.db").is_file()
    log_text = (data_dir / "logs" / "careapp.log").read_text(encoding="utf-8")
    assert "careapp 0.1.0 starting" in log_text
    assert "smoke test: main window ready" in log_text


def test_smoke_test_mode_fails_with_the_reason_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "careapp.db").mkdir(parents=True)  # a folder where the database file should be
    result = run_careapp(tmp_path, data_dir, CAREAPP_SMOKE_TEST="1")
    assert result.returncode == 1
    assert "smoke test: could not open the database: unable to open database file" in result.stderr


FIRST_PAINT_PROBE = """
import sys
import careapp.app as app

original = app._after_first_paint
seen = []


def probe(*args):
    seen.append(sorted(m for m in sys.modules if m.startswith(("careapp", "sqlalchemy", "alembic"))))
    seen.append(sorted(name for name in ("Qt",) if "Qt" in vars(sys.modules["PySide6.QtCore"])))
    original(*args)


app._after_first_paint = probe
from careapp.cli import main

code = main(["--data-dir", sys.argv[1]])
print(repr(seen))
sys.exit(code)
"""


def test_the_window_is_painted_before_its_pages_are_imported(tmp_path: Path) -> None:
    """The frame reaches the screen with only the start-up modules loaded; the pages, the database
    stack and Qt's namespace of enums come after (issue 7: first paint near a bare window's)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env["CAREAPP_SMOKE_TEST"] = "1"
    env.pop("CAREAPP_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_PROBE, str(tmp_path / "data")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: main window ready" in result.stdout  # and the pages were built after all
    at_first_paint, qt_namespace = eval(result.stdout.strip().splitlines()[-1])
    assert set(at_first_paint) <= {
        "careapp",
        "careapp.app",
        "careapp.cli",
        "careapp.config",
        "careapp.redact",
        "careapp.resources",
        "careapp.ui",
        "careapp.ui.main_window",
        "careapp.ui.runner",
        "careapp.ui.single_instance",
        "careapp.ui.theme",
        "careapp.ui.translations",
        "careapp.ui.window_state",
    }, at_first_paint
    assert qt_namespace == []
