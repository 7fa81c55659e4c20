"""The iCalendar the domain builds: parsed by icalendar and by vobject, recurrences expanded by
recurring-ical-events into real dates."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from careapp.domain.calendar import (
    CalendarEntry,
    CalendarItem,
    ItemKind,
    build_feed,
    build_object,
    fingerprint,
    short_name,
)
from careapp.domain.customer import PartialDate
from careapp.domain.recurrence import Feb29Rule

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def item(entry: CalendarEntry, sequence: int = 0, cancelled: bool = False) -> CalendarItem:
    return CalendarItem(str(uuid.uuid4()), entry, sequence, NOW, NOW, cancelled)


def birthday(date: PartialDate, rule: Feb29Rule = Feb29Rule.FEB28) -> CalendarItem:
    return item(CalendarEntry("birthday:1", ItemKind.BIRTHDAYS, "Birthday: Ann E.", yearly=date, feb29=rule))


def days_in(feed: bytes, start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day an event starts on between ``start`` and ``end`` (exclusive), as a client expands it."""
    calendar = Calendar.from_ical(feed)
    events = recurring_ical_events.of(calendar).between(start, end)
    found = []
    for event in events:
        value = event["DTSTART"].dt
        found.append(value if not isinstance(value, dt.datetime) else value.date())
    return sorted(found)


def vobject_parse(feed: bytes) -> vobject.base.Component:
    parsed = vobject.readOne(feed.decode("utf-8"), validate=True)
    parsed.validate()
    return parsed


def one_year(feed: bytes, year: int) -> list[dt.date]:
    return days_in(feed, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            Feb29Rule.FEB28,
            {
                2027: dt.date(2027, 2, 28),
                2028: dt.date(2028, 2, 29),
                2029: dt.date(2029, 2, 28),
                2096: dt.date(2096, 2, 29),
                2100: dt.date(2100, 2, 28),
            },
        ),
        (
            Feb29Rule.MAR1,
            {
                2027: dt.date(2027, 3, 1),
                2028: dt.date(2028, 2, 29),
                2029: dt.date(2029, 3, 1),
                2096: dt.date(2096, 2, 29),
                2100: dt.date(2100, 3, 1),
            },
        ),
    ],
)
def test_29_february_falls_on_the_shops_day_in_every_kind_of_year(
    rule: Feb29Rule, expected: dict[int, dt.date]
) -> None:
    for date in (PartialDate(2, 29, 1996), PartialDate(2, 29)):
        feed = build_feed([birthday(date, rule)], "Shop", NOW)
        vobject_parse(feed)
        for year, day in expected.items():
            assert one_year(feed, year) == [day], (date, rule, year)
        assert one_year(feed, 2000 if date.year is None else 2024) == [
            dt.date(2000 if date.year is None else 2024, 2, 29)
        ]


def test_one_recurring_event_per_birthday_with_the_rrule_text() -> None:
    feb28 = build_feed([birthday(PartialDate(2, 29, 1996))], "Shop", NOW).decode()
    mar1 = build_feed([birthday(PartialDate(2, 29, 1996), Feb29Rule.MAR1)], "Shop", NOW).decode()
    rrule = next(line for line in feb28.splitlines() if line.startswith("RRULE:"))
    assert sorted(rrule.removeprefix("RRULE:").split(";")) == ["BYMONTH=2", "BYMONTHDAY=-1", "FREQ=YEARLY"]
    # What Outlook reads (MS-OXCICAL 2.1.3.2.2.5: yearly = BYMONTH with BYMONTHDAY; an RDATE paired
    # with an EXDATE is a moved instance), not BYYEARDAY.
    assert "BYYEARDAY" not in mar1
    mar1_rule = next(line for line in mar1.splitlines() if line.startswith("RRULE:"))
    assert sorted(mar1_rule.removeprefix("RRULE:").split(";")) == ["BYMONTH=3", "BYMONTHDAY=1", "FREQ=YEARLY"]
    event = Calendar.from_ical(mar1.encode()).walk("VEVENT")[0]
    assert event["DTSTART"].dt == dt.date(1997, 3, 1)  # DTSTART matches the rule
    rdates = [d.dt for d in event["RDATE"].dts]
    exdates = [d.dt for d in event["EXDATE"].dts]
    assert rdates[0] == dt.date(2000, 2, 29) and rdates[-1] == dt.date(2096, 2, 29)
    assert exdates == [d + dt.timedelta(days=1) for d in rdates]  # each 29 Feb replaces its 1 March
    assert "RDATE" not in feb28 and "EXDATE" not in feb28
    assert feb28.count("BEGIN:VEVENT") == mar1.count("BEGIN:VEVENT") == 1


