"""At start the customer list's segments come from the RFM scale stored at an earlier start; behind the
window the scale is made again when the customers changed since, and the list is read again only if
its segments move (services/value/list_scale.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from careapp.domain.customer import Purchase
from tests.ui.conftest import make_window

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow
    from careapp.ui.runner import SyncRunner
    from tests.ui.conftest import ScriptedPrompts


def test_the_list_is_read_again_only_when_the_scale_moved(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    panel = window.list_panel
    assert panel.model is not None
    searches: list[None] = []
    panel.model.searchFinished.connect(lambda: searches.append(None))

    window.update_list_scale()  # made by the first page just now: nothing to do
    assert searches == []

    best = panel.model.customer_id(0)
    assert best is not None
    today = demo_services.clock().date()
    for day in range(28):  # one customer buys a great deal, lately: the quintile cuts move
        demo_services.customers.add_purchase(
            best, Purchase(today - dt.timedelta(days=day), "everything", "tea", Decimal("5000.00"))
        )
    window.update_list_scale()
    assert len(searches) == 1
    model = panel.model
    model.data(model.index(0, 8))  # a refresh knows every id; the rows come when asked for
    qtbot.waitUntil(lambda: model.is_loaded(0))
    assert model.customer_id(0) == best and model.data(model.index(0, 8)) == "Champions"
    window.update_list_scale()  # stored at the new state: nothing more
    assert len(searches) == 1


def test_a_shop_that_started_empty_gets_segments_after_its_demo_data_without_a_new_start(
    services: Services, sync_runner: SyncRunner, qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    """Seen in a walk: a shop that started empty, then loaded demo data, showed an empty Segment column
    for the rest of the session (its list was scored by the empty shop's scale). After the list is
    read again, the window checks the scale a moment later by itself."""
    from careapp.services.demo.customers import DemoSpec, fill_demo

    window = make_window(qtbot, sync_runner, tmp_path, prompts)
    window._list_scale_timer.setInterval(10)
    window.attach_services(services, services.settings.shop())
    panel = window.list_panel
    qtbot.waitUntil(lambda: panel.model is not None and panel.model.has_searched)
    window.update_list_scale()  # as the start does once the first page is in: the empty shop's scale
    fill_demo(services.db, DemoSpec(customers=40, seed=7), services.clock())
    panel.refresh()  # what the window does after loading demo data; nobody calls update_list_scale

    def segments() -> set[object]:
        model = panel.model
        assert model is not None
        found = set()
        for row in range(model.rowCount()):
            model.data(model.index(row, 8))
            if model.is_loaded(row):
                found.add(model.data(model.index(row, 8)))
        return found - {None, ""}

    qtbot.waitUntil(lambda: len(segments()) >= 2, timeout=5000)
