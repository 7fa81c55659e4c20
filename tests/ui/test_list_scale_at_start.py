"""At start the customer list's segments come from the RFM scale stored at an earlier start; behind the
window the scale is made again when the customers changed since, and the list is read again only if
its segments move (services/value/list_scale.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from careapp.domain.customer import Purchase

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow


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
