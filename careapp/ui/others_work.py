"""Other seats' work, put on screen in the main window.

:class:`careapp.ui.changes.ChangeWatcher` says which areas of data another seat changed;
:class:`OthersWorkRefresher` refreshes the customer list (keeping the selected customer and the scroll
position), the selected customer's page, their tickets and feedback, open ticket windows, the care
queue, the overview and the shop's settings, each only when its area moved. An editor with unsaved
typing is left alone: its save is checked against the version it was opened with, which is how a clash
with another seat is caught and shown.

It reaches the window only through :class:`WindowParts` (the main window is one), so neither module
imports the main window and the window imports both.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from careapp.context import Services
    from careapp.services.shop.settings import ShopSettings
    from careapp.ui.care.controller import CareController
    from careapp.ui.changes import ChangeWatcher
    from careapp.ui.customers.controller import CustomerController
    from careapp.ui.customers.list_panel import CustomerListPanel
    from careapp.ui.feedback import FeedbackPanel
    from careapp.ui.runner import Runner
    from careapp.ui.tickets.customer_tickets import CustomerTickets, TicketWindows
    from careapp.ui.widgets import MessageBar

log = logging.getLogger(__name__)

LIST_AREAS = frozenset({"customers", "other"})
CUSTOMER_PAGE_AREAS = frozenset({"customers", "tickets", "care", "other"})
TICKET_AREAS = frozenset({"tickets", "customers", "other"})
CARE_AREAS = frozenset({"customers", "tickets", "care", "settings", "other"})
SETTINGS_AREAS = frozenset({"settings", "other"})
MAKES_TOUCHES = frozenset({"customers", "tickets", "other"})


class WindowParts(Protocol):
    """What the refresher uses of the main window."""

    services: Services | None
    runner: Runner
    list_panel: CustomerListPanel
    customer_tickets: CustomerTickets
    ticket_windows: TicketWindows
    care: CareController
    message_bar: MessageBar
    customer_actions: CustomerController
    customer_feedback: FeedbackPanel

    def apply_shop(self, shop: ShopSettings) -> None: ...

    def statusBar(self) -> QStatusBar: ...


class OthersWorkRefresher(QObject):
    """Refreshes what the main window shows when another seat changed it (see the module docstring)."""

    def __init__(self, window: WindowParts, parent: QObject) -> None:
        super().__init__(parent)
        self._window = window
        self._scroll_to: int | None = None
        self._selected: list[int] = []
        window.list_panel.searchFinished.connect(self._list_refreshed)

    def refresh(self, areas: frozenset[str]) -> None:
        window = self._window
        if window.services is None:
            return
        if areas & LIST_AREAS:
            self._refresh_list()  # the list's answer shows the selected customer again, too
        elif areas & CUSTOMER_PAGE_AREAS:
            self._refresh_customer_page()
        if areas & TICKET_AREAS:
            window.customer_tickets.refresh()
            for dialog in list(window.ticket_windows.open_dialogs.values()):
                # One with a change half typed is left alone: its save is checked against the
                # version it showed, so a clash is caught and shown there.
                if not dialog.panel.isVisibleTo(dialog):
                    dialog.reload()
        if areas & MAKES_TOUCHES:
            # Their change may make touches due (a customer imported on the command line, a purchase):
            # refresh, not only reload. Not for their care or settings writes: those are what their
            # own refresh wrote, and refreshing for them would set the seats off refreshing in turn.
            window.care.refresh_soon("another seat's change")
        elif areas & CARE_AREAS:
            window.care.reload()
        if areas & SETTINGS_AREAS:
            self._reload_shop()
        window.statusBar().showMessage(self.tr("Showing the latest changes made on another computer."), 4000)

    def connection_lost(self, error: BaseException) -> None:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0:1]
        self._window.message_bar.show_message(
            self.tr(
                "careapp cannot reach the database ({reason}). It keeps trying; what you type in an "
                "open window stays there until it can be saved."
            ).format(reason=reason[0] if reason else type(error).__name__),
            error=True,
        )

    def connection_restored(self) -> None:
        self._window.message_bar.show_message(self.tr("The database answers again."))

    def _refresh_list(self) -> None:
        panel = self._window.list_panel
        if panel.model is None:
            return
        self._scroll_to = panel.table.verticalScrollBar().value()
        model, rows = panel.model, panel.table.selectionModel().selectedRows()
        self._selected = [cid for cid in (model.customer_id(i.row()) for i in rows) if cid is not None]
        panel.refresh()

    def _list_refreshed(self) -> None:
        self._reselect()
        if self._scroll_to is not None:
            # Selecting the row again scrolled it into view; the user's own place comes back.
            self._window.list_panel.table.verticalScrollBar().setValue(self._scroll_to)
            self._scroll_to = None

    def _reselect(self) -> None:
        """Several rows picked (for a bulk change) stay picked; the list only re-selected the current."""
        selected, self._selected = self._selected, []
        self._window.list_panel.pick_again(selected)

    def _refresh_customer_page(self) -> None:
        window = self._window
        customer_id = window.list_panel.current_id()
        if customer_id is not None:
            window.customer_actions.show_customer(customer_id)
            window.customer_feedback.show_customer(customer_id)

    def _reload_shop(self) -> None:
        window, services = self._window, self._window.services
        if services is None:
            return
        settings = services.settings
        # The refresher is a child of the window, so it is gone with it.
        window.runner.submit(settings.shop, window.apply_shop, self._shop_failed, owner=self)

    @staticmethod
    def _shop_failed(error: BaseException) -> None:
        log.warning("could not read the shop settings changed on another seat: %s", error)


def connect_refresher(watcher: ChangeWatcher, window: WindowParts, parent: QObject) -> OthersWorkRefresher:
    refresher = OthersWorkRefresher(window, parent)
    watcher.othersChanged.connect(refresher.refresh)
    watcher.lost.connect(refresher.connection_lost)
    watcher.restored.connect(refresher.connection_restored)
    return refresher
