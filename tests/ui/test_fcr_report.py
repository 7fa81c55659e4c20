"""The FCR report screen on the hand-worked November of tests/services/test_reports_service.py.

As of 10 December (R = N = 7) the total is: 6 tickets, 1 excluded, none shop-initiated, none still
open; one-touch 5/5, gross 4/5, net 3/3, strict 2/5, reopen 1/5, repeat 1/5; first response (email
first only: T3) 24 h; resolution (not solved in the first contact: T2 5 h, T3 24 h, T4 95 h) median
24 h, 90th percentile 95 h. October has one ticket (T7), which Ben rang about again after its first
resolution: a reopen within R, so gross and net 1/1, strict 0/1.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QDate, Qt

from careapp.domain.fcr import DEFINITIONS, FcrSettings
from careapp.services.shop.staff import Actor
from careapp.services.tickets.reports import ReportService, render_csv
from careapp.ui.reports.models import BacklogModel, FcrTableModel
from careapp.ui.reports.screen import FcrReportWindow
from careapp.ui.runner import SyncRunner
from tests.services.test_reports_service import November, build_november
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

DECEMBER_10 = dt.datetime(2026, 12, 10, 0, 0)
OCT_1, NOV_1, NOV_30 = QDate(2026, 10, 1), QDate(2026, 11, 1), QDate(2026, 11, 30)
NOVEMBER_FIGURES = [
    "6",
    "1",
    "0",
    "0",
    "5/5 (100%)",
    "4/5 (80%)",
    "3/3 (100%)",
    "2/5 (40%)",
    "1/5 (20%)",
    "1/5 (20%)",
    "1d 0h",
    "1d 0h",
    "3d 23h",
]


@pytest.fixture
def november(services: Services, clock: list[dt.datetime]) -> November:
    built = build_november(services, clock)
    clock[0] = DECEMBER_10
    return built


@pytest.fixture
def utc_services(services: Services, november: November) -> Services:
    """The services with reports in UTC, so "November" is the same days on any computer."""
    return services.replaced(reports=ReportService(services.db, services.clock, tz=dt.UTC))


def open_report(
    qtbot: QtBot, services: Services, actor: Actor, first: QDate, last: QDate, group: str = "month"
) -> FcrReportWindow:
    window = FcrReportWindow(services, SyncRunner(), actor)
    qtbot.addWidget(window)
    window.first_day.setDate(first)
    window.last_day.setDate(last)
    window.group_by.setCurrentIndex(window.group_by.findData(group))
    window.refresh()
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.data is not None and window.data.result.first_day.day == first.day())
    return window


def table(window: FcrReportWindow) -> list[list[str]]:
    model = window.model
    return [[model.text(row, col) for col in range(model.columnCount())] for row in range(model.rowCount())]


def test_report_models_pass_the_model_tester(
    qtmodeltester: Any, utc_services: Services, november: November
) -> None:
    result = utc_services.reports.fcr(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "staff")
    model = FcrTableModel()
    model.set_report(result.report.rows, result.report.total)
    qtmodeltester.check(model)
    backlog = BacklogModel()
    backlog.set_rows(result.backlog)
    qtmodeltester.check(backlog)
    assert (model.rowCount(), backlog.rowCount()) == (3, 6)


def test_november_by_month_shows_the_hand_worked_figures(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    header = [
        window.model.headerData(c, Qt.Orientation.Horizontal) for c in range(window.model.columnCount())
    ]
    assert header == [
        "Group",
        "Tickets",
        "Excl.",
        "Shop",
        "Open",
        "One-touch",
        "Gross",
        "Net",
        "Strict",
        "Reopen",
        "Repeat",
        "1st resp.",
        "Resolution",
        "Res. 90%",
    ]
    assert table(window) == [["2026-11", *NOVEMBER_FIGURES], ["Total", *NOVEMBER_FIGURES]]
    assert window.headline.text() == (
        "November: 4 of 5 problems were solved without the customer having to come back (80 %)."
    )
    assert window.model.data(window.model.index(1, 0), 6).bold()  # the total, in bold (FontRole)
    title = window.title.text()
    assert "tickets first resolved from 1 November 2026 to 30 November 2026" in title
    assert "as known on 10 December 2026 00:00" in title and "R = 7 days, repeat N = 7 days" in title
    assert "shop-initiated tickets left out" in title
    backlog = {window.backlog_model.text(r, 0): window.backlog_model.text(r, 1) for r in range(6)}
    assert backlog["14 to 30 days"] == "1" and sum(map(int, backlog.values())) == 1  # T9, waiting
    text = window.definitions.text()
    assert "<b>Strict</b>: gross, not reopened within R = 7 days and no repeat within N = 7 days" in text
    assert "<b>Net</b>: gross FCR over the eligible tickets not marked" in text
    assert "<b>By staff</b>: grouped by who took the first contact" in text
    # The domain's words, each one on screen (with R and N put in).
    for name, meaning in DEFINITIONS:
        shown = meaning.replace("R days", "R = 7 days").replace("N days", "N = 7 days")
        assert f"<b>{name}</b>: {html.escape(shown)}" in text
    strict = window.model.headerData(8, Qt.Orientation.Horizontal, 3)  # ToolTipRole
    assert strict.startswith("gross, not reopened within R = 7 days")


def test_by_staff_and_by_category(qtbot: QtBot, utc_services: Services, november: November) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30, "staff")
    rows = {row[0]: row[1:11] for row in table(window)}
    assert rows["Olivia"] == ["2", "0", "0", "0", "2/2 (100%)", "2/2 (100%)", "1/1 (100%)", "1/2 (50%)",
                              "1/2 (50%)", "0/2 (0%)"]  # fmt: skip
    assert rows["Sam"] == ["4", "1", "0", "0", "3/3 (100%)", "2/3 (67%)", "2/2 (100%)", "1/3 (33%)",
                           "0/3 (0%)", "1/3 (33%)"]  # fmt: skip
    assert "by staff member" in window.title.text()
    window.group_by.setCurrentIndex(window.group_by.findData("category"))
    qtbot.waitUntil(lambda: "by category" in window.title.text())
    by_category = {row[0]: row for row in table(window)}
    assert list(by_category) == ["Advice", "Grinder", "Order", "Other", "Repair", "Total"]
    assert by_category["Other"][1:7] == ["1", "1", "0", "0", "0/0 (n/a)", "0/0 (n/a)"]  # spam: in no rate
    assert by_category["Grinder"][8] == "1/2 (50%)"


def test_the_trend_chart_has_a_point_per_month(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(
        qtbot, utc_services, november.owner, QDate(2026, 10, 1), QDate(2026, 11, 30), "staff"
    )
    chart = window.chart
    assert chart.months == ["2026-10", "2026-11"]  # by month, whatever the table is grouped by
    assert chart.points("gross") == [(0.0, 100.0), (1.0, 80.0)]
    assert chart.points("net") == [(0.0, 100.0), (1.0, 100.0)]
    assert chart.points("strict") == [(0.0, 0.0), (1.0, 40.0)]
    assert [s.name() for s in chart.chart_.series()] == ["Gross FCR", "Net FCR", "Strict FCR"]


def test_export_csv_writes_the_report(
    qtbot: QtBot, utc_services: Services, november: November, tmp_path: Path
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30, "staff")
    target = tmp_path / "fcr.csv"
    window.export_to(target)
    assert window.data is not None
    assert target.read_bytes().decode("utf-8") == render_csv(window.data.result)
    assert target.read_bytes().splitlines()[1] == (
        b"Olivia,2,0,0,2,1,0,2,2,2,100.0,2,2,100.0,1,1,100.0,1,2,50.0,1,2,50.0,0,2,0.0,"
        b'1440.0,1440.0,1440.0,7,7,no,"reopen R = 7 days, repeat N = 7 days"'
    )
    assert window.status.text() == f"Exported to {target}."
    window.export_to(tmp_path / "missing" / "fcr.csv")
    assert window.error.text() == "The export failed: No such file or directory"


def test_only_the_owner_changes_the_windows_and_gives_a_reason(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    as_staff = open_report(qtbot, utc_services, november.sam, NOV_1, NOV_30)
    panel = as_staff.windows
    assert not panel.save_button.isEnabled() and not panel.reopen.isEnabled()
    assert "Only the owner" in panel.save_button.toolTip()
    for widget in (panel.repeat, panel.reason, panel.save_button):  # the service refuses anyway
        widget.setEnabled(True)
    panel.repeat.setValue(3)
    panel.reason.setText("shorter")
    panel.save_button.click()
    assert panel.error.text() == (
        "Only the owner can change the first-contact resolution windows; Sam is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )
    assert panel.reason.text() == "shorter"
    assert utc_services.fcr_settings.get() == FcrSettings(7, 7)

    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    panel = window.windows
    assert panel.save_button.isEnabled() and panel.last_change.text().startswith("Never changed")
    panel.repeat.setValue(3)
    # Today is 10 December 2026 and the longest window 7 days: only tickets first resolved since
    # 3 December can still be undecided.
    assert panel.recompute.text() == (
        "Saving changes strict FCR, reopen and repeat only for tickets not decided yet: those first "
        "resolved since about 3 December 2026 (months 2026-12). Tickets decided before keep the windows "
        "that judged them; gross, net and one-touch stay. The old values stay in the history of changes."
    )
    panel.shop_initiated.setChecked(True)
    assert "Saving recomputes every figure for every month (those shown, 2026-11 to 2026-11" in (
        panel.recompute.text()
    )
    panel.shop_initiated.setChecked(False)
    panel.save_button.click()
    assert panel.error.text().startswith("Give a reason")
    assert utc_services.fcr_settings.get() == FcrSettings(7, 7)
    panel.reason.setText("customers ring back within three days")
    with qtbot.waitSignal(window.reportShown):
        panel.save_button.click()
    assert utc_services.fcr_settings.get() == FcrSettings(7, 3)
    # Saved on 10 December: every November ticket had been decided (the last on 4 December), so
    # their figures stay (strict 2/5, reopen 1/5, repeat 1/5), and the title says which windows
    # judged them.
    assert (
        "Windows: reopen R = 7 days, repeat N = 3 days (R = 7 days, N = 7 days for the 5 tickets decided "
        "before 10 December 2026 00:00)" in window.title.text()
    )
    assert table(window)[-1][8:11] == ["2/5 (40%)", "1/5 (20%)", "1/5 (20%)"]  # strict, reopen, repeat
    [change] = utc_services.fcr_settings.history()
    assert (change.old, change.new, change.by) == (FcrSettings(7, 7), FcrSettings(7, 3), "Olivia")
    assert panel.last_change.text().startswith("Last changed by Olivia on 10/12/2026 00:00")


def test_windows_changed_on_another_seat_meanwhile_are_explained_and_the_typed_values_stay(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    panel = window.windows
    other = utc_services.fcr_settings.get_versioned()
    utc_services.fcr_settings.save(november.owner, FcrSettings(5, 7), "another seat", other.version)
    panel.repeat.setValue(3)
    panel.reason.setText("customers ring back within three days")
    panel.save_button.click()
    lines = panel.error.text().split("\n")
    assert lines[0].startswith("The FCR windows were changed by Olivia at ")
    assert lines[1:] == [
        "Reopen window R: theirs “5 days”, yours “7 days”.",
        "Repeat window N: theirs “7 days”, yours “3 days”.",
        "What you typed is still here: Save again to keep yours.",
    ]
    assert (panel.reopen.value(), panel.repeat.value()) == (7, 3)  # nothing typed is lost
    assert panel.reason.text() == "customers ring back within three days"
    assert utc_services.fcr_settings.get() == FcrSettings(5, 7)  # theirs is not overwritten
    with qtbot.waitSignal(window.reportShown):
        panel.save_button.click()  # having seen theirs, Save again keeps what was typed
    assert utc_services.fcr_settings.get() == FcrSettings(7, 3)


def test_keyboard_reaches_every_control_of_the_report(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    reached = tab_through(qtbot, window.first_day)
    assert [describe(w) for w in controls(window) if w not in reached] == []
    assert [describe(w) for w in controls(window) if not (w.accessibleName() or accessible_name(w))] == []


def test_double_click_on_a_figure_lists_its_tickets_and_opens_one(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    ids = november.ids
    # The total's Gross cell: over the eligible T1, T2, T3, T4, T6; all count but T4 (the merged email
    # came before its first resolution).
    cell = window.model.index(1, 6)
    window.table.scrollTo(cell)
    where = window.table.visualRect(cell).center()
    # What a mouse sends: a click, then the double click (Qt's item views need the press first).
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(lambda: window.drill is not None and window.drill.isVisible())
    drill = window.drill
    assert drill is not None
    assert drill.summary.text() == "Total, Gross: 4 of 5 tickets count."
    assert drill.meaning.text().startswith("Gross: no inbound contact after the first one")
    rows = {int(drill.model.text(r, 0)): drill.model.text(r, 1) for r in range(drill.model.rowCount())}
    assert rows == {ids["T1"]: "yes", ids["T2"]: "yes", ids["T3"]: "yes", ids["T4"]: "no", ids["T6"]: "yes"}
    # The one that does not count comes first; Enter on it (T4) opens its own screen.
    assert drill.model.text(0, 0) == str(ids["T4"])
    drill.table.setCurrentIndex(drill.model.index(0, 0))
    qtbot.keyClick(drill.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ids["T4"] in window.open_tickets)
    assert window.open_tickets[ids["T4"]].windowTitle() == f"Ticket {ids['T4']}"
    # The group's name has no tickets behind it of its own: nothing opens.
    assert window.drill_down(window.model.index(1, 0)) is None


def test_the_report_fits_a_1024_by_600_screen(
    qtbot: QtBot, utc_services: Services, november: November
) -> None:
    window = open_report(qtbot, utc_services, november.owner, NOV_1, NOV_30)
    smallest = window.minimumSizeHint()
    # A 1024x600 netbook leaves about 1008x540 for a window once its frame and panel are drawn.
    assert smallest.width() <= 1008 and smallest.height() <= 540
    free = window.screen().availableGeometry()
    assert window.width() <= free.width() and window.height() <= free.height()
