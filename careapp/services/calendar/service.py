"""Calendar items: what careapp puts in the owner's calendar, kept in ``calendar_item``.

:meth:`CalendarService.items` reads the sources (customers' birthdays and other dates, the care queue,
open callbacks), turns them into :class:`~careapp.domain.calendar.CalendarEntry` values and syncs the
``calendar_item`` table with them in one transaction:

* a new source gets a uuid4 UID, once; the UID is never regenerated;
* a changed entry gets a new LAST-MODIFIED, and a higher SEQUENCE only when its date, time or
  recurrence changed (or it comes back after being cancelled);
* a source that no longer yields an entry (a touch done or skipped, a callback kept, a birthday
  removed, a customer deleted) is marked cancelled, SEQUENCE raised; it leaves files, feeds and the
  CalDAV calendar.

Files and feeds (:meth:`CalendarService.file_items`) read the same table but change nothing in it
beyond storing the UID of a source seen for the first time: an export never changes what is synced.

Only the kinds asked for are synced; items of other kinds are left as they are. One-off items (queue
and callbacks) are synced up to the end of the window asked for (``start + days``; earlier ones that
are still open stay); a stored item beyond that end is neither returned nor cancelled, so a short
export does not disturb what the feed or the CalDAV calendar holds further ahead.

The settings (kinds, per-field opt-ins, feed path, CalDAV address and user name) live in the
``setting`` table under ``calendar``. The CalDAV password never does: see
:mod:`careapp.services.shop.secrets`.

Threading: like every service, one call at a time per worker thread; each call is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.fast_insert import insert_rows
from careapp.db.models import (
    CalendarItemRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    PhoneRecord,
    SettingRecord,
    core_table,
)
from careapp.domain.calendar import (
    ALL_KINDS,
    CalendarEntry,
    CalendarItem,
    ItemKind,
    digest,
    short_name,
)
from careapp.domain.care_queue import Placement
from careapp.domain.customer import DateKind, ImportantDate, InvalidDate, PartialDate
from careapp.domain.recurrence import Feb29Rule
from careapp.domain.touches import KIND_TITLES, TouchKind
from careapp.exporting.ics_export import feed_bytes, write_feed
from careapp.memory import collector_paused
from careapp.redact import mask_url_passwords
from careapp.services.calendar.addresses import address_problem
from careapp.services.care.touches import write_lock
from careapp.services.customers.exporter import atomic_binary_file
from careapp.services.shop.settings import SettingsService

if TYPE_CHECKING:
    from careapp.services.care.queue import CareQueueService
    from careapp.services.care.touches import TouchService
    from careapp.services.tickets.service import TicketService

Clock = Callable[[], dt.datetime]
SETTINGS_KEY = "calendar"
ADDS_ONLY_NOTE = (
    "Note: an .ics file adds events once; later changes in careapp will not follow. "
    "Subscribe to the feed or use CalDAV sync to keep the calendar current."
)


@dataclass(frozen=True)
class CalendarSettings:
    """What goes into the calendar and where. Never holds a password."""

    kinds: tuple[str, ...] = tuple(k.value for k in ALL_KINDS)
    days: int = 30
    # Privacy: off by default; each field is opted in on its own.
    include_phone: bool = False
    include_email: bool = False
    include_notes: bool = False
    alarm_minutes: int | None = None
    calendar_name: str = ""  # empty: "<shop name> care"
    feed_path: str = ""
    caldav_url: str = ""  # the calendar collection's address
    caldav_user: str = ""
    caldav_calendar: str = ""  # the calendar's display name, when it was found by name

    def item_kinds(self) -> tuple[ItemKind, ...]:
        return tuple(ItemKind(k) for k in self.kinds)


def parse_kinds(text: str) -> tuple[ItemKind, ...]:
    """``birthdays,queue`` -> the kinds; a clear ValueError for a word that is not one."""
    words = [w.strip().lower() for w in text.split(",") if w.strip()]
    kinds = []
    for word in words:
        try:
            kinds.append(ItemKind(word))
        except ValueError:
            choices = ", ".join(k.value for k in ALL_KINDS)
            raise ValueError(f"{word!r} is not a kind of calendar item; use {choices}") from None
    if not kinds:
        raise ValueError("choose at least one kind of calendar item")
    return tuple(dict.fromkeys(kinds))


YEARLY_KINDS = (ItemKind.BIRTHDAYS, ItemKind.DATES)


@dataclass(frozen=True)
class ChangedItems:
    """What :meth:`CalendarService.changed_items` gives a sync: the live items whose sources may have
    changed (every one-off item, and the yearly items of the customers named), and the UIDs of every
    live item (the calendar should hold exactly those)."""

    items: list[CalendarItem]
    live_uids: frozenset[str]


@dataclass(frozen=True)
class _Person:
    name: str
    phone: str
    email: str
    notes: str


class CalendarService:
    """Calendar items, the feed file and the calendar settings."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: SettingsService,
        touches: TouchService,
        care_queue: CareQueueService,
        tickets: TicketService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._touches = touches
        self._care_queue = care_queue
        self._tickets = tickets

    # --- settings ---------------------------------------------------------------------------------

    def calendar_settings(self) -> CalendarSettings:
        with self._db.session() as session:
            record = session.get(SettingRecord, SETTINGS_KEY)
            stored = json.loads(record.value_json) if record is not None else {}
        known = {f.name for f in fields(CalendarSettings)}
        values = {k: v for k, v in stored.items() if k in known}
        if "kinds" in values:
            values["kinds"] = tuple(values["kinds"])
        return CalendarSettings(**values)

    def save_calendar_settings(self, settings: CalendarSettings) -> None:
        settings.item_kinds()  # refuses unknown kinds
        if not 0 <= settings.days <= 366:
            raise ValueError("the calendar covers 0 to 366 days ahead")
        problem = address_problem(settings.caldav_url)
        if problem is not None:
            raise ValueError(problem)
        if mask_url_passwords(settings.caldav_url) != settings.caldav_url:
            # Settings are stored in the database: a password there would be readable by anyone with
            # a backup. (The message does not repeat the address: it holds the password.)
            raise ValueError(
                "The calendar address contains a password (user:password@). Take it out of the address "
                "and type it in the password box instead: careapp keeps it in the system keyring."
            )
        value = json.dumps(asdict(settings))
        with self._db.session() as session:
            record = session.get(SettingRecord, SETTINGS_KEY)
            if record is None:
                session.add(SettingRecord(key=SETTINGS_KEY, value_json=value, version=1))
            else:
                record.value_json = value
                record.version += 1

    def calendar_name(self, settings: CalendarSettings | None = None) -> str:
        settings = settings or self.calendar_settings()
        return settings.calendar_name or f"{self._settings.shop().shop_name} care"

    # --- items ------------------------------------------------------------------------------------

    def today(self) -> dt.date:
        return self._touches.today()

    def items(
        self, kinds: Iterable[ItemKind] | None = None, start: dt.date | None = None, days: int | None = None
    ) -> list[CalendarItem]:
        """Sync ``calendar_item`` with the sources and return the live items of ``kinds`` in the window.

        Defaults come from the calendar settings and today. Yearly items are always included. This is
        what CalDAV sync pushes; files use :meth:`file_items`, which changes nothing stored.
        """
        chosen, entries, last = self._window(kinds, start, days)
        now = self._clock().replace(tzinfo=None)
        with self._db.session() as session:
            write_lock(session)  # two seats syncing at once must not both add the same source
            live = _sync(session, chosen, entries, now, last)
            # The live items are exactly the entries just synced (the rest were cancelled or lie after
            # the window), so they are built from the entries in hand, not read back and parsed again.
            items = [_live_item(record, entry) for record, entry in live]
        return [i for i in items if _by(i.entry, last)]

    def changed_items(self, customers: Collection[int]) -> ChangedItems:
        """Like :meth:`items`, but the yearly items (birthdays, dates) are rebuilt only for ``customers``
        (and a date item whose date is gone is cancelled); one-off items are rebuilt as :meth:`items`
        rebuilds them. Leaves ``calendar_item`` exactly as :meth:`items` would, provided the yearly
        items of everyone else are what the last :meth:`items` made of them: the caller knows that the
        other customers, the settings and the day did not change since (see CalDavSync). At 10,000
        items rebuilding every one to find the one that changed was most of a sync of one change."""
        settings = self.calendar_settings()
        chosen = settings.item_kinds()
        last = self.today() + dt.timedelta(days=settings.days)
        yearly = [k for k in chosen if k in YEARLY_KINDS]
        one_off = [k for k in chosen if k not in YEARLY_KINDS]
        now = self._clock().replace(tzinfo=None)
        wanted = set(customers)
        entries, people = self._one_off_entries(chosen, settings, self.today(), last)
        with self._db.session() as session:
            write_lock(session)
            people.update(_people(session, wanted))
            entries += self._yearly_entries(session, chosen, settings, people, wanted)
            scope = _yearly_scope(session, yearly, wanted)
            scope.update(e.source for e in entries if e.kind in YEARLY_KINDS)
            live = _sync(session, chosen, entries, now, last, scope)
            stored_uids = _live_yearly_uids(session, yearly)
        items = [_live_item(record, entry) for record, entry in live]
        items = [i for i in items if _by(i.entry, last)]
        one_off_uids = {i.uid for i in items if i.entry.kind in one_off}
        return ChangedItems(items, frozenset(stored_uids | one_off_uids))

    def file_items(
        self, kinds: Iterable[ItemKind] | None = None, start: dt.date | None = None, days: int | None = None
    ) -> list[CalendarItem]:
        """The items of an .ics file or feed, without touching what CalDAV sync works from.

        An export may cover any window (``--from 2027-06-05``): an item it does not see is not gone, and
        an item that changed has not been synced. So stored items are read, never cancelled, bumped or
        rewritten: a changed item is written with the SEQUENCE and LAST-MODIFIED it will get when it is
        synced. Only a source seen for the first time is stored, so that its UID is made once and the
        next file (or sync) uses the same one.
        """
        _, entries, last = self._window(kinds, start, days)
        now = self._clock().replace(tzinfo=None)
        with self._db.session() as session:
            write_lock(session)
            items = _file_view(session, entries, now)
        return [i for i in items if _by(i.entry, last)]

    def _window(
        self, kinds: Iterable[ItemKind] | None, start: dt.date | None, days: int | None
    ) -> tuple[tuple[ItemKind, ...], list[CalendarEntry], dt.date]:
        settings = self.calendar_settings()
        chosen = tuple(kinds) if kinds is not None else settings.item_kinds()
        first = start or self.today()
        last = first + dt.timedelta(days=settings.days if days is None else days)
        return chosen, self._entries(chosen, settings, first, last), last

    def stored_items(self) -> list[CalendarItem]:
        """Every stored item, cancelled ones included (for CalDAV: those are deleted there)."""
        with self._db.session() as session:
            records = session.scalars(select(CalendarItemRecord).order_by(CalendarItemRecord.source)).all()
            return [_item(r) for r in records]

    def feed_text(
        self, kinds: Iterable[ItemKind] | None = None, start: dt.date | None = None, days: int | None = None
    ) -> bytes:
        items = self.file_items(kinds, start, days)
        return feed_bytes(items, self.calendar_name(), _aware(self._clock()))

    def export_ics(
        self,
        path: Path,
        kinds: Iterable[ItemKind] | None = None,
        start: dt.date | None = None,
        days: int | None = None,
    ) -> int:
        """Write an .ics file (atomically); the number of events written. Changes nothing CalDAV sync
        works from (see :meth:`file_items`)."""
        # A year of everything is 150,000 items made of millions of short-lived objects, none in a
        # reference cycle: with the cyclic collector walking them the export took a fifth more CPU.
        with collector_paused():
            items = self.file_items(kinds, start, days)
            with atomic_binary_file(path) as handle:
                write_feed(items, self.calendar_name(), _aware(self._clock()), handle)
        return len(items)

    def write_feed(self, path: Path | None = None) -> Path | None:
        """Rewrite the subscribed feed file (atomically) with the settings' kinds and days.

        Call it after changes (the UI does, off the UI thread). None when no feed path is set.
        """
        settings = self.calendar_settings()
        target = path or (Path(settings.feed_path) if settings.feed_path else None)
        if target is None:
            return None
        self.export_ics(target)
        return target

    # --- sources ----------------------------------------------------------------------------------

    def _entries(
        self, kinds: Sequence[ItemKind], settings: CalendarSettings, first: dt.date, last: dt.date
    ) -> list[CalendarEntry]:
        with self._db.session() as session:
            people = _people(session)
            entries = self._yearly_entries(session, kinds, settings, people)
        return entries + self._one_off_entries(kinds, settings, first, last, people)[0]

    def _yearly_entries(
        self,
        session: Session,
        kinds: Sequence[ItemKind],
        settings: CalendarSettings,
        people: dict[int, _Person],
        only: Collection[int] | None = None,
    ) -> list[CalendarEntry]:
        """Birthdays and dates (of the customers ``only``, or of everyone), as chosen in ``kinds``."""
        feb29 = _feb29(self._settings)
        entries: list[CalendarEntry] = []
        if ItemKind.BIRTHDAYS in kinds:
            entries += _birthdays(session, people, settings, feb29, only)
        if ItemKind.DATES in kinds:
            entries += _dates(session, people, settings, feb29, only)
        return entries

    def _one_off_entries(
        self,
        kinds: Sequence[ItemKind],
        settings: CalendarSettings,
        first: dt.date,
        last: dt.date,
        people: dict[int, _Person] | None = None,
    ) -> tuple[list[CalendarEntry], dict[int, _Person]]:
        """The queue's and the callbacks' entries, as chosen in ``kinds``, and the people they name
        (read for just those customers when ``people`` is not given)."""
        touches = self._queue_rows(kinds, first, last) if ItemKind.QUEUE in kinds else []
        callbacks = self._tickets.open_callbacks(_day_after(last)) if ItemKind.CALLBACKS in kinds else []
        if people is None:
            named = {t.customer_id for t in touches} | {c.customer_id for c in callbacks}
            with self._db.session() as session:
                people = _people(session, named) if named else {}
        entries = _queue_entries(touches, people, settings) + _callback_entries(callbacks, people, settings)
        return entries, people

    def _queue_rows(self, kinds: Sequence[ItemKind], first: dt.date, last: dt.date) -> list[Any]:
        skip = {TouchKind.CALLBACK}  # callbacks are their own kind, with their time
        if ItemKind.BIRTHDAYS in kinds:
            skip.add(TouchKind.BIRTHDAY)
        if ItemKind.DATES in kinds:
            skip.add(TouchKind.IMPORTANT_DATE)
        # The stored plan (brought up to date for the customers who changed), never a plan of everyone:
        # that is the touches' refresh's job (the window runs it on a new day; the feed follows it),
        # and it took 34 s of an `export ics` at 100,000 customers. Names only: an item takes its
        # words from the plan and the people read here, never the customers' facts (loading those for
        # every customer in a year's queue was half of an export of everything).
        # Touches carried over to tomorrow are not in a calendar, and not read (at 100,000 customers
        # they are half of the queue: 66,000 of 125,000 touches).
        queue = self._care_queue.queue(
            first, plan_all=False, until=last, names_only=True, without=(Placement.CARRIED_OVER,)
        )
        return [
            entry
            for entry in queue.entries()
            if entry.kind not in skip and entry.status != Placement.CARRIED_OVER and entry.day <= last
        ]


