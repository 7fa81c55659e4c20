"""The lean connection a CalDAV sync writes with (careapp/services/calendar/lean_http.py), against a real
HTTP/1.1 server on loopback that keeps connections alive, counts them and can drop one; the sync's own
behaviour through it (Radicale, TLS, timeouts, stops) is in test_caldav_sync.py."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from careapp.services.calendar.lean_http import CredentialsRefused, LeanHttp, RateLimited
from careapp.services.calendar.sync import CalDavSync

USER, PASSWORD = "shop", "pw:with-colon"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[dict[str, Any]] = []
        self.connections = 0
        self.status = 201
        self.extra: dict[str, str] = {}
        self.drop_next = False  # close the connection after reading the next request, no answer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive
    server: Recorder

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        if self.server.drop_next:
            self.server.drop_next = False
            self.close_connection = True
            return
        reply = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" if self.command == "GET" else b""
        self.send_response(self.server.status)
        self.send_header("ETag", f'"e{len(self.server.seen)}"')
        for name, value in self.server.extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_PUT = do_DELETE = do_GET = _answer


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()


def _base(server: Recorder) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/shop/care/"


def test_one_connection_carries_every_request_with_basic_credentials_from_the_first(server: Recorder) -> None:
    http = LeanHttp(_base(server), USER, PASSWORD, 5)
    headers = {"If-None-Match": "*", "Content-Type": "text/calendar; charset=utf-8"}
    answers = [
        http.request(f"{_base(server)}{n}.ics", "PUT", "BEGIN:VCALENDAR\r\n", headers) for n in range(5)
    ]
    answers.append(http.request(f"{_base(server)}0.ics", "DELETE", "", {"If-Match": '"e1"'}))
    http.close()
    assert server.connections == 1
    assert [a.status for a in answers] == [201] * 6
    assert [a.headers.get("etag") for a in answers] == [f'"e{n}"' for n in range(1, 7)]  # any case
    assert all(seen["headers"]["Authorization"] == BASIC for seen in server.seen)
    first = server.seen[0]
    assert (first["method"], first["path"], first["body"]) == (
        "PUT",
        "/shop/care/0.ics",
        b"BEGIN:VCALENDAR\r\n",
    )
    assert first["headers"]["If-None-Match"] == "*"
    assert server.seen[-1]["headers"]["If-Match"] == '"e1"'
    assert "Content-Type" not in server.seen[-1]["headers"]  # no body, no type (as the caldav client)


def test_a_kept_alive_connection_the_server_dropped_is_replaced_and_the_request_sent_again(
    server: Recorder,
) -> None:
    http = LeanHttp(_base(server), USER, PASSWORD, 5)
    assert http.request(f"{_base(server)}a.ics", "PUT", "x", {}).status == 201
    server.drop_next = True
    answer = http.request(f"{_base(server)}b.ics", "PUT", "y", {"If-None-Match": "*"})
    assert answer.status == 201 and server.connections == 2
    assert [seen["path"] for seen in server.seen] == [
        "/shop/care/a.ics",
        "/shop/care/b.ics",
        "/shop/care/b.ics",
    ]


def test_a_drop_on_a_new_connection_is_not_retried_but_raised(server: Recorder) -> None:
    http = LeanHttp(_base(server), USER, PASSWORD, 5)
    server.drop_next = True
    with pytest.raises(ConnectionError):
        http.request(f"{_base(server)}a.ics", "PUT", "x", {})
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_raise(server: Recorder, status: int) -> None:
    server.status = status
    with pytest.raises(CredentialsRefused):
        LeanHttp(_base(server), USER, PASSWORD, 5).request(f"{_base(server)}a.ics", "PUT", "x", {})


def test_come_back_later_raises_and_other_answers_are_returned(server: Recorder) -> None:
    http = LeanHttp(_base(server), USER, PASSWORD, 5)
    for status in (404, 409, 412, 500, 503):
        server.status = status
        assert http.request(f"{_base(server)}a.ics", "PUT", "x", {}).status == status
    server.status = 429
    with pytest.raises(RateLimited):
        http.request(f"{_base(server)}a.ics", "PUT", "x", {})
    server.status, server.extra = 503, {"Retry-After": "5"}
    with pytest.raises(RateLimited):
        http.request(f"{_base(server)}a.ics", "PUT", "x", {})


def test_the_password_never_goes_to_another_server(server: Recorder) -> None:
    http = LeanHttp(_base(server), USER, PASSWORD, 5)
    with pytest.raises(ConnectionRefusedError):
        http.request("http://elsewhere.example/shop/care/a.ics", "PUT", "x", {})
    assert server.seen == []


def test_the_sync_writes_through_the_lean_connection_only_where_credentials_go_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    made: list[str] = []

    def dav_client(url: str, user: str, password: str, timeout: float) -> str:
        made.append(url)
        return "caldav client"

    sync = CalDavSync(None, None, None, None, dav_client)  # type: ignore[arg-type]
    for url in (
        "https://cloud.example.com/dav/cal/",
        "http://127.0.0.1:5232/shop/care/",
        "http://localhost/c/",
    ):
        assert isinstance(sync._default_http(url, USER, PASSWORD, 5), LeanHttp)
    assert made == []
    # Plain HTTP to another machine: the caldav client, which waits for the server's challenge and
    # answers Digest when asked.
    assert sync._default_http("http://nas.local/c/", USER, PASSWORD, 5) == "caldav client"
    assert made == ["http://nas.local/c/"]


def test_a_proxy_in_the_environment_keeps_the_caldav_client_which_uses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "no_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    sync = CalDavSync(None, None, None, None, lambda *args: "caldav client")  # type: ignore[arg-type]
    assert sync._default_http("https://cloud.example.com/dav/cal/", USER, PASSWORD, 5) == "caldav client"
    assert isinstance(sync._default_http("http://127.0.0.1:5232/shop/care/", USER, PASSWORD, 5), LeanHttp)
    monkeypatch.setenv("no_proxy", "cloud.example.com")
    assert isinstance(sync._default_http("https://cloud.example.com/dav/cal/", USER, PASSWORD, 5), LeanHttp)
