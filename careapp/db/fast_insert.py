"""Many rows into one table: the driver's own executemany on SQLite, one INSERT of arrays on PostgreSQL.

SQLAlchemy builds and converts every row's parameters in Python before handing them to the driver:
for the 100,000 customers of an import (and their emails, phones and tags) that cost more than
SQLite's inserts themselves. Here each column's value is converted by the column type's own bind
processor (so what is stored is exactly what an ORM or Core insert stores) and the rows go to the
driver as tuples. The write is counted as the ORM's are (:func:`careapp.db.changes.note_written`).

On PostgreSQL an executemany is still one INSERT per row on the server (psycopg pipelines them, but
each is parsed, planned and run alone): 600,000 of them were most of an import of 100,000 customers.
There the rows go as one array per column, ``INSERT ... SELECT * FROM unnest(...)``: one statement
for any number of rows, with as many parameters as columns. Each array is cast to its column's type
without a length (``VARCHAR``, not ``VARCHAR(200)``: a cast would cut a long value, where the INSERT's
own assignment refuses it as every other insert does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from careapp.db.changes import note_written


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (each with the same keys: column names) into ``table``."""
    if not rows:
        return
    names = list(rows[0])
    defaults = _scalar_defaults(table, names)
    if defaults:  # what a Core insert fills in for a column left out
        rows = [{**defaults, **row} for row in rows]
        names += list(defaults)
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        _insert_arrays(connection, table, names, rows)
        note_written(session, table.name)
        return
    processors = [_remembering(table.c[name].type._cached_bind_processor(dialect)) for name in names]
    mark = {"qmark": "?", "numeric": ":{n}"}.get(dialect.paramstyle, "%s")
    marks = ", ".join(mark.format(n=n + 1) for n in range(len(names)))
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) VALUES ({marks})"
    # Column by column (a map per column beats a generator per row), then zipped into rows.
    columns = [[row[name] for row in rows] for name in names]
    converted = list(
        zip(
            *(
                values if convert is None else list(map(convert, values))
                for values, convert in zip(columns, processors, strict=True)
            ),
            strict=True,
        )
    )
    connection.exec_driver_sql(statement, converted)
    note_written(session, table.name)


def _insert_arrays(
    connection: Connection, table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """PostgreSQL: every row in one INSERT, each column's values as one array parameter."""
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    arrays = ", ".join(f"CAST(%b AS {_element_type(table.c[name].type, dialect)}[])" for name in names)
    quoted = ", ".join(preparer.quote(name) for name in names)
    statement = f"INSERT INTO {preparer.format_table(table)} ({quoted}) SELECT * FROM unnest({arrays})"
    processors = [_remembering(table.c[name].type._cached_bind_processor(dialect)) for name in names]
    columns = []
    for name, convert in zip(names, processors, strict=True):
        values = [row[name] for row in rows]
        columns.append(values if convert is None else list(map(convert, values)))
    connection.exec_driver_sql(statement, tuple(columns))


def _element_type(column_type: TypeEngine[Any], dialect: Dialect) -> str:
    """The column's type as PostgreSQL names it, without a length or precision."""
    return re.sub(r"\(.*?\)", "", column_type.compile(dialect=dialect))


def _scalar_defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """The Python-side defaults of the columns not given; a default that is worked out per row (a
    callable) cannot be, here: the caller must give that column."""
    found: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.name in given or default is None:
            continue
        if not default.is_scalar:
            raise ValueError(f"{table.name}.{column.name} has a default worked out per row: give it")
        found[column.name] = default.arg  # type: ignore[attr-defined]
    return found


def _remembering(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """``convert`` once per distinct value (None stays None): an import's rows share one moment, and
    a refresh's wake rows a few dozen days, so most conversions are repeats."""
    if convert is None:
        return None
    done: dict[tuple[type, Any], Any] = {}

    def converted(value: Any) -> Any:
        if value is None:
            return None
        key = (type(value), value)  # True and 1 are equal keys, and may convert differently
        try:
            return done[key]
        except KeyError:
            result = done[key] = convert(value)
            return result
        except TypeError:  # not hashable
            return convert(value)

    return converted
