"""The public face of careapp.ui.tickets: what other screens may import from it.

The words for tickets that other screens show (the call log, its find page). Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.tickets.texts import channel_text, outcome_name, priority_name, state_name, ticket_label

__all__ = ["channel_text", "outcome_name", "priority_name", "state_name", "ticket_label"]
