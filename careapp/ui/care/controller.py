"""Care for the main window: the queue and overview pages, the rules window, the scheduler, the tray.

The main window builds one :class:`CareController`, puts :attr:`queue_page` and :attr:`dashboard`
among its pages, adds :attr:`rules_action` to a menu, and calls :meth:`attach` once the services
are open. From then on the scheduler refreshes the touches at once (touches missed while careapp
was closed come back), right after every commit of this careapp that wrote something the touches
depend on (:data:`CARE_INPUTS`: a customer saved or imported, demo data, a purchase, a consent, a call
logged, a ticket resolved, a rule or an article), after another seat's change, and on its timer as a
safety net; after every refresh the queue is loaded again, the tray shows the count of touches due,
the calendar follows, and the overview is worked out again when it is next shown.
:meth:`shutdown` stops the timer and hides the tray icon (the window calls it when it closes).

How URLs are opened, whether there is a system tray and the two clocks are injected for tests.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.formatting import sentence
from careapp.ui.once import once_signalled_or_after
from careapp.ui.runner import ProgressRelay, Runner
from careapp.ui.scheduler import CareScheduler, local_now
from careapp.ui.tray import CareTray, quit_application
from careapp.ui.widgets import Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.ui.care.message_dialog import UrlOpener
    from careapp.ui.dashboard.public import DashboardPage
    from careapp.ui.rules.public import RulesDialog


# The tables touches and their plan are made from (careapp/db/care_triggers.py notes the same ones in
# care_dirty), plus rules, articles and settings. New touches and their plan (the refresh's own
# writes) are not among them, so a refresh never sets off another.
CARE_INPUTS = frozenset(
    {
        "customer", "customer_email", "customer_phone", "customer_date", "customer_tag", "purchase",
        "consent_event", "contact", "ticket", "ticket_state_change", "touch_log", "touch_rule",
        "article", "setting", "reward_ledger",  # a reward waiting, used or gone: its reminder
        "?",  # "?": a statement careapp could not name the table of
    }
)  # fmt: skip

# How long the first refresh waits at most for the queue as last planned to be read and shown.
FIRST_REFRESH_WAIT_MS = 2000


class _CommitRelay(QObject):
    """Carries the database thread's "committed these tables" to the UI thread (a queued signal)."""

    committed = Signal(object)  # frozenset[str]


