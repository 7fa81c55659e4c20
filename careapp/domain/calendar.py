"""Calendar items as iCalendar (RFC 5545), built with the ``icalendar`` package, never by hand.

Pure: no database, no clock (``stamp`` and times are passed in), no Qt.

What careapp publishes, and why:

* Only VEVENTs. An all-day item has ``DTSTART;VALUE=DATE`` and an exclusive ``DTEND`` (the next day),
  no time zone, and ``TRANSP:TRANSPARENT`` so it never blocks the owner's free/busy time. A timed item
  (a promised callback) is written in UTC (``...Z``), which every client converts to local time; DST
  changes are then the client's job and cannot shift the moment.
* A yearly date (birthday, anniversary) is ONE recurring event, ``RRULE:FREQ=YEARLY``. Its DTSTART is
  its first anniversary: the year after the known year (the day itself is the birth, not a birthday),
  or, when the year is unknown, the anchor year 2000 (a leap year). The anchor never moves, so the
  event never changes by itself.
* 29 February: with the shop's rule "feb28" the event is ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1``
  (the last day of February: 29 Feb in leap years, 28 Feb otherwise). With "mar1" it is
  ``FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1`` starting on a 1 March, plus, for every leap year from its
  start to 2096, ``RDATE`` 29 February with ``EXDATE`` 1 March. Outlook's import spec (MS-OXCICAL
  2.1.3.2.2.5) maps yearly rules only as BYMONTH with BYMONTHDAY, and reads an RDATE paired with an
  EXDATE as a moved instance (2.1.3.1.1.20.18); an earlier ``BYYEARDAY=60`` was skipped by Outlook
  and mishandled by older sabre/vobject (Nextcloud). The list is fixed, not rolled by the clock, so
  the event never changes by itself; 2096 is the last leap year before 2100, which is not one (its
  1 March is right under the rule). One event, one UID per person.
  Checked for the “1 March” rule: Outlook (by its import specification, MS-OXCICAL, not a running
  Outlook) and Radicale (its own time-range search finds the event on 1 March 2027 and 2029 and on
  29 February 2028: tests/calendar/test_mar1_rule_clients.py). Not checked: Google Calendar, Apple
  Calendar, Thunderbird, Nextcloud. The calendar settings say the same
  (:data:`careapp.domain.recurrence.MAR1_CHECKED_CLIENTS`).
* The UID is a uuid4 made once per item by the service and stored; it carries no host name and no
  customer data. ``SEQUENCE`` is the service's (raised only when the date, time, recurrence or status
  changes). ``DTSTAMP`` is when the object was written, ``LAST-MODIFIED`` when the item last changed.
* Files and feeds carry ``METHOD:PUBLISH``, ``NAME``/``X-WR-CALNAME`` and a refresh interval of one
  hour (``REFRESH-INTERVAL;VALUE=DURATION:PT1H`` and ``X-PUBLISHED-TTL:PT1H``). CalDAV objects carry
  no METHOD (RFC 4791 forbids it in a calendar collection).
* An optional VALARM (``ACTION:DISPLAY`` with a DESCRIPTION) is best effort: many clients ignore
  alarms in subscribed feeds, and some ignore them over CalDAV too.
* Privacy: titles hold the customer's first name and last initial only ("Birthday: Ann E."), and a
  customer with no name is "customer #1234" (their number), never an email address or a phone
  number (see :func:`short_name`). Phones, emails and notes go in the DESCRIPTION only when the shop
  opted in per field (the service decides; this module writes what it is given).
* A recurring event's DESCRIPTION holds what is true in every year ("Born 1996."), never an age,
  which would be wrong the year after and make CalDAV rewrite every birthday once a year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from careapp.domain.customer import PartialDate
from careapp.domain.recurrence import Feb29Rule, is_leap_year, occurrence_in_year

PRODID = "-//careapp//careapp calendar//EN"
ANCHOR_YEAR = 2000  # the first year of a yearly date whose year is unknown (a leap year)
REFRESH = dt.timedelta(hours=1)
DEFAULT_CALLBACK_MINUTES = 15


class ItemKind(StrEnum):
    """What a calendar item comes from; also the ``--kinds`` words of ``careapp export ics``."""

    BIRTHDAYS = "birthdays"
    DATES = "dates"
    QUEUE = "queue"
    CALLBACKS = "callbacks"


ALL_KINDS: tuple[ItemKind, ...] = tuple(ItemKind)


@dataclass(frozen=True)
class CalendarEntry:
    """One thing to put in the calendar, before it has a UID.

    ``source`` is stable per item ("birthday:12", "touch:<key>", "callback:<contact id>"). Exactly one
    of ``day`` (an all-day item on one day), ``at`` (a timed item, aware) or ``yearly`` (a recurring
    all-day item) is set.
    """

    source: str
    kind: ItemKind
    title: str
    description: str = ""
    day: dt.date | None = None
    at: dt.datetime | None = None
    minutes: int = DEFAULT_CALLBACK_MINUTES
    yearly: PartialDate | None = None
    feb29: Feb29Rule = Feb29Rule.FEB28
    alarm_minutes: int | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.day, self.at, self.yearly)) != 1:
            raise ValueError("a calendar entry needs exactly one of day, at or yearly")
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("a timed calendar entry needs an aware time")

    def schedule(self) -> dict[str, object]:
        """The fields whose change raises SEQUENCE: date, time and recurrence."""
        return {
            "day": self.day.isoformat() if self.day else None,
            "at": self.at.astimezone(dt.UTC).isoformat() if self.at else None,
            "minutes": self.minutes if self.at else None,
            "yearly": self.yearly.as_json() if self.yearly else None,
            "feb29": self.feb29.value
            if self.yearly and (self.yearly.month, self.yearly.day) == (2, 29)
            else None,
        }

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind.value,
            "title": self.title,
            "description": self.description,
            "alarm_minutes": self.alarm_minutes,
            **self.schedule(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CalendarEntry:
        yearly = data.get("yearly")
        at = data.get("at")
        day = data.get("day")
        minutes = data.get("minutes")
        alarm = data.get("alarm_minutes")
        return cls(
            source=str(data["source"]),
            kind=ItemKind(str(data["kind"])),
            title=str(data["title"]),
            description=str(data.get("description") or ""),
            day=dt.date.fromisoformat(day) if isinstance(day, str) else None,
            at=dt.datetime.fromisoformat(at) if isinstance(at, str) else None,
            minutes=minutes if isinstance(minutes, int) else DEFAULT_CALLBACK_MINUTES,
            yearly=PartialDate(**yearly) if isinstance(yearly, dict) else None,
            feb29=Feb29Rule(str(data.get("feb29") or "feb28")),
            alarm_minutes=alarm if isinstance(alarm, int) else None,
        )

    def content_hash(self) -> str:
        return digest(self.as_json())

    def schedule_hash(self) -> str:
        return digest(self.schedule())


def digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CalendarItem:
    """A stored calendar item: its entry, its UID (made once) and its SEQUENCE."""

    uid: str
    entry: CalendarEntry
    sequence: int
    last_modified: dt.datetime
    created: dt.datetime
    cancelled: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""  # the entry's, as stored; "" when it was not read (computed on demand)

    def push_key(self) -> str:
        """Says what the CalDAV object of this item holds, without building it: SEQUENCE, the entry's
        hash and :data:`OBJECT_FORMAT`. Stored with what was pushed; a sync compares the two."""
        return f"{self.sequence}|{self.content_hash or self.entry.content_hash()}|{OBJECT_FORMAT}"


# Raise when build_object writes something else for the same item (a new property, another rule):
# every item's push key changes, so the next sync pushes each once.
OBJECT_FORMAT = "2"


def short_name(first_name: str, last_name: str, customer_id: int, other: str = "") -> str:
    """What a calendar title calls a customer: "Ann E." (a first name and an initial), or
    "customer #1234" when careapp knows no name.

    ``other`` is the company or the list's display name, used only when it is a name: an email
    address, a phone number or careapp's "(no name)" placeholder never reaches a title.
    """
    first = _name_part(first_name)
    last = _name_part(last_name)
    if first and last:
        return f"{first} {_initial(last)}"
    if first:
        return first
    if last:
        return f"{_initial(last)} (customer #{customer_id})"
    words = _name_part(other).split()
    if words:
        return words[0] if len(words) == 1 else f"{words[0]} {_initial(words[-1])}"
    return f"customer #{customer_id}"


def _name_part(text: str) -> str:
    """``text`` when it can be a name; "" for an email address, a phone number or a placeholder."""
    text = " ".join(text.split())
    if not text or "@" in text or text.startswith("("):
        return ""
    if sum(c.isdigit() for c in text) >= 3:  # a phone number, a customer number, a postcode
        return ""
    return text


def _initial(name: str) -> str:
    letter = next((c for c in name if c.isalpha()), name[0])
    return f"{letter.upper()}."


LAST_LISTED_LEAP_YEAR = 2096  # the "1 March" rule lists leap years up to here (2100 is not one)


def _moves_leap_day(date: PartialDate, feb29: Feb29Rule) -> bool:
    return (date.month, date.day) == (2, 29) and feb29 is Feb29Rule.MAR1


def first_occurrence(date: PartialDate, feb29: Feb29Rule) -> dt.date:
    """DTSTART of a yearly event: the first anniversary (see the module docstring).

    Under the "1 March" rule it is that year's 1 March (a leap year's 29 February is an RDATE), so
    DTSTART always matches the RRULE, as Outlook and older sabre/vobject need.
    """
    year = date.year + 1 if date.year is not None else ANCHOR_YEAR
    if _moves_leap_day(date, feb29):
        return dt.date(year, 3, 1)
    return occurrence_in_year(date, year, feb29)


def yearly_rule(date: PartialDate, feb29: Feb29Rule) -> vRecur:
    if (date.month, date.day) == (2, 29):
        if feb29 is Feb29Rule.MAR1:
            return vRecur({"FREQ": "YEARLY", "BYMONTH": [3], "BYMONTHDAY": [1]})
        return vRecur({"FREQ": "YEARLY", "BYMONTH": [2], "BYMONTHDAY": [-1]})
    return vRecur({"FREQ": "YEARLY"})


def leap_day_moves(date: PartialDate, feb29: Feb29Rule) -> list[dt.date]:
    """The leap years' 29 February (RDATE), each replacing that year's 1 March (EXDATE), from the
    event's first year to :data:`LAST_LISTED_LEAP_YEAR`; empty unless the "1 March" rule applies."""
    if not _moves_leap_day(date, feb29):
        return []
    start = first_occurrence(date, feb29).year
    return [dt.date(y, 2, 29) for y in range(start, LAST_LISTED_LEAP_YEAR + 1) if is_leap_year(y)]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def build_event(item: CalendarItem, stamp: dt.datetime) -> Event:
    """The VEVENT of one item; ``stamp`` (aware) is DTSTAMP."""
    entry = item.entry
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(stamp))
    event.add("created", _utc(item.created))
    event.add("last-modified", _utc(item.last_modified))
    event.add("sequence", item.sequence)
    event.add("summary", entry.title)
    if entry.description:
        event.add("description", entry.description)
    if entry.at is not None:
        event.add("dtstart", _utc(entry.at))
        event.add("dtend", _utc(entry.at) + dt.timedelta(minutes=entry.minutes))
        event.add("transp", "OPAQUE")
    else:
        start = entry.day if entry.day is not None else first_occurrence(_yearly(entry), entry.feb29)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if entry.yearly is not None:
            event.add("rrule", yearly_rule(entry.yearly, entry.feb29))
            moves = leap_day_moves(entry.yearly, entry.feb29)
            if moves:
                event.add("rdate", moves)
                event.add("exdate", [day + dt.timedelta(days=1) for day in moves])
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    if entry.alarm_minutes is not None:
        event.add_component(_alarm(entry))
    return event


