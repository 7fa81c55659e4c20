"""Reports → Control group… (issue 21): the owner turns the group on in the window, the care queue
re-plans and shows the group's touches under Held with the reason; staff see the menu item greyed out
with why, and a save the service refuses (staff) keeps the choice on screen with the reason."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.care_queue import CONTROL_GROUP_HELD
from careapp.services.shop.staff import Actor, Role
from careapp.ui.runner import SyncRunner
from careapp.ui.value.control_dialog import ControlGroupDialog
from tests.services.test_care_incremental import demo_shop

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts

OWNER = Actor("Olivia", Role.OWNER)
SHOTS = os.environ.get("CAREAPP_SHOTS")  # a folder: the screenshots are saved there to look at


def _dialog(qtbot: QtBot, services: Services, actor: Actor) -> ControlGroupDialog:
    dialog = ControlGroupDialog(services.value, SyncRunner(), lambda: actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.waitUntil(dialog.save_button.isEnabled)
    return dialog


def test_the_owner_turns_the_group_on_and_the_queue_holds_its_touches(
    qtbot: QtBot, services: Services, clock: list[dt.datetime]
) -> None:
    owner = demo_shop(services, clock, 300)
    dialog = _dialog(qtbot, services, owner)
    assert not dialog.enabled.isChecked() and not dialog.share.isEnabled()
    dialog.enabled.setChecked(True)
    assert dialog.share.isEnabled()
    dialog.share.setValue(10)
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "control-group-setting.png"))
    said: list[str] = []
    dialog.saved.connect(said.append)
    qtbot.keyClick(dialog.share, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert said == ["Control group on: 10 % of customers; their marketing touches are held."]
    group = services.value.control_group()
    assert (group.enabled, group.percent) == (True, 10)
    queue = services.care_queue.queue(services.touches.today())
    held = [e for e in queue.held if e.reason == CONTROL_GROUP_HELD]
    assert held and all(group.holds(e.customer_id) for e in held)


def test_a_save_refused_to_staff_keeps_the_choice_with_the_reason(qtbot: QtBot, services: Services) -> None:
    services.staff.add(None, "Olivia", Role.OWNER)
    services.staff.add(OWNER, "Sam")
    dialog = _dialog(qtbot, services, Actor("Sam"))
    dialog.enabled.setChecked(True)
    dialog.share.setValue(7)
    dialog.save()
    assert "Only the owner can change the control group" in dialog.error.text()
    assert dialog.isVisible() and dialog.enabled.isChecked() and dialog.share.value() == 7
    assert not services.value.control_group().enabled


def test_the_menu_item_is_greyed_for_staff_with_the_reason(
    qtbot: QtBot, services: Services, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    from tests.ui.conftest import make_window

    services.staff.add(None, "Olivia", Role.OWNER)
    services.staff.add(OWNER, "Sam")
    QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat).setValue("staff/current", "Sam")
    window = make_window(qtbot, SyncRunner(), tmp_path, prompts)
    window.attach_services(services, services.settings.shop())
    qtbot.waitUntil(lambda: window.staff.names() == ["Olivia", "Sam"])
    action = window.value_report.control_action
    assert action in window.reports_menu.actions()
    qtbot.waitUntil(lambda: not action.isEnabled())
    assert action.toolTip() == "Only the owner can change the control group; Sam is working as staff."


@pytest.fixture
def prompts() -> ScriptedPrompts:
    from tests.ui.conftest import ScriptedPrompts

    return ScriptedPrompts()
