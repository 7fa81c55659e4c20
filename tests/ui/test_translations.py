"""Translations: a language's .qm is loaded at start and the window speaks it; the English
source file in resources/translations is kept up to date with the code."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from careapp.ui.translations import install_translations, remove_translations
from tests.ui.conftest import ScriptedPrompts, make_window

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.runner import SyncRunner

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ESPERANTO = QLocale(QLocale.Language.Esperanto)

# A made-up translation: three strings of the main window, in Esperanto.
FAKE_TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="eo">
<context><name>MainWindow</name>
  <message><source>&amp;File</source><translation>&amp;Dosiero</translation></message>
  <message><source>&amp;Help</source><translation>&amp;Helpo</translation></message>
</context>
<context><name>formatting</name>
  <message><source>{count} customers</source><translation>{count} klientoj</translation></message>
</context>
</TS>
"""


def lrelease(ts: Path) -> Path:
    qm = ts.with_suffix(".qm")
    subprocess.run([str(BIN / "pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)
    return qm


@pytest.fixture
def esperanto(tmp_path: Path) -> Iterator[Path]:
    """careapp_eo.qm built from FAKE_TS, installed as the app's translation for Esperanto."""
    folder = tmp_path / "translations"
    folder.mkdir()
    ts = folder / "careapp_eo.ts"
    ts.write_text(FAKE_TS, encoding="utf-8")
    lrelease(ts)
    app = QCoreApplication.instance()
    assert app is not None
    installed = install_translations(app, ESPERANTO, folder)
    yield folder
    remove_translations(app, installed)


def test_the_main_window_speaks_the_installed_language(
    qtbot: QtBot, esperanto: Path, sync_runner: SyncRunner, demo_services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, sync_runner, tmp_path, ScriptedPrompts())
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&Dosiero", "&Edit", "&Customer", "&Reports", "&Helpo"]
    window.attach_services(demo_services, demo_services.settings.shop())
    qtbot.waitUntil(lambda: window.count_label.text() == "250 klientoj")


def test_without_a_file_for_the_language_the_english_text_stays(
    qtbot: QtBot, tmp_path: Path, sync_runner: SyncRunner
) -> None:
    app = QCoreApplication.instance()
    assert app is not None
    installed = install_translations(app, QLocale(QLocale.Language.Welsh), tmp_path)
    try:
        assert [t for t in installed if Path(t.filePath()).name.startswith("careapp")] == []
        window = make_window(qtbot, sync_runner, tmp_path, ScriptedPrompts())
        assert window.menuBar().actions()[0].text() == "&File"
    finally:
        remove_translations(app, installed)


def source_strings(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {
        (context.findtext("name") or "", message.findtext("source") or "")
        for context in root.iter("context")
        for message in context.iter("message")
    }


def test_the_english_source_file_lists_every_string_in_the_code(tmp_path: Path) -> None:
    committed = REPO / "resources" / "translations" / "careapp_en.ts"
    fresh = tmp_path / "careapp_en.ts"
    sources = [
        *sorted(str(p) for p in (REPO / "careapp" / "ui").rglob("*.py")),
        str(REPO / "careapp" / "app.py"),
    ]
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    assert source_strings(committed) == source_strings(fresh), "run scripts/update_translations.sh"
    assert ("MainWindow", "&File") in source_strings(committed)
