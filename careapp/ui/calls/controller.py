"""Opening the call log from anywhere in the app, and saying what was logged."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from careapp.ui.runner import Runner
from careapp.ui.tickets.public import outcome_name
from careapp.ui.widgets import Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.ui.calls.dialog import LogCallDialog
    from careapp.ui.calls.form import CallLogged

LOG_CALL_SHORTCUT = "Ctrl+L"
# Where a call starts: (customer id, ticket id) of what is on screen, either may be None.
CallStart = tuple[int | None, int | None]
# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


class _OverModalShortcut(QObject):
    """Ctrl+L while a modal window is open (the customer editor, a question): Qt does not let a
    modal window's owner take shortcuts, so the key press is caught here on its way to the focus."""

    def __init__(self, action: QAction, parent: QObject) -> None:
        super().__init__(parent)
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and QApplication.activeModalWidget() is not None
            and self._action.isEnabled()
            and QKeySequence(event.keyCombination()).matches(self._action.shortcut())
            == QKeySequence.SequenceMatch.ExactMatch
        ):
            self._action.trigger()
            return True
        return False


class CallLogger(QObject):
    """Owns the "Log a call…" action (Ctrl+L, application-wide) and the one call log window.

    ``logged(CallLogged)`` fires after each saved call; ``announced(sentence, ticket_id or None,
    customer_id)`` says what was logged, for the message bar.
    """

    logged = Signal(object)
    announced = Signal(str, object, int)
    customersChanged = Signal()  # a walk-in was added during a call, or taken back on Cancel

    def __init__(self, window: QWidget, runner: Runner, prompts: Prompts) -> None:
        super().__init__(window)
        self._window, self._runner, self._prompts = window, runner, prompts
        self._services: Services | None = None
        self._actor: Actor | None = None
        self.dialog: LogCallDialog | None = None
        self.action = QAction(self.tr("&Log a call…"), window)
        self.action.setShortcut(QKeySequence(LOG_CALL_SHORTCUT))
        # From anywhere: the main window, an open editor, a ticket, the report.
        self.action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action.setToolTip(self.tr("Log a call or a visit: find the customer, say what happened"))
        self.action.triggered.connect(self.open_here)
        self._where: Callable[[], CallStart] = lambda: (None, None)
        self.action.setEnabled(False)
        window.addAction(self.action)
        self._over_modal = _OverModalShortcut(self.action, self)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self._over_modal)

    def attach(self, services: Services) -> None:
        self._services = services
        self.action.setEnabled(self._actor is not None)

    def set_actor(self, actor: Actor) -> None:
        """Who logs from now on (a call log already open keeps the one it was opened with)."""
        self._actor = actor
        self.action.setEnabled(self._services is not None)

    def set_where(self, where: Callable[[], CallStart]) -> None:
        """Tells Ctrl+L which customer (or ticket) is open or selected, to start the call there."""
        self._where = where

    def open_here(self) -> LogCallDialog | None:
        """Ctrl+L: at the form for the customer on screen, on the ticket on screen; else the find step."""
        if self.dialog is not None:
            return self.open()
        customer_id, ticket_id = self._where()
        return self.open(customer_id, ticket_id)

    def open(self, customer_id: int | None = None, ticket_id: int | None = None) -> LogCallDialog | None:
        if self._services is None or self._actor is None:
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            if self.dialog.step == 1:
                self.dialog.find_page.start()
            return self.dialog
        # Imported here, not before the window's first paint: the dialog brings in half the Qt layer.
        from careapp.ui.calls.dialog import LogCallDialog

        dialog = LogCallDialog(self._services, self._runner, self._actor, self._prompts, self._window)
        if QApplication.activeModalWidget() is not None:
            # Over an open editor (or any modal box): modal itself, so the editor does not block it.
            dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.logged.connect(lambda call: self._logged(dialog, call))
        dialog.finished.connect(self._closed)
        dialog.customersChanged.connect(self.customersChanged)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if customer_id is None and ticket_id is None:
            dialog.find_page.start()
        else:
            dialog.start_at(customer_id, ticket_id)
        return dialog

    def _closed(self) -> None:
        self.dialog = None

    def _logged(self, dialog: LogCallDialog, call: CallLogged) -> None:
        self.logged.emit(call)
        customer = dialog.form.customer
        name = customer.name if customer is not None else ""
        ticket = call.logged.ticket
        self.announced.emit(
            logged_text(call, name),
            ticket.id if ticket is not None else None,
            call.logged.contact.customer_id,
        )


def logged_text(call: CallLogged, customer_name: str) -> str:
    """ "Logged the call with Evan Price on ticket 42: resolved now." for the message bar."""
    logged = call.logged
    outcome = outcome_name(logged.contact.outcome).lower()
    if logged.ticket is None:
        text = translate("CallLogger", "Logged the contact with {name}.").format(name=customer_name)
    elif outcome:
        text = translate("CallLogger", "Logged the call with {name} on ticket {id}: {outcome}.").format(
            name=customer_name, id=logged.ticket.id, outcome=outcome
        )
    else:
        text = translate("CallLogger", "Logged the call with {name} on ticket {id}.").format(
            name=customer_name, id=logged.ticket.id
        )
    return " ".join([text, *logged.notes])
