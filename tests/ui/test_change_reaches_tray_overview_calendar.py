"""What the user just did reaches the tray, the Overview and the calendar feed too (issue 14): within
2 s of the change, with no F5, no refresh timer and no calendar timer.

The real main window on a real migrated SQLite file with the real database thread, as in
tests/ui/test_care_follows_changes.py (whose start-up these tests share), plus what those tests leave
out: a tray to count in (the offscreen platform has none, so the care controller is given one that
is there), a calendar feed file (the calendar settings' "feed_path", with only the queue's touches in
it), and the Overview page. Both timers (the touches' refresh, the calendar's 15-minute update) are
stopped once the start's own work is over, so only the change can move what is checked.

The clock stands on Monday 23 November 2026, 09:30 (tests/conftest.py): a birthday on 23 November is
a greeting due today, which the tray counts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar
import pytest

from careapp.context import calendar_service
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, PartialDate
from careapp.services.shop.staff import Actor
from careapp.ui.care.queue_page import PAGE
from careapp.ui.main_window import MainWindow
from careapp.ui.tray import CareTray
from tests.ui.conftest import make_window
from tests.ui.test_care_follows_changes import WITHIN, attach_without_timer, save_birthday_in_editor, shows

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.runner import ThreadedRunner
    from tests.ui.conftest import ScriptedPrompts

AGREED = ConsentEvent(Channel.EMAIL, True, dt.datetime(2026, 1, 5), "web form", "Jo")


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return tmp_path / "feed" / "care.ics"


@pytest.fixture
def window(
    qtbot: QtBot,
    threaded_runner: ThreadedRunner,
    services: Services,
    tmp_path: Path,
    prompts: ScriptedPrompts,
    feed: Path,
) -> MainWindow:
    calendar = calendar_service(services)
    settings = replace(calendar.calendar_settings(), kinds=("queue",), feed_path=str(feed))
    calendar.save_calendar_settings(settings)
    main = make_window(qtbot, threaded_runner, tmp_path, prompts)
    main.care.tray = CareTray(available=lambda: True, parent=main.care)  # what a desktop with a tray has
    attach_without_timer(qtbot, main, services)
    # The calendar is attached once the first queue has come, and writes the feed once at once.
    background = main.calendar.background
    qtbot.waitUntil(lambda: main.calendar.jobs is not None and background.runs > 0, timeout=15000)
    qtbot.waitUntil(background.is_idle, timeout=15000)
    background.timer.stop()
    assert feed.exists() and main.care.tray.count == 0
    return main


def feed_names(feed: Path) -> list[str]:
    """The summaries of the feed's events, as a subscribing calendar reads them."""
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    return [str(event.get("SUMMARY", "")) for event in calendar.walk("VEVENT")]


def due_today_tile(window: MainWindow) -> str:
    return window.care.dashboard.tiles["today"].value.text()


def within_the_bar(qtbot: QtBot, since: float, what: Callable[[], bool]) -> None:
    """``what`` comes true within :data:`WITHIN` ms of ``since`` (a time.monotonic() reading)."""
    left = WITHIN - int((time.monotonic() - since) * 1000)
    qtbot.waitUntil(what, timeout=max(left, 1))


def ann_with_consent(qtbot: QtBot, window: MainWindow, services: Services) -> int:
    """Ann, who may be emailed and has no birthday yet: nothing due for her, in the queue or elsewhere."""
    ann = services.customers.create(
        CustomerDraft(first_name="Ann", last_name="Evans", emails=[EmailAddress("ann@example.com")]), "Sam"
    )
    services.customers.record_consents([ann.id], [Channel.EMAIL], AGREED)
    settle(qtbot, window)
    return ann.id


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """What the last change set off is over: the refresh, the queue's reload, the calendar's update."""
    scheduler = window.care.scheduler
    assert scheduler is not None
    qtbot.waitUntil(lambda: not scheduler._running, timeout=5000)
    qtbot.waitUntil(lambda: not window.runner.is_busy(), timeout=5000)  # type: ignore[attr-defined]
    qtbot.waitUntil(window.calendar.background.is_idle, timeout=10000)
    qtbot.waitUntil(lambda: not window.runner.is_busy(), timeout=5000)  # type: ignore[attr-defined]


