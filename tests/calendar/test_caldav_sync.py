"""CalDAV sync against a real Radicale (htpasswd login, temp folder, loopback port) with the password in
a real Secret Service (a private D-Bus session running gnome-keyring). Requests are counted from
Radicale's own log."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import pytest
import vobject
from calendar_servers import PASSWORD, USER, Radicale, secret_service
from calshop import Shop
from sqlalchemy import delete, func, select

from careapp.cli import main
from careapp.db.models import CalDavStateRecord
from careapp.domain.customer import CustomerDraft, PartialDate
from careapp.services.calendar.lean_http import LeanHttp
from careapp.services.calendar.sync import CONCURRENT_FROM, CalDavSync, SyncFailed, _dav_client
from careapp.services.shop.secrets import SERVICE, SecretStore, SecretUnavailable, account
from careapp.services.shop.staff import Actor

pytestmark = pytest.mark.slow  # a Radicale process per test

WRITES = ("PUT", "DELETE", "MKCALENDAR", "PROPPATCH", "MOVE")


@pytest.fixture(scope="module")
def secret_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Secret Service for this module; the process talks to it, never to a user's keyring."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} is missing: run-tests.sh installs it (dbus, gnome-keyring)"
    with secret_service(tmp_path_factory.mktemp("keyring-home")) as env, pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        yield env


@pytest.fixture
def secrets(secret_env: dict[str, str]) -> SecretStore:
    backend = keyring.backends.SecretService.Keyring()
    return SecretStore(backend=backend, timeout=20)


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    server.make_calendar()
    yield server
    server.stop()


@pytest.fixture
def caldav(shop: Shop, radicale: Radicale, secrets: SecretStore) -> CalDavSync:
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(
        replace(settings, caldav_url=radicale.calendar_url, caldav_user=USER)
    )
    secrets.set(radicale.calendar_url, USER, PASSWORD)
    return CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets)


def writes(counts: dict[str, int]) -> int:
    return sum(counts.get(m, 0) for m in WRITES)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


def events(radicale: Radicale) -> dict[str, Any]:
    """The server's events by SUMMARY, each checked by vobject."""
    found = {}
    for text in radicale.objects().values():
        assert "METHOD:" not in text
        parsed = vobject.readOne(text, validate=True)
        [event] = parsed.vevent_list
        found[event.summary.value] = event
    return found


def states(shop: Shop) -> int:
    with shop.services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(CalDavStateRecord)) or 0)


def test_create_update_delete_and_nothing_when_nothing_changed(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    before = radicale.requests()
    first = caldav.sync()
    assert first.error is None, first.error
    assert (first.created, first.updated, first.deleted) == (3, 0, 0)
    assert delta(before, radicale.requests()).get("PUT") == 3
    on_server = events(radicale)
    assert set(on_server) == {"Birthday: Ann E.", "Birthday: Bob J.", "Call back: Cat S."}
    uids = {i.uid for i in shop.calendar.items()}
    assert {e.uid.value for e in on_server.values()} == uids
    assert on_server["Call back: Cat S."].dtstart.value == dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)

    quiet = radicale.requests()
    again = caldav.sync()
    assert (again.error, again.writes, again.unchanged) == (None, 0, 3)
    assert delta(quiet, radicale.requests()) == {}  # not a single request

    shop.rename(shop.ann, "Anna")
    mark = radicale.requests()
    renamed = caldav.sync()
    assert (renamed.updated, renamed.created, renamed.deleted, renamed.unchanged) == (1, 0, 0, 2)
    assert delta(mark, radicale.requests()) == {"PUT": 1}
    anna = events(radicale)["Birthday: Anna E."]
    assert anna.sequence.value == "0"  # a new title is not a new date

    shop.set_birthday(shop.bob, PartialDate(12, 2))
    caldav.sync()
    assert events(radicale)["Birthday: Bob J."].sequence.value == "1"
    assert events(radicale)["Birthday: Bob J."].dtstart.value == dt.date(2000, 12, 2)

    shop.services.tickets.complete_callback(Actor("Sam"), shop.callback_contact)
    mark = radicale.requests()
    gone = caldav.sync()
    assert (gone.deleted, gone.writes) == (1, 1)
    assert delta(mark, radicale.requests()) == {"DELETE": 1}
    assert set(events(radicale)) == {"Birthday: Anna E.", "Birthday: Bob J."}
    assert states(shop) == 2

    mark = radicale.requests()
    assert caldav.sync().writes == 0
    assert delta(mark, radicale.requests()) == {}


