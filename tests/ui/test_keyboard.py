"""Keyboard only: Tab reaches every control of the main window and of the customer editor,
mnemonics are there and do not clash, and every control has an accessible name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QRadioButton, QWidget

from careapp.domain.customer import CustomerDraft, DateKind, EmailAddress, ImportantDate, PartialDate
from careapp.services.shop.settings import ShopSettings, Versioned
from careapp.ui.about import AboutDialog
from careapp.ui.backups.dialog import BackupsDialog
from careapp.ui.customers.bulk_edit import BulkEditDialog
from careapp.ui.customers.editor import CustomerEditor
from careapp.ui.customers.note_dialog import NoteDialog
from careapp.ui.customers.privacy_actions import EraseDialog
from careapp.ui.errors import ErrorDialog
from careapp.ui.importing.dialog import ImportDialog
from careapp.ui.runner import SyncRunner
from careapp.ui.shop.settings_dialog import ShopSettingsDialog
from careapp.ui.shop.welcome import WelcomeDialog
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through
from tests.ui.test_editor import open_editor

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.shop.backups import BackupService
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts

_MNEMONIC = re.compile(r"&([^&])")


def missing(root: QWidget, reached: list[QWidget]) -> list[str]:
    return [describe(widget) for widget in controls(root) if widget not in reached]


@pytest.fixture
def busy_window(qtbot: QtBot, window: MainWindow) -> MainWindow:
    """The main window with everything showing: a customer, a message with a button, two staff."""
    window.apply_shop(ShopSettings(staff_names=("Sam", "Jo")))
    window.message_bar.show_message("Deleted Ann Evans.", "Undo", lambda: None)
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    return window


@pytest.fixture
def full_editor(qtbot: QtBot, services: Services, prompts: ScriptedPrompts) -> CustomerEditor:
    """An editor with an email, a phone, a custom date (label shown) and an unknown birthday."""
    customer = services.customers.create(
        CustomerDraft(
            first_name="Ann",
            emails=[EmailAddress("ann@example.com")],
            dates=[ImportantDate(DateKind.CUSTOM, PartialDate(5, 6, None), "Shop opening")],
        ),
        "Jo",
    )
    editor = open_editor(qtbot, services, prompts, customer)
    phone = editor.form.phones.add_row()
    qtbot.waitUntil(phone.isVisible)
    return editor


def test_tab_reaches_every_control_of_the_main_window(qtbot: QtBot, busy_window: MainWindow) -> None:
    panel = busy_window.list_panel
    reached = tab_through(qtbot, panel.search)
    assert missing(busy_window, reached) == []
    order = [reached.index(w) for w in (panel.search, panel.table, busy_window.detail.timeline)]
    assert order == sorted(order), "search, then the list, then the customer's details"


def test_tab_leaves_the_customer_list_rather_than_walking_its_cells(
    qtbot: QtBot, busy_window: MainWindow
) -> None:
    table = busy_window.list_panel.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is busy_window.detail.timeline


def test_tab_reaches_every_control_of_the_editor_in_reading_order(
    qtbot: QtBot, full_editor: CustomerEditor
) -> None:
    form = full_editor.form
    reached = tab_through(qtbot, form.first_name)
    assert missing(full_editor, reached) == []
    # Top to bottom in the left column, then the right column, then the buttons.
    landmarks = [form.first_name, form.country, form.birthday.known, form.notes, full_editor.save_button]
    order = [reached.index(widget) for widget in landmarks]
    assert order == sorted(order)


def test_an_added_row_takes_its_place_in_the_tab_order(qtbot: QtBot, full_editor: CustomerEditor) -> None:
    form = full_editor.form
    added = form.emails.add_row()
    qtbot.waitUntil(added.isVisible)  # a widget added to a shown layout appears a moment later
    reached = tab_through(qtbot, form.first_name)
    assert missing(full_editor, reached) == []
    new_address = added.first_input()
    assert reached.index(new_address) < reached.index(form.emails.add_button) < reached.index(form.street)


def test_shift_tab_goes_the_same_way_backwards(qtbot: QtBot, full_editor: CustomerEditor) -> None:
    first = full_editor.form.first_name
    forwards = tab_through(qtbot, first)
    backwards = tab_through(qtbot, first, backwards=True)
    assert backwards == [first, *reversed(forwards[1:])]


def test_label_mnemonics_reach_their_fields(qtbot: QtBot, full_editor: CustomerEditor) -> None:
    form = full_editor.form
    form.first_name.setFocus()
    qtbot.waitUntil(form.first_name.hasFocus)
    for key, expected in (
        (Qt.Key.Key_I, form.city),
        (Qt.Key.Key_B, form.birthday.known),
        (Qt.Key.Key_M, form.emails.rows[0].first_input()),
        (Qt.Key.Key_Y, form.referrer.field),
    ):
        qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is expected, describe(QApplication.focusWidget())


def mnemonics(texts: list[str]) -> list[str]:
    found = [_MNEMONIC.search(text) for text in texts]
    assert all(found), f"without a mnemonic: {[t for t, m in zip(texts, found, strict=True) if not m]}"
    return [match.group(1).lower() for match in found if match]


def test_every_menu_and_menu_item_has_its_own_mnemonic(window: MainWindow) -> None:
    menus = [action.menu() for action in window.menuBar().actions()]
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[:5] == ["&File", "&Edit", "&Customer", "&Reports", "&Help"][: len(titles)]
    letters = mnemonics(titles)
    assert len(set(letters)) == len(letters), titles
    for menu in menus:
        assert isinstance(menu, QMenu)
        items = [action.text() for action in menu.actions() if not action.isSeparator()]
        letters = mnemonics(items)
        assert len(set(letters)) == len(letters), items


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, busy_window: MainWindow, full_editor: CustomerEditor
) -> None:
    nameless = [
        describe(widget)
        for root in (busy_window, full_editor)
        for widget in controls(root)
        if not (widget.accessibleName() or accessible_name(widget))
    ]
    assert nameless == []


def reachable_with_tab(root: QWidget) -> list[QWidget]:
    """The controls Tab must reach: in a group of radio buttons only the checked one takes Tab
    (the arrow keys move between them), as everywhere in Qt."""
    return [
        widget
        for widget in controls(root)
        if not (isinstance(widget, QRadioButton) and widget.autoExclusive() and not widget.isChecked())
    ]


def backup_service(services: Services) -> BackupService:
    from careapp.services.shop.backups import BackupService

    assert services.backup_dir is not None
    return BackupService(services.db.url, services.backup_dir, services.clock)


def open_each_dialog(qtbot: QtBot, services: Services, prompts: ScriptedPrompts) -> list[QDialog]:
    runner = SyncRunner()
    dialogs: list[QDialog] = [
        WelcomeDialog(ShopSettings(staff_names=("Sam", "Jo")), runner, lambda _s: None, lambda: None),
        ShopSettingsDialog(
            Versioned(ShopSettings(staff_names=("Sam",)), 1), runner, lambda s, _v: Versioned(s, 2)
        ),
        AboutDialog(None),
        ErrorDialog("ValueError: x", "Traceback …", Path("/tmp/careapp.log")),
        ImportDialog(services.imports, runner, prompts, "Sam"),  # type: ignore[arg-type]
        NoteDialog(services.customers, runner, prompts, 1, "Ann Evans", "Sam"),  # type: ignore[arg-type]
        BulkEditDialog(services.customers, runner, [1, 2], "Sam"),
        EraseDialog("Ann Evans"),
        BackupsDialog(backup_service(services), runner, prompts, lambda _p: None),  # type: ignore[arg-type]
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    return dialogs


def test_tab_reaches_every_control_of_every_dialog(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    for dialog in open_each_dialog(qtbot, services, prompts):
        dialog.show()
        qtbot.waitExposed(dialog)
        first = reachable_with_tab(dialog)[0]
        reached = tab_through(qtbot, first)
        assert missing_from(dialog, reached) == [], dialog.objectName() or type(dialog).__name__
        nameless = [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))]
        assert nameless == [], type(dialog).__name__
        dialog.hide()


def missing_from(root: QWidget, reached: list[QWidget]) -> list[str]:
    return [describe(widget) for widget in reachable_with_tab(root) if widget not in reached]


def test_tool_tips_do_not_show_the_mnemonic_marker(window: MainWindow) -> None:
    tips = [action.toolTip() for action in window.findChildren(QAction) if action.toolTip()]
    assert tips and [tip for tip in tips if "&" in tip] == []
