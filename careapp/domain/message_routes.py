"""How a touch's message left careapp, so nothing says "sent" unless careapp sent it.

careapp sends email itself only through the shop's mailbox (the server accepted it: SENT). Copying a
message or opening it in the mail program or messaging app hands it to the person, who may or may not
send it: the touch is marked done, and the customer's timeline says what careapp did, in words.
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    SENT = "sent"  # the shop's mail server accepted it from careapp
    COPIED = "copied"  # to the clipboard, to paste where the person sends it
    OPENED = "opened"  # in the mail program, the messaging app or the dialler


# The program each contact channel opens (the contact's channel: email, message, phone).
PROGRAMS = {"email": "mail program", "message": "messaging app", "phone": "dialler"}
# How the timeline names an outgoing contact on each channel.
CHANNEL_TITLES = {"email": "Email", "message": "Text message", "phone": "Call"}
NOT_SENT = ", not sent by careapp"


def route_ending(route: Route, contact_channel: str) -> str:
    """What the contact's summary ends with for ``route`` ("" for SENT: careapp did send it)."""
    if route is Route.COPIED:
        return f" · copied{NOT_SENT}"
    if route is Route.OPENED:
        return f" · opened in your {PROGRAMS.get(contact_channel, 'program')}{NOT_SENT}"
    return ""


def route_of(summary: str) -> Route | None:
    """The route a contact's summary records (None: an older contact, or one not from a message)."""
    if not summary.endswith(NOT_SENT):
        return None
    last = summary.rpartition(" · ")[2]
    if last.startswith("copied"):
        return Route.COPIED
    if last.startswith("opened in your "):
        return Route.OPENED
    return None


def outgoing_title(contact_channel: str, summary: str) -> str | None:
    """The timeline's title for an outgoing contact whose message careapp did not send, else None."""
    route = route_of(summary)
    what = CHANNEL_TITLES.get(contact_channel)
    if route is None or what is None:
        return None
    if route is Route.COPIED:
        return f"{what} copied"
    return f"{what} opened in your {PROGRAMS.get(contact_channel, 'program')}"
