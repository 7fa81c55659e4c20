"""Staff and owner from the first run: the welcome makes the staff list with the owner chosen and an
optional PIN; staff see the owner's actions greyed out with the reason; the owner types the PIN when
switching to the owner and before an owner's action, and it is remembered for a few minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt

from careapp.services.shop.settings import ShopSettings
from careapp.services.shop.staff import Role
from careapp.ui.runner import SyncRunner
from careapp.ui.shop.owner_setup import StaffSetup
from careapp.ui.shop.welcome import WelcomeDialog
from careapp.ui.staff.owner_gate import UNLOCK_SECONDS

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts


def type_staff(qtbot: QtBot, welcome: WelcomeDialog, names: tuple[str, ...]) -> None:
    for name in names:
        qtbot.keyClicks(welcome.form.staff.name, name)
        qtbot.keyClick(welcome.form.staff.name, Qt.Key.Key_Return)


def test_the_welcome_makes_the_staff_list_with_the_owner_chosen_and_the_pin(
    qtbot: QtBot, services: Services
) -> None:
    made: list[StaffSetup] = []

    def make_staff(setup: StaffSetup) -> None:
        from careapp.ui.shop.controller import make_staff_list

        made.append(setup)
        make_staff_list(services, setup)

    welcome = WelcomeDialog(
        ShopSettings(), SyncRunner(), lambda _s: None, lambda: None, make_staff=make_staff
    )
    qtbot.addWidget(welcome)
    type_staff(qtbot, welcome, ("Sam", "Priya", "Jo"))
    owners = welcome.owners
    assert owners.summary.text().startswith("Sam becomes the owner; Priya, Jo will work as staff.")
    owners.owner.setCurrentText("Priya")  # the one chosen, not the first named
    assert owners.summary.text().startswith("Priya becomes the owner; Sam, Jo will work as staff.")
    qtbot.keyClicks(owners.pin, "4711")
    qtbot.keyClicks(owners.pin_again, "4712")
    welcome.empty_button.click()
    # Two different PINs: said in words, nothing saved, everything typed still there.
    assert welcome.error.text() == "The two PINs typed differ; type the same PIN twice."
    assert welcome.result() == 0 and welcome.form.staff.names() == ("Sam", "Priya", "Jo")
    assert owners.owner.currentText() == "Priya" and owners.pin.text() == "4711"
    assert made == [] and services.staff.list() == []
    owners.pin_again.clear()
    qtbot.keyClicks(owners.pin_again, "4711")
    welcome.empty_button.click()
    assert made == [StaffSetup("Priya", ("Sam", "Jo"), "4711")]
    assert {(m.name, m.role) for m in services.staff.list()} == {
        ("Priya", Role.OWNER),
        ("Sam", Role.STAFF),
        ("Jo", Role.STAFF),
    }
    assert services.staff.check_owner_pin("4711") and not services.staff.check_owner_pin("0000")


def test_the_welcome_without_staff_names_makes_no_list(qtbot: QtBot, services: Services) -> None:
    from careapp.ui.shop.controller import make_staff_list

    welcome = WelcomeDialog(
        ShopSettings(),
        SyncRunner(),
        lambda _s: None,
        lambda: None,
        make_staff=lambda setup: make_staff_list(services, setup),
    )
    qtbot.addWidget(welcome)
    assert not welcome.owners.owner.isEnabled() and not welcome.owners.pin.isEnabled()
    assert "everyone may do everything" in welcome.owners.summary.text()
    welcome.empty_button.click()
    assert services.staff.list() == [] and not services.staff.roles_apply()


@pytest.fixture
def shop(window: MainWindow, demo_services: Services) -> MainWindow:
    """The demo shop with Olivia the owner (PIN 4711) and Sam; Sam is working; the gate's clock is ours."""
    owner = demo_services.staff.add(None, "Olivia", Role.OWNER).actor()
    demo_services.staff.add(owner, "Sam")
    demo_services.staff.set_owner_pin(owner, "4711")
    window.staff.set_members(demo_services.staff.list())
    window.staff.choose("Sam")
    window.owner_gate.refresh()
    return window


class Pins:
    """Answers the PIN questions and counts them."""

    def __init__(self, answer: str | None) -> None:
        self.answer, self.asked = answer, []  # type: ignore[var-annotated]

    def __call__(self, _parent: object, text: str) -> str | None:
        self.asked.append(text)
        return self.answer


