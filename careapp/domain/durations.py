"""Durations written the way people say them, shared by the reports and the screens."""

from __future__ import annotations

import datetime as dt


def format_duration(value: dt.timedelta | None, none: str = "-") -> str:
    """45m, 2h 05m, 3d 4h; ``none`` for no value."""
    if value is None:
        return none
    minutes = round(value.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
