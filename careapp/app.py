"""Starting the desktop app: paint first, open the database behind the window.

This is the one place where the window, the runner and the services are built and wired.
SQLAlchemy and Alembic are imported only on the database thread, after the first paint, so the
window appears as fast as Qt allows; migrating the database happens there too.

Also here: one careapp per user and data folder (a second launch brings the first forward),
logging to the user's log folder, a dialog for unexpected errors, translations, the first-run
welcome, ``CAREAPP_SMOKE_TEST=1`` for checking a packaged build (see :class:`Startup`), and
``CAREAPP_BENCH_TIMES=FILE`` for the start-up benchmark (see :class:`BenchTimes`).
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, qVersion
from PySide6.QtWidgets import QApplication

from careapp import __version__
from careapp.config import APP_NAME, LOG_FILE, AboutInfo, Paths, SeatConfigError, resolve_paths
from careapp.ui.main_window import MainWindow
from careapp.ui.runner import Runner, ThreadedRunner
from careapp.ui.single_instance import SingleInstance, server_name
from careapp.ui.theme import app_icon, apply_scheme_from_environment
from careapp.ui.translations import install_translations
from careapp.ui.window_state import private_settings

# Everything else is imported after the main window's first paint (or when it is needed): the
# modules behind the pages, the Qt work-arounds, logging to a file, the error dialog.
if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.settings import ShopSettings
    from careapp.ui.errors import ErrorReporter

log = logging.getLogger(__name__)

ORGANISATION = "careapp"
DESKTOP_FILE_ID = "io.github.careapp.CareApp"
EXIT_OPEN_FAILED = 1
EXIT_START_FAILED = 1
SMOKE_TEST_ENV = "CAREAPP_SMOKE_TEST"
SMOKE_TEST_READY = "smoke test: main window ready"
SMOKE_TEST_TIMEOUT_MS = 120_000
EXIT_RESTART = -1  # internal: the window closed to start again on another database
BENCH_TIMES_ENV = "CAREAPP_BENCH_TIMES"


@dataclass(frozen=True)
class OpenedServices:
    services: Services
    shop: ShopSettings


def open_services(paths: Paths) -> OpenedServices:
    """Database thread: import the database stack, migrate, build the services."""
    from careapp.context import build_services

    # Today's copy of the file is taken on the background thread once the queue and the list have
    # been read (copying a 400 MB database held the first start of a day 1.3 s here).
    services = build_services(paths, daily_backup=False)
    services.build_all()  # the services' modules are imported here, not as the window first asks
    # The calendar's jobs (icalendar, the CalDAV client) are imported on this thread too, but later:
    # once the care queue has come (MainWindow.attach_services), so the window is not held for them.
    return OpenedServices(services, services.settings.shop())


def plain_reason(error: BaseException) -> str:
    """The database driver's own message, without SQLAlchemy's wrapping and links."""
    original = getattr(error, "orig", None)
    return str(original) if original is not None else str(error)


def current_actor() -> str:
    """Who is recorded as having made a change when the shop has no staff list."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "staff"


