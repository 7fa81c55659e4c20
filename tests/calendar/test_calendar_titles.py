"""Issue 18: what careapp writes into a calendar about a customer, through the service (a real migrated
SQLite file): titles with a first name and initial or the customer's number, descriptions true in every
year; parsed by icalendar and vobject, expanded with recurring-ical-events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import recurring_ical_events
import vobject
from calshop import Shop
from icalendar import Calendar

from careapp.domain.calendar import ItemKind
from careapp.importing import ColumnMapping


def summaries_and_descriptions(feed: bytes) -> dict[str, str]:
    vobject.readOne(feed.decode("utf-8"), validate=True)
    calendar = Calendar.from_ical(feed)
    return {str(e["SUMMARY"]): str(e.get("DESCRIPTION", "")) for e in calendar.walk("VEVENT")}


def test_customers_known_only_by_an_email_or_a_phone_are_titled_by_their_number(
    shop: Shop, tmp_path: Path
) -> None:
    """The issue's reproduction: rows imported with a mapping, one known only by an email, one only by
    a phone (the form refuses the latter; an import lets it in)."""
    path = tmp_path / "n.csv"
    path.write_text("Name,Email,Phone,Birthday\n,only@example.com,,1985-07-04\n,,07700 900456,1990-01-02\n")
    mapping = ColumnMapping({"Name": "full_name", "Email": "email", "Phone": "phone", "Birthday": "birthday"})
    summary = shop.services.imports.apply(path, "test", mapping)
    by_email, by_phone = (row.customer_id for row in summary.rows)
    assert by_email and by_phone
    shown = summaries_and_descriptions(shop.calendar.feed_text([ItemKind.BIRTHDAYS]))
    assert shown[f"Birthday: customer #{by_email}"] == "Born 1985."
    assert shown[f"Birthday: customer #{by_phone}"] == "Born 1990."
    text = shop.calendar.feed_text().decode()
    for secret in ("only@example.com", "900456", "(no N", "no name"):
        assert secret not in text


def test_a_birthdays_description_is_true_in_every_year_so_it_is_written_once(shop: Shop) -> None:
    feed = shop.calendar.feed_text([ItemKind.BIRTHDAYS])
    calendar = Calendar.from_ical(feed)
    for year in (2027, 2028, 2029, 2040):
        for event in recurring_ical_events.of(calendar).between(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)):
            assert str(event["DESCRIPTION"]) in {"Born 1996.", "Birthday."}, year
    first = {i.uid: (i.sequence, i.entry) for i in shop.calendar.items([ItemKind.BIRTHDAYS])}
    # A year on, nothing about a birthday has changed: nothing to write again.
    later = shop.calendar.items([ItemKind.BIRTHDAYS], start=dt.date(2027, 11, 23))
    assert {i.uid: (i.sequence, i.entry) for i in later} == first


def test_29_february_in_2027_to_2029_under_both_rules_through_the_service(shop: Shop) -> None:
    expected = {
        "feb28": [dt.date(2027, 2, 28), dt.date(2028, 2, 29), dt.date(2029, 2, 28)],
        "mar1": [dt.date(2027, 3, 1), dt.date(2028, 2, 29), dt.date(2029, 3, 1)],
    }
    for rule, days in expected.items():
        shop.services.settings.save_shop(replace(shop.services.settings.shop(), feb29_observed_on=rule))
        feed = shop.calendar.feed_text([ItemKind.BIRTHDAYS])
        vobject.readOne(feed.decode("utf-8"), validate=True)
        events = recurring_ical_events.of(Calendar.from_ical(feed)).between(
            dt.date(2027, 1, 1), dt.date(2030, 1, 1)
        )
        ann = sorted(e["DTSTART"].dt for e in events if str(e["SUMMARY"]) == "Birthday: Ann E.")
        assert ann == days, rule
