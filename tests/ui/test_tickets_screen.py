"""The ticket screen: its tables, the actions per state, reasons, the audit trail, stale tickets."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.domain.tickets import Exclusion, Outcome, TicketState
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket
from careapp.ui.runner import SyncRunner
from careapp.ui.tickets.customer_tickets import CustomerTickets, TicketWindows
from careapp.ui.tickets.dialog import TicketDialog
from careapp.ui.tickets.models import AuditModel, ContactsModel, TicketListModel
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

NOW = dt.datetime(2026, 11, 23, 9, 30)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def sam(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def ann(services: Services, owner: Actor) -> int:
    return services.tickets.create_walk_in(owner, "Ann", "Evans", phone="07700 900123").id


def log_new(services: Services, actor: Actor, customer: int, category: str = "Grinder", **form: Any) -> int:
    logged = services.tickets.log_contact(
        actor,
        customer,
        ContactInput(
            new_ticket=NewTicket(category, f"{category} trouble"), started_at=NOW - 20 * MINUTE, **form
        ),
    )
    assert logged.ticket is not None
    return logged.ticket.id


def open_dialog(qtbot: QtBot, services: Services, actor: Actor, ticket_id: int) -> TicketDialog:
    dialog = TicketDialog(services, SyncRunner(), actor, ticket_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.page is not None)
    return dialog


def audit_rows(dialog: TicketDialog) -> list[tuple[str, ...]]:
    model = dialog.audit_model
    return [
        tuple(model.text(row, column) for column in range(1, model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_ticket_models_pass_the_model_tester(
    qtmodeltester: Any, services: Services, sam: Actor, ann: int
) -> None:
    ticket_id = log_new(
        services, sam, ann, outcome=Outcome.CALLBACK_PROMISED, callback_at=NOW + dt.timedelta(hours=2)
    )
    ticket = services.tickets.ticket(ticket_id)
    for model, rows in (
        (TicketListModel(), services.tickets.tickets_for_customer(ann)),
        (ContactsModel(), ticket.contacts),
        (AuditModel(), ticket.audit),
    ):
        model.set_rows(rows)
        qtmodeltester.check(model)
        assert model.rowCount() == len(rows) > 0
        model.set_rows([])
        qtmodeltester.check(model)


def test_the_header_and_tables_show_the_ticket(
    qtbot: QtBot, services: Services, sam: Actor, ann: int
) -> None:
    ticket_id = log_new(
        services,
        sam,
        ann,
        summary="Rattles when grinding fine",
        outcome=Outcome.CALLBACK_PROMISED,
        callback_at=NOW + dt.timedelta(hours=2),
        duration_seconds=185,
    )
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    values = {key: label.text() for key, label in dialog.header.values.items()}
    assert dialog.header.title.text() == f"Ticket {ticket_id}: Grinder trouble"
    assert (values["customer"], values["category"], values["priority"]) == ("Ann Evans", "Grinder", "Normal")
    assert (values["state"], values["assignee"]) == ("Open", "nobody")
    assert "version" not in values  # careapp's edit guard, not something to read
    assert not dialog.header.values["marks"].isVisibleTo(dialog)  # no "Marks: none"
    contacts = dialog.contacts_model
    assert contacts.rowCount() == 1
    texts = [contacts.text(0, column) for column in range(contacts.columnCount())]
    # Stored in UTC; en_GB in November is UTC too, so the local time is the same.
    assert texts[1:] == ["Phone", "In", "Sam", "03:05", "Callback promised for 23/11/2026 11:30", texts[-1]]
    assert texts[-1] == "Rattles when grinding fine"
    assert audit_rows(dialog) == [
        ("Sam", "Ticket", "", "opened", ""),
        ("Sam", "State", "New", "Open", "contact outcome: callback promised"),
    ]


def test_buttons_follow_the_state(qtbot: QtBot, services: Services, sam: Actor, ann: int) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.WAITING_SUPPLIER)
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    enabled = {key for key, button in dialog.buttons.items() if button.isEnabled()}
    assert enabled == {
        "start",
        "wait_customer",
        "resolve",
        "close",
        "assign",
        "category",
        "priority",
        "repeat",
        "not_resolvable",
        "merge",
    }  # not "wait on supplier" (it is already), not reopen, not exclude (Sam is staff)
    assert "Only the owner" in dialog.buttons["exclude"].toolTip()


def test_resolve_then_reopen_with_a_reason_fills_the_audit_trail(
    qtbot: QtBot, services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.WAITING_CUSTOMER)
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    with qtbot.waitSignal(dialog.changed):
        dialog.buttons["resolve"].click()
    qtbot.waitUntil(lambda: dialog.header.values["state"].text() == "Resolved")
    assert dialog.buttons["reopen"].isEnabled() and not dialog.buttons["resolve"].isEnabled()

    clock[0] = NOW + 30 * MINUTE
    dialog.buttons["reopen"].click()
    panel = dialog.panel
    assert panel.isVisible() and dialog.focusWidget() is panel.choice  # choose, then type the reason
    panel.apply_button.click()  # no reason yet
    assert panel.error.text() == "Give a reason; it is kept in the audit trail."
    assert services.tickets.ticket(ticket_id).state is TicketState.RESOLVED
    panel.choice.setCurrentIndex(panel.choice.findText("Waiting on customer"))
    qtbot.keyClicks(panel.reason, "Still rattles after the fix")
    with qtbot.waitSignal(dialog.changed):
        qtbot.keyClick(panel.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.header.values["state"].text() == "Waiting on customer")
    assert not panel.isVisible()
    ticket = services.tickets.ticket(ticket_id)
    assert ticket.state is TicketState.WAITING_CUSTOMER
    assert audit_rows(dialog)[-2:] == [
        ("Sam", "State", "Waiting on customer", "Resolved", ""),
        ("Sam", "State", "Resolved", "Waiting on customer", "Still rattles after the fix"),
    ]
    when = dialog.audit_model.text(dialog.audit_model.rowCount() - 1, 0)
    assert when == "23/11/2026 10:00"  # the audit trail's time, local (GMT in November)


def test_a_refused_change_is_a_sentence_and_keeps_what_was_typed(
    qtbot: QtBot, services: Services, sam: Actor, ann: int
) -> None:
    ticket_id = log_new(services, sam, ann)
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    dialog.buttons["category"].click()
    panel = dialog.panel
    panel.choice.setCurrentText("Grinder")  # the same category: the domain refuses
    qtbot.keyClicks(panel.reason, "typo")
    panel.apply_button.click()
    assert panel.error.text() == f"Ticket {ticket_id} already has category Grinder."
    assert panel.reason.text() == "typo" and panel.isVisible() and panel.apply_button.isEnabled()


def test_someone_else_changed_it_first(
    qtbot: QtBot, services: Services, sam: Actor, owner: Actor, ann: int
) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.WAITING_CUSTOMER)
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    version = services.tickets.ticket(ticket_id).version
    services.tickets.wait_on_supplier(owner, ticket_id, version, "parts ordered")  # another seat
    dialog.buttons["resolve"].click()
    assert "was changed by Olivia" in dialog.error.text()
    assert "repeat your change if it is still needed" in dialog.error.text()
    qtbot.waitUntil(lambda: dialog.header.values["state"].text() == "Waiting on supplier")
    assert services.tickets.ticket(ticket_id).state is TicketState.WAITING_SUPPLIER
    with qtbot.waitSignal(dialog.changed):
        dialog.buttons["resolve"].click()  # now on the version shown, it works
    assert services.tickets.ticket(ticket_id).state is TicketState.RESOLVED


def test_assign_priority_not_resolvable_and_repeat(
    qtbot: QtBot, services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    first = log_new(services, sam, ann, outcome=Outcome.RESOLVED_NOW)
    clock[0] = NOW + dt.timedelta(days=2)
    second = services.tickets.log_contact(
        sam, ann, ContactInput(new_ticket=NewTicket("grinder", "Rattles again"), started_at=clock[0] - MINUTE)
    ).ticket
    assert second is not None
    dialog = open_dialog(qtbot, services, sam, second.id)
    assert dialog.suggestion.isVisible() and f"repeat of Ticket {first}" in dialog.suggestion.text()

    def change(button: str, choice: str, reason: str = "") -> None:
        dialog.buttons[button].click()
        dialog.panel.choice.setCurrentIndex(
            dialog.panel.choice.findText(choice, Qt.MatchFlag.MatchStartsWith)
        )
        dialog.panel.reason.setText(reason)
        with qtbot.waitSignal(dialog.changed):
            dialog.panel.apply_button.click()

    change("assign", "Sam")
    change("priority", "High")
    change("not_resolvable", "Parts needed", "the burr set is on order")
    dialog.buttons["repeat"].click()
    assert dialog.panel.current_value() == first  # the suggestion is chosen already
    dialog.panel.reason.setText("same rattle")
    with qtbot.waitSignal(dialog.changed):
        dialog.panel.apply_button.click()
    qtbot.waitUntil(lambda: "repeat of ticket" in dialog.header.values["marks"].text())
    summary = services.tickets.ticket(second.id).summary
    assert (summary.assignee, summary.priority, summary.repeat_of_id) == ("Sam", "high", first)
    assert summary.not_resolvable_reason == "parts"
    assert not dialog.suggestion.isVisible()
    fields = [row[1] for row in audit_rows(dialog)]
    assert fields[-4:] == ["Assigned to", "Priority", "Not resolvable at first contact", "Repeat of"]
    assert audit_rows(dialog)[-1] == ("Sam", "Repeat of", "", f"ticket {first}", "same rattle")


def test_merge_a_duplicate_into_another_ticket(
    qtbot: QtBot, services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    target = log_new(services, sam, ann, outcome=Outcome.WAITING_SUPPLIER)
    clock[0] = NOW + 5 * MINUTE
    duplicate = services.tickets.log_contact(
        sam, ann, ContactInput(new_ticket=NewTicket("Grinder", "Grinder again"), summary="Emailed too")
    ).ticket
    assert duplicate is not None
    dialog = open_dialog(qtbot, services, sam, duplicate.id)
    dialog.buttons["merge"].click()
    assert dialog.panel.choice.count() == 1 and dialog.panel.current_value().id == target
    dialog.panel.reason.setText("same problem, rang and emailed")
    with qtbot.waitSignal(dialog.changed):
        dialog.panel.apply_button.click()
    qtbot.waitUntil(lambda: dialog.header.values["marks"].text() == f"merged into ticket {target}")
    assert not any(button.isEnabled() for button in dialog.buttons.values())
    assert len(services.tickets.ticket(target).contacts) == 2


def test_only_the_owner_excludes_a_ticket(
    qtbot: QtBot, services: Services, sam: Actor, owner: Actor, ann: int
) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.RESOLVED_NOW)
    as_staff = open_dialog(qtbot, services, sam, ticket_id)
    assert not as_staff.buttons["exclude"].isEnabled()
    as_owner = open_dialog(qtbot, services, owner, ticket_id)
    as_owner.buttons["exclude"].click()
    as_owner.panel.choose(Exclusion.SPAM)
    as_owner.panel.reason.setText("a sales call")
    with qtbot.waitSignal(as_owner.changed):
        as_owner.panel.apply_button.click()
    assert services.tickets.ticket(ticket_id).summary.exclusion is Exclusion.SPAM
    # The button only follows the rule: the service refuses staff whatever the screen shows.
    as_staff.reload()
    as_staff.buttons["exclude"].setEnabled(True)
    as_staff.buttons["exclude"].click()
    as_staff.panel.choice.setCurrentIndex(0)
    as_staff.panel.reason.setText("it was a real customer")
    as_staff.panel.apply_button.click()
    assert as_staff.panel.error.text().startswith("Only the owner can exclude tickets")
    assert services.tickets.ticket(ticket_id).summary.exclusion is Exclusion.SPAM


def test_customer_tickets_list_opens_a_ticket(qtbot: QtBot, services: Services, sam: Actor, ann: int) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.RESOLVED_NOW)
    runner = SyncRunner()
    panel = CustomerTickets(runner)
    qtbot.addWidget(panel)
    panel.attach(services)
    panel.show()
    panel.show_customer(ann)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    windows = TicketWindows(panel, runner)
    windows.attach(services)
    windows.set_actor(sam)
    panel.openRequested.connect(windows.open)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ticket_id in windows.open_dialogs)
    dialog = windows.open_dialogs[ticket_id]
    qtbot.waitUntil(lambda: dialog.page is not None)
    assert windows.open(ticket_id) is dialog  # brought forward, not opened twice
    windows.changed.connect(lambda _id: panel.refresh())
    dialog.buttons["close"].click()
    qtbot.waitUntil(lambda: panel.model.text(0, 4) == "Closed")
    dialog.close()
    qtbot.waitUntil(lambda: ticket_id not in windows.open_dialogs)


def test_keyboard_reaches_every_control_of_the_ticket_screen(
    qtbot: QtBot, services: Services, sam: Actor, ann: int
) -> None:
    ticket_id = log_new(services, sam, ann, outcome=Outcome.WAITING_CUSTOMER)
    dialog = open_dialog(qtbot, services, sam, ticket_id)
    dialog.buttons["reopen"].setEnabled(True)  # every button in the walk
    dialog.buttons["assign"].click()
    reached = tab_through(qtbot, dialog.buttons["start"])
    assert [describe(w) for w in controls(dialog) if w not in reached] == []
    assert [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))] == []
