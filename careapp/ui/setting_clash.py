"""The sentence shown when a setting was saved on another seat while this one was editing it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from careapp.ui.formatting import short_time

if TYPE_CHECKING:
    from careapp.services.shop.settings import Versioned


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingClash", text)


def stored_copy(error: BaseException) -> Versioned[Any] | None:
    """The stored setting a stale-copy error carries (:class:`StaleSettings`), else None."""
    from careapp.services.shop.settings import StaleSettings

    return error.current if isinstance(error, StaleSettings) else None


def describe_clash(
    headline: str, current: Versioned[Any], rows: Iterable[tuple[str, object, object]], advice: str
) -> str:
    """``headline`` with {who} and {when} filled in, then one line per row whose values differ
    (what, theirs as stored, yours as typed), then ``advice``."""
    who = current.changed_by or _tr("someone")
    when = short_time(current.changed_at) if current.changed_at else _tr("an unknown time")
    lines = [headline.format(who=who, when=when)]
    lines += [
        _tr("{what}: theirs “{theirs}”, yours “{yours}”.").format(what=what, theirs=theirs, yours=yours)
        for what, theirs, yours in rows
        if theirs != yours
    ]
    lines.append(advice)
    return "\n".join(lines)
