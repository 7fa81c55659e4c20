"""What the customer actions do: show, create, edit, delete (with undo) and add notes.

The controller turns a user's request into runner jobs and puts the answers on screen; it owns
no widgets of its own beyond the dialogs it opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from careapp.clock import to_local
from careapp.domain.customer import Customer
from careapp.ui.customers.detail import CustomerDetail, CustomerFile
from careapp.ui.customers.list_panel import CustomerListPanel
from careapp.ui.runner import Runner
from careapp.ui.staff.public import make_actor
from careapp.ui.widgets import MessageBar, Prompts

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService, DeletedCustomer
    from careapp.services.privacy.guard import CustomerGuard
    from careapp.ui.customers.editor import CustomerEditor
    from careapp.ui.customers.note_dialog import NoteDialog


def load_customer_file(customers: CustomerService, customer_id: int) -> CustomerFile:
    return CustomerFile(
        customers.get(customer_id), customers.timeline(customer_id), customers.purchases(customer_id)
    )


class CustomerController(QObject):
    """Runs the customer actions of the main window."""

    customersChanged = Signal()  # something was added, changed or removed
    undoAvailable = Signal(bool)

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        prompts: Prompts,
        panel: CustomerListPanel,
        detail: CustomerDetail,
        message_bar: MessageBar,
        actor: str,
    ) -> None:
        super().__init__(window)
        self._window, self._runner, self._prompts = window, runner, prompts
        self._panel, self._detail, self._message_bar = panel, detail, message_bar
        self._actor = actor
        self._customers: CustomerService | None = None
        self._guard: CustomerGuard | None = None
        self._clock: Callable[[], dt.datetime] | None = None
        self._default_region = "GB"
        self._deleted: DeletedCustomer | None = None
        self.editor: CustomerEditor | None = None  # the open editor, if any
        self.note_dialog: NoteDialog | None = None

    def attach(
        self,
        customers: CustomerService,
        clock: Callable[[], dt.datetime],
        default_region: str,
        guard: CustomerGuard | None = None,
    ) -> None:
        """``guard`` deletes (and undoes deletes) as the current actor: only the owner may, once the
        shop has a staff list; without it deleting is not offered."""
        self._customers, self._clock, self._default_region = customers, clock, default_region
        self._guard = guard

    def set_actor(self, actor: str) -> None:
        """Who is recorded from now on (dialogs already open keep the one they were opened with)."""
        self._actor = actor

    def set_default_region(self, region: str) -> None:
        self._default_region = region

    def _today(self) -> dt.date:
        assert self._clock is not None
        return to_local(self._clock()).date()

    # --- showing -------------------------------------------------------------------------

    def show_customer(self, customer_id: int | None) -> None:
        if customer_id is None or self._customers is None:
            self._detail.show_message(self.tr("Select a customer to see their details."))
            return
        customers = self._customers
        self._runner.submit(
            lambda: load_customer_file(customers, customer_id),
            lambda file: self._detail.display(file, self._today()),
            self._detail_failed,
            key="customer-detail",
            owner=self._detail,
        )

    def _detail_failed(self, error: BaseException) -> None:
        self._detail.show_message(str(error))

    # --- editing -------------------------------------------------------------------------

    def new_customer(self) -> None:
        self._open_editor(None)

    def edit_customer(self, customer_id: int | None = None) -> None:
        customer_id = customer_id if customer_id is not None else self._panel.current_id()
        if customer_id is None or self._customers is None or self.editor is not None:
            return
        customers = self._customers
        # Read a fresh copy: its version is the one the save will be checked against.
        self._runner.submit(
            lambda: customers.get(customer_id), self._open_editor, self._show_error, owner=self._window
        )

    def _open_editor(self, customer: Customer | None) -> None:
        if self._customers is None or self._clock is None or self.editor is not None:
            return
        # Imported when first needed, not before the window's first paint (phone number tables).
        from careapp.ui.customers.editor import CustomerEditor

        editor = CustomerEditor(
            self._customers,
            self._runner,
            self._prompts,
            self._clock,
            customer=customer,
            default_region=self._default_region,
            actor=self._actor,
            parent=self._window,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._saved)
        editor.finished.connect(self._editor_closed)
        self.editor = editor
        editor.open()

    def _editor_closed(self) -> None:
        self.editor = None

    def _saved(self, customer: Customer) -> None:
        self._message_bar.show_message(self.tr("Saved {name}.").format(name=customer.display_name()))
        self._panel.refresh(select_id=customer.id)
        self.customersChanged.emit()

    # --- deleting ------------------------------------------------------------------------

    def delete_current(self) -> None:
        customer_id = self._panel.current_id()
        if customer_id is None or self._guard is None:
            return
        name = self._detail.customer.display_name() if self._detail.customer else self.tr("this customer")
        if not self._prompts.confirm(
            self.tr("Delete customer"),
            self.tr("Delete {name}?").format(name=name),
            self.tr("Delete"),
            self.tr(
                "Their purchases, contacts, notes and consent history go too. "
                "You can undo this straight afterwards (Ctrl+Z)."
            ),
        ):
            return
        guard, actor = self._guard, self._actor
        # Refused for staff by the service (a sentence in the message bar; nothing is deleted).
        self._runner.submit(
            lambda: guard.delete_customer(make_actor(actor), customer_id),
            self._deleted_one,
            self._show_error,
            owner=self._window,
        )

    def _deleted_one(self, deleted: DeletedCustomer) -> None:
        self._deleted = deleted
        self.undoAvailable.emit(True)
        self._message_bar.show_message(
            self.tr("Deleted {name}.").format(name=deleted.name), self.tr("Undo"), self.undo_delete
        )
        self._panel.refresh()
        self.customersChanged.emit()

    def undo_delete(self) -> None:
        deleted, self._deleted = self._deleted, None
        if deleted is None or self._guard is None:
            return
        self.undoAvailable.emit(False)
        guard, actor = self._guard, self._actor
        self._runner.submit(
            lambda: guard.undo_delete(make_actor(actor), deleted),
            self._restored,
            lambda error: self._undo_failed(deleted, error),
            owner=self._window,
        )

    def forget_deleted(self, customer_id: int) -> None:
        """Drop the delete's undo copy if it is of ``customer_id`` (erased: no copy may stay)."""
        if self._deleted is not None and self._deleted.customer_id == customer_id:
            self._deleted = None
            self.undoAvailable.emit(False)

    def _restored(self, customer: Customer) -> None:
        self._message_bar.show_message(self.tr("{name} is back.").format(name=customer.display_name()))
        self._panel.refresh(select_id=customer.id)
        self.customersChanged.emit()

    def _undo_failed(self, deleted: DeletedCustomer, error: BaseException) -> None:
        self._deleted = deleted
        self.undoAvailable.emit(True)
        self._show_error(error)

    # --- notes ---------------------------------------------------------------------------

    def add_note(self) -> None:
        customer = self._detail.customer
        if customer is None or self._customers is None:
            return
        from careapp.ui.customers.note_dialog import NoteDialog

        dialog = NoteDialog(
            self._customers,
            self._runner,
            self._prompts,
            customer.id,
            customer.display_name(),
            self._actor,
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(lambda _entry: self.show_customer(customer.id))
        dialog.finished.connect(lambda _code: setattr(self, "note_dialog", None))
        self.note_dialog = dialog
        dialog.open()

    def _show_error(self, error: BaseException) -> None:
        self._message_bar.show_message(str(error), error=True)
