"""The care queue as a tree: one top-level row per section, the touches under it.

Sections are always there, in the service's order (overdue, today, next 7 days, next 30 days,
held, carried over); an empty one has no children (the view hides empty held and carried-over
sections). A new queue is merged in section by section: rows that went away are removed, new ones
inserted, the rest updated in place, so the view keeps its selection, scroll position and
expanded sections. Only when the order of the remaining rows changed is the model reset.

Named roles (:class:`Roles`) give views and tests the data behind a row without parsing text.
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from careapp.ui.care.texts import (
    SECTION_KEYS,
    channel_column,
    context_line,
    due_column,
    entry_summary,
    section_title,
)
from careapp.ui.formatting import format_count, format_date

if TYPE_CHECKING:
    from careapp.services.care.queue import CareQueue, QueueEntry

Index = QModelIndex | QPersistentModelIndex
_SECTION_ID = 0  # internalId of a section row; an entry's is its section's number plus one


class Roles(IntEnum):
    """The model's named roles (see :meth:`CareQueueModel.roleNames`)."""

    ENTRY = Qt.ItemDataRole.UserRole + 1  # the QueueEntry (entries only)
    TOUCH_ID = Qt.ItemDataRole.UserRole + 2
    CUSTOMER_ID = Qt.ItemDataRole.UserRole + 3
    SECTION = Qt.ItemDataRole.UserRole + 4  # the section's key: "overdue", "today", …
    IS_SECTION = Qt.ItemDataRole.UserRole + 5
    KIND = Qt.ItemDataRole.UserRole + 6  # the TouchKind value
    DAY = Qt.ItemDataRole.UserRole + 7  # the day it is shown on, ISO text
    COUNT = Qt.ItemDataRole.UserRole + 8  # a section's number of entries


ROLE_NAMES = {
    Roles.ENTRY: b"entry",
    Roles.TOUCH_ID: b"touchId",
    Roles.CUSTOMER_ID: b"customerId",
    Roles.SECTION: b"section",
    Roles.IS_SECTION: b"isSection",
    Roles.KIND: b"kind",
    Roles.DAY: b"day",
    Roles.COUNT: b"count",
}


