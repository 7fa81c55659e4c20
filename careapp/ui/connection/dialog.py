"""File → Database connection… (and the first-run welcome's "shared server" link): where this seat
keeps its customers, "This computer only" (the SQLite file) or "Shared server" (PostgreSQL).

Testing the connection and saving run on a worker thread through the runner (a server that does not
answer, or a keyring waiting to be unlocked, must not freeze the window). The password goes to the
system keyring only; the seat's connection file never holds it. After saving, careapp restarts on the
chosen database (the window's controller does that when ``saved`` fires).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.config import APP_NAME, DEFAULT_PORT, SeatConfig, SharedServer
from careapp.services.shop.connection import ConnectionTest, save_connection, try_server
from careapp.ui.keyboard import follow_layout
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel


@dataclass(frozen=True)
class ConnectionJobs:
    """What the dialog runs on the worker thread; tests give their own keyring through ``secrets``."""

    seat_file: Path
    secrets: object | None = None  # a SecretStore; None: the system keyring

    def test(self, server: SharedServer, password: str) -> ConnectionTest:
        """With the typed password, else the one kept in the keyring (if there is a keyring at all:
        without one, the server's own answer says whether it wants a password)."""
        from careapp.services.shop.connection import stored_password
        from careapp.services.shop.secrets import SecretUnavailable

        if not password:
            try:
                password = stored_password(server, self.secrets) or ""  # type: ignore[arg-type]
            except SecretUnavailable:
                password = ""
        return try_server(server, password or None)

    def save(self, config: SeatConfig, password: str) -> SeatConfig:
        save_connection(self.seat_file, config, password, self.secrets)  # type: ignore[arg-type]
        return config


class ConnectionDialog(QDialog):
    """Chooses this seat's database; ``saved(SeatConfig)`` once the choice is written."""

    saved = Signal(object)  # SeatConfig

    def __init__(
        self,
        current: SeatConfig,
        data_dir: Path,
        runner: Runner,
        jobs: ConnectionJobs,
        parent: QWidget | None = None,
        *,
        overridden_by: str = "",
    ) -> None:
        """``overridden_by``: the CAREAPP_DATABASE_URL in force (without password), if any."""
        super().__init__(parent)
        self._runner, self._jobs = runner, jobs
        self._initial = current
        self._busy = False
        self.setObjectName("connectionDialog")
        self.setWindowTitle(self.tr("Database connection"))
        self.local_choice = QRadioButton(self.tr("&This computer only"))
        self.server_choice = QRadioButton(self.tr("Shared &server (PostgreSQL)"))
        for button in (self.local_choice, self.server_choice):
            button.setAccessibleName(button.text().replace("&", ""))
        self.host = self._line(self.tr("Server address"), self.tr("e.g. 192.168.1.20 or shop-server"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName(self.tr("Port"))
        self.port.setMaximumWidth(110)
        self.database = self._line(self.tr("Database name"), APP_NAME)
        self.user = self._line(self.tr("User name"), "")
        self.password = self._line(self.tr("Password"), self.tr("kept in the system keyring"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton(self.tr("Test &connection"))
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName(self.tr("Test result"))
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel(self.tr("Problem"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save and &restart"))
        self.save_button.setAccessibleName(self.tr("Save and restart"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._build(data_dir, overridden_by)
        self._load(current)
        self.local_choice.toggled.connect(self._choice_changed)
        self._choice_changed()
        follow_layout(self)
        self.setMinimumWidth(520)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit()
        line.setAccessibleName(name)
        line.setPlaceholderText(placeholder)
        line.textEdited.connect(lambda _text: self.test_result.clear())
        return line

    def _build(self, data_dir: Path, overridden_by: str) -> None:
        intro = QLabel(self.tr("Where this computer keeps the shop's customers."))
        intro.setWordWrap(True)
        local_note = self._note(
            self.tr("A database file on this computer, in {folder}. Right when one computer is used.").format(
                folder=data_dir
            )
        )
        server_note = self._note(
            self.tr(
                "One PostgreSQL database that the shop's computers share: everyone works on the same "
                "customers at the same time and sees each other's changes within seconds."
            )
        )
        self.server_box = QGroupBox(self.tr("Server"))
        form = QFormLayout(self.server_box)
        for text, field in (
            (self.tr("&Address"), self.host),
            (self.tr("P&ort"), self.port),
            (self.tr("&Database"), self.database),
            (self.tr("&User"), self.user),
            (self.tr("&Password"), self.password),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow(test_row)
        restart = self._note(
            self.tr(
                "After saving, careapp restarts on the chosen database. The password is kept in the "
                "system keyring, never in a file; leave it empty to keep the one already kept."
            ),
            indent=0,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.local_choice)
        layout.addWidget(local_note)
        layout.addWidget(self.server_choice)
        layout.addWidget(server_note)
        layout.addWidget(self.server_box)
        # Below the box, not in its form: a wrapped sentence there would be clipped to one row.
        layout.addWidget(self.test_result)
        if overridden_by:
            warning = self._note(
                self.tr(
                    "CAREAPP_DATABASE_URL is set ({url}), so careapp uses that database whatever is "
                    "chosen here until it is unset."
                ).format(url=overridden_by),
                indent=0,
            )
            layout.addWidget(warning)
        layout.addWidget(restart)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    @staticmethod
    def _note(text: str, indent: int = 22) -> QLabel:
        """``indent``: under its radio button's text."""
        note = QLabel(text)
        note.setWordWrap(True)
        note.setIndent(indent)
        note.setEnabled(False)  # the palette's quieter text
        return note

    def _load(self, current: SeatConfig) -> None:
        server = current.server
        (self.server_choice if server is not None else self.local_choice).setChecked(True)
        if server is not None:
            self.host.setText(server.host)
            self.port.setValue(server.port)
            self.database.setText(server.database)
            self.user.setText(server.user)

    def _choice_changed(self) -> None:
        self.server_box.setEnabled(self.server_choice.isChecked() and not self._busy)
        self.error.show_error(None)

    # --- what was typed ------------------------------------------------------------------

    def server(self) -> SharedServer:
        return SharedServer(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip() or APP_NAME,
            user=self.user.text().strip(),
        )

    def config(self) -> SeatConfig:
        return SeatConfig(self.server() if self.server_choice.isChecked() else None)

    def _missing(self) -> str:
        if self.server_choice.isChecked() and not self.host.text().strip():
            self.host.setFocus()
            return self.tr("Type the server's address (its name or IP address).")
        return ""

    # --- testing and saving --------------------------------------------------------------

    def test_connection(self) -> None:
        problem = self._missing()
        if problem or self._busy:
            self.error.show_error(problem or None)
            return
        self.error.show_error(None)
        self._set_busy(True)
        self.test_result.setText(self.tr("Connecting to {address}…").format(address=self.server().address))
        jobs, server, password = self._jobs, self.server(), self.password.text()
        self._runner.submit(lambda: jobs.test(server, password), self._tested, self._test_failed, owner=self)

    def _tested(self, outcome: ConnectionTest) -> None:
        self._set_busy(False)
        self.test_result.setText(outcome.message if outcome.ok else "")
        self.error.show_error(None if outcome.ok else outcome.message)

    def _test_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.test_result.clear()
        self.error.show_error(str(error))  # the keyring's sentence (no keyring, locked, ...)

    def save(self) -> None:
        problem = self._missing()
        if problem or self._busy:
            self.error.show_error(problem or None)
            return
        self.error.show_error(None)
        jobs, config, password = self._jobs, self.config(), self.password.text()
        if config == self._initial and not password:
            self.accept()  # nothing changed: no need to start again
            return
        self._set_busy(True)
        self._runner.submit(lambda: jobs.save(config, password), self._saved, self._save_failed, owner=self)

    def _saved(self, config: SeatConfig) -> None:
        self._set_busy(False)
        self.password.clear()
        self.accept()
        self.saved.emit(config)

    def _save_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        message = getattr(error, "strerror", None) or str(error)
        self.error.show_error(self.tr("Nothing was changed: {reason}").format(reason=message))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.local_choice, self.server_choice, self.buttons):
            widget.setEnabled(not busy)
        self.server_box.setEnabled(self.server_choice.isChecked() and not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
