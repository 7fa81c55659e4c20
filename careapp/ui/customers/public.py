"""The public face of careapp.ui.customers: what other screens may import from it.

What other screens use of the customer page: the call dialog shows a customer's file; the
shared prompts ask which version to keep when another seat saved a customer first. Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.customers.consent_dialog import open_record_consent, recorded_text
from careapp.ui.customers.controller import load_customer_file
from careapp.ui.customers.detail import CustomerDetail, CustomerFile
from careapp.ui.customers.stale import ConflictChoice, ask_about_conflict

__all__ = [
    "ConflictChoice",
    "CustomerDetail",
    "CustomerFile",
    "ask_about_conflict",
    "load_customer_file",
    "open_record_consent",
    "recorded_text",
]
