"""No password in anything careapp writes.

A realistic session with known test passwords: the CalDAV password set through the real system keyring
(gnome-keyring's Secret Service) and used against a real Radicale, a wrong password first, the server
stopped mid-way, the password typed into the address field, the shared database server's password saved
through the seat connection (keyring) and used on an unreachable server, and a crash whose message quotes
a password. Then every file careapp wrote (data folder, backups, logs, config and QSettings, exports, the
feed) and every text value of every database table are searched for the passwords, as typed,
URL-encoded and base64 (alone and as HTTP basic authentication sends it). Also: the folders are 0700 and
the database, backups, logs and exports 0600.
"""

from __future__ import annotations

import base64
import io
import logging
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, quote_plus

import keyring
import keyring.backends.null
import keyring.backends.SecretService
import pytest
from calendar_servers import PASSWORD, USER, Radicale, free_port

from careapp import redact
from careapp.cli import main
from careapp.config import DATA_DIR_ENV, DATABASE_URL_ENV, SeatConfig, SharedServer, resolve_paths
from careapp.logs import setup_logging
from careapp.services.shop.connection import connect_url, database_secrets, save_connection, try_server

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

WRONG = "wr0ng-Passw0rd-zz"
DB_PASSWORD = "Db-pa55word/with:odd@chars"
SECRETS = (PASSWORD, WRONG, DB_PASSWORD)


def forms(secret: str, user: str = USER) -> set[bytes]:
    """The ways a password could be written down by mistake."""
    found = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    for raw in (secret, f"{user}:{secret}"):
        found.add(base64.b64encode(raw.encode()).decode())
    return {f.encode() for f in found}


def leaks(data: bytes) -> list[str]:
    return [f"{s!r} as {f!r}" for s in SECRETS for f in forms(s) if f in data]


@pytest.fixture
def session_home(
    secret_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """careapp's default places (data, config, logs) in a fresh home of the test's; the real Secret
    Service (its own files stay in the module's keyring home)."""
    home = tmp_path / "home"
    home.mkdir()
    for name, folder in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                         ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):  # fmt: skip
        monkeypatch.setenv(name, str(home / folder))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    keyring.set_keyring(keyring.backends.SecretService.Keyring())
    redact.forget_secrets()  # the redactor must learn the passwords from this session alone
    try:
        yield home
    finally:
        keyring.set_keyring(keyring.backends.null.Keyring())  # what run-tests.sh sets
        logging.getLogger().handlers = [
            h for h in logging.getLogger().handlers if not isinstance(h, logging.FileHandler)
        ]


def run(argv: list[str], stdin: str = "") -> int:
    import sys

    before = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(argv)
    finally:
        sys.stdin = before


def caldav_session(radicale: Radicale, capsys: pytest.CaptureFixture[str]) -> str:
    """Demo customers; a wrong password; the right one; the password in the address; the server down."""
    said = []
    assert run(["demo", "--customers", "12", "--seed", "4"]) == 0
    sync = ["sync", "--url", radicale.calendar_url, "--user", USER, "--password-stdin"]
    assert run(sync, WRONG + "\n") == 1
    assert run(["sync", "--password-stdin"], PASSWORD + "\n") == 0
    said.append(capsys.readouterr())
    in_address = radicale.calendar_url.replace("://", f"://{USER}:{PASSWORD}@")
    assert run(["sync", "--url", in_address]) == 2
    refused = capsys.readouterr()
    assert "contains a password" in refused.err and PASSWORD not in refused.err + refused.out
    radicale.stop()
    assert run(["demo", "--customers", "3", "--seed", "5"]) == 0  # something new to push
    assert run(["sync"]) == 1
    down = capsys.readouterr()
    assert "Could not reach the CalDAV server" in down.out
    said.append(down)
    return "\n".join(part.out + part.err for part in said)


def database_session(home: Path) -> str:
    """The shared server's password saved through the seat connection, then used on a closed port."""
    server = SharedServer(host="127.0.0.1", port=free_port(), database="careapp", user="counter")
    typed = f"postgresql://counter:{quote(DB_PASSWORD, safe='')}@127.0.0.1:{server.port}/careapp"
    assert run(["connect", "--server", typed, "--no-check"]) == 2  # the password typed in the address
    seat_file = home / "config" / "careapp" / "connection.json"
    store = database_secrets(backend=keyring.backends.SecretService.Keyring(), timeout=20)
    save_connection(seat_file, SeatConfig(server), DB_PASSWORD, store)
    tried = try_server(server, DB_PASSWORD, timeout=3)
    assert not tried.ok
    paths = replace(resolve_paths(), server=server)
    url = connect_url(paths, store)
    assert quote(DB_PASSWORD, safe="") in url  # what the engine gets, and nothing may write down
    from sqlalchemy import create_engine

    try:
        create_engine(url).connect()
    except Exception as error:
        logging.getLogger("careapp.app").error("could not open the database at %s", url, exc_info=error)
    return tried.message


