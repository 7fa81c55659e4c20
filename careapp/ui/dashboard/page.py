"""The overview: how the shop's relationships are doing, from :class:`CareOverviewService`.

Tiles with the queue's counts, the touches done this month, how many customers are drifting away
and the opt-out rate; the drifting customers (the worst first), the loyalty ladder and who moved
on it this month, the opt-out rate per channel, and the top referrers. Double-click (or Enter on)
a customer to open them. Loaded in one job on the database thread when the page is shown and
whenever :meth:`reload` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.care.public import weekday_date
from careapp.ui.dashboard.charts import LadderChart, OptOutChart
from careapp.ui.dashboard.models import (
    DoneByKindModel,
    DriftingModel,
    MovesModel,
    ReferrersModel,
    percent_text,
)
from careapp.ui.formatting import format_count, sentence, stages_glossary
from careapp.ui.keyboard import chain
from careapp.ui.runner import Runner
from careapp.ui.table import make_table
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.care.overview import CareOverview

TILES = ("overdue", "today", "next_7_days", "next_30_days", "done", "drifting", "opt_out")


class Tile(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("–")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setAccessibleName(caption)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str, tip: str = "") -> None:
        self.value.setText(text)
        self.setToolTip(tip)


def _box(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class DashboardPage(QWidget):
    """The overview screen. ``openCustomerRequested(customer_id)``; ``loaded(CareOverview)``."""

    openCustomerRequested = Signal(int)
    loaded = Signal(object)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self._runner = runner
        self._services: Services | None = None
        self.overview: CareOverview | None = None
        self.title = QLabel(self.tr("Overview"))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.reload_button = QPushButton(self.tr("Load again"))
        self.reload_button.setToolTip(self.tr("Work the figures out again"))
        self.reload_button.clicked.connect(self.reload)
        self.error = ErrorLabel(self.tr("Problem with the overview"))
        captions = {
            "overdue": self.tr("overdue"),
            "today": self.tr("due today"),
            "next_7_days": self.tr("in the next 7 days"),
            "next_30_days": self.tr("in the next 30 days"),
            "done": self.tr("touches done this month"),
            "drifting": self.tr("customers drifting away"),
            "opt_out": self.tr("opt-out rate"),
        }
        self.tiles = {key: Tile(captions[key]) for key in TILES}
        self.drifting_model = DriftingModel(self)
        self.moves_model = MovesModel(self)
        self.referrers_model = ReferrersModel(self)
        self.done_model = DoneByKindModel(self)
        self.drifting = self._table(self.tr("Drifting away"), self.drifting_model)
        self.moves = self._table(self.tr("Moved this month"), self.moves_model)
        self.referrers = self._table(self.tr("Top referrers"), self.referrers_model)
        self.done_table = self._table(self.tr("Done this month"), self.done_model)
        self.ladder = LadderChart()
        self.ladder.setToolTip(stages_glossary())
        # What the stages mean, on the page itself ("Suspect" explains nothing on its own).
        # Under the whole grid, one stage a line: in a column, its wrapped lines asked for more height
        # than the page gave it and lay over the chart.
        self.glossary = QLabel(stages_glossary())
        self.glossary.setAccessibleName(self.tr("The loyalty ladder's stages"))
        self.glossary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.opt_out = OptOutChart()
        self.drifting_note = QLabel()
        self.drifting_note.setWordWrap(True)
        self.drifting_note.setAccessibleName(self.tr("Drifting away"))
        self.moves_note = self._note(self.tr("Moved on the ladder this month"))
        self.referrers_note = self._note(self.tr("Top referrers"))
        self.done_note = self._note(self.tr("Done this month"))
        self._lay_out()
        chain(self.tab_order())
        self.show_text(self.tr("Opening the database…"))

    def _table(
        self, name: str, model: DriftingModel | MovesModel | ReferrersModel | DoneByKindModel
    ) -> QTableView:
        table = make_table(name)
        table.setModel(model)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        # Every column as wide as its text, the last taking what is left: in a narrow window the
        # table scrolls sideways rather than cutting the names in the first column to "…".
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if not isinstance(model, DoneByKindModel):
            # Double-click and Enter (or a single click, where the desktop is set up that way).
            table.activated.connect(lambda index, m=model: self._open(m, index))
        return table

    @staticmethod
    def _note(name: str) -> QLabel:
        """A sentence shown instead of an empty table."""
        note = QLabel()
        note.setWordWrap(True)
        note.setAccessibleName(name)
        note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        note.setVisible(False)
        return note

    def _show_table(self, table: QTableView, note: QLabel, empty_text: str) -> None:
        empty = table.model().rowCount() == 0
        table.setVisible(not empty)
        note.setText(empty_text if empty else "")
        note.setVisible(empty)

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.reload_button)
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)
        grid = QGridLayout()
        grid.addWidget(
            _box(self.tr("Drifting away, the worst first"), self.drifting_note, self.drifting), 0, 0, 2, 1
        )
        grid.addWidget(self.ladder, 0, 1)
        grid.addWidget(_box(self.tr("Moved on the ladder this month"), self.moves_note, self.moves), 0, 2)
        grid.addWidget(self.opt_out, 1, 1)
        right = QWidget()
        right_layout = QHBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(_box(self.tr("Top referrers"), self.referrers_note, self.referrers), 3)
        right_layout.addWidget(_box(self.tr("Done this month"), self.done_note, self.done_table), 2)
        grid.addWidget(right, 1, 2)
        grid.addWidget(_box(self.tr("The loyalty ladder's stages"), self.glossary), 2, 0, 1, 3)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 5)
        grid.setColumnStretch(2, 4)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 4, 0, 0)
        inner.addLayout(header)
        inner.addWidget(self.error)
        inner.addLayout(tiles)
        inner.addLayout(grid, 1)
        # In a small window the overview scrolls rather than making the whole window bigger. The
        # content is sized by hand (see _fit_content): a resizable scroll area would give it the
        # height its wrapped labels prefer, not the height there is, and always scroll.
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.installEventFilter(self)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setAccessibleName(self.tr("Overview"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area and event.type() == QEvent.Type.Resize:
            self._fit_content()
        return False

    def _fit_content(self) -> None:
        """The content fills the scroll area, and scrolls only below its minimum size."""
        content = self.scroll_area.widget()
        if content is None:
            return
        available = self.scroll_area.maximumViewportSize()
        minimum = content.minimumSizeHint()
        height = max(available.height(), minimum.height())
        width = available.width()
        if height > available.height():
            width -= self.scroll_area.verticalScrollBar().sizeHint().width()
        content.resize(max(width, minimum.width()), height)

    # --- loading -------------------------------------------------------------------------

    def attach(self, services: Services) -> None:
        self._services = services
        self.show_text(self.tr("Working out the figures…"))

    def show_text(self, text: str) -> None:
        self.drifting_note.setText(text)

    def reload(self) -> None:
        if self._services is None:
            return
        services = self._services
        self._runner.submit(
            lambda: services.care_overview.overview(plan_all=False),  # see CareQueuePage.reload
            self._loaded,
            self._failed,
            key="care-overview",
            owner=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.error.show_error(
            self.tr("The overview could not be worked out: {reason}").format(reason=sentence(error))
        )

    def _loaded(self, overview: CareOverview) -> None:
        self.overview = overview
        self.error.show_error(None)
        self.title.setText(self.tr("Overview for {day}").format(day=weekday_date(overview.today)))
        counts = overview.queue_counts
        for key in ("overdue", "today", "next_7_days", "next_30_days"):
            self.tiles[key].set_value(format_count(counts.get(key, 0)))
        self.tiles["done"].set_value(format_count(overview.done_this_month))
        self.tiles["drifting"].set_value(format_count(overview.drifting_total))
        overall = overview.opt_out[0] if overview.opt_out else None
        self.tiles["opt_out"].set_value(
            percent_text(overall.rate if overall else None),
            self.tr("{withdrawn} of the {granted} customers who said yes have withdrawn").format(
                withdrawn=format_count(overall.withdrawn if overall else 0),
                granted=format_count(overall.ever_granted if overall else 0),
            ),
        )
        self.drifting_model.today = overview.today
        self.drifting_model.set_rows(overview.drifting)
        self.moves_model.set_rows(overview.moved_this_month)
        self.referrers_model.set_rows(overview.top_referrers)
        self.done_model.set_counts(dict(overview.done_by_kind))
        self.ladder.set_ladder(overview.ladder)
        self.opt_out.set_rates(overview.opt_out)
        self._show_table(
            self.moves, self.moves_note, self.tr("Nobody moved up or down the ladder this month.")
        )
        self._show_table(self.referrers, self.referrers_note, self.tr("Nobody has referred a customer yet."))
        self._show_table(self.done_table, self.done_note, self.tr("No touches done yet this month."))
        self.show_text(self._drifting_text(overview))
        self._fit_content()
        self.loaded.emit(overview)

    def _drifting_text(self, overview: CareOverview) -> str:
        total, shown = overview.drifting_total, len(overview.drifting)
        if total == 0:
            return self.tr("Nobody is past the longest the shop lets a customer go without contact.")
        if shown < total:
            return self.tr(
                "{total} customers are past their longest interval; the {shown} furthest past:"
            ).format(total=format_count(total), shown=format_count(shown))
        return self.tr("{total} customers are past their longest interval:").format(total=format_count(total))

    def _open(self, model: DriftingModel | MovesModel | ReferrersModel, index: QModelIndex) -> None:
        if index.isValid():
            self.openCustomerRequested.emit(model.customer_id(index.row()))

    def tab_order(self) -> list[QWidget]:
        return [self.drifting, self.moves, self.referrers, self.done_table, self.reload_button]

    def focus_first(self) -> None:
        self.drifting.setFocus(Qt.FocusReason.OtherFocusReason)