def smoke_test_requested(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get(SMOKE_TEST_ENV, "") == "1"


class Startup(QObject):
    """Opens the services once the window has been painted, and closes them at the end.

    On the first run (``welcome_done`` unset) it shows the welcome. ``listReady`` fires once the
    first customer list has loaded. In smoke-test mode there is no welcome and no failure dialog:
    ``openFailed`` carries the reason instead (see :func:`run_gui`).
    """

    listReady = Signal()
    openFailed = Signal(str)
    settled = Signal()  # the database thread has opened the services, or failed to

    def __init__(
        self, window: MainWindow, runner: Runner, paths: Paths, log_path: Path, smoke_test: bool = False
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._paths, self._log_path = window, runner, paths, log_path
        self._smoke_test = smoke_test
        self.services: Services | None = None
        self.exit_code = 0

    def begin(self) -> None:
        paths = self._paths
        self._runner.submit(lambda: open_services(paths), self._opened, self._failed)

    def _when_built(self, then: Callable[[], None]) -> None:
        """Run ``then`` now if the pages are built, else as soon as they are (the database may open
        before the pages' modules have been imported)."""
        if self._window.is_built:
            then()
            return
        from PySide6.QtCore import Qt  # not at the top: Qt's enums take longer than the first paint

        self._window.built.connect(then, Qt.ConnectionType.SingleShotConnection)

    def _opened(self, opened: OpenedServices) -> None:
        self.services = opened.services  # closed at the end even if the pages never come
        self._when_built(lambda: self._attach(opened))
        self.settled.emit()

    def _attach(self, opened: OpenedServices) -> None:
        self._window.list_panel.searchFinished.connect(self._list_loaded)
        self._window.attach_services(opened.services, opened.shop)
        from careapp.redact import hide_password

        log.info("database open: %s", hide_password(self._paths.database_url))
        if not opened.shop.welcome_done and not self._smoke_test:
            # Once the first list has come (the window is usable behind it), not in this turn: making
            # the welcome is 0.2-0.3 s of the UI thread, and this turn is long already.
            from PySide6.QtCore import Qt

            self.listReady.connect(
                lambda: self._window.show_welcome(opened.shop), Qt.ConnectionType.SingleShotConnection
            )

    def _list_loaded(self) -> None:
        self._window.list_panel.searchFinished.disconnect(self._list_loaded)
        self.listReady.emit()
        self._window.update_list_scale()  # the first page's segments came from the stored scale

    def _failed(self, error: BaseException) -> None:
        log.error("could not open the database at %s", self._paths.database_url, exc_info=error)
        self.exit_code = EXIT_OPEN_FAILED
        self._when_built(lambda: self._say_open_failed(error))
        self.settled.emit()

    def _say_open_failed(self, error: BaseException) -> None:
        self._window.show_open_failed()
        if self._smoke_test:
            self.openFailed.emit(plain_reason(error))
            return
        if self._paths.server is not None:  # this seat's shared server: fix it, or go back to local
            self._window.connection.open_failed(error)
            return
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


class BenchTimes(QObject):
    """Start-up milestones for ``bench/`` (``CAREAPP_BENCH_TIMES=FILE``): one ``name seconds`` line per
    milestone, in wall-clock seconds (``time.time()``, comparable with the process that started us).

    Milestones: ``first_paint`` (the main window's frame reached the screen), ``pages`` (its pages were
    built into it), ``list`` (the first customer list arrived), ``queue`` (the care queue was first
    populated). With ``CAREAPP_SMOKE_TEST=1`` the app quits once all four are written, instead of
    after the list alone.
    """

    MILESTONES = ("first_paint", "pages", "list", "queue")
    done = Signal()

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._seen: set[str] = set()
        path.write_text("")

    def record(self, name: str) -> None:
        if name in self._seen:
            return
        self._seen.add(name)
        with self._path.open("a", encoding="utf-8") as out:
            out.write(f"{name} {time.time():.6f}\n")
        if self._seen.issuperset(self.MILESTONES):
            self.done.emit()

    def watch(self, window: MainWindow, startup: Startup) -> None:
        window.firstPainted.connect(lambda: self.record("first_paint"))
        startup.listReady.connect(lambda: self.record("list"))
        if window.is_built:
            window.firstPainted.connect(lambda: self.record("pages"))
            self._watch_queue(window, shown=False)
        else:  # its pages are built after the first paint
            window.built.connect(lambda: self.record("pages"))
            window.built.connect(lambda: self._watch_queue(window, shown=True))

    def _watch_queue(self, window: MainWindow, shown: bool) -> None:
        page = window.care.queue_page
        if page.queue is not None:  # the saved copy, shown as the page was built
            if shown:
                self.record("queue")
            else:
                window.firstPainted.connect(lambda: self.record("queue"))
        page.queueLoaded.connect(lambda _queue: self.record("queue"))


def bench_times_path(environ: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if environ is None else environ).get(BENCH_TIMES_ENV, "")
    return Path(value) if value else None


def make_application() -> QApplication:
    """The QApplication, named, with the user's language and colour scheme, the app icon, and the
    work-arounds for the Qt bindings in place."""
    app = make_bare_application()
    finish_application(app)
    return app


def finish_application(app: QApplication) -> None:
    """What the app needs before its pages but not for its first paint (see :func:`fix_bindings` and
    :func:`finish_look`)."""
    fix_bindings(app)
    finish_look(app)


def fix_bindings(app: QApplication) -> None:
    """The fixes for the Qt bindings (before anything emits or asks a model), and garbage collected on
    the UI thread (see careapp.ui.qt_workarounds)."""
    from careapp.ui import qt_workarounds

    qt_workarounds.install()
    if not any(isinstance(c, qt_workarounds.UiThreadCollector) for c in app.children()):
        qt_workarounds.collect_garbage_on_ui_thread(app)


def finish_look(app: QApplication) -> None:
    """The window icon (decoding its images takes a few ms) and dialogs kept within the screen."""
    app.setWindowIcon(app_icon())
    from careapp.ui.fit import ScreenFit, keep_windows_on_screen

    if not any(isinstance(c, ScreenFit) for c in app.children()):
        keep_windows_on_screen(app)  # dialogs shown from now on are kept within the screen


def make_bare_application() -> QApplication:
    """The QApplication, named, with the user's language and colour scheme: what the first paint
    needs, and no more (see :func:`finish_application`)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationVersion(__version__)
    QApplication.setApplicationDisplayName("careapp")
    # The .desktop file's id (packaging/linux): Wayland matches the window to its icon by it.
    QApplication.setDesktopFileName(DESKTOP_FILE_ID)
    apply_scheme_from_environment(app)
    install_translations(app)
    return app


def start_logging(paths: Paths) -> Path:
    """The rotating log in the user's log folder; its path even when it cannot be written."""
    from careapp.logs import setup_logging

    try:
        log_path = setup_logging(paths.log_dir)
    except OSError:
        return paths.log_dir / LOG_FILE
    log.info("careapp %s starting (Qt %s, Python %s)", __version__, qVersion(), sys.version.split()[0])
    return log_path


def error_reporter(log_path: Path, smoke_test: bool) -> ErrorReporter:
    """Unexpected errors: a dialog (the error module is imported after the first paint)."""
    from careapp.ui.errors import ErrorReporter

    return smoke_test_reporter(log_path) if smoke_test else ErrorReporter(log_path)


def smoke_test_reporter(log_path: Path) -> ErrorReporter:
    """In smoke-test mode an unexpected error fails the run instead of waiting for a click."""
    from careapp.ui.errors import ErrorReporter

    def fail(summary: str, details: str) -> None:
        print(f"smoke test: unexpected error: {summary}\n{details}", file=sys.stderr)
        QCoreApplication.exit(EXIT_START_FAILED)

    return ErrorReporter(log_path, fail)


def claim_single_instance(paths: Paths) -> SingleInstance | None:
    """None if another careapp on this data folder was told to come forward (so: exit)."""
    instance = SingleInstance(server_name(paths.data_dir))
    if instance.notify_running():
        return None
    instance.listen()
    return instance


def _start_failed(error: BaseException, log_path: Path, smoke_test: bool) -> int:
    from careapp.ui.errors import ErrorDialog, summary_of

    log.critical("careapp could not start", exc_info=error)
    if smoke_test:
        print(f"smoke test: careapp could not start: {summary_of(error)}", file=sys.stderr)
    else:
        import traceback

        details = "".join(traceback.format_exception(error))
        ErrorDialog(summary_of(error), details, log_path, can_continue=False).exec()
    return EXIT_START_FAILED


def run_gui(data_dir: str | None) -> int:
    """Show the main window at once, build its pages and open the database behind it, run until the
    window closes."""
    smoke_test = smoke_test_requested()
    app = make_bare_application()
    try:
        paths = resolve_paths(data_dir)
    except SeatConfigError as error:
        _seat_file_problem(error, smoke_test)
        return EXIT_START_FAILED
    errors = ErrorHandling(paths, smoke_test)
    instance: SingleInstance | None = None
    if not smoke_test:
        instance = claim_single_instance(paths)
        if instance is None:
            errors.start()
            log.info("careapp is already running on %s; asked it to come forward", paths.data_dir)
            return 0
    try:
        while True:
            code = _run(app, paths, errors, instance, smoke_test)
            if code != EXIT_RESTART:
                return code
            log.info("starting again on the database chosen for this computer")
            paths = resolve_paths(data_dir)
    except SeatConfigError as error:
        _seat_file_problem(error, smoke_test)
        return EXIT_START_FAILED
    finally:
        errors.stop()
        if instance is not None:
            instance.close()


def _seat_file_problem(error: SeatConfigError, smoke_test: bool) -> None:
    from careapp.ui.connection.controller import show_seat_file_problem

    show_seat_file_problem(str(error), interactive=not smoke_test)


class ErrorHandling:
    """The log file and the dialog for unexpected errors: set up after the first paint (the log's
    path is known before), once for all the windows of this run."""

    def __init__(self, paths: Paths, smoke_test: bool) -> None:
        self._paths, self.smoke_test = paths, smoke_test
        self.log_path = paths.log_dir / LOG_FILE
        self.reporter: ErrorReporter | None = None

    def start(self) -> ErrorReporter:
        if self.reporter is None:
            self.log_path = start_logging(self._paths)
            self.reporter = error_reporter(self.log_path, self.smoke_test)
            self.reporter.install()
        return self.reporter

    def stop(self) -> None:
        if self.reporter is not None:
            self.reporter.uninstall()


def _run(
    app: QApplication,
    paths: Paths,
    errors: ErrorHandling,
    instance: SingleInstance | None,
    smoke_test: bool,
) -> int:
    runner = ThreadedRunner()
    # A second database thread for the long jobs (the touches' refresh: many seconds on a new day
    # with 100,000 customers; the calendar's network calls): what the user does must not wait.
    background = ThreadedRunner(name="careapp-background")
    try:
        about = AboutInfo(paths.data_dir, paths.database_url, errors.log_path)
        window = MainWindow(
            runner, private_settings(), current_actor(), about=about, deferred=True, background=background
        )
        if instance is not None:
            instance.activationRequested.connect(window.bring_to_front)
        startup = Startup(window, runner, paths, errors.log_path, smoke_test)
        bench = _bench_times(window, startup)
        window.firstPainted.connect(lambda: _after_first_paint(app, window, startup, errors, paths))
        window.show()
    except Exception as error:
        background.shutdown()
        runner.shutdown()
        return _start_failed(error, errors.log_path, smoke_test)
    if smoke_test:
        _watch_smoke_test(startup, runner, bench)
    try:
        code = app.exec()
    finally:
        background.shutdown()
        runner.shutdown()
        startup.close_services()
    if window.is_built and window.connection.restart_requested:
        return EXIT_RESTART
    return code or startup.exit_code


def _after_first_paint(
    app: QApplication, window: MainWindow, startup: Startup, errors: ErrorHandling, paths: Paths
) -> None:
    """The window is on the screen. The start goes on in short turns, so the frame keeps painting (in
    one turn, with the log's, this held the UI thread 0.1-0.35 s at 100,000 customers): here Qt's enums
    are made (the first use of ``Qt`` from Python: ~0.05 s); next turn, the fixes for the bindings, and
    the threads start (see :func:`_open_behind_the_window`); the turn after, the log."""
    try:
        from PySide6.QtCore import Qt

        Qt.ItemDataRole.DisplayRole  # noqa: B018  (made on first use)
    except Exception as error:
        _abandon_start(window, errors, error)
        return
    QTimer.singleShot(1, window, lambda: _open_behind_the_window(app, window, startup, errors, paths))


def _open_behind_the_window(
    app: QApplication, window: MainWindow, startup: Startup, errors: ErrorHandling, paths: Paths
) -> None:
    """The work-arounds; then the database opens on its thread, the pages' modules are imported on
    the background thread once it has (see :func:`_import_pages_after_opening`), and the log starts
    in the next turn. The UI thread keeps painting meanwhile (importing the pages here held it
    0.3-0.8 s in one turn, py-spy); it builds the pages a part per turn when their modules have come,
    and attaches the services once both are there."""
    try:
        fix_bindings(app)
    except Exception as error:
        _abandon_start(window, errors, error)
        return
    _import_pages_after_opening(app, window, startup, errors, paths)
    startup.begin()
    # The log file and the error dialog in the next turn: the threads log nothing before the database
    # stack has been imported, which takes longer.
    QTimer.singleShot(1, window, lambda: _start_error_handling(window, errors))


# How long the pages wait for the database before their modules are imported all the same: a shared
# server that does not answer takes seconds to fail, and the pages are wanted meanwhile.
PAGES_WAIT_FOR_DATABASE_MS = 1500


def _import_pages_after_opening(
    app: QApplication, window: MainWindow, startup: Startup, errors: ErrorHandling, paths: Paths
) -> None:
    """Import the pages' modules once the database thread has opened the services (or failed to),
    not at the same time. Both are Python imports, hundreds of milliseconds each; run together, the
    UI thread, which needs Python for every timer and every row it paints, waited for its turn
    at Python 100-190 ms at a time while it laid out the saved queue (and on another run 220-440 ms
    when the database opened while the pages were built). One after the other, the longest wait was
    60-85 ms and the window was usable sooner (0.82-1.04 s after the first paint against 0.91-0.99 s,
    100,000 customers, 4 starts each)."""
    from careapp.ui.main_window import import_pages
    from careapp.ui.once import once_signalled_or_after

    def import_now() -> None:
        window.background_runner.submit(
            import_pages,
            lambda _none: _finish_start(app, window, errors, paths),
            lambda error: _abandon_start(window, errors, error),
        )

    once_signalled_or_after(startup.settled, PAGES_WAIT_FOR_DATABASE_MS, window, import_now)


def _start_error_handling(window: MainWindow, errors: ErrorHandling) -> None:
    try:
        errors.start().window = window
    except Exception as error:
        _abandon_start(window, errors, error)


def _finish_start(app: QApplication, window: MainWindow, errors: ErrorHandling, paths: Paths) -> None:
    """The pages' modules have come: the icon and the screen fit in a turn of their own (with the fixes
    and the log, one 0.2-0.35 s turn here), then the pages. Not while the modules are imported on the
    other thread: PySide6 makes a class's Python side on first use, and two threads doing so at once
    gave a QHeaderView as a plain QWidget."""
    try:
        finish_look(app)
    except Exception as error:
        _abandon_start(window, errors, error)
        return
    QTimer.singleShot(1, window, lambda: _build_pages(window, errors, paths))


def _build_pages(window: MainWindow, errors: ErrorHandling, paths: Paths) -> None:
    """The pages, one part per turn of the event loop (so the frame keeps painting), then this seat's
    database connection settings."""
    from PySide6.QtCore import Qt

    def configure() -> None:
        from careapp.ui.qt_workarounds import set_aside_what_start_made

        set_aside_what_start_made()  # the pages, modules and classes: out of every later collection
        try:
            window.connection.configure(paths)
            window.connection.restartRequested.connect(window.close)
            window.connection.quitRequested.connect(window.close)
        except Exception as error:
            _abandon_start(window, errors, error)

    window.built.connect(configure, Qt.ConnectionType.SingleShotConnection)
    window.build_in_turns(lambda error: _abandon_start(window, errors, error))


def _abandon_start(window: MainWindow, errors: ErrorHandling, error: BaseException) -> None:
    window.hide()
    QCoreApplication.exit(_start_failed(error, errors.log_path, errors.smoke_test))


def _bench_times(window: MainWindow, startup: Startup) -> BenchTimes | None:
    path = bench_times_path()
    if path is None:
        return None
    bench = BenchTimes(path, window)
    bench.watch(window, startup)
    return bench


def _watch_smoke_test(startup: Startup, runner: Runner, bench: BenchTimes | None = None) -> None:
    """Exit 0 once the list has loaded (for the benchmark: once every milestone is written); 1, with
    the reason on stderr, if it fails or hangs."""

    def passed() -> None:
        log.info(SMOKE_TEST_READY)
        print(SMOKE_TEST_READY, flush=True)
        QCoreApplication.exit(0)

    def failed(reason: str) -> None:
        print(f"smoke test: could not open the database: {reason}", file=sys.stderr)
        QCoreApplication.exit(EXIT_OPEN_FAILED)

    def timed_out() -> None:
        busy = " (the database thread is still busy)" if runner.is_busy() else ""
        print(f"smoke test: the main window was not ready in time{busy}", file=sys.stderr)
        QCoreApplication.exit(EXIT_START_FAILED)

    (startup.listReady if bench is None else bench.done).connect(passed)
    startup.openFailed.connect(failed)
    QTimer.singleShot(SMOKE_TEST_TIMEOUT_MS, startup, timed_out)
