"""The overview's tables: customers drifting away, who moved up or down the ladder, top referrers,
touches done this month by kind, and the opt-out rate per channel."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from careapp.ui.care.public import kind_title
from careapp.ui.formatting import channel_name, format_count, format_date, format_stored_date, stage_name
from careapp.ui.table import Column, RowsModel

if TYPE_CHECKING:
    from careapp.domain.touches import TouchKind
    from careapp.services.care.overview import DriftingCustomer, OptOutRate, Referrer, StageMove

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


def percent_text(rate: float | None) -> str:
    """ "12%", "0.5%", or "–" when there is nothing to count."""
    if rate is None:
        return "–"
    percent = rate * 100
    return f"{percent:.1f}%" if 0 < percent < 1 else f"{percent:.0f}%"


class DriftingModel(RowsModel):
    """Customers past their maximum interval, the worst first (as the service orders them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        self.today: dt.date | None = None  # set before the rows: "last in touch" counts back from it
        super().__init__(
            [
                Column(translate("Dashboard", "Customer"), lambda d: d.name),
                Column(translate("Dashboard", "Stage"), lambda d: stage_name(d.stage)),
                Column(
                    translate("Dashboard", "Last in touch"),
                    self._last_in_touch,
                    sort_key=lambda d: -d.days_since,
                    header_tip=translate(
                        "Dashboard", "The last contact, purchase or ticket (or when they became a customer)"
                    ),
                ),
                Column(
                    translate("Dashboard", "Days past"),
                    lambda d: format_count(d.days_past),
                    right=True,
                    sort_key=lambda d: d.days_past,
                    header_tip=translate(
                        "Dashboard", "Days beyond the longest the shop lets this customer go"
                    ),
                    tooltip=lambda d: translate(
                        "Dashboard", "{days} days without contact; the limit for them is {limit}"
                    ).format(days=format_count(d.days_since), limit=format_count(d.max_days)),
                ),
            ],
            parent,
        )

    def _last_in_touch(self, drifting: DriftingCustomer) -> str:
        if self.today is None:
            return ""
        return format_date(self.today - dt.timedelta(days=drifting.days_since))

    def customer_id(self, row: int) -> int:
        drifting: DriftingCustomer = self.row_at(row)
        return drifting.customer_id


def _move_text(move: StageMove) -> str:
    arrow = "↑" if move.up else "↓"
    return f"{arrow} {stage_name(move.old_stage)} → {stage_name(move.new_stage)}"


class MovesModel(RowsModel):
    """Who moved on the loyalty ladder this month, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Dashboard", "Customer"), lambda m: m.name),
                Column(translate("Dashboard", "Move"), _move_text),
                Column(translate("Dashboard", "When"), lambda m: format_stored_date(m.at)),
            ],
            parent,
        )

    def customer_id(self, row: int) -> int:
        move: StageMove = self.row_at(row)
        return move.customer_id


class ReferrersModel(RowsModel):
    """Customers who brought in the most customers."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Dashboard", "Customer"), lambda r: r.name),
                Column(
                    translate("Dashboard", "Referred"),
                    lambda r: format_count(r.referrals),
                    right=True,
                    sort_key=lambda r: r.referrals,
                ),
            ],
            parent,
        )

    def customer_id(self, row: int) -> int:
        referrer: Referrer = self.row_at(row)
        return referrer.customer_id


class DoneByKindModel(RowsModel):
    """Touches done this month, per kind: (kind, count) rows."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Dashboard", "Touch"), lambda row: kind_title(row[0])),
                Column(translate("Dashboard", "Done"), lambda row: format_count(row[1]), right=True),
            ],
            parent,
        )

    def set_counts(self, counts: dict[TouchKind, int]) -> None:
        self.set_rows(sorted(counts.items(), key=lambda item: (-item[1], item[0].value)))


def opt_out_channel(rate: OptOutRate) -> str:
    return channel_name(rate.channel) if rate.channel is not None else translate("Dashboard", "Any channel")
