"""The public face of careapp.ui.value: the Reports menu's Value window and the customer page's
Value tab. Other UI packages import these from here only (the import-linter contract)."""

from __future__ import annotations

from careapp.ui.value.controller import ValueController
from careapp.ui.value.panel import CustomerValuePanel

__all__ = ["CustomerValuePanel", "ValueController"]
