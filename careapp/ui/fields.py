"""Date and date-time fields that the Tab key leaves.

A plain QDateEdit or QDateTimeEdit takes Tab to move from day to month to year (and on) and only
then to the next field, so walking a form with Tab gets stuck in every date. In these, Tab goes to
the next field; typing digits still moves from section to section, and so do the arrow keys.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget


class DateTimeField(QDateTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateField(QDateEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