def test_a_birthday_set_to_today_in_the_editor_reaches_the_tray_overview_and_feed(
    qtbot: QtBot, window: MainWindow, services: Services, feed: Path
) -> None:
    ann_id = ann_with_consent(qtbot, window, services)
    window.show_page(window.care.dashboard)  # the owner watches the Overview while staff edit
    dashboard = window.care.dashboard
    qtbot.waitUntil(lambda: dashboard.overview is not None and due_today_tile(window) == "0", timeout=5000)
    tray = window.care.tray
    assert (tray.count, tray.tool_tip()) == (0, "careapp: 0 due")
    assert not any("Ann" in name for name in feed_names(feed))

    since = save_birthday_in_editor(qtbot, window, ann_id, PartialDate(11, 23, 1990))
    assert services.customers.get(ann_id).birthday == PartialDate(11, 23, 1990)

    within_the_bar(qtbot, since, lambda: tray.count == 1)
    assert tray.tool_tip() == "careapp: 1 due"
    assert any(e.customer_name.startswith("Ann") for e in window.care.queue_page.model.entries("today"))
    within_the_bar(qtbot, since, lambda: due_today_tile(window) == "1")
    within_the_bar(qtbot, since, lambda: feed.exists() and any("Ann" in n for n in feed_names(feed)))


def test_a_change_only_the_database_tells_of_reaches_the_tray_overview_and_feed(
    qtbot: QtBot, window: MainWindow, services: Services, feed: Path
) -> None:
    """No screen says "customers changed" here (a write through the services, as another part of
    careapp makes one): only the commit's listener wakes the care controller, and only its
    "refreshed" can move the tray, the Overview and the calendar."""
    ann_id = ann_with_consent(qtbot, window, services)
    window.show_page(window.care.dashboard)
    dashboard = window.care.dashboard
    qtbot.waitUntil(lambda: dashboard.overview is not None and due_today_tile(window) == "0", timeout=5000)
    window.show_page(window.care.queue_page)  # the Overview is not showing when the change comes
    qtbot.wait(100)
    tray = window.care.tray
    assert tray.count == 0 and not any("Ann" in name for name in feed_names(feed))

    ann = services.customers.get(ann_id)
    draft = ann.draft()
    draft.birthday = PartialDate(11, 23, 1990)
    since = time.monotonic()
    services.customers.update(ann_id, draft, ann.version, "Sam")

    within_the_bar(qtbot, since, lambda: shows(window, "Ann", "birthday"))
    within_the_bar(qtbot, since, lambda: tray.count == 1)
    assert tray.tool_tip() == "careapp: 1 due"
    within_the_bar(qtbot, since, lambda: feed.exists() and any("Ann" in n for n in feed_names(feed)))
    window.show_page(window.care.dashboard)  # the owner looks now: the figures are new
    within_the_bar(qtbot, since, lambda: due_today_tile(window) == "1")


def test_the_calendars_own_update_sets_off_no_refresh_of_the_touches(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Writing the feed only keeps the calendar's items up to date: heard as a change, it set off a
    refresh of the touches, whose end asked the calendar to update again, every two seconds for
    as long as careapp ran. (The commit's listener is heard before the update's result comes back.)"""
    scheduler = window.care.scheduler
    assert scheduler is not None
    refreshes, background = scheduler.refreshes, window.calendar.background
    with qtbot.waitSignal(background.finished, timeout=10000):
        window.calendar.changed()
    qtbot.wait(100)
    assert scheduler.refreshes == refreshes
    assert background.is_idle()


def test_the_tray_counts_every_touch_due_not_the_first_page_of_them(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    """The queue page reads a section 50 entries at a time; the tray's count is what is due in all."""
    care = services.touches.care_settings()
    services.touches.save_care_settings(Actor("Sam"), replace(care, daily_limit=None))  # all due today
    draft = CustomerDraft(first_name="Guest", emails=[EmailAddress("guest@example.com")])
    people = [services.customers.create(draft, "Sam").id for _ in range(PAGE + 10)]
    services.customers.record_consents(people, [Channel.EMAIL], AGREED)
    settle(qtbot, window)
    page, tray = window.care.queue_page, window.care.tray
    assert tray.count == 0
    for customer_id in people:  # their birthdays are today
        customer = services.customers.get(customer_id)
        services.customers.update(
            customer_id, replace(draft, birthday=PartialDate(11, 23)), customer.version, "Sam"
        )
    since = time.monotonic()

    def counted() -> bool:
        counts = page.queue.counts() if page.queue is not None else {}
        due = counts.get("overdue", 0) + counts.get("today", 0)
        return due == PAGE + 10 and tray.count == due

    within_the_bar(qtbot, since, counted)
    assert tray.tool_tip() == f"careapp: {PAGE + 10} due"
    assert page.queue is not None and len(page.queue.due_today) == PAGE  # the page holds the first 50
