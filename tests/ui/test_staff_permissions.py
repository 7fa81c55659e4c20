"""Staff cannot delete customers or export the whole list: the service refuses, the window says why
in a sentence, and nothing is deleted or written. The owner can."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from careapp.services.shop.staff import Role

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts


@pytest.fixture
def staffed(window: MainWindow, demo_services: Services) -> MainWindow:
    """The demo shop with a staff list: Olivia the owner and Sam; Sam is working."""
    owner = demo_services.staff.add(None, "Olivia", Role.OWNER).actor()
    demo_services.staff.add(owner, "Sam")
    window.staff.set_names(("Olivia", "Sam"))
    window.staff.choose("Sam")
    return window


def test_staff_are_refused_a_delete_and_nothing_is_deleted(
    qtbot: QtBot, staffed: MainWindow, demo_services: Services, prompts: ScriptedPrompts
) -> None:
    qtbot.waitUntil(lambda: staffed.detail.customer is not None)
    customer = staffed.detail.customer
    assert customer is not None
    before = demo_services.customers.count()
    staffed.delete_action.trigger()
    assert prompts.asked == [f"Delete {customer.display_name()}?"]
    bar = staffed.message_bar
    assert bar.isVisible() and bar.text.text() == (
        "Only the owner can delete customers; Sam is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )
    assert demo_services.customers.count() == before
    assert demo_services.customers.get(customer.id).display_name() == customer.display_name()
    assert not staffed.undo_action.isEnabled()
    assert staffed.list_panel.current_id() == customer.id  # still selected, nothing lost

    staffed.staff.choose("Olivia")  # the owner may, and may undo it
    staffed.delete_action.trigger()
    qtbot.waitUntil(lambda: demo_services.customers.count() == before - 1)
    staffed.undo_action.trigger()
    qtbot.waitUntil(lambda: demo_services.customers.count() == before)


def test_staff_are_refused_the_export_and_no_file_is_written(
    qtbot: QtBot, staffed: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    target = tmp_path / "everyone.csv"
    staffed.export_to(target, "csv")
    bar = staffed.message_bar
    qtbot.waitUntil(bar.isVisible)
    assert bar.text.text() == (
        "The export failed: Only the owner can export the whole customer list; Sam is signed in as "
        "staff. Ask the owner, or switch to the owner, to do this."
    )
    assert not target.exists()
    staffed.staff.choose("Olivia")
    staffed.export_to(target, "csv")
    qtbot.waitUntil(target.exists)
    assert bar.text.text() == f"Exported {demo_services.customers.count()} customers to {target}."
