"""A real PostgreSQL server for the tests: a throwaway cluster on loopback, or the one named by
``CAREAPP_TEST_PG_URL``.

The cluster lives in a temporary folder, listens on 127.0.0.1 on a free port, trusts local
connections (nothing else can reach it) and is removed when the test run ends. ``initdb`` refuses
to run as root, so as root the cluster is created and run by the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url

URL_ENV = "CAREAPP_TEST_PG_URL"
PG_USER = "postgres"
PASSWORD_ROLE = "careapp_pw"


class PgUnavailable(RuntimeError):
    """PostgreSQL could not be started or reached; the message says why."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if not found:
        raise PgUnavailable(
            "no /usr/lib/postgresql/*/bin/initdb: install the Debian package 'postgresql' "
            f"(./run-tests.sh does) or point {URL_ENV} at a server"
        )
    return Path(found[-1]).parent


def _major_version(initdb: str) -> int:
    try:
        return int(Path(initdb).parent.parent.name)
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_cluster_owner(args: list[str]) -> list[str]:
    """initdb and postgres refuse root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", PG_USER, "--", *args]
    return ["su", PG_USER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(args)]


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(_as_cluster_owner(args), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise PgUnavailable(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")


@dataclass
class PgServer:
    """A running server and the URL of its maintenance database (user with CREATEDB)."""

    admin_url: URL
    _cluster: Path | None = None
    _bin: Path | None = None
    _databases: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> PgServer:
        """Use ``CAREAPP_TEST_PG_URL`` if set, else start a throwaway cluster."""
        given = os.environ.get(URL_ENV)
        if given:
            server = cls(admin_url=_psycopg_url(given))
            server.check()
            return server
        return cls._start_cluster()

    @classmethod
    def _start_cluster(cls) -> PgServer:
        bin_dir = _bin_dir()
        cluster = Path(tempfile.mkdtemp(prefix="careapp-pg-"))
        if os.geteuid() == 0:
            shutil.chown(cluster, PG_USER, PG_USER)
        data = cluster / "data"
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            "initdb",
        )
        # One role must give its password (the rest is trusted): the tests of pg_dump/pg_restore
        # check that the password reaches them.
        hba = data / "pg_hba.conf"
        hba.write_text(f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        port = _free_port()
        # A server clock zone far from UTC: a timezone-aware value sent to a naive column would shift.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {cluster} -c fsync=off -c full_page_writes=off "
            "-c timezone=Pacific/Chatham"
        )
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(cluster / "log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            "pg_ctl start",
        )
        server = cls(
            admin_url=URL.create("postgresql+psycopg", PG_USER, None, "127.0.0.1", port, "postgres"),
            _cluster=cluster,
            _bin=bin_dir,
        )
        server.check()
        return server

    def check(self) -> None:
        try:
            self._execute("SELECT 1")
        except Exception as exc:
            raise PgUnavailable(f"cannot connect to PostgreSQL at {self.safe_url}: {exc}") from exc

    @property
    def safe_url(self) -> str:
        return self.admin_url.render_as_string(hide_password=True)

    def url(self, database: str) -> str:
        """A SQLAlchemy URL (with its password) for one database on this server."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (a copy of ``template`` when given) and return its name."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self.drop_database(name)
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        self._execute(sql)
        self._databases.append(name)
        return name

    def drop_database(self, name: str) -> None:
        # FORCE ends connections a test left open (a leaked engine must not block the next test).
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._databases:
            self._databases.remove(name)

    @property
    def is_throwaway(self) -> bool:
        return self._cluster is not None

    def create_password_role(self, password: str) -> str:
        """A role that must log in with ``password`` (on the throwaway cluster); its name."""
        self._execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        self._execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN SUPERUSER PASSWORD '{password}'")
        return PASSWORD_ROLE

    def stop(self) -> None:
        """Drop what this run created; stop and delete a throwaway cluster."""
        if self._cluster is None:
            for name in list(self._databases):
                self.drop_database(name)
            return
        assert self._bin is not None
        _run(
            [str(self._bin / "pg_ctl"), "-D", str(self._cluster / "data"), "-w", "-m", "immediate", "stop"],
            "pg_ctl stop",
        )
        shutil.rmtree(self._cluster, ignore_errors=True)
        self._cluster = None

    def _execute(self, sql: str) -> None:
        import psycopg

        params = self.admin_url
        with psycopg.connect(
            host=params.host,
            port=params.port,
            user=params.username,
            password=params.password,
            dbname=params.database,
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            connection.execute(sql.encode())


def _psycopg_url(text: str) -> URL:
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url
