"""Keyboard only: Tab reaches every control of the main window and of the customer editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import tests.ui.tab_walk as tw
from careapp.domain.customer import (
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    PartialDate,
)
from tests.ui.tab_walk import controls, describe
from tests.ui.test_editor import open_editor

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


def test_tab_reaches_every_control_of_the_editor(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    customer = services.customers.create(
        CustomerDraft(
            first_name="Ann",
            emails=[EmailAddress("ann@example.com")],
            dates=[ImportantDate(DateKind.CUSTOM, PartialDate(5, 6, None), "Shop opening")],
        ),
        "Jo",
    )
    editor = open_editor(qtbot, services, prompts, customer)
    editor.form.phones.add_row()
    reached = tw.tab_through(qtbot, editor.form.first_name)
    print([describe(w) for w in reached])
    missing = [describe(w) for w in controls(editor) if w not in reached]
    assert missing == []
