"""The one place that reads the clock. Stored times are naive UTC."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the user's local wall-clock time."""
    return value.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
