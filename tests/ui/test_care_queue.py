"""The care queue screen: its model, the sections, done / snooze / skip with the keyboard and buttons."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from careapp.domain.care_queue import CHANNEL_WORDS, TouchOutcome
from careapp.domain.touches import TouchKind
from careapp.services.shop.staff import Actor, Role
from careapp.ui.care.queue_model import CareQueueModel, Roles
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.runner import SyncRunner
from tests.ui.tab_walk import accessible_name, controls, describe

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.care.queue import QueueEntry

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def care_services(demo_services: Services) -> Services:
    """The demo shop with its touches generated for the fixed day (23 November 2026)."""
    demo_services.touches.refresh()
    return demo_services


@pytest.fixture
def page(qtbot: QtBot, care_services: Services) -> CareQueuePage:
    widget = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.attach(care_services)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload()
    qtbot.waitUntil(lambda: widget.queue is not None)
    return widget


def section_ids(page: CareQueuePage, key: str) -> list[int]:
    return [entry.touch_id for entry in page.model.entries(key)]


def contacts_of(services: Services, customer_id: int, staff: str = "Sam") -> list[str]:
    """The contacts on the customer's timeline logged by ``staff``: "title: summary"."""
    return [
        f"{e.title}: {e.detail}"
        for e in services.customers.timeline(customer_id)
        if e.kind == "contact" and e.title.endswith(f" with {staff}")
    ]


def first_overdue(page: CareQueuePage) -> QueueEntry:
    page.select_touch(page.model.entries("overdue")[0].touch_id)
    entry = page.current_entry()
    assert entry is not None
    return entry


def test_the_model_passes_the_model_tester_and_merges_changes_in_place(
    qtmodeltester: Any, care_services: Services
) -> None:
    model = CareQueueModel()
    queue = care_services.care_queue.queue()
    model.set_queue(queue)
    qtmodeltester.check(model)
    assert model.rowCount() == 6
    overdue = model.section_index("overdue")
    assert model.rowCount(overdue) == len(queue.overdue) > 2
    assert model.data(overdue) == f"Overdue ({len(queue.overdue)})"
    assert model.data(overdue, Roles.IS_SECTION) is True
    first = model.index(0, 0, overdue)
    assert model.data(first, Roles.TOUCH_ID) == queue.overdue[0].touch_id
    assert model.data(first, Roles.CUSTOMER_ID) == queue.overdue[0].customer_id
    assert model.data(first, Roles.SECTION) is None
    assert model.roleNames()[int(Roles.TOUCH_ID)] == b"touchId"
    kept = QPersistentModelIndex(model.index(2, 0, overdue))
    kept_id = model.data(kept, Roles.TOUCH_ID)
    # Another seat does the first overdue touch: one row goes, the others stay where they are.
    care_services.care_queue.done(Actor("Jo"), queue.overdue[0].touch_id)
    removed: list[tuple[str, int, int]] = []
    model.rowsRemoved.connect(
        lambda parent, first_row, last_row: removed.append(
            (model.data(parent, Roles.SECTION), first_row, last_row)
        )
    )
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_queue(care_services.care_queue.queue())
    qtmodeltester.check(model)
    # The daily limit lets the oldest carried-over touch into the overdue section in its place.
    assert removed == [("overdue", 0, 0), ("carried_over", 0, 0)] and resets == []
    assert kept.isValid() and model.data(kept, Roles.TOUCH_ID) == kept_id and kept.row() == 1
    model.clear()
    qtmodeltester.check(model)
    assert model.rowCount(model.section_index("overdue")) == 0


