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
    model.fetchMore(section)  # what Qt's view does for every open section: nobody reached the end
    assert not asked and not model.canFetchMore(section)
    model.want_more(section.row())  # the user reached the section's end
    assert asked == [(key, PAGE)]
    assert not model.canFetchMore(section)  # one request at a time
    while asked:
        wanted, offset = asked.pop(0)
        model.append(wanted, offset, list(care_services.care_queue.section(wanted, offset, PAGE)))
        model.want_more(model.section_index(wanted).row())
    qtmodeltester.check(model)
    assert not asked  # the tester's fetchMore calls fetched nothing: no section was wanted
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
    shown = page.model.rowCount(section)
    assert shown == PAGE < total
    page.model.want_more(section.row())  # as the page does when the section's end comes into view
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


def test_the_page_loads_nothing_nobody_looks_at(
    qtbot: QtBot, care_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shown at a laptop's size with every section open, the page holds the first page of each section
    and asks for nothing more however often Qt lays the tree out (issue 14: at 100,000 customers the
    view used to pull in the whole queue, 50 entries at a time, with nobody scrolling)."""
    monkeypatch.setattr(queue_page, "PAGE", PAGE)
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.attach(care_services)
    page.reload()
    for _ in range(5):
        page.tree.doItemsLayout()  # what Qt does as rows arrive; each used to fetch a page per section
        qtbot.wait(20)
    counts = page.queue.counts() if page.queue else {}
    assert page.model.fetches == 0
    assert sum(counts.values()) > len(counts) * PAGE  # there was more to load
    for key, total in counts.items():
        assert len(page.model.entries(key)) == min(PAGE, total)


def test_scrolling_to_the_end_of_a_section_loads_exactly_what_is_there(
    qtbot: QtBot, care_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_page, "PAGE", PAGE)
    key, total = biggest_section(care_services)
    full = [e.touch_id for e in dict(care_services.care_queue.queue().sections())[_title(key)]]
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.resize(900, 400)
    page.show()
    page.attach(care_services)
    page.reload()
    section = page.model.section_index(key)
    for others in range(page.model.rowCount()):  # only this section is open
        if others != section.row():
            page.tree.collapse(page.model.index(others, 0))
    rounds = 0
    while page.model.rowCount(section) < total and rounds < total:
        rounds += 1
        last = page.model.index(page.model.rowCount(section) - 1, 0, section)
        page.tree.scrollTo(last)  # the user scrolls down to the section's end
        page.want_more_in_view()
    assert [e.touch_id for e in page.model.entries(key)] == full
    assert page.model.fetches == -(-(total - PAGE) // PAGE)  # one page per scroll to the end
    page.tree.scrollToBottom()
    page.want_more_in_view()
    assert len(page.model.entries(key)) == total  # nothing more, nothing twice
