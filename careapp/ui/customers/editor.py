"""The customer editor dialog: new customers and edits, saved on the database thread.

Whatever happens on save (a field the service rejects, someone else saving first, a database
error), the dialog stays open with everything the user typed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import ConsentEvent, Customer, CustomerDraft
from careapp.ui.customers.editor_form import CustomerForm
from careapp.ui.customers.stale import ConflictChoice, differences
from careapp.ui.formatting import format_stored_time
from careapp.ui.keyboard import follow_layout, save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import PALETTE_EVENTS, ErrorLabel, Prompts, use_field_marks

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService


@dataclass(frozen=True)
class SaveRequest:
    """One save: the draft, the version it was based on, and the consent changes to record."""

    customer_id: int | None
    draft: CustomerDraft
    expected_version: int
    consents: tuple[ConsentEvent, ...]
    actor: str


def save_customer(
    customers: CustomerService, clock: Callable[[], dt.datetime], request: SaveRequest
) -> Customer:
    """Runs on the database thread: create or update, then record the consent changes."""
    if request.customer_id is None:
        saved = customers.create(request.draft, request.actor)
    else:
        saved = customers.update(request.customer_id, request.draft, request.expected_version, request.actor)
    if not request.consents:
        return saved
    now = clock()
    for event in request.consents:
        customers.record_consent(saved.id, dataclasses.replace(event, at=now))
    return customers.get(saved.id)


class CustomerEditor(QDialog):
    """Edits one customer (or a new one); emits ``saved`` with the stored customer."""

    saved = Signal(object)

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        prompts: Prompts,
        clock: Callable[[], dt.datetime],
        *,
        customer: Customer | None,
        default_region: str,
        actor: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers = customers
        self._runner = runner
        self._prompts = prompts
        self._clock = clock
        self._actor = actor
        self.customer = customer
        self._expected_version = customer.version if customer else 0
        self._saving = False
        self.setObjectName("customerEditor")
        self.setWindowTitle(
            self.tr("Edit {name}").format(name=customer.display_name())
            if customer
            else self.tr("New customer")
        )
        use_field_marks(self)
        self.form = CustomerForm(customers, runner, default_region, customer.id if customer else None)
        self.form.fill(customer)
        self.problem = ErrorLabel(self.tr("Problem saving"))
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Save status"))
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.form)
        self.scroll_area.setWidgetResizable(True)
        # The fields inside take the focus, not the scrolling frame around them.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        save_keys(self, self.save, with_ctrl_s=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(1120, 720)
        self._initial_state = self.form.state()
        self.form.rowsChanged.connect(self._update_tab_order)
        self._update_tab_order()
        self.form.first_name.setFocus()

    def _update_tab_order(self) -> None:
        """Top to bottom, the left column before the right, then the buttons."""
        follow_layout(self)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in PALETTE_EVENTS:
            use_field_marks(self)

    def is_dirty(self) -> bool:
        return self.form.state() != self._initial_state

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        if self._saving:
            return
        self.form.clear_errors()
        self.problem.show_error(None)
        draft, problems = self.form.draft()
        if draft is None:
            self._show_invalid(problems)
            return
        # The consent events get their real time on the database thread, when they are saved.
        consents = tuple(self.form.consent.events(dt.datetime(1970, 1, 1), self._actor))
        request = SaveRequest(
            self.customer.id if self.customer else None, draft, self._expected_version, consents, self._actor
        )
        self._set_saving(True)
        customers, clock = self._customers, self._clock
        self._runner.submit(
            lambda: save_customer(customers, clock, request),
            self._saved,
            lambda error: self._save_failed(error, draft),
            owner=self,
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.status.setText(self.tr("Saving…") if saving else "")

    def _saved(self, customer: Customer) -> None:
        self._set_saving(False)
        self.customer = customer
        self.saved.emit(customer)
        self.done(QDialog.DialogCode.Accepted)

    def _save_failed(self, error: BaseException, draft: CustomerDraft) -> None:
        from careapp.services.customers.service import CustomerNotFound, InvalidCustomer, StaleCustomer

        self._set_saving(False)
        if isinstance(error, InvalidCustomer):
            self._show_invalid(error.errors)
        elif isinstance(error, StaleCustomer):
            self._resolve_conflict(error, draft)
        elif isinstance(error, CustomerNotFound):
            self.problem.show_error(
                self.tr(
                    "{error} Cancel to close this editor, or save again to keep "
                    "what you typed as a new customer."
                ).format(error=error)
            )
            self.customer = None
        else:
            self.problem.show_error(
                self.tr(
                    "The customer could not be saved: {error} Nothing you typed is lost; try saving again."
                ).format(error=error)
            )

    def _show_invalid(self, errors: list) -> None:
        unplaced, first = self.form.show_errors(errors)
        count = len(errors)
        summary = (
            self.tr("Please correct the marked field.")
            if count == 1
            else self.tr("Please correct the {count} marked fields.").format(count=count)
        )
        self.problem.show_error(" ".join([summary, *unplaced]))
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)
            first.setFocus()

    def _resolve_conflict(self, error: BaseException, draft: CustomerDraft) -> None:
        current: Customer = error.current  # type: ignore[attr-defined]
        message = self._conflict_message(current)
        choice = self._prompts.resolve_conflict(message, differences(current.draft(), draft))
        if choice is ConflictChoice.OVERWRITE:
            self._expected_version = current.version
            self.save()
        elif choice is ConflictChoice.DISCARD_MINE:
            self.done(QDialog.DialogCode.Rejected)
        else:
            self.problem.show_error(
                self.tr("{message} Saving again will ask once more.").format(message=message)
            )

    def _conflict_message(self, current: Customer) -> str:
        """Who changed the customer and when, in local time (stored times are UTC)."""
        who = current.updated_by or self.tr("someone")
        if current.updated_at is None:
            return self.tr("{name} was changed by {who} while you were editing.").format(
                name=current.display_name(), who=who
            )
        return self.tr("{name} was changed by {who} on {when} while you were editing.").format(
            name=current.display_name(), who=who, when=format_stored_time(current.updated_at)
        )

    # --- leaving -------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Cancel and the close button: ask before throwing typed changes away."""
        if self._saving:
            return
        if self.is_dirty() and not self._prompts.confirm(
            self.tr("Discard changes?"),
            self.tr("You changed this customer. Close the editor and lose those changes?"),
            self.tr("Discard changes"),
        ):
            return
        super().reject()
