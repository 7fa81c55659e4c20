"""The tables of the ticket screens: a customer's tickets, a ticket's contacts, its audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from careapp.ui.formatting import duration_text, short_time
from careapp.ui.table import Column, RowsModel
from careapp.ui.tickets.texts import (
    audit_reason,
    audit_value,
    channel_text,
    direction_text,
    exclusion_name,
    field_name,
    outcome_name,
    priority_name,
    state_name,
)

if TYPE_CHECKING:
    from careapp.domain.tickets import AuditEntry
    from careapp.services.tickets.store import ContactView, TicketSummary

translate = QCoreApplication.translate


def _state_text(ticket: TicketSummary) -> str:
    if ticket.merged_into_id is not None:
        return translate("Tickets", "Merged into {id}").format(id=ticket.merged_into_id)
    text = state_name(ticket.state)
    if ticket.exclusion is not None:
        text += translate("Tickets", " (left out: {why})").format(why=exclusion_name(ticket.exclusion))
    return text


class TicketListModel(RowsModel):
    """Tickets (of one customer, or open ones), newest first as the service gives them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Tickets", "No."), lambda t: str(t.id), right=True, sort_key=lambda t: t.id),
                Column(translate("Tickets", "Opened"), lambda t: short_time(t.opened_at), sort_key=_opened),
                Column(translate("Tickets", "Title"), lambda t: t.title or t.category),
                Column(translate("Tickets", "Category"), lambda t: t.category),
                Column(translate("Tickets", "State"), _state_text),
                Column(translate("Tickets", "Priority"), lambda t: priority_name(t.priority)),
                Column(translate("Tickets", "Assigned to"), lambda t: t.assignee),
            ],
            parent,
        )

    def ticket(self, row: int) -> TicketSummary:
        ticket: TicketSummary = self.row_at(row)
        return ticket


def _opened(ticket: TicketSummary) -> str:
    return ticket.opened_at.isoformat()


def _contact_outcome(contact: ContactView) -> str:
    text = outcome_name(contact.outcome)
    if contact.callback_at is not None:
        text += translate("Tickets", " for {when}").format(when=short_time(contact.callback_at))
        if contact.callback_done_at is not None:
            text += translate("Tickets", " (done)")
    if contact.outcome_reason:
        text += f": {contact.outcome_reason}"
    if contact.customer_confirmed:
        text += translate("Tickets", "; customer confirmed")
    return text


class ContactsModel(RowsModel):
    """A ticket's contacts, oldest first: when, how, who, what came of it, what was said."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Tickets", "When"), lambda c: short_time(c.at)),
                Column(translate("Tickets", "Channel"), lambda c: channel_text(c.channel)),
                Column(translate("Tickets", "In/out"), lambda c: direction_text(c.direction)),
                Column(translate("Tickets", "Staff"), lambda c: c.staff),
                Column(
                    translate("Tickets", "Length"),
                    lambda c: duration_text(c.duration_seconds) if c.duration_seconds else "",
                    right=True,
                ),
                Column(translate("Tickets", "Outcome"), _contact_outcome),
                Column(translate("Tickets", "Summary"), lambda c: c.summary, tooltip=lambda c: c.summary),
            ],
            parent,
        )


class AuditModel(RowsModel):
    """Every change to a ticket, oldest first: who, when (local time), field, old, new, reason."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Tickets", "When"), lambda a: short_time(a.at)),
                Column(translate("Tickets", "Who"), lambda a: a.by),
                Column(translate("Tickets", "Field"), lambda a: field_name(a.field)),
                Column(translate("Tickets", "Old value"), lambda a: audit_value(a.field, a.old)),
                Column(translate("Tickets", "New value"), lambda a: audit_value(a.field, a.new)),
                Column(
                    translate("Tickets", "Reason"),
                    lambda a: audit_reason(a.reason),
                    tooltip=lambda a: a.reason,
                ),
            ],
            parent,
        )

    def entry(self, row: int) -> AuditEntry:
        entry: AuditEntry = self.row_at(row)
        return entry
