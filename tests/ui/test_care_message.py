"""Writing a touch's message: the draft, the wording's live preview, mailto/sms links, copying, and the
touch marked done with what was sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from careapp.domain.customer import Channel
from careapp.domain.templates import mailto_url, sms_url
from careapp.domain.touches import TouchKind
from careapp.services.shop.staff import Actor
from careapp.ui.care.message_dialog import MessageDialog, message_url
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.runner import SyncRunner
from tests.ui.tab_walk import accessible_name, controls, describe

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.care.queue import QueueEntry


class FakeOpener:
    """Stands in for QDesktopServices.openUrl: remembers the links, opens nothing."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.urls: list[QUrl] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return self.works


@pytest.fixture
def opener() -> FakeOpener:
    return FakeOpener()


@pytest.fixture
def page(qtbot: QtBot, demo_services: Services, opener: FakeOpener) -> CareQueuePage:
    demo_services.touches.refresh()
    widget = CareQueuePage(SyncRunner(), lambda: Actor("Sam"), opener)
    qtbot.addWidget(widget)
    widget.attach(demo_services)
    widget.show()
    widget.reload()
    qtbot.waitUntil(lambda: widget.queue is not None)
    return widget


def birthday_by_email(page: CareQueuePage) -> QueueEntry:
    return next(
        e
        for e in page.model.entries()
        if e.kind is TouchKind.BIRTHDAY
        and e.channel is Channel.EMAIL
        and e.context.age_turning
        and e.status == "queued"
    )


def open_message(qtbot: QtBot, page: CareQueuePage, entry: QueueEntry) -> MessageDialog:
    assert page.select_touch(entry.touch_id)
    dialog = page.write_message()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.loaded is not None)
    return dialog


def test_the_draft_is_the_shops_wording_for_this_customer(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services
) -> None:
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    shop = demo_services.settings.shop().shop_name
    first_name = demo_services.customers.get(entry.customer_id).first_name
    assert dialog.subject.text() == f"Happy birthday from {shop}"
    assert dialog.body.toPlainText().startswith(
        f"Hi {first_name},\n\nHappy birthday from all of us at {shop}!"
    )
    assert f"Congratulations on turning {entry.context.age_turning}." in dialog.body.toPlainText()
    assert dialog.address.text() == demo_services.customers.get(entry.customer_id).emails[0].address
    assert dialog.send_button.text() == "&Open in mail program" and dialog.send_button.isVisible()
    assert dialog.template_body.toPlainText().startswith("Hi {first_name},")
    assert not dialog.wording.isVisible()
    dialog.wording_button.click()
    assert dialog.wording.isVisible()
    nameless = [describe(w) for w in controls(dialog) if not (w.accessibleName() or accessible_name(w))]
    assert nameless == []


def test_changing_the_wording_previews_it_live(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services
) -> None:
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    first_name = demo_services.customers.get(entry.customer_id).first_name
    dialog.wording_button.click()
    dialog.template_body.setPlainText("Hello {first_name}! {age} looks good on you.")
    qtbot.waitUntil(lambda: dialog.body.toPlainText().startswith("Hello "), timeout=3000)
    assert dialog.body.toPlainText() == f"Hello {first_name}! {entry.context.age_turning} looks good on you."
    assert not dialog.hand_edited
    dialog.template_subject.setText("For {frist_name}")
    dialog.template_subject.textEdited.emit("For {frist_name}")
    qtbot.waitUntil(lambda: dialog.unknown.isVisible(), timeout=3000)
    assert dialog.unknown.text() == "careapp does not know {frist_name}; check the spelling."
    assert dialog.subject.text() == "For {frist_name}"


def test_hand_edits_are_never_overwritten_by_the_wording(qtbot: QtBot, page: CareQueuePage) -> None:
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    dialog.body.setPlainText("My own words.")
    assert dialog.hand_edited and dialog.edited_note.isVisibleTo(dialog)
    dialog.template_body.setPlainText("Hi {first_name}")
    dialog.preview_now()
    assert dialog.body.toPlainText() == "My own words."
    dialog.redo_button.click()
    qtbot.waitUntil(lambda: dialog.body.toPlainText().startswith("Hi "))
    assert not dialog.hand_edited and not dialog.edited_note.isVisibleTo(dialog)