class CareController(QObject):
    """Owns the care screens and their timer; ``openCustomerRequested(customer_id)`` from any of them,
    ``showRequested`` from the tray."""

    openCustomerRequested = Signal(int)
    showRequested = Signal()
    refreshed = Signal()  # the touches were refreshed and the queue is being loaded again
    firstRefreshStarted = Signal()  # the database's first refresh is on the background thread
    dashboardBuilt = Signal(QWidget)  # the overview page, once built (see :attr:`dashboard`)

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        actor: Callable[[], Actor],
        prompts: Prompts,
        *,
        log_call: QAction | None = None,
        url_opener: UrlOpener | None = None,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        wall: Callable[[], dt.datetime] = local_now,
        monotonic: Callable[[], float] = time.monotonic,
        background: Runner | None = None,
    ) -> None:
        """``background`` runs the touches' refresh (``runner`` if not given): the first refresh of a
        day plans every customer, which takes many seconds with 100,000 of them, and the queue's
        actions and the customer list must not wait behind it."""
        super().__init__(window)
        self._window, self._runner, self._actor, self._prompts = window, runner, actor, prompts
        self._background = background or runner
        self._wall, self._monotonic = wall, monotonic
        self._services: Services | None = None
        self.scheduler: CareScheduler | None = None
        self.rules_dialog: RulesDialog | None = None
        self._overview_stale = True
        self._relay = _CommitRelay(self)
        self._relay.committed.connect(self._committed)
        self._listener: Callable[[frozenset[str]], None] | None = None
        self.queue_page = CareQueuePage(runner, actor, url_opener)
        self._dashboard: DashboardPage | None = None
        self.queue_page.openCustomerRequested.connect(self.openCustomerRequested)
        self.queue_page.queueLoaded.connect(self._queue_loaded)
        self.queue_page.refresher = lambda: self.refresh_soon("asked (F5)")
        self.tray = CareTray(tray_available, log_call, self)
        self.tray.showRequested.connect(self.showRequested)
        self.tray.quitRequested.connect(quit_application)
        self.rules_action = QAction(self.tr("Care &rules, wording and articles…"), window)
        self.rules_action.setToolTip(
            self.tr("When touches fall due, what they say, and the articles to share")
        )
        self.rules_action.triggered.connect(self.open_rules)
        self.rules_action.setEnabled(False)
        window.addAction(self.rules_action)

    def attach(self, services: Services) -> None:
        """The database is open: show the queue as last planned, then refresh the touches and keep
        them fresh."""
        self._services = services
        if self._dashboard is not None:
            self._dashboard.attach(services)
        self.rules_action.setEnabled(True)
        background = self._background
        progress = ProgressRelay(self)  # "Planning 100,000 customers… 40%" on a pass over everyone
        progress.progressed.connect(self.queue_page.show_progress)
        scheduler = CareScheduler(
            background,
            # Quitting stops a long refresh between two slices of customers (the next one redoes it).
            lambda: services.touches.refresh(should_stop=background.stopping, progress=progress.report),
            wall=self._wall,
            monotonic=self._monotonic,
            parent=self,
        )
        scheduler.refreshed.connect(self._refreshed)
        scheduler.failed.connect(self._refresh_failed)
        self.scheduler = scheduler
        relay = self._relay
        # Called on the database thread after each commit; the signal takes it to this thread.
        self._listener = relay.committed.emit
        services.db.changes.add_listener(self._listener)
        # The first refresh once the queue as last planned has been read and painted (see
        # CareQueuePage._paint_now), or a moment later at the latest.
        def start() -> None:
            scheduler.start()
            self.firstRefreshStarted.emit()

        once_signalled_or_after(self.queue_page.storedRead, FIRST_REFRESH_WAIT_MS, self, start)
        self.queue_page.attach(services)

    def refresh_soon(self, reason: str) -> None:
        """Bring the touches and the queue up to date now (after the refresh running, if one is)."""
        if self.scheduler is not None:
            self.queue_page.show_busy()
            self.scheduler.refresh_now(reason)

    def _committed(self, tables: frozenset[str]) -> None:
        if tables & CARE_INPUTS:
            self.refresh_soon("a change: " + ", ".join(sorted(tables & CARE_INPUTS)))

    def _refreshed(self, _result: object) -> None:
        self.reload()
        self.refreshed.emit()

    def reload(self) -> None:
        """Load the queue again (and the overview, if it is showing; else when it is next shown)."""
        self.queue_page.reload()
        self._overview_stale = True
        if self._dashboard is not None and self._dashboard.isVisible():
            self.show_overview()

    @property
    def dashboard(self) -> DashboardPage:
        """The overview page, built on first use (see :meth:`build_dashboard`)."""
        return self.build_dashboard()

    def build_dashboard(self) -> DashboardPage:
        """The overview page. Its charts (QtCharts) take a while to load, so it is built when first
        needed (the window asks right after its first paint) rather than before the window shows."""
        if self._dashboard is None:
            from careapp.ui.dashboard.public import DashboardPage

            page = DashboardPage(self._runner)
            page.openCustomerRequested.connect(self.openCustomerRequested)
            if self._services is not None:
                page.attach(self._services)
            self._dashboard = page
            self.dashboardBuilt.emit(page)
        return self._dashboard

    def show_overview(self) -> None:
        """The overview page is being shown: work the figures out if anything changed since."""
        if self._overview_stale and self._services is not None:
            self._overview_stale = False
            self.dashboard.reload()

    def _queue_loaded(self, queue: object) -> None:
        self.tray.update_queue(queue)  # type: ignore[arg-type]
        self._overview_stale = True

    def _refresh_failed(self, error: BaseException) -> None:
        self.queue_page.error.show_error(
            self.tr("careapp could not bring the care queue up to date: {reason}").format(
                reason=sentence(error)
            )
        )
        self.queue_page.reload()

    def open_rules(self) -> RulesDialog | None:
        if self._services is None:
            return None
        if self.rules_dialog is None:
            from careapp.ui.rules.public import RulesDialog

            dialog = RulesDialog(self._services, self._runner, self._actor(), self._prompts, self._window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.rulesSaved.connect(self._rules_saved)
            dialog.library.changed.connect(self._rules_saved)
            dialog.finished.connect(lambda _code: setattr(self, "rules_dialog", None))
            self.rules_dialog = dialog
            dialog.show()
        self.rules_dialog.raise_()
        self.rules_dialog.activateWindow()
        return self.rules_dialog

    def _rules_saved(self) -> None:
        if self.scheduler is not None:
            self.scheduler.refresh_now("rules changed")

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self._listener is not None and self._services is not None:
            self._services.db.changes.remove_listener(self._listener)
            self._listener = None
        self.tray.hide()
