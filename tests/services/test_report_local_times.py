"""The report's cached UTC -> local conversion gives exactly what astimezone gives, DST changes included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from careapp.services.tickets.reports import LocalTimes


def _every(minutes: int, start: dt.datetime, days: int) -> list[dt.datetime]:
    count = days * 24 * 60 // minutes
    return [start + dt.timedelta(minutes=minutes * n, seconds=n % 60) for n in range(count)]


@pytest.mark.parametrize(
    "zone", ["Europe/London", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kolkata", "UTC"]
)
def test_same_as_astimezone_over_a_year(zone: str) -> None:
    tz = ZoneInfo(zone)
    convert = LocalTimes(tz)
    for moment in _every(13, dt.datetime(2025, 1, 1), 366):
        expected = moment.replace(tzinfo=dt.UTC).astimezone(tz)
        got = convert(moment)
        assert (got, got.utcoffset(), got.tzname(), got.fold) == (
            expected,
            expected.utcoffset(),
            expected.tzname(),
            expected.fold,
        ), moment


def test_the_computers_zone() -> None:
    convert = LocalTimes(None)
    for moment in _every(37, dt.datetime(2026, 1, 1), 366):
        expected = moment.replace(tzinfo=dt.UTC).astimezone()
        got = convert(moment)
        assert (got, got.utcoffset(), got.tzname()) == (expected, expected.utcoffset(), expected.tzname())


def test_the_hour_of_a_change_is_exact() -> None:
    # London falls back at 01:00 UTC on 26 October 2025: 01:30 local happens twice.
    tz = ZoneInfo("Europe/London")
    convert = LocalTimes(tz)
    first = convert(dt.datetime(2025, 10, 26, 0, 30))
    second = convert(dt.datetime(2025, 10, 26, 1, 30))
    assert (first.hour, first.minute, first.fold, first.utcoffset()) == (1, 30, 0, dt.timedelta(hours=1))
    assert (second.hour, second.minute, second.fold, second.utcoffset()) == (1, 30, 1, dt.timedelta(0))


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Lord_Howe", "America/St_Johns", None])
def test_stored_microseconds_convert_as_the_naive_time_does(zone: str | None) -> None:
    """Kept FCR verdicts store times as microseconds since 1970 (UTC): converting those directly gives
    what converting the naive UTC time gives, across every daylight-saving change of a year."""
    convert = LocalTimes(None if zone is None else ZoneInfo(zone))
    epoch = dt.datetime(1970, 1, 1)
    for moment in _every(11, dt.datetime(2025, 1, 1), 366):
        microseconds = (moment - epoch) // dt.timedelta(microseconds=1) + moment.second * 7
        expected = convert(epoch + dt.timedelta(microseconds=microseconds))
        got = convert.of_microseconds(microseconds)
        assert (got, got.utcoffset(), got.tzname(), got.fold) == (
            expected,
            expected.utcoffset(),
            expected.tzname(),
            expected.fold,
        ), moment
