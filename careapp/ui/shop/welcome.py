"""The first-run welcome: a few words about the shop, then import, demo data or an empty start."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.fit import FittingScrollArea, align_label_columns
from careapp.ui.keyboard import follow_layout
from careapp.ui.runner import Runner
from careapp.ui.shop.form import ShopSettingsForm
from careapp.ui.shop.owner_setup import OwnerSetup, StaffSetup
from careapp.ui.theme import app_icon
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.shop.settings import ShopSettings

ICON_SIZE = 48
# Wide enough that the welcome's sentences wrap to two lines, not four.
WELCOME_WIDTH = 780


class StartChoice(Enum):
    IMPORT = "import"  # open the import dialog next
    DEMO = "demo"  # demo customers were loaded
    EMPTY = "empty"  # start with no customers (also: the welcome was closed)


class WelcomeDialog(QDialog):
    """Shown once, on the first run. Saves the settings (welcome_done) through the runner, then,
    for demo data, runs ``load_demo`` there too; ``finishedWith`` says what the user chose."""

    finishedWith = Signal(object, object)  # StartChoice, the saved ShopSettings
    connectRequested = Signal()  # "a shared server": the window opens the connection dialog
    statusChanged = Signal(str)  # what it is busy with; "" when it is not
    ownerSaved = Signal(str)  # the owner chosen here, once the staff list is saved: who is at the computer

    def __init__(
        self,
        shop: ShopSettings,
        runner: Runner,
        save: Callable[[ShopSettings], object],
        load_demo: Callable[[], Any],
        parent: QWidget | None = None,
        make_staff: Callable[[StaffSetup], object] | None = None,
    ) -> None:
        """``make_staff`` (database thread) makes the staff list from the names typed, with the owner
        chosen here and the PIN, if one was typed."""
        super().__init__(parent)
        self._shop, self._runner, self._save, self._load_demo = shop, runner, save, load_demo
        self._make_staff = make_staff
        self._busy = False
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(self.tr("Welcome to careapp"))
        self.form = ShopSettingsForm()
        self.form.load(shop)
        self.owners = OwnerSetup()
        self.owners.setVisible(make_staff is not None)
        self._follow_staff_names()
        self.import_button = self._choice(
            self.tr("&Import customers…"),
            self.tr("From a spreadsheet (CSV), Google or Outlook contacts, Shopify or vCard files."),
            StartChoice.IMPORT,
        )
        self.demo_button = self._choice(
            self.tr("Load &demo data"),
            self.tr("200 made-up customers to try careapp with."),
            StartChoice.DEMO,
        )
        self.empty_button = self._choice(
            self.tr("Start &empty"), self.tr("Add customers as they come in."), StartChoice.EMPTY
        )
        self.connect_button = QPushButton(self.tr("S&hared database server…"))
        self.connect_button.setAccessibleName(self.tr("Shared database server"))
        self.connect_button.setToolTip(
            self.tr("Work on the database the shop's other computers share, instead of one on this computer")
        )
        self.connect_button.setAutoDefault(False)
        self.connect_button.clicked.connect(self.connectRequested)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no steps to count: a moving "busy" bar
        self.busy_bar.setAccessibleName(self.tr("Working"))
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Status"))
        self.error = ErrorLabel(self.tr("Problem"))
        self._build()
        self._set_busy(False, "")
        follow_layout(self)
        self.form.shop_name.setFocus()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), WELCOME_WIDTH), hint.height())

    def _follow_staff_names(self) -> None:
        staff = self.form.staff
        model = staff.list.model()
        model.rowsInserted.connect(self._staff_names_changed)
        model.rowsRemoved.connect(self._staff_names_changed)
        staff.name.textChanged.connect(self._staff_names_changed)
        self._staff_names_changed()

    def _staff_names_changed(self, *_args: object) -> None:
        staff = self.form.staff
        if shiboken6.isValid(staff.list):  # not while the dialog is being taken apart
            self.owners.set_names(staff.names())

    def _choice(self, title: str, description: str, choice: StartChoice) -> QCommandLinkButton:
        button = QCommandLinkButton(title, description)
        button.setAccessibleName(title.replace("&", ""))
        button.setAccessibleDescription(description)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self.choose(choice))
        return button

    def _build(self) -> None:
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(ICON_SIZE, ICON_SIZE))
        icon.setAccessibleName(self.tr("careapp icon"))
        title = QLabel(self.tr("Welcome to careapp"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            self.tr(
                "Tell careapp a little about your shop, then choose how to start. "
                "You can change all of this later under File → Shop settings."
            )
        )
        intro.setWordWrap(True)
        heading_text = QVBoxLayout()
        heading_text.addWidget(title)
        heading_text.addWidget(intro)
        heading = QHBoxLayout()
        heading.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addSpacing(8)
        heading.addLayout(heading_text, 1)
        start = QLabel(self.tr("How would you like to start?"))
        start.setStyleSheet("font-weight: bold;")
        choices = QHBoxLayout()
        for button in (self.import_button, self.demo_button, self.empty_button):
            choices.addWidget(button, 1)
        shared = QHBoxLayout()
        shared_text = QLabel(self.tr("Do other computers in the shop already use careapp?"))
        shared_text.setWordWrap(True)
        shared.addWidget(shared_text, 1)
        shared.addWidget(self.connect_button)
        busy = QHBoxLayout()
        busy.addWidget(self.status, 1)
        busy.addWidget(self.busy_bar, 1)
        self.form.grid.setContentsMargins(0, 0, 0, 0)
        align_label_columns(self.form.grid, self.owners.grid)
        about_the_shop = QWidget()
        about_layout = QVBoxLayout(about_the_shop)
        about_layout.setContentsMargins(0, 0, 0, 0)
        about_layout.addWidget(self.form)
        about_layout.addWidget(self.owners)
        about_layout.addStretch(1)
        # On a 1024×600 screen the shop's settings scroll; the ways to start stay in view.
        self.about_scroll = FittingScrollArea(about_the_shop)
        self.about_scroll.setAccessibleName(self.tr("About the shop"))
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addSpacing(6)
        layout.addWidget(self.about_scroll, 1)
        layout.addSpacing(6)
        layout.addWidget(start)
        layout.addLayout(choices)
        layout.addLayout(shared)
        layout.addLayout(busy)
        layout.addWidget(self.error)

    # --- choosing ------------------------------------------------------------------------

    def choose(self, choice: StartChoice) -> None:
        """Save the settings (welcome done), then do what was chosen."""
        if self._busy:
            return
        problem = self.owners.problem() if self._make_staff is not None else None
        if problem:
            self.error.show_error(problem)
            self.owners.pin.setFocus()
            return
        settings = dataclasses.replace(self.form.values(self._shop), welcome_done=True)
        setup = self.owners.setup() if self._make_staff is not None else None
        self.error.show_error(None)
        self._set_busy(True, self.tr("Saving the shop's settings…"))
        save, make_staff = self._save, self._make_staff

        def save_all() -> None:
            save(settings)
            if make_staff is not None and setup is not None:
                make_staff(setup)

        self._runner.submit(
            save_all, lambda _none: self._saved(choice, settings, setup), self._failed, owner=self
        )

    def _saved(self, choice: StartChoice, settings: ShopSettings, setup: StaffSetup | None = None) -> None:
        self._shop = settings
        if setup is not None and setup.owner:
            self.ownerSaved.emit(setup.owner)
        if choice is not StartChoice.DEMO:
            self._finish(choice)
            return
        self._set_busy(True, self.tr("Loading demo customers…"))
        self._runner.submit(self._load_demo, lambda _result: self._finish(choice), self._failed, owner=self)

    def _finish(self, choice: StartChoice) -> None:
        self._set_busy(False, "")
        # Closed first, so that what comes next (the import dialog) is not opened beneath it.
        self.done(QDialog.DialogCode.Accepted)
        self.finishedWith.emit(choice, self._shop)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False, "")
        self.error.show_error(
            self.tr("That did not work: {error} What you typed is still here; try again.").format(error=error)
        )

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        if text != self.status.text():
            self.status.setText(text)
            self.statusChanged.emit(text)
        self.status.setVisible(busy)
        self.busy_bar.setVisible(busy)
        for widget in (
            self.form,
            self.owners,
            self.import_button,
            self.demo_button,
            self.empty_button,
            self.connect_button,
        ):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        """Closing the welcome is starting empty: it is not shown again. If saving has just
        failed, closing leaves without saving (the welcome then comes back next time)."""
        if self._busy:
            return
        if self.error.isVisibleTo(self):
            super().reject()
            return
        self.choose(StartChoice.EMPTY)
