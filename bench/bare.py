"""The baselines' side of a figure: a bare driver connection (``sqlite3``, or ``psycopg`` on PostgreSQL)
to the very database the services under measure use, for the same run's baseline.

Two kinds of baseline go through it: a hand-written statement (``rows``: the figure's own bare SQL,
written with ``?`` placeholders for both drivers), and the very statements a service call sent
(``catch`` them with SQLAlchemy's ``before_cursor_execute``, then ``replay`` them): exactly the
database's share of the work, what is above it being careapp's (SQLAlchemy, the mapping, the domain).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

Statements = list[tuple[str, Any]]


def plain_url(url: str) -> str:
    """The URL psycopg takes (without SQLAlchemy's driver name)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Recorder:
    """The statements (with their parameters) sent on one engine while ``catch`` runs a call."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.statements: Statements = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._caught)

    def _caught(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if self.on and not executemany:
            self.statements.append((statement, parameters))

    def catch(self, call: Callable[[], Any]) -> tuple[Any, Statements]:
        self.statements, self.on = [], True
        try:
            result = call()
        finally:
            self.on = False
        return result, self.statements


class Bare:
    """A bare connection to the database of ``services`` (their engine's URL)."""

    def __init__(self, services) -> None:
        from careapp.db.database import sqlite_path

        url = services.db.url
        path = sqlite_path(url)
        self.postgres = path is None
        self.connection: Any
        if path is None:
            import psycopg

            self.connection = psycopg.connect(plain_url(url), autocommit=True)
            self.driver = "psycopg"
        else:
            self.connection = sqlite3.connect(path)
            self.driver = "sqlite3"
        self._recorders: dict[int, Recorder] = {}

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A hand-written statement's rows (``?`` placeholders, whichever the driver)."""
        if self.postgres:
            sql = sql.replace("?", "%s")
        return list(self.connection.execute(sql, params).fetchall())

    def catch(self, services, call: Callable[[], Any]) -> tuple[Any, Statements]:
        """``call()``'s result and the statements it sent through ``services``' engine."""
        engine = services.db.engine
        recorder = self._recorders.get(id(engine))
        if recorder is None:
            recorder = self._recorders[id(engine)] = Recorder(engine)
        return recorder.catch(call)

    def replay(self, statements: Statements) -> float:
        """Seconds to run ``statements`` again (fetching every row) in one transaction, rolled back."""
        start = time.perf_counter()
        if self.postgres:
            with self.connection.transaction(force_rollback=True), self.connection.cursor() as cursor:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    if cursor.description is not None:
                        cursor.fetchall()
        else:
            cursor = self.connection.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            self.connection.rollback()
        return time.perf_counter() - start

    def close(self) -> None:
        self.connection.close()
