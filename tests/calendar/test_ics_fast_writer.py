"""The fast .ics writer gives exactly the bytes the domain's icalendar build gives, on varied items."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from careapp.domain.calendar import (
    CalendarEntry,
    CalendarItem,
    ItemKind,
    build_feed,
    build_object,
    fingerprint,
)
from careapp.domain.customer import PartialDate
from careapp.domain.recurrence import Feb29Rule
from careapp.exporting.ics_export import feed_bytes, fold, object_bytes, object_fingerprint

NOW = dt.datetime(2026, 11, 23, 9, 30, 5, 123456, tzinfo=dt.UTC)
WORDS = [
    "Ann",
    "Zoë",
    "Ménard",
    "O'Brien",
    "a,b",
    "semi;colon",
    "back\\slash",
    "\\N",
    "tab\there",
    "日本語",
    "🎂",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _entry(rng: random.Random, n: int) -> CalendarEntry:
    title = _text(rng, rng.randint(1, 30))
    description = rng.choice(["", _text(rng, 5), "line one\nline two\r\nthree\rfour", _text(rng, 40)])
    alarm = rng.choice([None, 0, 15, 90, 1440, 2880])
    shape = n % 3
    if shape == 0:
        month, day = rng.choice([(2, 29), (1, 1), (12, 31), (5, 4)])
        year = rng.choice([None, 1984, 1996, 2000] + ([] if (month, day) == (2, 29) else [1950]))
        return CalendarEntry(
            f"birthday:{n}",
            ItemKind.BIRTHDAYS,
            title,
            description,
            yearly=PartialDate(month, day, year),
            feb29=rng.choice(list(Feb29Rule)),
            alarm_minutes=alarm,
        )
    if shape == 1:
        day = dt.date(2026, 11, 23) + dt.timedelta(days=rng.randint(-10, 400))
        return CalendarEntry(f"touch:{n}", ItemKind.QUEUE, title, description, day=day, alarm_minutes=alarm)
    zone = zoneinfo.ZoneInfo(rng.choice(["Europe/London", "Pacific/Chatham", "UTC"]))
    at = dt.datetime(2026, 3, 28, 23, 45, tzinfo=zone) + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 40))
    return CalendarEntry(
        f"callback:{n}", ItemKind.CALLBACKS, title, description, at=at, minutes=rng.choice([15, 30, 45]),
        alarm_minutes=alarm,
    )  # fmt: skip


def varied_items() -> list[CalendarItem]:
    rng = random.Random(7)
    return [
        CalendarItem(
            f"uid-{n:04d}",
            _entry(rng, n),
            rng.randint(0, 5),
            NOW - dt.timedelta(days=rng.randint(0, 90), seconds=rng.randint(0, 9999)),
            NOW - dt.timedelta(days=rng.randint(90, 900)),
            cancelled=n % 11 == 0,
        )
        for n in range(600)
    ]


def test_same_bytes_as_the_icalendar_build() -> None:
    items = varied_items()
    for name in ("Shop care", "Café; Zoë, & co \\ ünïcödé " * 4):
        assert feed_bytes(items, name, NOW) == build_feed(items, name, NOW)


def test_no_items() -> None:
    assert feed_bytes([], "Shop care", NOW) == build_feed([], "Shop care", NOW)


def test_folding_keeps_every_line_within_75_octets() -> None:
    line = "SUMMARY:" + "é\\," * 60
    folded = fold(line).split("\r\n ")
    assert "".join(folded) == line
    assert all(len(part.encode()) <= 75 for part in folded)
    assert not any(part.endswith("\\") for part in folded[:-1])


def test_caldav_objects_and_their_fingerprints_are_the_domains() -> None:
    """CalDAV sync writes objects with the fast writer and records their fingerprint without a parse:
    both must be exactly what the icalendar build and a parse of it give."""
    for item in varied_items():
        built = build_object(item, NOW)
        assert object_bytes(item, NOW) == built
        assert object_fingerprint(item) == fingerprint(built)
