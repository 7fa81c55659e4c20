"""File → Database connection…: choosing this computer or a shared server, testing it off the UI thread
against a real PostgreSQL, saving (password to the keyring, never the file), and the start-up question
when the shared server cannot be used."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import make_url

from careapp.app import Startup
from careapp.config import SeatConfig, SharedServer, load_seat_config, resolve_paths
from careapp.services.shop.connection import database_secrets
from careapp.ui.connection.controller import ConnectionController, FailureChoice
from careapp.ui.connection.dialog import ConnectionDialog, ConnectionJobs
from careapp.ui.runner import SyncRunner, ThreadedRunner
from tests.services.test_seat_config import MemoryKeyring
from tests.ui.conftest import ScriptedPrompts, make_window
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through
from tests.ui.test_keyboard import missing_from, reachable_with_tab

if TYPE_CHECKING:
    from pg_server import PgServer
    from pytestqt.qtbot import QtBot

PASSWORD = "Counter-pw-7!"
SERVER = SharedServer("db.shop.lan", 5433, "care", "counter")
LOCAL = SeatConfig()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def ring() -> MemoryKeyring:
    return MemoryKeyring()


def make_dialog(
    qtbot: QtBot, tmp_path: Path, runner: object, ring: MemoryKeyring, current: SeatConfig = LOCAL
) -> ConnectionDialog:
    jobs = ConnectionJobs(tmp_path / "connection.json", database_secrets(ring))
    dialog = ConnectionDialog(current, tmp_path, runner, jobs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_server(qtbot: QtBot, dialog: ConnectionDialog, server: SharedServer, password: str) -> None:
    dialog.server_choice.setChecked(True)
    for field, text in (
        (dialog.host, server.host),
        (dialog.database, server.database),
        (dialog.user, server.user),
        (dialog.password, password),
    ):
        field.clear()
        qtbot.keyClicks(field, text)
    dialog.port.setValue(server.port)


def test_this_computer_only_greys_out_the_server_fields(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring)
    assert dialog.local_choice.isChecked()
    assert not dialog.server_box.isEnabled()
    dialog.server_choice.click()
    assert dialog.server_box.isEnabled()


def test_the_saved_server_is_shown_without_its_password(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring, SeatConfig(SERVER))
    assert dialog.server_choice.isChecked()
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text(), dialog.user.text()) == (
        "db.shop.lan",
        5433,
        "care",
        "counter",
    )
    assert dialog.password.text() == ""


def test_saving_a_server_keeps_the_password_in_the_keyring_only(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring)
    type_server(qtbot, dialog, SERVER, PASSWORD)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [SeatConfig(SERVER)]
    raw = (tmp_path / "connection.json").read_bytes()
    assert PASSWORD.encode() not in raw
    assert load_seat_config(tmp_path / "connection.json") == SeatConfig(SERVER)
    assert list(ring.kept.values()) == [PASSWORD]
    assert not dialog.isVisible()


def test_a_server_without_an_address_is_refused_with_a_sentence(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring)
    dialog.server_choice.click()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Type the server's address (its name or IP address)."
    assert not (tmp_path / "connection.json").exists()
    assert dialog.isVisible()


def test_every_control_is_reached_with_tab_and_has_a_name(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring, SeatConfig(SERVER))
    reached = tab_through(qtbot, reachable_with_tab(dialog)[0])
    assert missing_from(dialog, reached) == []
    assert [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))] == []


# --- against a real PostgreSQL server --------------------------------------------------------------


@pytest.fixture
def real_server(pg_server: PgServer, pg_template: str) -> SharedServer:
    """The test server's migrated template database, reached as a shared server (trusted login)."""
    url = make_url(pg_server.url(pg_template))
    assert url.host is not None and url.port is not None
    return SharedServer(url.host, url.port, pg_template, url.username or "")


@pytest.fixture
def runner() -> Iterator[ThreadedRunner]:
    threaded = ThreadedRunner()
    yield threaded
    threaded.shutdown()


def test_test_connection_runs_off_the_ui_thread_and_says_what_it_found(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring, real_server: SharedServer, runner: ThreadedRunner
) -> None:
    dialog = make_dialog(qtbot, tmp_path, runner, ring)
    type_server(qtbot, dialog, real_server, "")
    threads: list[threading.Thread] = []
    original = dialog._jobs.test

    def recording_test(server: SharedServer, password: str) -> object:
        threads.append(threading.current_thread())
        return original(server, password)

    object.__setattr__(dialog._jobs, "test", recording_test)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.test_result.text().startswith("Connecting to ")
    assert not dialog.test_button.isEnabled()  # busy while the job runs
    qtbot.waitUntil(lambda: "It holds careapp data" in dialog.test_result.text(), timeout=20000)
    assert threads and threads[0] is not threading.main_thread()
    assert not dialog.error.isVisible()


def test_a_server_that_cannot_be_reached_is_said_so_and_the_fields_are_kept(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring, runner: ThreadedRunner
) -> None:
    dialog = make_dialog(qtbot, tmp_path, runner, ring)
    port = closed_port()
    type_server(qtbot, dialog, SharedServer("127.0.0.1", port, "care", "counter"), PASSWORD)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=20000)
    assert dialog.error.text().startswith(
        f"careapp could not reach a database server at 127.0.0.1, port {port}."
    )
    assert (dialog.host.text(), dialog.user.text(), dialog.password.text()) == (
        "127.0.0.1",
        "counter",
        PASSWORD,
    )


