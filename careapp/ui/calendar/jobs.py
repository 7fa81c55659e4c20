"""Calendar work for the database thread: every function here blocks and must run through the runner.

Writing the feed, syncing and exporting only keep derived data up to date (the calendar's items, and
the sync's state kept in setting rows), so they run inside
:meth:`careapp.db.changes.ChangeTracker.quietly`: their commits wake no change listener. Heard, a
"setting" written woke the care controller, whose refresh then asked the calendar to update again,
and so on every two seconds for as long as careapp ran with a feed or CalDAV set up. (The write
lock's own no-op update is not heard at all: see careapp.services.care.touches.write_lock.)

The CalDAV password only ever goes to the system keyring (:class:`SecretStore`) or, when there is no
keyring, to :class:`SessionPassword`, which keeps it in memory for this session; it never reaches the
settings, the database, a message or a log line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careapp.context import calendar_service
from careapp.services.calendar.addresses import address_problem
from careapp.services.calendar.service import CalendarSettings
from careapp.services.calendar.sync import CalDavSync, SyncFailed, SyncResult
from careapp.services.shop.secrets import SERVICE, SecretStore, SecretUnavailable, account

if TYPE_CHECKING:
    from careapp.context import Services


class SessionPassword:
    """The CalDAV password typed in this session when the keyring cannot keep it (memory only).

    It doubles as a minimal keyring backend, so the sync service can use it like the real one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passwords: dict[str, str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._passwords.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._passwords[username] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            self._passwords.pop(username, None)

    def has_any(self) -> bool:
        with self._lock:
            return bool(self._passwords)


@dataclass(frozen=True)
class Loaded:
    settings: CalendarSettings
    last_sync: dict[str, object] | None


@dataclass(frozen=True)
class Saved:
    """What saving did; ``keyring_problem`` is the keyring's sentence when it could not keep the password
    (it is then kept for this session only)."""

    settings: CalendarSettings
    keyring_problem: str | None = None


class CalendarJobs:
    """The calendar's service calls, for the worker thread. ``secrets`` is the system keyring's store
    (tests pass one over a fake backend); ``session`` holds a password the keyring could not keep."""

    def __init__(
        self, services: Services, secrets: SecretStore | None = None, session: SessionPassword | None = None
    ) -> None:
        self._services = services
        self._secrets = secrets or SecretStore()
        self.session = session or SessionPassword()
        self._session_store = SecretStore(backend=self.session)
        self._client_factory: Any = None  # tests may set one (CalDavSync's default otherwise)

    def _calendar(self) -> Any:
        return calendar_service(self._services)

    def _store(self) -> SecretStore:
        return self._session_store if self.session.has_any() else self._secrets

    def _sync_service(self, store: SecretStore | None = None) -> CalDavSync:
        services = self._services
        store = store or self._store()
        if self._client_factory is not None:
            return CalDavSync(services.db, services.clock, self._calendar(), store, self._client_factory)
        return CalDavSync(services.db, services.clock, self._calendar(), store)

    def load(self) -> Loaded:
        return Loaded(self._calendar().calendar_settings(), self._sync_service().last_sync())

    def save(self, settings: CalendarSettings, password: str = "") -> Saved:
        """Save the settings; a password goes to the keyring (or, without one, to this session)."""
        self._calendar().save_calendar_settings(settings)
        if not password or not settings.caldav_url:
            return Saved(settings)
        try:
            self._secrets.set(settings.caldav_url, settings.caldav_user, password)
        except SecretUnavailable as error:
            self.session.set_password(SERVICE, account(settings.caldav_url, settings.caldav_user), password)
            return Saved(settings, str(error))
        return Saved(settings)

    def keyring_problem(self, settings: CalendarSettings) -> str | None:
        """The keyring's sentence when it cannot be used for this login (and no session password)."""
        if not settings.caldav_url or self.session.has_any():
            return None
        try:
            self._secrets.get(settings.caldav_url, settings.caldav_user)
        except SecretUnavailable as error:
            return str(error)
        return None

    def remember_for_session(self, settings: CalendarSettings, password: str) -> None:
        """Keep a password asked for at sync time in memory only (no keyring)."""
        SecretStore(backend=self.session).set(settings.caldav_url, settings.caldav_user, password)

    def find_calendar(self, settings: CalendarSettings, name: str, password: str = "") -> CalendarSettings:
        """Save ``settings``, find the calendar called ``name`` from its server address; the settings
        with the calendar's own address. Raises :class:`SyncFailed` with a sentence."""
        self.save(settings, password)
        self._sync_service().find_calendar(settings.caldav_url, settings.caldav_user, name)
        return self._calendar().calendar_settings()

    def test_connection(self, settings: CalendarSettings, password: str = "") -> str:
        """Log in to the calendar's address and read it; a sentence saying it worked, or SyncFailed."""
        from careapp.services.calendar.sync import _network_sentence  # the same sentences as sync

        if not settings.caldav_url:
            raise SyncFailed("Enter the calendar's address first.")
        problem = address_problem(settings.caldav_url)
        if problem is not None:
            raise SyncFailed(problem)
        if not password:
            try:
                password = self._store().get(settings.caldav_url, settings.caldav_user) or ""
            except SecretUnavailable as error:
                raise SyncFailed(str(error)) from None
        if not password:
            raise SyncFailed("The CalDAV password is not in the system keyring; enter it first.")
        url = settings.caldav_url if settings.caldav_url.endswith("/") else settings.caldav_url + "/"
        factory = self._client_factory
        if factory is None:
            from careapp.services.calendar.sync import _dav_client

            factory = _dav_client
        try:
            client = factory(url, settings.caldav_user, password, 15)
            response = client.request(url, "PROPFIND", "", {"Depth": "0"})
        except Exception as error:
            raise SyncFailed(_network_sentence(error, settings.caldav_url, 15)) from None
        if response.status >= 300:
            raise SyncFailed(
                f"The CalDAV server answered HTTP {response.status} for {settings.caldav_url}. "
                "Check the address, the user name and the password."
            )
        return f"Connected to {settings.caldav_url}."

    def sync_now(self, should_stop: Callable[[], bool] = lambda: False) -> SyncResult:
        """Write the feed (when one is set) and push to CalDAV; the sync's result. ``should_stop``:
        careapp is quitting (asked between slices of the refresh and before each request)."""
        with self._services.db.changes.quietly():
            return self._sync_now(should_stop)

    def _sync_now(self, should_stop: Callable[[], bool]) -> SyncResult:
        services = self._services
        services.touches.refresh(services.touches.today(), should_stop=should_stop)
        calendar = self._calendar()
        settings = calendar.calendar_settings()
        if settings.feed_path:
            try:
                calendar.write_feed()
            except OSError as error:
                return SyncResult(error=f"Could not write the feed {settings.feed_path}: "
                                  f"{error.strerror or error}.")  # fmt: skip
        if not settings.caldav_url:
            return SyncResult()
        return self._sync_service().sync(should_stop)

    def update(self, should_stop: Callable[[], bool] = lambda: False) -> str:
        """Background: write the feed and sync (what is set up); a line for the status bar.
        ``should_stop`` as in :meth:`sync_now`."""
        with self._services.db.changes.quietly():
            return self._update(should_stop)

    def _update(self, should_stop: Callable[[], bool]) -> str:
        services = self._services
        calendar = self._calendar()
        settings = calendar.calendar_settings()
        if not settings.feed_path and not settings.caldav_url:
            return ""
        services.touches.refresh(services.touches.today(), should_stop=should_stop)
        lines = []
        if settings.feed_path:
            try:
                calendar.write_feed()
                lines.append("Calendar feed updated.")
            except OSError as error:
                lines.append(
                    f"Could not write the calendar feed {settings.feed_path}: {error.strerror or error}."
                )
        if settings.caldav_url:
            lines.append(self._sync_service().sync(should_stop).summary())
        return " ".join(lines)

    def export_ics(self, path: Path) -> int:
        """An .ics file with the settings' kinds and days from today; the number of events."""
        services = self._services
        with services.db.changes.quietly():
            today = services.touches.today()
            services.touches.refresh(today)
            return int(self._calendar().export_ics(path, None, today, None))
