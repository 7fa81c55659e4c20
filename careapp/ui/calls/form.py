"""Step 2 of logging a call: the form, prefilled, with a running call timer.

Defaults: an incoming phone call, logged by whoever is working, started when the call log opened,
on a new ticket in the category "General" with normal priority, and no outcome yet. The outcomes
have mnemonics (Alt+R resolved now, Alt+C callback promised, …); a callback needs a time (tomorrow at
10:00 unless changed) and a repair or visit needs a reason. :func:`log_call` turns the values into
the service's contact form on the database thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QElapsedTimer, QLocale, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from careapp.clock import to_local
from careapp.domain.customer import CustomerRow
from careapp.domain.tickets import ACTIVE_STATES, ContactChannel, Direction, Outcome, Priority
from careapp.ui.calls.find_model import row_text
from careapp.ui.fields import DateTimeField
from careapp.ui.formatting import duration_text, local_qdatetime, utc_from_local
from careapp.ui.tickets.public import channel_text, priority_name, state_name, ticket_label
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.feedback import Feedback
    from careapp.services.tickets.service import LoggedContact
    from careapp.services.tickets.store import TicketSummary

DEFAULT_CATEGORY = "General"
CALLBACK_HOUR = 10
TITLE_LENGTH = 80
NEW_TICKET = "new"
NO_TICKET = "none"


@dataclass(frozen=True)
class NewTicketValues:
    category: str
    title: str
    priority: Priority


@dataclass(frozen=True)
class CallValues:
    """What the form says, in storage terms (naive UTC times)."""

    channel: ContactChannel
    direction: Direction
    started_at: dt.datetime
    duration_seconds: int
    summary: str
    outcome: Outcome | None
    callback_at: dt.datetime | None
    outcome_reason: str
    ticket_id: int | None
    new_ticket: NewTicketValues | None
    customer_confirmed: bool | None
    feedback: str = ""  # the customer's own words when they confirmed it is resolved


@dataclass(frozen=True)
class CallLogged:
    """What saving the call did: the contact (and ticket), and the feedback kept if any."""

    logged: LoggedContact
    feedback: Feedback | None


def log_call(
    services: Services, actor: Actor, customer_id: int, values: CallValues, after_windows: str = "ask"
) -> CallLogged:
    """Database thread: log the contact (the service checks it and says what is wrong), then keep
    the customer's confirmation as positive feedback when they gave it. ``after_windows`` is what to
    do with a call on a ticket whose FCR windows have passed ("ask": the service raises NewMatter,
    "repeat": a new ticket marked a repeat of it, "log": on the ticket all the same)."""
    from careapp.services.tickets.service import AfterWindows, ContactInput, NewTicket

    new = values.new_ticket
    logged = services.tickets.log_contact(
        actor,
        customer_id,
        ContactInput(
            channel=values.channel,
            direction=values.direction,
            started_at=values.started_at,
            duration_seconds=values.duration_seconds,
            summary=values.summary,
            outcome=values.outcome,
            callback_at=values.callback_at,
            outcome_reason=values.outcome_reason,
            ticket_id=values.ticket_id,
            new_ticket=None if new is None else NewTicket(new.category, new.title, new.priority),
            customer_confirmed=values.customer_confirmed,
            after_windows=AfterWindows(after_windows),
        ),
    )
    feedback = None
    if values.customer_confirmed:
        ticket_id = logged.ticket.id if logged.ticket is not None else None
        feedback = services.feedback.record(actor, customer_id, True, values.feedback, ticket_id)
    return CallLogged(logged, feedback)


def title_from(summary: str) -> str:
    """A new ticket's title: the summary's first line, cut at a word near 80 characters."""
    first = summary.strip().splitlines()[0] if summary.strip() else ""
    if len(first) <= TITLE_LENGTH:
        return first
    return first[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


def short_date_time_format() -> str:
    """The locale's short date and time ("dd/MM/yyyy HH:mm" in en_GB), with a four-digit year."""
    pattern = QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def tomorrow_at_ten(now_utc: dt.datetime) -> QDateTime:
    """The default callback time: 10:00 local time the day after ``now_utc``."""
    day = to_local(now_utc).date() + dt.timedelta(days=1)
    return QDateTime(QDate(day.year, day.month, day.day), QTime(CALLBACK_HOUR, 0))