def _put_directly(radicale: Radicale, text: str) -> None:
    """Another calendar app writing the object (no If-Match: it does not know careapp's ETag)."""
    [name] = [n for n, t in radicale.objects().items() if "Ann E." in t]
    client = _dav_client(radicale.calendar_url, USER, PASSWORD)
    response = client.request(radicale.calendar_url + name, "PUT", text, {"Content-Type": "text/calendar"})
    assert response.status in (201, 204)


def test_a_stale_etag_after_an_edit_in_the_calendar_app_careapp_wins_and_says_so(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    assert caldav.sync().created == 3
    [text] = [t for t in radicale.objects().values() if "Ann E." in t]
    _put_directly(radicale, text.replace("SUMMARY:Birthday: Ann E.", "SUMMARY:Ann's party"))
    assert "Ann's party" in events(radicale)

    shop.rename(shop.ann, "Anna")
    result = caldav.sync()
    assert result.error is None
    assert result.overwritten == ["Birthday: Anna E."]
    assert "put back as careapp has them: Birthday: Anna E." in result.summary()
    assert set(events(radicale)) == {"Birthday: Anna E.", "Birthday: Bob J.", "Call back: Cat S."}
    assert caldav.sync().writes == 0


def test_a_stale_etag_with_unchanged_content_is_just_pushed_again(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    caldav.sync()
    [text] = [t for t in radicale.objects().values() if "Ann E." in t]
    # Same event, new DTSTAMP: the server's ETag moves, what the event says does not.
    restamped = "\n".join(
        "DTSTAMP:20261201T080000Z" if line.startswith("DTSTAMP:") else line for line in text.splitlines()
    )
    _put_directly(radicale, restamped)
    shop.rename(shop.ann, "Anna")
    mark = radicale.requests()
    result = caldav.sync()
    assert (result.error, result.updated, result.overwritten) == (None, 1, [])
    assert delta(mark, radicale.requests()) == {"PUT": 2, "GET": 1}  # 412, read, write with new ETag
    assert "Birthday: Anna E." in events(radicale)


def test_edited_then_removed_in_careapp_and_deleted_in_the_app_then_changed_in_careapp(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    """careapp wins both ways: its delete goes through a stale ETag; an event deleted in the calendar
    app comes back when careapp changes it."""
    caldav.sync()
    client = _dav_client(radicale.calendar_url, USER, PASSWORD)
    [(cat_name, cat_text)] = [(n, t) for n, t in radicale.objects().items() if "Cat S." in t]
    edited = cat_text.replace("SUMMARY:Call back: Cat S.", "SUMMARY:Call Cat about the grinder")
    client.request(radicale.calendar_url + cat_name, "PUT", edited, {"Content-Type": "text/calendar"})
    shop.services.tickets.complete_callback(Actor("Sam"), shop.callback_contact)
    mark = radicale.requests()
    result = caldav.sync()
    assert (result.error, result.deleted) == (None, 1)
    assert delta(mark, radicale.requests()) == {"DELETE": 2}  # 412 with the old ETag, then without
    assert not any("Cat" in t for t in radicale.objects().values())

    [ann_name] = [n for n, t in radicale.objects().items() if "Ann E." in t]
    assert client.request(radicale.calendar_url + ann_name, "DELETE", "", {}).status in (200, 204)
    shop.rename(shop.ann, "Anna")
    result = caldav.sync()
    assert (result.error, result.updated) == (None, 1)
    assert set(events(radicale)) == {"Birthday: Anna E.", "Birthday: Bob J."}
    assert caldav.sync().writes == 0


def test_the_calendar_is_found_by_name_from_the_server_address(
    shop: Shop, radicale: Radicale, secrets: SecretStore
) -> None:
    secrets.set(radicale.base, USER, PASSWORD)
    sync = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets)
    with pytest.raises(SyncFailed, match=r"no calendar called 'Work' .*found: Care"):
        sync.find_calendar(radicale.base, USER, "Work")
    url = sync.find_calendar(radicale.base, USER, "Care")
    assert url.rstrip("/") == radicale.calendar_url.rstrip("/")
    settings = shop.calendar.calendar_settings()
    assert (settings.caldav_url, settings.caldav_user, settings.caldav_calendar) == (url, USER, "Care")
    assert secrets.get(radicale.base, USER) is None  # kept once, under the calendar's address
    assert secrets.get(url, USER) == PASSWORD
    assert sync.sync().created == 3
    assert len(radicale.objects()) == 3


def test_items_already_on_the_server_are_adopted_not_duplicated(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    caldav.sync()
    with shop.services.db.session() as session:  # as if the answers of that sync had been lost
        session.execute(delete(CalDavStateRecord))
    result = caldav.sync()
    assert (result.error, result.created, result.adopted) == (None, 0, 3)
    assert len(radicale.objects()) == 3
    assert caldav.sync().writes == 0


def test_events_imported_earlier_from_the_ics_file_are_adopted_by_uid(
    shop: Shop, radicale: Radicale, caldav: CalDavSync, tmp_path: Path
) -> None:
    """The owner imported careapp's .ics into this calendar before setting up sync: same UIDs, other
    object names. Sync takes them over instead of adding a second copy."""
    from icalendar import Calendar

    exported = tmp_path / "care.ics"
    shop.calendar.export_ics(exported)
    client = _dav_client(radicale.calendar_url, USER, PASSWORD)
    for number, event in enumerate(Calendar.from_ical(exported.read_bytes()).walk("VEVENT")):
        wrapper = Calendar()
        wrapper.add("prodid", "-//some calendar app//EN")
        wrapper.add("version", "2.0")
        wrapper.add_component(event)
        response = client.request(
            f"{radicale.calendar_url}imported-{number}.ics", "PUT", wrapper.to_ical().decode(),
            {"Content-Type": "text/calendar"},
        )  # fmt: skip
        assert response.status == 201
    result = caldav.sync()
    assert (result.error, result.created, result.adopted) == (None, 0, 3)
    assert sorted(radicale.objects()) == ["imported-0.ics", "imported-1.ics", "imported-2.ics"]
    shop.rename(shop.ann, "Anna")
    assert caldav.sync().updated == 1
    assert "Birthday: Anna E." in events(radicale) and len(radicale.objects()) == 3


def test_a_server_that_does_not_answer_times_out_with_a_sentence(shop: Shop, secrets: SecretStore) -> None:
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts connections (the kernel does), never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/shop/care/"
        settings = shop.calendar.calendar_settings()
        shop.calendar.save_calendar_settings(replace(settings, caldav_url=url, caldav_user=USER))
        secrets.set(url, USER, PASSWORD)
        sync = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets, timeout=1)
        result = sync.sync()
    assert result.error is not None
    assert "did not answer within 1 seconds" in result.error, result.error
    assert states(shop) == 0


def test_a_certificate_that_cannot_be_verified_stops_before_anything_is_sent(
    shop: Shop, tmp_path: Path, secrets: SecretStore
) -> None:
    folder = tmp_path / "tls"
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    server = Radicale(folder, tls=(folder / "cert.pem", folder / "key.pem"))
    server.start()
    try:
        settings = shop.calendar.calendar_settings()
        shop.calendar.save_calendar_settings(
            replace(settings, caldav_url=server.calendar_url, caldav_user=USER)
        )
        secrets.set(server.calendar_url, USER, PASSWORD)
        before = server.requests()  # the fixture's own "are you up?" probes
        result = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets).sync()
        after = server.requests()
    finally:
        server.stop()
    assert server.calendar_url.startswith("https://")
    assert result.error is not None and "certificate" in result.error, result.error
    assert states(shop) == 0
    assert after == before  # no request got through the TLS handshake


def test_server_stopped_mid_sync_loses_nothing_and_the_next_sync_catches_up(
    shop: Shop, radicale: Radicale, caldav: CalDavSync, secrets: SecretStore
) -> None:
    puts = []

    def stopping_client(url: str, user: str, password: str, timeout: float) -> Any:
        real = LeanHttp(url, user, password, timeout)  # what a sync to this machine writes with

        class StopsAfterFirstPut:
            def request(self, *args: Any, **kwargs: Any) -> Any:
                response = real.request(*args, **kwargs)
                if args[1] == "PUT":
                    puts.append(args[0])
                    radicale.stop()  # the server really goes away
                return response

        return StopsAfterFirstPut()

    interrupted = CalDavSync(
        shop.services.db, shop.services.clock, shop.calendar, secrets, http_factory=stopping_client
    )
    result = interrupted.sync()
    assert result.created == 1
    assert result.error is not None and "Could not reach the CalDAV server" in result.error
    assert "nothing was lost" in result.error and PASSWORD not in result.error
    assert len(radicale.objects()) == 1 and states(shop) == 1
    assert caldav.last_sync() is not None and caldav.last_sync()["ok"] is False  # type: ignore[index]

    radicale.start()
    resumed = caldav.sync()
    assert (resumed.error, resumed.created, resumed.unchanged) == (None, 2, 1)
    assert len(radicale.objects()) == 3


def test_a_sync_told_to_stop_stops_before_its_next_request_and_the_next_sync_carries_on(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    # careapp quitting during a long first sync (10,000 items take a long while): it stops between
    # two requests rather than holding the quit up until every item is pushed.
    asked: list[int] = []

    def stop_after_one_push() -> bool:
        asked.append(1)
        return len(asked) > 1

    before = radicale.requests()
    stopped = caldav.sync(stop_after_one_push)
    assert stopped.created == 1
    assert stopped.error is not None and "careapp was closing" in stopped.error
    assert delta(before, radicale.requests()).get("PUT") == 1
    assert len(radicale.objects()) == 1 and states(shop) == 1

    resumed = caldav.sync()
    assert (resumed.error, resumed.created, resumed.unchanged) == (None, 2, 1)
    assert len(radicale.objects()) == 3


def test_a_wrong_password_is_a_sentence_and_nothing_is_lost(
    shop: Shop, radicale: Radicale, caldav: CalDavSync, secrets: SecretStore
) -> None:
    secrets.set(radicale.calendar_url, USER, "not-the-password")
    result = caldav.sync()
    assert result.error is not None and "did not accept the user name and password" in result.error
    assert "not-the-password" not in result.summary()
    assert radicale.objects() == {} and states(shop) == 0
    secrets.set(radicale.calendar_url, USER, PASSWORD)
    assert caldav.sync().created == 3


def test_no_keyring_and_no_password_are_sentences(shop: Shop, radicale: Radicale, caldav: CalDavSync) -> None:
    no_keyring = SecretStore(backend=keyring.backends.fail.Keyring())
    result = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, no_keyring).sync()
    assert result.error is not None and result.error.startswith("No system keyring is available")
    empty = SecretStore(backend=keyring.backends.null.Keyring())
    result = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, empty).sync()
    assert result.error == (
        "The CalDAV password is not in the system keyring; enter it in the calendar settings."
    )
    assert radicale.objects() == {}
    assert caldav.sync().created == 3


