"""File → Calendar…: what goes into the owner's calendar, the feed file and CalDAV sync.

Every service call (saving, finding the calendar, testing the connection, syncing) goes through the
runner. The password field's text goes to the keyring only (see :mod:`careapp.ui.calendar.jobs`); the
settings never hold it. When there is no keyring, the dialog shows the keyring's sentence and offers to
keep working with the feed and .ics files, asking for the password when syncing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.calendar import ItemKind
from careapp.services.calendar.addresses import EXAMPLES, GOOGLE_AND_OUTLOOK, address_problem
from careapp.services.calendar.service import CalendarSettings
from careapp.services.calendar.sync import SyncResult
from careapp.ui.calendar.feb29_note import mar1_checked_sentence
from careapp.ui.calendar.jobs import CalendarJobs, Saved
from careapp.ui.keyboard import follow_layout
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel

# Asks for the CalDAV password at sync time when no keyring keeps it; "" when the owner cancels.
AskPassword = Callable[[QWidget], str]


def ask_password(parent: QWidget) -> str:
    translate = QCoreApplication.translate
    text, ok = QInputDialog.getText(
        parent,
        translate("CalendarDialog", "CalDAV password"),
        translate(
            "CalendarDialog",
            "The system keyring cannot keep the password, so careapp asks for it each session:",
        ),
        QLineEdit.EchoMode.Password,
    )
    return text if ok else ""


class CalendarDialog(QDialog):
    """Edits the calendar settings; saves them through the runner and emits ``saved``."""

    saved = Signal(object)  # CalendarSettings
    synced = Signal(str)  # the sync's summary, for the status bar

    def __init__(
        self,
        settings: CalendarSettings,
        last_sync: dict[str, object] | None,
        runner: Runner,
        jobs: CalendarJobs,
        parent: QWidget | None = None,
        *,
        ask: AskPassword = ask_password,
        sync_runner: Runner | None = None,
    ) -> None:
        """``sync_runner`` runs "Sync now" (``runner`` if not given): the thread the background
        updates sync on, so that two syncs never run at once."""
        super().__init__(parent)
        self._settings, self._runner, self._jobs, self._ask = settings, runner, jobs, ask
        self._sync_runner = sync_runner or runner
        self.setObjectName("calendarDialog")
        self.setWindowTitle(self.tr("Calendar"))
        layout = QVBoxLayout(self)
        # Two columns: one above the other, the three boxes need more height than a 1024x600 screen
        # has, and the spin box and checkboxes were squeezed over each other when an error showed.
        # The boxes sit in a scroll area: whatever the screen and the font, fields are never squeezed
        # over each other (at worst the content scrolls).
        content = QWidget()
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 0, 0)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self._what_box(settings))
        left.addWidget(self._feed_box(settings))
        left.addStretch(1)
        right.addWidget(self._caldav_box(settings, last_sync))
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.content_scroll = QScrollArea()
        self.content_scroll.setWidgetResizable(True)
        self.content_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.content_scroll.setWidget(content)
        layout.addWidget(self.content_scroll, 1)
        self.error = ErrorLabel(self.tr("Problem"))
        layout.addWidget(self.error)
        self.keep_without_keyring = QPushButton(self.tr("&Keep working without the keyring"))
        self.keep_without_keyring.setAccessibleName(self.tr("Keep working without the keyring"))
        self.keep_without_keyring.setToolTip(
            self.tr("Use the feed and .ics files; careapp asks for the password when it syncs.")
        )
        self.keep_without_keyring.setVisible(False)
        self.keep_without_keyring.clicked.connect(lambda: self.done(QDialog.DialogCode.Accepted))
        layout.addWidget(self.keep_without_keyring)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        follow_layout(self)
        self._fit_screen(content)

    def _fit_screen(self, content: QWidget) -> None:
        """As big as the content wants (its wrapped text included), never bigger than the screen."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width = min(1000, screen.width() - 40) if screen is not None else 1000
        layout = content.layout()
        wanted = layout.totalHeightForWidth(width - 40) if layout is not None else 0
        height = wanted + self.buttons.sizeHint().height() + 60
        if screen is not None:
            height = min(height, screen.height() - 60)
        self.resize(width, height)

    # --- building ------------------------------------------------------------------------

    def _check(self, text: str, name: str, checked: bool, tip: str = "") -> QCheckBox:
        box = QCheckBox(text)
        box.setAccessibleName(name)
        box.setChecked(checked)
        if tip:
            box.setToolTip(tip)
            box.setAccessibleDescription(tip)
        return box

    def _what_box(self, settings: CalendarSettings) -> QGroupBox:
        box = QGroupBox(self.tr("What goes into the calendar"))
        # The wrapped notes sit in the column, not in a form: a form row spanning both columns
        # after label/field rows gets too little height for its wrapped text and is clipped.
        column = QVBoxLayout(box)
        form = QFormLayout()
        column.addLayout(form)
        kinds = set(settings.kinds)
        self.kind_boxes = {
            ItemKind.BIRTHDAYS: self._check(
                self.tr("&Birthdays"), self.tr("Birthdays"), ItemKind.BIRTHDAYS.value in kinds
            ),
            ItemKind.DATES: self._check(
                self.tr("Other &dates (anniversaries and the like)"),
                self.tr("Other dates"),
                ItemKind.DATES.value in kinds,
            ),
            ItemKind.QUEUE: self._check(
                self.tr("Care &queue"), self.tr("Care queue"), ItemKind.QUEUE.value in kinds
            ),
            ItemKind.CALLBACKS: self._check(
                self.tr("Call&backs"), self.tr("Callbacks"), ItemKind.CALLBACKS.value in kinds
            ),
        }
        for check in self.kind_boxes.values():
            form.addRow(check)
        self.days = QSpinBox()
        self.days.setRange(0, 366)
        self.days.setValue(settings.days)
        self.days.setSuffix(self.tr(" days"))
        self.days.setAccessibleName(self.tr("Days ahead"))
        days_label = QLabel(self.tr("Days &ahead:"))
        days_label.setBuddy(self.days)
        form.addRow(days_label, self.days)
        self.feb29_note = QLabel(
            self.tr("Birthdays on 29 February follow the shop's rule (File › Shop settings…).")
            + " "
            + mar1_checked_sentence()
        )
        self.feb29_note.setWordWrap(True)
        self.feb29_note.setObjectName("feb29Note")
        column.addWidget(self.feb29_note)
        privacy = QLabel(
            self.tr(
                "Calendars are often shared with other people and devices, so customers' contact "
                "details and notes stay out unless you tick them here:"
            )
        )
        privacy.setWordWrap(True)
        column.addWidget(privacy)
        form = QFormLayout()
        column.addLayout(form)
        self.include_phone = self._check(
            self.tr("Include &phone numbers"), self.tr("Include phone numbers"), settings.include_phone
        )
        self.include_email = self._check(
            self.tr("Include e-&mail addresses"), self.tr("Include e-mail addresses"), settings.include_email
        )
        self.include_notes = self._check(
            self.tr("Include &notes"), self.tr("Include notes"), settings.include_notes
        )
        for check in (self.include_phone, self.include_email, self.include_notes):
            form.addRow(check)
        self.alarm_on = self._check(
            self.tr("A&larm before each event (best effort)"),
            self.tr("Alarm before each event"),
            settings.alarm_minutes is not None,
            self.tr("Best effort: many calendar apps drop alarms from imported and subscribed calendars."),
        )
        self.alarm_minutes = QSpinBox()
        self.alarm_minutes.setRange(0, 7 * 24 * 60)
        self.alarm_minutes.setValue(settings.alarm_minutes if settings.alarm_minutes is not None else 30)
        self.alarm_minutes.setSuffix(self.tr(" minutes before"))
        self.alarm_minutes.setAccessibleName(self.tr("Alarm minutes before"))
        self.alarm_minutes.setEnabled(self.alarm_on.isChecked())
        self.alarm_on.toggled.connect(self.alarm_minutes.setEnabled)
        form.addRow(self.alarm_on, self.alarm_minutes)
        alarm_note = QLabel(
            self.tr("Best effort: many calendar apps drop alarms from imported and subscribed calendars.")
        )
        alarm_note.setWordWrap(True)
        column.addWidget(alarm_note)
        return box

    def _feed_box(self, settings: CalendarSettings) -> QGroupBox:
        box = QGroupBox(self.tr("Feed file"))
        form = QFormLayout(box)
        note = QLabel(
            self.tr(
                "careapp keeps this .ics file up to date. Calendar apps on this computer can subscribe "
                "to it (Thunderbird: New Calendar → On the Network → file:///path/to/file.ics); phone "
                "and web calendars cannot reach it, so use CalDAV sync for those."
            )
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.feed_path = QLineEdit(settings.feed_path)
        self.feed_path.setAccessibleName(self.tr("Feed file"))
        self.feed_path.setPlaceholderText(self.tr("No feed file"))
        self.choose_feed = QPushButton(self.tr("C&hoose…"))
        self.choose_feed.setAccessibleName(self.tr("Choose the feed file"))
        self.choose_feed.clicked.connect(self._choose_feed)
        row = QHBoxLayout()
        row.addWidget(self.feed_path, 1)
        row.addWidget(self.choose_feed)
        label = QLabel(self.tr("&File:"))
        label.setBuddy(self.feed_path)
        form.addRow(label, row)
        return box

    def _caldav_box(self, settings: CalendarSettings, last_sync: dict[str, object] | None) -> QGroupBox:
        box = QGroupBox(self.tr("CalDAV sync"))
        form = QFormLayout(box)
        self.url = QLineEdit(settings.caldav_url)
        self.url.setAccessibleName(self.tr("Server address"))
        self.url.setPlaceholderText("https://cloud.example.com/remote.php/dav")
        self.url.editingFinished.connect(self._check_address)
        self.user = QLineEdit(settings.caldav_user)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setPlaceholderText(self.tr("Kept in the system keyring"))
        self.calendar_name = QLineEdit(settings.caldav_calendar)
        self.calendar_name.setAccessibleName(self.tr("Calendar name"))
        for text, field in (
            (self.tr("Ser&ver address:"), self.url),
            (self.tr("&User name:"), self.user),
            (self.tr("Pass&word:"), self.password),
            (self.tr("Calendar na&me:"), self.calendar_name),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.find_button = QPushButton(self.tr("&Find calendar"))
        self.find_button.setAccessibleName(self.tr("Find calendar"))
        self.find_button.clicked.connect(self.find_calendar)
        self.test_button = QPushButton(self.tr("&Test connection"))
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.sync_button = QPushButton(self.tr("S&ync now"))
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.sync_now)
        examples = QGroupBox(self.tr("Addresses look like this"))
        examples.setObjectName("caldavExamples")
        example_rows = QFormLayout(examples)
        for provider, address in EXAMPLES:
            shown = QLabel(address)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            example_rows.addRow(QLabel(provider + ":"), shown)
        bare = QLabel(self.tr("A bare server address (https://cloud.example.com) is looked up too."))
        bare.setWordWrap(True)
        example_rows.addRow(bare)
        form.addRow(examples)
        google = QLabel(self.tr(GOOGLE_AND_OUTLOOK))
        google.setObjectName("googleAndOutlook")
        google.setWordWrap(True)
        form.addRow(google)
        buttons = QHBoxLayout()
        for button in (self.find_button, self.test_button, self.sync_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.sync_result = QLabel(
            f"{last_sync.get('at', '')}: {last_sync.get('summary', '')}"
            if last_sync
            else self.tr("Not synced yet.")
        )
        self.sync_result.setWordWrap(True)
        self.sync_result.setAccessibleName(self.tr("Last sync"))
        form.addRow(self.sync_result)
        return box

    # --- values --------------------------------------------------------------------------

    def values(self) -> CalendarSettings:
        kinds = tuple(kind.value for kind, box in self.kind_boxes.items() if box.isChecked())
        return replace(
            self._settings,
            kinds=kinds,
            days=self.days.value(),
            include_phone=self.include_phone.isChecked(),
            include_email=self.include_email.isChecked(),
            include_notes=self.include_notes.isChecked(),
            alarm_minutes=self.alarm_minutes.value() if self.alarm_on.isChecked() else None,
            feed_path=self.feed_path.text().strip(),
            caldav_url=self.url.text().strip(),
            caldav_user=self.user.text().strip(),
            caldav_calendar=self.calendar_name.text().strip(),
        )

    def _check_address(self) -> None:
        """Says at once what a CalDAV address looks like when the one typed is not one."""
        self.error.show_error(address_problem(self.url.text()))

    def _choose_feed(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Feed file"), self.feed_path.text(), self.tr("iCalendar files (*.ics)")
        )
        if path:
            self.feed_path.setText(path if path.lower().endswith(".ics") else path + ".ics")

    def _busy(self, busy: bool) -> None:
        for button in (self.save_button, self.find_button, self.test_button, self.sync_button):
            button.setEnabled(not busy)

    def _take_password(self) -> str:
        """The typed password, once: the field is emptied as soon as it is handed to a job."""
        password = self.password.text()
        self.password.clear()
        return password

    # --- actions -------------------------------------------------------------------------

    def save(self) -> None:
        settings = self.values()
        if not settings.kinds:
            self.error.show_error(self.tr("Choose at least one kind of calendar item."))
            return
        self._busy(True)
        self.error.show_error(None)
        jobs, password = self._jobs, self._take_password()
        self._runner.submit(lambda: jobs.save(settings, password), self._saved, self._failed, owner=self)

    def _saved(self, saved: Saved) -> None:
        self._busy(False)
        self._settings = saved.settings
        self.saved.emit(saved.settings)
        if saved.keyring_problem is not None:
            self._show_keyring_problem(saved.keyring_problem)
            return
        self.done(QDialog.DialogCode.Accepted)

    def _show_keyring_problem(self, sentence: str) -> None:
        self.error.show_error(
            sentence
            + " "
            + self.tr(
                "The settings are saved. careapp keeps the password for this session only and asks for "
                "it again when it syncs after a restart."
            )
        )
        self.keep_without_keyring.setVisible(True)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.error.show_error(str(error))

    def find_calendar(self) -> None:
        settings, name = self.values(), self.calendar_name.text().strip()
        if not settings.caldav_url or not name:
            self.error.show_error(self.tr("Enter the server address and the calendar's name first."))
            return
        self._busy(True)
        self.error.show_error(None)
        jobs, password = self._jobs, self._take_password()
        self._runner.submit(
            lambda: jobs.find_calendar(settings, name, password), self._found, self._failed, owner=self
        )

    def _found(self, settings: CalendarSettings) -> None:
        self._busy(False)
        self._settings = settings
        self.url.setText(settings.caldav_url)
        self.sync_result.setText(self.tr("Found the calendar at {url}.").format(url=settings.caldav_url))
        self.saved.emit(settings)

    def test_connection(self) -> None:
        settings = self.values()
        self._busy(True)
        self.error.show_error(None)
        jobs, password = self._jobs, self.password.text()
        self._runner.submit(
            lambda: jobs.test_connection(settings, password), self._tested, self._failed, owner=self
        )

    def _tested(self, sentence: str) -> None:
        self._busy(False)
        self.sync_result.setText(sentence)

    def sync_now(self) -> None:
        """Save what is on screen, then sync; asks for the password when no keyring keeps one."""
        settings = self.values()
        if not settings.kinds:
            self.error.show_error(self.tr("Choose at least one kind of calendar item."))
            return
        password = self._take_password()
        no_keyring = self.keep_without_keyring.isVisible() and not self._jobs.session.has_any()
        if settings.caldav_url and not password and no_keyring:
            password = self._ask(self)
        self._busy(True)
        self.error.show_error(None)
        self.sync_result.setText(self.tr("Syncing…"))
        jobs, sync_runner = self._jobs, self._sync_runner

        def run() -> tuple[Saved, SyncResult]:
            saved = jobs.save(settings, password)
            if saved.keyring_problem is None and not password:
                problem = jobs.keyring_problem(settings)
                if problem is not None:
                    saved = Saved(saved.settings, problem)  # the next Sync now asks for the password
            return saved, jobs.sync_now(should_stop=sync_runner.stopping)

        self._sync_runner.submit(run, self._synced, self._failed, owner=self)

    def _synced(self, outcome: tuple[Saved, SyncResult]) -> None:
        saved, result = outcome
        self._busy(False)
        self._settings = saved.settings
        self.saved.emit(saved.settings)
        text = result.summary() if self._settings.caldav_url else self.tr("Calendar feed written.")
        if result.error and not self._settings.caldav_url:
            text = result.error
        self.sync_result.setText(text)
        self.synced.emit(text)
        if saved.keyring_problem is not None:
            self._show_keyring_problem(saved.keyring_problem)
