"""What careapp says about the "1 March" rule for 29 February birthdays: which calendar apps its
events were checked with (the names come from careapp.domain.recurrence; careapp.domain.calendar's
docstring says how)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from careapp.domain.recurrence import MAR1_CHECKED_CLIENTS, MAR1_UNCHECKED_CLIENTS

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


def _listed(names: tuple[str, ...], last_word: str) -> str:
    """ "Google Calendar, Apple Calendar or Nextcloud"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last_word} {names[-1]}"


def mar1_checked_sentence() -> str:
    """ "Calendar events for the “1 March” rule were checked with Outlook (by its import
    specification) and Radicale; not yet with Google Calendar, …" (one sentence, two halves)."""
    shown = tuple(
        translate("Feb29Note", "Outlook (by its import specification)") if name == "Outlook" else name
        for name in MAR1_CHECKED_CLIENTS
    )
    return translate(
        "Feb29Note",
        "Calendar events for the “1 March” rule were checked with {checked}; not yet with {unchecked}.",
    ).format(
        checked=_listed(shown, translate("Feb29Note", "and")),
        unchecked=_listed(MAR1_UNCHECKED_CLIENTS, translate("Feb29Note", "or")),
    )
