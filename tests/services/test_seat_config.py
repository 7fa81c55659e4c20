"""This seat's connection choice: where it is kept, what wins, that the password is only ever in the
keyring (a real gnome-keyring Secret Service), and what a shared PostgreSQL server says when trying it."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring.backends.fail
import keyring.backends.SecretService
import pytest
from keyring.backend import KeyringBackend

from careapp.config import (
    DATABASE_URL_ENV,
    SeatConfig,
    SeatConfigError,
    SharedServer,
    load_seat_config,
    resolve_paths,
    save_seat_config,
)
from careapp.services.shop.connection import (
    connect_url,
    database_secrets,
    save_connection,
    stored_password,
    try_server,
)
from careapp.services.shop.secrets import SecretUnavailable
from tests.calendar.calendar_servers import secret_service

if TYPE_CHECKING:
    from pg_server import PgServer

PASSWORD = "p@ss:w/rd 'x' ünï"
SERVER = SharedServer(host="db.shop.lan", port=5433, database="care", user="counter")


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict: for the fast tests; the real Secret Service has its own tests below."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


def write_server_choice(folder: Path, server: SharedServer = SERVER) -> None:
    save_seat_config(folder / "connection.json", SeatConfig(server))


# --- where the choice is kept, and what wins -------------------------------------------------------


def test_without_a_choice_the_seat_works_on_the_sqlite_file(tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path), {})
    assert paths.database_url == f"sqlite:///{tmp_path / 'careapp.db'}"
    assert paths.server is None
    assert paths.seat_file == tmp_path / "connection.json"


def test_the_seat_file_beats_sqlite_and_the_environment_beats_both(tmp_path: Path) -> None:
    write_server_choice(tmp_path)
    paths = resolve_paths(str(tmp_path), {})
    assert paths.server == SERVER
    assert paths.database_url == "postgresql+psycopg://counter@db.shop.lan:5433/care"
    env_url = "postgresql+psycopg://other@elsewhere/x"
    overridden = resolve_paths(str(tmp_path), {DATABASE_URL_ENV: env_url})
    assert overridden.database_url == env_url
    assert overridden.server is None  # no keyring password is added to a URL given by hand


def test_choosing_this_computer_again_goes_back_to_the_file(tmp_path: Path) -> None:
    write_server_choice(tmp_path)
    save_seat_config(tmp_path / "connection.json", SeatConfig())
    assert resolve_paths(str(tmp_path), {}).database_url == f"sqlite:///{tmp_path / 'careapp.db'}"


def test_without_a_data_folder_the_choice_is_in_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    write_server_choice(tmp_path / "config" / "careapp")
    paths = resolve_paths(None, {})
    assert paths.seat_file == tmp_path / "config" / "careapp" / "connection.json"
    assert paths.server == SERVER


def test_the_seat_file_is_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "seat" / "connection.json"
    save_seat_config(path, SeatConfig(SERVER))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_seat_config(path) == SeatConfig(SERVER)
    assert [p.name for p in path.parent.iterdir()] == ["connection.json"]  # no temporary left behind


def test_a_damaged_seat_file_is_explained(tmp_path: Path) -> None:
    (tmp_path / "connection.json").write_text('{"kind": "server", "server": ')
    with pytest.raises(SeatConfigError, match=r"are damaged\. Delete the file"):
        resolve_paths(str(tmp_path), {})


def test_user_and_password_are_quoted_in_the_url() -> None:
    server = SharedServer("db", 5432, "care", "ann@shop")
    assert server.url(PASSWORD) == (
        "postgresql+psycopg://ann%40shop:p%40ss%3Aw%2Frd%20%27x%27%20%C3%BCn%C3%AF@db:5432/care"
    )
    from sqlalchemy.engine import make_url

    parsed = make_url(server.url(PASSWORD))
    assert (parsed.username, parsed.password, parsed.host) == ("ann@shop", PASSWORD, "db")


# --- the password: in the keyring, never in the file ----------------------------------------------


def test_the_password_goes_to_the_keyring_and_never_into_the_file(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    secrets = database_secrets(ring)
    save_connection(tmp_path / "connection.json", SeatConfig(SERVER), PASSWORD, secrets)
    raw = (tmp_path / "connection.json").read_bytes()
    assert PASSWORD.encode() not in raw and b"p@ss" not in raw
    assert ring.kept == {("careapp database", "counter@postgresql://db.shop.lan:5433/care"): PASSWORD}
    paths = resolve_paths(str(tmp_path), {})
    assert PASSWORD not in paths.database_url
    assert connect_url(paths, secrets) == SERVER.url(PASSWORD)


def test_an_empty_password_keeps_the_stored_one(tmp_path: Path) -> None:
    secrets = database_secrets(MemoryKeyring())
    save_connection(tmp_path / "connection.json", SeatConfig(SERVER), PASSWORD, secrets)
    save_connection(tmp_path / "connection.json", SeatConfig(SERVER), "", secrets)
    assert stored_password(SERVER, secrets) == PASSWORD


def test_without_a_keyring_nothing_is_saved_and_the_reason_is_given(tmp_path: Path) -> None:
    path = tmp_path / "connection.json"
    secrets = database_secrets(keyring.backends.fail.Keyring())
    with pytest.raises(SecretUnavailable) as refused:
        save_connection(path, SeatConfig(SERVER), PASSWORD, secrets)
    assert str(refused.value).startswith(
        "No system keyring is available, so careapp cannot keep the password of the shared database server."
    )
    assert PASSWORD not in str(refused.value)
    assert not path.exists()


@pytest.fixture(scope="module")
def secret_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Secret Service (gnome-keyring on a private D-Bus session) for this module."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        assert shutil.which(tool), f"{tool} is missing: run-tests.sh installs it (dbus, gnome-keyring)"
    with secret_service(tmp_path_factory.mktemp("keyring-home")) as env, pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        yield env


@pytest.mark.slow
def test_the_password_lives_in_the_real_secret_service(secret_env: dict[str, str], tmp_path: Path) -> None:
    secrets = database_secrets(keyring.backends.SecretService.Keyring(), timeout=20)
    save_connection(tmp_path / "connection.json", SeatConfig(SERVER), PASSWORD, secrets)
    assert PASSWORD.encode() not in (tmp_path / "connection.json").read_bytes()
    # A second look through a fresh backend: it really is in the service, not in this process.
    again = database_secrets(keyring.backends.SecretService.Keyring(), timeout=20)
    assert stored_password(SERVER, again) == PASSWORD
    assert connect_url(resolve_paths(str(tmp_path), {}), again) == SERVER.url(PASSWORD)


# --- trying a real PostgreSQL server ---------------------------------------------------------------

SEAT_USER = "careapp_seat"
SEAT_PASSWORD = "Seat-pw-9!"


@pytest.fixture(scope="module")
def password_server(pg_server: PgServer) -> Iterator[SharedServer]:
    """The test server, with a user that must give its password (scram-sha-256) and a database it owns."""
    cluster = getattr(pg_server, "_cluster", None)
    if cluster is None:
        pytest.skip("needs the throwaway cluster: its pg_hba.conf is changed for one user")
    pg_server._execute(
        f"DO $$ BEGIN CREATE ROLE {SEAT_USER} LOGIN PASSWORD '{SEAT_PASSWORD}'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    name = pg_server.create_database("careapp_seat_db")
    pg_server._execute(f'ALTER DATABASE "{name}" OWNER TO {SEAT_USER}')
    hba = Path(cluster) / "data" / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text(f"host all {SEAT_USER} 127.0.0.1/32 scram-sha-256\n" + before)
    pg_server._execute("SELECT pg_reload_conf()")
    port = pg_server.admin_url.port
    assert port is not None
    yield SharedServer("127.0.0.1", port, name, SEAT_USER)
    hba.write_text(before)
    pg_server._execute("SELECT pg_reload_conf()")
    pg_server.drop_database(name)


@pytest.mark.slow
def test_trying_the_server_with_the_right_password(password_server: SharedServer) -> None:
    result = try_server(password_server, SEAT_PASSWORD)
    assert result.ok
    assert "The database is empty: careapp will set it up" in result.message


@pytest.mark.slow
def test_a_wrong_or_missing_password_is_said_so(password_server: SharedServer) -> None:
    wrong = try_server(password_server, "not-it")
    assert not wrong.ok
    assert wrong.message.startswith("The server refused the password for the user “careapp_seat”.")
    assert "not-it" not in wrong.message
    missing = try_server(password_server, None)
    assert not missing.ok
    assert missing.message.startswith("The server asks for a password.")


@pytest.mark.slow
def test_a_missing_database_and_an_unreachable_server_are_said_so(password_server: SharedServer) -> None:
    from dataclasses import replace

    missing = try_server(replace(password_server, database="no_such_db"), SEAT_PASSWORD)
    assert not missing.ok
    assert missing.message.startswith("The server has no database called “no_such_db”.")
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    unreachable = try_server(replace(password_server, port=closed_port), SEAT_PASSWORD, timeout=3)
    assert not unreachable.ok
    assert unreachable.message.startswith(
        f"careapp could not reach a database server at 127.0.0.1, port {closed_port}."
    )


@pytest.mark.slow
def test_the_app_starts_on_the_chosen_server_with_the_keyring_password(
    secret_env: dict[str, str], password_server: SharedServer, tmp_path: Path
) -> None:
    """End to end: choice saved, password in gnome-keyring, services built on PostgreSQL, data kept."""
    from careapp.context import build_services
    from careapp.domain.customer import CustomerDraft

    secrets = database_secrets(keyring.backends.SecretService.Keyring(), timeout=20)
    save_connection(tmp_path / "connection.json", SeatConfig(password_server), SEAT_PASSWORD, secrets)
    paths = resolve_paths(str(tmp_path), {})
    assert paths.database_url.startswith("postgresql+psycopg://careapp_seat@127.0.0.1:")
    before = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.SecretService.Keyring())  # what connect_url uses by default
    try:
        services = build_services(paths)
        try:
            created = services.customers.create(CustomerDraft(first_name="Shared"), "Sam")
            assert services.customers.get(created.id).first_name == "Shared"
        finally:
            services.close()
    finally:
        keyring.set_keyring(before)
    assert try_server(password_server, SEAT_PASSWORD).message.endswith(
        "It holds careapp data; careapp will use it."
    )
    for written in tmp_path.rglob("*"):
        if written.is_file():
            assert SEAT_PASSWORD.encode() not in written.read_bytes(), written


# --- careapp connect ---------------------------------------------------------------------------------


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    import keyring

    ring = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: ring)
    return ring


def connect(tmp_path: Path, *args: str) -> int:
    from careapp.cli import main

    return main(["--data-dir", str(tmp_path), "connect", *args])


def test_connect_refuses_a_password_in_the_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert connect(tmp_path, "--server", f"postgresql://counter:{SEAT_PASSWORD}@db/care") == 2
    err = capsys.readouterr().err
    assert "Leave the password out of the address" in err and SEAT_PASSWORD not in err
    assert not (tmp_path / "connection.json").exists()


def test_connect_local_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_server_choice(tmp_path)
    assert connect(tmp_path) == 0
    assert "Shared server postgresql://db.shop.lan:5433/care, user counter." in capsys.readouterr().out
    assert connect(tmp_path, "--local") == 0
    assert resolve_paths(str(tmp_path), {}).server is None
    assert connect(tmp_path) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("This computer only")


@pytest.mark.slow
def test_connect_tries_the_server_and_keeps_the_password_in_the_keyring(
    tmp_path: Path,
    password_server: SharedServer,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    url = f"postgresql://{SEAT_USER}@127.0.0.1:{password_server.port}/{password_server.database}"
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    assert connect(tmp_path, "--server", url, "--password-stdin") == 1
    assert "refused the password" in capsys.readouterr().err
    assert not (tmp_path / "connection.json").exists() and memory_keyring.kept == {}
    monkeypatch.setattr("sys.stdin", io.StringIO(SEAT_PASSWORD + "\n"))
    assert connect(tmp_path, "--server", url, "--password-stdin") == 0
    assert resolve_paths(str(tmp_path), {}).server == password_server
    assert list(memory_keyring.kept.values()) == [SEAT_PASSWORD]
    assert SEAT_PASSWORD.encode() not in (tmp_path / "connection.json").read_bytes()


@pytest.mark.slow
def test_careapp_backup_on_the_chosen_server_uses_the_keyring_password(
    tmp_path: Path, password_server: SharedServer, memory_keyring: MemoryKeyring
) -> None:
    from careapp.cli import main

    save_connection(
        tmp_path / "connection.json", SeatConfig(password_server), SEAT_PASSWORD, database_secrets()
    )
    target = tmp_path / "shop.dump"
    assert main(["--data-dir", str(tmp_path), "backup", str(target)]) == 0
    assert target.read_bytes()[:5] == b"PGDMP"


def test_a_command_on_an_unreachable_chosen_server_says_why_in_words(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from careapp.cli import main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_server_choice(tmp_path, SharedServer("127.0.0.1", port, "care", "counter"))
    assert main(["--data-dir", str(tmp_path), "staff", "list"]) == 1
    err = capsys.readouterr().err
    assert f"careapp could not reach a database server at 127.0.0.1, port {port}." in err
    assert "careapp connect changes the connection" in err
    assert "sqlalche.me" not in err
