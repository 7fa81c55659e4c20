"""Words of the FCR report made at the UI edge, so that they can be translated: the owner's sentence,
the definitions, and which windows judged the report's tickets.

The English source strings here are the domain's words: the definitions are those of
:data:`careapp.domain.fcr.DEFINITIONS` (the module docstring) with "R days" and "N days" written as
"R = {r} days" and "N = {n} days" for the shop's windows, and the sentence is
:func:`careapp.domain.fcr.headline`'s; tests/ui/test_fcr_wording.py checks both word for word, so
a change of the docstring fails until it is made here too (and the translations are refreshed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from careapp.ui.formatting import format_date

if TYPE_CHECKING:
    from careapp.domain.fcr import FcrRow, FcrSettings, WindowsUse
    from careapp.services.tickets.reports import FcrReportResult

CONTEXT = "FcrReport"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def moment_text(when: dt.datetime) -> str:
    """ "10 December 2026 00:00": a change of the windows happens at a moment, not on a day."""
    return f"{format_date(when.date())} {when:%H:%M}"


def windows_applied(settings: FcrSettings, uses: Sequence[WindowsUse]) -> str:
    """ "reopen R = 7 days, repeat N = 7 days (R = 14 days, N = 14 days for the 3 tickets decided
    before 3 March 2026 09:00)": the windows in force at the report's as_of, then the earlier ones
    that judged some of its tickets."""
    text = _tr("reopen R = {r} days, repeat N = {n} days").format(
        r=settings.reopen_window_days, n=settings.repeat_window_days
    )
    earlier = [_earlier(use) for use in uses if not use.current]
    return f"{text} ({'; '.join(earlier)})" if earlier else text


def _earlier(use: WindowsUse) -> str:
    assert use.decided_before is not None
    until = moment_text(use.decided_before)
    if use.decided_from is None:
        when = _tr("decided before {until}").format(until=until)
    else:
        when = _tr("decided from {since} to {until}").format(since=moment_text(use.decided_from), until=until)
    if use.tickets == 1:
        text = _tr("R = {r} days, N = {n} days for the ticket {when}")
    else:
        text = _tr("R = {r} days, N = {n} days for the {count} tickets {when}")
    return text.format(r=use.reopen_window_days, n=use.repeat_window_days, count=use.tickets, when=when)


# --- the owner's sentence --------------------------------------------------------------------------


def period_text(first_day: dt.date, last_day: dt.date, today: dt.date | None = None) -> str:
    """ "November" for a whole month of ``today``'s year, "November 2025" for another year's, else
    "1 November 2025 to 15 January 2026" (as :func:`careapp.domain.fcr.period_label`, in the
    user's language)."""
    next_day = last_day + dt.timedelta(days=1)
    whole_month = first_day.day == 1 and next_day.day == 1 and first_day.month == last_day.month
    if whole_month and first_day.year == last_day.year:
        name = QLocale().standaloneMonthName(first_day.month)
        if today is not None and today.year == first_day.year:
            return name
        return _tr("{month} {year}").format(month=name, year=first_day.year)
    return _tr("{first} to {last}").format(first=format_date(first_day), last=format_date(last_day))


def report_headline(result: FcrReportResult) -> str:
    """The owner's sentence for a whole report, in the user's language."""
    report = result.report
    label = period_text(result.first_day, result.last_day, report.as_of.date())
    return headline(report.total, report.settings, label)


def headline(row: FcrRow, settings: FcrSettings, label: str) -> str:
    """The one sentence an owner reads first (see :func:`careapp.domain.fcr.headline`)."""
    if row.eligible == 0:
        return _tr("{label}: no problem was solved in this period yet.").format(label=label)
    values = {
        "label": label,
        "count": row.gross.numerator,
        "total": row.eligible,
        "percent": round(100 * row.gross.numerator / row.eligible),
        "open": row.provisional,
        "days": max(settings.reopen_window_days, settings.repeat_window_days),
    }
    if row.eligible == 1:
        text = _tr(
            "{label}: {count} of {total} problem was solved without the customer having to come back "
            "({percent} %)"
        )
    else:
        text = _tr(
            "{label}: {count} of {total} problems were solved without the customer having to come back "
            "({percent} %)"
        )
    if row.provisional == 1:
        text += _tr("; {open} is still within their {days}-day window")
    elif row.provisional:
        text += _tr("; {open} are still within their {days}-day window")
    return (text + ".").format(**values)


# --- the definitions ---------------------------------------------------------------------------------


def definitions(settings: FcrSettings) -> list[tuple[str, str]]:
    """(name, meaning) of every figure, in the user's language, with the shop's R and N put in."""
    return [
        (name, meaning.format(r=settings.reopen_window_days, n=settings.repeat_window_days))
        for name, meaning in definition_sources(translated=True)
    ]


def meanings_by_key(settings: FcrSettings) -> dict[str, str]:
    """The translated meanings under the domain's (English) names, as the table and drill-down ask."""
    keys = [name for name, _ in _DEFINITIONS]
    return {key: meaning for key, (_name, meaning) in zip(keys, definitions(settings), strict=True)}


def definition_sources(translated: bool) -> list[tuple[str, str]]:
    """The definitions with {r} and {n} still in them: in English (the source strings, which a test
    compares with the domain's) or translated."""
    if not translated:
        return list(_DEFINITIONS)
    return [
        (
            QCoreApplication.translate(_DEFINITIONS_CONTEXT, name),
            QCoreApplication.translate(_DEFINITIONS_CONTEXT, meaning),
        )
        for name, meaning in _DEFINITIONS
    ]


_DEFINITIONS_CONTEXT = "FcrDefinitions"
# Written out as literal QT_TRANSLATE_NOOP calls so that lupdate lists them for the translators.
_DEFINITION_SOURCES: tuple[tuple[object, object], ...] = (
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Tickets"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "tickets first resolved in the period (the cohort), as known at the report time.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Excluded"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "left out of every figure: spam, merged into another ticket, or no action needed.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Shop-initiated"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "the first contact was the shop reaching out (outbound, with no inbound contact before or"
            " at the same time); counted separately and left out of every FCR figure unless the "
            "shop's setting puts them back.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "One-touch"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "at most one outbound contact up to the first resolution; over the eligible tickets.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Gross"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "no inbound contact after the first one, up to the first resolution (a callback from the "
            "shop may solve it); over the eligible tickets.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Net"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "gross FCR over the eligible tickets not marked 'not resolvable at first contact' (a "
            "repair, a visit, parts or a supplier were needed); a marked ticket leaves the count and "
            "the base alike.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Reopen"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "reopened within R = {r} days of the first resolution (the end included, to the second); "
            "over the decided tickets.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Repeat"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "another ticket of the same customer opened within N = {n} days after the first "
            "resolution, in the same category or marked a repeat of it; over the decided tickets. "
            "Tickets opened before the first resolution are duplicates to merge, not repeats.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Still open"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "the reopen or repeat window (the longer of R and N) has not passed yet (provisional), so"
            " strict FCR is not decided yet.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Strict"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "gross, not reopened within R = {r} days and no repeat within N = {n} days; over the "
            "decided tickets (the eligible tickets whose windows have passed). R and N are the "
            "windows in force when the ticket was decided; once decided, a ticket's figures never "
            "change.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "By staff"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "grouped by who took the first contact (or opened the ticket if it has none). FCR belongs"
            " to the shop's way of working, not to one person: the help-desk industry warns against "
            "making it a target for an individual, because people then avoid hard calls, close "
            "tickets early or log repeat contacts as new tickets.",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "Resolution"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "time from opening to the first resolution, median and 90th percentile, over the eligible"
            ' tickets not solved in the first contact (those whose first contact ended with "resolved'
            ' now" took no time worth measuring).',
        ),
    ),
    (
        QT_TRANSLATE_NOOP("FcrDefinitions", "First response"),
        QT_TRANSLATE_NOOP(
            "FcrDefinitions",
            "median time from opening to the first reply (an outbound or live contact), over the "
            "eligible tickets whose first contact came by email or message; a phone call, walk-in or "
            "visit is answered as it happens, so it tells nothing.",
        ),
    ),
)
_DEFINITIONS: tuple[tuple[str, str], ...] = tuple(
    (str(name), str(text)) for name, text in _DEFINITION_SOURCES
)
