"""The privacy tests reuse the calendar tests' real servers (Radicale, gnome-keyring's Secret Service)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "calendar"))

from calendar_servers import Radicale, secret_service


@pytest.fixture(scope="module")
def secret_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Secret Service for the module, its files in a temp home; never a user's keyring."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} is missing: run-tests.sh installs it (dbus, gnome-keyring)"
    with secret_service(tmp_path_factory.mktemp("keyring-home")) as env, pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        yield env


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    server.make_calendar()
    yield server
    server.stop()
