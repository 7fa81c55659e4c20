"""The main window: the care queue first; the customers (search and list on the left, the selected
customer on the right) and the care overview on the pages beside it.

It is shown before the database is open ("Opening the database…"); ``attach_services`` brings
it to life once the services have been built on the database thread.

Keyboard: Tab goes message bar → the pages' tabs → the page (on Customers: search → list →
timeline) → "Working as"; Ctrl+1 to Ctrl+4 switch pages; every menu and most buttons
have a mnemonic, and the common actions have shortcuts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

# Only what the frame needs at its first paint: the Python side of each Qt class is built the
# first time it is used (with all its enums; Qt's namespace of enums alone takes longer than
# painting the frame), so the methods that need more import it when they run, after that paint.
from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget

from careapp.ui import window_state

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent

    from careapp.context import Services
    from careapp.services.shop.settings import ShopSettings
    from careapp.ui.about import AboutDialog, AboutInfo
    from careapp.ui.runner import Runner
    from careapp.ui.shop.welcome import StartChoice
    from careapp.ui.widgets import Prompts

    Shortcut = QKeySequence | QKeySequence.StandardKey | str

log = logging.getLogger(__name__)

# The modules behind the pages, which :meth:`MainWindow.build` imports. Importing them is most of the
# build's time (0.3-0.8 s at the first start of the day, py-spy); the app imports them on a worker
# thread first (:func:`import_pages`), so the UI thread only makes the widgets and keeps painting.
PAGE_MODULES = (
    "careapp.ui.backups.controller",
    "careapp.ui.calendar.controller",
    "careapp.ui.calls.controller",
    "careapp.ui.care.controller",
    "careapp.ui.changes",
    "careapp.ui.connection.controller",
    "careapp.ui.customers.bulk_edit",
    "careapp.ui.customers.consent_dialog",
    "careapp.ui.customers.controller",
    "careapp.ui.customers.detail",
    "careapp.ui.customers.list_panel",
    "careapp.ui.customers.privacy_actions",
    "careapp.ui.customers.purchase_dialog",
    "careapp.ui.feedback",
    "careapp.ui.importing.controller",
    "careapp.ui.mail.public",
    "careapp.ui.others_work",
    "careapp.ui.reports.controller",
    "careapp.ui.shop.controller",
    "careapp.ui.staff",
    "careapp.ui.staff.controller",
    "careapp.ui.staff.public",
    "careapp.ui.tickets.customer_tickets",
    "careapp.ui.tickets.inbox_page",
    "careapp.ui.value.public",
    "careapp.ui.widgets",
    "careapp.ui.rewards.public",
    "careapp.ui.keyboard",
    "careapp.ui.formatting",
    # What the pages import as they are first shown or filled (the overview, the welcome).
    "careapp.ui.dashboard.public",
    "careapp.ui.shop.welcome",
)


FIRST_QUEUE_WAIT_MS = 5000
# How long after the list was read the RFM scale of its Segment column is checked (a burst of
# keystrokes or changes makes one check).
LIST_SCALE_AFTER_MS = 2000
NEXT_TURN_MS = 1  # the next part of a start done in turns (see build_in_turns)


def _import_calendar_jobs() -> None:
    """Database thread: the calendar's jobs' modules, before the window attaches the calendar."""
    import careapp.ui.calendar.jobs  # noqa: F401


def import_pages() -> None:
    """Import :data:`PAGE_MODULES`. Safe on any thread: the modules define classes and make no Qt
    object at import; the widgets are made later, on the UI thread, by :meth:`MainWindow.build`."""
    import importlib

    for name in PAGE_MODULES:
        importlib.import_module(name)


class MainWindow(QMainWindow):
    """The care queue, the customer list and detail, and the care overview as pages, with the menus,
    tool bar and status bar around them."""

    firstPainted = Signal()
    built = Signal()  # the pages and controllers are there (see build)

    def __init__(
        self,
        runner: Runner,
        settings: QSettings,
        actor: str,
        prompts: Prompts | None = None,
        parent: QWidget | None = None,
        *,
        about: AboutInfo | None = None,
        deferred: bool = False,
        background: Runner | None = None,
    ) -> None:
        """``actor`` is who makes changes while the shop has no staff list (the OS user name);
        ``about`` says where this careapp keeps its files, for Help → About; ``background`` is a
        second database thread for the long jobs: the touches' refresh, the calendar's updates and exports
        (by default ``runner`` does them).

        With ``deferred`` only the frame is built (title, menus, the pages' tabs, the status bar);
        the caller calls :meth:`build` once it has been painted (``firstPainted``): the modules
        behind the pages take several times longer to import than Qt takes to show a window.
        """
        super().__init__(parent)
        self.runner = runner
        self._after_first_queue_done: object = None  # the services it was done for
        self.background_runner = background or runner
        self.settings = settings
        self.services: Services | None = None
        self.about_info = about
        self.about_dialog: AboutDialog | None = None
        self._actor = actor
        self._given_prompts = prompts
        self._painted = False
        self._built = False
        self._build_step = 0  # the next part of build() to make (see _build_next)
        self._build_frame()
        if not deferred:
            self.build()

    @property
    def is_built(self) -> bool:
        """Whether :meth:`build` has made the pages (false only in the frame's first moments)."""
        return self._built

    # --- building ------------------------------------------------------------------------

    def _build_frame(self) -> None:
        """What shows at the first paint: the title, the menus' names, the pages' tabs (empty until
        :meth:`build`), the status bar and the window's size and place."""
        self.setWindowTitle("careapp")
        self.setObjectName("mainWindow")
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.setAccessibleName(self.tr("Pages"))
        # Each tab holds an empty page until its page is built (the overview's, after the first paint).
        self._queue_placeholder = QWidget()
        self._customers_placeholder = QWidget()
        self._overview_placeholder = QWidget()
        self._tickets_placeholder = QWidget()
        self._overview: QWidget | None = None  # the overview page, once on its tab
        self.pages.addTab(self._queue_placeholder, self.tr("Care &queue"))
        self.pages.addTab(self._customers_placeholder, self.tr("C&ustomers"))
        self.pages.addTab(self._overview_placeholder, self.tr("O&verview"))
        self.pages.addTab(self._tickets_placeholder, self.tr("Tic&kets"))
        central = QWidget()
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(6, 6, 6, 0)
        self._central_layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        menus = self.menuBar()
        self.file_menu = menus.addMenu(self.tr("&File"))
        self.edit_menu = menus.addMenu(self.tr("&Edit"))
        self.customer_menu = menus.addMenu(self.tr("&Customer"))
        self.reports_menu = menus.addMenu(self.tr("&Reports"))
        self.help_menu = menus.addMenu(self.tr("&Help"))
        # The tool bar is there from the first paint too (its buttons come with build()), so the
        # pages do not jump down when they come; a disabled first button gives it its height.
        self.tool_bar = QToolBar(self.tr("Main tool bar"))
        self.tool_bar.setObjectName("mainToolBar")
        self.tool_bar.setMovable(False)
        self._tool_bar_placeholder = self.tool_bar.addAction(self.tr("&New customer…"))
        self._tool_bar_placeholder.setEnabled(False)
        self.addToolBar(self.tool_bar)
        self.statusBar().showMessage(self.tr("Opening the database…"))
        window_state.restore_geometry(self.settings, self)

    def build(self) -> None:
        """The pages, their controllers, the actions in the menus and tool bar (once, all at once)."""
        while not self._built:
            self._build_next()

    def build_in_turns(self, failed: Callable[[BaseException], None] | None = None) -> None:
        """The same as :meth:`build`, one part per turn of the event loop, so the window keeps painting
        (the app's start: built in one go, the pages held the UI thread 0.5-1.2 s at 100,000 customers);
        ``built`` at the end. ``failed`` gets an error raised by a part (the rest is not built)."""
        if self._built:
            return
        try:
            self._build_next()
        except Exception as error:
            if failed is None:
                raise
            failed(error)
            return
        if not self._built:
            # 1 ms, not 0: a chain of zero timers ran back to back, and the event loop's other timers
            # (and the bench's 10 ms tick) waited for the whole chain.
            QTimer.singleShot(NEXT_TURN_MS, self, lambda: self.build_in_turns(failed))

    def _build_next(self) -> None:
        steps = (
            self._build_customer_page,
            self._build_customer_controllers,
            self._build_other_controllers,
            self._build_customer_tabs,
            self._build_care_and_sync,
            self._put_pages_on_tabs,
            self._show_saved_queue,
            self._finish_build,
        )
        steps[self._build_step]()
        self._build_step += 1

    # The steps import their modules where they run rather than at the top: they are most of careapp's
    # start-up time, and the app imports them on a worker thread after the frame's first paint
    # (``deferred``, :func:`import_pages`).

    def _build_customer_page(self) -> None:
        """The customer list and detail."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QSplitter

        from careapp.ui.customers.detail import CustomerDetail
        from careapp.ui.customers.list_panel import CustomerListPanel
        from careapp.ui.widgets import MessageBar, Prompts

        # Tab reaches the tab bar itself (after the message bar). The tab widget would hand its
        # focus on to the bar a second time, at its own place in the chain after the pages,
        # sending Tab round in a short loop; so it takes no focus and is not the bar's proxy.
        self.pages.setFocusProxy(None)  # type: ignore[arg-type]  # None: no proxy (the stubs forget it)
        self.pages.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pages.tabBar().setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Questions to the owner go through this object, so tests can answer them.
        self.prompts = self._given_prompts or Prompts(self)
        self.message_bar = MessageBar()
        self._central_layout.insertWidget(0, self.message_bar)
        self.list_panel = CustomerListPanel(self.runner)
        self.detail = CustomerDetail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    def _build_customer_controllers(self) -> None:
        """What acts on the customers: edit, import, the shop, staff, privacy, bulk edit, consent."""
        from careapp.ui.customers.bulk_edit import BulkEditController
        from careapp.ui.customers.consent_dialog import ConsentForSelected
        from careapp.ui.customers.controller import CustomerController
        from careapp.ui.customers.privacy_actions import CustomerPrivacy
        from careapp.ui.importing.controller import ImportController
        from careapp.ui.shop.controller import ShopController
        from careapp.ui.staff import StaffPicker
        from careapp.ui.staff.controller import StaffController
        from careapp.ui.staff.public import OwnerPinGate

        runner, settings, actor = self.runner, self.settings, self._actor
        self.customer_actions = CustomerController(
            self, runner, self.prompts, self.list_panel, self.detail, self.message_bar, actor
        )
        self.import_actions = ImportController(self, runner, self.prompts, self.message_bar, actor)
        self.shop_actions = ShopController(self, runner, self.message_bar, lambda: self.staff.actor())
        self.staff = StaffPicker(settings, actor)
        self.privacy = CustomerPrivacy(
            self, runner, self.message_bar, self._shown_customer, self.staff.current_actor
        )
        self.staff_actions = StaffController(self, runner, self.staff, self.message_bar)
        self.owner_gate = OwnerPinGate(self, runner)
        self.owner_gate.refused.connect(lambda text: self.message_bar.show_message(text, error=True))
        self.staff.owner_guard = lambda then: self.owner_gate.then(
            then, self.tr("Type the owner's PIN to work as the owner.")
        )
        self.bulk_edit = BulkEditController(self, runner, self.list_panel, self.message_bar, self.staff.actor)
        self.consent_for_selected = ConsentForSelected(
            self, runner, self.list_panel.selected_ids, self.message_bar.show_message, self.staff.actor
        )

    def _build_other_controllers(self) -> None:
        """Backups, the call log, ticket windows and the tickets' page."""
        from careapp.ui.backups.controller import BackupsController
        from careapp.ui.calls.controller import CallLogger
        from careapp.ui.tickets.customer_tickets import TicketWindows
        from careapp.ui.tickets.inbox_page import InboxPage

        runner = self.runner
        self.backups = BackupsController(self, runner, self.prompts, self.message_bar)
        self.call_logger = CallLogger(self, runner, self.prompts)
        self.ticket_windows = TicketWindows(self, runner)
        self.tickets_page = InboxPage(runner)

    def _build_customer_tabs(self) -> None:
        """The customer's tabs (tickets, feedback, value, rewards) and the reports' controllers."""
        from careapp.ui.customers.purchase_dialog import PurchaseActions
        from careapp.ui.feedback import FeedbackPanel
        from careapp.ui.reports.controller import ReportController
        from careapp.ui.tickets.customer_tickets import CustomerTickets
        from careapp.ui.value.public import CustomerValuePanel, ValueController

        runner = self.runner
        self.purchase_actions = PurchaseActions(self, runner, self.message_bar)
        self.purchase_actions.actor = self.staff.current_actor
        self.purchase_actions.install(self.detail)  # edit (F2) and delete (Del) on the timeline
        self.customer_tickets = CustomerTickets(runner)
        self.tickets_tab = self.detail.add_tab(self.customer_tickets, self.tr("Tickets"))
        self.customer_feedback = FeedbackPanel(runner, self.staff.current_actor)
        self.feedback_tab = self.detail.add_tab(self.customer_feedback, self.tr("Feedback"))
        self.customer_value = CustomerValuePanel(runner, when_shown=True)
        self.value_tab = self.detail.add_tab(self.customer_value, self.tr("Value"))
        from careapp.ui.rewards.public import CustomerRewardsPanel, RewardsController

        self.customer_rewards = CustomerRewardsPanel(runner)
        self.rewards = RewardsController(self, runner, self.staff.current_actor)
        self.rewards_tab = self.detail.add_tab(self.customer_rewards, self.tr("Rewards"))
        self.detail.header.form.addRow(self.tr("Rewards"), self.customer_rewards.line)
        self.value_report = ValueController(self, runner, self.staff.current_actor)
        self.value_report.message.connect(self.message_bar.show_message)
        self.report_actions = ReportController(self, runner, self.staff.current_actor)

    def _build_care_and_sync(self) -> None:
        """The care queue page and its controller, mail, the calendar, other seats' changes."""
        from careapp.ui.calendar.controller import CalendarController
        from careapp.ui.care.controller import CareController
        from careapp.ui.changes import ChangeWatcher
        from careapp.ui.connection.controller import ConnectionController
        from careapp.ui.mail.public import MailController
        from careapp.ui.others_work import connect_refresher

        runner = self.runner
        self.care = CareController(
            self,
            runner,
            self.staff.current_actor,
            self.prompts,
            log_call=self.call_logger.action,
            background=self.background_runner,
        )
        self.mail = MailController(
            self, runner, self.message_bar, self.staff.current_actor, background=self.background_runner
        )
        self.calendar = CalendarController(
            self, runner, self.message_bar, self.statusBar(), background=self.background_runner
        )
        # Other seats' changes show up without a restart (polled on the database thread).
        self.changes = ChangeWatcher(runner, self)
        self.others_work = connect_refresher(self.changes, self, self)
        # This seat's database (this computer only / a shared server); the app sets where it is kept.
        self.connection = ConnectionController(self, runner, self.message_bar)

    def _put_pages_on_tabs(self) -> None:
        was_current = self.pages.currentIndex()
        self._fill_tab(self._queue_placeholder, self.care.queue_page)
        self._fill_tab(self._customers_placeholder, self.splitter)
        self._fill_tab(self._tickets_placeholder, self.tickets_page)
        # The overview (its charts: 0.4-0.5 s of the UI thread in one turn) is built when its tab is
        # first shown (see _page_changed), not while the queue page is starting.
        self.care.dashboardBuilt.connect(lambda page: self._fill_tab(self._overview_placeholder, page))
        # Each morning starts with the queue (unless a tab was chosen while the frame waited).
        self.pages.setCurrentIndex(was_current if self._painted else 0)

    def _show_saved_queue(self) -> None:
        """The queue as last shown, until the database is open (a turn of its own: laying it out)."""
        about = self.about_info
        if about is not None:
            self.care.queue_page.show_snapshot(about.data_dir, about.database_url)

    def _finish_build(self) -> None:
        """The status bar's widgets, the actions, menus and tool bar, the connections; then ``built``."""
        from PySide6.QtWidgets import QLabel

        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Customer count"))
        self.statusBar().addPermanentWidget(self.staff)
        self.statusBar().addPermanentWidget(self.count_label)
        self._set_actor(self.staff.actor())
        self._make_actions()
        self._make_menus_and_tool_bar()
        self._connect()
        self._set_ready(False)
        self._set_tab_order()
        window_state.restore_dividers(self.settings, self.splitter, self.detail)
        self._built = True
        self.built.emit()

    def _action(self, text: str, shortcut: Shortcut | None, slot: object, tip: str = "") -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.replace("…", "").replace("&", ""))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence

        customers, imports = self.customer_actions, self.import_actions
        self.new_action = self._action(
            self.tr("&New customer…"), QKeySequence.StandardKey.New, customers.new_customer
        )
        self.edit_action = self._action(
            self.tr("&Edit customer…"),
            None,
            lambda: customers.edit_customer(),
            self.tr("Edit the selected customer (Enter)"),
        )
        self.delete_action = self._action(
            self.tr("&Delete customer…"), QKeySequence.StandardKey.Delete, customers.delete_current
        )
        # Del must still delete text in the search box: the shortcut only works in the list.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.delete_action)
        self.list_panel.table.addAction(self.delete_action)
        self.privacy.install(self.list_panel.table, self.detail)
        self.note_action = self._action(self.tr("Add no&te…"), "Ctrl+Shift+N", customers.add_note)
        self.purchase_action = self._action(
            self.tr("Record a &purchase…"),
            "Ctrl+P",
            self.record_purchase,
            self.tr("Record a sale for the selected customer (Ctrl+P)"),
        )
        self.undo_action = self._action(
            self.tr("&Undo delete"), QKeySequence.StandardKey.Undo, customers.undo_delete
        )
        self.undo_action.setEnabled(False)
        self.find_action = self._action(
            self.tr("&Find customer"), QKeySequence.StandardKey.Find, self.find_customer
        )
        self.import_action = self._action(self.tr("&Import…"), "Ctrl+I", imports.open_dialog)
        self.undo_import_action = self._action(self.tr("&Undo last import…"), None, imports.undo_last)
        self.export_action = self._action(self.tr("E&xport…"), "Ctrl+E", self.export_customers)
        self.shop_settings_action = self._action(
            self.tr("Shop &settings…"), None, self.shop_actions.open_settings
        )
        self.quit_action = self._action(self.tr("&Quit"), "Ctrl+Q", self.close)
        self.about_action = self._action(self.tr("&About careapp…"), None, self.show_about)
        self.shortcuts_action = self._action(self.tr("&Keyboard shortcuts…"), None, self.show_shortcuts)
        care = self.care
        self.queue_page_action = self._action(
            self.tr("Care queue"), "Ctrl+1", lambda: self.show_page(care.queue_page)
        )
        self.customers_page_action = self._action(
            self.tr("Customers"), "Ctrl+2", lambda: self.show_page(self.splitter)
        )
        self.overview_action = self._action(
            self.tr("Care &overview"), "Ctrl+3", lambda: self.show_page(care.dashboard)
        )
        self.tickets_page_action = self._action(
            self.tr("Tickets"), "Ctrl+4", lambda: self.show_page(self.tickets_page)
        )
        self._guard_owner_actions()

    def _guard_owner_actions(self) -> None:
        """The owner's actions: greyed out for staff (with the reason), behind the PIN for the owner."""
        from careapp.ui.staff.public import OwnerOnlyActions

        gate, why = self.owner_gate, self.tr("Type the owner's PIN to {what}.")
        owner_only = [
            (self.delete_action, self.customer_actions.delete_current, self.tr("delete customers")),
            (self.privacy.erase_action, self.privacy.erase_current, self.tr("erase customers")),
            (self.export_action, self.export_customers, self.tr("export the whole customer list")),
            (self.care.rules_action, self.care.open_rules, self.tr("edit the care rules")),
            (self.rewards.rules_action, self.rewards.open_rules, self.tr("change the reward rules")),
            (
                self.value_report.control_action,
                self.value_report.open_control_group,
                self.tr("change the control group"),
            ),
        ]
        for action, step, what in owner_only:
            gate.guard_action(action, step, why.format(what=what))
        self.owner_actions = OwnerOnlyActions([(action, what) for action, _step, what in owner_only])
        staff_list = self.staff_actions.list_action
        staff_list.triggered.disconnect()
        # Everyone may look at the staff list; the owner opens it (where changes are made) by PIN.
        staff_list.triggered.connect(
            lambda: gate.then(self.staff_actions.show_list, why.format(what=self.tr("change the staff list")))
            if self.staff.role() == "owner"
            else self.staff_actions.show_list()
        )

    def _apply_owner_rules(self) -> None:
        if hasattr(self, "owner_actions"):
            staff = self.staff
            self.owner_actions.apply(staff.actor(), staff.role(), staff.roles_apply())

    def _make_menus_and_tool_bar(self) -> None:
        from PySide6.QtCore import Qt

        file_menu = self.file_menu
        file_menu.addActions(
            [self.import_action, self.undo_import_action, self.export_action, self.calendar.export_action]
        )
        file_menu.addSeparator()
        file_menu.addActions(
            [
                self.shop_settings_action,
                self.connection.action,
                self.care.rules_action,
                self.rewards.rules_action,
                self.calendar.settings_action,
                self.mail.settings_action,
                self.mail.outbox_action,
                self.staff_actions.list_action,
                self.staff_actions.switch_action,
            ]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.backups.action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.edit_menu
        edit_menu.addActions(
            [self.undo_action, self.bulk_edit.undo_action, self.find_action, self.bulk_edit.action]
        )
        customer_menu = self.customer_menu
        customer_menu.addActions([self.new_action, self.edit_action, self.note_action, self.purchase_action])
        customer_menu.addAction(self.consent_for_selected.action)
        customer_menu.addAction(self.call_logger.action)
        customer_menu.addSeparator()
        customer_menu.addAction(self.delete_action)
        customer_menu.addActions([self.privacy.export_action, self.privacy.erase_action])
        reports_menu = self.reports_menu
        reports_menu.addActions(
            [
                self.overview_action,
                self.report_actions.fcr_action,
                self.value_report.action,
                self.value_report.control_action,
                self.rewards.report_action,
            ]
        )
        help_menu = self.help_menu
        help_menu.addActions([self.shortcuts_action, self.about_action])
        tools = self.tool_bar
        tools.removeAction(self._tool_bar_placeholder)
        self._tool_bar_placeholder.deleteLater()
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tools.addActions([self.new_action, self.edit_action, self.note_action, self.delete_action])
        tools.addSeparator()
        tools.addAction(self.call_logger.action)
        tools.addSeparator()
        tools.addActions([self.import_action, self.export_action])

    def _connect(self) -> None:
        panel, customers = self.list_panel, self.customer_actions
        panel.currentCustomerChanged.connect(self._current_changed)
        panel.openRequested.connect(customers.edit_customer)
        panel.searchFinished.connect(self._update_count)
        # The list is read again after every change the window makes (an import, demo data, an edit):
        # its segments then come from a scale made before the change. A moment after, behind the
        # window, the scale is made again if the customers changed (update_list_scale).
        self._list_scale_timer = QTimer(self)
        self._list_scale_timer.setSingleShot(True)
        self._list_scale_timer.setInterval(LIST_SCALE_AFTER_MS)
        self._list_scale_timer.timeout.connect(self.update_list_scale)
        panel.searchFinished.connect(self._list_scale_timer.start)
        panel.loadFailed.connect(self._list_failed)
        panel.empty.new_button.clicked.connect(self.new_action.trigger)
        panel.empty.import_button.clicked.connect(self.import_action.trigger)
        customers.undoAvailable.connect(self.undo_action.setEnabled)
        self.privacy.erased.connect(self._erased)
        self.import_actions.customersChanged.connect(lambda: panel.refresh())
        self.shop_actions.shopChanged.connect(self.apply_shop)
        self.shop_actions.welcomeFinished.connect(self._welcome_finished)
        self.shop_actions.ownerSaved.connect(self.staff.start_as)
        self.shop_actions.connectRequested.connect(self.connection.open_dialog)
        self.staff.actorChanged.connect(self._set_actor)
        self.staff.rolesChanged.connect(self._roles_changed)
        self.call_logger.announced.connect(self._call_logged)
        tickets = self.customer_tickets
        tickets.openRequested.connect(self.ticket_windows.open)
        tickets.countChanged.connect(self._tickets_counted)
        self.customer_feedback.countChanged.connect(self._feedback_counted)
        self.ticket_windows.changed.connect(lambda _ticket_id: tickets.refresh())
        self.purchase_actions.changed.connect(self._purchases_changed)
        self.rewards.saved.connect(self._reward_rules_saved)
        inbox = self.tickets_page
        inbox.openTicketRequested.connect(self.ticket_windows.open)
        inbox.openCustomerRequested.connect(self.show_customer)
        inbox.countChanged.connect(self._open_tickets_counted)
        self.ticket_windows.changed.connect(lambda _ticket_id: inbox.reload())
        self.call_logger.logged.connect(lambda _call: inbox.reload())
        self.call_logger.set_where(self._call_start)
        self.call_logger.customersChanged.connect(lambda: self.list_panel.refresh())
        self.care.openCustomerRequested.connect(self.show_customer)
        # The calendar feed and CalDAV follow changes (coalesced, on the database thread).
        customers.customersChanged.connect(self.calendar.changed)
        self.bulk_edit.customersChanged.connect(self.calendar.changed)
        self.backups.databaseReplaced.connect(self._database_replaced)
        self.import_actions.customersChanged.connect(self.calendar.changed)
        self.care.queue_page.acted.connect(lambda _text: self.calendar.changed())
        # An email the server did not take: the bar offers the Outbox; a retry there moves the queue.
        self.care.queue_page.mailKept.connect(self.mail.show_not_sent)
        self.mail.changed.connect(self.care.queue_page.reload)
        self.mail.changed.connect(self.calendar.changed)
        self.call_logger.logged.connect(lambda _call: self.calendar.changed())
        self.ticket_windows.changed.connect(lambda _ticket_id: self.calendar.changed())
        self.care.refreshed.connect(self.calendar.changed)  # new touches: the feed and CalDAV follow
        self.care.showRequested.connect(self.bring_to_front)
        self.pages.currentChanged.connect(self._page_changed)
        self.runner.unhandledError.connect(
            lambda error: self.message_bar.show_message(str(error), error=True)
        )

    def _set_tab_order(self) -> None:
        """Top to bottom: the message bar, search, the list (or its empty state), the customer's
        timeline (or tickets), the tabs that switch between them, then "Working as" in the status bar."""
        from careapp.ui.keyboard import chain

        bar, panel = self.message_bar, self.list_panel
        chain(
            [
                bar.action,
                bar.close_button,
                panel.search,
                panel.table,
                panel.empty.new_button,
                panel.empty.import_button,
                self.detail.timeline,
                self.customer_tickets.table,
                self.customer_tickets.open_button,
                self.customer_feedback.list,
                self.customer_feedback.record_button,
                self.customer_feedback.publish_button,
                self.customer_feedback.withdraw_button,
            ]
        )
        # The tab bar holds the timeline in its tab widget: ordering the timeline before it would
        # move the whole tab widget after its own child (a closed loop), so the bar goes before
        # "Working as" instead, which lands it right after the timeline or tickets.
        chain([self.detail.history.tabBar(), self.staff.combo])
        # The pages' tabs come right after the message bar, before whatever page is showing.
        chain([bar.close_button, self.pages.tabBar()])

    def _set_ready(self, ready: bool) -> None:
        for action in (
            self.new_action,
            self.find_action,
            self.import_action,
            self.undo_import_action,
            self.export_action,
            self.shop_settings_action,
        ):
            action.setEnabled(ready)
        self._current_changed(self.list_panel.current_id() if ready else None)
        self._apply_owner_rules()

    # --- services ------------------------------------------------------------------------

    def attach_services(self, services: Services, shop: ShopSettings) -> None:
        """The database is open: show the customers and enable everything."""
        self.services = services
        # The tickets' inbox is read, and the calendar attached, once the queue has come.
        from PySide6.QtCore import Qt

        self.care.queue_page.queueLoaded.connect(
            lambda _queue: self._after_first_queue(services), Qt.ConnectionType.SingleShotConnection
        )
        # At the latest: a database without a stored queue (or one that could not be read) shows
        # its first queue only after the touches' refresh.
        QTimer.singleShot(FIRST_QUEUE_WAIT_MS, self, lambda: self._after_first_queue(services))
        # What the user sees first is read first: the queue of the page the window opens on (first on
        # the background thread, then the touches' refresh and today's backup there), and side by side
        # with it the customer list, ahead of every other page's first read on the database thread (the
        # queue came last, behind the list and the tickets' inbox: 3-4 s after the services at 100,000).
        # Today's copy of the file behind the first refresh (copying 400 MB held a new day's queue
        # back 1.3 s), which starts once the queue as last planned has been shown.
        self.care.firstRefreshStarted.connect(
            lambda: self.backups.take_daily(self.background_runner), Qt.ConnectionType.SingleShotConnection
        )
        self.care.attach(services)  # reads the queue as last planned, then refreshes the touches
        self.backups.attach(services)
        header_state, sized_by_user = window_state.restore_list(self.settings)
        self.list_panel.attach(services.customers, header_state, sized_by_user, services.value.list_figures)
        self.customer_actions.attach(services.customers, services.clock, shop.default_region, services.guard)
        self.privacy.attach(services.guard)
        self.import_actions.attach(services.imports)
        self.bulk_edit.attach(services.customers)
        # The shop's today as the queue last read it (no database read on this thread).
        self.consent_for_selected.attach(services.customers, self.care.queue_page.today)
        self.shop_actions.attach(services)
        self.staff_actions.attach(services)
        self.owner_gate.attach(services.staff)
        self.call_logger.attach(services)
        self.ticket_windows.attach(services)
        self.customer_tickets.attach(services)
        self.tickets_page.attach(services, load=False)
        self.purchase_actions.attach(services)
        self.customer_feedback.attach(services)
        self.customer_value.attach(services)
        self.customer_rewards.attach(services)
        self.rewards.attach(services)
        self.value_report.attach(services)
        self.report_actions.attach(services)
        # A window left open overnight still gets the new day's database copy.
        if self.care.scheduler is not None:
            self.care.scheduler.dayChanged.connect(
                lambda _day: self.backups.take_daily(self.background_runner)
            )
        self.mail.attach(services)
        self.changes.attach(services.db)  # looks for other seats' changes every few seconds
        self.apply_shop(shop)
        self._set_actor(self.staff.actor())
        self._set_ready(True)
        self.statusBar().clearMessage()
        report = services.migration
        if report.repair_notice is not None:  # a half-upgraded file was put back from its copy
            self.message_bar.show_message(report.repair_notice)
        elif report.backup_path is not None:
            self.message_bar.show_message(
                self.tr("careapp updated its database. A copy of the old one is kept at {path}.").format(
                    path=report.backup_path
                )
            )
        if self.pages.currentWidget() is self.care.queue_page:
            self.care.queue_page.focus_queue()
        else:
            self.list_panel.focus_search()

    def _after_first_queue(self, services: Services) -> None:
        """What the window's start leaves until the care queue, the page it opens on, has come: the
        tickets' inbox (its first read is the longest on the database thread: read beside the queue,
        it held the queue back 0.4-0.5 s at 100,000 customers), and the calendar, whose jobs' modules
        (icalendar, the CalDAV client) are imported on the database thread first (imported before the
        services were handed to the window, they held it back; on the UI thread, 0.2-0.9 s)."""
        if self._after_first_queue_done is services:
            return
        self._after_first_queue_done = services
        self.tickets_page.load_once()

        def imported(_none: None) -> None:
            if self.services is services:
                self.calendar.attach(services)  # writes the feed and syncs now and every 15 minutes

        def failed(error: BaseException) -> None:
            log.error("could not load the calendar's jobs", exc_info=error)
            text = self.tr("The calendar feed and sync could not start: {reason}").format(reason=error)
            self.message_bar.show_message(text, error=True)

        self.runner.submit(_import_calendar_jobs, imported, failed, owner=self)

    def update_list_scale(self) -> None:
        """The list's first page was scored by the RFM scale stored at an earlier start (making it reads
        every purchase: 1 s at 100,000 customers, which the first page must not wait for). Behind the
        window, after the queue's refresh: make it again if the customers changed since, and read the
        list again if its segments move."""
        if self.services is None:
            return
        value = self.services.value

        def made(changed: bool) -> None:
            if changed:
                self.list_panel.refresh()

        def failed(error: BaseException) -> None:  # the list keeps the segments it shows
            log.warning("could not bring the customer list's RFM scale up to date: %s", error)

        self.background_runner.submit(value.update_list_scale, made, failed, owner=self)

    def _list_failed(self, reason: str) -> None:
        """A search or a page of the customer list could not be read: say so (the list keeps what
        it showed; the next keystroke or change tries again)."""
        self.message_bar.show_message(
            self.tr("The customer list could not be read: {reason}").format(reason=reason), error=True
        )

    def apply_shop(self, shop: ShopSettings) -> None:
        """The shop's settings were read or changed: staff names, country for phone numbers."""
        self.staff_actions.load(shop.staff_names)
        self.customer_actions.set_default_region(shop.default_region)

    def _roles_changed(self) -> None:
        if not hasattr(self, "owner_actions"):
            return  # the actions come later in build()
        self.owner_gate.refresh()
        self._apply_owner_rules()
        self._enable_customer_actions()

    def _set_actor(self, actor: str) -> None:
        if self.staff.role() != "owner":
            self.owner_gate.lock()  # the PIN typed was for the owner, who is not working now
        self._roles_changed()
        self.customer_actions.set_actor(actor)
        self.import_actions.set_actor(actor)
        if self.services is not None:  # the service types are there once the database is open
            working = self.staff.current_actor()
            self.call_logger.set_actor(working)
            self.ticket_windows.set_actor(working)
            self.tickets_page.set_me(working.name)

    def _call_start(self) -> tuple[int | None, int | None]:
        """Where Ctrl+L starts: (customer, ticket) of a ticket window or editor in front, else the
        selection of the page shown. Windows are asked by attribute: features meet only in public.py."""
        from PySide6.QtWidgets import QApplication

        front = QApplication.activeModalWidget() or QApplication.activeWindow()
        if front is not None and front is not self:
            ticket_id = getattr(front, "ticket_id", None)
            if isinstance(ticket_id, int):
                return None, ticket_id
            edited_id = getattr(getattr(front, "customer", None), "id", None)  # the customer editor
            # Another window in front (a new customer's editor, say): not the list behind it.
            return (edited_id if isinstance(edited_id, int) else None), None
        page = self.pages.currentWidget()
        if page is self.tickets_page:
            return self.tickets_page.current_customer_id(), self.tickets_page.current_ticket_id()
        if page is self.care.queue_page:
            entry = self.care.queue_page.current_entry()
            return (entry.customer_id if entry is not None else None), None
        if page is self.splitter:
            return self.list_panel.current_id(), None
        return None, None

    def _call_logged(self, text: str, ticket_id: int | None, customer_id: int) -> None:
        """A call was saved: say so (with a way to its ticket) and show it on the customer's page."""
        if ticket_id is not None:

            def open_ticket() -> None:
                self.ticket_windows.open(ticket_id)

            self.message_bar.show_message(text, self.tr("Open ticket"), open_ticket)
        else:
            self.message_bar.show_message(text)
        self.list_panel.refresh()  # a walk-in may have been added
        if self.list_panel.current_id() == customer_id:
            self.customer_actions.show_customer(customer_id)
            self.customer_tickets.show_customer(customer_id)
            self.customer_feedback.show_customer(customer_id)  # the call may have recorded feedback

    def _tickets_counted(self, count: int) -> None:
        from careapp.ui.formatting import format_count

        title = (
            self.tr("Tickets ({count})").format(count=format_count(count)) if count else self.tr("Tickets")
        )
        self.detail.history.setTabText(self.tickets_tab, title)

    def record_purchase(self) -> None:
        """Ctrl+P: the purchase form for the customer selected in the list."""
        shown = self._shown_customer()
        if shown is not None:
            self.purchase_actions.record_for(*shown)

    def _purchases_changed(self, customer_id: int) -> None:
        self.list_panel.refresh()  # the list's Spent and Purchases columns
        if self.list_panel.current_id() == customer_id:
            self.customer_actions.show_customer(customer_id)  # the timeline shows the sale
            self.customer_value.show_customer(customer_id)  # the wallet figures count it
            self.customer_rewards.show_customer(customer_id)  # and the stamps and rewards it earned

    def _reward_rules_saved(self, text: str) -> None:
        self.message_bar.show_message(text)
        self.customer_rewards.show_customer(self.customer_rewards.customer_id)  # re-counted by the rules

    def _open_tickets_counted(self, count: int) -> None:
        from careapp.ui.formatting import format_count

        index = self.pages.indexOf(self.tickets_page)
        title = self.tr("Tic&kets")
        if count:
            title = self.tr("Tic&kets ({count})").format(count=format_count(count))
        self.pages.setTabText(index, title)

    def _feedback_counted(self, count: int) -> None:
        from careapp.ui.formatting import format_count

        title = (
            self.tr("Feedback ({count})").format(count=format_count(count)) if count else self.tr("Feedback")
        )
        self.detail.history.setTabText(self.feedback_tab, title)

    # --- pages ---------------------------------------------------------------------------

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        if page is self.care.queue_page:
            self.care.queue_page.focus_queue()
        elif page is self._overview:
            self.care.dashboard.focus_first()
        elif page is self.tickets_page:
            self.tickets_page.focus_list()

    def _fill_tab(self, placeholder: QWidget, page: QWidget) -> None:
        """A page was built: it takes its empty page's place on its tab."""
        index = self.pages.indexOf(placeholder)
        was_current = self.pages.currentWidget() is placeholder
        if placeholder is self._overview_placeholder:
            self._overview = page
        self.pages.insertTab(index, page, self.pages.tabText(index))
        self.pages.removeTab(index + 1)
        placeholder.deleteLater()
        if was_current:  # the tab was chosen before its page was there
            self.pages.setCurrentWidget(page)

    def _page_changed(self, _index: int) -> None:
        current = self.pages.currentWidget()
        if current is self._overview_placeholder:
            self.care.build_dashboard()  # puts itself on the tab and shows (see _put_overview)
            return
        if current is self._overview:
            self.care.show_overview()
        self._enable_customer_actions()

    def _enable_customer_actions(self) -> None:
        """Edit, note and delete act on the customer selected in the list: only while it shows."""
        enabled = (
            self.services is not None
            and self.pages.currentWidget() is self.splitter
            and self.list_panel.current_id() is not None
        )
        for action in (self.edit_action, self.delete_action, self.note_action, self.purchase_action):
            action.setEnabled(enabled)
        self.privacy.set_enabled(enabled)
        self._apply_owner_rules()

    def _shown_customer(self) -> tuple[int, str] | None:
        """The customer selected in the list (right-clicked, perhaps before their page has loaded)."""
        panel, customer = self.list_panel, self.detail.customer
        selected = panel.current_id()
        if customer is not None and customer.id == selected:
            return customer.id, customer.display_name()
        row = panel.table.currentIndex().row()
        if selected is None or panel.model is None or not panel.model.is_loaded(row):
            return None
        return selected, str(panel.model.data(panel.model.index(row, 0)))

    def _erased(self, customer_id: int) -> None:
        """Nothing of an erased customer stays behind: not in the list, the calendar, or an undo."""
        self.customer_actions.forget_deleted(customer_id)
        self.list_panel.refresh()
        self.customer_actions.customersChanged.emit()

    def _database_replaced(self) -> None:
        """A backup was restored into the open database: reload every page from it."""
        self.list_panel.refresh()
        self.care.refresh_soon("a backup was restored")
        self.customer_tickets.refresh()
        self.tickets_page.reload()
        self.calendar.changed()

    def find_customer(self) -> None:
        """Ctrl+F: to the customers' search box, from any page."""
        self.pages.setCurrentWidget(self.splitter)
        self.list_panel.focus_search()

    def show_customer(self, customer_id: int) -> None:
        """Show one customer on the Customers page (from the queue or the overview)."""
        from PySide6.QtCore import Qt

        self.pages.setCurrentWidget(self.splitter)
        panel = self.list_panel
        if panel.search.text():
            panel.search.clear()  # the whole list again, so the customer is in it
        panel.refresh(select_id=customer_id)
        panel.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_welcome(self, shop: ShopSettings) -> None:
        """First run: ask about the shop and how to start."""
        self.shop_actions.show_welcome(shop)

    def _welcome_finished(self, choice: StartChoice) -> None:
        from careapp.ui.formatting import format_count
        from careapp.ui.shop.controller import DEMO_CUSTOMERS
        from careapp.ui.shop.welcome import StartChoice  # loaded by the welcome itself by now

        if choice is StartChoice.IMPORT:
            self.import_action.trigger()
        elif choice is StartChoice.DEMO:
            self.list_panel.refresh()
            text = self.tr("Added {count} made-up customers to try careapp with.")
            self.message_bar.show_message(text.format(count=format_count(DEMO_CUSTOMERS)))

    def show_shortcuts(self) -> QWidget:
        """Help → Keyboard shortcuts: the list made from this window's actions."""
        from PySide6.QtCore import Qt

        from careapp.ui.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        from PySide6.QtCore import Qt

        from careapp.ui.about import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.about_info, self)
            self.about_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.about_dialog.finished.connect(lambda _code: setattr(self, "about_dialog", None))
            self.about_dialog.open()
        self.about_dialog.raise_()
        return self.about_dialog

    def bring_to_front(self) -> None:
        """Another launch of careapp asked for this window (single instance)."""
        log.info("another launch of careapp asked for this window")
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def show_open_failed(self) -> None:
        self.statusBar().showMessage(self.tr("The database could not be opened."))
        self.list_panel.empty.show_text(self.tr("The database could not be opened."), with_buttons=False)
        self.detail.show_message("")

    def _current_changed(self, customer_id: int | None) -> None:
        has_customer = customer_id is not None and self.services is not None
        self._enable_customer_actions()
        self.customer_actions.show_customer(customer_id)
        self.customer_tickets.show_customer(customer_id if has_customer else None)
        self.customer_feedback.show_customer(customer_id if has_customer else None)
        self.customer_value.show_customer(customer_id if has_customer else None)
        self.customer_rewards.show_customer(customer_id if has_customer else None)

    def _update_count(self) -> None:
        from careapp.ui.formatting import customers_text, matches_text

        model = self.list_panel.model
        if model is None:
            return
        if model.query.strip():
            self.count_label.setText(matches_text(model.rowCount(), model.total))
        else:
            self.count_label.setText(customers_text(model.total))

    def export_customers(self) -> None:
        from careapp.ui.export import ask_export_target

        if self.services is None:
            return
        target = ask_export_target(self)
        if target is not None:
            self.export_to(*target)

    def export_to(self, path: Path, export_format: str) -> None:
        from careapp.ui.export import run_export
        from careapp.ui.formatting import counted

        assert self.services is not None
        guard, actor = self.services.guard, self.staff.actor()
        self.statusBar().showMessage(self.tr("Exporting…"))
        # On the background thread: it reads every customer (about 25 s for 100,000), and only reads.
        self.background_runner.submit(
            lambda: run_export(guard, actor, path, export_format),
            lambda count: self.message_bar.show_message(
                self.tr("Exported {customers} to {path}.").format(
                    customers=counted(count, self.tr("{count} customer"), self.tr("{count} customers")),
                    path=path,
                )
            ),
            lambda error: self.message_bar.show_message(
                self.tr("The export failed: {error}").format(error=getattr(error, "strerror", None) or error),
                error=True,
            ),
            owner=self,
        )

    # --- window state --------------------------------------------------------------------

    def save_state(self) -> None:
        window_state.save(self.settings, self, self.splitter, self.detail, self.list_panel)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._built:  # closed before its pages were there: nothing runs, nothing to keep
            super().closeEvent(event)
            return
        # Quitting waits for the database thread; don't let it wait for a whole import.
        self.import_actions.cancel_running()
        self.care.shutdown()
        self.rewards.shutdown()
        self.calendar.shutdown()
        self.changes.stop()
        self.save_state()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # After this paint has reached the screen, not during it.
            QTimer.singleShot(0, self.firstPainted.emit)