def test_a_birthday_with_a_known_year_starts_the_year_after_and_without_a_year_every_year() -> None:
    known = build_feed([birthday(PartialDate(7, 14, 1980))], "Shop", NOW)
    assert days_in(known, dt.date(1979, 1, 1), dt.date(1983, 1, 1)) == [
        dt.date(1981, 7, 14),
        dt.date(1982, 7, 14),
    ]
    unknown = build_feed([birthday(PartialDate(7, 14))], "Shop", NOW)
    assert one_year(unknown, 2027) == [dt.date(2027, 7, 14)]
    assert one_year(unknown, 2099) == [dt.date(2099, 7, 14)]


def test_all_day_items_are_dates_with_an_exclusive_end_transparent_and_without_a_zone() -> None:
    entry = CalendarEntry("touch:k", ItemKind.QUEUE, "Follow-up: Ann E.", day=dt.date(2026, 12, 31))
    feed = build_feed([item(entry)], "Shop", NOW).decode()
    assert "DTSTART;VALUE=DATE:20261231" in feed
    assert "DTEND;VALUE=DATE:20270101" in feed
    assert "TRANSP:TRANSPARENT" in feed
    assert "TZID" not in feed and "VTIMEZONE" not in feed
    parsed = vobject_parse(feed.encode())
    assert parsed.vevent.dtstart.value == dt.date(2026, 12, 31)
    assert parsed.vevent.dtend.value == dt.date(2027, 1, 1)


def test_timed_callbacks_are_in_utc_and_keep_their_local_time_across_a_dst_change() -> None:
    london = zoneinfo.ZoneInfo("Europe/London")
    # 10:00 London on Friday 27 March 2026 (GMT) and on Monday 30 March (BST, after the change).
    before = dt.datetime(2026, 3, 27, 10, 0, tzinfo=london)
    after = dt.datetime(2026, 3, 30, 10, 0, tzinfo=london)
    feed = build_feed(
        [
            item(CalendarEntry("callback:5", ItemKind.CALLBACKS, "Call back: Ann E.", at=before)),
            item(CalendarEntry("callback:6", ItemKind.CALLBACKS, "Call back: Bo K.", at=after)),
        ],
        "Shop",
        NOW,
    )
    text = feed.decode()
    assert "DTSTART:20260327T100000Z" in text and "DTEND:20260327T101500Z" in text
    assert "DTSTART:20260330T090000Z" in text and "DTEND:20260330T091500Z" in text
    events = recurring_ical_events.of(Calendar.from_ical(feed)).between(
        dt.datetime(2026, 3, 26, tzinfo=london), dt.datetime(2026, 4, 1, tzinfo=london)
    )
    shown = sorted(e["DTSTART"].dt.astimezone(london) for e in events)
    assert [(m.day, m.hour, m.minute) for m in shown] == [(27, 10, 0), (30, 10, 0)]
    parsed = vobject_parse(feed)
    assert sorted(e.dtstart.value for e in parsed.vevent_list) == [before, after]


def test_feed_headers_and_caldav_object_without_method() -> None:
    entry = CalendarEntry("touch:k", ItemKind.QUEUE, "Check-in: Bo K.", day=dt.date(2026, 12, 1))
    feed = build_feed([item(entry)], "Corner Shop care", NOW).decode()
    for line in (
        "METHOD:PUBLISH",
        "NAME:Corner Shop care",
        "X-WR-CALNAME:Corner Shop care",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "DTSTAMP:20261123T093000Z",
        "LAST-MODIFIED:20261123T093000Z",
    ):
        assert line in feed.splitlines(), line
    assert "1:00:00" not in feed
    obj = build_object(item(entry), NOW).decode()
    assert "METHOD" not in obj
    assert obj.count("BEGIN:VEVENT") == 1
    vobject_parse(obj.encode())


