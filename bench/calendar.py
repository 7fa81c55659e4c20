"""Calendar: an .ics export of 10,000 items (CalendarService.export_ics) against careapp's own writer
over the same items (no bookkeeping), and a CalDAV sync with one change among 10,000 items against a
real Radicale, counting the requests that write (PUT and DELETE): it must be exactly one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from pathlib import Path

from bench.common import Figure, below, median_time, timed
from bench.radicale_server import PASSWORD, USER, Radicale

ITEMS = int(os.environ.get("CAREAPP_BENCH_CALENDAR_ITEMS", "10000"))  # smaller for a quick run


class MemoryKeyring:
    """The keyring calls CalDavSync makes, kept in memory (the benchmark has no desktop keyring)."""

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.passwords.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.passwords[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.passwords.pop((service, user), None)


def give_everyone_a_birthday(services) -> int:
    """Every demo customer gets a birthday, so the birthdays kind yields one item per customer."""
    from sqlalchemy import text

    with services.db.session() as session:
        session.execute(
            text(
                "UPDATE customer SET birthday_month = (id % 12) + 1, birthday_day = (id % 28) + 1 "
                "WHERE birthday_month IS NULL"
            )
        )
        return int(session.execute(text("SELECT count(*) FROM customer")).scalar_one())


def _calendar(services, **changes):
    from careapp.context import calendar_service

    calendar = calendar_service(services)
    settings = dataclasses.replace(calendar.calendar_settings(), kinds=("birthdays",), days=366, **changes)
    calendar.save_calendar_settings(settings)
    return calendar


def _bare_ics(items, path: Path) -> None:
    """The same items through careapp's own .ics writer, without the bookkeeping (no database, no
    UIDs or sequences looked up): the fastest honest writer of these events (issue 20; the icalendar
    library, the earlier baseline, is not what careapp's export uses)."""
    from careapp.exporting.ics_export import feed_bytes

    path.write_bytes(feed_bytes(items, "bench", dt.datetime.now(dt.UTC)))


def measure_export(services, work: Path, log=print) -> list[Figure]:
    calendar = _calendar(services)
    target = work / "export.ics"
    first, count = timed(lambda: calendar.export_ics(target))
    again = median_time(lambda: calendar.export_ics(target), 3)
    items = calendar.items()
    baseline = median_time(lambda: _bare_ics(items, work / "bare.ics"), 3)
    log(f"  .ics: {count} events, first export {first:.2f} s (makes the items), then {again:.2f} s")
    return [
        below(
            f".ics export of {count:,} items",
            again,
            1.0,
            baseline=baseline,
            baseline_name="careapp's .ics writer over ready items",
            note=f"first export {first:.2f} s",
        ),
        below(
            f".ics export of {count:,} items, first time",
            first,
            1.0,
            baseline=baseline,
            baseline_name="careapp's .ics writer over ready items",
            note="makes the calendar_item rows",
        ),
    ]


def measure_sync(services, work: Path, log=print) -> list[Figure]:
    from sqlalchemy import text

    from careapp.services.calendar.sync import CalDavSync
    from careapp.services.shop.secrets import SecretStore

    folder = work / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    try:
        server.make_calendar()
        calendar = _calendar(services, caldav_url=server.calendar_url, caldav_user=USER)
        secrets = SecretStore(MemoryKeyring())
        secrets.set(server.calendar_url, USER, PASSWORD)
        sync = CalDavSync(services.db, services.clock, calendar, secrets)
        count = len(calendar.items())
        log(f"  CalDAV: first sync of {count:,} items (one PUT each) ...")
        initial, first_result = timed(sync.sync)
        log(f"  CalDAV: first sync {initial:.1f} s: {first_result.summary()}")
        # Same run, same server: the same number of bare PUTs on one kept-alive connection, into a
        # calendar of its own that grows the same way (Radicale slows as a calendar grows).
        bare_all = _bare_puts(server, count)
        log(f"  CalDAV: {count:,} bare PUTs {bare_all:.1f} s")
        quiet_before = server.requests()
        quiet, quiet_result = timed(sync.sync)
        quiet_requests = sum(server.requests().values()) - sum(quiet_before.values())
        log(f"  CalDAV: nothing changed: {quiet:.2f} s, {quiet_requests} requests; {quiet_result.summary()}")
        with services.db.session() as session:
            session.execute(
                text(
                    "UPDATE customer SET birthday_day = CASE WHEN birthday_day = 1 THEN 2 ELSE 1 END "
                    "WHERE id = (SELECT min(id) FROM customer)"
                )
            )
        before = server.requests()
        took, result = timed(sync.sync)
        after = server.requests()
        writes = sum((after[m] - before[m]) for m in ("PUT", "DELETE"))
        requests = sum(after.values()) - sum(before.values())
        baseline = _bare_put(server)
    finally:
        server.stop()
    log(f"  CalDAV: one change: {took:.2f} s, {requests} requests, {writes} writing; {result.summary()}")
    figure = Figure(
        "CalDAV sync, 1 change in 10,000: writes",
        writes,
        unit="requests",
        target="== 1",
        passed=writes == 1,
        note=f"{requests} requests in all; error: {result.error or 'none'}",
    )
    return [
        Figure(
            f"CalDAV first full sync of {count:,}",
            initial,
            baseline=bare_all,
            baseline_name=f"{count:,} bare PUTs, one connection",
            target="<= 1.2x",
            passed=initial <= 1.2 * bare_all,
            note=first_result.error or "",
        ),
        Figure(
            f"CalDAV sync, nothing changed in {count:,}: time",
            quiet,
            target="<= 0.3 s",
            passed=quiet <= 0.3 and quiet_requests == 0,
            note=f"{quiet_requests} requests",
        ),
        figure,
        Figure(
            "CalDAV sync, 1 change in 10,000: time",
            took,
            baseline=baseline,
            baseline_name="one bare PUT",
            note=f"first full sync {initial:.1f} s",
        ),
    ]


def _bare_put(server: Radicale) -> float:
    import base64
    import urllib.request

    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:bench-bare\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:bare\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def put() -> None:
        request = urllib.request.Request(
            server.calendar_url + "bench-bare.ics",
            data=body,
            method="PUT",
            headers={"Authorization": f"Basic {auth}", "Content-Type": "text/calendar"},
        )
        urllib.request.urlopen(request, timeout=30).read()

    start = time.perf_counter()
    put()
    return time.perf_counter() - start


def _bare_puts(server: Radicale, count: int) -> float:
    """``count`` PUTs of minimal events on one kept-alive connection, into a calendar of their own."""
    import caldav
    import requests

    caldav.DAVClient(url=server.base, username=USER, password=PASSWORD, timeout=30).principal().make_calendar(
        name="Bare", cal_id="bare"
    )
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    target = server.base + f"{USER}/bare/"
    start = time.perf_counter()
    for n in range(count):
        body = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:bare-{n}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\n"
            "SUMMARY:bare\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        response = session.put(
            f"{target}bare-{n}.ics", data=body.encode(), headers={"Content-Type": "text/calendar"}, timeout=30
        )
        response.raise_for_status()
    return time.perf_counter() - start