class CareQueueModel(QAbstractItemModel):
    """Sections and their touches; columns: customer, touch, channel, due, context.

    A big queue comes a page at a time: each section holds its first entries and knows its full
    size (the title's count). Only a section the user reached the end of gets more: the page calls
    :meth:`want_more` when the last row of a section comes into view, and only then does
    ``canFetchMore`` say yes, once, so ``fetchMore`` emits ``moreWanted(section key, entries held)``;
    whoever loads them calls :meth:`append`. (Qt's tree view calls ``fetchMore`` on every expanded
    section each time rows arrive; a model that always answered yes would load the whole queue,
    125,000 entries at 100,000 customers, with nobody looking.)
    """

    COLUMNS = ("customer", "touch", "channel", "due", "context")
    moreWanted = Signal(str, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.today: dt.date | None = None
        self._sections: list[list[QueueEntry]] = [[] for _ in SECTION_KEYS]
        self._totals: list[int] = [0 for _ in SECTION_KEYS]
        self._asked: set[int] = set()  # sections whose next page was asked for and not yet added
        self._wanted: set[int] = set()  # sections whose end the user reached: one more page each
        self.fetches = 0  # pages asked for since the last set_queue, for the tests and the log
        self._headers = {
            "customer": self.tr("Customer"),
            "touch": self.tr("Why"),
            "channel": self.tr("Channel"),
            "due": self.tr("Due"),
            "context": self.tr("What to know"),
        }

    # --- structure ---------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        # The bounds are checked here rather than with hasIndex, which calls rowCount and columnCount
        # back through Python: the view asks for thousands of indexes as it lays the queue out.
        if row < 0 or not 0 <= column < len(self.COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _SECTION_ID) if row < len(SECTION_KEYS) else QModelIndex()
        section = parent.row()
        if parent.internalId() != _SECTION_ID or parent.column() != 0 or row >= len(self._sections[section]):
            return QModelIndex()
        return self.createIndex(row, column, section + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _SECTION_ID:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _SECTION_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if not parent.isValid():
            return len(SECTION_KEYS)
        if parent.internalId() != _SECTION_ID or parent.column() != 0:
            return 0
        return len(self._sections[parent.row()])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return len(self.COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def roleNames(self) -> dict[int, Any]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(name) for role, name in ROLE_NAMES.items()})
        return names

    # --- data --------------------------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self._headers[self.COLUMNS[section]]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _SECTION_ID:
            return self._section_data(index.row(), index.column(), role)
        entry = self.entry(index)
        return None if entry is None else self._entry_data(entry, index.column(), role)

    def canFetchMore(self, parent: Index) -> bool:
        if not parent.isValid() or parent.internalId() != _SECTION_ID:
            return False
        row = parent.row()
        return row in self._wanted and row not in self._asked and self.has_more(row)

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            row = parent.row()
            self._wanted.discard(row)
            self._asked.add(row)
            self.fetches += 1
            self.moreWanted.emit(SECTION_KEYS[row], len(self._sections[row]))

    def has_more(self, row: int) -> bool:
        """Whether section ``row`` holds fewer entries than it has."""
        return len(self._sections[row]) < self._totals[row]

    def want_more(self, row: int) -> None:
        """The user reached the end of section ``row``: fetch its next page (if it has one)."""
        if self.has_more(row) and row not in self._asked:
            self._wanted.add(row)
            self.fetchMore(self.index(row, 0))

    def append(self, key: str, offset: int, entries: list[QueueEntry]) -> None:
        """Add a section's next entries (read from ``offset``); ignored when the section moved on."""
        section = SECTION_KEYS.index(key)
        self._asked.discard(section)
        old = self._sections[section]
        if offset != len(old):
            return
        held = {e.touch_id for e in old}
        new = [e for e in entries if e.touch_id not in held]
        if new:
            parent = self.index(section, 0)
            self.beginInsertRows(parent, len(old), len(old) + len(new) - 1)
            old.extend(new)
            self.endInsertRows()

    def held_rows(self) -> int:
        """The most entries any section holds (a reload asks for at least that many)."""
        return max(len(entries) for entries in self._sections)

    def _section_data(self, row: int, column: int, role: int) -> Any:
        key = SECTION_KEYS[row]
        count = max(self._totals[row], len(self._sections[row]))
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return self.tr("{section} ({count})").format(
                section=section_title(key), count=format_count(count)
            )
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return self.tr("{section}: {count} touches").format(
                section=section_title(key), count=format_count(count)
            )
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Roles.SECTION:
            return key
        if role == Roles.IS_SECTION:
            return True
        if role == Roles.COUNT:
            return count
        return None

    def _entry_data(self, entry: QueueEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, self.COLUMNS[column])
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 4 and entry.reason:
                return entry.reason
            return self.text(entry, self.COLUMNS[column]) if column == 4 else None
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0 and self.today is not None:
            return entry_summary(entry, self.today)
        simple = {
            Roles.ENTRY: entry,
            Roles.TOUCH_ID: entry.touch_id,
            Roles.CUSTOMER_ID: entry.customer_id,
            Roles.IS_SECTION: False,
            Roles.KIND: entry.kind.value,
            Roles.DAY: entry.day.isoformat(),
        }
        return simple.get(role)  # type: ignore[call-overload]

    def text(self, entry: QueueEntry, column: str) -> str:
        if column == "customer":
            return entry.customer_name
        if column == "touch":
            return entry.description
        if column == "channel":
            return channel_column(entry)
        if column == "due":
            day = due_column(entry.day, self.today) if self.today else format_date(entry.day)
            if entry.due_at is not None:
                time_text = f"{entry.due_at.hour:02d}:{entry.due_at.minute:02d}"
                return self.tr("{day}, {time}").format(day=day, time=time_text)
            return day
        if entry.reason:
            return entry.reason
        return context_line(entry.context)

    # --- lookups -----------------------------------------------------------------------------

    def entry(self, index: Index) -> QueueEntry | None:
        if not index.isValid() or index.internalId() == _SECTION_ID:
            return None
        entries = self._sections[index.internalId() - 1]
        return entries[index.row()] if 0 <= index.row() < len(entries) else None

    def section_index(self, key: str) -> QModelIndex:
        return self.index(SECTION_KEYS.index(key), 0)

    def entries(self, key: str | None = None) -> list[QueueEntry]:
        if key is not None:
            return list(self._sections[SECTION_KEYS.index(key)])
        return [entry for section in self._sections for entry in section]

    def find(self, touch_id: int) -> QModelIndex:
        for section, entries in enumerate(self._sections):
            for row, entry in enumerate(entries):
                if entry.touch_id == touch_id:
                    return self.createIndex(row, 0, section + 1)
        return QModelIndex()

    def section_of(self, touch_id: int) -> str | None:
        found = self.find(touch_id)
        return SECTION_KEYS[found.internalId() - 1] if found.isValid() else None

    # --- updating ----------------------------------------------------------------------------

    def set_queue(self, queue: CareQueue) -> None:
        """Show ``queue``, changing only the rows that changed (see the module docstring)."""
        new_sections = [list(entries) for _, entries in queue.sections()]
        day_changed = queue.today != self.today
        self.today = queue.today
        counts = queue.counts()
        self._totals = [counts[key] for key in SECTION_KEYS]
        self._asked.clear()
        self._wanted.clear()
        self.fetches = 0
        if any(not _same_order(old, new) for old, new in zip(self._sections, new_sections, strict=True)):
            self.beginResetModel()
            self._sections = new_sections
            self.endResetModel()
            return
        for section, new in enumerate(new_sections):
            self._merge(section, new)
        if day_changed:
            self._all_changed()

    def clear(self) -> None:
        self.beginResetModel()
        self._sections = [[] for _ in SECTION_KEYS]
        self._totals = [0 for _ in SECTION_KEYS]
        self.today = None
        self.endResetModel()

    def _merge(self, section: int, new: list[QueueEntry]) -> None:
        """Rows that went away are removed and new ones inserted a run at a time, and the changed ones
        announced in one range: a row at a time, the view laid the section out again for each, and a
        first queue of ~300 rows after the saved copy held the UI thread 0.2-0.3 s."""
        parent = self.index(section, 0)
        old = self._sections[section]
        self._remove_gone(parent, old, {e.touch_id for e in new})
        changed: list[int] = []
        row = 0
        while row < len(new):
            if row < len(old) and old[row].touch_id == new[row].touch_id:
                if old[row] != new[row]:
                    old[row] = new[row]
                    changed.append(row)
                row += 1
                continue
            kept = old[row].touch_id if row < len(old) else None
            last = row
            while last + 1 < len(new) and new[last + 1].touch_id != kept:
                last += 1
            self.beginInsertRows(parent, row, last)
            old[row:row] = new[row : last + 1]
            self.endInsertRows()
            row = last + 1
        if changed:
            last_column = len(self.COLUMNS) - 1
            self.dataChanged.emit(
                self.index(changed[0], 0, parent), self.index(changed[-1], last_column, parent)
            )
        self.dataChanged.emit(parent, parent)  # the count in the title

    def _remove_gone(self, parent: QModelIndex, old: list[QueueEntry], wanted: set[int]) -> None:
        """Remove the rows whose touch is not in ``wanted``, a run of neighbours at a time."""
        row = len(old) - 1
        while row >= 0:
            if old[row].touch_id in wanted:
                row -= 1
                continue
            first = row
            while first > 0 and old[first - 1].touch_id not in wanted:
                first -= 1
            self.beginRemoveRows(parent, first, row)
            del old[first : row + 1]
            self.endRemoveRows()
            row = first - 1

    def _all_changed(self) -> None:
        last_column = len(self.COLUMNS) - 1
        for section, entries in enumerate(self._sections):
            parent = self.index(section, 0)
            if entries:
                self.dataChanged.emit(
                    self.index(0, 0, parent), self.index(len(entries) - 1, last_column, parent)
                )


def _same_order(old: list[QueueEntry], new: list[QueueEntry]) -> bool:
    """Whether the rows both lists share are in the same order (so a merge keeps them in place)."""
    new_ids = {e.touch_id for e in new}
    old_ids = {e.touch_id for e in old}
    kept_old = [e.touch_id for e in old if e.touch_id in new_ids]
    kept_new = [e.touch_id for e in new if e.touch_id in old_ids]
    return kept_old == kept_new