def _day_after(last: dt.date) -> dt.datetime:
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time())


def _queue_entries(
    touches: list[Any], people: dict[int, _Person], settings: CalendarSettings
) -> list[CalendarEntry]:
    found = []
    for entry in touches:
        person = people.get(entry.customer_id)
        name = person.name if person else short_name("", "", entry.customer_id)
        lines = _contact_lines(person, settings)
        if settings.include_notes and entry.description:
            lines.insert(0, entry.description)
        found.append(
            CalendarEntry(
                source=f"touch:{entry.key}",
                kind=ItemKind.QUEUE,
                title=f"{KIND_TITLES[entry.kind]}: {name}",
                description="\n".join(lines),
                day=entry.day,
                alarm_minutes=settings.alarm_minutes,
            )
        )
    return found


def _callback_entries(
    callbacks: Sequence[Any], people: dict[int, _Person], settings: CalendarSettings
) -> list[CalendarEntry]:
    found = []
    for callback in callbacks:
        person = people.get(callback.customer_id)
        name = person.name if person else short_name("", "", callback.customer_id)
        lines = []
        if settings.include_phone and callback.customer_phone:
            lines.append(f"Phone: {callback.customer_phone}")
        if settings.include_notes:
            lines += [t for t in (callback.ticket_title, callback.summary) if t]
        found.append(
            CalendarEntry(
                source=f"callback:{callback.contact_id}",
                kind=ItemKind.CALLBACKS,
                title=f"Call back: {name}",
                description="\n".join(lines),
                at=callback.due_at.replace(tzinfo=dt.UTC),
                alarm_minutes=settings.alarm_minutes,
            )
        )
    return found


