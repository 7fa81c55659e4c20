"""Light and dark: careapp's own colours follow the palette, also when it changes while running."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from careapp.ui.customers.timeline_view import kind_colour
from careapp.ui.theme import apply_scheme_from_environment, dark_palette, error_colour, is_dark
from careapp.ui.widgets import ErrorLabel, MessageBar

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The shared application, with its style, palette and style sheet put back afterwards."""
    instance = qapp
    style, palette, sheet = instance.style().name(), instance.palette(), instance.styleSheet()
    yield instance
    instance.setStyleSheet(sheet)
    instance.setStyle(style)
    instance.setPalette(palette)


def test_the_default_palette_here_is_light_and_the_fallback_is_dark(app: QApplication) -> None:
    assert not is_dark(app.palette())
    assert is_dark(dark_palette())


def test_message_bar_and_error_text_follow_a_palette_change(qtbot: QtBot, app: QApplication) -> None:
    bar = MessageBar()
    label = ErrorLabel("Problem")
    for widget in (bar, label):
        qtbot.addWidget(widget)
    bar.show_message("Saved Ann Evans.")
    light_bar, light_label = bar.styleSheet(), label.styleSheet()
    assert "#e8f0fe" in light_bar and error_colour(app.palette()) in light_label
    app.setPalette(dark_palette())
    qtbot.waitUntil(lambda: bar.styleSheet() != light_bar and label.styleSheet() != light_label)
    assert "#1f3550" in bar.styleSheet()
    assert error_colour(dark_palette()) in label.styleSheet()


def test_timeline_marks_are_lighter_on_a_dark_palette() -> None:
    light = kind_colour("contact", QPalette())
    dark = kind_colour("contact", dark_palette())
    assert dark.lightness() > light.lightness()
    assert kind_colour("no such kind", dark_palette()) == kind_colour("created", dark_palette())


def test_the_environment_can_force_the_dark_scheme(app: QApplication) -> None:
    apply_scheme_from_environment(app, {"CAREAPP_COLOR_SCHEME": "dark"})
    assert is_dark(app.palette())
    apply_scheme_from_environment(app, {"CAREAPP_COLOR_SCHEME": "light"})
    assert not is_dark(app.palette())
    apply_scheme_from_environment(app, {"CAREAPP_COLOR_SCHEME": "purple"})
    assert not is_dark(app.palette())
