"""The process the upgrade kill tests SIGKILL: it opens a data folder the way every careapp start does
(build_services: check, copy, migrate) and kills itself with SIGKILL just before the Nth SQL statement
or commit sent to the database file, the one moment chosen by the test's seed.

Usage: python upgrade_kill_child.py DATA_DIR N     (N = 0: never; prints the statements counted)
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from sqlalchemy import Engine, event

from careapp.config import resolve_paths
from careapp.context import build_services

counted = 0
kill_at = 0


def on_the_file(connection: Any) -> bool:
    # Statements on the data folder's file; not the in-memory database the schema check builds.
    database = connection.engine.url.database
    return bool(database) and database != ":memory:"


def step(connection: Any, *_args: Any) -> None:
    global counted
    if not on_the_file(connection):
        return
    counted += 1
    if counted == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    global kill_at
    data_dir, n = argv
    kill_at = int(n)
    event.listen(Engine, "before_cursor_execute", step)
    event.listen(Engine, "commit", step)
    services = build_services(resolve_paths(data_dir))
    services.close()
    print(f"statements {counted}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
