"""``export ics`` (and the feed and CalDAV items) read the care queue's stored plan, brought up to date
only for the customers who changed: never a plan of everyone, which is the touches' refresh's job (at
100,000 customers it was 34 s of a 57 s export). The queue's items still come, and an edit since the
last refresh is still seen."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from calshop import TODAY, Shop

from careapp.domain.customer import PartialDate
from careapp.domain.touches import TouchKind
from careapp.services.care import queue as care_queue_module


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``full`` argument of every ensure_planned the care queue makes (True: everyone planned)."""
    asked: list[bool] = []
    real = care_queue_module.ensure_planned

    def spy(*args: object, full: bool = True, **kwargs: object) -> object:
        asked.append(full)
        return real(*args, full=full, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(care_queue_module, "ensure_planned", spy)
    return asked


def test_an_ics_export_of_the_queue_reads_the_stored_plan(
    shop: Shop, plans: list[bool], tmp_path: Path
) -> None:
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, kinds=("queue",)))
    target = tmp_path / "queue.ics"

    written = shop.calendar.export_ics(target)

    assert plans and not any(plans)  # the queue was read, and never planned for everyone
    text = target.read_text(encoding="utf-8")
    assert written == text.count("BEGIN:VEVENT") >= 1
    assert "Birthday greeting: Bob J." in text


def test_the_items_are_those_a_plan_of_everyone_gives(shop: Shop, plans: list[bool]) -> None:
    """After edits since the last refresh (only their dirty marks), the queue items read from the
    stored plan are the ones a plan of everyone gives."""
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, kinds=("queue",), days=366))
    shop.set_birthday(shop.ann, PartialDate(12, 2, 1996))
    shop.rename(shop.bob, "Bobby")

    read = {item.entry.source: item.entry.title for item in shop.calendar.file_items()}

    assert not any(plans)
    last = TODAY + dt.timedelta(days=366)
    everyone = shop.services.care_queue.queue(TODAY, plan_all=True)
    assert plans[-1] is True  # the comparison did plan everyone
    planned = {
        f"touch:{e.key}"
        for e in everyone.entries()
        if e.kind is not TouchKind.CALLBACK and e.status != "carried_over" and e.day <= last
    }
    assert set(read) == planned and planned
    assert any("Bobby J." in title for title in read.values())


def test_the_queue_items_do_not_load_the_customers_facts(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item takes its words from the stored plan and the people the calendar reads: loading every
    customer's facts (purchases, contacts, consents) for a year's queue was half of an export."""
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, kinds=("queue",), days=366))
    loads: list[object] = []
    real = care_queue_module.load_facts

    def spy(*args: object, **kwargs: object) -> object:
        loads.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(care_queue_module, "load_facts", spy)

    written = shop.calendar.export_ics(tmp_path / "queue.ics")

    assert loads == []
    text = (tmp_path / "queue.ics").read_text(encoding="utf-8")
    expected = shop.calendar.file_items()
    assert [line for line in text.splitlines() if line.startswith("UID:")] == [
        f"UID:{item.uid}" for item in expected
    ]
    assert "Birthday greeting: Bob J." in text
    assert written == len(expected) >= 1


def test_the_touches_carried_over_to_tomorrow_are_not_read(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A calendar has no place for the touches carried over past the daily limit, so their section is
    not read at all (at 100,000 customers it is half of the queue: 66,000 of 125,000 touches)."""
    from careapp.services.care import sections as sections_module

    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(replace(settings, kinds=("queue",), days=366))
    read: list[str] = []
    real = sections_module.Sections.rows

    def spy(self: object, session: object, key: str, *args: object) -> object:
        read.append(key)
        return real(self, session, key, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sections_module.Sections, "rows", spy)

    written = shop.calendar.export_ics(tmp_path / "queue.ics")

    assert written >= 1 and "today" in read and "next_30_days" in read
    assert "carried_over" not in read
    read.clear()
    shop.services.care_queue.queue(TODAY)  # the queue page's read still has the section
    assert "carried_over" in read
