"""The trend of gross, net and strict FCR by month, as lines (QtCharts).

A month with no ticket to count (a rate of 0/0) has no point rather than a misleading 0%; the
line joins the months on either side. The table above the chart gives each point's counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import QBarCategoryAxis, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from careapp.ui.theme import is_dark

if TYPE_CHECKING:
    from careapp.domain.fcr import FcrRow

# Colours that tell the three lines apart in light and dark palettes (and for most colour blindness).
LINE_COLOURS = {
    "gross": ("#1565c0", "#64b5f6"),
    "net": ("#ef8f00", "#ffb74d"),
    "strict": ("#2e7d32", "#81c784"),
}


class TrendChart(QChartView):
    """Gross, net and strict FCR in percent, one point per month that has tickets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("FCR trend by month"))
        self.setMinimumHeight(220)
        self.chart_ = QChart()
        self.chart_.setTitle(self.tr("Trend by month"))
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(self.chart_)
        self.series: dict[str, QLineSeries] = {}
        self.months: list[str] = []

    def set_months(self, rows: tuple[FcrRow, ...]) -> None:
        """Plot ``rows`` (one per month, in order)."""
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        dark = is_dark(self.palette())
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundRoundness(0)
        self.months = [row.key for row in rows]
        names = {"gross": self.tr("Gross FCR"), "net": self.tr("Net FCR"), "strict": self.tr("Strict FCR")}
        x_axis = QBarCategoryAxis()
        x_axis.append(self.months or [""])
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat("%d%%")
        y_axis.setTickCount(6)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series = {}
        for name, title in names.items():
            series = QLineSeries()
            series.setName(title)
            series.setPointsVisible(True)
            pen = QPen(QColor(LINE_COLOURS[name][1 if dark else 0]))
            pen.setWidthF(2.5)
            series.setPen(pen)
            for index, row in enumerate(rows):
                value = getattr(row, name).value
                if value is not None:
                    series.append(QPointF(index, float(value) * 100))
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
            self.series[name] = series

    def points(self, name: str) -> list[tuple[float, float]]:
        """The plotted (month index, percent) points of one line, for checking."""
        return [(point.x(), point.y()) for point in self.series[name].points()]
