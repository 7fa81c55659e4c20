"""The care queue screen: what is due, overdue and coming, and the touch in hand.

Left, the queue by section (a tree); right, the selected touch with what to know about the customer
and the actions: write the message, done, snooze (tomorrow, next week, in a month, or a day picked),
skip with a reason, open the customer. Every service call goes through the runner; after each action
the queue is loaded again and merged into the model (only the rows that changed move), and the
selection moves on to the next touch.

Keyboard: Ctrl+M write message (Enter on a touch too), Ctrl+D done, Ctrl+S snooze, Ctrl+K skip,
Ctrl+O open the customer, F5 load again; the buttons have mnemonics too. The shortcuts work while
the queue has the focus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.care_queue import snooze_choices
from careapp.domain.customer import Channel
from careapp.ui.care.details import TouchDetails
from careapp.ui.care.dialogs import SkipDialog, SnoozeDialog
from careapp.ui.care.queue_model import CareQueueModel
from careapp.ui.care.snapshot import database_mark, read_snapshot, snapshot_path, write_snapshot
from careapp.ui.care.texts import SECTION_KEYS, entry_summary, kind_title, translate, weekday_date
from careapp.ui.formatting import format_count, sentence
from careapp.ui.keyboard import chain
from careapp.ui.runner import Runner, background_runner_of
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.care.queue import CareQueue, QueueEntry
    from careapp.services.shop.staff import Actor
    from careapp.ui.care.message_dialog import MessageDialog, UrlOpener

ActorSource = Callable[[], "Actor"]
COLUMN_WIDTHS = (170, 270, 80, 185)  # the Due column holds "2 Jun 2022 · 4 years ago"
# How many entries of each section are loaded at a time (more as the view scrolls).
PAGE = 50
# Sections hidden while empty: the others always show, so "Today (0)" says there is nothing today.
HIDDEN_WHEN_EMPTY = ("held", "carried_over")


def snooze_label(label: str, day: dt.date) -> str:
    """The quick snooze choices, translated, with the day they snooze to."""
    names = {
        "Tomorrow": translate("CareQueue", "&Tomorrow"),
        "Next week": translate("CareQueue", "Next &week"),
        "In a month": translate("CareQueue", "In a &month"),
    }
    return f"{names.get(label, label)} ({weekday_date(day)})"


def waits_for_consent(entry: QueueEntry) -> bool:
    """A touch held because the customer has not agreed (or said no) to any of its channels."""
    reason = entry.reason
    asked = reason.startswith("No consent yet") or " declined to be contacted" in reason
    return entry.status == "held" and asked


class CareQueuePage(QWidget):
    """The queue screen. ``attach`` gives it the services; ``reload`` loads the queue.

    ``queueLoaded(CareQueue)`` after each load; ``openCustomerRequested(customer_id)``;
    ``acted(str)`` says what was done in a sentence.
    """

    queueLoaded = Signal(object)
    storedRead = Signal()  # the queue as last planned was read at the start (and shown, if there was one)
    openCustomerRequested = Signal(int)
    acted = Signal(str)
    mailKept = Signal(str)  # an email the server did not take waits in the Outbox: the sentence

    def __init__(
        self,
        runner: Runner,
        actor: ActorSource,
        url_opener: UrlOpener | None = None,  # None: the desktop's own (see message_dialog.open_url)
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("careQueuePage")
        self._runner, self._actor, self._url_opener = runner, actor, url_opener
        self._services: Services | None = None
        self.queue: CareQueue | None = None
        self.message_dialog: MessageDialog | None = None
        self.snooze_dialog: SnoozeDialog | None = None
        self.skip_dialog: SkipDialog | None = None
        self.consent_dialog: QDialog | None = None
        self._after_action: tuple[str, int] | None = None
        self._load_error = False
        self._fresh = False  # a queue asked for since the services came (not the stored or saved copy)
        self._snapshot: tuple[Path, str] | None = None
        # What F5 calls to plan the touches again (the care controller's); None: only load again.
        self.refresher: Callable[[], None] | None = None
        self.model = CareQueueModel(self)
        self.model.moreWanted.connect(self._fetch_more)
        self._build()
        self._make_actions()
        self._update_actions()
        chain(self.tab_order())
        self.show_text(self.tr("Opening the database…"))

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self.tr("Care queue"))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.counts = QLabel()
        self.counts.setAccessibleName(self.tr("Queue counts"))
        self.counts.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Load again"))
        self.refresh_button.setToolTip(self.tr("Load the queue again (F5)"))
        self.refresh_button.clicked.connect(self.ask_refresh)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(12)
        header.addWidget(self.counts, 1)
        header.addWidget(self.refresh_button)
        self.tree = self._make_tree()
        self.details = TouchDetails()
        self.message_button = self._button(self.tr("Write &message…"), self.write_message)
        self.message_button.setDefault(True)
        self.done_button = self._button(self.tr("&Done"), self.mark_done)
        self.snooze_button = self._button(self.tr("&Snooze"), lambda: None)
        self.snooze_menu = QMenu(self)
        self.snooze_menu.aboutToShow.connect(self._fill_snooze_menu)
        self.snooze_button.setMenu(self.snooze_menu)
        self.skip_button = self._button(self.tr("S&kip…"), self.skip)
        self.open_button = self._button(self.tr("&Open customer"), self.open_customer)
        first_row, second_row = QHBoxLayout(), QHBoxLayout()
        for button in (self.message_button, self.done_button):
            first_row.addWidget(button)
        for button in (self.snooze_button, self.skip_button, self.open_button):
            second_row.addWidget(button)
        first_row.addStretch(1)
        second_row.addStretch(1)
        self.details.buttons.addLayout(first_row)
        self.details.buttons.addLayout(second_row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([800, 330])
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Last action"))
        self.status.setWordWrap(True)
        self.error = ErrorLabel(self.tr("Problem with the care queue"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)

    def _make_tree(self) -> QTreeView:
        tree = QTreeView()
        tree.setAccessibleName(self.tr("Care queue"))
        tree.setModel(self.model)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setAllColumnsShowFocus(True)
        tree.setItemsExpandable(True)
        header = tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        tree.selectionModel().currentRowChanged.connect(self._current_changed)
        tree.activated.connect(self._activated)
        self.model.rowsInserted.connect(self._rows_inserted)
        self.model.modelReset.connect(self._layout_sections)
        tree.verticalScrollBar().valueChanged.connect(lambda _value: self.want_more_in_view())
        return tree

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.message_action = self._action(self.tr("Write message…"), "Ctrl+M", self.write_message)
        self.done_action = self._action(self.tr("Done"), "Ctrl+D", self.mark_done)
        self.snooze_action = self._action(self.tr("Snooze"), "Ctrl+S", self.snooze_button.showMenu)
        self.skip_action = self._action(self.tr("Skip…"), "Ctrl+K", self.skip)
        self.open_action = self._action(self.tr("Open customer"), "Ctrl+O", self.open_customer)
        self.reload_action = self._action(self.tr("Load again"), "F5", self.ask_refresh)
        self.consent_action = self._action(self.tr("Record consent…"), "Ctrl+R", self.record_consent)
        self.consent_action.setToolTip(
            self.tr("They agreed to be contacted: record it; the touch waiting for it goes ahead (Ctrl+R)")
        )
        tips = (
            (self.message_button, self.tr("Write the message and send it or copy it (Ctrl+M, or Enter)")),
            (self.done_button, self.tr("The touch was made: log it as a contact (Ctrl+D)")),
            (self.snooze_button, self.tr("Bring it back on a later day (Ctrl+S)")),
            (self.skip_button, self.tr("Do not make this touch, saying why (Ctrl+K)")),
            (self.open_button, self.tr("Show the customer's details and story (Ctrl+O)")),
        )
        for button, tip in tips:
            button.setToolTip(tip)

    # --- services and loading ------------------------------------------------------------

    def attach(self, services: Services) -> None:
        """The database is open: show the queue as last planned at once (read first on the background
        thread), then the fresh one from :meth:`reload` after the first refresh."""
        self._services = services
        if self.queue is None:  # else the saved copy's counts stay, saying it is being brought up to date
            self.show_text(self.tr("Loading the care queue…"))
        # On the background thread, ahead of the touches' refresh, while the database thread reads the
        # customer list: the window is usable when both have come, so they are read side by side (one
        # after the other they took 2-3 s at 100,000 customers). It only reads, and a queue loaded
        # later (an action's, the refresh's) takes its place. A key of its own: the refresh's reload
        # must not cancel it.
        background_runner_of(self, self._runner).submit(
            lambda: services.care_queue.stored_queue(PAGE),
            self._stored_loaded,
            self._stored_failed,
            key="care-queue-stored",
            owner=self,
        )

    def _stored_loaded(self, queue: CareQueue | None) -> None:
        if queue is not None and not self._fresh:
            self._show(queue)
            self._keep_snapshot(queue)
            self._paint_now()
        self.storedRead.emit()

    def _stored_failed(self, error: BaseException) -> None:
        self._load_failed(error)
        self.storedRead.emit()

    def _paint_now(self) -> None:
        """Lay out and paint the queue just shown in this turn, before ``storedRead`` starts the
        touches' refresh on the background thread: painted after it, the rows' Python (every cell's
        data) waited for the refresh's Python, and the turn that showed the first queue of a new day
        held the window 90-125 ms (100,000 customers) instead of 40-55 ms."""
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication

        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.repaint()

    def show_snapshot(self, data_dir: Path, database_url: str, today: dt.date | None = None) -> bool:
        """Show the copy of the queue kept at the last run (before the database is open), and keep a
        copy of each queue loaded from now on (see :mod:`careapp.ui.care.snapshot`). ``today``: the
        computer's date. Returns whether a copy was shown."""
        self._snapshot = (snapshot_path(data_dir), database_mark(database_url))
        queue = read_snapshot(*self._snapshot, today or dt.date.today())
        if queue is None or self.queue is not None:
            return False
        self._show(queue)
        self.counts.setText(
            self.tr("{counts} · as at the last start, bringing it up to date…").format(
                counts=self._counts_text(queue)
            )
        )
        return True

    def _keep_snapshot(self, queue: CareQueue) -> None:
        """Write the copy on the background thread (the queue is plain, frozen data): written here, the
        JSON of a few hundred entries was a third of the turn that showed the first queue."""
        if self._snapshot is not None:
            path, mark = self._snapshot
            background = background_runner_of(self, self._runner)
            background.submit(lambda: write_snapshot(path, mark, queue, PAGE), owner=self)

    def show_text(self, text: str) -> None:
        self.counts.setText(text)

    def today(self) -> dt.date:
        """The shop's today as the queue was last read (the computer's date before then)."""
        return self.model.today or dt.date.today()

    def ask_refresh(self) -> None:
        """F5: bring the touches up to date (the window's care controller does) and load the queue
        again; without one (a page on its own), load it again."""
        if self.refresher is not None:
            self.refresher()
        else:
            self.reload()

    def show_progress(self, done: int, total: int) -> None:
        """A refresh going through every customer (a rule changed, the first start after an upgrade):
        "Planning 100,000 customers… 40%"."""
        percent = 100 * done // total if total else 0
        self.counts.setText(
            self.tr("Planning {count} customers… {percent}%").format(
                count=format_count(total), percent=percent
            )
        )

    def show_busy(self) -> None:
        """A refresh is on its way: say so beside the counts until the queue comes."""
        if self.queue is not None and "bringing it up to date" not in self.counts.text():
            self.counts.setText(
                self.tr("{counts} · bringing it up to date…").format(counts=self._counts_text(self.queue))
            )

    def reload(self) -> None:
        if self._services is None:
            return
        services = self._services
        page = max(PAGE, self.model.held_rows())  # keep what was scrolled to
        # Planning everyone (a new day) is the touches' refresh's job, on the background thread:
        # meanwhile the stored plan is shown, and the refresh's end reloads it.
        self._runner.submit(
            lambda: services.care_queue.queue(page=page, plan_all=False),
            self._loaded,
            self._load_failed,
            key="care-queue",
            owner=self,
        )

    def _fetch_more(self, key: str, offset: int) -> None:
        """The view reached the end of a section that has more: load its next page."""
        if self._services is None:
            return
        services, today = self._services, self.model.today
        self._runner.submit(
            lambda: services.care_queue.section(key, offset, PAGE, today),
            lambda entries: self.model.append(key, offset, list(entries)),
            self._load_failed,
            key=f"care-queue-more-{key}",
            owner=self,
        )

    def _loaded(self, queue: CareQueue) -> None:
        self._fresh = True
        self._show(queue)
        self._keep_snapshot(queue)

    def _show(self, queue: CareQueue) -> None:
        self.queue = queue
        if self._load_error:
            self._load_error = False
            self.error.show_error(None)
        current = self.current_entry()
        self.model.set_queue(queue)
        self._layout_sections()
        self.title.setText(self.tr("Care queue for {day}").format(day=weekday_date(queue.today)))
        self.counts.setText(self._counts_text(queue))
        if self._after_action is not None:
            section, row = self._after_action
            self._after_action = None
            self._select_near(section, row)
        elif current is not None and self.model.find(current.touch_id).isValid():
            self._select(self.model.find(current.touch_id))
        elif self.current_entry() is None:  # nothing, or a section's title (the view's default)
            self._select_first()
        self._update_actions()
        self.details.show_entry(self.current_entry(), queue.today)
        if not any(queue.counts().values()) and self._services is not None:
            self._explain_empty(self._services)  # in the title's line and in the panel just filled
        self._load_history()
        self.queueLoaded.emit(queue)

    def _explain_empty(self, services: Services) -> None:
        """An empty queue says why, rather than a row of zeros."""
        self._runner.submit(
            services.care_queue.quiet_customers, self._show_empty, lambda _error: None, owner=self
        )

    def _show_empty(self, customers: tuple[int, int]) -> None:
        if self.queue is None or any(self.queue.counts().values()):
            return  # something came meanwhile
        total, quiet = customers
        if total == 0:
            text = self.tr(
                "Nothing due: there are no customers yet. Add one (Ctrl+N), import a file or load "
                "the demo data, and their birthdays and purchases bring touches here."
            )
        elif quiet == total == 1:
            text = self.tr(
                "Nothing due in the next 30 days: your one customer has no birthday or purchase yet, so "
                "nothing falls due for them."
            )
        elif quiet == total:
            text = self.tr(
                "Nothing due in the next 30 days: none of your {total} customers has a birthday or "
                "purchase yet, so nothing falls due for them."
            ).format(total=format_count(total))
        elif quiet == 1:
            text = self.tr(
                "Nothing due in the next 30 days: 1 of {total} customers has no birthday or purchase "
                "yet, so nothing falls due for them."
            ).format(total=format_count(total))
        elif quiet:
            text = self.tr(
                "Nothing due in the next 30 days: {quiet} of {total} customers have no birthday or "
                "purchase yet, so nothing falls due for them."
            ).format(quiet=format_count(quiet), total=format_count(total))
        else:
            text = self.tr("Nothing due in the next 30 days. Well done: everyone is looked after.")
        self.counts.setText(text)
        self.details.show_nothing_due(text)

    def _load_failed(self, error: BaseException) -> None:
        self._load_error = True
        self.error.show_error(
            self.tr("The care queue could not be loaded: {reason}").format(reason=sentence(error))
        )

    def _counts_text(self, queue: CareQueue) -> str:
        counts = queue.counts()
        parts = [
            self.tr("{count} overdue").format(count=format_count(counts["overdue"])),
            self.tr("{count} today").format(count=format_count(counts["today"])),
            self.tr("{count} in the next 7 days").format(count=format_count(counts["next_7_days"])),
            self.tr("{count} in the next 30 days").format(count=format_count(counts["next_30_days"])),
        ]
        if counts["held"]:
            parts.append(self.tr("{count} held").format(count=format_count(counts["held"])))
        if counts["carried_over"]:
            parts.append(self.tr("{count} carried over").format(count=format_count(counts["carried_over"])))
        return " · ".join(parts)

    # --- the tree ------------------------------------------------------------------------

    def _layout_sections(self) -> None:
        """Sections span the whole row, are open, and the empty held / carried-over ones hide."""
        # Only what differs: each of these calls makes the view lay the queue out again (with a few
        # hundred rows, 0.1 s of the UI thread per queue shown when all of them ran every time).
        root, tree = QModelIndex(), self.tree
        for row, key in enumerate(SECTION_KEYS):
            section = self.model.index(row, 0)
            if not tree.isFirstColumnSpanned(row, root):
                tree.setFirstColumnSpanned(row, root, True)
            hidden = key in HIDDEN_WHEN_EMPTY and self.model.rowCount(section) == 0
            if tree.isRowHidden(row, root) != hidden:
                tree.setRowHidden(row, root, hidden)
            if not tree.isExpanded(section):
                tree.expand(section)

    def _rows_inserted(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if parent.isValid() and not self.tree.isExpanded(parent):
            self.tree.expand(parent)

    def want_more_in_view(self) -> None:
        """Fetch the next page of each open section whose last row the user can see (scrolled or
        moved to it): the only way the queue grows beyond its first page per section."""
        viewport = self.tree.viewport().rect()
        for row in range(len(SECTION_KEYS)):
            section = self.model.index(row, 0)
            count = self.model.rowCount(section)
            if not count or not self.model.has_more(row) or not self.tree.isExpanded(section):
                continue
            last = self.tree.visualRect(self.model.index(count - 1, 0, section))
            if last.isValid() and last.intersects(viewport):
                self.model.want_more(row)

    def _select(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.tree.selectionModel().setCurrentIndex(index, flags)
        self.tree.scrollTo(index)

    def _select_first(self) -> None:
        for key in SECTION_KEYS:
            section = self.model.section_index(key)
            if self.model.rowCount(section):
                self._select(self.model.index(0, 0, section))
                return

    def _select_near(self, key: str, row: int) -> None:
        """After an action: the touch now in the acted one's place, else the one before, else the first."""
        section = self.model.section_index(key)
        count = self.model.rowCount(section)
        if count:
            self._select(self.model.index(min(row, count - 1), 0, section))
        else:
            self._select_first()

    def select_touch(self, touch_id: int) -> bool:
        found = self.model.find(touch_id)
        self._select(found)
        return found.isValid()

    def current_entry(self) -> QueueEntry | None:
        return self.model.entry(self.tree.currentIndex())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        parent = current.parent()
        if parent.isValid() and current.row() == self.model.rowCount(parent) - 1:
            self.model.want_more(parent.row())  # moved to a section's last row: its next page
        self._update_actions()
        self.details.show_entry(self.model.entry(current), self.model.today)
        self._load_history()

    def _load_history(self) -> None:
        entry = self.current_entry()
        if entry is None or self._services is None:
            return
        services, customer_id = self._services, entry.customer_id
        self._runner.submit(
            lambda: services.care_queue.history(customer_id),
            lambda views: self.details.show_history(customer_id, views),
            lambda error: self.details.show_history(customer_id, []),
            key="care-history",
            owner=self,
        )

    def _activated(self, index: QModelIndex) -> None:
        if self.model.entry(index) is None:
            return
        if self.message_action.isEnabled():
            self.write_message()
        else:
            self.open_customer()

    def _update_actions(self) -> None:
        entry = self.current_entry()
        ready = self._services is not None
        has = ready and entry is not None
        can_do = has and entry is not None and entry.status != "held"
        pairs = (
            (self.message_action, self.message_button, can_do and entry is not None and bool(entry.channels)),
            (self.done_action, self.done_button, can_do),
            (self.snooze_action, self.snooze_button, has),
            (self.skip_action, self.skip_button, has and entry is not None and not entry.is_service),
            (self.open_action, self.open_button, has),
        )
        for action, button, enabled in pairs:
            action.setEnabled(bool(enabled))
            button.setEnabled(bool(enabled))
        self.reload_action.setEnabled(ready)
        self.refresh_button.setEnabled(ready)
        self.consent_action.setEnabled(has and entry is not None and waits_for_consent(entry))

    # --- actions -------------------------------------------------------------------------

    def record_consent(self) -> None:
        """Ctrl+R on a touch held for consent: record that the customer agreed; it goes ahead at once."""
        entry, services = self.current_entry(), self._services
        if entry is None or services is None or not waits_for_consent(entry):
            return
        from careapp.ui.customers.public import open_record_consent, recorded_text

        today = self.today()
        self.consent_dialog = open_record_consent(
            self,
            services.customers,
            self._runner,
            self._actor().name,
            [entry.customer_id],
            entry.customer_name,
            today,
            entry.reachable,
            lambda count: self.acted.emit(recorded_text(count)),
        )
        self.consent_dialog.finished.connect(lambda _code: setattr(self, "consent_dialog", None))

    def _position(self, entry: QueueEntry) -> tuple[str, int] | None:
        found = self.model.find(entry.touch_id)
        key = self.model.section_of(entry.touch_id)
        return (key, found.row()) if key is not None else None

    def _run(self, entry: QueueEntry, call: Callable[[Services, Actor], object], done_text: str) -> None:
        """Run an action on ``entry`` as the current actor; say so, then load the queue again."""
        if self._services is None:
            return
        services, actor = self._services, self._actor()
        position = self._position(entry)
        self.error.show_error(None)

        def finished(_result: object) -> None:
            self._finished(done_text, position)

        self._runner.submit(lambda: call(services, actor), finished, self._refused, owner=self)

    def _finished(self, text: str, position: tuple[str, int] | None) -> None:
        self.status.setText(text)
        self.acted.emit(text)
        self._after_action = position
        self.reload()

    def _refused(self, error: BaseException) -> None:
        self.error.show_error(sentence(error))
        self.reload()

    def _what(self, entry: QueueEntry) -> str:
        return self.tr("{kind} for {name}").format(
            kind=kind_title(entry.kind).lower(), name=entry.customer_name
        )

    def mark_done(self) -> None:
        entry = self.current_entry()
        if entry is None or not self.done_action.isEnabled():
            return
        touch_id = entry.touch_id
        self._run(
            entry,
            lambda services, actor: services.care_queue.done(actor, touch_id),
            self.tr("Done: {what}, logged as a contact.").format(what=self._what(entry)),
        )

    def snooze_to(self, day: dt.date) -> None:
        entry = self.current_entry()
        if entry is None or not self.snooze_action.isEnabled():
            return
        touch_id = entry.touch_id
        self._run(
            entry,
            lambda services, actor: services.care_queue.snooze(actor, touch_id, day),
            self.tr("Snoozed: {what}, until {day}.").format(what=self._what(entry), day=weekday_date(day)),
        )

    def _fill_snooze_menu(self) -> None:
        self.snooze_menu.clear()
        today = self.model.today
        if today is None:
            return
        for choice in snooze_choices(today):
            action = self.snooze_menu.addAction(snooze_label(choice.label, choice.until))
            action.setData(choice.until.isoformat())
            action.triggered.connect(lambda _checked=False, day=choice.until: self.snooze_to(day))
        self.snooze_menu.addSeparator()
        self.snooze_menu.addAction(self.tr("Pick a &day…"), self.pick_snooze_day)

    def pick_snooze_day(self) -> SnoozeDialog | None:
        entry = self.current_entry()
        if entry is None or self.model.today is None:
            return None
        dialog = SnoozeDialog(entry.customer_name, self.model.today, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.snooze_to)
        dialog.finished.connect(lambda _code: setattr(self, "snooze_dialog", None))
        self.snooze_dialog = dialog
        dialog.open()
        return dialog

    def skip(self) -> SkipDialog | None:
        entry = self.current_entry()
        if entry is None or not self.skip_action.isEnabled() or self.model.today is None:
            return None
        dialog = SkipDialog(entry_summary(entry, self.model.today), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        touch_id = entry.touch_id

        def chosen(reason: str) -> None:
            self._run(
                entry,
                lambda services, actor: services.care_queue.skip(actor, touch_id, reason),
                self.tr("Skipped: {what} ({reason}).").format(what=self._what(entry), reason=reason),
            )

        dialog.chosen.connect(chosen)
        dialog.finished.connect(lambda _code: setattr(self, "skip_dialog", None))
        self.skip_dialog = dialog
        dialog.open()
        return dialog

    def write_message(self) -> MessageDialog | None:
        entry = self.current_entry()
        if entry is None or self._services is None or not self.message_action.isEnabled():
            return None
        # Imported when first written, not before the window's first paint (the message templates).
        from careapp.ui.care.message_dialog import MessageDialog, open_url

        opener = self._url_opener or open_url
        dialog = MessageDialog(self._services, self._runner, self._actor(), entry, opener, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        position = self._position(entry)
        what = self._what(entry)
        dialog.sent.connect(lambda _view: self._finished(self._done_text(dialog, what), position))
        dialog.keptInOutbox.connect(self.mailKept)
        dialog.finished.connect(lambda _code: setattr(self, "message_dialog", None))
        self.message_dialog = dialog
        dialog.open()
        return dialog

    def _done_text(self, dialog: MessageDialog, what: str) -> str:
        """Only an email the mail server accepted from careapp is called sent."""
        from careapp.domain.message_routes import Route

        if dialog.route is Route.SENT:
            return self.tr("Email sent: {what}; the message is kept with the touch.").format(what=what)
        if dialog.route is Route.COPIED:
            return self.tr("Copied: {what}; paste it where you send it. The touch is marked done.").format(
                what=what
            )
        program = {Channel.SMS: self.tr("messaging app"), Channel.PHONE: self.tr("dialler")}.get(
            dialog.current_channel(), self.tr("mail program")
        )
        return self.tr(
            "Opened in your {program}: {what}; send it from there. The touch is marked done."
        ).format(program=program, what=what)

    def open_customer(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.openCustomerRequested.emit(entry.customer_id)

    def tab_order(self) -> list[QWidget]:
        """The page's controls in the order Tab visits them: the queue, then the touch's buttons."""
        return [
            self.tree,
            self.message_button,
            self.done_button,
            self.snooze_button,
            self.skip_button,
            self.open_button,
            self.refresh_button,
        ]

    def focus_queue(self) -> None:
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
