"""The call log and a ticket whose FCR windows have passed (issue 17): a call on it is offered as a
new matter, a new ticket marked a repeat of it, accepted with one key (Enter); nothing is saved until
the answer is given.

Evan's grinder ticket is solved on the call at NOW (23 November 09:30); with R = N = 7 its windows
pass on 30 November 09:30. He rings 13 days later and staff start the call from that ticket.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from careapp.domain.customer import CustomerDraft
from careapp.domain.tickets import Outcome, TicketState
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket
from careapp.ui.calls.dialog import FORM_STEP, LogCallDialog
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def sam(services: Services) -> Actor:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def grinder(services: Services, sam: Actor, clock: list[dt.datetime]) -> tuple[int, int]:
    """(Evan's id, his grinder ticket solved at NOW); the clock is then 13 days later."""
    evan = services.customers.create(CustomerDraft(first_name="Evan", last_name="Price"), "Sam").id
    clock[0] = NOW
    ticket = services.tickets.log_contact(
        sam, evan, ContactInput(new_ticket=NewTicket("Grinder", "Rattles"), outcome=Outcome.RESOLVED_NOW)
    ).ticket
    assert ticket is not None
    clock[0] = NOW + dt.timedelta(days=13)
    return evan, ticket.id


def started_from_the_ticket(
    qtbot: QtBot, services: Services, sam: Actor, prompts: Any, evan: int, ticket_id: int
) -> LogCallDialog:
    dialog = LogCallDialog(services, SyncRunner(), sam, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.start_at(evan, ticket_id)
    qtbot.waitUntil(lambda: dialog.step == FORM_STEP)
    # The resolved ticket is offered (the call was started from it) and chosen.
    assert dialog.form.ticket.currentData() == ticket_id
    assert dialog.form.ticket.currentText() == f"Ticket {ticket_id}: Rattles (resolved)"
    return dialog


def test_a_call_after_the_windows_becomes_a_repeat_ticket_with_one_key(
    qtbot: QtBot, services: Services, sam: Actor, prompts: Any, grinder: tuple[int, int]
) -> None:
    evan, old = grinder
    dialog = started_from_the_ticket(qtbot, services, sam, prompts, evan, old)
    qtbot.keyClicks(dialog.form.summary, "Rattles again after the descaling")
    logged: list[object] = []
    dialog.logged.connect(logged.append)
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # Asked, not saved: the form and what was typed stay, the question has the keyboard.
    assert logged == [] and dialog.step == FORM_STEP
    suggestion = dialog.suggestion
    assert suggestion.isVisible() and suggestion.title() == "Not saved yet: is this a new matter?"
    assert suggestion.text.text().startswith(
        f"Ticket {old}: Rattles was resolved and its reopen and repeat windows passed on 30/11/2026"
    )
    assert "Press Enter to log the call on a new ticket marked a repeat of it." in suggestion.text.text()
    assert dialog.form.summary.toPlainText() == "Rattles again after the descaling"
    assert len(services.tickets.ticket(old).contacts) == 1
    assert QApplication.focusWidget() is suggestion.mark_button

    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(suggestion.mark_button, Qt.Key.Key_Return)  # the one key
    [call] = logged
    new = call.logged.ticket  # type: ignore[attr-defined]
    assert new.id != old and new.summary.repeat_of_id == old
    assert (new.summary.category, new.summary.title) == ("Grinder", f"Back about ticket {old}")
    assert [c.summary for c in new.contacts] == ["Rattles again after the descaling"]
    still = services.tickets.ticket(old)
    assert (len(still.contacts), still.state) == (1, TicketState.RESOLVED)


def test_the_call_can_still_go_on_the_old_ticket(
    qtbot: QtBot, services: Services, sam: Actor, prompts: Any, grinder: tuple[int, int]
) -> None:
    evan, old = grinder
    dialog = started_from_the_ticket(qtbot, services, sam, prompts, evan, old)
    qtbot.keyClicks(dialog.form.summary, "Asked about descaling")
    dialog.save()
    assert dialog.suggestion.skip_button.text() == f"&Log on ticket {old} all the same"
    with qtbot.waitSignal(dialog.logged) as saved:
        dialog.suggestion.skip_button.click()
    assert saved.args[0].logged.ticket.id == old
    assert [c.summary for c in services.tickets.ticket(old).contacts][-1] == "Asked about descaling"
    assert [t.id for t in services.tickets.tickets_for_customer(evan)] == [old]


def test_within_the_windows_the_call_goes_on_the_ticket_without_a_question(
    qtbot: QtBot,
    services: Services,
    sam: Actor,
    prompts: Any,
    grinder: tuple[int, int],
    clock: list[dt.datetime],
) -> None:
    evan, old = grinder
    clock[0] = NOW + dt.timedelta(days=2)  # within R: a call with a callback promised reopens it
    dialog = started_from_the_ticket(qtbot, services, sam, prompts, evan, old)
    dialog.form.outcomes[Outcome.CALLBACK_PROMISED].setChecked(True)
    with qtbot.waitSignal(dialog.logged) as saved:
        dialog.save()
    assert not dialog.suggestion.new_matter
    ticket = saved.args[0].logged.ticket
    assert (ticket.id, ticket.state) == (old, TicketState.OPEN)
