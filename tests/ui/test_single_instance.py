"""One careapp per user and data folder: a second launch brings the first window forward."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtNetwork import QLocalServer

from careapp.ui.single_instance import SingleInstance, server_name

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def first(tmp_path: Path) -> Iterator[SingleInstance]:
    """The careapp that is already running, on its own data folder."""
    instance = SingleInstance(server_name(tmp_path / "data"))
    assert instance.listen()
    yield instance
    instance.close()


def test_the_name_holds_the_user_and_differs_per_data_folder(tmp_path: Path) -> None:
    one = server_name(tmp_path / "one", user="sam o'neil")
    assert one.startswith("careapp-sam_o_neil-")
    assert one != server_name(tmp_path / "two", user="sam o'neil")
    assert one == server_name(tmp_path / "one" / ".." / "one", user="sam o'neil")
    assert one != server_name(tmp_path / "one", user="jo")


def test_a_second_launch_asks_the_first_to_come_forward(
    qtbot: QtBot, first: SingleInstance, tmp_path: Path
) -> None:
    second = SingleInstance(server_name(tmp_path / "data"))
    with qtbot.waitSignal(first.activationRequested, timeout=5000):
        assert second.notify_running()


def test_nobody_running_means_this_launch_carries_on(tmp_path: Path) -> None:
    assert not SingleInstance(server_name(tmp_path / "nobody")).notify_running()


def test_another_data_folder_is_another_careapp(first: SingleInstance, tmp_path: Path) -> None:
    assert not SingleInstance(server_name(tmp_path / "other")).notify_running()


@pytest.mark.skipif(sys.platform == "win32", reason="stale socket files are a Unix matter")
def test_a_socket_left_by_a_crash_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path / "data")
    crashed = QLocalServer()
    assert crashed.listen(name)
    socket_file = Path(crashed.fullServerName())
    # A crash leaves the socket file but nobody listening on it.
    os.rename(socket_file, socket_file.with_suffix(".keep"))
    crashed.close()
    os.rename(socket_file.with_suffix(".keep"), socket_file)
    assert socket_file.exists()

    starting = SingleInstance(name)
    assert not starting.notify_running()
    assert starting.listen()
    try:
        with qtbot.waitSignal(starting.activationRequested, timeout=5000):
            assert SingleInstance(name).notify_running()
    finally:
        starting.close()


def test_a_second_careapp_process_exits_at_once_and_raises_the_first(
    qtbot: QtBot, first: SingleInstance, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("CAREAPP_SMOKE_TEST", None)
    with qtbot.waitSignal(first.activationRequested, timeout=5000):
        result = subprocess.run(
            [sys.executable, "-m", "careapp", "--data-dir", str(tmp_path / "data")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data" / "careapp.db").exists(), "the second careapp opened no database"
