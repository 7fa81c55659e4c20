"""The customer's privacy actions in the window: export their data to a private file, and erase them
through a confirm dialog that needs a reason and their name (or ERASE) typed out; staff are refused
with a sentence in the dialog and nothing is erased."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.services.customers.service import CustomerNotFound
from careapp.services.shop.staff import Role
from careapp.ui.customers.privacy_actions import EraseDialog

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from careapp.ui.runner import ThreadedRunner

SHOTS = os.environ.get("CAREAPP_SHOTS")  # a folder: also save screenshots there to look at


def shown(qtbot: QtBot, window: MainWindow) -> tuple[int, str]:
    qtbot.waitUntil(lambda: window.detail.customer is not None)
    customer = window.detail.customer
    assert customer is not None
    return customer.id, customer.display_name()


def test_export_writes_the_shown_customer_to_a_private_file(
    qtbot: QtBot, window: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    customer_id, name = shown(qtbot, window)
    assert window.privacy.more_button.isVisible()
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / "detail-more.png"))
    target = tmp_path / "one.json"
    asked: list[str] = []
    window.privacy.ask_path = lambda _parent, who: asked.append(who) or target  # type: ignore[func-returns-value]
    assert window.privacy.export_action.isEnabled()
    window.privacy.export_action.trigger()
    qtbot.waitUntil(target.exists)
    assert asked == [name]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["customer_id"] == customer_id
    assert window.message_bar.text.text().startswith(f"Saved everything careapp holds about {name} to")
    menu_texts = [a.text() for a in window.list_panel.table.actions()]
    assert "E&xport this customer's data…" in menu_texts and "E&rase customer completely…" in menu_texts


def test_erase_needs_a_reason_and_the_name_then_leaves_no_undo(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    customer_id, name = shown(qtbot, window)
    before = demo_services.customers.count()
    window.privacy.erase_action.trigger()
    dialog = window.privacy.dialog
    assert isinstance(dialog, EraseDialog) and dialog.isVisible()
    assert dialog.warning.text().startswith("This cannot be undone.")
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "Asked by email on 3 May")
    qtbot.keyClicks(dialog.confirm, "erase")  # the word must be in capitals
    assert not dialog.erase_button.isEnabled()
    dialog.confirm.clear()
    qtbot.keyClicks(dialog.confirm, name.upper())  # the name in any case will do
    assert dialog.erase_button.isEnabled()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "erase-confirm.png"))
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.privacy.dialog is None)
    assert demo_services.customers.count() == before - 1
    with pytest.raises(CustomerNotFound):
        demo_services.customers.get(customer_id)
    assert window.message_bar.text.text().startswith(f"Customer {customer_id} was erased:")
    assert not window.undo_action.isEnabled()
    qtbot.waitUntil(lambda: window.list_panel.current_id() not in (None, customer_id))


def test_staff_are_refused_in_the_dialog_and_what_they_typed_stays(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    owner = demo_services.staff.add(None, "Olivia", Role.OWNER).actor()
    demo_services.staff.add(owner, "Sam")
    window.staff.set_names(("Olivia", "Sam"))
    window.staff.choose("Sam")
    customer_id, name = shown(qtbot, window)
    window.privacy.erase_action.trigger()
    dialog = window.privacy.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.reason, "Asked by letter")
    qtbot.keyClicks(dialog.confirm, "ERASE")
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.error.text().startswith("Only the owner can erase customers completely; Sam is signed in")
    assert dialog.reason.text() == "Asked by letter" and dialog.confirm.text() == "ERASE"
    assert dialog.erase_button.isEnabled()
    assert demo_services.customers.get(customer_id).display_name() == name
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "erase-refused.png"))
    dialog.reject()
    QApplication.processEvents()


def test_the_erase_and_the_export_run_off_the_ui_thread(
    qtbot: QtBot, threaded_runner: ThreadedRunner, demo_services: Services, tmp_path: Path
) -> None:
    import threading

    from tests.ui.conftest import ScriptedPrompts, make_window

    window = make_window(qtbot, threaded_runner, tmp_path, ScriptedPrompts())
    window.attach_services(demo_services, demo_services.settings.shop())
    customer_id, name = shown(qtbot, window)
    threads: list[threading.Thread] = []
    guard = demo_services.guard
    erase, export = guard.erase_customer, guard.privacy.write_export

    def erase_here(*args: object) -> object:
        threads.append(threading.current_thread())
        return erase(*args)  # type: ignore[arg-type]

    def export_here(*args: object) -> object:
        threads.append(threading.current_thread())
        return export(*args)  # type: ignore[arg-type]

    guard.erase_customer = erase_here  # type: ignore[method-assign]
    guard.privacy.write_export = export_here  # type: ignore[method-assign]
    target = tmp_path / "them.json"
    window.privacy.ask_path = lambda _parent, _name: target
    window.privacy.export_action.trigger()
    qtbot.waitUntil(target.exists, timeout=10000)
    window.privacy.erase_action.trigger()
    dialog = window.privacy.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.reason, "Asked by letter")
    qtbot.keyClicks(dialog.confirm, name)
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.privacy.dialog is None, timeout=20000)
    assert len(threads) == 2 and all(t is not threading.main_thread() for t in threads)
    with pytest.raises(CustomerNotFound):
        demo_services.customers.get(customer_id)
