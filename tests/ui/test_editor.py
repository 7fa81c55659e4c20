"""The customer editor: saving, validation marks, conflicts, consent, leaving."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from careapp.domain.customer import Channel, Customer, CustomerDraft, DateKind, EmailAddress, PartialDate
from careapp.ui.customers.editor import CustomerEditor
from careapp.ui.customers.editor_rows import DateRow, EmailRow, PhoneRow
from careapp.ui.customers.stale import ConflictChoice
from careapp.ui.formatting import format_stored_time
from careapp.ui.runner import SyncRunner, ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


def open_editor(
    qtbot: QtBot,
    services: Services,
    prompts: ScriptedPrompts,
    customer: Customer | None = None,
    runner: Any = None,
) -> CustomerEditor:
    editor = CustomerEditor(
        services.customers,
        runner or SyncRunner(),
        prompts,  # type: ignore[arg-type]
        services.clock,
        customer=customer,
        default_region="GB",
        actor="Sam",
    )
    qtbot.addWidget(editor)
    editor.show()
    return editor


def email_row(editor: CustomerEditor, index: int = 0) -> EmailRow:
    row = editor.form.emails.rows[index]
    assert isinstance(row, EmailRow)
    return row


def phone_row(editor: CustomerEditor, index: int = 0) -> PhoneRow:
    row = editor.form.phones.rows[index]
    assert isinstance(row, PhoneRow)
    return row


@pytest.fixture
def ann(services: Services) -> Customer:
    draft = CustomerDraft(first_name="Ann", last_name="Evans", emails=[EmailAddress("ann@example.com")])
    return services.customers.create(draft, "Jo")


def test_a_new_customer_is_saved(qtbot: QtBot, services: Services, prompts: ScriptedPrompts) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Ann")
    qtbot.keyClicks(email_row(editor).address, "ann@example.com")
    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    customer = saved.args[0]
    assert editor.result() == QDialog.DialogCode.Accepted
    assert services.customers.get(customer.id).emails == [EmailAddress("ann@example.com", "home")]


def test_invalid_email_is_marked_and_everything_typed_is_kept(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Cy")
    qtbot.keyClicks(editor.form.city, "Cardiff")
    qtbot.keyClicks(email_row(editor).address, "cy-at-example")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    row = email_row(editor)
    assert row.address.property("invalid") is True
    assert row.error.isVisibleTo(editor)
    assert "does not look like an email address" in row.error.text()
    assert editor.problem.text() == "Please correct the marked field."
    assert (editor.form.first_name.text(), editor.form.city.text(), row.address.text()) == (
        "Cy",
        "Cardiff",
        "cy-at-example",
    )
    assert services.customers.count() == 0


def test_fixing_the_field_clears_the_mark_and_saves(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Cy")
    qtbot.keyClicks(email_row(editor).address, "cy-at-example")
    editor.save()
    email_row(editor).address.setText("cy@example.com")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert email_row(editor).address.property("invalid") is False
    assert services.customers.count() == 1


def test_no_name_at_all_marks_the_name(qtbot: QtBot, services: Services, prompts: ScriptedPrompts) -> None:
    editor = open_editor(qtbot, services, prompts)
    editor.save()
    assert editor.form.first_name.property("invalid") is True
    assert "at least a first name" in editor.form.errors["name"].text()


def test_29_february_needs_no_year_but_must_exist_in_a_given_year(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Leap")
    birthday = editor.form.birthday
    birthday.known.setChecked(True)
    birthday.month.setCurrentIndex(1)
    birthday.day.setValue(29)
    birthday.year.setValue(2023)
    editor.save()
    assert editor.isVisible()
    assert birthday.property("invalid") is True
    assert editor.form.errors["birthday"].text() == "February 2023 has no day 29."
    birthday.year_unknown.setChecked(True)
    with qtbot.waitSignal(editor.saved) as saved:
        editor.save()
    assert saved.args[0].birthday == PartialDate(2, 29, None)


def test_phone_shows_its_international_form(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(phone_row(editor).number, "07911 123456")
    assert phone_row(editor).international.text() == "+447911123456"
    phone_row(editor).number.setText("12")
    assert phone_row(editor).international.text() == ""


def test_someone_else_saving_first_keeps_what_was_typed(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts, customer=ann)
    services.customers.update(ann.id, CustomerDraft(first_name="Anne", last_name="Evans"), ann.version, "Jo")
    editor.form.notes.setPlainText("Prefers mornings.")
    prompts.conflict_choice = ConflictChoice.KEEP_EDITING
    editor.save()
    message, rows = prompts.conflicts[0]
    when = format_stored_time(services.clock())
    assert message == f"Anne Evans was changed by Jo on {when} while you were editing."
    assert ("First name", "Anne", "Ann") in rows
    assert editor.isVisible()
    assert editor.form.notes.toPlainText() == "Prefers mornings."
    assert "changed by Jo" in editor.problem.text()

    prompts.conflict_choice = ConflictChoice.OVERWRITE
    with qtbot.waitSignal(editor.saved):
        editor.save()
    stored = services.customers.get(ann.id)
    assert (stored.first_name, stored.notes, stored.version) == ("Ann", "Prefers mornings.", 3)


def test_consent_given_in_the_editor_is_recorded_with_how(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts, customer=ann)
    editor.form.consent.change[Channel.EMAIL].setCurrentIndex(1)
    qtbot.keyClicks(editor.form.consent.how[Channel.EMAIL], "in shop, signed form")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    history = services.customers.consent_history(ann.id)
    assert [(e.channel, e.granted, e.method, e.recorded_by) for e in history] == [
        (Channel.EMAIL, True, "in shop, signed form", "Sam")
    ]
    assert history[0].at == services.clock()


def test_escape_closes_an_untouched_editor_without_asking(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts, customer=ann)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert prompts.asked == []


def test_escape_asks_before_discarding_changes(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts, customer=ann)
    qtbot.keyClicks(editor.form.last_name, "-Jones")
    prompts.answer = False
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.isVisible()
    assert editor.form.last_name.text() == "Evans-Jones"
    prompts.answer = True
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert len(prompts.asked) == 2
    assert services.customers.get(ann.id).last_name == "Evans"


def test_save_runs_on_the_database_thread_and_a_failure_keeps_the_input(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, threaded_runner: ThreadedRunner
) -> None:
    ui_thread = threading.get_ident()
    saved_on: list[int] = []
    real_create = services.customers.create

    def failing_create(draft: CustomerDraft, actor: str) -> Customer:
        saved_on.append(threading.get_ident())
        raise OSError("disk I/O error")

    services.customers.create = failing_create  # type: ignore[method-assign]
    editor = open_editor(qtbot, services, prompts, runner=threaded_runner)
    qtbot.keyClicks(editor.form.first_name, "Dee")
    editor.save()
    assert editor.status.text() == "Saving…"
    qtbot.waitUntil(lambda: editor.problem.isVisibleTo(editor))
    assert saved_on and saved_on[0] != ui_thread
    assert "disk I/O error" in editor.problem.text()
    assert editor.form.first_name.text() == "Dee"
    assert editor.save_button.isEnabled()

    services.customers.create = real_create  # type: ignore[method-assign]
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert services.customers.count() == 1


def test_referred_by_is_chosen_from_suggestions_and_saved(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Ben")
    picker = editor.form.referrer
    picker.field.setFocus()
    qtbot.keyClicks(picker.field, "evans")
    popup = picker.completer.popup()
    qtbot.waitUntil(lambda: picker.completer.completionModel().rowCount() == 1)
    popup.setCurrentIndex(picker.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.referrer_id == ann.id
    assert picker.field.text() == "Ann Evans — ann@example.com"
    with qtbot.waitSignal(editor.saved) as saved:
        editor.save()
    assert saved.args[0].referred_by_id == ann.id
    assert saved.args[0].referred_by_name == "Ann Evans"


def test_typing_over_a_chosen_referrer_unchooses_it(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts, ann: Customer
) -> None:
    editor = open_editor(qtbot, services, prompts)
    picker = editor.form.referrer
    picker.set_referrer(ann.id, "Ann Evans")
    qtbot.keyClicks(picker.field, "x")
    assert picker.referrer_id is None


def test_a_custom_date_without_a_label_marks_the_label(
    qtbot: QtBot, services: Services, prompts: ScriptedPrompts
) -> None:
    editor = open_editor(qtbot, services, prompts)
    qtbot.keyClicks(editor.form.first_name, "Dee")
    row = editor.form.dates.add_row()
    assert isinstance(row, DateRow)
    row.kind.setCurrentIndex(row.kind.findData(DateKind.CUSTOM))
    row.date.day.setValue(14)
    editor.save()
    assert row.label.property("invalid") is True
    assert row.error.text() == "A custom date needs a label (what it is)."
    qtbot.keyClicks(row.label, "First visit")
    with qtbot.waitSignal(editor.saved) as saved:
        editor.save()
    assert saved.args[0].dates[0].label == "First visit"


def test_enter_in_the_conflict_dialog_keeps_editing(qtbot: QtBot) -> None:
    from careapp.ui.customers.stale import StaleDialog

    dialog = StaleDialog("Ann Evans was changed by Jo.", [("First name", "Anne", "Ann")])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.choice is ConflictChoice.KEEP_EDITING
    assert dialog.result() == QDialog.DialogCode.Accepted