def _feb29(settings: SettingsService) -> Feb29Rule:
    try:
        return Feb29Rule(settings.shop().feb29_observed_on)
    except ValueError:
        return Feb29Rule.FEB28


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _people(session: Session, only: Collection[int] | None = None) -> dict[int, _Person]:
    """Everyone's (or the customers ``only``'s) name and first phone and email."""
    people: dict[int, _Person] = {}
    if only is None:
        people.update(_people_where(session, None, None, None))
    ids = sorted(set(only or ()))
    for start in range(0, len(ids), _IN_LIST):  # PostgreSQL takes 65,535 parameters at most
        chunk = ids[start : start + _IN_LIST]
        people.update(
            _people_where(
                session,
                PhoneRecord.customer_id.in_(chunk),
                EmailRecord.customer_id.in_(chunk),
                CustomerRecord.id.in_(chunk),
            )
        )
    return people


def _people_where(
    session: Session,
    phone_filter: ColumnElement[bool] | None,
    email_filter: ColumnElement[bool] | None,
    customer_filter: ColumnElement[bool] | None,
) -> dict[int, _Person]:
    phone_rows = select(PhoneRecord.customer_id, PhoneRecord.raw).order_by(PhoneRecord.position)
    email_rows = select(EmailRecord.customer_id, EmailRecord.address).order_by(EmailRecord.position)
    customer_rows = select(
        CustomerRecord.id,
        CustomerRecord.first_name,
        CustomerRecord.last_name,
        CustomerRecord.company,
        CustomerRecord.notes,
    )
    if phone_filter is not None and email_filter is not None and customer_filter is not None:
        phone_rows = phone_rows.where(phone_filter)
        email_rows = email_rows.where(email_filter)
        customer_rows = customer_rows.where(customer_filter)
    phones: dict[int, str] = {}
    for customer_id, raw in session.execute(phone_rows):
        phones.setdefault(customer_id, raw)
    emails: dict[int, str] = {}
    for customer_id, address in session.execute(email_rows):
        emails.setdefault(customer_id, address)
    people = {}
    for customer_id, first, last, company, notes in session.execute(customer_rows):
        people[customer_id] = _Person(
            short_name(first, last, customer_id, company),
            phones.get(customer_id, ""),
            emails.get(customer_id, ""),
            notes,
        )
    return people