def crash_report(qapp: object, home: Path) -> str:
    """An unexpected error whose text quotes a password: the log and the dialog's details."""
    from careapp.ui import qt_workarounds
    from careapp.ui.errors import ErrorDialog, ErrorReporter

    qt_workarounds.install()
    shown: list[tuple[str, str]] = []
    log_path = resolve_paths().log_dir / "careapp.log"
    reporter = ErrorReporter(log_path, present=lambda summary, details: shown.append((summary, details)))
    try:
        raise ConnectionError(f"login to https://{USER}:{PASSWORD}@cal.example/ failed with {PASSWORD}")
    except ConnectionError as error:
        reporter.report(type(error), error, error.__traceback__)
        dialog = ErrorDialog(str(error), f"details: {DB_PASSWORD}", log_path)
        copied = dialog.details.toPlainText()
        dialog.deleteLater()
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()
    assert shown, "the presenter should have been called"
    return "\n".join([*shown[0], copied])


def files_under(*roots: Path) -> list[Path]:
    return sorted({p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()})


def database_text(path: Path) -> bytes:
    """Every text value of every table, decoded by SQLite (not the file's bytes)."""
    connection = sqlite3.connect(path)
    try:
        chunks = []
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                chunks += [str(v) for v, _ in zip(row, columns, strict=True) if isinstance(v, str)]
        return "\n".join(chunks).encode()
    finally:
        connection.close()


def test_no_password_anywhere_careapp_writes(
    session_home: Path,
    radicale: Radicale,
    capsys: pytest.CaptureFixture[str],
    qapp: object,
    tmp_path: Path,
) -> None:
    home = session_home
    paths = resolve_paths()
    setup_logging(paths.log_dir, console=False)
    said = caldav_session(radicale, capsys)
    exports = tmp_path / "exports"
    assert run(["export", "customer", "1", str(exports / "one.json")]) == 0
    assert run(["export", "customers", str(exports / "all.csv")]) == 0
    assert run(["export", "ics", str(exports / "care.ics")]) == 0
    assert run(["backup", str(exports / "copy.db")]) == 0
    _write_qsettings(home)
    # Last: from here on this seat uses the shared server, which is not running.
    said += database_session(home)
    assert run(["agenda"]) == 1
    said += "".join(capsys.readouterr())
    with pytest.MonkeyPatch.context() as env:  # a password in CAREAPP_DATABASE_URL, server down
        login = f"{USER}:{quote(DB_PASSWORD, safe='')}"
        env.setenv(DATABASE_URL_ENV, f"postgresql+psycopg://{login}@127.0.0.1:{free_port()}/careapp")
        assert run(["agenda"]) == 1
    said += "".join(capsys.readouterr())
    said += crash_report(qapp, home)

    assert leaks(said.encode()) == [], "a message shown to the user quotes a password"
    written = files_under(home, exports)
    assert paths.data_dir.is_relative_to(home) and paths.log_dir.is_relative_to(home)
    names = {p.name for p in written}
    assert {"careapp.db", "careapp.log", "connection.json", "one.json"} <= names, names
    assert any(p.suffix == ".conf" or p.suffix == ".ini" for p in written), names
    for path in written:
        assert leaks(path.read_bytes()) == [], path
    for database in (paths.data_dir / "careapp.db", exports / "copy.db"):
        assert leaks(database_text(database)) == [], database
    log_text = (paths.log_dir / "careapp.log").read_text(encoding="utf-8")
    assert "unexpected error" in log_text and "could not open the database" in log_text
    assert "did not accept the user name and password" in log_text or "error:" in log_text
    _assert_private(paths.data_dir, paths.log_dir, exports)


def _write_qsettings(home: Path) -> None:
    """The window's settings where Qt puts them for this user (XDG_CONFIG_HOME)."""
    from PySide6.QtCore import QSettings

    # Qt reads XDG_CONFIG_HOME once per process; this test's home came later.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(home / "config"))
    settings = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "careapp", "careapp")
    settings.setValue("staff/current", "Sam")
    settings.sync()
    assert Path(settings.fileName()).is_relative_to(home)


def _assert_private(data_dir: Path, log_dir: Path, exports: Path) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data_dir) == 0o700
    assert mode(log_dir) == 0o700
    for database in data_dir.glob("careapp.db*"):
        assert mode(database) == 0o600, database
    backups = data_dir / "backups"
    if backups.exists():
        assert mode(backups) == 0o700
        for copy in backups.iterdir():
            assert mode(copy) == 0o600, copy
    for log in log_dir.iterdir():
        assert mode(log) == 0o600, log
    for export in exports.iterdir():
        assert mode(export) == 0o600, export
