"""Loading the user's language: careapp's own ``careapp_<lang>.qm`` and Qt's ``qtbase_<lang>.qm``.

The English text in the code is the source language, so English needs no file. Translations
live in ``resources/translations``; ``scripts/update_translations.sh`` explains how to add one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from careapp.resources import resources_dir

log = logging.getLogger(__name__)


def translations_dir() -> Path | None:
    try:
        return resources_dir() / "translations"
    except FileNotFoundError:
        return None


def _load(app: QCoreApplication, locale: QLocale, name: str, folder: str) -> QTranslator | None:
    translator = QTranslator(app)
    # Tries the locale's UI languages in turn: careapp_de_AT.qm, careapp_de.qm, …
    if not translator.load(locale, name, "_", folder):
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    log.info("loaded translation %s", translator.filePath())
    return translator


def install_translations(
    app: QCoreApplication, locale: QLocale | None = None, folder: Path | None = None
) -> list[QTranslator]:
    """Install the translators for ``locale`` (the system's by default); returns those found."""
    locale = locale or QLocale()
    own_folder = folder or translations_dir()
    found = [_load(app, locale, "qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    if own_folder is not None:
        found.append(_load(app, locale, "careapp", str(own_folder)))
    return [translator for translator in found if translator is not None]


def remove_translations(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
