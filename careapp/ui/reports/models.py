"""The FCR report's tables: one row per group plus the total, and the open backlog by age.

Every rate is shown with its parts, "4/7 (57%)", so nobody reads 100% off one ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt

from careapp.domain.durations import format_duration
from careapp.ui.table import Column, RowsModel

if TYPE_CHECKING:
    from careapp.domain.fcr import BacklogBucket, FcrResult, FcrRow, Rate

translate = QCoreApplication.translate
TOTAL_KEY = "total"


def rate_text(rate: Rate) -> str:
    """ "4/7 (57%)"; "0/0 (n/a)" when nothing counts yet."""
    if rate.value is None:
        return translate("FcrReport", "{n}/{d} (n/a)").format(n=rate.numerator, d=rate.denominator)
    return f"{rate.numerator}/{rate.denominator} ({float(rate.value):.0%})"


def duration_text(value: dt.timedelta | None) -> str:
    """45m, 2h 05m, 3d 4h; a dash for none (the same words as the text and CSV reports)."""
    return format_duration(value, none="–")


def group_text(row: FcrRow) -> str:
    return translate("FcrReport", "Total") if row.key == TOTAL_KEY else row.key


def _rate_column(title: str, name: str, tip: str) -> Column:
    return Column(
        title,
        lambda row: rate_text(getattr(row, name)),
        right=True,
        sort_key=lambda row: getattr(row, name).value or 0,
        header_tip=tip,
    )


# The figure each column is made of (see careapp.domain.fcr.tickets_behind); None: the group's name.
COLUMN_FIGURES: tuple[str | None, ...] = (
    None, "cohort", "excluded", "shop_initiated", "provisional", "one_touch", "gross", "net", "strict",
    "reopen", "repeat", "first_response", "resolution", "resolution",
)  # fmt: skip


def fcr_columns(tips: dict[str, str]) -> list[Column]:
    """The report's columns; ``tips`` maps the domain's definition names to their meaning."""
    titles = {
        "one_touch": (translate("FcrReport", "One-touch"), "One-touch"),
        "gross": (translate("FcrReport", "Gross"), "Gross"),
        "net": (translate("FcrReport", "Net"), "Net"),
        "strict": (translate("FcrReport", "Strict"), "Strict"),
        "reopen": (translate("FcrReport", "Reopen"), "Reopen"),
        "repeat": (translate("FcrReport", "Repeat"), "Repeat"),
    }

    def count(title: str, key: str, value: Callable[[FcrRow], int]) -> Column:
        return Column(
            title, lambda r: str(value(r)), right=True, sort_key=value, header_tip=tips.get(key, "")
        )

    def duration(title: str, key: str, value: Callable[[FcrRow], dt.timedelta | None]) -> Column:
        return Column(title, lambda r: duration_text(value(r)), right=True, header_tip=tips.get(key, ""))

    return [
        Column(translate("FcrReport", "Group"), group_text, header_tip=tips.get("By staff", "")),
        count(translate("FcrReport", "Tickets"), "Tickets", lambda r: r.cohort),
        count(translate("FcrReport", "Excl."), "Excluded", lambda r: r.excluded),
        count(translate("FcrReport", "Shop"), "Shop-initiated", lambda r: r.shop_initiated),
        count(translate("FcrReport", "Open"), "Still open", lambda r: r.provisional),
        *(_rate_column(title, name, tips.get(key, "")) for name, (title, key) in titles.items()),
        duration(
            translate("FcrReport", "1st resp."), "First response", lambda r: r.median_time_to_first_response
        ),
        duration(translate("FcrReport", "Resolution"), "Resolution", lambda r: r.median_time_to_resolution),
        duration(translate("FcrReport", "Res. 90%"), "Resolution", lambda r: r.p90_time_to_resolution),
    ]


class FcrTableModel(RowsModel):
    """The report's rows, then the total in bold. Header tooltips give each column's definition."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(fcr_columns({}), parent, bold=lambda row: row.key == TOTAL_KEY)

    def set_definitions(self, tips: dict[str, str]) -> None:
        """Header tooltips: what each column means (with the shop's R and N)."""
        self.columns = tuple(fcr_columns(tips))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)

    def set_report(self, rows: tuple[FcrRow, ...], total: FcrRow) -> None:
        self.set_rows([*rows, total])

    @staticmethod
    def figure(column: int) -> str | None:
        """The figure behind ``column`` (None for the group's name)."""
        return COLUMN_FIGURES[column] if 0 <= column < len(COLUMN_FIGURES) else None


def _counts_text(counts: bool | None) -> str:
    if counts is None:
        return ""
    return translate("FcrReport", "yes") if counts else translate("FcrReport", "no")


def _short_day(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _status(result: FcrResult) -> str:
    if result.exclusion is not None:
        return translate("FcrReport", "excluded ({why})").format(why=result.exclusion)
    if result.set_aside:
        return translate("FcrReport", "shop-initiated, left out")
    if result.provisional:
        return translate("FcrReport", "window open until {end}").format(end=_short_day(result.windows_end))
    return translate("FcrReport", "decided")


class BehindModel(RowsModel):
    """The tickets behind one figure: whether each counts in it, and what the report knows of it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("FcrReport", "Ticket"), lambda b: str(b.result.ticket_id), right=True),
                Column(translate("FcrReport", "Counts"), lambda b: _counts_text(b.counts)),
                Column(translate("FcrReport", "Category"), lambda b: b.result.category),
                Column(translate("FcrReport", "First contact by"), lambda b: b.result.staff),
                Column(
                    translate("FcrReport", "First resolved"), lambda b: _short_day(b.result.first_resolved_at)
                ),
                Column(translate("FcrReport", "Status"), lambda b: _status(b.result)),
                Column(
                    translate("FcrReport", "Time to resolution"),
                    lambda b: duration_text(b.result.time_to_resolution),
                    right=True,
                ),
            ],
            parent,
        )


def _bucket_label(bucket: BacklogBucket) -> str:
    if bucket.max_days is None:
        return translate("FcrReport", "{days} days or more").format(days=bucket.min_days)
    if bucket.min_days == 0:
        if bucket.max_days == 1:
            return translate("FcrReport", "under 1 day")
        return translate("FcrReport", "under {days} days").format(days=bucket.max_days)
    return translate("FcrReport", "{low} to {high} days").format(low=bucket.min_days, high=bucket.max_days)


class BacklogModel(RowsModel):
    """Tickets open now, by how long ago they were opened."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("FcrReport", "Open for"), _bucket_label),
                Column(
                    translate("FcrReport", "Tickets"),
                    lambda b: str(b.count),
                    right=True,
                    tooltip=lambda b: ", ".join(map(str, b.ticket_ids[:50])),
                ),
            ],
            parent,
        )
