"""Light and dark: following the system palette, forcing a scheme, and colours that suit both.

Qt 6 follows the desktop's light or dark palette by itself. Nothing in careapp hard-codes a
background or text colour; the few colours of its own (error red, the message bar, the marks on
the timeline) come from here in a light and a dark variant, chosen from the palette in use.
"""

from __future__ import annotations

import os
from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from careapp.resources import icon_path

SCHEME_ENV = "CAREAPP_COLOR_SCHEME"
SCHEMES = ("light", "dark")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette (the application's by default) has light text on a dark window."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def error_colour(palette: QPalette | None = None) -> str:
    """Red that reads well on the window background."""
    return "#ff8a80" if is_dark(palette) else "#c62828"


def invalid_style() -> str:
    """Style sheet for dialogs that mark fields: a field with the "invalid" property gets a red border."""
    return f'*[invalid="true"] {{ border: 2px solid {error_colour()}; border-radius: 3px; }}'


def message_background(error: bool, palette: QPalette | None = None) -> str:
    """A soft tint for the message bar: reddish for errors, bluish otherwise."""
    if is_dark(palette):
        return "#4a2323" if error else "#1f3550"
    return "#fdecea" if error else "#e8f0fe"


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, for platforms that cannot switch scheme themselves."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#353535",
        QPalette.ColorRole.WindowText: "#eeeeee",
        QPalette.ColorRole.Base: "#1d1d1d",
        QPalette.ColorRole.AlternateBase: "#2a2a2a",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#eeeeee",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Text: "#eeeeee",
        QPalette.ColorRole.Button: "#404040",
        QPalette.ColorRole.ButtonText: "#eeeeee",
        QPalette.ColorRole.BrightText: "#ff6e6e",
        QPalette.ColorRole.Light: "#505050",
        QPalette.ColorRole.Midlight: "#404040",
        QPalette.ColorRole.Mid: "#5a5a5a",
        QPalette.ColorRole.Dark: "#1a1a1a",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#3d7fc4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    palette.setColor(disabled, QPalette.ColorRole.Base, QColor("#262626"))
    palette.setColor(disabled, QPalette.ColorRole.Button, QColor("#303030"))
    return palette


# Fusion's own dialog-button icons are drawn for a light background (a black × on a dark
# button), so the dark fallback goes without them. A style sheet rather than a QProxyStyle:
# PySide6 6.12.0 loses a reference to None whenever C++ calls a Python override with a null
# pointer, and QStyle.styleHint is called that way all the time (see qt_workarounds).
NO_BUTTON_ICONS = "QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 0; }"


def apply_color_scheme(app: QApplication, scheme: str) -> None:
    """Force "light" or "dark" (screenshots, or a desktop that does not tell Qt).

    Asks Qt first (``QStyleHints.setColorScheme``); where the platform ignores that (offscreen,
    a bare X server), uses the Fusion style with an explicit palette instead.
    """
    from PySide6.QtCore import Qt  # not at the top: the app's first paint does without it

    if scheme not in SCHEMES:
        raise ValueError(f"colour scheme must be one of {SCHEMES}, not {scheme!r}")
    wanted = Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(wanted)
    if is_dark(app.palette()) == (scheme == "dark"):
        return
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if scheme == "dark" else app.style().standardPalette())
    app.setStyleSheet(NO_BUTTON_ICONS if scheme == "dark" else "")


def apply_scheme_from_environment(app: QApplication, environ: dict[str, str] | None = None) -> None:
    """``CAREAPP_COLOR_SCHEME=dark`` (or ``light``) forces a scheme; unset follows the system."""
    scheme = (environ if environ is not None else os.environ).get(SCHEME_ENV, "").strip().lower()
    if scheme in SCHEMES:
        apply_color_scheme(app, scheme)


@cache
def app_icon() -> QIcon:
    """The careapp icon: the SVG for any size, plus the rendered PNGs for small, crisp sizes."""
    try:
        icon = QIcon(str(icon_path()))
        for size in ICON_SIZES:
            path = icon_path(size)
            if path.is_file():
                icon.addFile(str(path), QSize(size, size))
    except FileNotFoundError:
        return QIcon()  # a broken install: no icon rather than no app
    return icon
