"""The overview: queue counts, touches done this month, drifting customers worst first (double-click
opens one), the loyalty ladder and who moved, the opt-out rate and the top referrers, with QtCharts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import Qt

from careapp.domain.customer import LoyaltyStage
from careapp.services.shop.staff import Actor
from careapp.ui.dashboard.models import (
    DoneByKindModel,
    DriftingModel,
    MovesModel,
    ReferrersModel,
    percent_text,
)
from careapp.ui.dashboard.page import DashboardPage
from careapp.ui.runner import SyncRunner
from tests.ui.tab_walk import accessible_name, controls, describe

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


@pytest.fixture
def page(qtbot: QtBot, demo_services: Services) -> DashboardPage:
    demo_services.touches.refresh()
    queue = demo_services.care_queue.queue()
    for entry in queue.overdue[:2]:  # two touches done this month, by Sam
        demo_services.care_queue.done(Actor("Sam"), entry.touch_id)
    widget = DashboardPage(SyncRunner())
    qtbot.addWidget(widget)
    widget.resize(1260, 640)
    widget.attach(demo_services)
    widget.show()
    widget.reload()
    qtbot.waitUntil(lambda: widget.overview is not None)
    return widget


def test_the_tiles_say_the_queue_counts_and_touches_done(
    page: DashboardPage, demo_services: Services
) -> None:
    overview = demo_services.care_overview.overview()
    counts = overview.queue_counts
    tiles = {key: tile.value.text() for key, tile in page.tiles.items()}
    assert tiles["overdue"] == str(counts["overdue"]) and tiles["today"] == str(counts["today"])
    assert tiles["next_7_days"] == str(counts["next_7_days"])
    assert tiles["done"] == "2" and overview.done_this_month == 2
    assert tiles["drifting"] == str(overview.drifting_total)
    overall = overview.opt_out[0]
    assert tiles["opt_out"] == percent_text(overall.rate)
    assert page.tiles["opt_out"].toolTip() == (
        f"{overall.withdrawn} of the {overall.ever_granted} customers who said yes have withdrawn"
    )
    assert page.title.text() == "Overview for Monday 23 November 2026"
    assert page.done_model.rowCount() >= 1 and page.done_table.isVisible()


def test_drifting_customers_come_worst_first_and_open_on_double_click(
    qtbot: QtBot, page: DashboardPage, demo_services: Services
) -> None:
    overview = page.overview
    assert overview is not None and overview.drifting_total > len(overview.drifting) == 20
    model = page.drifting_model
    past = [model.row_at(row).days_past for row in range(model.rowCount())]
    assert past == sorted(past, reverse=True)
    assert (
        page.drifting_note.text()
        == f"{overview.drifting_total} customers are past their longest interval; the 20 furthest past:"
    )
    first = model.row_at(0)
    assert model.text(0, 0) == first.name and model.text(0, 3) == f"{first.days_past:,}"
    rect = page.drifting.visualRect(model.index(0, 0))
    viewport = page.drifting.viewport()
    with qtbot.waitSignal(page.openCustomerRequested) as signal:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [first.customer_id]
    second = model.row_at(1)
    page.drifting.setCurrentIndex(model.index(1, 0))
    with qtbot.waitSignal(page.openCustomerRequested) as signal:
        qtbot.keyClick(page.drifting, Qt.Key.Key_Return)
    assert signal.args == [second.customer_id]


def test_the_ladder_and_opt_out_charts_draw_the_figures(page: DashboardPage) -> None:
    overview = page.overview
    assert overview is not None
    ladder = page.ladder
    assert ladder.categories == ["Suspect", "Prospect", "Customer", "Client", "Advocate"]
    assert ladder.values == [float(overview.ladder[stage]) for stage in LoyaltyStage]
    assert ladder.bar_set is not None and ladder.bar_set.count() == 5
    [axis] = [a for a in ladder.chart_.axes() if isinstance(a, QBarCategoryAxis)]
    assert axis.categories() == ladder.categories
    assert ladder.accessibleDescription().startswith(f"Suspect: {overview.ladder[LoyaltyStage.SUSPECT]}, ")
    rates = [r for r in overview.opt_out if r.channel is not None]
    assert page.opt_out.categories == ["Email", "SMS", "Phone", "Post"]
    assert page.opt_out.values == [round((r.rate or 0) * 100, 1) for r in rates]


def test_empty_tables_say_so_in_a_sentence(page: DashboardPage) -> None:
    assert page.moves_model.rowCount() == 0  # nobody moved stage in the demo this month
    assert page.moves_note.isVisible() and not page.moves.isVisible()
    assert page.moves_note.text() == "Nobody moved up or down the ladder this month."
    assert page.referrers.isVisible() and page.referrers_model.rowCount() > 0


def test_who_moved_this_month_is_listed(qtbot: QtBot, page: DashboardPage, demo_services: Services) -> None:
    from dataclasses import replace

    customer_id = demo_services.customers.search_ids("")[0]
    customer = demo_services.customers.get(customer_id)
    assert customer.loyalty_stage is not LoyaltyStage.ADVOCATE
    draft = replace(customer.draft(), loyalty_stage=LoyaltyStage.ADVOCATE)
    demo_services.customers.update(customer_id, draft, customer.version, "Sam")
    demo_services.touches.record_stage_change(customer_id, Actor("Sam"))
    page.reload()
    qtbot.waitUntil(lambda: page.moves_model.rowCount() == 1)
    assert page.moves_model.text(0, 0) == customer.display_name()
    assert page.moves_model.text(0, 1).endswith("→ Advocate")


def test_the_models_pass_the_model_tester(qtmodeltester: Any, page: DashboardPage) -> None:
    for model in (page.drifting_model, page.referrers_model, page.done_model):
        qtmodeltester.check(model)
    for empty in (DriftingModel(), MovesModel(), ReferrersModel(), DoneByKindModel()):
        qtmodeltester.check(empty)


def test_every_control_has_a_name(page: DashboardPage) -> None:
    assert [describe(w) for w in controls(page) if not (w.accessibleName() or accessible_name(w))] == []


def test_percent_text() -> None:
    assert [percent_text(r) for r in (None, 0.0, 0.004, 0.1349, 1.0)] == ["–", "0%", "0.4%", "13%", "100%"]