class CallForm(QWidget):
    """The contact form; ``values()`` reads it, everything typed stays until the dialog closes."""

    backRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customer: CustomerRow | None = None
        self.elapsed = QElapsedTimer()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_duration)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.who.setAccessibleName(self.tr("Customer"))
        self.who.setStyleSheet("font-weight: bold;")
        self.duration = QLabel()
        self.duration.setAccessibleName(self.tr("Call time"))
        self.duration.setToolTip(self.tr("How long the call has lasted so far; saved with the call"))
        self.staff = QLabel()
        self.staff.setAccessibleName(self.tr("Logged by"))
        self._build_fields()
        self._build_ticket()
        self._build_outcome()
        self.error = ErrorLabel(self.tr("Problem with the call"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        top.addWidget(self.duration)
        layout.addLayout(top)
        layout.addWidget(self.staff)
        layout.addLayout(self.fields)
        layout.addWidget(self.ticket_box)
        layout.addWidget(self.outcome_box)
        confirmed = QHBoxLayout()
        confirmed.addWidget(self.confirmed)
        confirmed.addWidget(self.feedback, 1)
        layout.addLayout(confirmed)
        layout.addWidget(self.error)
        self.set_now(dt.datetime(2000, 1, 1))

    # --- building ------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.channel = QComboBox()
        for channel in ContactChannel:
            self.channel.addItem(channel_text(channel), channel.value)
        self.direction = QComboBox()
        self.direction.addItem(self.tr("In: they contacted us"), Direction.IN.value)
        self.direction.addItem(self.tr("Out: we contacted them"), Direction.OUT.value)
        self.started = DateTimeField()
        self.started.setCalendarPopup(True)
        self.started.setDisplayFormat(short_date_time_format())
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText(self.tr("What they asked, what you found, what you did or promised"))
        self.summary.setMinimumHeight(70)
        self.fields = QFormLayout()
        how = QHBoxLayout()
        how.addWidget(self.channel)
        direction_label = QLabel(self.tr("D&irection:"))
        direction_label.setBuddy(self.direction)
        how.addWidget(direction_label)
        how.addWidget(self.direction, 1)
        channel_label = QLabel(self.tr("C&hannel:"))
        channel_label.setBuddy(self.channel)
        self.fields.addRow(channel_label, how)
        self.fields.addRow(self.tr("S&tarted:"), self.started)
        self.fields.addRow(self.tr("&Summary:"), self.summary)
        for widget, name in (
            (self.channel, self.tr("Channel")),
            (self.direction, self.tr("Direction")),
            (self.started, self.tr("Started")),
            (self.summary, self.tr("Summary")),
        ):
            widget.setAccessibleName(name)

    def _build_ticket(self) -> None:
        self.ticket = QComboBox()
        self.ticket.setAccessibleName(self.tr("Ticket"))
        self.ticket.currentIndexChanged.connect(self._ticket_changed)
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.setAccessibleName(self.tr("Category"))
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.priority = QComboBox()
        self.priority.setAccessibleName(self.tr("Priority"))
        for priority in Priority:
            self.priority.addItem(priority_name(priority), priority.value)
        self.priority.setCurrentIndex(list(Priority).index(Priority.NORMAL))
        self.ticket_box = QGroupBox(self.tr("Ticket"))
        grid = QGridLayout(self.ticket_box)
        ticket_label = QLabel(self.tr("Tic&ket:"))
        ticket_label.setBuddy(self.ticket)
        category_label = QLabel(self.tr("Cate&gory:"))
        category_label.setBuddy(self.category)
        priority_label = QLabel(self.tr("Priorit&y:"))
        priority_label.setBuddy(self.priority)
        grid.addWidget(ticket_label, 0, 0)
        grid.addWidget(self.ticket, 0, 1, 1, 3)
        grid.addWidget(category_label, 1, 0)
        grid.addWidget(self.category, 1, 1)
        grid.addWidget(priority_label, 1, 2)
        grid.addWidget(self.priority, 1, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)

    def _build_outcome(self) -> None:
        self.outcomes: dict[Outcome | None, QRadioButton] = {
            Outcome.RESOLVED_NOW: QRadioButton(self.tr("&Resolved now")),
            Outcome.CALLBACK_PROMISED: QRadioButton(self.tr("&Callback promised")),
            Outcome.WAITING_CUSTOMER: QRadioButton(self.tr("Waiting on c&ustomer")),
            Outcome.WAITING_SUPPLIER: QRadioButton(self.tr("Waiting on su&pplier")),
            Outcome.NEEDS_REPAIR_OR_VISIT: QRadioButton(self.tr("Needs repair or &visit")),
            None: QRadioButton(self.tr("&No outcome yet")),
        }
        self.outcome_group = QButtonGroup(self)
        for button in self.outcomes.values():
            self.outcome_group.addButton(button)
            button.toggled.connect(self._outcome_changed)
        self.callback_at = DateTimeField()
        self.callback_at.setCalendarPopup(True)
        self.callback_at.setDisplayFormat(short_date_time_format())
        self.callback_at.setAccessibleName(self.tr("Call back at"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("What is needed"))
        self.reason.setPlaceholderText(self.tr("e.g. seal worn, booked into the workshop"))
        self.confirmed = QCheckBox(self.tr("Customer con&firmed it is resolved"))
        self.confirmed.setToolTip(self.tr("Ask them: is it sorted for you now?"))
        self.feedback = QLineEdit()
        self.feedback.setAccessibleName(self.tr("Their words"))
        self.feedback.setPlaceholderText(
            self.tr("their words, if they said something worth keeping (optional)")
        )
        self.confirmed.toggled.connect(self._outcome_changed)
        self.outcome_box = QGroupBox(self.tr("Outcome"))
        grid = QGridLayout(self.outcome_box)
        grid.addWidget(self.outcomes[Outcome.RESOLVED_NOW], 0, 0)
        grid.addWidget(self.outcomes[None], 0, 1)
        grid.addWidget(self.outcomes[Outcome.CALLBACK_PROMISED], 1, 0)
        callback_label = QLabel(self.tr("call back &at"))
        callback_label.setBuddy(self.callback_at)
        when = QHBoxLayout()
        when.addWidget(callback_label)
        when.addWidget(self.callback_at, 1)
        grid.addLayout(when, 1, 1)
        grid.addWidget(self.outcomes[Outcome.WAITING_CUSTOMER], 2, 0)
        grid.addWidget(self.outcomes[Outcome.WAITING_SUPPLIER], 2, 1)
        grid.addWidget(self.outcomes[Outcome.NEEDS_REPAIR_OR_VISIT], 3, 0)
        reason_label = QLabel(self.tr("R&eason"))
        reason_label.setBuddy(self.reason)
        why = QHBoxLayout()
        why.addWidget(reason_label)
        why.addWidget(self.reason, 1)
        grid.addLayout(why, 3, 1)
        grid.setColumnStretch(1, 1)

    # --- filling -------------------------------------------------------------------------

    def set_now(self, now_utc: dt.datetime) -> None:
        """The call started now (naive UTC): the start time and tomorrow's callback follow from it."""
        self._started_default = now_utc
        self.started.setDateTime(local_qdatetime(now_utc))
        self.callback_at.setDateTime(tomorrow_at_ten(now_utc))
        self.callback_at.setMinimumDateTime(local_qdatetime(now_utc))

    def set_actor(self, actor: Actor) -> None:
        self.staff.setText(self.tr("Logged by {name}").format(name=actor.name))

    def set_categories(self, categories: list[str]) -> None:
        typed = self.category.currentText() or DEFAULT_CATEGORY
        self.category.clear()
        self.category.addItems(sorted({DEFAULT_CATEGORY, *categories}, key=str.casefold))
        self.category.setCurrentText(typed)

    def start(self, customer: CustomerRow, elapsed: QElapsedTimer) -> None:
        """Show the form for ``customer``; ``elapsed`` has run since the call log opened."""
        changed = self.customer is None or self.customer.id != customer.id
        self.customer = customer
        self.elapsed = elapsed
        self.who.setText(self.tr("Call with {customer}").format(customer=row_text(customer)))
        if changed:
            self.set_open_tickets([])
            if self.outcome_group.checkedButton() is None:
                self.outcomes[None].setChecked(True)
        self._show_duration()
        self._tick.start()
        self.summary.setFocus()

    def set_open_tickets(self, tickets: list[TicketSummary], also: int | None = None) -> None:
        """The customer's tickets that a contact can go on (active, not merged away), and ticket
        ``also`` whatever its state (the call was started from it)."""
        chosen = self.ticket.currentData()
        self.ticket.blockSignals(True)
        self.ticket.clear()
        self.ticket.addItem(self.tr("New ticket"), NEW_TICKET)
        for ticket in tickets:
            if (ticket.state in ACTIVE_STATES or ticket.id == also) and ticket.merged_into_id is None:
                text = self.tr("{ticket} ({state})").format(
                    ticket=ticket_label(ticket.id, ticket.title, ticket.category),
                    state=state_name(ticket.state).lower(),
                )
                self.ticket.addItem(text, ticket.id)
        self.ticket.addItem(self.tr("No ticket: a contact on its own"), NO_TICKET)
        index = self.ticket.findData(chosen)
        self.ticket.setCurrentIndex(max(index, 0))
        self.ticket.blockSignals(False)
        self._ticket_changed()

    def stop_timer(self) -> None:
        self._tick.stop()

    def _show_duration(self) -> None:
        seconds = self.elapsed.elapsed() // 1000 if self.elapsed.isValid() else 0
        self.duration.setText(self.tr("Call time {time}").format(time=duration_text(seconds)))

    def _ticket_changed(self) -> None:
        new = self.ticket.currentData() == NEW_TICKET
        self.category.setEnabled(new)
        self.priority.setEnabled(new)

    def _outcome_changed(self) -> None:
        outcome = self.outcome()
        self.callback_at.setEnabled(outcome is Outcome.CALLBACK_PROMISED)
        self.reason.setEnabled(outcome is Outcome.NEEDS_REPAIR_OR_VISIT)
        self.confirmed.setEnabled(outcome is Outcome.RESOLVED_NOW)
        self.feedback.setEnabled(outcome is Outcome.RESOLVED_NOW and self.confirmed.isChecked())

    # --- reading -------------------------------------------------------------------------

    def outcome(self) -> Outcome | None:
        checked = self.outcome_group.checkedButton()
        return next((o for o, button in self.outcomes.items() if button is checked), None)

    def values(self) -> CallValues:
        outcome = self.outcome()
        started = utc_from_local(self.started.dateTime())
        if started.replace(second=0) == self._started_default.replace(second=0):
            started = self._started_default  # untouched: keep the seconds the field does not show
        ticket = self.ticket.currentData()
        new = None
        if ticket == NEW_TICKET:
            summary = self.summary.toPlainText()
            category = self.category.currentText().strip()
            new = NewTicketValues(category, title_from(summary), Priority(self.priority.currentData()))
        seconds = self.elapsed.elapsed() // 1000 if self.elapsed.isValid() else 0
        return CallValues(
            channel=ContactChannel(self.channel.currentData()),
            direction=Direction(self.direction.currentData()),
            started_at=started,
            duration_seconds=int(seconds),
            summary=self.summary.toPlainText().strip(),
            outcome=outcome,
            callback_at=(
                utc_from_local(self.callback_at.dateTime()) if outcome is Outcome.CALLBACK_PROMISED else None
            ),
            outcome_reason=self.reason.text().strip() if outcome is Outcome.NEEDS_REPAIR_OR_VISIT else "",
            ticket_id=ticket if isinstance(ticket, int) else None,
            new_ticket=new,
            customer_confirmed=self.confirmed.isChecked() if outcome is Outcome.RESOLVED_NOW else None,
            feedback=self.feedback.text().strip() if self.feedback.isEnabled() else "",
        )

    def has_typing(self) -> bool:
        """Whether closing would lose something the user typed."""
        return bool(self.summary.toPlainText().strip() or self.reason.text().strip())
