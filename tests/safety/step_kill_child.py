"""The process the action kill tests SIGKILL: it runs one real careapp command (``careapp.cli.main``, the
code behind the ``careapp`` executable) and kills itself with SIGKILL at the one step of the command's
action that the test's seed picked.

A step is one of:
- an SQL statement or a commit sent to a database (``sql:NAME``, ``commit:NAME``; NAME is the SQLite
  file's name or the PostgreSQL database's);
- a slice of a VACUUM, every few thousand SQLite instructions (``vacuum:NAME``), so a kill lands
  inside the rebuild of the file, not only before or after it;
- one page of an online-backup copy (``copy:FILE``). careapp copies with one backup step (all pages);
  here the same copy goes a page a step, so a kill lands inside the copy's write transaction on the
  target, with some pages written and the rest not, as a kill inside the single step would.

Only the steps inside the command's action count (restore_file, the erase, undo_last, the demo fills,
the import, the bulk edit), not the start-up every command shares (test_kill_upgrade.py kills that).
Each label starts with the action's function name: ``fill_demo_tickets/sql:careapp.db``.

It runs as a server (``KillServer`` starts it): careapp is imported and hooked once, then each run is
a forked process (a real, separate process, killed by a real SIGKILL), so a kill costs the command's
work and not an interpreter's start-up. A run is careapp's arguments, or ``bulk-edit DATA_DIR TAG
STAGE`` (not a command: the window's bulk edit, every customer gets TAG and loyalty STAGE in one
transaction), and the step N to be killed at. N = 0: no kill; the run writes to its steps file, one a
line, ``step LABEL`` for every step and ``stage {"table": rows, ...}`` for the SQLite file's row counts
before the action and after each of its parts (each wrapped call): the states a kill may leave.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

VACUUM_SLICE = 50  # SQLite instructions between two vacuum steps
CHILD_TIME_LIMIT = 240  # seconds
ACTIONS: dict[str, list[tuple[str, str]]] = {
    "restore": [("careapp.services.shop.backups", "restore_file")],
    "erase": [("careapp.services.privacy.guard", "CustomerGuard.erase_customer")],
    "undo-import": [("careapp.services.customers.importer", "ImportService.undo_last")],
    "import": [("careapp.services.customers.importer", "ImportService.apply")],
    "demo": [
        ("careapp.services.demo.customers", "fill_demo"),
        ("careapp.services.demo.tickets", "fill_demo_tickets"),
        ("careapp.services.demo.articles", "fill_demo_articles"),
    ],
    "bulk-edit": [("careapp.services.customers.service", "CustomerService.bulk_edit")],
}


class Steps:
    """Counts the action's steps and kills this process at the chosen one."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.count = 0
        self.action: str | None = None  # the wrapped function running now
        self.lines: list[str] = []  # what a run without a kill writes to STEPS_FILE
        self.database: Path | None = None  # the SQLite file whose states are recorded

    def step(self, what: str) -> None:
        if self.action is None:
            return
        self.count += 1
        self.lines.append(f"step {self.action}/{what}")
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def record_state(self) -> None:
        if self.kill_at or self.database is None or not self.database.exists():
            return
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            tables = [
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            connection.close()
        self.lines.append(f"stage {json.dumps(counts, sort_keys=True)}")


def database_name(connection: Any) -> str:
    database = connection.engine.url.database
    return ":memory:" if database in (None, "", ":memory:") else Path(database).name


def listen(steps: Steps) -> None:
    def before(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        name = database_name(connection)
        if name == ":memory:":  # the schema check's scratch database, not the user's
            return
        steps.step(f"sql:{name}")
        raw = connection.connection.dbapi_connection
        if statement.lstrip().upper().startswith("VACUUM") and isinstance(raw, sqlite3.Connection):
            raw.set_progress_handler(lambda: steps.step(f"vacuum:{name}") or 0, VACUUM_SLICE)

    def after(connection: Any, *_args: Any) -> None:
        raw = connection.connection.dbapi_connection
        if isinstance(raw, sqlite3.Connection):
            raw.set_progress_handler(None, VACUUM_SLICE)

    def on_commit(connection: Any) -> None:
        if database_name(connection) != ":memory:":
            steps.step(f"commit:{database_name(connection)}")

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    event.listen(Engine, "commit", on_commit)


class _PagedConnection:
    """A sqlite3 connection whose online-backup copies go one page a step, each page a step here."""

    def __init__(self, real: sqlite3.Connection, steps: Steps) -> None:
        self._real = real
        self._steps = steps

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _PagedConnection:
        self._real.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._real.__exit__(*exc)

    def backup(self, target: Any, **options: Any) -> None:
        real_target = target._real if isinstance(target, _PagedConnection) else target
        (_seq, _name, file) = real_target.execute("PRAGMA database_list").fetchone()
        label = f"copy:{Path(file).name}"
        options.update(pages=1, progress=lambda *_: self._steps.step(label))
        self._real.backup(real_target, **options)


class _PagedSqlite3:
    """careapp.db.backups' view of the sqlite3 module: the same, but its connections copy page by page."""

    def __init__(self, steps: Steps) -> None:
        self._steps = steps

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    def connect(self, *args: Any, **kwargs: Any) -> _PagedConnection:
        return _PagedConnection(sqlite3.connect(*args, **kwargs), self._steps)


def wrap(steps: Steps, module_name: str, attribute: str) -> None:
    import importlib

    owner: Any = importlib.import_module(module_name)
    *outer, name = attribute.split(".")
    for part in outer:
        owner = getattr(owner, part)
    real: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        if not steps.lines:
            steps.record_state()
        steps.action = name
        try:
            return real(*args, **kwargs)
        finally:
            steps.action = None
            steps.record_state()

    setattr(owner, name, counted)


def bulk_edit(data_dir: str, tag: str, stage: str) -> int:
    """What the window's bulk edit does on every customer (there is no command for it)."""
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.domain.customer import LoyaltyStage

    services = build_services(resolve_paths(data_dir))
    try:
        ids = services.customers.search_ids()
        result = services.customers.bulk_edit(ids, "kill-test", add_tags=[tag], stage=LoyaltyStage(stage))
        print(f"bulk edit changed {len(result.changed_ids)}", flush=True)
    finally:
        services.close()
    return 0


STEPS = Steps(0)


def install() -> None:
    """Hook the steps into SQLAlchemy, the backup copies and the actions (once, in the server)."""
    import importlib

    listen(STEPS)
    import careapp.db.backups

    careapp.db.backups.sqlite3 = _PagedSqlite3(STEPS)  # type: ignore[assignment]
    for parts in ACTIONS.values():
        for module_name, attribute in parts:
            wrap(STEPS, module_name, attribute)
    # What the commands import, imported before the forks (each fork then starts warm).
    for name in (
        "careapp.cli",
        "careapp.commands",
        "careapp.context",
        "alembic.command",
        "careapp.cli_backup",
    ):
        importlib.import_module(name)


def run_one(steps_file: str | None, kill_at: int, command: list[str]) -> int:
    """One command in this (forked) process; SIGKILLs itself at step ``kill_at``."""
    STEPS.kill_at = kill_at
    if "--data-dir" in command:
        STEPS.database = Path(command[command.index("--data-dir") + 1]) / "careapp.db"
    if command[0] == "bulk-edit":
        code = bulk_edit(*command[1:])
    else:
        from careapp.cli import main as careapp_main

        code = careapp_main(command)
    if steps_file and not kill_at:
        Path(steps_file).write_text("".join(f"{line}\n" for line in STEPS.lines))
    return code


def serve() -> None:
    """Read one request a line ({"argv", "kill_at", "steps_file", "env", "log"}), fork a process that
    runs it, wait for it, answer one line ({"killed": bool, "code": int})."""
    install()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            signal.alarm(CHILD_TIME_LIMIT)  # a run that hangs (a lock never released) fails, never waits on
            os.environ.update(request.get("env", {}))
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            code = 70
            try:
                code = run_one(request.get("steps_file"), int(request["kill_at"]), request["argv"])
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        print(json.dumps({"killed": killed, "code": code}), flush=True)


class KillServer:
    """The test's side of ``serve``: a process that has imported careapp once and forks a child per
    run, so a kill costs the command's own work, not a new interpreter's start-up."""

    def __init__(self, env: dict[str, str]) -> None:
        import subprocess

        self._process = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def run(self, argv: list[str], kill_at: int, log: Path, steps_file: Path | None = None,
            env: dict[str, str] | None = None) -> tuple[bool, int]:  # fmt: skip
        """(killed by SIGKILL?, exit code) of one run of ``argv`` killed at step ``kill_at`` (0: never)."""
        assert self._process.stdin is not None and self._process.stdout is not None
        request = {"argv": argv, "kill_at": kill_at, "log": str(log), "env": env or {}}
        if steps_file is not None:
            request["steps_file"] = str(steps_file)
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the kill server died (exit {self._process.wait(30)})")
        reply = json.loads(answer)
        return bool(reply["killed"]), int(reply["code"])

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(60)


if __name__ == "__main__":
    serve()
