"""Backing up and restoring a PostgreSQL database with the server's own tools, pg_dump and pg_restore.

The password goes to them in the ``PGPASSWORD`` environment variable, never on the command line
(where any user of the computer could read it in the process list), and never into a message.
A dump is written to a temporary file beside the target and renamed when complete, so a failed
dump never leaves a half file under the target's name. A restore runs in one transaction: if any
part fails, the database is left as it was.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL

from careapp.db.database import DatabaseError, normalize_url

TIMEOUT = 3600  # seconds: a shop's database dumps in seconds; only a hung server takes this long


class BackupFileRejected(DatabaseError):
    """The file named for a backup or restore is not usable (missing, a folder, not a dump): bad input,
    said before pg_dump or pg_restore runs, so nothing was written or changed."""


def dump(url: str, target: Path) -> Path:
    """Write the whole database at ``url`` to ``target`` in pg_dump's custom format (``-Fc``)."""
    parsed = _postgresql(url)
    target = Path(target)
    if target.is_dir():
        raise BackupFileRejected(f"{target} is a folder; name the backup file to write in it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)  # created readable by the user only (mkstemp uses 0600): a dump is personal data
    try:
        _run(parsed, "pg_dump", ["--format=custom", f"--file={partial}"], "back up")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the dump in ``source`` (all of it, or nothing)."""
    parsed = _postgresql(url)
    source = Path(source)
    if source.is_dir():
        raise BackupFileRejected(f"{source} is a folder, not a backup file; nothing was restored.")
    if not source.is_file():
        raise BackupFileRejected(f"There is no backup file at {source}; nothing was restored.")
    with source.open("rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise BackupFileRejected(
                f"{source} is not a pg_dump backup in custom format (careapp backup makes those); "
                "nothing was restored."
            )
    options = ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)]
    _run(parsed, "pg_restore", options, "restore")


def _postgresql(url: str) -> URL:
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"pg_dump and pg_restore work on PostgreSQL databases, not on {parsed.get_backend_name()}."
        )
    if not parsed.database:
        raise DatabaseError("The database address names no database, so there is nothing to back up.")
    return parsed


def find_tool(name: str) -> str | None:
    """The newest pg_dump/pg_restore: Debian keeps one per server version (a newer one reads and
    writes older servers' databases, an older one refuses newer servers)."""
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    return versioned[-1] if versioned else shutil.which(name)


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _run(url: URL, tool: str, options: list[str], what: str) -> None:
    program = find_tool(tool)
    if program is None:
        raise DatabaseError(
            f"careapp needs {tool} to {what} a PostgreSQL database, and it is not installed. Install "
            "the PostgreSQL client tools (on Debian or Ubuntu: sudo apt install postgresql-client), "
            "then try again."
        )
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = [program, "--no-password", *_connection_options(url), *options]
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as error:
        minutes = TIMEOUT // 60
        message = f"{tool} did not finish within {minutes} minutes; nothing was changed."
        raise DatabaseError(message) from error
    except OSError as error:
        raise DatabaseError(f"careapp could not start {tool}: {error.strerror or error}.") from error
    if done.returncode != 0:
        raise DatabaseError(_failure(url, tool, what, done.stderr))


def _connection_options(url: URL) -> list[str]:
    options = [f"--dbname={url.database}"]
    if url.host:
        options.append(f"--host={url.host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    return options


def _failure(url: URL, tool: str, what: str, stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    detail = lines[0] if lines else "no reason given"
    if url.password:
        detail = detail.replace(str(url.password), "***")
    place = f"“{url.database}” on {url.host or 'this computer'}" + (f", port {url.port}" if url.port else "")
    outcome = "no backup file was written" if tool == "pg_dump" else "the database is as it was"
    return f"{tool} could not {what} the database {place}, so {outcome}. It said: {detail}"
