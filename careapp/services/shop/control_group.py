"""The control group setting, read where it is needed: the care queue holds the marketing touches of
its customers (careapp/services/care/facts.py), the value service compares them with the touched.

It lives beside the shop's other settings, below both of those services, so the care queue can read
it without depending on the reports. Saving it (owner only, audited) is the value service's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from careapp.domain.value import in_control_group
from careapp.services.shop.settings import read_setting

CONTROL_KEY = "control_group"


@dataclass(frozen=True)
class ControlGroup:
    """The control group: when ``enabled``, a fixed random ``percent`` (5-10) of customers, drawn by
    ``seed`` (made once, so the draw survives restarts), whom marketing touches skip."""

    enabled: bool = False
    percent: int = 5
    seed: str = ""

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.seed)

    def holds(self, customer_id: int) -> bool:
        return self.active and in_control_group(customer_id, self.seed, self.percent)

    def signature(self) -> dict[str, Any] | None:
        """What a stored care plan depends on (None while off): turning it on or off, or changing its
        share, re-plans everyone."""
        return {"percent": self.percent, "seed": self.seed} if self.active else None


def read_control_group(session: Session) -> ControlGroup:
    stored = read_setting(session, CONTROL_KEY) or {}
    return ControlGroup(
        bool(stored.get("enabled", False)), int(stored.get("percent", 5)), str(stored.get("seed", ""))
    )
