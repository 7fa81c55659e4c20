"""Reports → Value and retention: the shop's value (summary, revenue by loyalty stage, value per RFM
segment), retention (by month or year, the cohort triangle), churn (consent withdrawals) and the
effect of care, each with a chart where one helps, and the definitions in plain words taken from the
domain's docstrings (the same tables as ``careapp report value|retention|churn|care-effect``).

All four reports are made in one job on the database thread."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.fields import DateField
from careapp.ui.fit import FittingScrollArea
from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.table import Column, RowsModel, make_table
from careapp.ui.value.charts import BarChart, RateChart
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.value.render import Table
    from careapp.services.value.service import (
        ChurnReport,
        EffectReport,
        RetentionReport,
        ValueReport,
        ValueService,
    )


@dataclass(frozen=True)
class ValueData:
    value: ValueReport
    retention: RetentionReport
    churn: ChurnReport
    effect: EffectReport


def load_value(value: ValueService, first: dt.date, last: dt.date, by: str) -> ValueData:
    """Database thread."""
    return ValueData(
        value.value(),
        value.retention(first, last, "year" if by == "year" else "month"),
        value.churn(first, last),
        value.care_effect(first, last),
    )


class TableModel(RowsModel):
    """One of the report tables (careapp.services.value.render.Table), as the command prints it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([], parent)

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self.columns = tuple(
            Column(str(title), _cell(i), right=i > 0) for i, title in enumerate(table.headers)
        )
        self._rows = list(table.rows)
        self.endResetModel()


