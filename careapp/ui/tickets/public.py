"""The public face of careapp.ui.tickets: what other screens may import from it.

The words for tickets that other screens show (the call log, its find page), and the ticket's
screen (the FCR report opens the tickets behind a figure). Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careapp.ui.tickets.texts import channel_text, outcome_name, priority_name, state_name, ticket_label

if TYPE_CHECKING:
    from careapp.ui.tickets.dialog import TicketDialog

__all__ = ["TicketDialog", "channel_text", "outcome_name", "priority_name", "state_name", "ticket_label"]


def __getattr__(name: str) -> object:
    # The ticket's screen is imported only when asked for: the call log needs only the words above.
    if name == "TicketDialog":
        from careapp.ui.tickets.dialog import TicketDialog

        return TicketDialog
    raise AttributeError(name)
