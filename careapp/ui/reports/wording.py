"""Words of the FCR report made at the UI edge, so that they can be translated: which windows judged
the report's tickets (the domain says which, :func:`careapp.domain.fcr.windows_used`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from careapp.ui.formatting import format_date

if TYPE_CHECKING:
    from careapp.domain.fcr import FcrSettings, WindowsUse

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
