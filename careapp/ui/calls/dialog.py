"""The "Log a call" window: find the customer, fill the prefilled form beside their story, save.

Three steps, all from the keyboard: (1) Ctrl+L opens it with the keyboard in the find box;
(2) typing and Enter picks the customer (or adds a walk-in); (3) Ctrl+Enter (or Enter outside the
summary) saves. The call timer runs from the moment the window opens. Saving goes through the
runner; when it fails, the sentence says why and everything typed stays. When the service thinks
the new ticket repeats an earlier one, the window says so and offers to mark it before closing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.clock import to_local
from careapp.domain.customer import CustomerRow
from careapp.domain.tickets import ACTIVE_STATES
from careapp.ui.calls.find_page import FindCustomerPage
from careapp.ui.calls.form import CallForm, CallLogged, log_call
from careapp.ui.customers.public import CustomerDetail, CustomerFile, load_customer_file
from careapp.ui.formatting import sentence, short_time
from careapp.ui.rewards.public import CustomerRewardsPanel
from careapp.ui.runner import Runner
from careapp.ui.tickets.public import ticket_label
from careapp.ui.widgets import Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.store import TicketSummary

FIND_STEP = 1
FORM_STEP = 2
SAVED_STEP = 3
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class RepeatSuggestion(QGroupBox):
    """After saving: "this looks like a repeat of ticket 12"; mark it, or say it is not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Saved. Is this the same problem again?"), parent)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.mark_button = QPushButton(self.tr("&Mark as a repeat"))
        self.skip_button = QPushButton(self.tr("N&ot a repeat"))
        self.skip_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.mark_button)
        buttons.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.earlier: TicketSummary | None = None
        self.attach = False  # True: offering to attach a contact that stands alone to ``earlier``
        self.new_matter = False  # True: before saving, offering a new ticket, a repeat of ``earlier``
        self.setVisible(False)

    def offer(self, earlier: TicketSummary) -> None:
        self.earlier = earlier
        self.text.setText(
            self.tr(
                "The new ticket looks like a repeat of {ticket}, opened {when} (same category, soon after "
                "it was resolved). A repeat counts against that ticket's strict FCR."
            ).format(
                ticket=ticket_label(earlier.id, earlier.title, earlier.category),
                when=short_time(earlier.opened_at),
            )
        )
        self.setVisible(True)
        self.mark_button.setDefault(True)
        self.mark_button.setFocus()

    def offer_new_matter(self, ticket: TicketSummary, decided_at: dt.datetime) -> None:
        """Not saved yet: the call is on a ticket whose windows have passed, so it is a new matter."""
        self.offer(ticket)
        self.new_matter = True
        self.setTitle(self.tr("Not saved yet: is this a new matter?"))
        self.text.setText(
            self.tr(
                "{ticket} was resolved and its reopen and repeat windows passed on {when}: a call on it "
                "now would count for nothing. Press Enter to log the call on a new ticket marked a "
                "repeat of it."
            ).format(
                ticket=ticket_label(ticket.id, ticket.title, ticket.category), when=short_time(decided_at)
            )
        )
        self.mark_button.setText(self.tr("&New ticket, a repeat of it"))
        self.skip_button.setText(self.tr("&Log on ticket {id} all the same").format(id=ticket.id))

    def offer_attach(self, ticket: TicketSummary) -> None:
        """The call stood alone, but the customer had a ticket resolved within the last N days."""
        self.offer(ticket)
        self.attach = True
        self.setTitle(self.tr("Saved. Is this call about a recent ticket?"))
        self.text.setText(
            self.tr(
                "{ticket} was resolved recently. If the customer called about it again, attach the call: "
                "within the reopen window it reopens the ticket, later it opens a new ticket marked a "
                "repeat. Either way it counts against that ticket's strict FCR."
            ).format(ticket=ticket_label(ticket.id, ticket.title, ticket.category))
        )
        self.mark_button.setText(self.tr("&Attach to it"))
        self.skip_button.setText(self.tr("N&ot about it"))


