"""The care queue's empty and busy states say why (issue 14): not "0 overdue · 0 today" with no word."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from careapp.domain.customer import CustomerDraft, PartialDate
from careapp.services.shop.staff import Actor
from careapp.ui.care.queue_page import CareQueuePage
from careapp.ui.runner import SyncRunner

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services


def page_on(qtbot: QtBot, services: Services) -> CareQueuePage:
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.attach(services)
    services.touches.refresh()
    page.reload()
    return page


def test_an_empty_shop_says_there_are_no_customers_yet(qtbot: QtBot, services: Services) -> None:
    page = page_on(qtbot, services)
    assert page.counts.text().startswith("Nothing due: there are no customers yet.")
    services.customers.create(CustomerDraft(first_name="Ann"), "Sam")
    page.reload()
    assert page.counts.text() == (
        "Nothing due in the next 30 days: your one customer has no birthday or purchase yet, so "
        "nothing falls due for them."
    )
    services.customers.create(CustomerDraft(first_name="Bob"), "Sam")
    page.reload()
    assert "none of your 2 customers has a birthday or purchase yet" in page.counts.text()


def test_an_empty_queue_says_how_many_customers_have_nothing_to_fall_due(
    qtbot: QtBot, services: Services
) -> None:
    for name in ("Ann", "Bob", "Cy"):
        services.customers.create(CustomerDraft(first_name=name), "Sam")
    far = services.customers.create(CustomerDraft(first_name="Di", birthday=PartialDate(5, 20, 1985)), "Sam")
    assert far.birthday is not None  # in May: nothing within 30 days of 23 November
    assert services.care_queue.quiet_customers() == (4, 3)
    page = page_on(qtbot, services)
    assert page.counts.text() == (
        "Nothing due in the next 30 days: 3 of 4 customers have no birthday or purchase yet, "
        "so nothing falls due for them."
    )
    # The panel beside the blank list says it too, not "Choose a touch in the queue".
    assert page.details.name.text() == "Nothing due"
    assert page.details.why.text() == page.counts.text() and page.details.why.isVisibleTo(page)
    services.customers.create(CustomerDraft(first_name="Eve", birthday=PartialDate(11, 25, 1990)), "Sam")
    services.touches.refresh()
    page.reload()
    assert page.details.name.text() == "Eve"  # a touch came: it is chosen and shown


def test_a_pass_over_everyone_reports_progress_and_the_page_shows_it(
    qtbot: QtBot, services: Services, clock: list[dt.datetime]
) -> None:
    from tests.services.test_care_incremental import demo_shop, forget_refresh_state

    demo_shop(services, clock, 40)
    services.touches.chunk_size = 10
    forget_refresh_state(services)  # the next refresh goes through everyone, 10 at a time
    heard: list[tuple[int, int]] = []
    services.touches.refresh(progress=lambda done, total: heard.append((done, total)))
    assert len(heard) >= 4 and {total for _, total in heard} == {40}
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)  # never goes back
    assert heard[-1][0] < 40
    heard.clear()
    services.touches.refresh(progress=lambda done, total: heard.append((done, total)))
    assert heard == []  # nothing changed: a refresh of a few customers says nothing
    page = CareQueuePage(SyncRunner(), lambda: Actor("Sam"))
    qtbot.addWidget(page)
    page.show_progress(16, 40)
    assert page.counts.text() == "Planning 40 customers… 40%"
