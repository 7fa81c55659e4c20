"""The window settings file (who is working, folders used) is readable by the user only."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from careapp.ui.window_state import private_settings


@pytest.fixture
def settings_home(tmp_path: Path, qapp: QCoreApplication) -> Iterator[Path]:
    """QSettings' user folder pointed at a temp folder for the test (and put back after)."""
    before = (QCoreApplication.organizationName(), QCoreApplication.applicationName())
    QCoreApplication.setOrganizationName("careapp-test")
    QCoreApplication.setApplicationName("careapp")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield tmp_path
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(Path.home() / ".config"))
    QCoreApplication.setOrganizationName(before[0])
    QCoreApplication.setApplicationName(before[1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_window_settings_file_is_private_and_stays_so(settings_home: Path) -> None:
    settings = private_settings()
    path = Path(settings.fileName())
    assert path.is_relative_to(settings_home) and mode(path) == 0o600
    settings.setValue("staff/current", "Sam")
    settings.sync()
    assert mode(path) == 0o600 and b"Sam" in path.read_bytes()
    path.chmod(0o644)  # a file left by an older careapp is made private again
    settings = private_settings()
    settings.setValue("staff/current", "Jo")
    settings.sync()
    assert mode(path) == 0o600
