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
# Connections of the side-by-side first sync, measured against one (1: not measured).
SIDE_BY_SIDE = int(os.environ.get("CAREAPP_BENCH_CALDAV_SIDE_BY_SIDE", "4"))


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


def measure_export(services, work: Path, log=print, label: str = "") -> list[Figure]:
    """``services``: on a copy of the calendar demo, everyone given a birthday; ``work``: a folder for
    the files; ``label`` starts every figure's name. The baseline reads no database: the same items,
    read from the one ``services`` use beforehand, through the writer."""
    calendar = _calendar(services)
    target = work / "export.ics"
    first, count = timed(lambda: calendar.export_ics(target))
    again = median_time(lambda: calendar.export_ics(target), 3)
    items = calendar.items()
    baseline = median_time(lambda: _bare_ics(items, work / "bare.ics"), 3)
    log(f"  .ics: {count} events, first export {first:.2f} s (makes the items), then {again:.2f} s")
    return [
        below(
            f"{label}.ics export of {count:,} items",
            again,
            1.0,
            baseline=baseline,
            baseline_name="careapp's .ics writer over ready items",
            note=f"first export {first:.2f} s",
        ),
        below(
            f"{label}.ics export of {count:,} items, first time",
            first,
            1.0,
            baseline=baseline,
            baseline_name="careapp's .ics writer over ready items",
            note="makes the calendar_item rows",
        ),
    ]


def measure_sync(services, work: Path, log=print) -> list[Figure]:
    """First full syncs of every item, careapp's on one connection (as it ships) and, unless
    CAREAPP_BENCH_CALDAV_SIDE_BY_SIDE=1, on SIDE_BY_SIDE connections, each next to as many bare PUTs
    on as many connections, all on one Radicale, each into a calendar of its own; then, on the last
    one, a sync with nothing changed and one with one change."""
    folder = work / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    try:
        figures, sync = _first_syncs(services, server, (1, SIDE_BY_SIDE) if SIDE_BY_SIDE > 1 else (1,), log)
        figures += _later_syncs(services, server, sync, log)
    finally:
        server.stop()
    return figures


def _careapp_sync(services, server: Radicale, name: str, connections: int):
    """A CalDavSync into a new calendar ``name``, as if never synced before (no caldav_state)."""
    from sqlalchemy import delete

    from careapp.db.models import CalDavStateRecord
    from careapp.services.calendar.sync import CalDavSync
    from careapp.services.shop.secrets import SecretStore

    url = server.make_calendar(name)
    with services.db.session() as session:
        session.execute(delete(CalDavStateRecord))
    calendar = _calendar(services, caldav_url=url, caldav_user=USER)
    secrets = SecretStore(MemoryKeyring())
    secrets.set(url, USER, PASSWORD)
    return CalDavSync(services.db, services.clock, calendar, secrets, connections=connections)


def _first_syncs(services, server: Radicale, connection_counts, log) -> tuple[list[Figure], object]:
    figures: list[Figure] = []
    took: dict[int, float] = {}
    sync = None
    for connections in connection_counts:
        sync = _careapp_sync(services, server, f"care{connections}", connections)
        count = len(sync._calendar.items())  # type: ignore[attr-defined]
        log(f"  CalDAV: careapp's first sync of {count:,} items on {connections} connection(s) ...")
        took[connections], result = timed(sync.sync)
        log(f"  CalDAV: {took[connections]:.1f} s: {result.summary()}")
        bare = _bare_puts(server, count, connections)
        log(f"  CalDAV: {count:,} bare PUTs on {connections} connection(s) {bare:.1f} s")
        figures.append(
            Figure(
                f"CalDAV first full sync of {count:,}, {connections} connection(s)",
                took[connections],
                baseline=bare,
                baseline_name=f"{count:,} bare PUTs, {connections} connection(s)",
                target="<= 1.2x",
                passed=took[connections] <= 1.2 * bare and result.error is None and result.created == count,
                note=result.error or f"{result.created:,} created",
            )
        )
    one, many = connection_counts[0], connection_counts[-1]
    if many == one:
        return figures, sync
    figures.append(
        Figure(
            f"CalDAV first full sync of {count:,}: careapp on {many} connections",
            took[many],
            baseline=took[one],
            baseline_name=f"careapp on {one} connection",
            note="below 1x: side by side helps (kept when it does)",
        )
    )
    return figures, sync


def _later_syncs(services, server: Radicale, sync, log) -> list[Figure]:
    from sqlalchemy import text

    count = len(sync._calendar.items())
    quiet_before = server.requests()
    quiet, quiet_result = timed(sync.sync)
    quiet_requests = sum(server.requests().values()) - sum(quiet_before.values())
    log(f"  CalDAV: nothing changed: {quiet:.3f} s, {quiet_requests} requests; {quiet_result.summary()}")
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
    log(f"  CalDAV: one change: {took:.2f} s, {requests} requests, {writes} writing; {result.summary()}")
    return [
        Figure(
            f"CalDAV sync, nothing changed in {count:,}: time",
            quiet,
            target="<= 0.3 s and 0 requests",
            passed=quiet <= 0.3 and quiet_requests == 0,
            note=f"{quiet_requests} requests",
        ),
        Figure(
            f"CalDAV sync, 1 change in {count:,}: writes",
            writes,
            unit="requests",
            target="== 1",
            passed=writes == 1,
            note=f"{requests} requests in all; error: {result.error or 'none'}",
        ),
        Figure(
            f"CalDAV sync, 1 change in {count:,}: time",
            took,
            baseline=baseline,
            baseline_name="one bare PUT",
            target="<= 1 s",
            passed=took <= 1.0,
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
            server.base + f"{USER}/bare1/bench-bare.ics",
            data=body,
            method="PUT",
            headers={"Authorization": f"Basic {auth}", "Content-Type": "text/calendar"},
        )
        urllib.request.urlopen(request, timeout=30).read()

    start = time.perf_counter()
    put()
    return time.perf_counter() - start


def _bare_puts(server: Radicale, count: int, connections: int = 1) -> float:
    """``count`` PUTs of minimal events into a calendar of their own, on ``connections`` kept-alive
    connections side by side (each its share of the events, one request in flight per connection)."""
    import threading

    import requests

    name = f"bare{connections}"
    target = server.make_calendar(name)

    def put_share(first: int) -> None:
        session = requests.Session()
        session.auth = (USER, PASSWORD)
        for n in range(first, count, connections):
            body = (
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
                f"UID:{name}-{n}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\n"
                "SUMMARY:bare\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )
            response = session.put(
                f"{target}{name}-{n}.ics",
                data=body.encode(),
                headers={"Content-Type": "text/calendar"},
                timeout=30,
            )
            response.raise_for_status()

    failures: list[BaseException] = []

    def put_or_note(first: int) -> None:
        try:
            put_share(first)
        except BaseException as error:  # a bare PUT refused must fail the figure, not shorten it
            failures.append(error)

    threads = [threading.Thread(target=put_or_note, args=(k,)) for k in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"bare PUTs failed: {failures[0]}")
    return took
