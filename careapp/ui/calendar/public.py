"""The public face of careapp.ui.calendar: what other screens may import from it.

The sentence saying which calendar apps the "1 March" rule was checked with, shown beside the shop's
29 February choice. Other UI packages import these from here, never from the modules behind them (the
import-linter contract "UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.calendar.feb29_note import mar1_checked_sentence

__all__ = ["mar1_checked_sentence"]
