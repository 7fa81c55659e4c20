"""A touch held because its customer withdrew consent on its channel does not show that channel as
the way it goes (seen on the screenshot of the Held section: "SMS" in the Channel column and "Due
tomorrow by SMS" beside "withdrew consent to be contacted by text message"). A touch that moved to
another channel shows the new one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, PartialDate
from careapp.services.shop.staff import Actor
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services

CHANNEL_COLUMN = 2


def test_a_touch_held_for_a_withdrawn_consent_shows_no_channel_to_go_by(
    qtbot: QtBot, services: Services
) -> None:
    today = services.touches.today()
    soon = today + dt.timedelta(days=3)
    draft = CustomerDraft(
        first_name="Bob", last_name="Evans", birthday=PartialDate(soon.month, soon.day, 1980),
        emails=[EmailAddress("bob@example.org")],
    )  # fmt: skip
    bob = services.customers.create(draft, "Sam").id
    services.customers.record_consent(bob, ConsentEvent(Channel.EMAIL, True, services.clock()))
    services.touches.refresh()
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.attach(services)
    page.reload()
    assert page.queue is not None
    [before] = [e for e in page.queue.entries() if e.customer_id == bob]
    index = page.model.find(before.touch_id)
    assert page.model.index(index.row(), CHANNEL_COLUMN, index.parent()).data() == "Email"

    services.customers.record_consent(bob, ConsentEvent(Channel.EMAIL, False, services.clock()))
    page.reload()
    [held] = [e for e in page.queue.held if e.customer_id == bob]
    assert held.channel is Channel.EMAIL  # the plan keeps it: the next plan works from it
    assert "withdrew consent to be contacted by email" in held.reason
    index = page.model.find(held.touch_id)
    assert page.model.index(index.row(), CHANNEL_COLUMN, index.parent()).data() == "none now"
    assert page.select_touch(held.touch_id)
    when = page.details.when.text()
    assert "no channel it can go by now" in when and "Email" not in when
