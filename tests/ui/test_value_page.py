"""The Value and retention window and the customer page's Value tab, on the hand-built shop of
tests/services/test_value_service.py (Ann: 25.00 net over 2 purchases, segment loyal; Bob: 8.00)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QDate

from careapp.domain import value as domain
from careapp.services.value.render import docstring_text
from careapp.ui.runner import SyncRunner
from careapp.ui.value.public import CustomerValuePanel, ValueController
from careapp.ui.value.window import ValueWindow
from tests.services.test_value_service import build_shop

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def cells(window: ValueWindow, name: str) -> list[list[str]]:
    model = window.models[name]
    return [[model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_value_window_shows_every_report_with_charts_and_definitions(
    qtbot: QtBot, services: Services, sync_runner: SyncRunner
) -> None:
    build_shop(services)
    window = ValueWindow(services, sync_runner)
    qtbot.addWidget(window)
    window.first_day.setDate(QDate(2026, 1, 1))
    window.last_day.setDate(QDate(2026, 2, 28))
    window.refresh()
    summary = dict((row[0], row[1]) for row in cells(window, "summary"))
    assert summary["customers who bought"] == "2"
    assert summary["repeat-purchase rate"] == "1/2 (50.0%)"
    # January: Ann and Bob bought, Ann again in February: 1 of 2 in the table and 50 % on the chart.
    assert cells(window, "retention")[0][:4] == ["2026-01", "2", "1", "50.0%"]
    assert next((p.x(), p.y()) for p in window.retention_chart.series["retention"].points()) == (0.0, 50.0)
    assert cells(window, "cohorts")[0][:3] == ["2026-01", "2", "100.0%"]
    # Value per segment: Ann alone is "loyal" (25.00 per customer); the chart's bar says the same.
    loyal = domain.SEGMENT_NAMES.index("loyal")
    assert window.segment_chart.bars.at(loyal) == pytest.approx(25.0)
    # The definitions on screen are the domain's docstrings.
    text = window.definitions.text()
    for thing in (domain.RetentionRow, domain.NextRule, domain.ChurnRow, domain.care_effect, domain.quintile):
        assert docstring_text(thing).split(". ")[0].replace("'", "&#x27;") in text
    for segment in domain.SEGMENTS:
        assert segment.rule in text.replace("&amp;", "&")
    assert "control group" in window.notes["effect"].text()


def test_value_window_refuses_a_period_that_ends_before_it_starts(
    qtbot: QtBot, services: Services, sync_runner: SyncRunner
) -> None:
    window = ValueWindow(services, sync_runner)
    qtbot.addWidget(window)
    window.first_day.setDate(QDate(2026, 3, 1))
    window.last_day.setDate(QDate(2026, 1, 1))
    window.refresh()
    assert "cannot end before it starts" in window.error.text()


def test_customer_value_panel(qtbot: QtBot, services: Services, sync_runner: SyncRunner) -> None:
    ids = build_shop(services)
    panel = CustomerValuePanel(sync_runner)
    qtbot.addWidget(panel)
    panel.attach(services)
    panel.show_customer(ids["ann"])
    labels = {key: label.text() for key, label in panel.labels.items()}
    assert labels["spent"] == "£25.00"
    assert labels["orders"] == "2"
    assert labels["average"] == "£12.50"
    assert labels["segment"].startswith("loyal (R 3, F 3, M 3 of 5, among 2 customers")
    assert labels["wallet"] == "2 of the shop's 2 (100%): cups, tea"
    panel.show_customer(ids["cy"])
    assert panel.labels["segment"].text() == "none (no purchase yet)"
    assert panel.labels["first_last"].text() == "no purchase yet"


def test_reports_menu_opens_one_window(qtbot: QtBot, services: Services, sync_runner: SyncRunner) -> None:
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    controller = ValueController(host, sync_runner)
    assert not controller.action.isEnabled()
    controller.attach(services)
    first = controller.open()
    assert first is not None and controller.open() is first
    first.close()
