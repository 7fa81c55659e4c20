"""The Value window's charts (QtCharts): value per RFM segment as bars, and a rate per month or year
as a line (retention, churn). A period with no rate (nobody to count) has no point, not a 0 %."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from careapp.ui.theme import is_dark


class _Chart(QChartView):
    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(name)
        self.setMinimumHeight(220)
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(self.chart_)

    def _reset(self) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        dark = is_dark(self.palette())
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundRoundness(0)


class RateChart(_Chart):
    """One or more rates in percent, one point per period that has a rate."""

    def set_rates(self, labels: Sequence[str], lines: Mapping[str, Sequence[float | None]]) -> None:
        self._reset()
        x_axis = QBarCategoryAxis()
        x_axis.append(list(labels) or [""])
        y_axis = QValueAxis()
        highest = max((r for rates in lines.values() for r in rates if r is not None), default=0.0)
        y_axis.setRange(0, max(5.0, min(100.0, highest * 100 * 1.2)))
        y_axis.setLabelFormat("%.0f%%")
        self.chart_.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series: dict[str, QLineSeries] = {}
        for colour, (name, rates) in zip(
            ("#1565c0", "#ef8f00", "#2e7d32", "#8e24aa", "#6d4c41"), lines.items(), strict=False
        ):
            series = QLineSeries()
            series.setName(name)
            series.setPointsVisible(True)
            pen = QPen(QColor(colour))
            pen.setWidthF(2.5)
            series.setPen(pen)
            for index, rate in enumerate(rates):
                if rate is not None:
                    series.append(QPointF(index, rate * 100))
            self.chart_.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
            self.series[name] = series


class BarChart(_Chart):
    """One value per category, as bars."""

    def set_bars(self, name: str, labels: Sequence[str], values: Sequence[float]) -> None:
        self._reset()
        bars = QBarSet(name)
        bars.setColor(QColor("#1565c0"))
        bars.append([float(v) for v in values])
        series = QBarSeries()
        series.append(bars)
        self.chart_.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(labels))
        y_axis = QValueAxis()
        y_axis.setRange(0, max([*values, 1.0]) * 1.1)
        y_axis.setLabelFormat("%.0f")
        self.chart_.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        self.bars = bars
