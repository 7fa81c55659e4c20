"""One kept-alive HTTP connection for the PUTs, DELETEs and GETs of a CalDAV sync.

Why not the caldav client for these: its HTTP stack (niquests on urllib3-future) costs about 2 ms of
CPU a request on this machine, the standard library's ``http.client`` about 0.6 ms (measured with
``time.process_time`` over 300 PUTs each against the bench's Radicale), and careapp shares its cores
with the server. Discovery, PROPFIND and REPORT stay on the caldav client.

Used only where credentials go with the first request (HTTPS, or this machine: see
:func:`careapp.services.calendar.sync.sends_credentials_first`) and no proxy is set for the address:
preemptive Basic, as the caldav client is set up there. Elsewhere the sync keeps the caldav client,
which answers a server's challenge (Digest when it asks for Digest) and goes through the proxy.

What it does as the caldav client does: TLS verified against the same trust store (wassima's, as
niquests uses, else the system's), the same timeout per request, a 401 or 403 raised as
:class:`CredentialsRefused`, a 429 (or a 503 with ``Retry-After``) raised as :class:`RateLimited`;
every other answer is returned for the caller to judge. Unlike it: a redirect is not followed (the
caller's "refused … (HTTP 3xx)" sentence), and ``.netrc`` is not read (the keyring's password is sent).

Threading: one instance per thread (one request in flight on its connection).
"""

from __future__ import annotations

import base64
import http.client
import ssl
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit


class CredentialsRefused(Exception):
    """The server answered 401 or 403 to a request that carried the credentials."""


class RateLimited(Exception):
    """The server asked careapp to come back later (429, or 503 with Retry-After)."""


@dataclass(frozen=True)
class Answer:
    """What the server answered: status, headers (``get`` ignores case) and body as text."""

    status: int
    headers: Message
    raw: str


def _tls_context() -> ssl.SSLContext:
    try:
        import wassima  # niquests' trust store (the operating system's), so both verify alike
    except ImportError:
        return ssl.create_default_context()
    return wassima.create_default_ssl_context()


class LeanHttp:
    """Requests to one server on one connection, kept alive while the server allows it."""

    def __init__(self, url: str, user: str, password: str, timeout: float) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._timeout = timeout
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"
        self._connection: http.client.HTTPConnection | None = None
        self._tls: ssl.SSLContext | None = _tls_context() if self._https else None

    def request(self, url: str, method: str, body: str = "", headers: dict[str, str] | None = None) -> Answer:
        """Send one request to ``url`` (on this server); the same call shape as the caldav client's."""
        parts = urlsplit(url)
        if (parts.hostname or "", parts.port) != (self._host, self._port):
            # The password goes to the calendar's own server only (an href elsewhere is not careapp's).
            raise ConnectionRefusedError(f"not the calendar's server: {parts.hostname}")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {**(headers or {}), "Authorization": self._authorization}
        if not body:
            sent.pop("Content-Type", None)  # as the caldav client does for an empty body
        payload = body.encode("utf-8") if body else None
        reused = self._connection is not None
        try:
            answer = self._exchange(method, target, payload, sent)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            # The server closed a kept-alive connection between two requests: once more on a new one
            # (as urllib3 does). A PUT that did land meanwhile is found by its If-None-Match/If-Match.
            answer = self._exchange(method, target, payload, sent)
        if answer.status in (401, 403):
            raise CredentialsRefused(f"HTTP {answer.status}")
        if answer.status == 429 or (answer.status == 503 and answer.headers.get("Retry-After")):
            raise RateLimited(f"HTTP {answer.status}")
        return answer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _exchange(self, method: str, target: str, payload: bytes | None, headers: dict[str, str]) -> Answer:
        connection = self._connection or self._connect()
        self._connection = connection
        try:
            connection.request(method, target, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except BaseException:
            self.close()  # a connection in an unknown state is never used again
            raise
        if response.will_close:
            self.close()
        return Answer(response.status, response.headers, text)

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._tls
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