def _cell(index: int) -> Callable[[tuple[object, ...]], str]:
    return lambda row: str(row[index])


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ValueWindow(QDialog):
    """Not modal: it can stay open beside the customers."""

    reportShown = Signal()

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowTitle(self.tr("Value and retention"))
        self._services, self._runner = services, runner
        self.data: ValueData | None = None
        self.models: dict[str, TableModel] = {}
        self.tables: dict[str, QTableView] = {}
        self.notes: dict[str, QLabel] = {}
        self.error = ErrorLabel(self.tr("Problem with the report"))
        self.tabs = QTabWidget()
        self.segment_chart = BarChart(
            self.tr("Spent per customer, by RFM segment"), self.tr("Value per segment")
        )
        self.retention_chart = RateChart(
            self.tr("Bought again in the next period"), self.tr("Retention trend")
        )
        self.churn_chart = RateChart(
            self.tr("Consent withdrawals, share of those with consent"), self.tr("Churn")
        )
        self.tabs.addTab(self._page(("summary", "stages", "segments"), self.segment_chart), self.tr("&Value"))
        self.tabs.addTab(self._page(("retention", "cohorts"), self.retention_chart), self.tr("&Retention"))
        self.tabs.addTab(self._page(("churn", "trend"), self.churn_chart), self.tr("C&hurn"))
        self.tabs.addTab(self._page(("effect",), None), self.tr("Care &effect"))
        self.definitions = QLabel()
        self.definitions.setWordWrap(True)
        self.definitions.setTextFormat(Qt.TextFormat.RichText)
        self.definitions.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.definitions.setAccessibleName(self.tr("Definitions"))
        scroll = QScrollArea()
        scroll.setWidget(self.definitions)
        scroll.setWidgetResizable(True)
        self.tabs.addTab(scroll, self.tr("&Definitions"))
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        self.resize(1240, 820)
        self.refresh()

    def _controls(self) -> QHBoxLayout:
        today = self._services.touches.today()
        index = today.year * 12 + today.month - 1 - 11
        self.first_day = DateField(_qdate(dt.date(index // 12, index % 12 + 1, 1)))
        self.last_day = DateField(_qdate(today))
        self.by = QComboBox()
        self.by.addItem(self.tr("Month"), "month")
        self.by.addItem(self.tr("Year"), "year")
        self.by.setAccessibleName(self.tr("Retention by"))
        self.show_button = QPushButton(self.tr("&Show"))
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        row = QHBoxLayout()
        for text, widget in (
            (self.tr("&From:"), self.first_day),
            (self.tr("&To:"), self.last_day),
            (self.tr("Retention &by:"), self.by),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        for field in (self.first_day, self.last_day):
            field.setCalendarPopup(True)
            field.setDisplayFormat("d MMM yyyy")
        row.addWidget(self.show_button)
        row.addStretch(1)
        return row

    def _page(self, names: tuple[str, ...], chart: QWidget | None) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        tables = QWidget()
        layout = QVBoxLayout(tables)
        layout.setContentsMargins(0, 0, 0, 0)
        for name in names:
            heading = QLabel()
            heading.setStyleSheet("font-weight: bold;")
            self.notes[name + ":title"] = heading
            self.models[name] = TableModel(self)
            self.tables[name] = make_table(name)
            self.tables[name].setModel(self.models[name])
            note = QLabel()
            note.setWordWrap(True)
            self.notes[name] = note
            layout.addWidget(heading)
            layout.addWidget(self.tables[name], 1)
            layout.addWidget(note)
        # On a 1024×600 screen the tables scroll rather than holding the window taller than it.
        splitter.addWidget(FittingScrollArea(tables))
        if chart is not None:
            splitter.addWidget(chart)
            splitter.setSizes([480, 300])
        return splitter

    def refresh(self) -> None:
        first, last, by = _date(self.first_day.date()), _date(self.last_day.date()), self.by.currentData()
        if last < first:
            self.error.show_error(self.tr("The period cannot end before it starts."))
            return
        self.error.show_error(None)
        value = self._services.value
        self._runner.submit(
            lambda: load_value(value, first, last, by),
            self._show,
            lambda error: self.error.show_error(sentence(error)),
            key=f"value-report-{id(self)}",
            owner=self,
        )

    def _show(self, data: ValueData) -> None:
        from careapp.services.value import render

        self.data = data
        summary, stages, segments = render.value_tables(data.value)
        retained, triangle = render.retention_tables(data.retention)
        churned, trend = render.churn_tables(data.churn)
        (effect,) = render.effect_tables(data.effect)
        for name, table in (
            ("summary", summary),
            ("stages", stages),
            ("segments", segments),
            ("retention", retained),
            ("cohorts", triangle),
            ("churn", churned),
            ("trend", trend),
            ("effect", effect),
        ):
            self.models[name].set_table(table)
            self.tables[name].resizeColumnsToContents()
            self.notes[name + ":title"].setText(table.title)
            self.notes[name].setText("\n".join(table.notes[:2]) if name == "effect" else "")
            self.notes[name].setVisible(bool(self.notes[name].text()))
        groups = data.value.summary.by_segment
        self.segment_chart.set_bars(
            self.tr("spent per customer"),
            [g.name for g in groups],
            [(g.per_customer_cents or 0) / 100 for g in groups],
        )
        rows = data.retention.rows
        self.retention_chart.set_rates(
            [str(r.period)[:7] for r in rows],
            {self.tr("retention"): [r.rate if r.complete else None for r in rows]},
        )
        self._show_churn(data.churn)
        self.definitions.setText(self.definitions_html())
        self.reportShown.emit()

    def _show_churn(self, report: ChurnReport) -> None:
        months = sorted({row.month for row in report.rows})
        lines: dict[str, list[float | None]] = {}
        for channel in sorted({row.channel for row in report.rows}):
            by_month = {row.month: row.rate for row in report.rows if row.channel == channel}
            lines[channel] = [by_month.get(m) for m in months]
        self.churn_chart.set_rates([f"{m:%Y-%m}" for m in months], lines)

    def definitions_html(self) -> str:
        from careapp.services.value.render import definitions, segment_table

        rows = "".join(
            f"<tr><td><b>{html.escape(n)}</b></td><td>{html.escape(r)}</td><td>{html.escape(m)}</td></tr>"
            for n, r, m in segment_table()
        )
        table = (
            f"<p><b>{html.escape(self.tr('RFM segments'))}</b> "
            f"{html.escape(self.tr('(the first row that holds names the customer)'))}</p>"
            f"<table cellspacing='6'>{rows}</table>"
        )
        words = "".join(f"<p><b>{html.escape(n)}</b>: {html.escape(t)}</p>" for n, t in definitions())
        return table + words