def owner_only(window: MainWindow) -> list:  # type: ignore[type-arg]
    return [window.delete_action, window.privacy.erase_action, window.export_action, window.care.rules_action]


def test_staff_see_the_owners_actions_greyed_out_with_the_reason(qtbot: QtBot, shop: MainWindow) -> None:
    shop.show_page(shop.splitter)
    qtbot.waitUntil(lambda: shop.list_panel.current_id() is not None)
    assert shop.edit_action.isEnabled()  # a customer is selected: only the role greys these out
    for action in owner_only(shop):
        assert not action.isEnabled(), action.text()
    assert shop.delete_action.toolTip() == "Only the owner can delete customers; Sam is working as staff."
    assert shop.export_action.toolTip() == (
        "Only the owner can export the whole customer list; Sam is working as staff."
    )
    pins = Pins("4711")
    shop.owner_gate.ask_pin = pins
    shop.staff.choose("Olivia")
    assert shop.staff.actor() == "Olivia" and len(pins.asked) == 1
    for action in owner_only(shop):
        assert action.isEnabled(), action.text()
    assert shop.delete_action.toolTip() == "Delete customer"


def test_switching_to_the_owner_asks_the_pin_and_a_wrong_one_changes_nothing(
    qtbot: QtBot, shop: MainWindow
) -> None:
    pins = Pins("1111")
    shop.owner_gate.ask_pin = pins
    shop.staff.choose("Olivia")
    assert pins.asked == ["Type the owner's PIN to work as the owner."]
    assert shop.staff.actor() == "Sam" and shop.staff.combo.currentText() == "Sam"
    assert shop.message_bar.text.text() == "That is not the owner's PIN; nothing was changed."
    pins.answer = None  # cancelled: still Sam, nothing said
    shop.staff.choose("Olivia")
    assert shop.staff.actor() == "Sam" and not shop.delete_action.isEnabled()


def test_an_owners_action_asks_the_pin_once_for_a_few_minutes(
    qtbot: QtBot, shop: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    seconds = [1000.0]
    shop.owner_gate._now = lambda: seconds[0]  # the gate's clock, passed in at construction in the app
    shop.settings.setValue("staff/current", "Olivia")
    shop.staff.set_members(demo_services.staff.list())  # careapp restarted with the owner remembered
    assert shop.staff.actor() == "Olivia"
    shop.show_page(shop.splitter)
    qtbot.waitUntil(lambda: shop.list_panel.current_id() is not None)
    pins = Pins("4711")
    shop.owner_gate.ask_pin = pins
    before = demo_services.customers.count()
    shop.delete_action.trigger()  # no PIN typed since the start: asked
    assert pins.asked == ["Type the owner's PIN to delete customers."]
    qtbot.waitUntil(lambda: demo_services.customers.count() == before - 1)
    seconds[0] += UNLOCK_SECONDS - 1
    shop.delete_action.trigger()  # remembered
    qtbot.waitUntil(lambda: demo_services.customers.count() == before - 2)
    assert len(pins.asked) == 1
    seconds[0] += 2
    pins.answer = "0000"  # the few minutes are over: asked again, and a wrong PIN deletes nothing
    shop.delete_action.trigger()
    assert len(pins.asked) == 2 and demo_services.customers.count() == before - 2
    assert len(prompts.asked) == 2  # the delete's own question came only after a right PIN


def test_without_a_pin_nothing_is_asked(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    owner = demo_services.staff.add(None, "Olivia", Role.OWNER).actor()
    demo_services.staff.add(owner, "Sam")
    window.staff.set_members(demo_services.staff.list())
    window.staff.choose("Sam")
    pins = Pins("4711")
    window.owner_gate.ask_pin = pins
    window.staff.choose("Olivia")
    assert window.staff.actor() == "Olivia" and pins.asked == []


def test_the_pin_is_described_as_a_shop_floor_guard(qtbot: QtBot) -> None:
    welcome = WelcomeDialog(ShopSettings(), SyncRunner(), lambda _s: None, lambda: None, make_staff=print)
    qtbot.addWidget(welcome)
    texts = " ".join(label.text() for label in welcome.owners.findChildren(type(welcome.owners.summary)))
    assert "does not protect the data from whoever controls this computer" in texts
