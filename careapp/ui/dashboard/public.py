"""The public face of careapp.ui.dashboard: what other screens may import from it.

The Overview page, opened from the care queue. Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.dashboard.page import DashboardPage

__all__ = ["DashboardPage"]
