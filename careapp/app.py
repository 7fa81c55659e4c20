"""Starting the desktop app: paint first, open the database behind the window.

This is the one place where the window, the runner and the services are built and wired.
SQLAlchemy and Alembic are imported only on the database thread, after the first paint, so the
window appears as fast as Qt allows; migrating the database happens there too.
"""

from __future__ import annotations

import getpass
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QSettings
from PySide6.QtWidgets import QApplication

from careapp.config import APP_NAME, Paths, resolve_paths
from careapp.logs import LOG_FILE, setup_logging
from careapp.ui import qt_workarounds
from careapp.ui.main_window import MainWindow
from careapp.ui.runner import Runner, ThreadedRunner

if TYPE_CHECKING:
    from careapp.context import Services

log = logging.getLogger(__name__)

ORGANISATION = "careapp"
EXIT_OPEN_FAILED = 1


@dataclass(frozen=True)
class OpenedServices:
    services: Services
    default_region: str


def open_services(paths: Paths) -> OpenedServices:
    """Database thread: import the database stack, migrate, build the services."""
    from careapp.context import build_services

    services = build_services(paths)
    return OpenedServices(services, services.settings.shop().default_region)


def plain_reason(error: BaseException) -> str:
    """The database driver's own message, without SQLAlchemy's wrapping and links."""
    original = getattr(error, "orig", None)
    return str(original) if original is not None else str(error)


def current_actor() -> str:
    """Who is recorded as having made a change (staff accounts come later)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "staff"


class Startup(QObject):
    """Opens the services once the window has been painted, and closes them at the end."""

    def __init__(self, window: MainWindow, runner: Runner, paths: Paths, log_path: Path) -> None:
        super().__init__(window)
        self._window, self._runner, self._paths, self._log_path = window, runner, paths, log_path
        self.services: Services | None = None
        self.exit_code = 0

    def begin(self) -> None:
        paths = self._paths
        self._runner.submit(lambda: open_services(paths), self._opened, self._failed)

    def _opened(self, opened: OpenedServices) -> None:
        self.services = opened.services
        self._window.attach_services(opened.services, opened.default_region)

    def _failed(self, error: BaseException) -> None:
        log.error("could not open the database at %s", self._paths.database_url, exc_info=error)
        self.exit_code = EXIT_OPEN_FAILED
        self._window.show_open_failed()
        self._window.prompts.error(
            self.tr("careapp could not open its database"),
            self.tr("careapp could not open the customer database, so it cannot start."),
            self.tr(
                "What happened: {error}\n\nData folder: {folder}\nLog file with the details: {log}\n\n"
                "Nothing was changed. If the folder is on a disk that is not connected, connect it and "
                "start careapp again."
            ).format(error=plain_reason(error), folder=self._paths.data_dir, log=self._log_path),
        )
        self._window.close()

    def close_services(self) -> None:
        if self.services is not None:
            self.services.close()
            self.services = None


def make_application() -> QApplication:
    qt_workarounds.install()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANISATION)
    QApplication.setApplicationDisplayName("careapp")
    return app


def run_gui(data_dir: str | None) -> int:
    """Show the main window at once, open the database behind it, run until the window closes."""
    app = make_application()
    paths = resolve_paths(data_dir)
    try:
        log_path = setup_logging(paths.log_dir)
    except OSError:
        log_path = paths.log_dir / LOG_FILE
    runner = ThreadedRunner()
    window = MainWindow(runner, QSettings(), current_actor())
    startup = Startup(window, runner, paths, log_path)
    window.firstPainted.connect(startup.begin)
    window.show()
    code = app.exec()
    runner.shutdown()
    startup.close_services()
    return code or startup.exit_code