class LogCallDialog(QDialog):
    """Logging one call; ``logged(CallLogged)`` fires once it is saved."""

    logged = Signal(object)
    stepChanged = Signal(int)
    customersChanged = Signal()  # a walk-in was added, or taken back on Cancel

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Actor,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor, self._prompts = services, runner, actor, prompts
        self.elapsed = QElapsedTimer()
        self.elapsed.start()
        self.step = FIND_STEP
        self.saving = False
        self.result_call: CallLogged | None = None
        self.walk_in_id: int | None = None  # a customer this call added: Cancel takes them back
        self._wanted_ticket: int | None = None  # started from a ticket: the form goes on it
        self._discarding = False
        self.setWindowTitle(self.tr("Log a call"))
        self.steps = QLabel()
        self.steps.setAccessibleName(self.tr("Steps"))
        self.find_page = FindCustomerPage(runner)
        self.find_page.attach(services.tickets, actor)
        self.find_page.customerChosen.connect(self.choose_customer)
        self.find_page.walkInCreated.connect(self._walk_in_created)
        self.form = CallForm()
        self.form.set_actor(actor)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.find_page)
        self.stack.addWidget(self.form)
        self.suggestion = RepeatSuggestion()
        self.suggestion.mark_button.clicked.connect(self._mark_repeat)
        self.suggestion.skip_button.clicked.connect(self._skip_suggestion)
        self.story = CustomerDetail()
        self.story.show_message(self.tr("The customer's story shows here once you have found them."))
        # "1 reward waiting: a free coffee, …; 7 of 10 stamps": worth knowing while they are on the line.
        self.rewards = CustomerRewardsPanel(runner, self)
        self.rewards.hide()  # only its summary line is shown, in the story's header
        self.rewards.attach(services)
        self.story.header.form.addRow(self.tr("Rewards"), self.rewards.line)
        self._build_buttons()
        self._layout()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.save)
        self._show_step(FIND_STEP)
        self.resize(1180, 700)
        self._load_defaults()

    # --- building ------------------------------------------------------------------------

    def _build_buttons(self) -> None:
        self.back_button = QPushButton(self.tr("&Back"))
        self.back_button.setToolTip(self.tr("Choose another customer; what you typed stays"))
        self.back_button.clicked.connect(self.back_to_find)
        self.save_button = QPushButton(self.tr("Save call"))
        self.save_button.setToolTip(self.tr("Save the call (Ctrl+Enter)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the call log"))
        self.cancel_button.clicked.connect(self.reject)
        for button in (self.back_button, self.save_button, self.cancel_button):
            button.setAutoDefault(False)

    def _layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.steps)
        left_layout.addWidget(self.stack, 1)
        left_layout.addWidget(self.suggestion)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        left_layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("Their story"))
        heading.setStyleSheet("font-weight: bold;")
        right_layout.addWidget(heading)
        right_layout.addWidget(self.story, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def _show_step(self, step: int) -> None:
        self.step = step
        names = [
            self.tr("1 Find the customer"),
            self.tr("2 What happened"),
            self.tr("3 Save (Ctrl+Enter)"),
        ]
        self.steps.setText(
            "  ›  ".join(f"<b>{name}</b>" if index + 1 == step else name for index, name in enumerate(names))
        )
        on_form = step == FORM_STEP
        self.stack.setCurrentWidget(self.form if step >= FORM_STEP else self.find_page)
        self.back_button.setVisible(on_form)
        self.save_button.setVisible(step != SAVED_STEP)
        self.save_button.setEnabled(on_form and not self.saving)
        self.save_button.setDefault(on_form)
        self.form.setEnabled(step != SAVED_STEP)
        self.stepChanged.emit(step)

    # --- loading -------------------------------------------------------------------------

    def _load_defaults(self) -> None:
        tickets = self._services.tickets
        self._runner.submit(
            lambda: (tickets.contact_defaults(), tickets.categories()),
            self._defaults_loaded,
            lambda error: self.form.error.show_error(sentence(error)),
            owner=self,
        )

    def _defaults_loaded(self, loaded: tuple[object, list[str]]) -> None:
        defaults, categories = loaded
        started: dt.datetime | None = getattr(defaults, "started_at", None)
        if started is not None:
            self.form.set_now(started)
        self.form.set_categories(categories)

    def start_at(self, customer_id: int | None, ticket_id: int | None = None) -> None:
        """Start at the form for the customer on screen (or a ticket's customer, on that ticket)."""
        services, self._wanted_ticket = self._services, ticket_id

        def row() -> CustomerRow:
            owner = services.tickets.ticket(ticket_id).summary.customer_id if ticket_id else customer_id
            assert owner is not None
            found = services.customers.rows([owner])
            if not found:
                from careapp.services.customers.service import CustomerNotFound

                raise CustomerNotFound(owner)
            return found[0]

        self._runner.submit(row, self.choose_customer, self._start_failed, owner=self)

    def _start_failed(self, error: BaseException) -> None:
        # Deleted meanwhile, say: find them instead, with the reason above the find box.
        self._wanted_ticket = None
        self.find_page.start()
        self.find_page.hint.setText(sentence(error))

    def _walk_in_created(self, row: CustomerRow) -> None:
        self.walk_in_id = row.id
        self.customersChanged.emit()

    def choose_customer(self, customer: CustomerRow) -> None:
        """Step 2: the form for ``customer``, with their story and open tickets loading beside it."""
        self.form.start(customer, self.elapsed)
        self._show_step(FORM_STEP)
        self.form.summary.setFocus(Qt.FocusReason.OtherFocusReason)
        services, customer_id = self._services, customer.id
        self.rewards.show_customer(customer_id)
        self._runner.submit(
            lambda: load_customer_file(services.customers, customer_id),
            self._story_loaded,
            lambda error: self.story.show_message(sentence(error)),
            key=f"call-story-{id(self)}",
            owner=self,
        )
        self._runner.submit(
            lambda: services.tickets.tickets_for_customer(customer_id),
            self._tickets_loaded,
            lambda error: self.form.error.show_error(sentence(error)),
            key=f"call-tickets-{id(self)}",
            owner=self,
        )

    def _story_loaded(self, file: CustomerFile) -> None:
        self.story.display(file, to_local(self._services.clock()).date())

    def _tickets_loaded(self, tickets: list[TicketSummary]) -> None:
        # A call started from a resolved ticket may go on it (a reopen), or be offered as a new matter.
        wanted = self._wanted_ticket
        self.form.set_open_tickets([t for t in tickets if t.state in ACTIVE_STATES or t.id == wanted], wanted)
        if self._wanted_ticket is not None:
            index = self.form.ticket.findData(self._wanted_ticket)
            if index >= 0:
                self.form.ticket.setCurrentIndex(index)
            self._wanted_ticket = None

    def back_to_find(self) -> None:
        self._show_step(FIND_STEP)
        self.find_page.start()

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        """Step 3. Refused calls keep everything typed, with the reason under the form. A call on a
        ticket whose windows have passed is first offered as a new matter."""
        self._save("ask")

    def _save(self, after_windows: str) -> None:
        customer = self.form.customer
        if self.step != FORM_STEP or self.saving or customer is None:
            return
        values = self.form.values()
        if values.new_ticket is not None and not values.new_ticket.category:
            self.form.error.show_error(self.tr("Choose a category for the new ticket."))
            self.form.category.setFocus()
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.form.error.show_error(None)
        self.suggestion.setVisible(False)
        services, actor, customer_id = self._services, self._actor, customer.id
        self._runner.submit(
            lambda: log_call(services, actor, customer_id, values, after_windows),
            self._saved,
            self._save_failed,
            owner=self,
        )

    def _saved(self, call: CallLogged) -> None:
        self.saving = False
        self.result_call = call
        self.form.stop_timer()
        self.logged.emit(call)
        suggestions = call.logged.repeat_suggestions
        if suggestions and call.logged.ticket is not None:
            self._show_step(SAVED_STEP)
            self.suggestion.offer(suggestions[0])
            return
        if call.logged.attach_suggestions and call.logged.ticket is None:
            self._show_step(SAVED_STEP)
            self.suggestion.offer_attach(call.logged.attach_suggestions[0])
            return
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        from careapp.services.tickets.service import NewMatter

        self.saving = False
        self.save_button.setEnabled(self.step == FORM_STEP)
        if isinstance(error, NewMatter):
            self.suggestion.offer_new_matter(error.ticket, error.decided_at)
            return
        self.form.error.show_error(sentence(error))

    def _skip_suggestion(self) -> None:
        if self.suggestion.new_matter:
            self._answer_new_matter("log")
            return
        self.accept()

    def _answer_new_matter(self, after_windows: str) -> None:
        self.suggestion.new_matter = False
        self.suggestion.setVisible(False)
        self._save(after_windows)

    def _mark_repeat(self) -> None:
        if self.suggestion.new_matter:
            self._answer_new_matter("repeat")
            return
        call, earlier = self.result_call, self.suggestion.earlier
        if call is not None and earlier is not None and self.suggestion.attach:
            self._attach(call, earlier)
            return
        if call is None or call.logged.ticket is None or earlier is None:
            self.accept()
            return
        ticket, tickets, actor = call.logged.ticket, self._services.tickets, self._actor
        self.suggestion.mark_button.setEnabled(False)
        reason = self.tr("suggested when the call was logged")
        self._runner.submit(
            lambda: tickets.mark_repeat(actor, ticket.id, ticket.version, earlier.id, reason),
            lambda _ticket: self.accept(),
            self._mark_failed,
            owner=self,
        )

    def _attach(self, call: CallLogged, ticket: TicketSummary) -> None:
        tickets, actor, contact_id = self._services.tickets, self._actor, call.logged.contact.id
        self.suggestion.mark_button.setEnabled(False)
        self._runner.submit(
            lambda: tickets.attach_contact(actor, contact_id, ticket.id),
            lambda _ticket: self.accept(),
            self._mark_failed,
            owner=self,
        )

    def _mark_failed(self, error: BaseException) -> None:
        self.suggestion.mark_button.setEnabled(True)
        self.suggestion.text.setText(sentence(error))

    # --- keys and closing ----------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and self.step == FIND_STEP:
            event.accept()  # the find page handles Enter itself; never save from step 1
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self._discarding:
            return
        if (
            self.step == FORM_STEP
            and self.form.has_typing()
            and not self._prompts.confirm(
                self.tr("Close without saving?"),
                self.tr("The call has not been saved. Close and lose what you typed?"),
                self.tr("Close without saving"),
            )
        ):
            return
        self.form.stop_timer()
        if self.walk_in_id is not None and self.result_call is None:
            self._discard_walk_in(force=False)
            return
        super().reject()

    def _discard_walk_in(self, force: bool) -> None:
        """Cancel after adding a walk-in: take them back, then close (asks if they have history)."""
        tickets, actor, customer_id = self._services.tickets, self._actor, self.walk_in_id
        assert customer_id is not None
        self._discarding = True
        self._runner.submit(
            lambda: tickets.discard_walk_in(actor, customer_id, force),
            self._walk_in_discarded,
            self._discard_failed,
            owner=self,
        )

    def _walk_in_discarded(self, _name: str | None) -> None:
        self._discarding = False
        self.walk_in_id = None
        self.customersChanged.emit()
        super().reject()

    def _discard_failed(self, error: BaseException) -> None:
        from careapp.services.tickets.walk_ins import WalkInHasHistory

        self._discarding = False
        if isinstance(error, WalkInHasHistory):
            if self._prompts.confirm(
                self.tr("Remove the walk-in?"), str(error), self.tr("Remove them")
            ):
                self._discard_walk_in(force=True)
                return
            self.walk_in_id = None  # kept on purpose
            super().reject()
            return
        self._prompts.info(self.tr("The walk-in stays"), sentence(error))
        self.walk_in_id = None
        super().reject()

    def done(self, code: int) -> None:
        self.form.stop_timer()
        super().done(code)
