"""The public face of careapp.ui.rewards: the customer page's rewards and the till's redeem offer.
Other UI packages import these from here only (the import-linter contract)."""

from __future__ import annotations

from careapp.ui.rewards.controller import RewardsController
from careapp.ui.rewards.panel import CustomerRewardsPanel
from careapp.ui.rewards.redeem import RedeemOffer

__all__ = ["CustomerRewardsPanel", "RedeemOffer", "RewardsController"]
