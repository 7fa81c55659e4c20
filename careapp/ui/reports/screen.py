"""The first-contact resolution report: the owner's sentence on top, every variant by month, staff
member or category, the tickets behind any figure (double-click a cell), a trend chart, the open
backlog by age, the definitions (the domain's words), CSV export and the windows.

The report is made on the database thread (one job: the grouped report, and the monthly one for
the chart when grouping by staff or category). Days are local calendar days; figures are as known
now, so tickets whose reopen or repeat window is still open are counted as still open.

The window fits a 1366x768 laptop and a 1024x600 netbook: it opens no larger than the screen's free
area, and the chart, backlog and definitions share one set of tabs under the table.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDir, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.clock import to_local
from careapp.ui.fields import DateField
from careapp.ui.formatting import format_date, sentence
from careapp.ui.reports import wording
from careapp.ui.reports.chart import TrendChart
from careapp.ui.reports.drill import DrillDownDialog
from careapp.ui.reports.models import BacklogModel, FcrTableModel
from careapp.ui.reports.settings_panel import WindowsPanel
from careapp.ui.reports.wording import windows_applied
from careapp.ui.runner import Runner
from careapp.ui.table import make_table
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.domain.fcr import FcrRow, FcrSettings, GroupBy
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.reports import FcrReportResult, ReportService

TREND_MONTHS = 6
WANTED_SIZE = (1240, 800)
# Room for the window frame and a panel: a 1366x768 screen leaves about 1366x740 for windows.
FRAME_ALLOWANCE = (16, 60)


@dataclass(frozen=True)
class ReportData:
    """The report as asked for, and the same period by month for the trend chart."""

    result: FcrReportResult
    trend: tuple[FcrRow, ...]


def load_report(reports: ReportService, first: dt.date, last: dt.date, group_by: GroupBy) -> ReportData:
    """Database thread."""
    result = reports.fcr(first, last, group_by)
    trend = result if group_by == "month" else reports.fcr(first, last, "month")
    return ReportData(result, trend.report.rows)


def write_csv(result: FcrReportResult, path: Path) -> Path:
    """Database thread: the report as CSV (cells a spreadsheet would run as formulas are guarded)."""
    from careapp.services.tickets.reports import render_csv

    path.write_text(render_csv(result), encoding="utf-8", newline="")
    return path


def definitions(settings: FcrSettings) -> list[tuple[str, str]]:
    """The domain's definitions (word for word in English, else translated), with this shop's R and N
    put in (see careapp/ui/reports/wording.py)."""
    return wording.definitions(settings)


def first_of_month(day: dt.date, months_back: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months_back
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class FcrReportWindow(QDialog):
    """The report window (not modal: it can stay open beside the customers)."""

    reportShown = Signal()

    def __init__(
        self, services: Services, runner: Runner, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._services, self._runner, self._actor = services, runner, actor
        self.data: ReportData | None = None
        self.setWindowTitle(self.tr("First-contact resolution"))
        self._build_controls()
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName(self.tr("In one sentence"))
        self.headline.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAccessibleName(self.tr("Report"))
        self.error = ErrorLabel(self.tr("Problem with the report"))
        self.model = FcrTableModel(self)
        self.table = make_table(self.tr("First-contact resolution figures"))
        self.table.setModel(self.model)
        self.table.setToolTip(self.tr("Double-click a figure to see the tickets behind it."))
        self.table.activated.connect(self.drill_down)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the rates share the width
        for column in (0, 1, 2, 3, 4, 11, 12, 13):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.chart = TrendChart()
        self.chart.setMinimumHeight(140)  # within the tabs' 170 px on a 1024×600 screen
        self.backlog_model = BacklogModel(self)
        self.backlog = make_table(self.tr("Open tickets by age"))
        self.backlog.setModel(self.backlog_model)
        self.windows = WindowsPanel(runner)
        self.windows.saved.connect(lambda _settings: self.refresh())
        self.definitions = QLabel()
        self.definitions.setWordWrap(True)
        self.definitions.setTextFormat(Qt.TextFormat.RichText)
        self.definitions.setAccessibleName(self.tr("Definitions"))
        self.definitions.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.drill: DrillDownDialog | None = None
        self.open_tickets: dict[int, QDialog] = {}
        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close_box.rejected.connect(self.reject)
        self.close_button = close_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addWidget(self.headline)
        layout.addWidget(self.title)
        layout.addWidget(self.error)
        layout.addWidget(self._body(), 1)
        layout.addWidget(close_box)
        self.resize(*self._fitting_size())
        self.windows.attach(services, actor)
        self.refresh()

    def _fitting_size(self) -> tuple[int, int]:
        """The wanted size, no larger than the free area of the screen the window opens on."""
        screen = self.screen()
        if screen is None:
            return WANTED_SIZE
        free = screen.availableGeometry()
        return (
            min(WANTED_SIZE[0], free.width() - FRAME_ALLOWANCE[0]),
            min(WANTED_SIZE[1], free.height() - FRAME_ALLOWANCE[1]),
        )

    # --- building ------------------------------------------------------------------------

    def _build_controls(self) -> None:
        today = to_local(self._services.clock()).date()
        self.first_day = DateField(_qdate(first_of_month(today, TREND_MONTHS - 1)))
        self.last_day = DateField(_qdate(today))
        for field, name in ((self.first_day, self.tr("From")), (self.last_day, self.tr("To"))):
            field.setCalendarPopup(True)
            field.setDisplayFormat("d MMM yyyy")
            field.setAccessibleName(name)
        self.group_by = QComboBox()
        self.group_by.setAccessibleName(self.tr("Group by"))
        for text, key in (
            (self.tr("Month"), "month"),
            (self.tr("Staff member"), "staff"),
            (self.tr("Category"), "category"),
        ):
            self.group_by.addItem(text, key)
        self.group_by.currentIndexChanged.connect(lambda _index: self.refresh())
        self.show_button = QPushButton(self.tr("&Show"))
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("E&xport CSV…"))
        self.export_button.setAutoDefault(False)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_csv)
        self.controls = QHBoxLayout()
        fields: tuple[tuple[str, QWidget], ...] = (
            (self.tr("&From:"), self.first_day),
            (self.tr("&To:"), self.last_day),
            (self.tr("&Group by:"), self.group_by),
        )
        for text, widget in fields:
            label = QLabel(text)
            label.setBuddy(widget)
            self.controls.addWidget(label)
            self.controls.addWidget(widget)
        self.controls.addWidget(self.show_button)
        self.controls.addStretch(1)
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Export"))
        self.controls.addWidget(self.status)
        self.controls.addWidget(self.export_button)

    def _body(self) -> QSplitter:
        backlog_box = QWidget()
        backlog_layout = QVBoxLayout(backlog_box)
        backlog_layout.setContentsMargins(0, 0, 0, 0)
        backlog_row = QHBoxLayout()
        backlog_row.addWidget(self.backlog, 1)
        backlog_row.addWidget(self.windows, 2)
        backlog_layout.addLayout(backlog_row)
        definitions = QScrollArea()
        definitions.setWidget(self.definitions)
        definitions.setWidgetResizable(True)
        definitions.setAccessibleName(self.tr("Definitions"))
        self.tabs = QTabWidget()
        self.tabs.addTab(definitions, self.tr("&Definitions"))
        self.tabs.addTab(self.chart, self.tr("T&rend"))
        # On a small screen the windows' form keeps its height and the tab scrolls instead.
        backlog_scroll = QScrollArea()
        backlog_scroll.setWidget(backlog_box)
        backlog_scroll.setWidgetResizable(True)
        backlog_scroll.setAccessibleName(self.tr("Open tickets and windows"))
        self.tabs.addTab(backlog_scroll, self.tr("Open tickets and &windows"))
        body = QSplitter(Qt.Orientation.Vertical)
        body.setChildrenCollapsible(False)
        body.addWidget(self.table)
        body.addWidget(self.tabs)
        body.setSizes([330, 300])
        self.table.setMinimumHeight(110)
        self.tabs.setMinimumHeight(170)
        return body

    # --- the report ----------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date, GroupBy]:
        group_by: GroupBy = self.group_by.currentData()
        return _date(self.first_day.date()), _date(self.last_day.date()), group_by

    def refresh(self) -> None:
        first, last, group_by = self.period()
        reports = self._services.reports
        self.error.show_error(None)
        self._runner.submit(
            lambda: load_report(reports, first, last, group_by),
            self._show,
            lambda error: self.error.show_error(sentence(error)),
            key=f"fcr-report-{id(self)}",
            owner=self,
        )

    def _show(self, data: ReportData) -> None:
        self.data = data
        result = data.result
        report = result.report
        settings = report.settings
        group = {"month": self.tr("month"), "staff": self.tr("staff member"), "category": self.tr("category")}
        from careapp.domain.fcr import windows_used

        self.headline.setText(wording.report_headline(result))
        shop = self.tr("counted") if settings.include_shop_initiated else self.tr("left out")
        self.title.setText(
            self.tr(
                "First-contact resolution by {group}, tickets first resolved from {first} to {last}, "
                "as known on {as_of}. Windows: {windows}; shop-initiated "
                "tickets {shop}. Double-click a figure to see its tickets."
            ).format(
                group=group[report.group_by],
                first=format_date(result.first_day),
                last=format_date(result.last_day),
                as_of=f"{format_date(report.as_of.date())} {report.as_of:%H:%M}",
                windows=windows_applied(settings, windows_used(report)),
                shop=shop,
            )
        )
        meanings = definitions(settings)
        self.model.set_definitions(wording.meanings_by_key(settings))
        self.model.set_report(report.rows, report.total)
        self.chart.set_months(data.trend)
        self.backlog_model.set_rows(result.backlog)
        self.backlog.resizeColumnsToContents()
        self.definitions.setText(self._definitions_html(meanings))
        self.windows.set_months_in_view([row.key for row in data.trend])
        self.export_button.setEnabled(True)
        self.reportShown.emit()

    def _definitions_html(self, meanings: list[tuple[str, str]]) -> str:
        lines = [f"<p><b>{html.escape(name)}</b>: {html.escape(meaning)}</p>" for name, meaning in meanings]
        intro = self.tr(
            "Each rate is shown as count/base (percent). A ticket counts in the period of its first "
            "resolution. Column headings: Excl. = Excluded, Shop = Shop-initiated, Open = Still open, "
            "1st resp. = First response (median), Resolution = median, Res. 90% = 90th percentile."
        )
        return f"<p>{html.escape(intro)}</p>" + "".join(lines)

    # --- the tickets behind a figure ------------------------------------------------------

    def drill_down(self, index: QModelIndex) -> DrillDownDialog | None:
        """Show the tickets behind the figure at ``index`` (double-click or Enter on a cell)."""
        figure = self.model.figure(index.column()) if index.isValid() else None
        if self.data is None or figure is None:
            return None
        from careapp.ui.reports.drill import FIGURE_NAMES

        report = self.data.result.report
        meanings = wording.meanings_by_key(report.settings)
        row = self.model.row_at(index.row())
        if self.drill is not None:
            self.drill.close()
        self.drill = DrillDownDialog(
            report, row, figure, meanings[FIGURE_NAMES[figure]], self.open_ticket, self
        )
        self.drill.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.drill.finished.connect(lambda _code: setattr(self, "drill", None))
        self.drill.show()
        return self.drill

    def open_ticket(self, ticket_id: int) -> QDialog:
        """The ticket's own screen (one per ticket), as the customer's ticket list opens it."""
        dialog = self.open_tickets.get(ticket_id)
        if dialog is None:
            from careapp.ui.tickets.public import TicketDialog

            dialog = TicketDialog(self._services, self._runner, self._actor, ticket_id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _code: self.open_tickets.pop(ticket_id, None))
            self.open_tickets[ticket_id] = dialog
            dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # --- export --------------------------------------------------------------------------

    def export_csv(self) -> None:
        if self.data is None:
            return
        result = self.data.result
        suggested = Path(QDir.homePath()) / f"fcr-{result.first_day}-to-{result.last_day}.csv"
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the report"), str(suggested), self.tr("Spreadsheet (CSV) (*.csv)")
        )
        if name:
            self.export_to(Path(name) if name.lower().endswith(".csv") else Path(name + ".csv"))

    def export_to(self, path: Path) -> None:
        if self.data is None:
            return
        result = self.data.result
        self.export_button.setEnabled(False)
        self._runner.submit(lambda: write_csv(result, path), self._exported, self._export_failed, owner=self)

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.error.show_error(None)
        self.status.setText(self.tr("Exported to {path}.").format(path=path))

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        reason = getattr(error, "strerror", None) or sentence(error)
        self.error.show_error(self.tr("The export failed: {reason}").format(reason=reason))
