"""The public face of careapp.ui.rules: what other screens may import from it.

The care rules dialog, opened from the care queue. Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.rules.dialog import RulesDialog

__all__ = ["RulesDialog"]
