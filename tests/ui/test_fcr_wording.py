"""The FCR report's words made at the UI edge (careapp/ui/reports/wording.py) so they can be
translated: in English they are the domain's words, word for word, and a loaded translation replaces
them on screen (issue 17)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from careapp.domain import fcr
from careapp.domain.fcr import DEFINITIONS, FcrRow, FcrSettings, Rate, headline, period_label
from careapp.ui.reports import wording


def test_the_english_definitions_are_the_domain_docstring_word_for_word() -> None:
    # The UI's source strings, with {r} and {n} read back as "R days" and "N days", are exactly the
    # definitions the domain reads from its docstring (which another test checks against the
    # docstring itself): a definition changed in one place and not the other fails here.
    sources = wording.definition_sources(translated=False)
    back = [
        (name, text.replace("R = {r} days", "R days").replace("N = {n} days", "N days"))
        for name, text in sources
    ]
    assert back == list(DEFINITIONS)
    doc = " ".join((fcr.__doc__ or "").split())
    for name, meaning in back:
        assert f"{name}: {meaning}" in doc
    # With no translation loaded, the screen shows the domain's words with the shop's R and N.
    shown = dict(wording.definitions(FcrSettings(7, 14)))
    assert shown["Strict"].startswith(
        "gross, not reopened within R = 7 days and no repeat within N = 14 days"
    )


def _row(eligible: int, solved: int, provisional: int) -> FcrRow:
    rate = Rate(solved, eligible)
    none = Rate(0, 0)
    return FcrRow(
        "total", eligible, 0, {}, eligible, 0, provisional, eligible - provisional,
        rate, rate, rate, none, none, none, None, None, (),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("eligible", "solved", "provisional"), [(0, 0, 0), (1, 1, 0), (1, 0, 1), (90, 84, 28), (5, 4, 1)]
)
def test_the_english_headline_is_the_domains_sentence(eligible: int, solved: int, provisional: int) -> None:
    row, settings = _row(eligible, solved, provisional), FcrSettings(7, 5)
    today = dt.date(2026, 12, 10)
    for first, last in (
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),  # "November"
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),  # "November 2025"
    ):
        label = period_label(first, last, today)
        assert wording.period_text(first, last, today) == label
        assert wording.headline(row, settings, label) == headline(row, settings, label)
    # A period that is not one month: the dates as the user's locale writes them.
    assert wording.period_text(dt.date(2025, 11, 1), dt.date(2026, 1, 15), today) == (
        "1 November 2025 to 15 January 2026"
    )


@pytest.fixture
def german(tmp_path: Path) -> Iterator[None]:
    """A translation of two of the strings, compiled with the real lrelease and loaded."""
    import shutil
    import subprocess
    import sys

    ts = tmp_path / "careapp_de.ts"
    source = dict(wording.definition_sources(translated=False))["Reopen"]
    ts.write_text(
        f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS><TS version="2.1" language="de">
<context><name>FcrDefinitions</name>
<message><source>Reopen</source><translation>Wiedereröffnet</translation></message>
<message><source>{source}</source>
<translation>innerhalb von R = {{r}} Tagen wieder geöffnet.</translation></message>
</context>
<context><name>FcrReport</name>
<message><source>{{label}}: no problem was solved in this period yet.</source>
<translation>{{label}}: in diesem Zeitraum wurde noch kein Problem gelöst.</translation></message>
</context></TS>
""",
        encoding="utf-8",
    )
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    subprocess.run(
        [lrelease, str(ts), "-qm", str(tmp_path / "careapp_de.qm")], check=True, capture_output=True
    )
    translator = QTranslator()
    assert translator.load(str(tmp_path / "careapp_de.qm"))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_a_translation_replaces_the_words_on_screen(qapp: object, german: None) -> None:
    shown = dict(wording.definitions(FcrSettings(3, 7)))
    assert shown["Wiedereröffnet"] == "innerhalb von R = 3 Tagen wieder geöffnet."
    # The table and the drill-down still find each meaning under the domain's name.
    assert (
        wording.meanings_by_key(FcrSettings(3, 7))["Reopen"] == "innerhalb von R = 3 Tagen wieder geöffnet."
    )
    assert wording.headline(_row(0, 0, 0), FcrSettings(), "November") == (
        "November: in diesem Zeitraum wurde noch kein Problem gelöst."
    )
