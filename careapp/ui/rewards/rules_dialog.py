"""File → Reward rules…: the owner switches the loyalty and referral rewards on and sets them.

Four rules, one tab each (stamp card, referral, spend milestone, loyalty stage), every one off until
the owner ticks it. Each tab scrolls on its own, so the dialog fits a 1024x600 screen. Ctrl+Enter
saves; a save the service refuses (a wrong value, a rule another seat changed meanwhile, someone who
is not the owner) leaves everything typed in place, with the reason under the tabs.

Only the rules that were changed are saved, each with the version it was read at, so two owners
editing different rules never clash. The service checks the owner in the same transaction; the
window greys the menu item out for staff and asks for the PIN (careapp/ui/staff/owner_gate.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.rewards import (
    MAX_EVERY,
    MAX_EXPIRY_DAYS,
    STAGES,
    InvalidRewardRule,
    Offer,
    OfferKind,
    RewardRule,
    RuleKind,
    check_rule,
)
from careapp.ui.fit import FittingScrollArea, GridForm, fit_on_screen, wanted_size
from careapp.ui.formatting import sentence
from careapp.ui.keyboard import save_keys
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.rewards.rules import StoredRule
    from careapp.services.shop.staff import Actor

MAX_MONEY = 1_000_000


def rule_title(kind: RuleKind) -> str:
    return {
        RuleKind.STAMP: "Stamp card",
        RuleKind.REFERRAL: "Referral",
        RuleKind.MILESTONE: "Spend milestone",
        RuleKind.STAGE: "Loyalty stage",
    }[kind]


_OFFER_WORDS = {
    OfferKind.FREE_ITEM: "A free item",
    OfferKind.AMOUNT_OFF: "An amount off",
    OfferKind.PERCENT_OFF: "A percentage off",
}


def _money(most: float = MAX_MONEY) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0, most)
    spin.setDecimals(2)
    spin.setSingleStep(1)
    return spin


def _decimal(spin: QDoubleSpinBox) -> Decimal:
    return Decimal(f"{spin.value():.2f}")


class OfferFields(QObject):
    """What the customer gets: kind, wording, value, cost to the shop, expiry (0 days: never); its
    fields are rows of ``form``."""

    def __init__(self, form: GridForm, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on = True
        self.kind = QComboBox()
        for kind, words in _OFFER_WORDS.items():
            self.kind.addItem(self.tr(words), kind)
        self.wording = QLineEdit()
        self.wording.setPlaceholderText(self.tr("what the customer reads, e.g. a free coffee"))
        self.wording.setAccessibleName(self.tr("{what}: wording for the customer").format(what=what))
        self.value = _money()
        self.value.setAccessibleName(self.tr("{what}: amount or percentage off").format(what=what))
        self.cost = _money()
        self.cost.setAccessibleName(self.tr("{what}: what a free item costs the shop").format(what=what))
        self.expiry = QSpinBox()
        self.expiry.setRange(0, MAX_EXPIRY_DAYS)
        self.expiry.setSpecialValueText(self.tr("never"))
        self.expiry.setSuffix(self.tr(" days"))
        self.expiry.setAccessibleName(self.tr("{what}: expires after").format(what=what))
        form.add_row(self.tr("{what}:").format(what=what), self.kind)
        form.add_row(self.tr("Wording:"), self.wording)
        self.value_label = form.add_row(self.tr("Amount off:"), self.value)
        self.cost_label = form.add_row(self.tr("Cost to the shop:"), self.cost)
        form.add_row(self.tr("Expires after:"), self.expiry)
        self.kind.currentIndexChanged.connect(self._kind_changed)

    def set_enabled(self, on: bool) -> None:
        self._on = on
        for field in (self.kind, self.wording, self.expiry):
            field.setEnabled(on)
        self._kind_changed()

    def chosen_kind(self) -> OfferKind:
        # Qt hands a StrEnum back from the item data as a plain str.
        return OfferKind(self.kind.currentData())

    def _kind_changed(self) -> None:
        kind = self.chosen_kind()
        self.value.setEnabled(self._on and kind is not OfferKind.FREE_ITEM)
        self.value.setSuffix(" %" if kind is OfferKind.PERCENT_OFF else "")
        self.value_label.setText(
            self.tr("Percentage off:") if kind is OfferKind.PERCENT_OFF else self.tr("Amount off:")
        )
        # What a free item costs the shop counts in the cost-of-rewards report; the others cost
        # what they take off.
        self.cost.setEnabled(self._on and kind is OfferKind.FREE_ITEM)

    def show_offer(self, offer: Offer) -> None:
        self.kind.setCurrentIndex(self.kind.findData(offer.kind))
        self.wording.setText(offer.wording)
        self.value.setValue(float(offer.value))
        self.cost.setValue(float(offer.cost))
        self.expiry.setValue(offer.expires_after_days or 0)
        self._kind_changed()

    def offer(self) -> Offer:
        kind = self.chosen_kind()
        return Offer(
            kind,
            self.wording.text(),
            Decimal(0) if kind is OfferKind.FREE_ITEM else _decimal(self.value),
            self.expiry.value() or None,
            _decimal(self.cost) if kind is OfferKind.FREE_ITEM else Decimal(0),
        )


@dataclass
class _RuleTab:
    stored: StoredRule
    enabled: QCheckBox
    offer: OfferFields
    read: Callable[[RewardRule], RewardRule]  # the kind's own fields onto the rule

    def rule(self) -> RewardRule:
        base = replace(self.stored.rule, enabled=self.enabled.isChecked(), offer=self.offer.offer())
        return self.read(base)


class RewardRulesDialog(QDialog):
    """The owner's reward rules; ``saved(text)`` once a change is stored."""

    saved = Signal(str)

    def __init__(
        self, services: Services, runner: Runner, actor: Callable[[], Actor], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self.tabs_by_kind: dict[RuleKind, _RuleTab] = {}
        self.setWindowTitle(self.tr("Reward rules"))
        intro = QLabel(
            self.tr(
                "Rewards are off until you tick a rule on. Customers see the wording; the cost "
                "of a free item counts in Reports → Rewards. Changing a rule's numbers re-counts "
                "rewards not yet given."
            )
        )
        intro.setWordWrap(True)
        self.tabs = QTabWidget()
        self.error = ErrorLabel(self.tr("Why the rules were not saved"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip(self.tr("Save the rules (Ctrl+Enter)"))
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        save_keys(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        rewards = services.rewards
        runner.submit(rewards.rules, self._loaded, self._failed, owner=self)

    # --- building the tabs ----------------------------------------------------------------------

    def _loaded(self, rules: list[StoredRule]) -> None:
        for stored in rules:
            self._add_tab(stored)
        self.save_button.setEnabled(True)
        if self.isVisible():
            self._grow_to_content()

    def _grow_to_content(self) -> None:
        """The tabs come after the dialog was shown (and sized, small, for no tabs): grow it to what
        they ask for, within the screen (where the tabs scroll)."""
        screen = self.screen()
        if screen is None:
            return
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        wanted = wanted_size(self, screen.availableGeometry())
        self.resize(max(self.width(), wanted.width()), max(self.height(), wanted.height()))
        fit_on_screen(self)

    def _failed(self, error: BaseException) -> None:
        self.error.show_error(sentence(error))

    def _add_tab(self, stored: StoredRule) -> None:
        rule = stored.rule
        page = QWidget()
        form = GridForm(page)
        enabled = QCheckBox(self.tr("Switched on"))
        enabled.setChecked(rule.enabled)
        form.add_row(self.tr("This rule:"), enabled)
        explain = QLabel(self.tr(self._explanation(rule.kind)))
        explain.setWordWrap(True)
        form.add_sentence(explain)
        read = self._kind_fields(rule, form)
        offer = OfferFields(form, self.tr("Reward"), page)
        offer.show_offer(rule.offer)
        tab = _RuleTab(stored, enabled, offer, read)
        if rule.kind is RuleKind.REFERRAL:
            tab.read = self._welcome_fields(rule, form, read)
        form.setRowStretch(form.rowCount(), 1)
        self.tabs_by_kind[rule.kind] = tab
        self.tabs.addTab(FittingScrollArea(page), self.tr(rule_title(rule.kind)))

    @staticmethod
    def _explanation(kind: RuleKind) -> str:
        return {
            RuleKind.STAMP: "Every Nth purchase earns the reward; a refund takes its stamp back.",
            RuleKind.REFERRAL: (
                "When someone a customer referred makes their first purchase, the customer earns "
                "the reward; the new customer can get a welcome reward too."
            ),
            RuleKind.MILESTONE: "When a customer's total spend reaches the amount, they earn it once.",
            RuleKind.STAGE: "When a customer steps up to the stage on the loyalty ladder, they earn it.",
        }[kind]

    def _kind_fields(self, rule: RewardRule, form: GridForm) -> Callable[[RewardRule], RewardRule]:
        if rule.kind is RuleKind.STAMP:
            every = QSpinBox()
            every.setRange(2, MAX_EVERY)
            every.setValue(rule.every)
            every.setPrefix(self.tr("every "))
            every.setSuffix(self.tr(" purchases"))
            category = QLineEdit(rule.category)
            category.setPlaceholderText(self.tr("any category"))
            least = _money()
            least.setValue(float(rule.min_amount))
            least.setSpecialValueText(self.tr("any amount"))
            form.add_row(self.tr("A reward for:"), every)
            form.add_row(self.tr("Only in category:"), category)
            form.add_row(self.tr("Only purchases of at least:"), least)
            self.stamp_every, self.stamp_category = every, category
            return lambda r: replace(
                r, every=every.value(), category=category.text(), min_amount=_decimal(least)
            )
        if rule.kind is RuleKind.MILESTONE:
            threshold = _money()
            threshold.setValue(float(rule.threshold))
            form.add_row(self.tr("Total spend reaches:"), threshold)
            return lambda r: replace(r, threshold=_decimal(threshold))
        if rule.kind is RuleKind.STAGE:
            stage = QComboBox()
            stage.addItems(list(STAGES))
            stage.setCurrentText(rule.stage)
            form.add_row(self.tr("Stepping up to:"), stage)
            return lambda r: replace(r, stage=stage.currentText())
        return lambda r: r

    def _welcome_fields(
        self, rule: RewardRule, form: GridForm, read: Callable[[RewardRule], RewardRule]
    ) -> Callable[[RewardRule], RewardRule]:
        welcome_on = QCheckBox(self.tr("The new customer gets a welcome reward too"))
        welcome_on.setChecked(rule.welcome is not None)
        form.add_row(self.tr("Welcome:"), welcome_on)
        welcome = OfferFields(form, self.tr("Welcome reward"), welcome_on)
        example = Offer(OfferKind.PERCENT_OFF, "10% off your next purchase", Decimal(10), 60)
        welcome.show_offer(rule.welcome or example)
        welcome.set_enabled(welcome_on.isChecked())
        welcome_on.toggled.connect(welcome.set_enabled)
        self.welcome_on, self.welcome = welcome_on, welcome
        return lambda r: replace(read(r), welcome=welcome.offer() if welcome_on.isChecked() else None)

    # --- saving -----------------------------------------------------------------------------------

    def changed_rules(self) -> list[tuple[StoredRule, RewardRule]]:
        """The rules whose fields differ from what was read (checked; InvalidRewardRule if wrong)."""
        changed = []
        for tab in self.tabs_by_kind.values():
            rule = tab.rule()
            if rule != tab.stored.rule:
                changed.append((tab.stored, check_rule(rule)))
        return changed

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        try:
            changed = self.changed_rules()
        except InvalidRewardRule as error:
            self.error.show_error(sentence(error))
            return
        if not changed:
            self.accept()
            return
        self.error.show_error(None)
        self.save_button.setEnabled(False)
        rewards, actor = self._services.rewards, self._actor()

        def save_each() -> tuple[list[StoredRule], str]:
            from careapp.services.rewards.rules import StaleRewardRule
            from careapp.services.shop.staff import PermissionDenied

            done: list[StoredRule] = []
            for stored, rule in changed:
                try:
                    done.append(rewards.save_rule(actor, replace(stored, rule=rule)))
                except (InvalidRewardRule, StaleRewardRule, PermissionDenied) as error:
                    return done, sentence(error)
            return done, ""

        self._runner.submit(save_each, self._saved, self._save_failed, owner=self)

    def _saved(self, result: tuple[list[StoredRule], str]) -> None:
        done, refused = result
        for stored in done:  # saved ones are now at their new version; what was typed stays
            self.tabs_by_kind[stored.rule.kind].stored = stored
        self.save_button.setEnabled(True)
        if refused:
            self.error.show_error(refused)
            return
        names = ", ".join(self.tr(rule_title(s.rule.kind)).lower() for s in done)
        self.saved.emit(self.tr("Reward rules saved: {names}.").format(names=names))
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(sentence(error))