def test_a_missing_database_is_said_so(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring, real_server: SharedServer, runner: ThreadedRunner
) -> None:
    dialog = make_dialog(qtbot, tmp_path, runner, ring)
    type_server(
        qtbot, dialog, SharedServer(real_server.host, real_server.port, "no_such_db", real_server.user), ""
    )
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=20000)
    assert dialog.error.text().startswith("The server has no database called “no_such_db”.")


# --- the shared server fails at start-up -----------------------------------------------------------


def failing_start(
    qtbot: QtBot, tmp_path: Path, runner: ThreadedRunner, prompts: ScriptedPrompts, choice: FailureChoice
) -> tuple[object, list[str]]:
    data = tmp_path / "seat"
    data.mkdir()
    port = closed_port()
    from careapp.config import save_seat_config

    save_seat_config(data / "connection.json", SeatConfig(SharedServer("127.0.0.1", port, "care", "counter")))
    paths = resolve_paths(str(data), {})
    window = make_window(qtbot, runner, tmp_path, prompts)
    reasons: list[str] = []

    def chooser(_parent: object, reason: str) -> FailureChoice:
        reasons.append(reason)
        return choice

    window.connection = ConnectionController(
        window, runner, window.message_bar, chooser=chooser, secrets=None
    )
    window.connection.configure(paths)
    startup = Startup(window, runner, paths, tmp_path / "careapp.log")
    startup.begin()
    qtbot.waitUntil(lambda: bool(reasons), timeout=30000)
    return window, reasons


def test_an_unreachable_shared_server_at_start_offers_this_computer(
    qtbot: QtBot,
    tmp_path: Path,
    runner: ThreadedRunner,
    prompts: ScriptedPrompts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())
    window, reasons = failing_start(qtbot, tmp_path, runner, prompts, FailureChoice.LOCAL)
    assert reasons[0].startswith("careapp could not reach a database server at 127.0.0.1")
    assert "Traceback" not in reasons[0]
    assert prompts.errors == []  # no generic "could not open" dialog on top
    connection = window.connection  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: connection.restart_requested, timeout=10000)
    assert load_seat_config(tmp_path / "seat" / "connection.json") == SeatConfig()
    assert resolve_paths(str(tmp_path / "seat"), {}).server is None


def test_changing_the_connection_after_a_failed_start_opens_the_screen(
    qtbot: QtBot,
    tmp_path: Path,
    runner: ThreadedRunner,
    prompts: ScriptedPrompts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())
    window, _reasons = failing_start(qtbot, tmp_path, runner, prompts, FailureChoice.CHANGE)
    connection = window.connection  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: connection.dialog is not None and connection.dialog.isVisible())
    assert connection.dialog.host.text() == "127.0.0.1"
    quit_asked: list[bool] = []
    connection.quitRequested.connect(lambda: quit_asked.append(True))
    connection.dialog.reject()
    assert quit_asked == [True]
    assert not connection.restart_requested


def test_saving_the_same_server_after_a_failed_start_tries_again(
    qtbot: QtBot,
    tmp_path: Path,
    runner: ThreadedRunner,
    prompts: ScriptedPrompts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())
    window, _reasons = failing_start(qtbot, tmp_path, runner, prompts, FailureChoice.CHANGE)
    connection = window.connection  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: connection.dialog is not None and connection.dialog.isVisible())
    restarts: list[bool] = []
    connection.restartRequested.connect(lambda: restarts.append(True))
    qtbot.mouseClick(connection.dialog.save_button, Qt.MouseButton.LeftButton)
    assert restarts == [True]


def test_the_menu_and_the_welcome_open_the_screen(qtbot: QtBot, window: object, tmp_path: Path) -> None:
    from careapp.services.shop.settings import ShopSettings
    from careapp.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    assert not window.connection.action.isEnabled()  # until the app says where the choice is kept
    window.connection.configure(resolve_paths(str(tmp_path / "seat"), {}))
    file_menu = window.menuBar().actions()[0].menu()
    assert window.connection.action in file_menu.actions()  # type: ignore[union-attr]
    window.connection.action.trigger()
    dialog = window.connection.dialog
    assert dialog is not None and dialog.local_choice.isChecked()
    dialog.reject()
    qtbot.waitUntil(lambda: window.connection.dialog is None)
    window.show_welcome(ShopSettings())
    welcome = window.shop_actions.welcome
    assert welcome is not None
    qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
    opened = window.connection.dialog
    assert opened is not None and opened.parent() is welcome


def test_a_damaged_connection_file_stops_the_start_with_a_sentence(tmp_path: Path) -> None:
    from tests.ui.test_app import run_careapp

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "connection.json").write_text('{"kind": "server", "server": {"port": "x"}}')
    result = run_careapp(tmp_path, data_dir, CAREAPP_SMOKE_TEST="1")
    assert result.returncode == 1
    assert "connection settings" in result.stderr and "are damaged. Delete the file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (data_dir / "careapp.db").exists()  # nothing was opened on a guess


def test_saving_the_same_choice_closes_without_a_restart(
    qtbot: QtBot, tmp_path: Path, ring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path, SyncRunner(), ring, SeatConfig(SERVER))
    saved: list[object] = []
    dialog.saved.connect(saved.append)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved == []
    assert not dialog.isVisible()
    assert not (tmp_path / "connection.json").exists()
