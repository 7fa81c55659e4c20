"""The Feedback tab: the customer's feedback as a list, recording it, publishing it as a
testimonial (only with the customer's permission and a current consent), and withdrawing it.

The panel runs on the threaded runner, as in the app: every check waits for the result."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft
from careapp.services.shop.staff import Actor, Role
from careapp.ui.feedback import FeedbackListModel, FeedbackPanel
from careapp.ui.feedback.model import FeedbackRole, PublishedRole
from careapp.ui.runner import ThreadedRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

NO_CONSENT = "This customer has not given (or has withdrawn) consent on every channel"


@pytest.fixture
def sam(services: Services) -> Actor:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def evan(services: Services) -> int:
    return services.customers.create(CustomerDraft(first_name="Evan", last_name="Price"), "Sam").id


def grant_email_consent(services: Services, customer_id: int) -> None:
    services.customers.record_consent(
        customer_id,
        ConsentEvent(Channel.EMAIL, True, dt.datetime(2026, 11, 1, 10, 0), "signed form", "Sam"),
    )


@pytest.fixture
def panel(
    qtbot: QtBot, services: Services, threaded_runner: ThreadedRunner, sam: Actor, evan: int
) -> FeedbackPanel:
    widget = FeedbackPanel(threaded_runner, lambda: sam)
    qtbot.addWidget(widget)
    widget.attach(services)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show(qtbot: QtBot, panel: FeedbackPanel, customer_id: int, rows: int) -> None:
    panel.show_customer(customer_id)
    qtbot.waitUntil(lambda: panel.model.rowCount() == rows and panel.record_button.isEnabled())


def record_through_dialog(qtbot: QtBot, panel: FeedbackPanel, words: str, positive: bool = True) -> None:
    before = panel.model.rowCount()
    panel.record_button.click()
    dialog = panel.record_dialog
    assert dialog is not None and dialog.isVisible()
    (dialog.positive if positive else dialog.negative).setChecked(True)
    qtbot.keyClicks(dialog.text, words)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == before + 1)


def publish_through_dialog(qtbot: QtBot, panel: FeedbackPanel, method: str) -> None:
    panel.publish_button.click()
    dialog = panel.publish_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.publish_button.isEnabled()  # not until they say how the customer agreed
    qtbot.keyClicks(dialog.method.lineEdit(), method)
    assert dialog.publish_button.isEnabled()
    dialog.publish_button.click()


def test_the_model_passes_the_model_tester(
    qtmodeltester: Any, services: Services, sam: Actor, evan: int
) -> None:
    grant_email_consent(services, evan)
    feedback = services.feedback
    feedback.record(sam, evan, False, "Took three weeks to hear back")
    good = feedback.record(sam, evan, True, "Lovely service")
    feedback.record(sam, evan, True, "")
    feedback.mark_publishable(sam, good.id, "said yes on the phone")
    model = FeedbackListModel()
    model.set_rows(feedback.for_customer(evan))
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    qtmodeltester.check(FeedbackListModel())  # and empty


def test_each_item_says_when_what_and_whether_it_is_published(
    services: Services, sam: Actor, evan: int
) -> None:
    grant_email_consent(services, evan)
    saved = services.feedback.record(sam, evan, True, "Lovely service")
    services.feedback.mark_publishable(sam, saved.id, "said yes on the phone")
    services.feedback.record(sam, evan, False, "Slow reply")
    model = FeedbackListModel()
    model.set_rows(services.feedback.for_customer(evan))
    by_words = {
        index.data(FeedbackRole).text: (index.data(), index.data(PublishedRole))
        for index in (model.index(row) for row in range(model.rowCount()))
    }
    assert len(by_words) == 2
    lovely_text, lovely_published = by_words["Lovely service"]
    assert lovely_published is True
    assert lovely_text.splitlines() == [
        "23 November 2026 · Positive",
        "“Lovely service”",
        "Published as a testimonial (how they agreed: said yes on the phone)",
    ]
    slow_text, slow_published = by_words["Slow reply"]
    assert slow_published is False
    assert slow_text.splitlines()[0] == "23 November 2026 · Negative"
    assert slow_text.splitlines()[2] == "Not published"


def test_recorded_feedback_appears_in_the_list(
    qtbot: QtBot, panel: FeedbackPanel, services: Services, evan: int
) -> None:
    show(qtbot, panel, evan, 0)
    assert panel.stack.currentWidget() is panel.empty
    record_through_dialog(qtbot, panel, "Not happy with the wait", positive=False)
    assert panel.stack.currentWidget() is panel.list
    [stored] = services.feedback.for_customer(evan)
    assert (stored.positive, stored.text, stored.recorded_by) == (False, "Not happy with the wait", "Sam")
    assert panel.current_feedback() == stored
    assert not panel.publish_button.isEnabled()  # negative feedback is not a testimonial


def test_publishing_without_consent_is_refused_with_the_reason_and_nothing_changes(
    qtbot: QtBot, panel: FeedbackPanel, services: Services, evan: int, threaded_runner: ThreadedRunner
) -> None:
    show(qtbot, panel, evan, 0)
    record_through_dialog(qtbot, panel, "Brilliant, thank you")
    assert panel.publish_button.isEnabled()
    publish_through_dialog(qtbot, panel, "said yes on the phone")
    qtbot.waitUntil(lambda: panel.status.isVisible())
    assert panel.status.text().startswith(NO_CONSENT)
    [stored] = services.feedback.for_customer(evan)
    assert not stored.publishable and stored.publish_consent_method == ""
    qtbot.waitUntil(lambda: not threaded_runner.is_busy())  # the refresh after the refusal
    assert panel.model.index(0).data(PublishedRole) is False
    assert panel.model.index(0).data().splitlines()[2] == "Not published"
    assert panel.publish_button.isEnabled() and not panel.withdraw_button.isEnabled()
    assert services.feedback.testimonials() == []


def test_publishing_with_consent_publishes_and_withdrawing_takes_it_back(
    qtbot: QtBot, panel: FeedbackPanel, services: Services, evan: int
) -> None:
    grant_email_consent(services, evan)
    show(qtbot, panel, evan, 0)
    record_through_dialog(qtbot, panel, "Brilliant, thank you")
    record_through_dialog(qtbot, panel, "Fixed it on the spot")
    # The newest is selected after recording; publish the older one.
    older = panel.model.row_of(services.feedback.for_customer(evan)[1].id)
    assert older is not None
    panel.list.setCurrentIndex(panel.model.index(older))
    chosen = panel.current_feedback()
    assert chosen is not None and chosen.text == "Brilliant, thank you"
    publish_through_dialog(qtbot, panel, "signed form")
    qtbot.waitUntil(lambda: panel.model.index(older).data(PublishedRole) is True)
    assert not panel.status.isVisible()
    assert panel.current_feedback() is not None and panel.current_feedback().id == chosen.id  # type: ignore[union-attr]
    assert panel.model.index(older).data().splitlines()[2] == (
        "Published as a testimonial (how they agreed: signed form)"
    )
    [testimonial] = services.feedback.testimonials()
    assert (testimonial.id, testimonial.publish_consent_method, testimonial.publish_consent_by) == (
        chosen.id,
        "signed form",
        "Sam",
    )
    assert panel.withdraw_button.isEnabled() and not panel.publish_button.isEnabled()

    panel.withdraw_button.click()
    qtbot.waitUntil(lambda: panel.model.index(older).data(PublishedRole) is False)
    assert services.feedback.testimonials() == []
    assert panel.model.index(older).data().splitlines()[2] == (
        "Withdrawn from testimonials (they had agreed: signed form)"
    )
    assert panel.publish_button.isEnabled() and not panel.withdraw_button.isEnabled()


def test_the_actions_have_mnemonics(qtbot: QtBot, panel: FeedbackPanel, evan: int) -> None:
    show(qtbot, panel, evan, 0)
    texts = [b.text() for b in (panel.record_button, panel.publish_button, panel.withdraw_button)]
    assert texts == ["Recor&d feedback…", "&Publish as testimonial…", "&Withdraw from testimonials"]
    panel.activateWindow()
    qtbot.waitUntil(lambda: panel.isActiveWindow())
    qtbot.keyClick(panel, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: panel.record_dialog is not None and panel.record_dialog.isVisible())
    panel.record_dialog.reject()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.record_dialog is None)
