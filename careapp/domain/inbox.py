"""The tickets inbox's words: its filters, its orders and the keys of its lines.

One line per open ticket (its earliest open callback as its "next promise") and one per promised
callback that stands outside any ticket. A line's key is the ticket's id, or minus the contact's id
for such a callback (ids are positive, so the two never meet).

What each filter keeps (the services run it in SQL, over 20,000 tickets):
- mine: assigned to whoever is working (a loose callback: promised by them);
- unassigned: assigned to nobody;
- waiting on customer / on supplier: the ticket's state;
- callback overdue: a promised callback not made whose time has passed.
Orders: newest activity first (the latest of the ticket's last change and last contact), or
oldest waiting first (the reverse: what has waited longest since anything happened).
"""

from __future__ import annotations

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


def ticket_key(ticket_id: int) -> int:
    return ticket_id


def callback_key(contact_id: int) -> int:
    return -contact_id
