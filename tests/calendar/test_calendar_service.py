"""CalendarService on a real migrated SQLite file: UIDs made once, SEQUENCE rules, cancellation, the
feed file as a subscribing client reads it, privacy opt-ins, and ``careapp export ics``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import recurring_ical_events
import vobject
from calshop import PHONE, TODAY, Shop
from icalendar import Calendar
from sqlalchemy import select

from careapp.cli import main
from careapp.db.models import CalendarItemRecord
from careapp.domain.calendar import CalendarItem, ItemKind
from careapp.domain.customer import PartialDate
from careapp.domain.touches import TouchKind
from careapp.services.shop.staff import Actor


def by_source(items: list[CalendarItem]) -> dict[str, CalendarItem]:
    return {i.entry.source: i for i in items}


def client_view(feed: bytes, start: dt.date, end: dt.date) -> dict[str, list[dt.date]]:
    """What a subscribing client shows: summaries and the days they fall on, recurrences expanded."""
    vobject.readOne(feed.decode("utf-8"), validate=True)
    calendar = Calendar.from_ical(feed)
    shown: dict[str, list[dt.date]] = {}
    for event in recurring_ical_events.of(calendar).between(start, end):
        value = event["DTSTART"].dt
        day = value.date() if isinstance(value, dt.datetime) else value
        shown.setdefault(str(event["SUMMARY"]), []).append(day)
    return {summary: sorted(days) for summary, days in shown.items()}  # expansion order is the library's


def test_uids_are_made_once_and_sequence_rises_only_with_the_schedule(shop: Shop) -> None:
    first = by_source(shop.calendar.items())
    ann = first[f"birthday:{shop.ann}"]
    assert uuid.UUID(ann.uid).version == 4
    assert ann.sequence == 0
    assert set(first) == {f"birthday:{shop.ann}", f"birthday:{shop.bob}", f"callback:{shop.callback_contact}"}

    again = by_source(shop.calendar.items())
    assert again == first  # nothing changed: same UIDs, sequences, times

    shop.rename(shop.ann, "Anna")
    renamed = by_source(shop.calendar.items())[f"birthday:{shop.ann}"]
    assert (renamed.uid, renamed.sequence, renamed.entry.title) == (ann.uid, 0, "Birthday: Anna E.")

    shop.set_birthday(shop.ann, PartialDate(3, 1, 1996))
    moved = by_source(shop.calendar.items())[f"birthday:{shop.ann}"]
    assert (moved.uid, moved.sequence) == (ann.uid, 1)

    shop.set_birthday(shop.ann, None)
    assert f"birthday:{shop.ann}" not in by_source(shop.calendar.items())
    with shop.services.db.session() as session:
        record = session.scalars(select(CalendarItemRecord).where(CalendarItemRecord.uid == ann.uid)).one()
        assert (record.cancelled, record.sequence) == (True, 2)

    shop.set_birthday(shop.ann, PartialDate(3, 1, 1996))
    back = by_source(shop.calendar.items())[f"birthday:{shop.ann}"]
    assert (back.uid, back.sequence) == (ann.uid, 3)


def test_a_kept_callback_leaves_the_calendar(shop: Shop) -> None:
    source = f"callback:{shop.callback_contact}"
    callback = by_source(shop.calendar.items([ItemKind.CALLBACKS]))[source]
    assert callback.entry.at == dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    assert callback.entry.title == "Call back: Cat S."
    shop.services.tickets.complete_callback(Actor("Sam"), shop.callback_contact)
    assert shop.calendar.items([ItemKind.CALLBACKS]) == []


def unfolded(feed: bytes) -> str:
    return feed.decode("utf-8").replace("\r\n ", "").replace("\\n", "\n")


def test_a_short_window_neither_shows_nor_cancels_what_lies_beyond_it(shop: Shop) -> None:
    source = f"callback:{shop.callback_contact}"
    [callback] = shop.calendar.items([ItemKind.CALLBACKS])  # due tomorrow
    assert shop.calendar.items([ItemKind.CALLBACKS], TODAY, 0) == []
    [again] = shop.calendar.items([ItemKind.CALLBACKS])
    assert (again.entry.source, again.uid, again.sequence, again.cancelled) == (
        source, callback.uid, 0, False
    )  # fmt: skip


def test_privacy_by_default_and_opt_in_per_field(shop: Shop) -> None:
    feed = unfolded(shop.calendar.feed_text())
    for secret in (PHONE, "ann@example.com", "Evans", "Grinder noise", "secret note"):
        assert secret not in feed
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, include_phone=True))
    feed = unfolded(shop.calendar.feed_text())
    assert f"Phone: {PHONE}" in feed
    assert "ann@example.com" not in feed and "secret note" not in feed
    shop.calendar.save_calendar_settings(replace(settings, include_email=True, include_notes=True))
    feed = unfolded(shop.calendar.feed_text())
    assert "Email: ann@example.com" in feed and "secret note" in feed and PHONE not in feed


def test_the_feed_file_follows_a_done_touch_and_a_moved_date(shop: Shop, tmp_path: Path) -> None:
    """Read, parse and expand the feed file the way a subscribing client does after each refresh."""
    feed_path = tmp_path / "feed" / "care.ics"
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(
        replace(settings, kinds=("queue", "birthdays"), feed_path=str(feed_path))
    )
    # Birthdays as yearly events; the queue's birthday greetings then stay out (no duplicates).
    assert shop.calendar.write_feed() == feed_path
    shown = client_view(feed_path.read_bytes(), TODAY, dt.date(2027, 12, 31))
    assert shown["Birthday: Bob J."] == [dt.date(2026, 11, 25), dt.date(2027, 11, 25)]
    assert shown["Birthday: Ann E."] == [dt.date(2027, 2, 28)]

    # The queue alone: Bob's birthday greeting is a touch due on 25 November.
    shop.calendar.save_calendar_settings(replace(settings, kinds=("queue",), feed_path=str(feed_path)))
    shop.calendar.write_feed()
    shown = client_view(feed_path.read_bytes(), TODAY, dt.date(2026, 12, 31))
    assert shown == {"Birthday greeting: Bob J.": [dt.date(2026, 11, 25)]}

    queue = shop.services.care_queue.queue(TODAY)
    [touch] = [e for e in queue.entries() if e.kind is TouchKind.BIRTHDAY and e.customer_id == shop.bob]
    shop.services.staff.add(None, "Olivia")
    shop.services.care_queue.done(Actor("Olivia"), touch.touch_id)
    shop.calendar.write_feed()
    assert client_view(feed_path.read_bytes(), TODAY, dt.date(2026, 12, 31)) == {}

    shop.calendar.save_calendar_settings(replace(settings, kinds=("birthdays",), feed_path=str(feed_path)))
    shop.set_birthday(shop.bob, PartialDate(12, 2))
    shop.calendar.write_feed()
    shown = client_view(feed_path.read_bytes(), TODAY, dt.date(2026, 12, 31))
    assert shown["Birthday: Bob J."] == [dt.date(2026, 12, 2)]
    text = feed_path.read_text()
    assert "SEQUENCE:1" in text  # Bob's moved birthday
    assert list(feed_path.parent.iterdir()) == [feed_path]  # atomic: no temporary file left


@pytest.mark.parametrize("rule", ["feb28", "mar1"])
def test_the_shops_29_february_rule_reaches_the_feed(shop: Shop, rule: str) -> None:
    shop.services.settings.save_shop(replace(shop.services.settings.shop(), feb29_observed_on=rule))
    feed = shop.calendar.feed_text([ItemKind.BIRTHDAYS])
    shown = client_view(feed, dt.date(2027, 1, 1), dt.date(2029, 1, 1))
    expected_2027 = dt.date(2027, 2, 28) if rule == "feb28" else dt.date(2027, 3, 1)
    assert shown["Birthday: Ann E."] == [expected_2027, dt.date(2028, 2, 29)]


def test_export_ics_command(shop: Shop, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = data_dir.parent / "out.ics"
    code = main(
        ["--data-dir", str(data_dir), "export", "ics", str(target), "--from", "2026-11-23", "--days", "10",
         "--kinds", "birthdays,callbacks"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "Wrote 3 calendar events" in out
    assert "later changes in careapp will not follow" in out
    shown = client_view(target.read_bytes(), dt.date(2026, 11, 23), dt.date(2026, 12, 1))
    assert shown == {
        "Birthday: Bob J.": [dt.date(2026, 11, 25)],
        "Call back: Cat S.": [dt.date(2026, 11, 24)],
    }


def test_export_ics_rejects_unknown_kinds(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--data-dir", str(data_dir), "export", "ics", "x.ics", "--kinds", "birthdays,nope"])
    assert "'nope' is not a kind of calendar item" in capsys.readouterr().err