def test_the_queue_shows_sections_with_who_why_channel_due_and_context(
    page: CareQueuePage, care_services: Services
) -> None:
    queue = care_services.care_queue.queue()
    assert page.title.text() == "Care queue for Monday 23 November 2026"
    counts = queue.counts()
    assert page.counts.text().startswith(f"{counts['overdue']} overdue · {counts['today']} today")
    assert f"{counts['held']} held" in page.counts.text()
    model = page.model
    sections = [model.data(model.index(row, 0)) for row in range(model.rowCount())]
    # The demo shop has follow-ups and greetings due today; old check-ins no longer push them all to
    # "Carried over" (issue 14: the queue used to say "Today (0)" here).
    assert counts["today"] > 0
    assert sections[:4] == [
        f"Overdue ({counts['overdue']})",
        f"Today ({counts['today']})",
        f"Next 7 days ({counts['next_7_days']})",
        f"Next 30 days ({counts['next_30_days']})",
    ]
    # A birthday in the coming month: who, why, channel, when, and what to know.
    birthday = next(e for e in queue.next_30_days if e.kind is TouchKind.BIRTHDAY and e.context.age_turning)
    index = model.find(birthday.touch_id)
    row = [model.data(index.siblingAtColumn(column)) for column in range(model.columnCount())]
    assert row[0] == birthday.customer_name
    assert row[1] == birthday.description and "turns" in row[1]
    assert row[2] in ("Email", "SMS", "Phone", "Post")
    ahead = (birthday.day - TODAY).days
    hint = f"in {ahead} days" if ahead < 14 else f"in {ahead // 7} weeks"
    day = birthday.day
    assert row[3] == f"{day.strftime('%a')} {day.day} {day.strftime('%b')} · {hint}"
    assert row[4].startswith(f"turning {birthday.context.age_turning}")
    page.select_touch(birthday.touch_id)
    assert page.details.name.text() == birthday.customer_name
    assert f"Turning {birthday.context.age_turning}" in page.details.context.text()
    held = queue.held[0]
    assert model.data(model.find(held.touch_id).siblingAtColumn(4)) == held.reason
    assert page.tree.isExpanded(model.section_index("overdue"))


def test_ctrl_d_marks_the_touch_done_logs_a_contact_and_moves_on(
    qtbot: QtBot, page: CareQueuePage, care_services: Services
) -> None:
    entry = first_overdue(page)
    second = page.model.entries("overdue")[1]
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: entry.touch_id not in section_ids(page, "overdue"))
    assert page.status.text() == f"Done: check-in for {entry.customer_name}, logged as a contact."
    current = page.current_entry()
    assert current is not None and current.touch_id == second.touch_id
    assert contacts_of(care_services, entry.customer_id) == [
        f"Outgoing {entry.channel} with Sam: Check-in, by {CHANNEL_WORDS[entry.channel]}"  # type: ignore[index]
    ]
    [log] = care_services.care_queue.history(entry.customer_id)
    assert (log.outcome, log.who) == (TouchOutcome.DONE, "Sam")
    qtbot.waitUntil(lambda: "done by Sam" in page.details.history.text() or page.details.entry != entry)


def test_snooze_quick_choice_moves_the_touch_to_its_day(
    qtbot: QtBot, page: CareQueuePage, care_services: Services
) -> None:
    entry = first_overdue(page)
    page._fill_snooze_menu()
    labels = [a.text() for a in page.snooze_menu.actions() if not a.isSeparator()]
    assert labels == [
        "&Tomorrow (Tuesday 24 November 2026)",
        "Next &week (Monday 30 November 2026)",
        "In a &month (Wednesday 23 December 2026)",
        "Pick a &day…",
    ]
    page.snooze_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: page.model.section_of(entry.touch_id) == "next_7_days")
    moved = page.model.entry(page.model.find(entry.touch_id))
    assert moved is not None and moved.day == dt.date(2026, 11, 30)
    assert page.status.text().startswith("Snoozed: check-in for")
    assert contacts_of(care_services, entry.customer_id) == []  # a snooze reaches nobody
    [log] = care_services.care_queue.history(entry.customer_id)
    assert (log.outcome, log.who, log.note) == (TouchOutcome.SNOOZED, "Sam", "until 30 November 2026")


def test_snooze_to_a_picked_day(qtbot: QtBot, page: CareQueuePage) -> None:
    entry = first_overdue(page)
    dialog = page.pick_snooze_day()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.calendar.minimumDate().toPython() == dt.date(2026, 11, 24)
    dialog.set_day(dt.date(2026, 12, 10))
    assert dialog.choice.text() == "Thursday 10 December 2026"
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.model.section_of(entry.touch_id) == "next_30_days")


