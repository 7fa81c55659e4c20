"""The bench's Radicale storage (bench/radicale_uid_index.py) keeps Radicale's answers: a UID already in
the calendar under another name is refused (409, no-uid-conflict), also after the index was built, and
free again once its object is deleted; a calendar made later does not disturb another's index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench.radicale_server import PASSWORD, USER, Radicale

pytestmark = pytest.mark.slow  # a Radicale process


def event(uid: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:x\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    radicale = Radicale(tmp_path)
    radicale.start()
    yield radicale
    radicale.stop()


def test_the_uid_index_refuses_what_radicale_refuses(server: Radicale) -> None:
    url = server.make_calendar("care")
    http = requests.Session()
    http.auth = (USER, PASSWORD)

    def put(name: str, uid: str) -> int:
        headers = {"Content-Type": "text/calendar"}
        return http.put(f"{url}{name}.ics", data=event(uid), headers=headers, timeout=30).status_code

    assert put("a", "uid-a") == 201
    assert put("b", "uid-b") == 201
    assert put("other-name", "uid-a") == 409  # the same UID under another name
    server.make_calendar("second")  # another calendar made: this one's index still holds
    assert put("other-name-2", "uid-b") == 409
    assert put("a", "uid-a") in (200, 201, 204)  # rewriting the object itself is fine
    assert http.delete(f"{url}a.ics", timeout=30).status_code in (200, 204)
    assert put("other-name", "uid-a") == 201  # free again
    assert "bench.radicale_uid_index" in server.log_path.read_text()  # the storage really in use
