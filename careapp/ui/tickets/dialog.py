"""One ticket: who and what it is about, its contacts, what can be done with it, and its audit trail.

Every change goes through the runner with the version shown; when someone else changed the ticket
first (:class:`~careapp.services.tickets.service.StaleTicket`) the screen says so in a sentence and shows
the ticket as it now is. A refused change (a state the ticket cannot go to, an owner-only change by
staff) is explained in a sentence and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.tickets import Exclusion, NotResolvableReason, Priority, TicketState
from careapp.ui.change_panel import ChangePanel, ChangeSpec
from careapp.ui.formatting import sentence, short_time
from careapp.ui.runner import Runner
from careapp.ui.table import make_table
from careapp.ui.tickets.models import AuditModel, ContactsModel
from careapp.ui.tickets.page import TicketPage, allowed_actions, load_ticket_page
from careapp.ui.tickets.texts import (
    exclusion_name,
    not_resolvable_name,
    priority_name,
    state_name,
    ticket_label,
)
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.store import Ticket, TicketSummary

translate = QCoreApplication.translate


class TicketHeader(QWidget):
    """The ticket's title and its fields: customer, category, priority, state, assignee, opened, and
    its marks when it has any."""

    # Not the version: it is careapp's guard against two edits at once, a number nobody needs to read.
    FIELDS = ("customer", "category", "priority", "state", "assignee", "opened", "marks")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("Loading the ticket…"))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName(self.tr("Ticket"))
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        titles = {
            "customer": self.tr("Customer"),
            "category": self.tr("Category"),
            "priority": self.tr("Priority"),
            "state": self.tr("State"),
            "assignee": self.tr("Assigned to"),
            "opened": self.tr("Opened"),
            "marks": self.tr("Marks"),
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for index, key in enumerate(self.FIELDS):
            caption = QLabel(titles[key] + ":")
            caption.setStyleSheet("color: palette(placeholder-text);")
            value = QLabel()
            value.setAccessibleName(titles[key])
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(key == "marks")
            self.values[key] = value
            self.captions[key] = caption
            row, column = divmod(index, 3) if key != "marks" else (2, 1)
            grid.addWidget(caption, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1, 1, 3 if key == "marks" else 1)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)

    def display(self, ticket: Ticket) -> None:
        summary = ticket.summary
        self.title.setText(ticket_label(summary.id, summary.title, summary.category))
        texts = {
            "customer": summary.customer_name,
            "category": summary.category,
            "priority": priority_name(summary.priority),
            "state": state_name(summary.state),
            "assignee": summary.assignee or self.tr("nobody"),
            "opened": self.tr("{when} by {who}").format(
                when=short_time(summary.opened_at), who=summary.opened_by
            ),
            "marks": marks_text(summary),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        # Marks only when there are some ("Marks: none" read as a field left empty).
        for widget in (self.captions["marks"], self.values["marks"]):
            widget.setVisible(bool(texts["marks"]))


def marks_text(summary: TicketSummary) -> str:
    """Merged into, repeat of, not resolvable at first contact, left out of the FCR figures."""
    marks = []
    if summary.merged_into_id is not None:
        marks.append(translate("Tickets", "merged into ticket {id}").format(id=summary.merged_into_id))
    if summary.repeat_of_id is not None:
        marks.append(translate("Tickets", "repeat of ticket {id}").format(id=summary.repeat_of_id))
    if summary.not_resolvable_reason is not None:
        marks.append(
            translate("Tickets", "not resolvable at first contact ({why})").format(
                why=not_resolvable_name(summary.not_resolvable_reason).lower()
            )
        )
    if summary.exclusion is not None and summary.exclusion is not Exclusion.MERGED:
        marks.append(
            translate("Tickets", "left out of the FCR figures ({why})").format(
                why=exclusion_name(summary.exclusion).lower()
            )
        )
    return "; ".join(marks)


class TicketDialog(QDialog):
    """A ticket's screen. ``changed(ticket_id)`` fires after every change that was saved."""

    changed = Signal(int)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Actor,
        ticket_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self.ticket_id = ticket_id
        self.page: TicketPage | None = None
        self.setWindowTitle(self.tr("Ticket {id}").format(id=ticket_id))
        self.header = TicketHeader()
        self.error = ErrorLabel(self.tr("Problem with the ticket"))
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.suggestion.setVisible(False)
        self.buttons: dict[str, QPushButton] = {}
        self.panel = ChangePanel()
        self.panel.applyRequested.connect(lambda job: self._run(job, from_panel=True))
        self.contacts_model = ContactsModel(self)
        self.audit_model = AuditModel(self)
        self.contacts = make_table(self.tr("Contacts"))
        self.contacts.setModel(self.contacts_model)
        self.audit = make_table(self.tr("Audit trail"))
        self.audit.setModel(self.audit_model)
        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close_box.rejected.connect(self.reject)
        self.close_button = close_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.error)
        layout.addWidget(self.suggestion)
        layout.addLayout(self._button_rows())
        layout.addWidget(self.panel)
        layout.addWidget(self._tables(), 1)
        layout.addWidget(close_box)
        self._set_enabled(None)
        self.resize(1000, 640)
        self.reload()

    # --- building ------------------------------------------------------------------------

    def _button(self, key: str, text: str, slot: Callable[[], None], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        self.buttons[key] = button
        return button

    def _button_rows(self) -> QVBoxLayout:
        first = [
            self._button("start", self.tr("&Start work"), self._start, self.tr("Someone is working on it")),
            self._button(
                "wait_customer",
                self.tr("Wait on c&ustomer"),
                self._wait_customer,
                self.tr("Waiting for the customer to answer or bring something in"),
            ),
            self._button(
                "wait_supplier",
                self.tr("Wait on su&pplier"),
                self._wait_supplier,
                self.tr("Waiting for a supplier: parts, a delivery, an answer"),
            ),
            self._button("resolve", self.tr("&Resolve"), self._resolve, self.tr("The problem is solved")),
            self._button(
                "close", self.tr("C&lose ticket"), self._close, self.tr("Close it (resolved or not)")
            ),
            self._button(
                "reopen",
                self.tr("Re&open…"),
                self._reopen,
                self.tr("It came back: open it again, with a reason"),
            ),
        ]
        second = [
            self._button("assign", self.tr("&Assign…"), self._assign, self.tr("Give it to a staff member")),
            self._button("category", self.tr("Cate&gory…"), self._category, self.tr("Change the category")),
            self._button("priority", self.tr("Priorit&y…"), self._priority, self.tr("Change the priority")),
            self._button(
                "repeat",
                self.tr("Repea&t of…"),
                self._repeat,
                self.tr("Mark it as a repeat of an earlier ticket of this customer, or clear that"),
            ),
            self._button(
                "not_resolvable",
                self.tr("&Not resolvable…"),
                self._not_resolvable,
                self.tr("It could not be solved at the first contact (parts, repair, visit)"),
            ),
            self._button(
                "exclude",
                self.tr("E&xclude…"),
                self._exclude,
                self.tr("Leave it out of the FCR figures (spam, no action needed); owner only"),
            ),
            self._button(
                "merge",
                self.tr("&Merge into…"),
                self._merge,
                self.tr("It is a duplicate: fold it into another ticket of this customer"),
            ),
        ]
        rows = QVBoxLayout()
        for buttons in (first, second):
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            rows.addLayout(row)
        return rows

    def _tables(self) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        for title, table in ((self.tr("Contacts"), self.contacts), (self.tr("Audit trail"), self.audit)):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 6, 0, 0)
            heading = QLabel(title)
            heading.setStyleSheet("font-weight: bold;")
            box_layout.addWidget(heading)
            box_layout.addWidget(table)
            splitter.addWidget(box)
        return splitter

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        services, actor, ticket_id = self._services, self._actor, self.ticket_id
        self._runner.submit(
            lambda: load_ticket_page(services, actor, ticket_id),
            self._loaded,
            lambda error: self.error.show_error(sentence(error)),
            key=f"ticket-page-{id(self)}",
            owner=self,
        )

    def _loaded(self, page: TicketPage) -> None:
        self.page = page
        self._display(page.ticket)
        self._show_suggestion(page)

    def _display(self, ticket: Ticket) -> None:
        self.header.display(ticket)
        self.contacts_model.set_rows(ticket.contacts)
        self.audit_model.set_rows(ticket.audit)
        for table in (self.contacts, self.audit):
            table.resizeColumnsToContents()
            table.scrollToBottom()
        can_exclude = self.page.can_exclude if self.page is not None else False
        self._set_enabled(ticket.summary, can_exclude)

    def _show_suggestion(self, page: TicketPage) -> None:
        summary = page.ticket.summary
        shown = (
            bool(page.repeat_suggestions) and summary.repeat_of_id is None and summary.merged_into_id is None
        )
        if shown:
            earlier = page.repeat_suggestions[0]
            self.suggestion.setText(
                self.tr(
                    "This looks like a repeat of {ticket} (same customer and category, opened soon "
                    "after it was resolved). Use “Repeat of…” to mark it."
                ).format(ticket=ticket_label(earlier.id, earlier.title, earlier.category))
            )
        self.suggestion.setVisible(shown)

    def _set_enabled(self, summary: TicketSummary | None, can_exclude: bool = False) -> None:
        if summary is None:
            for button in self.buttons.values():
                button.setEnabled(False)
            return
        allowed = allowed_actions(summary, can_exclude)
        for key in ("start", "wait_customer", "wait_supplier", "resolve", "close", "reopen"):
            self.buttons[key].setEnabled(getattr(allowed, key))
        for key in ("assign", "category", "priority", "repeat", "not_resolvable", "merge"):
            self.buttons[key].setEnabled(allowed.edit)
        self.buttons["exclude"].setEnabled(allowed.exclude)
        if not can_exclude:
            self.buttons["exclude"].setToolTip(
                self.tr("Only the owner can leave tickets out of the FCR figures.")
            )

    # --- running a change ----------------------------------------------------------------

    def _summary(self) -> TicketSummary:
        assert self.page is not None
        return self.page.ticket.summary

    def _run(self, job: Callable[[], Any], from_panel: bool = False) -> None:
        self.error.show_error(None)
        self._runner.submit(
            job,
            self._saved,
            lambda error: self._failed(error, from_panel),
            owner=self,
        )

    def _saved(self, _result: object) -> None:
        self.panel.close_panel()
        self.changed.emit(self.ticket_id)
        self.reload()

    def _failed(self, error: BaseException, from_panel: bool) -> None:
        from careapp.services.tickets.service import StaleTicket

        if isinstance(error, StaleTicket):
            # Show the ticket as it is now; whatever was typed in the panel stays for a second try.
            self.error.show_error(sentence(error))
            self.panel.show_error(self.tr("Nothing was changed; check the ticket and try again."))
            if error.current.id == self.ticket_id:
                self._display(error.current)
            self.reload()
        elif from_panel and self.panel.isVisible():
            self.panel.show_error(sentence(error))
        else:
            self.error.show_error(sentence(error))

    def _state_job(self, name: str) -> Callable[[], Any]:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        method = getattr(tickets, name)
        return lambda: method(actor, summary.id, summary.version)

    def _start(self) -> None:
        self._run(self._state_job("start_work"))

    def _wait_customer(self) -> None:
        self._run(self._state_job("wait_on_customer"))

    def _wait_supplier(self) -> None:
        self._run(self._state_job("wait_on_supplier"))

    def _resolve(self) -> None:
        self._run(self._state_job("resolve"))

    def _close(self) -> None:
        self._run(self._state_job("close"))

    # --- changes with a choice or a reason -----------------------------------------------

    def _reopen(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        states = (TicketState.OPEN, TicketState.WAITING_CUSTOMER, TicketState.WAITING_SUPPLIER)
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Reopen ticket {id}").format(id=summary.id),
                prompt=self.tr(
                    "Why is it open again? A reopen within the reopen window counts against strict FCR."
                ),
                choices=[(state_name(s), s) for s in states],
                choice_label=self.tr("Reopen as:"),
                current=TicketState.OPEN,
                apply_text=self.tr("Reopen"),
                make_job=lambda to, reason: (
                    lambda: tickets.reopen(actor, summary.id, summary.version, reason, to)
                ),
            )
        )

    def _assign(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        assert self.page is not None
        names = list(self.page.staff)
        if summary.assignee and summary.assignee not in names:
            names.append(summary.assignee)
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Assign ticket {id}").format(id=summary.id),
                prompt="",
                choices=[(self.tr("(nobody)"), ""), *((name, name) for name in names)],
                choice_label=self.tr("Assign to:"),
                current=summary.assignee,
                reason_required=False,
                apply_text=self.tr("Assign"),
                make_job=lambda name, reason: (
                    lambda: tickets.assign(actor, summary.id, summary.version, name, reason)
                ),
            )
        )

    def _category(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        assert self.page is not None
        categories = list(self.page.categories)
        if summary.category not in categories:
            categories.insert(0, summary.category)
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Change the category of ticket {id}").format(id=summary.id),
                prompt=self.tr("The category decides which later tickets count as repeats of this one."),
                choices=[(c, c) for c in categories],
                choice_label=self.tr("Category:"),
                current=summary.category,
                editable=True,
                apply_text=self.tr("Change category"),
                make_job=lambda category, reason: (
                    lambda: tickets.set_category(actor, summary.id, summary.version, category, reason)
                ),
            )
        )

    def _priority(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Change the priority of ticket {id}").format(id=summary.id),
                prompt="",
                choices=[(priority_name(p), p) for p in Priority],
                choice_label=self.tr("Priority:"),
                current=summary.priority,
                reason_required=False,
                apply_text=self.tr("Change priority"),
                make_job=lambda priority, reason: (
                    lambda: tickets.set_priority(actor, summary.id, summary.version, priority, reason)
                ),
            )
        )

    def _repeat(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        assert self.page is not None
        earlier = [
            t for t in self.page.siblings if t.merged_into_id is None and t.opened_at <= summary.opened_at
        ]
        suggested = self.page.repeat_suggestions[0].id if self.page.repeat_suggestions else None
        choices: list[tuple[str, Any]] = [(self.tr("(not a repeat)"), None)]
        choices += [(_choice_text(t), t.id) for t in earlier]

        def make_job(earlier_id: int | None, reason: str) -> Callable[[], Any]:
            if earlier_id is None:
                return lambda: tickets.clear_repeat(actor, summary.id, summary.version, reason)
            return lambda: tickets.mark_repeat(actor, summary.id, summary.version, earlier_id, reason)

        self.panel.ask(
            ChangeSpec(
                title=self.tr("Is ticket {id} a repeat?").format(id=summary.id),
                prompt=self.tr(
                    "A repeat is the same customer back with the same problem; it counts against the "
                    "earlier ticket's strict FCR."
                ),
                choices=choices,
                choice_label=self.tr("Repeat of:"),
                current=summary.repeat_of_id or suggested,
                apply_text=self.tr("Save"),
                make_job=make_job,
            )
        )

    def _not_resolvable(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        choices: list[tuple[str, Any]] = [(self.tr("(it could have been: clear the mark)"), None)]
        choices += [(not_resolvable_name(r), r) for r in NotResolvableReason]

        def make_job(cause: NotResolvableReason | None, reason: str) -> Callable[[], Any]:
            if cause is None:
                return lambda: tickets.clear_not_resolvable(actor, summary.id, summary.version, reason)
            return lambda: tickets.mark_not_resolvable(actor, summary.id, summary.version, cause, reason)

        self.panel.ask(
            ChangeSpec(
                title=self.tr("Could ticket {id} be solved at the first contact?").format(id=summary.id),
                prompt=self.tr(
                    "A ticket that could not be solved at the first contact (parts, a repair, a visit) "
                    "is left out of net FCR."
                ),
                choices=choices,
                choice_label=self.tr("Because:"),
                current=summary.not_resolvable_reason or NotResolvableReason.REPAIR,
                apply_text=self.tr("Save"),
                make_job=make_job,
            )
        )

    def _exclude(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        choices: list[tuple[str, Any]] = [(self.tr("(count it: include it again)"), None)]
        choices += [(exclusion_name(e), e) for e in (Exclusion.SPAM, Exclusion.NO_ACTION)]
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Leave ticket {id} out of the FCR figures?").format(id=summary.id),
                prompt=self.tr("Owner only. Spam and tickets that needed no action are in no FCR rate."),
                choices=choices,
                choice_label=self.tr("Leave out as:"),
                current=summary.exclusion or Exclusion.SPAM,
                apply_text=self.tr("Save"),
                make_job=lambda exclusion, reason: (
                    lambda: tickets.set_exclusion(actor, summary.id, summary.version, exclusion, reason)
                ),
            )
        )

    def _merge(self) -> None:
        tickets, actor, summary = self._services.tickets, self._actor, self._summary()
        assert self.page is not None
        targets = [t for t in self.page.siblings if t.merged_into_id is None]
        if not targets:
            self.error.show_error(
                self.tr("{name} has no other ticket to merge this one into.").format(
                    name=summary.customer_name
                )
            )
            return
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Merge ticket {id} into another").format(id=summary.id),
                prompt=self.tr(
                    "The same problem raised twice: this ticket's contacts move to the one you choose, "
                    "and this one is closed and left out of the figures."
                ),
                choices=[(_choice_text(t), t) for t in targets],
                choice_label=self.tr("Merge into:"),
                apply_text=self.tr("Merge"),
                make_job=lambda target, reason: (
                    lambda: tickets.merge(
                        actor, summary.id, summary.version, target.id, target.version, reason
                    )
                ),
            )
        )


def _choice_text(ticket: TicketSummary) -> str:
    return translate("Tickets", "{ticket} ({state}, opened {when})").format(
        ticket=ticket_label(ticket.id, ticket.title, ticket.category),
        state=state_name(ticket.state).lower(),
        when=short_time(ticket.opened_at),
    )
