"""Reports → Rewards…: rewards earned, redeemed and expired per month with the cost of those given,
the redemption rate, and what the rewarded customers bought in the 30/60/90 days after beside
comparable customers: the same tables as ``careapp report rewards``, made on the database thread.

Not modal, so it can stay open beside the customers. The tables scroll on a 1024x600 screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from careapp.ui.fields import DateField
from careapp.ui.fit import FittingScrollArea
from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.table import Column, RowsModel, make_table
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.value.render import Table

TABLES = ("months", "redemption", "after")
TABLE_NAMES = {
    "months": "Rewards per month",
    "redemption": "Redemption of the rewards earned",
    "after": "What came after",
}


class ReportTableModel(RowsModel):
    """One of the report's tables, as the command prints it."""

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


def _show_every_row(view: QTableView) -> None:
    """As tall as its rows: the window scrolls as one page, not a small table inside a page."""
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    rows = sum(view.rowHeight(row) for row in range(view.model().rowCount()))
    scroll = view.horizontalScrollBar()
    sideways = scroll.sizeHint().height() if view.horizontalHeader().length() > view.viewport().width() else 0
    view.setFixedHeight(view.horizontalHeader().height() + rows + 2 * view.frameWidth() + sideways)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class RewardsReportWindow(QDialog):
    """``reportShown`` once the tables are filled."""

    reportShown = Signal()

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowTitle(self.tr("Rewards report"))
        self._services, self._runner = services, runner
        self.tables: list[Table] = []
        self.models: dict[str, ReportTableModel] = {}
        self.views: dict[str, QTableView] = {}
        self.titles: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self.error = ErrorLabel(self.tr("Problem with the report"))
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        for name in TABLES:
            self.titles[name] = QLabel()
            self.titles[name].setStyleSheet("font-weight: bold;")
            self.titles[name].setWordWrap(True)
            self.models[name] = ReportTableModel(self)
            self.views[name] = make_table(self.tr(TABLE_NAMES[name]))
            self.views[name].setModel(self.models[name])
            self.notes[name] = QLabel()
            self.notes[name].setWordWrap(True)
            column.addWidget(self.titles[name])
            column.addWidget(self.views[name])
            column.addWidget(self.notes[name])
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        layout.addWidget(self.error)
        column.addStretch(1)
        layout.addWidget(FittingScrollArea(content), 1)
        self.resize(1000, 760)
        self.refresh()

    def _controls(self) -> QHBoxLayout:
        today = self._services.rewards.today()
        index = today.year * 12 + today.month - 1 - 11
        self.first_day = DateField(_qdate(dt.date(index // 12, index % 12 + 1, 1)))
        self.last_day = DateField(_qdate(today))
        self.show_button = QPushButton(self.tr("&Show"))
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        row = QHBoxLayout()
        for text, widget in ((self.tr("&From:"), self.first_day), (self.tr("&To:"), self.last_day)):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setCalendarPopup(True)
            widget.setDisplayFormat("d MMM yyyy")
            row.addWidget(label)
            row.addWidget(widget)
        row.addWidget(self.show_button)
        row.addStretch(1)
        return row

    def refresh(self) -> None:
        first, last = _date(self.first_day.date()), _date(self.last_day.date())
        if last < first:
            self.error.show_error(self.tr("The period cannot end before it starts."))
            return
        self.error.show_error(None)
        rewards = self._services.rewards

        def load() -> list[Table]:
            from careapp.services.rewards.report import report_tables

            return report_tables(rewards.report(first, last))

        self._runner.submit(
            load,
            self._show,
            lambda error: self.error.show_error(sentence(error)),
            key=f"rewards-report-{id(self)}",
            owner=self,
        )

    def _show(self, tables: list[Table]) -> None:
        self.tables = tables
        for name, table in zip(TABLES, tables, strict=True):
            self.titles[name].setText(table.title)
            self.models[name].set_table(table)
            self.views[name].resizeColumnsToContents()
            _show_every_row(self.views[name])
            self.notes[name].setText("\n".join(table.notes))
        self.reportShown.emit()
