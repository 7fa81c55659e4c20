"""The staff list: "Working as" with roles, the editor (owner only, refused by the service for staff),
and the first staff list made from the shop's names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QSettings, Qt

from careapp.services.shop.staff import Actor, Role
from careapp.ui.runner import SyncRunner
from careapp.ui.staff import StaffPicker
from careapp.ui.staff.bootstrap import bootstrap_question, create_staff_from_names
from careapp.ui.staff.editor import StaffDialog
from careapp.ui.staff.model import StaffListModel
from tests.ui.tab_walk import accessible_name, controls, describe

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def sam(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def seat(tmp_path: Path) -> Iterator[QSettings]:
    settings = QSettings(str(tmp_path / "seat.ini"), QSettings.Format.IniFormat)
    yield settings
    settings.sync()


def open_editor(qtbot: QtBot, services: Services, actor: Actor) -> StaffDialog:
    dialog = StaffDialog(services, SyncRunner(), actor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)
    return dialog


def names(dialog: StaffDialog) -> list[tuple[str, str, str]]:
    model = dialog.model
    return [(model.text(r, 0), model.text(r, 1), model.text(r, 2)) for r in range(model.rowCount())]


def select(dialog: StaffDialog, name: str) -> None:
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.text(r, 0) == name)
    dialog.table.selectRow(row)


def test_the_staff_model_passes_the_model_tester(
    qtmodeltester: Any, services: Services, owner: Actor, sam: Actor
) -> None:
    model = StaffListModel()
    model.set_rows(services.staff.list(include_inactive=True))
    qtmodeltester.check(model)
    assert [model.text(r, 1) for r in range(2)] == ["Owner", "Staff"]


def test_working_as_offers_the_active_members_and_remembers_the_choice(
    qtbot: QtBot, services: Services, owner: Actor, sam: Actor, seat: QSettings
) -> None:
    member = next(m for m in services.staff.list() if m.name == "Sam")
    jo = services.staff.add(owner, "Jo")
    services.staff.deactivate(owner, member.id)
    picker = StaffPicker(seat, "os.user")
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.actorChanged) as changed:
        picker.set_members(services.staff.list(include_inactive=True))
    assert changed.args == ["Jo"]
    assert picker.names() == ["Jo", "Olivia"]  # Sam left the shop
    assert picker.combo.itemData(1, Qt.ItemDataRole.ToolTipRole) == "Olivia (owner)"
    picker.choose("Olivia")
    assert (picker.actor(), picker.role()) == ("Olivia", "owner")
    assert picker.current_actor() == Actor("Olivia", Role.OWNER)
    again = StaffPicker(seat, "os.user")
    qtbot.addWidget(again)
    again.set_members(services.staff.list())
    assert again.actor() == "Olivia"
    again.show()
    qtbot.waitExposed(again)
    again.popup()  # the quick switch opens the list with the keyboard in it
    qtbot.waitUntil(lambda: again.combo.view().isVisible())
    again.combo.hidePopup()
    assert jo.actor() == Actor("Jo", Role.STAFF)


def test_the_owner_adds_renames_promotes_and_marks_who_left(
    qtbot: QtBot, services: Services, owner: Actor, sam: Actor
) -> None:
    dialog = open_editor(qtbot, services, owner)
    assert names(dialog) == [("Olivia", "Owner", "yes"), ("Sam", "Staff", "yes")]
    assert dialog.add_button.isEnabled()
    qtbot.keyClicks(dialog.name, "Priya")
    with qtbot.waitSignal(dialog.changed) as changed:
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert [m.name for m in changed.args[0]] == ["Olivia", "Priya", "Sam"]
    assert dialog.name.text() == ""

    select(dialog, "Sam")
    dialog.rename_button.click()
    dialog.panel.choice.setCurrentText("Sam Jones")
    with qtbot.waitSignal(dialog.changed):
        dialog.panel.apply_button.click()
    select(dialog, "Priya")
    assert dialog.role_button.text() == "Make o&wner"
    with qtbot.waitSignal(dialog.changed):
        dialog.role_button.click()
    select(dialog, "Sam Jones")
    with qtbot.waitSignal(dialog.changed):
        dialog.active_button.click()
    assert names(dialog) == [
        ("Olivia", "Owner", "yes"),
        ("Priya", "Owner", "yes"),
        ("Sam Jones", "Staff", "no longer"),
    ]
    select(dialog, "Sam Jones")
    assert dialog.active_button.text() == "&Back in the shop"


def test_a_refused_change_is_a_sentence(qtbot: QtBot, services: Services, owner: Actor, sam: Actor) -> None:
    dialog = open_editor(qtbot, services, owner)
    dialog.name.setText("sam")
    dialog.add_button.click()
    assert dialog.error.text() == "Sam is already on the staff list."
    assert dialog.name.text() == "sam"
    select(dialog, "Olivia")
    dialog.role_button.click()
    assert dialog.error.text() == "Olivia is the only active owner; make someone else owner first."


def test_staff_see_the_list_but_the_service_refuses_their_changes(
    qtbot: QtBot, services: Services, owner: Actor, sam: Actor
) -> None:
    dialog = open_editor(qtbot, services, sam)
    assert "Only the owner can change the staff list; Sam is signed in as staff." in dialog.note.text()
    assert not any(w.isEnabled() for w in (dialog.add_button, dialog.name, dialog.rename_button))
    dialog.name.setEnabled(True)
    dialog.add_button.setEnabled(True)  # even if the screen let them, the service says no
    dialog.name.setText("Mallory")
    dialog.add_button.click()
    assert dialog.error.text() == (
        "Only the owner can change the staff list; Sam is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )
    assert dialog.name.text() == "Mallory"
    assert [m.name for m in services.staff.list()] == ["Olivia", "Sam"]


def test_every_control_of_the_editor_has_a_name(qtbot: QtBot, services: Services, owner: Actor) -> None:
    dialog = open_editor(qtbot, services, owner)
    dialog.rename_button.click()
    assert [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))] == []


def test_the_first_staff_list_comes_from_the_shop_names(services: Services) -> None:
    text, detail, action = bootstrap_question(["Sam", "Jo", "Priya"])
    assert text == "Make the staff list from the shop's staff names?"
    assert detail.startswith("Sam becomes the owner; Jo, Priya will work as staff.")
    assert action == "Make the staff list"
    made = create_staff_from_names(services, [" Sam ", "Jo", "Jo", "Priya"])
    assert [(m.name, m.role) for m in made] == [("Jo", "staff"), ("Priya", "staff"), ("Sam", "owner")]
    assert services.staff.roles_apply()
    again = create_staff_from_names(services, ["Someone", "Else"])  # another seat was quicker
    assert [m.name for m in again] == ["Jo", "Priya", "Sam"]


def test_the_owner_sets_and_changes_the_pin_from_the_staff_list(
    qtbot: QtBot, services: Services, owner: Actor
) -> None:
    dialog = open_editor(qtbot, services, owner)
    assert dialog.pin_status.text() == "The owner has no PIN."
    assert dialog.pin_button.isEnabled()
    qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
    assert dialog.pin_box.isVisible()
    qtbot.keyClicks(dialog.pin, "4711")
    qtbot.keyClicks(dialog.pin_again, "4712")
    qtbot.mouseClick(dialog.save_pin_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "The two PINs typed differ; type the same PIN twice."
    assert not services.staff.has_owner_pin()
    assert dialog.pin.text() == "4711"  # what was typed is still there
    dialog.pin_again.clear()
    qtbot.keyClicks(dialog.pin_again, "4711")
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
    assert services.staff.has_owner_pin() and services.staff.check_owner_pin("4711")
    assert not dialog.pin_box.isVisible()
    assert dialog.pin_button.text() == "Change owner's &PIN…"
    qtbot.mouseClick(dialog.pin_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.pin, "12ab")
    qtbot.keyClicks(dialog.pin_again, "12ab")
    qtbot.mouseClick(dialog.save_pin_button, Qt.MouseButton.LeftButton)
    assert "digits" in dialog.error.text()
    assert services.staff.check_owner_pin("4711")  # unchanged
    for field in (dialog.pin, dialog.pin_again):
        field.setText("90210")
    qtbot.mouseClick(dialog.save_pin_button, Qt.MouseButton.LeftButton)
    assert services.staff.check_owner_pin("90210") and not services.staff.check_owner_pin("4711")


def test_staff_cannot_set_the_pin(qtbot: QtBot, services: Services, sam: Actor) -> None:
    dialog = open_editor(qtbot, services, sam)
    assert not dialog.pin_button.isEnabled()
    assert dialog.pin_button.toolTip() == "Only the owner sets the PIN, once there is an owner."
