"""The words on every screen: the small check of tests/ui/text_check.py over the texts of each
window and dialog (from the same run as the fit test), and the check itself."""

from __future__ import annotations

from tests.ui.test_every_window_fits import run_fit_windows
from tests.ui.text_check import word_problems


def test_the_check_catches_what_the_issue_saw() -> None:
    assert word_problems("Exported 3 customer(s) to x.csv.")
    assert word_problems("so lines 9–9 could not be read")
    assert word_problems("Jo become staff; 1 customers matched")
    assert word_problems("2 customer matched")
    assert word_problems("1 open tickets, 2 callback promised")


def test_the_check_lets_right_words_pass() -> None:
    for text in (
        "Exported 1 customer to x.csv.",
        "3 customers, lines 9–12, 1 open ticket, 2 callbacks promised",
        "1 March 2026 – 23 November 2026",
        "from 09:00–17:00",
        "2026-11-23",
        "Ctrl+1",
    ):
        assert word_problems(text) == [], text


def test_no_screen_has_words_that_do_not_agree() -> None:
    windows = run_fit_windows("1366x768", "light")
    problems = {str(w["name"]): w["words"] for w in windows if w["words"]}
    assert problems == {}