def _contact_lines(person: _Person | None, settings: CalendarSettings) -> list[str]:
    if person is None:
        return []
    lines = []
    if settings.include_phone and person.phone:
        lines.append(f"Phone: {person.phone}")
    if settings.include_email and person.email:
        lines.append(f"Email: {person.email}")
    return lines


def _since_line(date: PartialDate, noun: str) -> str:
    """What is true in every year of a recurring event: "Born 1996." / "Since 2010." (no age: an age
    is one year's, and writing it would rewrite every event once a year)."""
    return f"{noun} {date.year}." if date.year is not None else ""


def _birthdays(
    session: Session,
    people: dict[int, _Person],
    settings: CalendarSettings,
    feb29: Feb29Rule,
    only: Collection[int] | None = None,
) -> list[CalendarEntry]:
    statement = select(
        CustomerRecord.id,
        CustomerRecord.birthday_month,
        CustomerRecord.birthday_day,
        CustomerRecord.birthday_year,
    ).where(CustomerRecord.birthday_month.is_not(None), CustomerRecord.birthday_day.is_not(None))
    found = []
    for chunk in _id_chunks(only):
        rows = session.execute(statement if chunk is None else statement.where(CustomerRecord.id.in_(chunk)))
        found += _birthday_entries(rows, people, settings, feb29)
    return found


