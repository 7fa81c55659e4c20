"""The tray icon: the count of due touches, its menu, a notification for newly due touches, and
nothing at all where the desktop has no tray."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QColor

from careapp.services.care.queue import CareQueue
from careapp.ui.theme import app_icon
from careapp.ui.tray import CareTray, badge_icon

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.care.queue import QueueEntry


def queue_of(services: Services) -> CareQueue:
    services.touches.refresh()
    return services.care_queue.queue()


def with_due(queue: CareQueue, entries: list[QueueEntry]) -> CareQueue:
    return replace(queue, overdue=tuple(entries), due_today=())


def test_without_a_system_tray_nothing_happens(demo_services: Services) -> None:
    tray = CareTray(available=lambda: False)
    assert not tray.available and tray.icon is None and tray.menu is None
    tray.update_queue(queue_of(demo_services))
    tray.set_count(3)
    tray.hide()
    assert tray.notifications == [] and tray.tool_tip() == ""


def test_the_icon_says_how_many_are_due_and_its_menu_offers_show_log_call_and_quit(
    qtbot: QtBot, demo_services: Services
) -> None:
    log_call = QAction("&Log a call…")
    tray = CareTray(available=lambda: True, log_call=log_call)
    assert tray.available and tray.menu is not None
    assert [a.text() for a in tray.menu.actions() if not a.isSeparator()] == [
        "&Show careapp",
        "&Log a call…",
        "&Quit",
    ]
    queue = queue_of(demo_services)
    tray.update_queue(queue)
    due = len(queue.overdue) + len(queue.due_today)
    assert due > 0 and tray.count == due
    assert tray.tool_tip() == f"careapp: {due} due"
    with qtbot.waitSignal(tray.showRequested):
        tray.menu.actions()[0].trigger()
    with qtbot.waitSignal(tray.quitRequested):
        tray.menu.actions()[-1].trigger()
    tray.hide()


def test_a_notification_only_for_touches_newly_due(demo_services: Services) -> None:
    tray = CareTray(available=lambda: True)
    queue = queue_of(demo_services)
    first, second, *rest = queue.overdue
    tray.update_queue(with_due(queue, [first, second]))
    assert tray.notifications == [
        ("2 touches are due", f"For {first.customer_name}, {second.customer_name}.")
    ]
    tray.update_queue(with_due(queue, [second]))  # one was done: nothing new
    assert len(tray.notifications) == 1 and tray.count == 1
    tray.update_queue(with_due(queue, [second, rest[0]]))
    assert tray.notifications[-1] == ("A touch is due", f"{rest[0].customer_name}: {rest[0].description}")
    tray.update_queue(with_due(queue, [second, rest[0], *rest[1:6]]))
    title, text = tray.notifications[-1]
    assert title == "5 touches are due" and text.endswith(" and 2 more.")
    tray.hide()


def test_nothing_due_at_start_means_no_notification(demo_services: Services) -> None:
    tray = CareTray(available=lambda: True)
    empty = CareQueue(dt.date(2026, 11, 23), (), (), (), (), (), ())
    tray.update_queue(empty)
    assert tray.notifications == [] and tray.tool_tip() == "careapp: 0 due"
    tray.hide()


def test_the_badge_is_painted_on_the_icon() -> None:
    plain = badge_icon(app_icon(), 0).pixmap(64, 64).toImage()
    badged = badge_icon(app_icon(), 7).pixmap(64, 64).toImage()
    assert plain.size() == badged.size()
    corner = badged.pixelColor(badged.width() - 16, badged.height() - 24)
    assert corner != plain.pixelColor(plain.width() - 16, plain.height() - 24)
    red = QColor("#c62828")
    edge = badged.pixelColor(badged.width() - 4, badged.height() - 17)
    assert abs(edge.red() - red.red()) < 40 and edge.green() < 90
    many = badge_icon(app_icon(), 250).pixmap(64, 64).toImage()
    assert many != badged  # "99+" is wider than "7"
