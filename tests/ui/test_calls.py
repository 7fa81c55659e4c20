"""Logging a call the way staff do: Ctrl+L, a few letters, Enter, the form, Ctrl+Enter."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QRadioButton, QWidget

from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.domain.phones import make_phone
from careapp.domain.tickets import Outcome, TicketState
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket
from careapp.ui.calls.controller import CallLogger, logged_text
from careapp.ui.calls.dialog import FIND_STEP, FORM_STEP, SAVED_STEP, LogCallDialog
from careapp.ui.calls.find_model import CustomerMatchModel, guess_walk_in
from careapp.ui.calls.form import title_from
from careapp.ui.formatting import local_qdatetime
from careapp.ui.runner import SyncRunner
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.runner import ThreadedRunner
    from tests.ui.conftest import ScriptedPrompts

NOW = dt.datetime(2026, 11, 23, 9, 30)
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def sam(services: Services) -> Actor:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def evan(services: Services, sam: Actor) -> int:
    draft = CustomerDraft(
        first_name="Evan",
        last_name="Price",
        phones=[make_phone("07700 900123", "GB")],
        emails=[EmailAddress("evan.price@example.com")],
        notes="Bought the Bravo grinder in March.",
    )
    customer_id = services.customers.create(draft, "Sam").id
    services.customers.create(CustomerDraft(first_name="Bea", last_name="Jones"), "Sam")
    return customer_id


def host_window(qtbot: QtBot, runner: object, services: Services, actor: Actor, prompts: Any) -> CallLogger:
    """A window with nothing but the call log's action, as any screen of the app would have it."""
    window = QMainWindow()
    elsewhere = QLineEdit()  # the keyboard is in some other field of the app
    elsewhere.setAccessibleName("Somewhere else")
    window.setCentralWidget(elsewhere)
    qtbot.addWidget(window)
    logger = CallLogger(window, runner, prompts)  # type: ignore[arg-type]
    logger.attach(services)
    logger.set_actor(actor)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    return logger


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_logging_a_call_takes_three_steps_from_the_keyboard(
    qtbot: QtBot,
    threaded_runner: ThreadedRunner,
    services: Services,
    sam: Actor,
    evan: int,
    prompts: ScriptedPrompts,
) -> None:
    logger = host_window(qtbot, threaded_runner, services, sam, prompts)
    steps: list[str] = []

    # Step 1: the shortcut, from wherever the keyboard is.
    steps.append("Ctrl+L")
    qtbot.keyClick(focused(), Qt.Key.Key_L, CTRL)
    dialog = logger.dialog
    assert dialog is not None and dialog.step == FIND_STEP
    qtbot.waitUntil(lambda: focused() is dialog.find_page.find_box)

    # Step 2: a few letters and Enter picks the first match (even before the search has answered).
    qtbot.keyClicks(focused(), "evan")
    steps.append("Enter")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.step == FORM_STEP)
    assert dialog.form.customer is not None and dialog.form.customer.id == evan
    assert focused() is dialog.form.summary
    # Prefilled: an incoming phone call by Sam, started when the window opened, on a new ticket.
    form = dialog.form
    assert (form.channel.currentText(), form.direction.currentData()) == ("Phone", "in")
    assert form.staff.text() == "Logged by Sam"
    assert form.started.dateTime() == local_qdatetime(NOW)
    assert form.ticket.currentText() == "New ticket" and form.category.currentText() == "General"
    assert form.duration.text().startswith("Call time 00:0")
    qtbot.waitUntil(lambda: dialog.story.customer is not None)  # their story beside the form
    assert dialog.story.header.name.text() == "Evan Price"

    qtbot.keyClicks(focused(), "Grinder rattles; adjusted the burrs with him on the phone")
    qtbot.keyClick(focused(), Qt.Key.Key_R, ALT)  # the outcome's mnemonic: not a step, part of the form
    qtbot.waitUntil(lambda: form.outcome() is Outcome.RESOLVED_NOW)  # a mnemonic clicks after 100 ms

    # Step 3: save.
    steps.append("Ctrl+Enter")
    with qtbot.waitSignal(logger.logged) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: logger.dialog is None)

    assert steps == ["Ctrl+L", "Enter", "Ctrl+Enter"]
    assert len(steps) == 3
    [ticket] = services.tickets.tickets_for_customer(evan)
    full = services.tickets.ticket(ticket.id)
    [contact] = full.contacts
    assert (ticket.state, ticket.category, ticket.title, ticket.opened_by) == (
        TicketState.RESOLVED,
        "General",
        "Grinder rattles; adjusted the burrs with him on the phone",
        "Sam",
    )
    assert (contact.outcome, contact.channel, contact.direction, contact.staff, contact.at) == (
        Outcome.RESOLVED_NOW,
        "phone",
        "in",
        "Sam",
        NOW,
    )
    assert contact.duration_seconds is not None and contact.duration_seconds >= 0
    assert contact.customer_confirmed is False
    assert logged_text(saved.args[0], "Evan Price") == (
        f"Logged the call with Evan Price on ticket {ticket.id}: resolved now."
    )


