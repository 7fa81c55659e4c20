"""First run: the welcome sets up the shop and offers import, demo data or an empty start;
File → Shop settings… reopens the same form; "Working as" follows the staff list."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt

from careapp.app import Startup
from careapp.config import resolve_paths
from careapp.services.shop.settings import ShopSettings, Versioned
from careapp.ui.runner import SyncRunner, ThreadedRunner
from careapp.ui.shop.welcome import WelcomeDialog
from careapp.ui.staff import StaffPicker
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow


class RecordingSettings:
    """The real settings service, noting which thread each save ran on."""

    def __init__(self, real: object) -> None:
        self._real = real
        self.saved_on: list[threading.Thread] = []

    def shop(self) -> ShopSettings:
        return self._real.shop()  # type: ignore[attr-defined, no-any-return]

    def shop_versioned(self) -> Versioned[ShopSettings]:
        return self._real.shop_versioned()  # type: ignore[attr-defined, no-any-return]

    def save_shop(self, settings: ShopSettings, version: int | None = None, by: str = "") -> object:
        self.saved_on.append(threading.current_thread())
        return self._real.save_shop(settings, version, by)  # type: ignore[attr-defined]


@pytest.fixture
def recording(services: Services) -> RecordingSettings:
    return RecordingSettings(services.settings)


@pytest.fixture
def live_window(
    qtbot: QtBot,
    services: Services,
    recording: RecordingSettings,
    threaded_runner: ThreadedRunner,
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> MainWindow:
    """A main window on an empty database, with the real database thread."""
    window = make_window(qtbot, threaded_runner, tmp_path, prompts)
    window.attach_services(services.replaced(settings=recording), services.settings.shop())
    qtbot.waitUntil(lambda: window.list_panel.model is not None and window.list_panel.model.has_searched)
    return window


def open_welcome(qtbot: QtBot, window: MainWindow) -> WelcomeDialog:
    window.show_welcome(ShopSettings())
    welcome = window.shop_actions.welcome
    assert welcome is not None
    qtbot.waitUntil(welcome.isVisible)
    return welcome


def fill_in(qtbot: QtBot, welcome: WelcomeDialog) -> None:
    form = welcome.form
    form.shop_name.clear()
    qtbot.keyClicks(form.shop_name, "Bean There Coffee")
    form.region.setCurrentIndex(form.region.findData("DE"))
    for name in ("Sam", "Jo"):
        qtbot.keyClicks(form.staff.name, name)
        qtbot.keyClick(form.staff.name, Qt.Key.Key_Return)
    form.mar1.click()


def test_first_start_shows_the_welcome_and_the_smoke_test_does_not(
    qtbot: QtBot, tmp_path: Path, threaded_runner: ThreadedRunner, prompts: ScriptedPrompts
) -> None:
    shown = []
    for smoke_test in (False, True):
        paths = resolve_paths(str(tmp_path / f"fresh-{smoke_test}"))
        window = make_window(qtbot, threaded_runner, tmp_path, prompts)
        startup = Startup(window, threaded_runner, paths, tmp_path / "careapp.log", smoke_test=smoke_test)
        with qtbot.waitSignal(startup.listReady, timeout=15000):
            startup.begin()
        shown.append(window.shop_actions.welcome is not None)
        startup.close_services()
    assert shown == [True, False]


def test_start_empty_saves_the_shop_on_the_database_thread(
    qtbot: QtBot, live_window: MainWindow, services: Services, recording: RecordingSettings
) -> None:
    welcome = open_welcome(qtbot, live_window)
    fill_in(qtbot, welcome)
    assert welcome.form.region.currentText() == "Germany (DE)"
    qtbot.mouseClick(welcome.empty_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: live_window.shop_actions.welcome is None)
    saved = services.settings.shop()
    assert saved == ShopSettings(
        shop_name="Bean There Coffee",
        default_region="DE",
        feb29_observed_on="mar1",
        staff_names=("Sam", "Jo"),
        welcome_done=True,
    )
    assert recording.saved_on and threading.main_thread() not in recording.saved_on
    # The names typed are the staff list now (the first one the owner), read back in name order.
    assert [(m.name, str(m.role)) for m in services.staff.list()] == [("Jo", "staff"), ("Sam", "owner")]
    combo = live_window.staff.combo
    qtbot.waitUntil(lambda: [combo.itemText(i) for i in range(combo.count())] == ["Jo", "Sam"])
    # Who set the shop up is working, as the owner: not Jo, who comes first by name.
    assert live_window.staff.actor() == "Sam" and live_window.staff.role() == "owner"
    assert live_window.export_action.isEnabled()  # an owner's action


def test_load_demo_data_shows_it_is_busy_then_lists_the_customers(
    qtbot: QtBot, live_window: MainWindow, services: Services
) -> None:
    welcome = open_welcome(qtbot, live_window)
    statuses: list[str] = []
    welcome.statusChanged.connect(statuses.append)
    qtbot.mouseClick(welcome.demo_button, Qt.MouseButton.LeftButton)
    # The click only queues the work: until it is done the dialog says so and takes no more clicks.
    assert welcome.busy_bar.isVisible() and not welcome.demo_button.isEnabled()
    qtbot.waitUntil(lambda: live_window.shop_actions.welcome is None, timeout=30000)
    assert statuses == ["Saving the shop's settings…", "Loading demo customers…", ""]
    qtbot.waitUntil(lambda: live_window.count_label.text() == "200 customers", timeout=15000)
    assert services.settings.shop().welcome_done
    assert "200 made-up customers" in live_window.message_bar.text.text()


def test_import_customers_opens_the_import_dialog(qtbot: QtBot, live_window: MainWindow) -> None:
    welcome = open_welcome(qtbot, live_window)
    qtbot.mouseClick(welcome.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: live_window.import_actions.dialog is not None)
    assert live_window.shop_actions.welcome is None
    dialog = live_window.import_actions.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)


def test_closing_the_welcome_starts_empty_and_it_does_not_come_back(
    qtbot: QtBot, live_window: MainWindow, services: Services
) -> None:
    welcome = open_welcome(qtbot, live_window)
    qtbot.keyClick(welcome, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: live_window.shop_actions.welcome is None)
    assert services.settings.shop().welcome_done


def test_a_failed_save_keeps_the_welcome_open_with_what_was_typed(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    def broken_save(_settings: ShopSettings) -> None:
        raise OSError("disk full")

    welcome = WelcomeDialog(ShopSettings(), SyncRunner(), broken_save, lambda: None)
    qtbot.addWidget(welcome)
    welcome.show()
    fill_in(qtbot, welcome)
    welcome.empty_button.click()
    assert welcome.isVisible()
    assert welcome.error.text().startswith("That did not work: disk full")
    assert welcome.form.shop_name.text() == "Bean There Coffee"
    assert welcome.form.staff.names() == ("Sam", "Jo")
    assert welcome.empty_button.isEnabled()


def test_enter_in_the_staff_name_adds_it_and_does_not_press_a_button(
    qtbot: QtBot, prompts: ScriptedPrompts
) -> None:
    saves: list[ShopSettings] = []
    welcome = WelcomeDialog(ShopSettings(), SyncRunner(), saves.append, lambda: None)
    qtbot.addWidget(welcome)
    welcome.show()
    staff = welcome.form.staff
    qtbot.keyClicks(staff.name, "  Priya   Shah ")
    qtbot.keyClick(staff.name, Qt.Key.Key_Return)
    qtbot.keyClicks(staff.name, "priya shah")
    qtbot.keyClick(staff.name, Qt.Key.Key_Return)
    assert staff.names() == ("Priya Shah",)
    assert saves == [] and welcome.isVisible()
    staff.list.setCurrentRow(0)
    staff.remove_button.click()
    assert staff.names() == ()


def test_shop_settings_reopens_the_form_with_the_saved_values(
    qtbot: QtBot, live_window: MainWindow, services: Services
) -> None:
    services.settings.save_shop(ShopSettings(shop_name="Old name", staff_names=("Sam",), welcome_done=True))
    live_window.shop_settings_action.trigger()
    qtbot.waitUntil(lambda: live_window.shop_actions.settings_dialog is not None)
    dialog = live_window.shop_actions.settings_dialog
    assert dialog is not None
    assert dialog.form.shop_name.text() == "Old name"
    assert dialog.form.staff.names() == ("Sam",)
    assert dialog.form.feb28.isChecked()
    qtbot.keyClicks(dialog.form.staff.name, "Jo")
    dialog.form.region.setCurrentIndex(dialog.form.region.findData("IE"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: live_window.shop_actions.settings_dialog is None)
    saved = services.settings.shop()
    assert (saved.staff_names, saved.default_region, saved.welcome_done) == (("Sam", "Jo"), "IE", True)
    assert live_window.staff.combo.count() == 2


def test_shop_settings_saved_on_another_seat_meanwhile_are_explained_and_the_typed_values_stay(
    qtbot: QtBot, live_window: MainWindow, services: Services
) -> None:
    services.settings.save_shop(ShopSettings(shop_name="Old name", staff_names=("Sam",), welcome_done=True))
    live_window.shop_settings_action.trigger()
    qtbot.waitUntil(lambda: live_window.shop_actions.settings_dialog is not None)
    dialog = live_window.shop_actions.settings_dialog
    assert dialog is not None
    # Another seat saves while this dialog is open.
    other = services.settings.shop_versioned()
    services.settings.save_shop(dataclasses.replace(other.value, shop_name="Bean There"), other.version, "Jo")
    dialog.form.shop_name.setText("Corner Coffee")
    dialog.form.region.setCurrentIndex(dialog.form.region.findData("IE"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    lines = dialog.error.text().split("\n")
    assert lines[0].startswith("The shop settings were changed by Jo at ")
    assert "Shop name: theirs “Bean There”, yours “Corner Coffee”." in lines
    assert "Country for phone numbers: theirs “GB”, yours “IE”." in lines
    assert not [line for line in lines if line.startswith("Staff:")]  # the same on both sides
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.form.shop_name.text() == "Corner Coffee"  # nothing typed is lost
    assert dialog.form.region.currentData() == "IE"
    assert services.settings.shop().shop_name == "Bean There"  # and theirs is not overwritten
    dialog.save_button.click()  # having seen theirs, Save again keeps what was typed
    qtbot.waitUntil(lambda: live_window.shop_actions.settings_dialog is None)
    saved = services.settings.shop_versioned()
    assert (saved.value.shop_name, saved.value.default_region, saved.version) == ("Corner Coffee", "IE", 3)
    assert saved.changed_by == live_window.staff.actor() != ""  # kept with who saved it


@pytest.fixture
def ui_settings(tmp_path: Path) -> Iterator[QSettings]:
    settings = QSettings(str(tmp_path / "seat.ini"), QSettings.Format.IniFormat)
    yield settings
    settings.sync()


def test_working_as_is_remembered_and_falls_back_to_the_computer_user(
    qtbot: QtBot, ui_settings: QSettings
) -> None:
    picker = StaffPicker(ui_settings, "sam.os.user")
    qtbot.addWidget(picker)
    assert picker.actor() == "sam.os.user"
    assert picker.only_name.text() == "sam.os.user"
    assert picker.combo.isHidden()
    with qtbot.waitSignal(picker.actorChanged) as changed:
        picker.set_names(("Sam", "Jo"))
    assert changed.args == ["Sam"]
    assert picker.only_name.isHidden() and not picker.combo.isHidden()
    picker.combo.setCurrentText("Jo")
    again = StaffPicker(ui_settings, "sam.os.user")
    qtbot.addWidget(again)
    again.set_names(("Sam", "Jo"))
    assert again.actor() == "Jo"


def test_notes_are_written_by_whoever_is_working(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    window.apply_shop(ShopSettings(staff_names=("Sam", "Jo")))
    window.staff.combo.setCurrentText("Jo")
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    window.note_action.trigger()
    dialog = window.customer_actions.note_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.text, "Asked for the oat milk to be back in stock.")
    dialog.save()
    qtbot.waitUntil(lambda: window.detail.timeline_model.entry(0).title == "Note by Jo")
