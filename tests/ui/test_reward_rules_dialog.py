"""File → Reward rules… and Reports → Rewards…: the owner switches a rule on and saves with Ctrl+Enter;
a save the service refuses keeps everything typed, with the reason; staff see the menu item greyed
out with why; the report window shows the ledger's figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog

from careapp.domain.customer import CustomerDraft
from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import OfferKind, RuleKind
from careapp.services.shop.staff import Actor, Role
from careapp.ui.rewards.report_window import RewardsReportWindow
from careapp.ui.rewards.rules_dialog import RewardRulesDialog
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts

OWNER = Actor("Olivia", Role.OWNER)


@pytest.fixture
def staffed(services: Services) -> Services:
    services.staff.add(None, "Olivia", Role.OWNER)
    services.staff.add(OWNER, "Sam")
    return services


def _dialog(qtbot: QtBot, services: Services, actor: Actor) -> RewardRulesDialog:
    dialog = RewardRulesDialog(services, SyncRunner(), lambda: actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.waitUntil(lambda: len(dialog.tabs_by_kind) == 4)
    return dialog


def _type_stamp_card(qtbot: QtBot, dialog: RewardRulesDialog) -> None:
    tab = dialog.tabs_by_kind[RuleKind.STAMP]
    tab.enabled.setChecked(True)
    dialog.stamp_every.setValue(8)
    dialog.stamp_category.setText("Cakes")
    tab.offer.wording.clear()
    qtbot.keyClicks(tab.offer.wording, "a free slice of cake")
    tab.offer.expiry.setValue(60)


def _stamp(services: Services):  # type: ignore[no-untyped-def]
    return next(s for s in services.rewards.rules() if s.rule.kind is RuleKind.STAMP)


def test_rules_start_off_and_the_owner_switches_one_on_with_ctrl_enter(
    qtbot: QtBot, staffed: Services
) -> None:
    dialog = _dialog(qtbot, staffed, OWNER)
    assert not any(tab.enabled.isChecked() for tab in dialog.tabs_by_kind.values())
    assert dialog.tabs.count() == 4
    _type_stamp_card(qtbot, dialog)
    saved: list[str] = []
    dialog.saved.connect(saved.append)
    qtbot.keyClick(
        dialog.tabs_by_kind[RuleKind.STAMP].offer.wording,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier,
    )
    assert dialog.error.text() == ""
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert saved == ["Reward rules saved: stamp card."]
    stored = _stamp(staffed)
    assert (stored.rule.enabled, stored.rule.every, stored.rule.category) == (True, 8, "Cakes")
    assert (stored.rule.offer.wording, stored.rule.offer.expires_after_days) == ("a free slice of cake", 60)
    assert stored.updated_by == "Olivia"
    others = [s for s in staffed.rewards.rules() if s.rule.kind is not RuleKind.STAMP]
    assert all(s.version == 0 for s in others)  # only the changed rule was saved


def test_a_save_refused_to_staff_keeps_what_was_typed(qtbot: QtBot, staffed: Services) -> None:
    dialog = _dialog(qtbot, staffed, Actor("Sam"))
    _type_stamp_card(qtbot, dialog)
    dialog.save()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Only the owner can change the reward rules" in dialog.error.text()
    tab = dialog.tabs_by_kind[RuleKind.STAMP]
    assert tab.enabled.isChecked() and dialog.stamp_every.value() == 8
    assert tab.offer.wording.text() == "a free slice of cake" and dialog.stamp_category.text() == "Cakes"
    assert _stamp(staffed).version == 0 and not _stamp(staffed).rule.enabled


def test_a_wrong_value_is_a_sentence_and_nothing_typed_is_lost(qtbot: QtBot, staffed: Services) -> None:
    dialog = _dialog(qtbot, staffed, OWNER)
    referral = dialog.tabs_by_kind[RuleKind.REFERRAL]
    referral.enabled.setChecked(True)
    referral.offer.kind.setCurrentIndex(referral.offer.kind.findData(OfferKind.PERCENT_OFF))
    referral.offer.value.setValue(0)
    dialog.save()
    assert "a percentage off is more than 0" in dialog.error.text()
    assert referral.enabled.isChecked() and referral.offer.chosen_kind() is OfferKind.PERCENT_OFF
    assert all(s.version == 0 for s in staffed.rewards.rules())
    referral.offer.value.setValue(15)
    dialog.welcome_on.setChecked(False)
    assert not dialog.welcome.wording.isEnabled()
    dialog.save()
    stored = next(s for s in staffed.rewards.rules() if s.rule.kind is RuleKind.REFERRAL)
    assert stored.rule.enabled and stored.rule.offer.value == 15 and stored.rule.welcome is None


def test_the_menu_item_is_greyed_for_staff_with_the_reason(
    qtbot: QtBot, staffed: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from tests.ui.conftest import make_window

    QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat).setValue("staff/current", "Sam")
    window = make_window(qtbot, SyncRunner(), tmp_path, prompts)
    window.attach_services(staffed, staffed.settings.shop())
    qtbot.waitUntil(lambda: window.staff.names() == ["Olivia", "Sam"])
    action = window.rewards.rules_action
    assert action in window.file_menu.actions()
    qtbot.waitUntil(lambda: not action.isEnabled())
    assert action.toolTip() == "Only the owner can change the reward rules; Sam is working as staff."
    assert window.rewards.report_action in window.reports_menu.actions()
    assert window.rewards.report_action.isEnabled()  # everyone may read the report


def test_the_report_window_shows_the_months_the_rate_and_what_came_after(
    qtbot: QtBot, staffed: Services, tmp_path: Path
) -> None:
    from dataclasses import replace

    stamp = _stamp(staffed)
    staffed.rewards.save_rule(OWNER, replace(stamp, rule=replace(stamp.rule, enabled=True, every=2)))
    customer_id = staffed.customers.create(CustomerDraft(first_name="Ann"), "Sam").id
    for day in (dt.date(2026, 11, 2), dt.date(2026, 11, 3)):
        staffed.purchases.record(customer_id, SaleInput(day, "Flat white", "Coffee", "3.20"))
    window = RewardsReportWindow(staffed, SyncRunner())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(window.tables) == 3)
    months = window.models["months"]
    assert months.columnCount() == 7 and months.rowCount() == 12  # the last twelve months
    november = [months.text(row, 0) for row in range(months.rowCount())].index("2026-11")
    assert months.text(november, 1) == "1"
    redemption = window.models["redemption"]
    figures = {redemption.text(r, 0): redemption.text(r, 1) for r in range(redemption.rowCount())}
    assert figures["redemption rate"] == "0/1 (0.0%)"
    assert "upper bound" in window.notes["after"].text()
    window.grab().save(str(tmp_path / "rewards-report.png"))


def test_the_dialog_grows_to_its_tabs_when_they_come_after_it_was_shown(
    qtbot: QtBot, staffed: Services, threaded_runner: Any
) -> None:
    """In the window the rules arrive from the database thread after the dialog is on screen; it must
    not stay at the size it had with no tabs (seen at 1024x600: a strip showing two lines of a tab)."""
    from careapp.ui.fit import keep_windows_on_screen

    keep = keep_windows_on_screen(QApplication.instance())  # type: ignore[arg-type]
    dialog = RewardRulesDialog(staffed, threaded_runner, lambda: OWNER)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(dialog.tabs_by_kind) == 4, timeout=5000)
    page = dialog.tabs.currentWidget()
    free = dialog.screen().availableGeometry().height()
    assert page.height() >= min(page.sizeHint().height(), free // 2)
    QApplication.instance().removeEventFilter(keep)  # type: ignore[union-attr]
