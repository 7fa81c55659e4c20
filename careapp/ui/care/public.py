"""The public face of careapp.ui.care: what other screens may import from it.

The care words and the message placeholders that the Overview and the rules' templates show. Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.care.message_dialog import placeholder_help
from careapp.ui.care.texts import kind_title, weekday_date

__all__ = ["kind_title", "placeholder_help", "weekday_date"]
