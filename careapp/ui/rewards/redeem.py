"""Using a waiting reward at the till: the purchase form (Ctrl+P) shows the customer's waiting reward
as one check box, toggled by one key (F8); saving the sale then redeems it against that purchase.

The reward is redeemed on the database thread right after the purchase is recorded, in the same job;
if another seat redeemed it meanwhile, the sale stays recorded and the sentence says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.rewards.service import RewardView
    from careapp.services.shop.staff import Actor


USE_KEY = "F8"


class RedeemOffer(QCheckBox):
    """Hidden until the customer has a waiting reward; then "Use the waiting reward: … (F8)"."""

    def __init__(
        self,
        services: Services,
        runner: Runner,
        customer_id: int,
        actor: Callable[[], Actor],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._actor = services, actor
        self.reward: RewardView | None = None
        self.hide()
        # An explicit shortcut, not a mnemonic: it works whichever field of the form has the focus.
        self.use_key = QShortcut(QKeySequence(USE_KEY), self)
        self.use_key.setContext(Qt.ShortcutContext.WindowShortcut)
        self.use_key.activated.connect(self.toggle)
        rewards = services.rewards
        runner.submit(lambda: rewards.waiting(customer_id), self._loaded, lambda _error: None, owner=self)

    def _loaded(self, waiting: list[RewardView]) -> None:
        if not waiting:
            return
        self.reward = waiting[0]  # the one that expires first
        more = self.tr(" (and {n} more)").format(n=len(waiting) - 1) if len(waiting) > 1 else ""
        self.setText(
            self.tr("Use the waiting reward: {what}{more} (F8)").format(what=self.reward.wording, more=more)
        )
        self.setToolTip(self.tr("F8: redeem it with this purchase"))
        self.show()

    def job(self) -> Callable[[int], str]:
        """What to run on the database thread after the purchase is saved: returns the sentence for
        the message bar ("" when no reward was chosen). Read on the UI thread, run on the other."""
        if self.reward is None or not self.isChecked():
            return lambda _purchase_id: ""
        rewards, reward_id, actor = self._services.rewards, self.reward.id, self._actor()

        def redeem(purchase_id: int) -> str:
            from careapp.services.rewards.service import RewardUnavailable

            try:
                given = rewards.redeem(actor, reward_id, purchase_id)
            except RewardUnavailable as error:
                return f"{error} The sale itself is recorded."
            return f"Redeemed {given.wording}."

        return redeem
