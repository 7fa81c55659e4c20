"""The items of an .ics file made the first time in bulk (UIDs drawn at once, one INSERT beside the ORM
that still counts as a calendar write), and read again without re-hashing what did not change."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from calshop import Shop

from careapp.db.changes import read_counters
from careapp.domain.calendar import CalendarEntry
from careapp.services.calendar import service as calendar_module


def _everything(shop: Shop) -> None:
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(
        replace(settings, kinds=("birthdays", "queue", "callbacks"), days=366)
    )


def test_a_first_export_stores_new_items_with_random_uids_and_counts_as_a_calendar_write(
    shop: Shop, tmp_path: Path
) -> None:
    _everything(shop)
    with shop.services.db.session() as session:
        before = read_counters(session)["calendar"]

    written = shop.calendar.export_ics(tmp_path / "all.ics")

    with shop.services.db.session() as session:
        assert read_counters(session)["calendar"] > before  # other seats see the new items
    uids = [line[4:] for line in (tmp_path / "all.ics").read_text().splitlines() if line.startswith("UID:")]
    assert len(uids) == written == len(set(uids)) >= 3
    assert all(uuid.UUID(uid).version == 4 and str(uuid.UUID(uid)) == uid for uid in uids)
    assert [item.uid for item in shop.calendar.file_items()] == uids  # stored: the next file keeps them


def test_the_random_uid_is_what_uuid4_makes_of_the_same_bytes() -> None:
    for seed in (bytes(16), bytes(range(16)), b"\xff" * 16):
        assert calendar_module._random_uid(seed) == str(uuid.UUID(bytes=seed, version=4))


def test_an_unchanged_item_is_not_hashed_again_for_its_schedule(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _everything(shop)
    first = shop.calendar.file_items()
    schedules: list[str] = []
    real = CalendarEntry.schedule_hash

    def counting(entry: CalendarEntry) -> str:
        schedules.append(entry.source)
        return real(entry)

    monkeypatch.setattr(CalendarEntry, "schedule_hash", counting)
    assert shop.calendar.file_items() == first
    assert schedules == []

    shop.rename(shop.bob, "Bobby")  # new words, same day: hashed, and no new SEQUENCE
    renamed = {item.entry.source: item for item in shop.calendar.file_items()}
    bob = renamed[f"birthday:{shop.bob}"]
    assert schedules == [f"birthday:{shop.bob}"]
    old = next(item for item in first if item.entry.source == bob.entry.source)
    assert (bob.uid, bob.sequence) == (old.uid, old.sequence)
    assert bob.content_hash != old.content_hash


def test_the_file_is_written_an_event_at_a_time_as_the_whole_feed_would_be(
    shop: Shop, tmp_path: Path
) -> None:
    import io

    from careapp.exporting.ics_export import feed_bytes, write_feed

    _everything(shop)
    target = tmp_path / "all.ics"
    shop.calendar.export_ics(target)
    items = shop.calendar.file_items()
    stamp = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    handle = io.BytesIO()

    assert write_feed(items, "Bean There", stamp, handle) == len(items) >= 3
    assert handle.getvalue() == feed_bytes(items, "Bean There", stamp)
    stamped = [line for line in target.read_bytes().split(b"\r\n") if not line.startswith(b"DTSTAMP:")]
    expected = feed_bytes(items, shop.calendar.calendar_name(), stamp)
    assert stamped == [line for line in expected.split(b"\r\n") if not line.startswith(b"DTSTAMP:")]


def test_a_failed_write_leaves_the_old_file(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "all.ics"
    target.write_bytes(b"yesterday's calendar")

    def failing(*args: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(calendar_module, "write_feed", failing)
    with pytest.raises(OSError):
        shop.calendar.export_ics(target)
    assert target.read_bytes() == b"yesterday's calendar"
    assert [p.name for p in target.parent.iterdir()] == ["all.ics"]  # no half-written file left


def test_the_garbage_collector_is_paused_while_the_file_is_made_and_then_restored(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    during: list[bool] = []
    real = calendar_module.write_feed

    def spy(*args: object) -> int:
        during.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(calendar_module, "write_feed", spy)
    assert gc.isenabled()
    shop.calendar.export_ics(tmp_path / "all.ics")
    assert during == [False] and gc.isenabled()


def test_important_dates_come_as_yearly_items_with_their_title_and_year(shop: Shop, tmp_path: Path) -> None:
    from careapp.domain.customer import DateKind, ImportantDate, PartialDate

    customers = shop.services.customers
    ann = customers.get(shop.ann)
    dates = [
        ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 19, 2010)),
        ImportantDate(DateKind.CUSTOM, PartialDate(1, 2), "Name day"),
    ]
    customers.update(shop.ann, replace(ann.draft(), dates=dates), ann.version, "test")
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, kinds=("dates",)))

    items = {item.entry.title: item.entry for item in shop.calendar.file_items()}

    assert set(items) == {"Anniversary: Ann E.", "Name day: Ann E."}
    assert items["Anniversary: Ann E."].yearly == PartialDate(6, 19, 2010)
    assert items["Anniversary: Ann E."].description.startswith("Since 2010.")
    assert items["Name day: Ann E."].yearly == PartialDate(1, 2)
    assert all(entry.source.startswith("date:") for entry in items.values())
