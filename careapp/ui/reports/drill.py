"""The tickets behind one figure of the FCR report, opened by double-clicking a cell.

The list comes from the report already on screen (no database work): for a rate its base, each
ticket saying whether it counts (those that do not come first); for a count or a time the tickets it
is made of. Double-click or Enter on a ticket opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from careapp.domain.fcr import tickets_behind
from careapp.ui.reports.models import BehindModel, group_text
from careapp.ui.table import make_table

if TYPE_CHECKING:
    from careapp.domain.fcr import FcrReport, FcrRow

FIGURE_NAMES = {
    "cohort": "Tickets",
    "excluded": "Excluded",
    "shop_initiated": "Shop-initiated",
    "provisional": "Still open",
    "one_touch": "One-touch",
    "gross": "Gross",
    "net": "Net",
    "strict": "Strict",
    "reopen": "Reopen",
    "repeat": "Repeat",
    "first_response": "First response",
    "resolution": "Resolution",
}


class DrillDownDialog(QDialog):
    """One figure's tickets; ``open_ticket(ticket_id)`` is called for the ticket asked for."""

    def __init__(
        self,
        report: FcrReport,
        row: FcrRow,
        figure: str,
        meaning: str,
        open_ticket: Callable[[int], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_ticket = open_ticket
        # The tickets that do not count first: they are the ones an owner looks into.
        behind = sorted(tickets_behind(report, row, figure), key=lambda b: b.counts is not False)
        name = FIGURE_NAMES[figure]
        self.setWindowTitle(self.tr("{figure}: {group}").format(figure=name, group=group_text(row)))
        counting = sum(1 for b in behind if b.counts)
        if any(b.counts is not None for b in behind):
            summary = self.tr("{group}, {figure}: {n} of {d} tickets count.").format(
                group=group_text(row), figure=name, n=counting, d=len(behind)
            )
        else:
            summary = self.tr("{group}, {figure}: {d} tickets.").format(
                group=group_text(row), figure=name, d=len(behind)
            )
        self.summary = QLabel(summary)
        self.summary.setStyleSheet("font-weight: bold;")
        self.meaning = QLabel(f"{name}: {meaning}")
        self.meaning.setWordWrap(True)
        self.model = BehindModel(self)
        self.model.set_rows(behind)
        self.table = make_table(self.tr("Tickets behind the figure"))
        self.table.setModel(self.model)
        self.table.resizeColumnsToContents()
        self.table.activated.connect(self._activated)
        hint = QLabel(self.tr("Double-click a ticket, or press Enter, to open it."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.meaning)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(940, 440)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def ticket_ids(self) -> list[int]:
        return [b.result.ticket_id for b in self.model.rows()]

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_ticket(self.model.row_at(index.row()).result.ticket_id)
