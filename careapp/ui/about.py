"""The About dialog: what careapp is, which version, and where it keeps its files."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp import __version__
from careapp.config import AboutInfo
from careapp.redact import hide_password
from careapp.ui.keyboard import follow_layout
from careapp.ui.theme import app_icon

LICENCE = "MIT"
ICON_SIZE = 64
WIDTH = 600


def about_rows(info: AboutInfo | None) -> list[tuple[str, str]]:
    """(label, value) for the details shown and copied; the values are not translated."""
    translate = QCoreApplication.translate
    unknown = translate("AboutDialog", "not known yet")
    return [
        (translate("AboutDialog", "Version"), __version__),
        (translate("AboutDialog", "Data folder"), str(info.data_dir) if info else unknown),
        (translate("AboutDialog", "Database"), hide_password(info.database_url) if info else unknown),
        (translate("AboutDialog", "Log file"), str(info.log_path) if info else unknown),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", f"{platform.python_version()} ({platform.platform(terse=True)})"),
    ]


def details_text(info: AboutInfo | None) -> str:
    """Plain text for a support request: name, version and every detail on its own line."""
    lines = [f"careapp {__version__}"] + [f"{label}: {value}" for label, value in about_rows(info)[1:]]
    return "\n".join(lines) + "\n"


class AboutDialog(QDialog):
    """Name, version, a line on what careapp does, the licence, and the details support asks for."""

    def __init__(self, info: AboutInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About careapp"))
        layout = QVBoxLayout(self)
        layout.addLayout(self._heading())
        layout.addSpacing(16)
        self.details = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in about_rows(info):
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            field.setAccessibleName(label)
            self.values[label] = field
            self.details.addRow(label, field)
        layout.addLayout(self.details)
        layout.addSpacing(10)
        layout.addWidget(self._buttons())
        follow_layout(self)
        # Wrapped text is as tall as the width makes it: size the height for the width chosen.
        height = layout.heightForWidth(WIDTH)
        self.resize(WIDTH, height if height > 0 else self.sizeHint().height())

    def _heading(self) -> QHBoxLayout:
        icon = QLabel()
        icon.setObjectName("aboutIcon")
        icon.setPixmap(app_icon().pixmap(ICON_SIZE, ICON_SIZE))
        icon.setAccessibleName(self.tr("careapp icon"))
        name = QLabel("careapp")
        font = QFont(name.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        name.setFont(font)
        description = QLabel(
            self.tr("Customer care for small shops: remember every customer, and keep in touch.")
        )
        description.setWordWrap(True)
        licence = QLabel(self.tr("Free software under the {licence} licence.").format(licence=LICENCE))
        text = QVBoxLayout()
        for label in (name, description, licence):
            text.addWidget(label)
        text.addStretch(1)
        heading = QHBoxLayout()
        heading.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addSpacing(12)
        heading.addLayout(text, 1)
        return heading

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.setAccessibleName(self.tr("Copy details"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.close_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        return buttons

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(details_text(self.info))
        self.copy_button.setText(self.tr("Copied"))
