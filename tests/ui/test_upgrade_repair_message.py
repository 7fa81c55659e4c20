"""The window's start on a database an older careapp left half-upgraded: the database is put back from
its last good copy behind the painted window, and the message bar says so in the upgrade's own sentence
(not the ordinary 'careapp updated its database'); the list then shows the customers the copy held."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from careapp.app import Startup
from careapp.config import Paths, resolve_paths
from careapp.ui.runner import ThreadedRunner
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

FIXTURES = Path(__file__).resolve().parents[1] / "upgrades" / "fixtures"


def half_upgraded_folder(folder: Path, template: Path) -> Path:
    """Schema 0004 with a good before-migration copy, then what a kill right after "Running upgrade
    0004 -> 0005" left with the old careapp: caldav_state committed, alembic_version still 0004."""
    folder.mkdir(mode=0o700)
    database = folder / "careapp.db"
    shutil.copy(FIXTURES / "schema-0004.db", database)
    backups = folder / "backups"
    backups.mkdir(mode=0o700)
    good = backups / "before-migration-0004-20261120-080000.db"
    shutil.copy(database, good)
    with sqlite3.connect(template) as source:
        (create,) = source.execute("SELECT sql FROM sqlite_master WHERE name = 'caldav_state'").fetchone()
    connection = sqlite3.connect(database)
    connection.execute(create)
    connection.commit()
    connection.close()
    return good


def customer_count(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM customer").fetchone()[0])


def start_window(
    qtbot: QtBot, runner: ThreadedRunner, tmp_path: Path, prompts: ScriptedPrompts, paths: Paths
) -> tuple[Startup, str]:
    """Start careapp's window on ``paths`` the way app.py does; the message bar's text once it is ready."""
    window = make_window(qtbot, runner, tmp_path, prompts, show=False)
    startup = Startup(window, runner, paths, tmp_path / "careapp.log")
    window.firstPainted.connect(startup.begin)
    window.show()
    qtbot.waitUntil(
        lambda: window.list_panel.model is not None and window.list_panel.model.has_searched, timeout=30000
    )
    assert not prompts.errors, prompts.errors
    assert window.new_action.isEnabled()
    assert window.message_bar.isVisible()
    return startup, window.message_bar.text.text()


@pytest.mark.gui
def test_the_message_bar_says_the_half_upgraded_database_was_put_back(
    qtbot: QtBot, tmp_path: Path, threaded_runner: ThreadedRunner, prompts: ScriptedPrompts, template_db: Path
) -> None:
    folder = tmp_path / "data"
    good = half_upgraded_folder(folder, template_db)
    paths = resolve_paths(str(folder))
    startup, said = start_window(qtbot, threaded_runner, tmp_path, prompts, paths)
    try:
        assert "half-upgraded" in said and "put back the copy" in said, said
        assert good.name in said, said
        assert "updated its database" not in said
        assert customer_count(folder / "careapp.db") == customer_count(good)
    finally:
        startup.close_services()


@pytest.mark.gui
def test_an_ordinary_upgrade_says_where_the_old_copy_is(
    qtbot: QtBot, tmp_path: Path, threaded_runner: ThreadedRunner, prompts: ScriptedPrompts
) -> None:
    """The other branch of the same three lines: no repair, the usual sentence with the copy's path."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(FIXTURES / "schema-0004.db", folder / "careapp.db")
    startup, said = start_window(qtbot, threaded_runner, tmp_path, prompts, resolve_paths(str(folder)))
    try:
        assert said.startswith("careapp updated its database. A copy of the old one is kept at "), said
        assert "before-migration-0004-" in said and "half-upgraded" not in said
    finally:
        startup.close_services()
