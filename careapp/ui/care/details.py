"""The selected touch in full: who, why, when, on which channel, what to know, what happened before.

Shown beside the queue. The touch log of the customer (done, snoozed, skipped, by whom) is loaded
separately when the selection settles, so moving through the queue stays quick.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from careapp.domain.care_queue import TouchOutcome
from careapp.ui.care.texts import channel_now, context_parts, due_text, kind_title, translate
from careapp.ui.formatting import channel_name, format_date, format_stored_date

if TYPE_CHECKING:
    from careapp.services.care.queue import QueueEntry, TouchLogView

HISTORY_LINES = 6


def _label(name: str, rich: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


def history_line(view: TouchLogView) -> str:
    """ "23 November 2026: birthday greeting done by Sam (email)"."""
    when = format_stored_date(view.at)
    what = kind_title(view.kind).lower()
    if view.outcome is TouchOutcome.DONE:
        how = f" ({channel_name(view.channel).lower()})" if view.channel else ""
        text = translate("CareQueue", "{date}: {what} done by {who}{how}").format(
            date=when, what=what, who=view.who, how=how
        )
    elif view.outcome is TouchOutcome.SNOOZED:
        text = translate("CareQueue", "{date}: {what} snoozed by {who}, {note}").format(
            date=when, what=what, who=view.who, note=view.note
        )
    else:
        text = translate("CareQueue", "{date}: {what} skipped by {who}: {note}").format(
            date=when, what=what, who=view.who, note=view.note
        )
    return text


class TouchDetails(QWidget):
    """The selected touch; :meth:`show_entry` and :meth:`show_history` fill it in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: QueueEntry | None = None
        self.name = _label(self.tr("Customer"))
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.name.setFont(font)
        self.why = _label(self.tr("Why"))
        self.when = _label(self.tr("When and how"))
        self.reason = _label(self.tr("Why it waits"))
        self.reason.setStyleSheet("font-style: italic;")
        self.context_title = QLabel(self.tr("What to know"))
        self.context_title.setStyleSheet("font-weight: bold;")
        self.context = _label(self.tr("What to know"), rich=True)
        self.history_title = QLabel(self.tr("Earlier touches"))
        self.history_title.setStyleSheet("font-weight: bold;")
        self.history = _label(self.tr("Earlier touches"))
        self.buttons = QVBoxLayout()  # the page puts its buttons here
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        for widget in (self.name, self.why, self.when, self.reason):
            layout.addWidget(widget)
        layout.addLayout(self.buttons)
        layout.addSpacing(8)
        for widget in (self.context_title, self.context, self.history_title, self.history):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_entry(None, None)

    def show_entry(self, entry: QueueEntry | None, today: dt.date | None) -> None:
        self.entry = entry
        has_entry = entry is not None and today is not None
        for widget in (
            self.why,
            self.when,
            self.context_title,
            self.context,
            self.history_title,
            self.history,
        ):
            widget.setVisible(has_entry)
        if entry is None or today is None:
            self.name.setText(self.tr("Choose a touch in the queue to see what to say."))
            self.reason.setVisible(False)
            return
        self.name.setText(entry.customer_name)
        self.why.setText(entry.description)
        self.when.setText(self._when_text(entry, today))
        self.reason.setText(entry.reason)
        self.reason.setVisible(bool(entry.reason))
        parts = context_parts(entry.context)
        self.context.setText("<br>".join(f"• {html.escape(part[:1].upper() + part[1:])}" for part in parts))
        self.history.setText(self.tr("Loading…"))

    def _when_text(self, entry: QueueEntry, today: dt.date) -> str:
        text = self._due_by(entry, today)
        if entry.snoozed_until is not None:
            # Said after the channel: "…, snoozed by Email" read as if Email had snoozed it.
            text = self.tr("{due}; snoozed to that day").format(due=text)
        return text

    def _due_by(self, entry: QueueEntry, today: dt.date) -> str:
        due = due_text(entry.day, today)
        if entry.day != today and abs((entry.day - today).days) <= 31:
            due = self.tr("{relative} ({date})").format(relative=due, date=format_date(entry.day))
        if entry.channel is None:
            return self.tr("Due {when}; no channel to use yet").format(when=due)
        now = channel_now(entry)
        if now is None:  # consent on its channel withdrawn: the reason below says so
            return self.tr("Due {when}; no channel it can go by now").format(when=due)
        others = [channel_name(c) for c in entry.channels if c is not now]
        channel = channel_name(now)
        if others:
            return self.tr("Due {when} by {channel} (or {others})").format(
                when=due, channel=channel, others=", ".join(others)
            )
        return self.tr("Due {when} by {channel}").format(when=due, channel=channel)

    def show_nothing_due(self, why: str) -> None:
        """An empty queue: the panel says so, and why, where the selected touch would be (the
        sentence beside the title alone was easy to miss beside a blank list)."""
        self.show_entry(None, None)
        self.name.setText(self.tr("Nothing due"))
        self.why.setText(why)
        self.why.setVisible(True)

    def show_history(self, customer_id: int, views: list[TouchLogView]) -> None:
        if self.entry is None or self.entry.customer_id != customer_id:
            return
        if not views:
            self.history.setText(self.tr("None yet."))
            return
        lines = [history_line(view) for view in views[:HISTORY_LINES]]
        if len(views) > HISTORY_LINES:
            lines.append(self.tr("… and {count} more").format(count=len(views) - HISTORY_LINES))
        self.history.setText("\n".join(lines))