def _id_chunks(only: Collection[int] | None) -> list[list[int] | None]:
    """``[None]`` (everyone) or the ids of ``only`` in chunks a PostgreSQL IN list takes."""
    if only is None:
        return [None]
    ids = sorted(set(only))
    return [ids[start : start + _IN_LIST] for start in range(0, len(ids), _IN_LIST)]


def _birthday_entries(
    rows: Iterable[Any], people: dict[int, _Person], settings: CalendarSettings, feb29: Feb29Rule
) -> list[CalendarEntry]:
    found = []
    for customer_id, month, day, year in rows:
        if month is None or day is None:
            continue
        try:
            date = PartialDate(month, day, year)
        except InvalidDate:
            continue
        person = people[customer_id]
        lines = [_since_line(date, "Born") or "Birthday.", *_contact_lines(person, settings)]
        if settings.include_notes and person.notes:
            lines.append(person.notes)
        found.append(
            _yearly_entry(
                f"birthday:{customer_id}",
                ItemKind.BIRTHDAYS,
                f"Birthday: {person.name}",
                lines,
                date,
                feb29,
                settings,
            )
        )
    return found


def _yearly_entry(
    source: str,
    kind: ItemKind,
    title: str,
    lines: list[str],
    date: PartialDate,
    feb29: Feb29Rule,
    settings: CalendarSettings,
) -> CalendarEntry:
    """One recurring all-day event for a date that comes round every year."""
    return CalendarEntry(
        source=source,
        kind=kind,
        title=title,
        description="\n".join(lines),
        yearly=date,
        feb29=feb29,
        alarm_minutes=settings.alarm_minutes,
    )


