"""The rules window: touch rules and care settings (owner only), the shop's wording with a live
preview, and the article library (anyone on the staff list)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, DateKind, LoyaltyStage
from careapp.domain.templates import template_for
from careapp.domain.touches import Interval, TouchKind, TouchRules
from careapp.services.shop.staff import Actor, Role
from careapp.ui.rules.dialog import RulesDialog
from careapp.ui.rules.library import ArticlesModel
from careapp.ui.rules.tables import DaysColumn, DaysTableModel
from careapp.ui.runner import SyncRunner
from tests.ui.tab_walk import accessible_name, controls, describe, tab_through

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from tests.ui.conftest import ScriptedPrompts


@pytest.fixture
def owner(services: Services) -> Actor:
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def jo(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Jo").actor()


def open_rules(qtbot: QtBot, services: Services, actor: Actor, prompts: ScriptedPrompts) -> RulesDialog:
    dialog = RulesDialog(services, SyncRunner(), actor, prompts)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None)
    return dialog


def test_the_owner_changes_rules_and_care_settings(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    form = dialog.form
    assert not dialog.refusal.isVisible() and dialog.save_button.isEnabled()
    assert form.birthday_days.text() == "on the day" and form.follow_days.value() == 14
    stages = {row[0]: row[1:] for row in form.stages.rows()}
    assert stages["Client"] == (60, 90) and stages["Prospect"] == (None, None)
    form.birthday_days.setValue(3)
    form.feedback_on.setChecked(False)
    form.add_category.click()
    form.categories.setData(form.categories.index(0, 0), "Gift vouchers")
    form.categories.setData(form.categories.index(0, 1), -1)  # "none": no follow-up
    form.add_tag.click()
    form.tags.setData(form.tags.index(0, 0), "VIP")
    form.tags.setData(form.tags.index(0, 1), 20)
    form.tags.setData(form.tags.index(0, 2), 40)
    form.stages.setData(form.stages.index(1, 1), 120)  # prospects get check-ins too
    form.stages.setData(form.stages.index(1, 2), 200)
    form.daily_limit.setValue(5)
    form.cap.setValue(3)
    qtbot.keyClicks(dialog.reason, "Quieter winter")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved."))
    rules = services.touches.rule_set().rules
    assert rules.birthday.days_ahead == 3 and not rules.feedback.enabled
    assert dict(rules.follow_up.days_by_category) == {"Gift vouchers": None}
    assert rules.check_in.by_tag == {"VIP": Interval(20, 40)}
    assert rules.check_in.by_stage[LoyaltyStage.PROSPECT] == Interval(120, 200)
    assert rules.birthday.channels == (Channel.EMAIL, Channel.SMS, Channel.POST)  # kept as it was
    care = services.touches.care_settings()
    assert (care.daily_limit, care.marketing_cap, care.timezone) == (5, 3, "Europe/London")
    assert dialog.reason.text() == ""
    assert dialog.data is not None and dialog.data.rule_set.versions


def test_the_owner_chooses_each_rules_channels_and_which_dates_count(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    form = dialog.form
    birthday = form.channel_checks["birthday"]
    assert [c for c, tick in birthday.items() if tick.isChecked()] == [
        Channel.EMAIL,
        Channel.SMS,
        Channel.POST,
    ]
    assert all(tick.isChecked() for tick in form.date_kinds.values())
    birthday[Channel.EMAIL].setChecked(False)  # cards and texts only; phoning is added, last
    birthday[Channel.PHONE].setChecked(True)
    form.channel_checks["check_in"][Channel.SMS].setChecked(False)
    form.date_kinds[DateKind.CUSTOMER_SINCE].setChecked(False)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved."))
    rules = services.touches.rule_set().rules
    assert rules.birthday.channels == (Channel.SMS, Channel.POST, Channel.PHONE)
    assert rules.check_in.channels == (Channel.PHONE, Channel.EMAIL)
    assert rules.important_dates.kinds == frozenset({DateKind.ANNIVERSARY, DateKind.CUSTOM})
    assert rules.follow_up.channels == TouchRules().follow_up.channels  # untouched rows stay as they were

    # A rule left with no way to make it is refused in words; what was ticked stays.
    for tick in form.channel_checks["feedback"].values():
        tick.setChecked(False)
    dialog.save_button.click()
    assert dialog.error.text() == "Tick at least one way to make the feedback request, or switch it off."
    assert not any(tick.isChecked() for tick in form.channel_checks["feedback"].values())
    assert services.touches.rule_set().rules.feedback.channels == TouchRules().feedback.channels


def test_staff_see_the_rules_greyed_out_with_the_services_sentence(
    qtbot: QtBot, services: Services, jo: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, jo, prompts)
    sentence = (
        "Only the owner can edit touch rules; Jo is signed in as staff. "
        "Ask the owner, or switch to the owner, to do this."
    )
    assert dialog.refusal.isVisible() and dialog.refusal.text() == sentence
    assert not dialog.save_button.isEnabled()
    assert not dialog.form.birthday_on.isEnabled() and not dialog.form.stages_table.isEnabled()
    assert dialog.templates.body.isReadOnly() and not dialog.templates.save_button.isEnabled()
    dialog.save_rules()  # even if asked, the service says no
    assert dialog.error.text() == sentence
    assert services.touches.rule_set().versions == dict.fromkeys(services.touches.rule_set().versions, 0)
    # The library is for everyone on the staff list.
    assert dialog.library.add_button.isEnabled()


def test_an_impossible_interval_is_explained_and_nothing_is_lost(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    form = dialog.form
    form.stages.setData(form.stages.index(3, 1), 100)  # clients: ideally 100 days, at the latest 90
    form.birthday_days.setValue(2)
    dialog.save_button.click()
    assert dialog.error.text() == (
        "For Client, the ideal check-in interval must be at least a day and no longer than the latest."
    )
    assert form.stages.rows()[3][1:] == (100, 90) and form.birthday_days.value() == 2
    assert services.touches.rule_set().rules.birthday.days_ahead == 0


def test_a_clash_with_another_seat_is_explained_and_the_typed_rules_stay(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    current = services.touches.rule_set()
    from dataclasses import replace

    other = replace(current.rules, birthday=replace(current.rules.birthday, days_ahead=7))
    services.touches.save_rules(owner, other, current.versions)
    dialog.form.birthday_days.setValue(2)
    dialog.save_button.click()
    assert dialog.error.text().startswith(
        "The birthday rules were changed on another seat while you were editing"
    )
    assert dialog.form.birthday_days.value() == 2 and dialog.reload_button.isVisible()
    dialog.reload_button.click()
    assert dialog.form.birthday_days.value() == 7


def test_care_settings_changed_on_another_seat_are_explained_and_the_typed_ones_stay(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    from dataclasses import replace

    dialog = open_rules(qtbot, services, owner, prompts)
    other = services.touches.care_settings_versioned()
    theirs = replace(other.value, marketing_cap=1, timezone="Europe/Berlin")
    services.touches.save_care_settings(owner, theirs, "another seat", other.version)
    dialog.form.cap.setValue(4)
    dialog.form.birthday_days.setValue(2)
    dialog.save_button.click()
    lines = dialog.error.text().split("\n")
    assert lines[0].startswith(f"The care settings were changed by {owner.name} at ")
    assert "Marketing touches per customer: theirs “1”, yours “4”." in lines
    assert f"Time zone: theirs “Europe/Berlin”, yours “{other.value.timezone}”." in lines
    assert not [line for line in lines if line.startswith("Daily limit")]  # the same on both sides
    assert dialog.form.cap.value() == 4 and dialog.form.birthday_days.value() == 2  # typed, kept
    assert services.touches.care_settings() == theirs  # theirs stands
    assert services.touches.rule_set().rules.birthday.days_ahead != 2  # and the rules waited too
    assert dialog.reload_button.isVisible()
    dialog.reload_button.click()
    assert dialog.form.cap.value() == 1


def test_the_wording_previews_as_it_is_typed_and_is_saved_for_the_shop(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    page = dialog.templates
    dialog.tabs.setCurrentWidget(page)
    page.choose(TouchKind.PURCHASE_FOLLOW_UP, Channel.SMS)
    assert page.body.toPlainText() == template_for(TouchKind.PURCHASE_FOLLOW_UP, Channel.SMS).body
    assert not page.subject.isVisible() and page.state.text() == "careapp's wording"
    page.body.setPlainText("Hi {first_name}, is the {last_purchase} behaving? {shop_nmae}")
    assert page.preview.toPlainText() == "Hi Ann, is the burr grinder behaving? {shop_nmae}"
    assert page.unknown.text() == "careapp does not know {shop_nmae}; check the spelling."
    assert page.state.text() == "Changed, not saved yet"
    page.choose(TouchKind.BIRTHDAY, Channel.EMAIL)  # look elsewhere and come back: still typed
    assert page.subject.isVisible()
    assert page.preview.toPlainText().startswith("Happy birthday from ")
    page.choose(TouchKind.PURCHASE_FOLLOW_UP, Channel.SMS)
    page.body.setPlainText("Hi {first_name}, is the {last_purchase} behaving?")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.state.text() == "The shop's own wording")
    saved = services.messages.custom_templates()[TouchKind.PURCHASE_FOLLOW_UP, Channel.SMS]
    assert saved.body == "Hi {first_name}, is the {last_purchase} behaving?"
    assert page.reset_button.isEnabled()
    page.reset_button.click()
    qtbot.waitUntil(lambda: page.state.text() == "careapp's wording")
    assert services.messages.custom_templates() == {}
    assert page.body.toPlainText() == template_for(TouchKind.PURCHASE_FOLLOW_UP, Channel.SMS).body


def test_the_library_adds_edits_and_removes_articles(
    qtbot: QtBot, services: Services, jo: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, jo, prompts)
    library = dialog.library
    dialog.tabs.setCurrentWidget(library)
    assert library.model.rowCount() == 0 and not library.edit_button.isEnabled()
    editor = library.add()
    assert editor is not None
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor.title, "Descaling without tears")
    editor.link.setText("example.com/descale")
    qtbot.keyClicks(editor.topics, "coffee, machines")
    editor.save_button.click()
    assert editor.error.text() == "The link must be a web address starting with https:// or http://."
    assert editor.isVisible() and editor.title.text() == "Descaling without tears"
    editor.link.setText("https://example.com/descale")
    editor.save_button.click()
    qtbot.waitUntil(lambda: library.model.rowCount() == 1)
    [article] = services.articles.list()
    assert (article.title, article.topics, article.updated_by) == (
        "Descaling without tears",
        ("coffee", "machines"),
        "Jo",
    )
    editor = library.edit()
    assert editor is not None and editor.title.text() == "Descaling without tears"
    editor.title.setText("Descaling, step by step")
    editor.save_button.click()
    qtbot.waitUntil(lambda: library.model.text(0, 0) == "Descaling, step by step")
    prompts.answer = False
    library.remove_button.click()
    assert (
        library.model.rowCount() == 1
        and prompts.asked[-1] == "Remove “Descaling, step by step” from the library?"
    )
    prompts.answer = True
    library.remove_button.click()
    qtbot.waitUntil(lambda: library.model.rowCount() == 0)
    assert services.articles.list() == []


def test_the_tables_pass_the_model_tester(qtmodeltester: Any, services: Services, owner: Actor) -> None:
    model = DaysTableModel([DaysColumn("Tag", name=True), DaysColumn("Ideal", optional=True, minimum=1)])
    model.set_rows([["vip", 20], ["trade", None]])
    qtmodeltester.check(model)
    assert (
        model.data(model.index(1, 1)) == "none"
        and model.data(model.index(1, 1), Qt.ItemDataRole.EditRole) == -1
    )
    assert not model.setData(model.index(0, 1), 0)  # below the minimum
    assert not model.setData(model.index(0, 0), "  ")  # a name is needed
    assert model.setData(model.index(0, 1), -1) and model.rows()[0] == ("vip", None)
    model.add_row("new", 5)
    model.remove_row(0)
    qtmodeltester.check(model)
    assert model.rows() == [("trade", None), ("new", 5)]
    from careapp.services.care.articles import ArticleDraft

    services.articles.add(
        owner, ArticleDraft("Cold brew", "https://example.com/cold", "", ("coffee",), dt.date(2026, 11, 1))
    )
    articles = ArticlesModel()
    articles.set_rows(services.articles.list())
    qtmodeltester.check(articles)
    assert [articles.text(0, c) for c in range(5)] == ["Cold brew", "coffee", "1 November 2026", "0", "0"]


def test_tab_reaches_every_control_and_every_control_has_a_name(
    qtbot: QtBot, services: Services, owner: Actor, prompts: ScriptedPrompts
) -> None:
    dialog = open_rules(qtbot, services, owner, prompts)
    for page in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(page)
        reached = tab_through(qtbot, dialog.tabs.tabBar())
        missing = [describe(w) for w in controls(dialog) if w not in reached]
        assert missing == [], dialog.tabs.tabText(page)
        nameless = [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))]
        assert nameless == [], dialog.tabs.tabText(page)
