"""The overview's two charts (QtCharts): the loyalty ladder and the opt-out rate per channel.

Both are bar charts with the value written on each bar, in colours that suit the light and dark
palettes. What they show is also in their accessible description, for screen readers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from careapp.domain.customer import LoyaltyStage
from careapp.ui.dashboard.models import opt_out_channel, percent_text
from careapp.ui.formatting import stage_name
from careapp.ui.theme import is_dark

if TYPE_CHECKING:
    from careapp.services.care.overview import OptOutRate

BAR_COLOURS = {"ladder": ("#2e7d32", "#81c784"), "opt_out": ("#c62828", "#ef9a9a")}


def _nice_maximum(value: float) -> float:
    """A round number at least ``value`` (and at least 1), for the value axis."""
    if value <= 5:
        return 5
    step = 10 ** (len(str(int(value))) - 1)
    return float(((int(value) // step) + 1) * step)


class BarChart(QChartView):
    """One series of bars over named categories, each labelled with its value."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = colour
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(title)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do in it with the keyboard
        self.setMinimumHeight(200)
        self.chart_ = QChart()
        self.chart_.setTitle(title)
        self.chart_.legend().setVisible(False)
        self.chart_.setMargins(QMargins(2, 2, 2, 2))
        self.chart_.setBackgroundRoundness(0)
        self.setChart(self.chart_)
        self.categories: list[str] = []
        self.values: list[float] = []
        self.bar_set: QBarSet | None = None

    def plot(
        self, categories: Sequence[str], values: Sequence[float], label_format: str, maximum: float
    ) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        dark = is_dark(self.palette())
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundRoundness(0)
        self.categories, self.values = list(categories), [float(v) for v in values]
        bars = QBarSet(self.accessibleName())
        bars.append(self.values)
        light, dark_colour = BAR_COLOURS[self._colour]
        bars.setColor(QColor(dark_colour if dark else light))
        bars.setLabelColor(QColor("#eeeeee" if dark else "#202020"))
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat(label_format)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(self.categories)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        x_axis.setLabelsFont(font)
        y_axis = QValueAxis()
        y_axis.setRange(0, maximum)
        y_axis.setLabelFormat("%d")
        y_axis.setTickCount(6)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        self.bar_set = bars


class LadderChart(BarChart):
    """How many customers are on each loyalty stage, suspect to advocate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Loyalty ladder"), "ladder", parent)

    def set_ladder(self, ladder: Mapping[LoyaltyStage, int]) -> None:
        stages = list(LoyaltyStage)
        counts = [ladder.get(stage, 0) for stage in stages]
        names = [stage_name(stage) for stage in stages]
        self.plot(names, counts, "@value", _nice_maximum(max(counts, default=0) * 1.15))
        self.setAccessibleDescription(", ".join(f"{n}: {c}" for n, c in zip(names, counts, strict=True)))


class OptOutChart(BarChart):
    """Of the customers who said yes on a channel, the share who withdrew, per channel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Opt-out rate by channel (%)"), "opt_out", parent)

    def set_rates(self, rates: Sequence[OptOutRate]) -> None:
        per_channel = [rate for rate in rates if rate.channel is not None]
        names = [opt_out_channel(rate) for rate in per_channel]
        percents = [round((rate.rate or 0) * 100, 1) for rate in per_channel]
        self.plot(names, percents, "@value%", _nice_maximum(max(percents, default=0) * 1.2))
        self.setAccessibleDescription(
            ", ".join(f"{n}: {percent_text(rate.rate)}" for n, rate in zip(names, per_channel, strict=True))
        )