def test_a_keyring_that_does_not_answer_is_given_up_on() -> None:
    import threading

    release = threading.Event()

    class Hanging(keyring.backends.null.Keyring):
        def get_password(self, service: str, username: str) -> str | None:
            release.wait(5)
            return None

    try:
        with pytest.raises(SecretUnavailable, match=r"did not answer within 0\.2 seconds"):
            SecretStore(backend=Hanging(), timeout=0.2).get("http://x/", "u")
    finally:
        release.set()


def test_careapp_sync_command_keeps_the_password_only_in_the_secret_service(
    shop: Shop,
    radicale: Radicale,
    secret_env: dict[str, str],
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Headless sync: a wrong password, then the right one with the calendar found by name, then a
    run with nothing to do; then a scan of every file careapp wrote."""
    import io

    keyring.set_keyring(keyring.backends.SecretService.Keyring())
    try:
        feed = tmp_path / "feed.ics"
        settings = shop.calendar.calendar_settings()
        shop.calendar.save_calendar_settings(replace(settings, feed_path=str(feed), include_notes=True))
        monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password-xyz\n"))
        args = ["--data-dir", str(data_dir), "sync", "--url", radicale.calendar_url, "--user", USER]
        assert main([*args, "--password-stdin"]) == 1
        out = capsys.readouterr().out
        assert "did not accept the user name and password" in out
        assert f"Wrote the calendar feed to {feed}." in out  # the feed does not wait for CalDAV

        # The server's address and the calendar's name; careapp finds the calendar's own address.
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        find = ["--data-dir", str(data_dir), "sync", "--url", radicale.base, "--user", USER]
        assert main([*find, "--password-stdin", "--calendar", "Care"]) == 0
        out = capsys.readouterr().out
        assert f"Using the calendar 'Care' at {radicale.calendar_url}" in out
        assert "3 added" in out
        assert main(["--data-dir", str(data_dir), "sync"]) == 0
        assert "0 added, 0 updated, 0 removed, 3 unchanged" in capsys.readouterr().out
        assert b"Birthday: Ann E." in feed.read_bytes()
    finally:
        keyring.set_keyring(keyring.backends.null.Keyring())  # what run-tests.sh sets

    # The password is in the real Secret Service...
    lookup = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE, "username", account(radicale.calendar_url, USER)],
        capture_output=True,
        text=True,
        timeout=20,
        env=os.environ | secret_env,
        check=True,
    )
    assert lookup.stdout == PASSWORD
    # ...and in no file careapp wrote: database, backups, logs, feed.
    written = [p for p in data_dir.rglob("*") if p.is_file()] + [feed]
    assert any(p.name.endswith(".log") for p in written)
    for path in written:
        content = path.read_bytes()
        assert PASSWORD.encode() not in content, path
        assert b"wrong-password-xyz" not in content, path


def test_a_new_customer_never_takes_over_a_deleted_customers_event(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    """Issue 18: ids were reused (max + 1), and the event key with them: the newest customer deleted
    and another added gave the new person the old event's UID, in every synced calendar."""
    from careapp.domain.customer import CustomerDraft

    dee = shop.services.customers.create(
        CustomerDraft(first_name="Dee", last_name="Ross", birthday=PartialDate(5, 3, 1980)), "test"
    ).id
    assert caldav.sync().created == 4
    dee_uid = events(radicale)["Birthday: Dee R."].uid.value
    shop.services.customers.delete(dee)
    eve = shop.services.customers.create(
        CustomerDraft(first_name="Eve", last_name="Hart", birthday=PartialDate(8, 9, 1991)), "test"
    ).id
    assert eve != dee
    mark = radicale.requests()
    result = caldav.sync()
    assert (result.error, result.created, result.deleted, result.updated) == (None, 1, 1, 0)
    assert delta(mark, radicale.requests()) == {"PUT": 1, "DELETE": 1}
    on_server = events(radicale)
    assert "Birthday: Dee R." not in on_server
    assert on_server["Birthday: Eve H."].uid.value != dee_uid
    assert on_server["Birthday: Eve H."].sequence.value == "0"


def test_exporting_a_later_window_changes_nothing_the_next_sync_sends(
    shop: Shop, radicale: Radicale, caldav: CalDavSync, tmp_path: Path
) -> None:
    """Issue 18: `careapp export ics --from <later> --days 30` cancelled or bumped the items before its
    window, and the next sync re-sent them though nothing had changed."""
    from careapp.db.models import CalendarItemRecord

    assert caldav.sync().created == 3

    def rows() -> dict[str, tuple[object, ...]]:
        with shop.services.db.session() as session:
            return {
                r.uid: (r.source, r.sequence, r.cancelled, r.content_hash, r.last_modified)
                for r in session.scalars(select(CalendarItemRecord))
            }

    before = rows()
    later = shop.calendar.today() + dt.timedelta(days=200)
    for start, days in ((later, 30), (shop.calendar.today() + dt.timedelta(days=3), 5)):
        shop.calendar.export_ics(tmp_path / "later.ics", None, start, days)
    after = rows()
    assert {uid: after[uid] for uid in before} == before  # nothing cancelled, bumped or rewritten
    mark = radicale.requests()
    again = caldav.sync()
    assert (again.error, again.writes) == (None, 0)
    assert delta(mark, radicale.requests()) == {}


def test_credentials_go_with_the_first_request(shop: Shop, radicale: Radicale, caldav: CalDavSync) -> None:
    """caldav asked for a challenge first, and Radicale waits a second after each refused request.
    (The fixture's own set-up, a plain caldav client, is seen to get its 401 first.)"""
    setup = radicale.log_path.read_text(errors="replace")
    assert re.findall(r"response status for '[^']*'[^\n]*?: 401", setup)
    assert caldav.sync().created == 3
    shop.rename(shop.ann, "Anna")
    assert caldav.sync().updated == 1
    log = radicale.log_path.read_text(errors="replace")[len(setup) :]
    assert re.findall(r"response status for '[^']*'[^\n]*?: (\d{3})", log)  # the log does show statuses
    assert not re.findall(r"response status for '[^']*'[^\n]*?: 401", log)


def test_a_sync_with_nothing_changed_reads_no_items_until_something_they_are_made_of_changes(
    shop: Shop,
    radicale: Radicale,
    caldav: CalDavSync,
    clock: list[dt.datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 10,000 items took 0.8 s to build and compare: after a sync that pushed everything, the next one
    # compares only the change counter, the settings' versions, today and the pushed count.
    assert caldav.sync().created == 3
    built: list[int] = []
    real_items = shop.calendar.items

    def counted_items(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real_items(*args, **kwargs)

    monkeypatch.setattr(shop.calendar, "items", counted_items)
    quiet = radicale.requests()
    again = caldav.sync()
    assert (again.error, again.writes, again.unchanged, len(built)) == (None, 0, 3, 0)
    assert delta(quiet, radicale.requests()) == {}

    # Each thing the items are made of ends the shortcut. The sync that pushes a change plans the
    # changed customer's care queue (it writes the care area), so one more sync reads the items; then
    # the shortcut is back.
    def settles(**expected: int) -> None:
        first = caldav.sync()
        assert {k: getattr(first, k) for k in expected} == expected, first.summary()
        reads = len(built)
        assert caldav.sync().writes == 0 and len(built) <= reads + 1
        reads = len(built)
        assert (caldav.sync().writes, len(built)) == (0, reads)

    shop.rename(shop.ann, "Anna")  # a customer
    settles(updated=1)
    settings = shop.calendar.calendar_settings()  # the calendar settings
    shop.calendar.save_calendar_settings(replace(settings, include_phone=True))
    settles(updated=3)
    shop.services.tickets.complete_callback(Actor("Sam"), shop.callback_contact)  # a ticket's callback
    settles(deleted=1)
    reads = len(built)
    clock[0] += dt.timedelta(days=1)  # a new day moves the window of one-off items
    settles(writes=0)
    assert len(built) > reads

    with shop.services.db.session() as session:  # the record of a push lost: compared the slow way
        session.execute(delete(CalDavStateRecord).where(CalDavStateRecord.uid == real_items()[0].uid))
    settles(adopted=1)


def test_a_sync_that_stopped_leaves_the_next_one_to_read_every_item(
    shop: Shop, radicale: Radicale, caldav: CalDavSync
) -> None:
    stopped = caldav.sync(lambda: True)
    assert stopped.error is not None and stopped.writes == 0
    resumed = caldav.sync()  # nothing changed in careapp, but nothing was pushed: no shortcut
    assert (resumed.error, resumed.created) == (None, 3)
    assert len(radicale.objects()) == 3


def _many_birthdays(shop: Shop, count: int) -> int:
    """``count`` more customers with a birthday each: enough items for a push side by side."""
    for n in range(count):
        draft = CustomerDraft(
            first_name=f"Pat{n}", last_name="Many", birthday=PartialDate(n % 12 + 1, n % 28 + 1)
        )
        shop.services.customers.create(draft, "test")
    return len(shop.calendar.items())


def _uids_on_server(radicale: Radicale) -> list[str]:
    return [vobject.readOne(text).vevent.uid.value for text in radicale.objects().values()]


def test_a_concurrent_first_sync_stopped_midway_loses_and_doubles_nothing_and_the_next_finishes(
    shop: Shop, radicale: Radicale, caldav: CalDavSync, secrets: SecretStore
) -> None:
    total = _many_birthdays(shop, CONCURRENT_FROM + 50)
    asked: list[int] = []

    def stop_after_sixty() -> bool:
        asked.append(1)
        return len(asked) > 60

    connections: list[Any] = []

    def counted_client(url: str, user: str, password: str, timeout: float) -> Any:
        connections.append(LeanHttp(url, user, password, timeout))
        return connections[-1]

    four = CalDavSync(
        shop.services.db, shop.services.clock, shop.calendar, secrets,
        connections=4, http_factory=counted_client,
    )
    stopped = four.sync(stop_after_sixty)
    assert len(connections) == 4  # side by side, not one after another
    assert stopped.error is not None and "careapp was closing" in stopped.error
    assert stopped.created == 60
    # Every object the server holds is recorded, once: nothing pushed is forgotten.
    assert sorted(_uids_on_server(radicale)) == sorted(_recorded_uids(shop))
    assert len(radicale.objects()) == states(shop) == 60

    resumed = four.sync()
    assert (resumed.error, resumed.created, resumed.adopted, resumed.unchanged) == (None, total - 60, 0, 60)
    uids = _uids_on_server(radicale)
    assert len(uids) == len(set(uids)) == total == states(shop)
    assert set(uids) == {item.uid for item in shop.calendar.items()}


def test_a_concurrent_first_sync_whose_server_goes_away_midway_doubles_nothing_when_it_comes_back(
    shop: Shop, radicale: Radicale, secrets: SecretStore, caldav: CalDavSync
) -> None:
    # The server is stopped while four PUTs may be in flight: some it took may never have been
    # answered, so careapp has no record of them. The next sync finds them by name and takes them over.
    total = _many_birthdays(shop, CONCURRENT_FROM + 50)
    lock = threading.Lock()
    puts: list[str] = []

    def stopping_client(url: str, user: str, password: str, timeout: float) -> Any:
        real = LeanHttp(url, user, password, timeout)

        class StopsAfterFortyPuts:
            def request(self, *args: Any, **kwargs: Any) -> Any:
                response = real.request(*args, **kwargs)
                with lock:
                    puts.append(args[1])
                    if puts.count("PUT") == 40:
                        radicale.stop()  # the server really goes away
                return response

        return StopsAfterFortyPuts()

    interrupted = CalDavSync(
        shop.services.db, shop.services.clock, shop.calendar, secrets,
        connections=4, http_factory=stopping_client,
    )
    result = interrupted.sync()
    assert result.error is not None and "Could not reach the CalDAV server" in result.error
    recorded = states(shop)
    assert len(puts) >= 40
    assert 40 <= recorded == result.created <= len(radicale.objects()) < total
    assert set(_recorded_uids(shop)) <= set(_uids_on_server(radicale))

    radicale.start()
    resumed = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets, connections=4).sync()
    assert resumed.error is None
    assert resumed.created + resumed.adopted == total - recorded
    uids = _uids_on_server(radicale)
    assert len(uids) == len(set(uids)) == total == states(shop)


def _recorded_uids(shop: Shop) -> list[str]:
    with shop.services.db.session() as session:
        return list(session.scalars(select(CalDavStateRecord.uid)))
