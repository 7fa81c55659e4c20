"""Ticket words as people read them: states, outcomes, channels, audit fields, local times.

Stored times are naive UTC; the helpers here show them in local time and turn what the user
picked in a date-time field back into naive UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication

from careapp.domain.tickets import (
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    TicketState,
)
from careapp.ui.formatting import short_time

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


def _named(kind: type[StrEnum], value: str, names: Mapping[Any, str]) -> str:
    """The name of ``value`` as a member of ``kind``; the value itself if it is none of them."""
    try:
        return names[kind(value)]
    except (ValueError, KeyError):
        return str(value)


def state_name(state: TicketState | str) -> str:
    names = {
        TicketState.NEW: translate("Tickets", "New"),
        TicketState.OPEN: translate("Tickets", "Open"),
        TicketState.WAITING_CUSTOMER: translate("Tickets", "Waiting on customer"),
        TicketState.WAITING_SUPPLIER: translate("Tickets", "Waiting on supplier"),
        TicketState.RESOLVED: translate("Tickets", "Resolved"),
        TicketState.CLOSED: translate("Tickets", "Closed"),
    }
    return _named(TicketState, state, names)


def priority_name(priority: Priority | str) -> str:
    names = {
        Priority.LOW: translate("Tickets", "Low"),
        Priority.NORMAL: translate("Tickets", "Normal"),
        Priority.HIGH: translate("Tickets", "High"),
        Priority.URGENT: translate("Tickets", "Urgent"),
    }
    return _named(Priority, priority, names)


def outcome_name(outcome: Outcome | str | None) -> str:
    if not outcome:
        return ""
    names = {
        Outcome.RESOLVED_NOW: translate("Tickets", "Resolved now"),
        Outcome.CALLBACK_PROMISED: translate("Tickets", "Callback promised"),
        Outcome.WAITING_CUSTOMER: translate("Tickets", "Waiting on customer"),
        Outcome.WAITING_SUPPLIER: translate("Tickets", "Waiting on supplier"),
        Outcome.NEEDS_REPAIR_OR_VISIT: translate("Tickets", "Needs repair or visit"),
    }
    return _named(Outcome, outcome, names)


def channel_text(channel: str) -> str:
    names = {
        "phone": translate("Tickets", "Phone"),
        "walk_in": translate("Tickets", "Walk-in"),
        "email": translate("Tickets", "Email"),
        "message": translate("Tickets", "Message"),
        "visit": translate("Tickets", "Visit"),
    }
    return names.get(channel, channel.replace("_", " ").capitalize())


def direction_text(direction: str) -> str:
    return translate("Tickets", "In") if direction == "in" else translate("Tickets", "Out")


def not_resolvable_name(reason: NotResolvableReason | str | None) -> str:
    if not reason:
        return ""
    names = {
        NotResolvableReason.PARTS: translate("Tickets", "Parts needed"),
        NotResolvableReason.SUPPLIER: translate("Tickets", "Supplier needed"),
        NotResolvableReason.REPAIR: translate("Tickets", "Repair needed"),
        NotResolvableReason.VISIT: translate("Tickets", "Visit needed"),
    }
    return _named(NotResolvableReason, reason, names)


def exclusion_name(exclusion: Exclusion | str | None) -> str:
    if not exclusion:
        return ""
    names = {
        Exclusion.SPAM: translate("Tickets", "Spam"),
        Exclusion.MERGED: translate("Tickets", "Merged"),
        Exclusion.NO_ACTION: translate("Tickets", "No action needed"),
    }
    return _named(Exclusion, exclusion, names)


def field_name(field: str) -> str:
    """The audit trail's field, as the ticket screen calls it."""
    names = {
        "ticket": translate("Tickets", "Ticket"),
        "state": translate("Tickets", "State"),
        "assignee": translate("Tickets", "Assigned to"),
        "category": translate("Tickets", "Category"),
        "priority": translate("Tickets", "Priority"),
        "repeat_of": translate("Tickets", "Repeat of"),
        "not_resolvable_reason": translate("Tickets", "Not resolvable at first contact"),
        "exclusion": translate("Tickets", "Left out of FCR"),
        "merged_into": translate("Tickets", "Merged into"),
        "contacts": translate("Tickets", "Contacts"),
        "opened_at": translate("Tickets", "Opened"),
    }
    return names.get(field, field.replace("_", " ").capitalize())


def audit_value(field: str, value: str) -> str:
    """An audit value as text: state and priority names, "ticket 12", local times."""
    if not value:
        return ""
    if field == "state":
        return state_name(value)
    if field == "priority":
        return priority_name(value)
    if field in ("repeat_of", "merged_into"):
        return translate("Tickets", "ticket {id}").format(id=value)
    if field == "not_resolvable_reason":
        return not_resolvable_name(value)
    if field == "exclusion":
        return exclusion_name(value)
    if field == "opened_at":
        try:
            return short_time(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


OUTCOME_REASON = "contact outcome: "


def audit_reason(reason: str) -> str:
    """The reason as people read it: "contact outcome: resolved_now" names the outcome."""
    if reason.startswith(OUTCOME_REASON):
        outcome = reason[len(OUTCOME_REASON) :]
        return translate("Tickets", "contact outcome: {outcome}").format(
            outcome=outcome_name(outcome).lower()
        )
    return reason


def ticket_label(ticket_id: int, title: str, category: str) -> str:
    """ "Ticket 12: Grinder rattles" (or the category when there is no title)."""
    return translate("Tickets", "Ticket {id}: {title}").format(id=ticket_id, title=title or category)
