"""Issue 18: the "1 March" rule as a server reads it, and the settings saying which clients were checked.

Radicale is given careapp's CalDAV object for a 29 February birthday under the "1 March" rule and asked
(a ``calendar-query`` REPORT with a ``time-range``: the server expands the recurrence itself, as a
phone syncing a date range does) which days the birthday falls on in 2027-2029. The sentence the
settings show names the clients the domain module's docstring names, checked here against each other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from calendar_servers import PASSWORD, USER, Radicale
from calshop import Shop

import careapp.domain.calendar as calendar_domain
from careapp.domain.calendar import ItemKind, build_object
from careapp.domain.recurrence import MAR1_CHECKED_CLIENTS, MAR1_UNCHECKED_CLIENTS
from careapp.services.calendar.sync import _dav_client

QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    server.make_calendar()
    yield server
    server.stop()


def falls_on(radicale: Radicale, day: dt.date) -> bool:
    """Does Radicale's own time-range search find an event on ``day``?"""
    client = _dav_client(radicale.calendar_url, USER, PASSWORD)
    start, end = day.strftime("%Y%m%dT000000Z"), (day + dt.timedelta(days=1)).strftime("%Y%m%dT000000Z")
    body = QUERY.format(start=start, end=end)
    response = client.request(
        radicale.calendar_url, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"}
    )
    assert response.status == 207, response.status
    return bool(re.search(r"\.ics</", response.raw if isinstance(response.raw, str) else str(response.raw)))


@pytest.mark.slow
def test_radicale_finds_a_29_february_birthday_on_1_march_in_other_years(
    shop: Shop, radicale: Radicale
) -> None:
    shop.services.settings.save_shop(replace(shop.services.settings.shop(), feb29_observed_on="mar1"))
    [ann] = [i for i in shop.calendar.items([ItemKind.BIRTHDAYS]) if i.entry.title == "Birthday: Ann E."]
    client = _dav_client(radicale.calendar_url, USER, PASSWORD)
    text = build_object(ann, dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    response = client.request(
        radicale.calendar_url + "ann.ics", "PUT", text.decode(), {"Content-Type": "text/calendar"}
    )
    assert response.status in (201, 204)
    expected = {
        dt.date(2027, 2, 28): False,
        dt.date(2027, 3, 1): True,
        dt.date(2028, 2, 29): True,
        dt.date(2028, 3, 1): False,
        dt.date(2029, 2, 28): False,
        dt.date(2029, 3, 1): True,
    }
    assert {day: falls_on(radicale, day) for day in expected} == expected


def test_the_settings_name_the_clients_the_domain_module_names(qtbot: Any) -> None:
    from careapp.services.calendar.service import CalendarSettings
    from careapp.ui.calendar.feb29_note import mar1_checked_sentence
    from careapp.ui.calendar.settings_dialog import CalendarDialog
    from careapp.ui.runner import SyncRunner
    from careapp.ui.shop.form import ShopSettingsForm

    sentence = mar1_checked_sentence()
    # Shown in the calendar settings and beside the choice itself (the shop settings and the welcome).
    dialog = CalendarDialog(CalendarSettings(), None, SyncRunner(), None)  # type: ignore[arg-type]
    form = ShopSettingsForm()
    for widget in (dialog, form):
        qtbot.addWidget(widget)
    assert sentence in dialog.feb29_note.text()
    assert form.mar1_note.text() == sentence
    docstring = " ".join((calendar_domain.__doc__ or "").split())
    for client in MAR1_CHECKED_CLIENTS + MAR1_UNCHECKED_CLIENTS:
        assert client in sentence, client
        assert client in docstring, client
    # Said as checked in one and not checked in the other would be a lie: the halves must agree.
    checked_part, unchecked_part = sentence.split(";", 1)
    assert all(client in checked_part for client in MAR1_CHECKED_CLIENTS)
    assert all(client in unchecked_part for client in MAR1_UNCHECKED_CLIENTS)
    doc_checked = docstring.split("Checked for the “1 March” rule:", 1)[1].split("Not checked:", 1)
    assert all(client in doc_checked[0] for client in MAR1_CHECKED_CLIENTS)
    assert all(client in doc_checked[1] for client in MAR1_UNCHECKED_CLIENTS)
