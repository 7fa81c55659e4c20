"""The care queue screen with a big queue: the stored queue first, then pages of each section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from careapp.services.shop.staff import Actor
from careapp.ui.care import queue_page, snapshot
from careapp.ui.care.queue_model import CareQueueModel, Roles
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

PAGE = 3


@pytest.fixture
def care_services(demo_services: Services) -> Services:
    demo_services.touches.refresh()
    return demo_services


def biggest_section(services: Services) -> tuple[str, int]:
    counts = services.care_queue.queue().counts()
    key = max(counts, key=lambda k: counts[k])
    assert counts[key] > 2 * PAGE  # the demo shop has a section several pages long
    return key, counts[key]


def test_a_section_shows_its_full_size_and_loads_the_rest_page_by_page(
    qtmodeltester: Any, care_services: Services
) -> None:
    key, total = biggest_section(care_services)
    full = [e.touch_id for e in dict(care_services.care_queue.queue().sections())[_title(key)]]
    model = CareQueueModel()
    asked: list[tuple[str, int]] = []
    model.moreWanted.connect(lambda k, offset: asked.append((k, offset)))
    model.set_queue(care_services.care_queue.queue(page=PAGE))
    section = model.section_index(key)
    assert model.rowCount(section) == PAGE
    assert model.data(section, Roles.COUNT) == total
    model.fetchMore(section)
    assert not model.canFetchMore(section)  # one request at a time
    while asked:
        wanted, offset = asked.pop(0)
        model.append(wanted, offset, list(care_services.care_queue.section(wanted, offset, PAGE)))
        model.fetchMore(model.section_index(wanted))
    qtmodeltester.check(model)  # (it fetches more of the other sections too, answered below)
    while asked:
        wanted, offset = asked.pop(0)
        model.append(wanted, offset, list(care_services.care_queue.section(wanted, offset, PAGE)))
    assert [e.touch_id for e in model.entries(key)] == full
    qtmodeltester.check(model)


def test_the_page_shows_the_stored_queue_at_once_then_the_fresh_one(
    qtbot: QtBot, care_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_page, "PAGE", PAGE)
    key, total = biggest_section(care_services)
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.attach(care_services)  # no reload yet: what was planned before is on screen
    assert page.queue is not None
    section = page.model.section_index(key)
    assert page.model.data(section, Roles.COUNT) == total
    shown = page.model.rowCount(section)  # a page, and more if the view asked to fill itself
    assert PAGE <= shown < total
    assert page.model.canFetchMore(section)
    page.model.fetchMore(section)  # as the view does at a section's end
    assert page.model.rowCount(section) == shown + PAGE
    page.reload()  # keeps what was loaded so far
    assert page.model.rowCount(section) >= shown + PAGE


def _title(key: str) -> str:
    return {
        "overdue": "Overdue",
        "today": "Today",
        "next_7_days": "Next 7 days",
        "next_30_days": "Next 30 days",
        "held": "Held",
        "carried_over": "Carried over to tomorrow",
    }[key]


def test_the_next_start_shows_the_saved_copy_before_the_database_is_open(
    qtbot: QtBot, care_services: Services, tmp_path: Path
) -> None:
    url = "sqlite:///somewhere/careapp.db"
    today = care_services.touches.today()
    first = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(first)
    assert not first.show_snapshot(tmp_path, url, today)  # nothing kept yet
    first.attach(care_services)
    first.reload()
    assert first.queue is not None
    assert (tmp_path / snapshot.FILE_NAME).stat().st_mode & 0o077 == 0  # the user's eyes only

    again = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(again)
    assert again.show_snapshot(tmp_path, url, today)
    assert again.queue is not None
    assert again.queue.counts() == first.queue.counts()
    for key in first.queue.counts():  # each section's first page, as it was shown
        shown = [e.touch_id for e in first.model.entries(key)][: queue_page.PAGE]
        assert [e.touch_id for e in again.model.entries(key)] == shown
    assert not again.done_action.isEnabled()  # nothing can be done before the database is open
    assert "as at the last start" in again.counts.text()

    other = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(other)
    assert not other.show_snapshot(tmp_path, "sqlite:///another.db", today)  # another database's copy
    assert not other.show_snapshot(tmp_path, url, today + dt.timedelta(days=1))  # yesterday's copy
