"""The loyalty ladder's stages are explained where they are shown: on the Overview under the ladder
and as its tool tip, on each stage in the customer editor, and on the stage of a customer's page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from careapp.domain.customer import LoyaltyStage
from careapp.ui.formatting import stage_meaning, stages_glossary

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.ui.main_window import MainWindow


def test_every_stage_has_a_sentence_in_ladder_order() -> None:
    lines = stages_glossary().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Suspect", "Prospect", "Customer", "Client", "Advocate"]
    assert all(len(line.split(": ", 1)[1]) > 15 for line in lines)


def test_the_overview_says_what_the_stages_mean(window: MainWindow) -> None:
    dashboard = window.care.dashboard
    assert dashboard.glossary.text() == stages_glossary()
    assert dashboard.ladder.toolTip() == stages_glossary()
    assert stage_meaning(LoyaltyStage.SUSPECT).startswith("Suspect: ")


def test_each_stage_in_the_editor_and_on_the_customer_page_explains_itself(
    qtbot: QtBot, window: MainWindow
) -> None:
    from careapp.ui.customers.editor_form import CustomerForm

    window.list_panel.select_row(0)
    qtbot.waitUntil(lambda: window.detail.header.stage.text() != "")
    window.new_action.trigger()
    editor = window.customer_actions.editor
    assert editor is not None
    form = editor.findChild(CustomerForm)
    assert form is not None and form.stage.count() == len(LoyaltyStage)
    for index in range(form.stage.count()):
        stage = LoyaltyStage(form.stage.itemData(index))
        assert form.stage.itemData(index, Qt.ItemDataRole.ToolTipRole) == stage_meaning(stage)
    detail = window.detail
    assert detail.header.stage.toolTip().split(":")[0] == detail.header.stage.text()