def open_dialog(qtbot: QtBot, services: Services, actor: Actor, prompts: Any) -> LogCallDialog:
    dialog = LogCallDialog(services, SyncRunner(), actor, prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.find_page.start()
    return dialog


def find_and_pick(qtbot: QtBot, dialog: LogCallDialog, text: str, downs: int = 0) -> None:
    box = dialog.find_page.find_box
    qtbot.keyClicks(box, text)
    dialog.find_page.search_now()
    for _ in range(downs):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_the_find_model_passes_the_model_tester(qtmodeltester: Any, services: Services, evan: int) -> None:
    model = CustomerMatchModel()
    model.set_results("evan", services.tickets.find_customers("evan"))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.is_walk_in(1)
    assert model.data(model.index(0, 0)) == "Evan Price — 07700 900123 · evan.price@example.com"
    assert model.data(model.index(1, 0)) == "+ New walk-in customer: “evan”"
    model.set_results("", [])
    qtmodeltester.check(model)
    assert model.rowCount() == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("evan price", ("Evan", "Price", "", "")),
        ("Mary-Jo de Vries", ("Mary-Jo", "de Vries", "", "")),
        ("07700 900555", ("", "", "07700 900555", "")),
        ("zoe@example.com", ("", "", "", "zoe@example.com")),
    ],
)
def test_what_was_typed_prefills_the_walk_in(typed: str, expected: tuple[str, ...]) -> None:
    guess = guess_walk_in(typed)
    assert (guess.first_name, guess.last_name, guess.phone, guess.email) == expected


def test_any_part_of_the_phone_number_finds_them_and_down_moves(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "900 12")
    assert dialog.step == FORM_STEP and dialog.form.customer is not None
    assert dialog.form.customer.id == evan
    dialog.back_to_find()
    assert dialog.step == FIND_STEP
    box = dialog.find_page.find_box
    box.clear()
    find_and_pick(qtbot, dialog, "e", downs=1)  # Bea Jones, Evan Price: the second one
    assert dialog.form.customer is not None and dialog.form.customer.name == "Evan Price"


def test_a_walk_in_is_added_inline_from_what_was_typed(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "07700 900555")  # nobody: Enter picks the walk-in row
    walk_in = dialog.find_page.walk_in
    assert walk_in.isVisible() and walk_in.phone.text() == "07700 900555"
    assert dialog.focusWidget() is walk_in.first_name
    qtbot.keyClick(walk_in.first_name, Qt.Key.Key_Return)  # no name yet: a sentence, nothing lost
    assert "Give at least a first name" in walk_in.error.text()
    assert dialog.step == FIND_STEP and walk_in.phone.text() == "07700 900555"
    qtbot.keyClicks(walk_in.first_name, "Zoe")
    qtbot.keyClick(walk_in.first_name, Qt.Key.Key_Return)
    assert dialog.step == FORM_STEP
    assert dialog.form.customer is not None and dialog.form.customer.name == "Zoe"
    created = services.customers.get(dialog.form.customer.id)
    assert [p.raw for p in created.phones] == ["07700 900555"]


