"""The care queue as text or JSON, for ``careapp agenda``: the sections the queue screen shows.

Items are kept up to ``days`` days after the day asked for (0: overdue and today only); carried-over
items are always today's. JSON is a list with one object per item, in the queue's order::

    {"touch_id": 7, "customer_id": 12, "customer_name": "Ann Evans", "kind": "birthday",
     "title": "Birthday greeting: turns 40", "due": "2026-11-23", "due_at": null,
     "section": "today", "channel": "email", "status": "queued", "reason": null,
     "snoozed_until": null}

``due`` is the day the item is shown on (a snoozed item: its snooze day); ``due_at`` a callback's
promised time with its offset; ``status`` "queued", "held" or "carried_over"; ``reason`` says why an
item is held or carried over.

:func:`write_agenda` reads only the days asked for, a page of each section at a time, and writes
each page as it comes, so ``careapp agenda --days 1`` never reads the month ahead and a long queue
streams instead of being built whole. The text lists at most :data:`SHOWN_AT_MOST` entries of a
section and counts the rest (``--all`` lists them); JSON has every entry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import textwrap
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from careapp.domain.care_queue import CHANNEL_WORDS, Placement
from careapp.domain.recurrence import long_date
from careapp.services.care.queue import CareQueue, QueueEntry

_SECTION_KEYS = {
    "Overdue": "overdue",
    "Today": "today",
    "Next 7 days": "next_7_days",
    "Next 30 days": "next_30_days",
    "Held": "held",
    "Carried over to tomorrow": "carried_over",
}


def agenda_sections(queue: CareQueue, days: int) -> list[tuple[str, list[QueueEntry]]]:
    """The queue's sections, each cut to the items on or before ``queue.today + days``."""
    last = queue.today + dt.timedelta(days=days)
    return [
        (title, [e for e in entries if e.status is Placement.CARRIED_OVER or e.day <= last])
        for title, entries in queue.sections()
    ]


def _when(entry: QueueEntry) -> str:
    if entry.due_at is not None:
        return entry.due_at.strftime("%Y-%m-%d %H:%M")
    return entry.day.isoformat()


def _line(entry: QueueEntry) -> str:
    channel = CHANNEL_WORDS[entry.channel] if entry.channel else "no channel yet"
    who = f"{entry.customer_name} (#{entry.customer_id})"
    line = f"  {_when(entry):<16}  {who}  {entry.description}  [{channel}]"
    if entry.snoozed_until is not None:
        line += f"  (snoozed until {long_date(entry.snoozed_until)})"
    if entry.reason:
        line += f"\n  {'':<16}  {entry.reason}"
    return line


# A section's entries listed in the text agenda, unless --all: a person reads a day's list, not the
# 66,000 touches carried over in a shop of 100,000 customers (JSON always has every entry).
SHOWN_AT_MOST = 200


def _more(hidden: int) -> str:
    return f"  ... and {hidden:,} more (careapp agenda --all lists every one)"


def agenda_text(queue: CareQueue, days: int, shown_at_most: int | None = SHOWN_AT_MOST) -> str:
    """``shown_at_most``: the entries listed per section, the rest counted (None: all)."""
    last = queue.today + dt.timedelta(days=days)
    lines = [f"Care queue for {long_date(queue.today)}, up to {long_date(last)}"]
    shown = 0
    for title, entries in agenda_sections(queue, days):
        if not entries:
            continue
        shown += len(entries)
        lines += ["", f"{title} ({len(entries)})"]
        lines += [_line(e) for e in entries[:shown_at_most]]
        if shown_at_most is not None and len(entries) > shown_at_most:
            lines.append(_more(len(entries) - shown_at_most))
    if not shown:
        lines += ["", "Nothing is due: the care queue is empty."]
    return "\n".join(lines) + "\n"


def entry_json(entry: QueueEntry, section: str) -> dict[str, Any]:
    return {
        "touch_id": entry.touch_id,
        "customer_id": entry.customer_id,
        "customer_name": entry.customer_name,
        "kind": entry.kind.value,
        "title": entry.description,
        "due": entry.day.isoformat(),
        "due_at": entry.due_at.isoformat() if entry.due_at else None,
        "section": section,
        "channel": entry.channel.value if entry.channel else None,
        "status": entry.status.value,
        "reason": entry.reason or None,
        "snoozed_until": entry.snoozed_until.isoformat() if entry.snoozed_until else None,
    }


def agenda_json(queue: CareQueue, days: int) -> list[dict[str, Any]]:
    return [
        entry_json(entry, _SECTION_KEYS[title])
        for title, entries in agenda_sections(queue, days)
        for entry in entries
    ]


AGENDA_PAGE = 2000  # entries read and written at a time
SectionReader = Callable[[str, int, int], tuple[QueueEntry, ...]]  # (key, offset, limit) -> entries


def _pages(read: SectionReader, key: str, total: int) -> Iterator[tuple[QueueEntry, ...]]:
    for offset in range(0, total, AGENDA_PAGE):
        page = read(key, offset, AGENDA_PAGE)
        if not page:
            return
        yield page


def write_agenda(
    out: TextIO,
    first: CareQueue,
    read: SectionReader,
    days: int,
    as_json: bool,
    shown_at_most: int | None = SHOWN_AT_MOST,
) -> None:
    """Write the agenda: ``first`` is the queue cut to the days asked for, with each section's first
    page and size; ``read`` gives the rest of a section, page by page. The output is the same as
    :func:`agenda_text` (with ``shown_at_most``) or :func:`agenda_json` over the whole queue (tested);
    the text reads no more of a section than it lists."""
    counts = first.counts()
    titles = {key: title for title, key in _SECTION_KEYS.items()}
    held = {_SECTION_KEYS[title]: entries for title, entries in first.sections()}

    def section(key: str) -> Iterator[QueueEntry]:
        yield from held[key]
        if len(held[key]) < counts[key]:
            rest = _pages(lambda k, o, n: read(k, o + len(held[key]), n), key, counts[key] - len(held[key]))
            for page in rest:
                yield from page

    if as_json:
        _write_json(out, [(key, section(key)) for key in held if counts[key]])
        return
    last = first.today + dt.timedelta(days=days)
    out.write(f"Care queue for {long_date(first.today)}, up to {long_date(last)}\n")
    shown = 0
    for key in held:
        if not counts[key]:
            continue
        shown += counts[key]
        out.write(f"\n{titles[key]} ({counts[key]})\n")
        for entry in itertools.islice(section(key), shown_at_most):
            out.write(_line(entry) + "\n")
        if shown_at_most is not None and counts[key] > shown_at_most:
            out.write(_more(counts[key] - shown_at_most) + "\n")
    if not shown:
        out.write("\nNothing is due: the care queue is empty.\n")


def _write_json(out: TextIO, sections: list[tuple[str, Iterator[QueueEntry]]]) -> None:
    """``json.dump(list, indent=2)``'s bytes, written one entry at a time."""
    first = True
    for key, entries in sections:
        for entry in entries:
            out.write("[\n" if first else ",\n")
            first = False
            out.write(textwrap.indent(json.dumps(entry_json(entry, key), indent=2, ensure_ascii=False), "  "))
    out.write("[]\n" if first else "\n]\n")