def _dates(
    session: Session,
    people: dict[int, _Person],
    settings: CalendarSettings,
    feb29: Feb29Rule,
    only: Collection[int] | None = None,
) -> list[CalendarEntry]:
    found = []
    records: list[Any] = []
    table = DateRecord.__table__
    for chunk in _id_chunks(only):
        # Core rows: an ORM object for each of 30,000 dates was most of reading them.
        statement = select(table).order_by(table.c.id)
        if chunk is not None:
            statement = statement.where(table.c.customer_id.in_(chunk))
        records += session.connection().execute(statement)
    for record in records:
        try:
            date = PartialDate(record.month, record.day, record.year)
            important = ImportantDate(DateKind(record.kind), date, record.label)
        except (InvalidDate, ValueError):
            continue
        person = people[record.customer_id]
        lines = [line for line in [_since_line(date, "Since")] if line]
        lines += _contact_lines(person, settings)
        found.append(
            _yearly_entry(
                f"date:{record.id}",
                ItemKind.DATES,
                f"{important.title()}: {person.name}",
                lines,
                date,
                feb29,
                settings,
            )
        )
    return found


# --- the table ------------------------------------------------------------------------------------


def _item(record: CalendarItemRecord) -> CalendarItem:
    return CalendarItem(
        uid=record.uid,
        entry=CalendarEntry.from_json(json.loads(record.entry_json)),
        sequence=record.sequence,
        last_modified=record.last_modified.replace(tzinfo=dt.UTC),
        created=record.created_at.replace(tzinfo=dt.UTC),
        cancelled=record.cancelled,
        content_hash=record.content_hash,
    )


def _live_item(record: Any, entry: CalendarEntry) -> CalendarItem:
    """The item of a record just brought in line with ``entry`` (so its stored entry is ``entry``)."""
    return CalendarItem(
        uid=record.uid,
        entry=entry,
        sequence=record.sequence,
        last_modified=record.last_modified.replace(tzinfo=dt.UTC),
        created=record.created_at.replace(tzinfo=dt.UTC),
        cancelled=False,
        content_hash=record.content_hash,
    )


def _by(entry: CalendarEntry, last: dt.date) -> bool:
    """True when ``entry`` falls on or before ``last`` (a yearly entry always does)."""
    if entry.day is not None:
        return entry.day <= last
    if entry.at is not None:
        return entry.at.astimezone(dt.UTC).date() <= last
    return True


def _sync(
    session: Session,
    kinds: Sequence[ItemKind],
    entries: list[CalendarEntry],
    now: dt.datetime,
    last: dt.date,
    scope: set[str] | None = None,
) -> list[tuple[Any, CalendarEntry]]:
    """Bring the stored items of ``kinds`` in line with ``entries`` (see the module docstring); the
    live items' rows (as they are after this call) with their entries, by source.

    A stored one-off item after ``last`` is outside the window that was read, so its absence proves
    nothing: it is left alone rather than cancelled. With ``scope``, only the yearly items of those
    sources were read (``entries`` holds theirs alone), so only those stored yearly items are compared.

    Read as plain rows and written with one bulk UPDATE of the changed rows only: making an ORM object
    of each of 10,000 items was most of a CalDAV sync of one change (0.5 s of 0.9 s)."""
    by_source = {e.source: e for e in entries}
    existing = _stored_rows(session, kinds, scope)
    live: list[tuple[Any, CalendarEntry]] = []
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for source, entry in by_source.items():
        row = existing.get(source)
        if row is None:
            new = _new_row(entry, now)
            added.append(new)
            live.append((SimpleNamespace(**new), entry))
            continue
        values = _changes(row, entry, now)
        if values:
            changed.append({"id": row.id, **values})
            live.append((SimpleNamespace(**{**row._asdict(), **values}), entry))
        else:
            live.append((row, entry))
    for source, row in existing.items():
        if source in by_source or row.cancelled:
            continue
        if _by(CalendarEntry.from_json(json.loads(row.entry_json)), last):
            gone = {"cancelled": True, "sequence": row.sequence + 1, "last_modified": now}
            changed.append({"id": row.id, **gone})
    if changed:
        session.execute(update(CalendarItemRecord), changed)  # by primary key, grouped by the columns set
    # New items in one INSERT (the first export of a big shop makes thousands of them): SQLAlchemy's
    # executemany is one INSERT per row on PostgreSQL's side (careapp/db/fast_insert.py).
    if added:
        insert_rows(session, _ITEMS, added)
    live.sort(key=lambda pair: pair[0].source)
    return live