def test_a_refused_save_keeps_everything_typed(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    form = dialog.form
    qtbot.keyClicks(form.summary, "Machine leaks from the group head")
    form.outcomes[Outcome.NEEDS_REPAIR_OR_VISIT].setChecked(True)
    dialog.save()  # no reason given for the repair
    assert form.error.text() == "Say why a repair or visit is needed."
    assert dialog.step == FORM_STEP and dialog.save_button.isEnabled()
    assert form.summary.toPlainText() == "Machine leaks from the group head"
    owner = Actor("Olivia")
    member = next(m for m in services.staff.list() if m.name == "Sam")
    services.staff.deactivate(owner, member.id)  # on another seat, meanwhile
    qtbot.keyClicks(form.reason, "Seal worn; booked into the workshop")
    qtbot.keyClick(form.reason, Qt.Key.Key_Return)  # Enter saves outside the summary
    assert form.error.text().startswith("Sam is not an active member of the staff list")
    assert form.reason.text() == "Seal worn; booked into the workshop"
    assert form.summary.toPlainText() == "Machine leaks from the group head"
    assert services.tickets.tickets_for_customer(evan) == []
    assert dialog.isVisible()


def test_a_callback_is_promised_for_tomorrow_at_ten(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    form = dialog.form
    assert not form.callback_at.isEnabled() and not form.reason.isEnabled()
    qtbot.keyClick(form.summary, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: form.outcome() is Outcome.CALLBACK_PROMISED)
    assert form.callback_at.isEnabled()
    assert form.callback_at.dateTime() == QDateTime(QDate(2026, 11, 24), QTime(10, 0))
    assert not form.confirmed.isEnabled()
    with qtbot.waitSignal(dialog.logged):
        dialog.save()
    [due] = services.tickets.open_callbacks(dt.datetime(2026, 11, 25))
    ten_local = dt.datetime(2026, 11, 24, 10, 0).astimezone(dt.UTC).replace(tzinfo=None)
    assert (due.customer_id, due.due_at, due.promised_by) == (evan, ten_local, "Sam")


def test_a_contact_on_an_open_ticket_and_the_customer_confirmed_it(
    qtbot: QtBot,
    services: Services,
    sam: Actor,
    evan: int,
    prompts: ScriptedPrompts,
    clock: list[dt.datetime],
) -> None:
    first = services.tickets.log_contact(
        sam,
        evan,
        ContactInput(new_ticket=NewTicket("Order", "Parcel missing"), outcome=Outcome.WAITING_SUPPLIER),
    ).ticket
    assert first is not None
    clock[0] = NOW + dt.timedelta(hours=1)
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    form = dialog.form
    assert [form.ticket.itemText(i) for i in range(form.ticket.count())] == [
        "New ticket",
        f"Ticket {first.id}: Parcel missing (waiting on supplier)",
        "No ticket: a contact on its own",
    ]
    form.ticket.setCurrentIndex(1)
    assert not form.category.isEnabled()
    form.direction.setCurrentIndex(1)  # we rang them
    form.outcomes[Outcome.RESOLVED_NOW].setChecked(True)
    form.confirmed.setChecked(True)
    qtbot.keyClicks(form.feedback, "Brilliant, thank you for chasing it")
    with qtbot.waitSignal(dialog.logged) as saved:
        qtbot.keyClick(form.feedback, Qt.Key.Key_Return, CTRL)
    call = saved.args[0]
    assert call.logged.ticket.id == first.id and call.logged.ticket.state is TicketState.RESOLVED
    assert call.logged.contact.customer_confirmed is True
    [feedback] = services.feedback.for_customer(evan)
    assert (feedback.positive, feedback.text, feedback.ticket_id) == (
        True,
        "Brilliant, thank you for chasing it",
        first.id,
    )


def test_a_likely_repeat_is_offered_after_saving(
    qtbot: QtBot,
    services: Services,
    sam: Actor,
    evan: int,
    prompts: ScriptedPrompts,
    clock: list[dt.datetime],
) -> None:
    earlier = services.tickets.log_contact(
        sam, evan, ContactInput(new_ticket=NewTicket("Grinder", "Rattles"), outcome=Outcome.RESOLVED_NOW)
    ).ticket
    assert earlier is not None
    clock[0] = NOW + dt.timedelta(days=2)
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    dialog.form.category.setCurrentText("grinder")
    qtbot.keyClicks(dialog.form.summary, "Rattling again")
    with qtbot.waitSignal(dialog.logged) as saved:
        dialog.save()
    assert dialog.step == SAVED_STEP and dialog.suggestion.isVisible()
    assert f"repeat of Ticket {earlier.id}: Rattles" in dialog.suggestion.text.text()
    with qtbot.waitSignal(dialog.finished):
        dialog.suggestion.mark_button.click()
    new_id = saved.args[0].logged.ticket.id
    assert services.tickets.ticket(new_id).summary.repeat_of_id == earlier.id


def test_a_call_logged_on_its_own_is_offered_for_the_recently_resolved_ticket(
    qtbot: QtBot,
    services: Services,
    sam: Actor,
    evan: int,
    prompts: ScriptedPrompts,
    clock: list[dt.datetime],
) -> None:
    # Evan's grinder ticket was resolved on the call at NOW; two days later (within R = 7) he rings
    # and the call is logged with "No ticket". The dialog offers the ticket; attaching reopens it at
    # the call's time, so the call counts as the reopen it is (issue 17).
    earlier = services.tickets.log_contact(
        sam, evan, ContactInput(new_ticket=NewTicket("Grinder", "Rattles"), outcome=Outcome.RESOLVED_NOW)
    ).ticket
    assert earlier is not None
    clock[0] = NOW + dt.timedelta(days=2)
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    dialog.form.ticket.setCurrentIndex(dialog.form.ticket.findData("none"))
    qtbot.keyClicks(dialog.form.summary, "Still rattles")
    with qtbot.waitSignal(dialog.logged) as saved:
        dialog.save()
    assert saved.args[0].logged.ticket is None
    assert dialog.step == SAVED_STEP and dialog.suggestion.isVisible()
    assert dialog.suggestion.text.text().startswith(f"Ticket {earlier.id}: Rattles was resolved recently.")
    with qtbot.waitSignal(dialog.finished):
        dialog.suggestion.mark_button.click()
    ticket = services.tickets.ticket(earlier.id)
    assert ticket.summary.state.value == "open"
    assert saved.args[0].logged.contact.id in [c.id for c in ticket.contacts]


def test_closing_with_something_typed_asks_first(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    find_and_pick(qtbot, dialog, "evan")
    qtbot.keyClicks(dialog.form.summary, "Half a sentence")
    prompts.answer = False
    qtbot.keyClick(dialog.form.summary, Qt.Key.Key_Escape)
    assert prompts.asked == ["The call has not been saved. Close and lose what you typed?"]
    assert dialog.isVisible() and dialog.form.summary.toPlainText() == "Half a sentence"


def test_the_new_ticket_is_titled_from_the_summary() -> None:
    assert title_from("Grinder rattles\nmore detail") == "Grinder rattles"
    long = "word " * 30
    assert title_from(long).endswith("…") and len(title_from(long)) <= 81


def unreached(qtbot: QtBot, dialog: LogCallDialog, first: QWidget) -> list[str]:
    """Controls Tab does not reach from ``first`` (in a radio group only the checked one takes Tab)."""
    reached = tab_through(qtbot, first)
    expected = [
        w
        for w in controls(dialog)
        if not (isinstance(w, QRadioButton) and w.autoExclusive() and not w.isChecked())
    ]
    return [describe(w) for w in expected if w not in reached]


def test_keyboard_reaches_every_control_of_both_steps(
    qtbot: QtBot, services: Services, sam: Actor, evan: int, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(qtbot, services, sam, prompts)
    qtbot.keyClicks(dialog.find_page.find_box, "evan")
    dialog.find_page.search_now()
    assert unreached(qtbot, dialog, dialog.find_page.find_box) == []
    qtbot.keyClick(dialog.find_page.find_box, Qt.Key.Key_Return)
    dialog.form.outcomes[Outcome.RESOLVED_NOW].setChecked(True)
    assert unreached(qtbot, dialog, dialog.form.channel) == []
    assert [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))] == []


def test_the_service_screens_do_not_import_the_database_stack() -> None:
    """The main window imports these before its first paint; SQLAlchemy must wait for the database thread."""
    import subprocess
    import sys
    from pathlib import Path

    modules = [
        f"careapp.ui.{package}.{module}"
        for package, names in {
            "calls": ("controller", "dialog", "find_page", "find_model", "form"),
            "tickets": ("customer_tickets", "dialog", "models", "page", "texts"),
            "reports": ("screen", "models", "chart", "settings_panel"),
            "staff": ("picker", "editor", "model", "bootstrap"),
        }.items()
        for module in names
    ] + ["careapp.ui.change_panel", "careapp.ui.fields", "careapp.ui.table"]  # shared since the house move
    code = (
        f"import sys\nimport {', '.join(modules)}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
