"""The tickets inbox: which open tickets and promised callbacks a filter keeps, and their order.

One entry per open ticket (its earliest open callback as its "next promise") and one per promised
callback that stands outside any ticket. Pure: the moment "now" is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

CALLBACK_STATE = "callback"  # the state shown for a callback promised outside any ticket


class InboxFilter(StrEnum):
    ALL = "all"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_SUPPLIER = "waiting_supplier"
    CALLBACK_OVERDUE = "callback_overdue"


class InboxOrder(StrEnum):
    NEWEST_ACTIVITY = "newest_activity"  # what moved last comes first
    OLDEST_WAITING = "oldest_waiting"  # what has waited longest since anything happened comes first


@dataclass(frozen=True)
class InboxEntry:
    """What filtering and ordering need of one inbox line.

    ``key`` is the ticket's id, or minus the contact's id for a callback outside any ticket
    (ids are positive, so the two never meet). ``assignee`` of such a callback is who promised it.
    """

    key: int
    state: str
    assignee: str
    last_activity: dt.datetime
    next_promise: dt.datetime | None


def ticket_key(ticket_id: int) -> int:
    return ticket_id


def callback_key(contact_id: int) -> int:
    return -contact_id


def keeps(entry: InboxEntry, chosen: InboxFilter, me: str, now: dt.datetime) -> bool:
    """Whether ``chosen`` keeps ``entry``; ``me`` is who is working (for "mine")."""
    if chosen is InboxFilter.MINE:
        return bool(me) and entry.assignee == me
    if chosen is InboxFilter.UNASSIGNED:
        return entry.assignee == ""
    if chosen is InboxFilter.WAITING_CUSTOMER:
        return entry.state == "waiting_customer"
    if chosen is InboxFilter.WAITING_SUPPLIER:
        return entry.state == "waiting_supplier"
    if chosen is InboxFilter.CALLBACK_OVERDUE:
        return entry.next_promise is not None and entry.next_promise < now
    return True


def arrange(
    entries: Iterable[InboxEntry], chosen: InboxFilter, order: InboxOrder, me: str, now: dt.datetime
) -> list[int]:
    """The keys ``chosen`` keeps, in ``order`` (ties: the higher key first, for a stable list)."""
    kept = [entry for entry in entries if keeps(entry, chosen, me, now)]
    if order is InboxOrder.NEWEST_ACTIVITY:
        kept.sort(key=lambda e: (e.last_activity, e.key), reverse=True)
    else:
        kept.sort(key=lambda e: (e.last_activity, -e.key))
    return [entry.key for entry in kept]