def test_uid_is_the_items_and_carries_no_host_or_customer_data() -> None:
    it = birthday(PartialDate(5, 3))
    text = build_object(it, NOW).decode()
    uid = re.search(r"^UID:(.*)$", text, re.M)
    assert uid is not None
    assert uid.group(1).strip() == it.uid
    assert "@" not in it.uid and "Ann" not in it.uid


def test_cancelled_items_leave_the_feed() -> None:
    entry = CalendarEntry("touch:k", ItemKind.QUEUE, "Check-in: Bo K.", day=dt.date(2026, 12, 1))
    feed = build_feed([item(entry, cancelled=True)], "Shop", NOW).decode()
    assert "BEGIN:VEVENT" not in feed


def test_alarm_has_a_description() -> None:
    entry = CalendarEntry("callback:1", ItemKind.CALLBACKS, "Call back: Bo K.", at=NOW, alarm_minutes=10)
    parsed = vobject_parse(build_feed([item(entry)], "Shop", NOW))
    alarm = parsed.vevent.valarm
    assert alarm.action.value == "DISPLAY"
    assert alarm.description.value == "Call back: Bo K."
    assert alarm.trigger.value == dt.timedelta(minutes=-10)


def test_schedule_hash_changes_only_with_date_time_or_recurrence() -> None:
    base = CalendarEntry("touch:k", ItemKind.QUEUE, "Check-in: Bo K.", day=dt.date(2026, 12, 1))
    retitled = CalendarEntry("touch:k", ItemKind.QUEUE, "Check-in: Bob K.", "new", day=dt.date(2026, 12, 1))
    moved = CalendarEntry("touch:k", ItemKind.QUEUE, "Check-in: Bo K.", day=dt.date(2026, 12, 2))
    assert base.schedule_hash() == retitled.schedule_hash()
    assert base.content_hash() != retitled.content_hash()
    assert base.schedule_hash() != moved.schedule_hash()
    assert CalendarEntry.from_json(base.as_json()) == base


def test_fingerprint_ignores_dtstamp_but_sees_edits() -> None:
    it = birthday(PartialDate(5, 3))
    first = build_object(it, NOW)
    later = build_object(it, NOW + dt.timedelta(hours=5))
    assert first != later
    assert fingerprint(first) == fingerprint(later)
    edited = first.replace(b"SUMMARY:Birthday: Ann E.", b"SUMMARY:Ann's party")
    assert fingerprint(edited) != fingerprint(first)


# Every shape of name the importers (CSV with mapping, vCard, the form) can leave in a customer.
NAME_SHAPES = [
    # (first, last, company, expected title name)
    ("Ann", "Edwards", "", "Ann E."),
    ("ann", "edwards", "", "ann E."),
    ("Mary Ann", "van der Berg", "", "Mary Ann V."),
    ("Ann", "", "", "Ann"),
    ("", "Edwards", "", "E. (customer #1234)"),
    ("", "", "Acme Ltd", "Acme L."),
    ("", "", "Acme", "Acme"),
    ("", "", "", "customer #1234"),  # known only by an email or a phone (the list shows those)
    ("", "", "only@example.com", "customer #1234"),  # a CSV "Company" column holding an email
    ("only@example.com", "", "", "customer #1234"),  # a "Name" column holding an email
    ("+44 20 7946 0958", "", "", "customer #1234"),  # a "Name" column holding a phone
    ("", "", "(no name)", "customer #1234"),  # careapp's own placeholder
    ("  Ann  ", "  ", "", "Ann"),
    ("Zoë", "Ørsted", "", "Zoë Ø."),
    ("", "", "  ", "customer #1234"),
]


@pytest.mark.parametrize(("first", "last", "company", "expected"), NAME_SHAPES)
def test_titles_carry_a_first_name_and_initial_or_the_customer_number(
    first: str, last: str, company: str, expected: str
) -> None:
    name = short_name(first, last, 1234, company)
    assert name == expected
    assert "@" not in name and "(no" not in name
