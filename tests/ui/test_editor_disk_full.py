"""The customer editor on a full disk or a read-only database: a sentence in the editor, everything
typed still there, nothing saved (SQLite's max_page_count / mode=ro stand in for the real thing, the
same SQLITE_FULL / SQLITE_READONLY errors)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from careapp.db.database import Database, make_engine
from careapp.services.customers.service import CustomerService
from careapp.ui.customers.editor import CustomerEditor
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.config import Paths
    from tests.ui.conftest import ScriptedPrompts

NOW = dt.datetime(2026, 11, 23, 9, 30)


def full(path: Path) -> Database:
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    engine = make_engine(f"sqlite:///{path}")

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)
    return Database(engine)


def read_only(path: Path) -> Database:
    return Database(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))


@pytest.fixture(params=[(full, "disk holding the customer database is full"), (read_only, "read-only")])
def broken(request: pytest.FixtureRequest, paths: Paths) -> Iterator[tuple[Database, str, Path]]:
    make: Callable[[Path], Database] = request.param[0]
    path = paths.data_dir / "careapp.db"
    db = make(path)
    yield db, request.param[1], path
    db.dispose()


def test_editor_keeps_everything_typed_when_the_save_cannot_be_written(
    qtbot: QtBot, prompts: ScriptedPrompts, broken: tuple[Database, str, Path]
) -> None:
    db, words, path = broken
    editor = CustomerEditor(
        CustomerService(db, lambda: NOW),
        SyncRunner(),
        prompts,  # type: ignore[arg-type]
        lambda: NOW,
        customer=None,
        default_region="GB",
        actor="Sam",
    )
    qtbot.addWidget(editor)
    editor.show()
    notes = "Likes long stories. " * 2000
    qtbot.keyClicks(editor.form.first_name, "Ann")
    qtbot.keyClicks(editor.form.last_name, "Evans")
    editor.form.notes.setPlainText(notes)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and editor.problem.isVisible()
    assert words in editor.problem.text() and "Nothing you typed is lost" in editor.problem.text()
    assert "Traceback" not in editor.problem.text() and "sqlite3" not in editor.problem.text()
    assert (editor.form.first_name.text(), editor.form.last_name.text()) == ("Ann", "Evans")
    assert editor.form.notes.toPlainText() == notes
    assert sqlite3.connect(path).execute("SELECT count(*) FROM customer").fetchone() == (0,)