def test_sending_opens_the_mail_program_and_marks_the_touch_done_with_the_message(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services, opener: FakeOpener
) -> None:
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    dialog.body.setPlainText("Happy birthday, from all of us & the dog!\nSee you soon.")
    address = dialog.address.text()
    with qtbot.waitSignal(dialog.sent):
        dialog.send_button.click()
    [url] = opener.urls
    expected = mailto_url(
        address, dialog.subject.text(), "Happy birthday, from all of us & the dog!\nSee you soon."
    )
    assert url.toString(QUrl.ComponentFormattingOption.FullyEncoded) == expected
    assert url.scheme() == "mailto"
    qtbot.waitUntil(lambda: not page.model.find(entry.touch_id).isValid())
    [sent] = demo_services.messages.sent(entry.customer_id)
    assert (sent.kind, sent.channel, sent.who) == (TouchKind.BIRTHDAY, Channel.EMAIL, "Sam")
    assert sent.subject == dialog.subject.text()
    assert sent.body == "Happy birthday, from all of us & the dog!\nSee you soon."
    # careapp only opened the mail program: nothing on screen or in the timeline says it was sent.
    assert page.status.text().startswith("Opened in your mail program: birthday greeting for ")
    assert "sent" not in page.status.text().lower().replace("send it", "")
    timeline = demo_services.customers.timeline(entry.customer_id)
    contacts = [e for e in timeline if e.title == "Email opened in your mail program by Sam"]
    assert len(contacts) == 1 and contacts[0].detail.startswith("Birthday greeting: turns ")
    assert contacts[0].detail.endswith(" · opened in your mail program, not sent by careapp")
    assert not any(e.title.startswith("Outgoing email") for e in timeline)


def test_when_no_program_opens_nothing_is_marked_done(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services, opener: FakeOpener
) -> None:
    opener.works = False
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    dialog.body.setPlainText("Typed with care.")
    dialog.send_button.click()
    assert dialog.error.isVisible()
    assert dialog.error.text().startswith("careapp could not open a program for email on this computer.")
    assert dialog.isVisible() and dialog.body.toPlainText() == "Typed with care."
    assert demo_services.messages.sent(entry.customer_id) == []
    assert page.model.find(entry.touch_id).isValid()


def test_copy_puts_the_message_on_the_clipboard_and_marks_it_done(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services, opener: FakeOpener
) -> None:
    entry = birthday_by_email(page)
    dialog = open_message(qtbot, page, entry)
    subject, body = dialog.subject.text(), dialog.body.toPlainText()
    with qtbot.waitSignal(dialog.sent):
        dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == f"{subject}\n\n{body}"
    assert opener.urls == []
    [sent] = demo_services.messages.sent(entry.customer_id)
    assert (sent.subject, sent.body) == (subject, body)
    assert page.status.text().startswith("Copied: birthday greeting for ")
    timeline = demo_services.customers.timeline(entry.customer_id)
    [contact] = [e for e in timeline if e.kind == "contact" and e.detail.startswith("Birthday greeting")]
    assert contact.title == "Email copied by Sam"
    assert contact.detail.endswith(" · copied, not sent by careapp")


def test_a_text_message_has_no_subject_and_opens_the_messaging_app(
    qtbot: QtBot, page: CareQueuePage, demo_services: Services, opener: FakeOpener
) -> None:
    entry = next(e for e in page.model.entries() if e.channel is Channel.SMS and e.status == "queued")
    dialog = open_message(qtbot, page, entry)
    assert not dialog.subject.isVisibleTo(dialog)
    assert dialog.send_button.text() == "&Open in messaging app"
    number = dialog.address.text()
    with qtbot.waitSignal(dialog.sent):
        dialog.send_button.click()
    assert opener.urls[0].toString(QUrl.ComponentFormattingOption.FullyEncoded) == sms_url(
        number, dialog.body.toPlainText()
    )
    [sent] = demo_services.messages.sent(entry.customer_id)
    assert sent.channel is Channel.SMS and sent.subject == ""


def test_choosing_another_channel_drafts_for_it(qtbot: QtBot, page: CareQueuePage) -> None:
    entry = next(
        e
        for e in page.model.entries()
        if e.channel is Channel.EMAIL and Channel.SMS in e.channels and e.status == "queued"
    )
    dialog = open_message(qtbot, page, entry)
    dialog.channel.setCurrentIndex(dialog.channel.findData(Channel.SMS.value))
    qtbot.waitUntil(lambda: dialog.loaded is not None and dialog.loaded.draft.channel is Channel.SMS)
    assert not dialog.subject.isVisibleTo(dialog)
    assert dialog.url() is not None and dialog.url().startswith("sms:")  # type: ignore[union-attr]


def test_links_for_each_channel() -> None:
    assert (
        message_url(Channel.EMAIL, "ann@example.com", "Hi", "A\nB")
        == "mailto:ann@example.com?subject=Hi&body=A%0D%0AB"
    )
    assert message_url(Channel.SMS, "+44 7700 900123", "", "Hi") == "sms:+447700900123?body=Hi"
    assert message_url(Channel.PHONE, "07700 900123", "", "script") == "tel:07700900123"
    assert message_url(Channel.POST, "1 High Street", "", "Card") is None
    assert message_url(Channel.EMAIL, "", "Hi", "x") is None
    assert message_url(Channel.SMS, "no digits", "", "x") is None