def _stored_rows(session: Session, kinds: Sequence[ItemKind], scope: set[str] | None) -> dict[str, Any]:
    """The stored items of ``kinds`` by source; the yearly ones only of the sources in ``scope``
    when it is given."""
    table = CalendarItemRecord.__table__
    whole = [k.value for k in kinds if scope is None or k not in YEARLY_KINDS]
    found = {row.source: row for row in session.execute(select(table).where(table.c.kind.in_(whole)))}
    yearly = [k.value for k in kinds if k in YEARLY_KINDS]
    if scope is None or not yearly:
        return found
    sources = sorted(scope)
    for start in range(0, len(sources), _IN_LIST):
        chunk = sources[start : start + _IN_LIST]
        statement = select(table).where(table.c.kind.in_(yearly), table.c.source.in_(chunk))
        found.update((row.source, row) for row in session.execute(statement))
    return found


def _yearly_scope(session: Session, yearly: Sequence[ItemKind], customers: set[int]) -> set[str]:
    """The sources of yearly items that ``customers`` may have (or had), and every stored date item
    whose date is gone (its customer's id is not in its source, and a deleted row names no one)."""
    scope: set[str] = set()
    if ItemKind.BIRTHDAYS in yearly:
        scope.update(f"birthday:{customer_id}" for customer_id in customers)
    if ItemKind.DATES in yearly:
        for chunk in _id_chunks(customers):
            assert chunk is not None
            ids = session.scalars(select(DateRecord.id).where(DateRecord.customer_id.in_(chunk)))
            scope.update(f"date:{date_id}" for date_id in ids)
        existing = {f"date:{date_id}" for date_id in session.scalars(select(DateRecord.id))}
        table = CalendarItemRecord.__table__
        stored = select(table.c.source).where(
            table.c.kind == ItemKind.DATES.value, table.c.cancelled.is_(False)
        )
        scope.update(source for source in session.scalars(stored) if source not in existing)
    return scope


def _live_yearly_uids(session: Session, yearly: Sequence[ItemKind]) -> set[str]:
    if not yearly:
        return set()
    table = CalendarItemRecord.__table__
    statement = select(table.c.uid).where(
        table.c.kind.in_([k.value for k in yearly]), table.c.cancelled.is_(False)
    )
    return set(session.scalars(statement))


def _changes(row: Any, entry: CalendarEntry, now: dt.datetime) -> dict[str, Any]:
    """The columns of a stored item that ``entry`` changes: SEQUENCE up when the date, time or
    recurrence changed (or it comes back after being cancelled); the entry, its hashes and
    LAST-MODIFIED when anything written changed."""
    content = entry.content_hash()
    if content == row.content_hash and not row.cancelled:
        return {}  # the content covers the schedule too: nothing to work out
    values: dict[str, Any] = {}
    schedule = entry.schedule_hash()
    if row.cancelled or schedule != row.schedule_hash:
        values["sequence"] = row.sequence + 1
    if row.cancelled or content != row.content_hash:
        values.update(
            entry_json=json.dumps(entry.as_json()),
            content_hash=content,
            schedule_hash=schedule,
            cancelled=False,
            last_modified=now,
        )
    return values


_IN_LIST = 10_000
_ITEMS = core_table(CalendarItemRecord)


