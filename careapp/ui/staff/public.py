"""The public face of careapp.ui.staff: what other screens may import from it.

Who is acting, for screens that record who did what. Other UI
packages import these from here, never from the modules behind them (the import-linter contract
"UI features meet only through their public modules" in pyproject.toml checks it).
"""

from __future__ import annotations

from careapp.ui.staff.bootstrap import create_staff_from_names
from careapp.ui.staff.owner_gate import OwnerOnlyActions, OwnerPinGate
from careapp.ui.staff.picker import make_actor

__all__ = ["OwnerOnlyActions", "OwnerPinGate", "create_staff_from_names", "make_actor"]