def _yearly(entry: CalendarEntry) -> PartialDate:
    assert entry.yearly is not None
    return entry.yearly


def _alarm(entry: CalendarEntry) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", entry.title)
    alarm.add("trigger", dt.timedelta(minutes=-(entry.alarm_minutes or 0)))
    return alarm


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def build_feed(items: list[CalendarItem], name: str, stamp: dt.datetime) -> bytes:
    """A published calendar (file or subscribed feed): ``METHOD:PUBLISH``, its name, refresh hints.

    Cancelled items are left out: a subscribing client drops events that vanish from the feed.
    """
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for item in sorted(items, key=lambda i: (i.entry.source, i.uid)):
        if not item.cancelled:
            calendar.add_component(build_event(item, stamp))
    return calendar.to_ical()


def object_frame() -> bytes:
    """The VCALENDAR of a CalDAV object with no event in it (what :func:`build_object` wraps)."""
    return bytes(_calendar().to_ical())


def build_object(item: CalendarItem, stamp: dt.datetime) -> bytes:
    """One CalDAV calendar object resource: a VCALENDAR holding one VEVENT, without METHOD."""
    calendar = _calendar()
    calendar.add_component(build_event(item, stamp))
    return calendar.to_ical()


# Properties that say what an event is; DTSTAMP (and anything a server adds) is left out.
FINGERPRINT_PROPS = (
    "UID", "SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "RRULE", "RDATE", "EXDATE", "SEQUENCE", "STATUS",
)  # fmt: skip


def fingerprint(ical: bytes | str) -> str:
    """A hash of what a calendar object says, stable across re-serialisation by a server.

    Used to tell "the server still has what careapp pushed" from "someone edited it in their calendar
    app" when an ETag turns out to be stale.
    """
    calendar = Calendar.from_ical(ical)
    parts: list[list[str]] = []
    for event in calendar.walk("VEVENT"):
        row = []
        for name in FINGERPRINT_PROPS:
            value = event.get(name)
            row.append("" if value is None else _prop_text(value))
        parts.append(row)
    return digest(sorted(parts))


def _prop_text(value: object) -> str:
    to_ical = getattr(value, "to_ical", None)
    if to_ical is not None:
        raw = to_ical()
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return str(value)