def _file_view(session: Session, entries: list[CalendarEntry], now: dt.datetime) -> list[CalendarItem]:
    """The items ``entries`` make, as :func:`_sync` would leave them, with only new sources stored.

    Read and written with Core rows, never ORM objects: a file of everything is 150,000 items, and
    making an ORM object for each (to read it or to insert it) was most of the export's time. Only the
    columns an item needs are read (not the stored entry), and an entry whose content is unchanged is
    not hashed again for its schedule (the content covers the schedule, as in :func:`_changes`)."""
    sources = [e.source for e in entries]
    table = CalendarItemRecord.__table__
    columns = [table.c[name] for name in _FILE_VIEW_COLUMNS]
    existing: dict[str, Any] = {}
    for chunk in range(0, len(sources), _IN_LIST):  # PostgreSQL takes 65,535 parameters at most
        wanted = table.c.source.in_(sources[chunk : chunk + _IN_LIST])
        existing.update((r.source, r) for r in session.execute(select(*columns).where(wanted)))
    items: list[CalendarItem] = []
    new: dict[str, CalendarEntry] = {}  # the first entry of each source not stored yet
    again: list[CalendarEntry] = []  # any later entry of such a source: seen against the new row
    for entry in entries:
        record = existing.get(entry.source)
        if record is not None:
            items.append(_file_item(record, entry, now))
        elif entry.source in new:
            again.append(entry)
        else:
            new[entry.source] = entry
    if new:
        added = _new_rows(list(new.values()), now)
        for row, entry in zip(added, new.values(), strict=True):
            existing[entry.source] = record = SimpleNamespace(**row)
            items.append(_live_item(record, entry))
        items += [_file_item(existing[entry.source], entry, now) for entry in again]
        # Through the driver, not the ORM: its bulk insert spent as long again sorting out 150,000
        # parameter sets the first time a shop exports everything; and in one statement on PostgreSQL,
        # where an executemany is one INSERT per row on the server (careapp/db/fast_insert.py).
        insert_rows(session, _ITEMS, added)
    items.sort(key=lambda i: i.entry.source)
    return items


def _file_item(record: Any, entry: CalendarEntry, now: dt.datetime) -> CalendarItem:
    """The item of a stored ``record`` for ``entry`` as :func:`_sync` would leave it, without storing
    it: SEQUENCE up when the schedule changed, LAST-MODIFIED now when the content did."""
    item = _live_item(record, entry)
    content = entry.content_hash()
    if not record.cancelled and content == record.content_hash:
        return item  # the content covers the schedule: nothing else to work out
    if record.cancelled or entry.schedule_hash() != record.schedule_hash:
        item = replace(item, sequence=record.sequence + 1)
    return replace(item, last_modified=now.replace(tzinfo=dt.UTC), content_hash=content)


_FILE_VIEW_COLUMNS = (
    "uid", "source", "sequence", "content_hash", "schedule_hash", "created_at", "last_modified", "cancelled",
)  # fmt: skip


def _new_rows(entries: Sequence[CalendarEntry], now: dt.datetime) -> list[dict[str, Any]]:
    """:func:`_new_row` of each entry, their random UIDs drawn from the system in one read (a read
    per UID, as ``uuid.uuid4`` makes, was a tenth of a first export of everything)."""
    randomness = os.urandom(16 * len(entries))
    return [
        _new_row(entry, now, _random_uid(randomness[16 * i : 16 * i + 16])) for i, entry in enumerate(entries)
    ]


def _random_uid(sixteen: bytes) -> str:
    """What ``str(uuid.uuid4())`` makes of these 16 random bytes: the version 4 and RFC 4122 variant bits
    set, in the 8-4-4-4-12 hex form."""
    value = bytearray(sixteen)
    value[6] = (value[6] & 0x0F) | 0x40
    value[8] = (value[8] & 0x3F) | 0x80
    h = value.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_NEW_ITEM_COLUMNS = (
    "uid", "source", "kind", "entry_json", "sequence", "content_hash", "schedule_hash", "created_at",
    "last_modified", "cancelled",
)  # fmt: skip


def _new_row(entry: CalendarEntry, now: dt.datetime, uid: str | None = None) -> dict[str, Any]:
    """The columns of a new item for ``entry`` (``uid`` or a UID made now, sequence 0), as a plain dict."""
    data = entry.as_json()
    return {
        "uid": uid or str(uuid.uuid4()),
        "source": entry.source,
        "kind": entry.kind.value,
        "entry_json": json.dumps(data),
        "sequence": 0,
        "content_hash": digest(data),  # = entry.content_hash(), without making the dict again
        "schedule_hash": entry.schedule_hash(),
        "created_at": now,
        "last_modified": now,
        "cancelled": False,
    }