def test_skip_asks_why_and_the_touch_is_gone_for_good(
    qtbot: QtBot, page: CareQueuePage, care_services: Services
) -> None:
    entry = first_overdue(page)
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = page.skip_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert not dialog.skip_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "Moved away")
    assert dialog.skip_button.isEnabled()
    dialog.skip_button.click()
    qtbot.waitUntil(lambda: page.model.find(entry.touch_id).isValid() is False)
    assert page.status.text() == f"Skipped: check-in for {entry.customer_name} (Moved away)."
    [log] = care_services.care_queue.history(entry.customer_id)
    assert (log.outcome, log.note) == (TouchOutcome.SKIPPED, "Moved away")
    care_services.touches.refresh()
    assert care_services.care_queue.queue().find(entry.touch_id) is None


def test_held_touches_can_be_snoozed_or_skipped_but_not_done(page: CareQueuePage) -> None:
    held = page.model.entries("held")[0]
    page.select_touch(held.touch_id)
    assert not page.done_button.isEnabled() and not page.done_action.isEnabled()
    assert not page.message_button.isEnabled()
    assert page.snooze_button.isEnabled() and page.skip_button.isEnabled()
    assert page.details.reason.text() == held.reason and page.details.reason.isVisibleTo(page)


def test_a_refused_action_is_explained_and_the_queue_reloads(
    qtbot: QtBot, page: CareQueuePage, care_services: Services
) -> None:
    entry = first_overdue(page)
    care_services.care_queue.done(Actor("Jo"), entry.touch_id)  # another seat was quicker
    page.mark_done()
    qtbot.waitUntil(lambda: page.error.isVisible())
    assert page.error.text().startswith("Jo already did this touch on ")
    assert not page.model.find(entry.touch_id).isValid()


def test_staff_not_on_the_list_are_refused_with_the_services_sentence(
    qtbot: QtBot, page: CareQueuePage, care_services: Services
) -> None:
    care_services.staff.add(None, "Olivia", Role.OWNER)
    entry = first_overdue(page)
    page.mark_done()  # as Sam, who is not on the staff list
    qtbot.waitUntil(lambda: page.error.isVisible())
    assert "Sam is not an active member of the staff list" in page.error.text()
    assert page.model.find(entry.touch_id).isValid()


def test_open_customer_asks_for_the_customer(qtbot: QtBot, page: CareQueuePage) -> None:
    entry = first_overdue(page)
    with qtbot.waitSignal(page.openCustomerRequested) as signal:
        page.tree.setFocus()
        qtbot.keyClick(page.tree, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert signal.args == [entry.customer_id]


def test_every_control_has_a_name_and_the_buttons_have_mnemonics(page: CareQueuePage) -> None:
    nameless = [describe(w) for w in controls(page) if not (w.accessibleName() or accessible_name(w))]
    assert nameless == []
    buttons = (page.message_button, page.done_button, page.snooze_button, page.skip_button, page.open_button)
    letters = [b.text()[b.text().index("&") + 1].lower() for b in buttons]
    assert len(set(letters)) == len(letters) == 5


def test_without_services_nothing_can_be_done(qtbot: QtBot) -> None:
    widget = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(widget)
    assert widget.counts.text() == "Opening the database…"
    assert not widget.done_action.isEnabled()
    widget.reload()
    widget.mark_done()
    assert widget.model.rowCount(widget.model.section_index("overdue")) == 0
    assert widget.queue is None


def test_the_due_column_is_one_style_a_date_with_a_hint() -> None:
    """Issue 14: the column mixed "2 June 2022" with "31 days ago". Now every row is the date (with
    the weekday this year, with the year otherwise) and how far it is."""
    from PySide6.QtCore import QLocale

    from careapp.ui.care.texts import due_column

    gb = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    today = dt.date(2026, 11, 23)
    assert due_column(dt.date(2026, 11, 23), today, gb) == "Mon 23 Nov · today"
    assert due_column(dt.date(2026, 11, 26), today, gb) == "Thu 26 Nov · in 3 days"
    assert due_column(dt.date(2026, 11, 2), today, gb) == "Mon 2 Nov · 3 weeks ago"
    assert due_column(dt.date(2026, 10, 24), today, gb) == "Sat 24 Oct · 4 weeks ago"
    assert due_column(dt.date(2026, 5, 1), today, gb) == "Fri 1 May · 6 months ago"
    assert due_column(dt.date(2022, 6, 2), today, gb) == "2 Jun 2022 · 4 years ago"
    assert due_column(dt.date(2027, 1, 4), today, gb) == "4 Jan 2027 · in 6 weeks"
