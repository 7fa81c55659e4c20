"""An import sends a few statements per group of new customers, however many rows the group has.

On PostgreSQL a driver executemany is still one INSERT per row on the server (psycopg pipelines them,
but each is parsed, planned and run alone): 600,000 of them were most of an import of 100,000
customers, and the lookups of known emails and phones sent an IN list of 500 parameters per 500 keys.
Here the statements an import sends are counted, on both databases: one INSERT per table and group
of new customers (on PostgreSQL never an executemany), and on PostgreSQL one lookup of all the keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from careapp.context import Services
from careapp.db.models import ConsentEventRecord, CustomerRecord, EmailRecord, PhoneRecord, TagRecord
from careapp.services.customers.importer import _WRITE_GROUP

HEADER = "First Name,Last Name,Email,Accepts Email Marketing,Phone,Accepts SMS Marketing,Tags"


def _file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / f"customers_{rows}.csv"
    lines = [HEADER] + [
        f'Kim{n},Park,kim{n}@example.com,{"yes" if n % 2 else "no"},\'+1 416 555 {n:04d},no,"vip, tag{n % 7}"'
        for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def _counted(services: Services) -> Iterator[Counter[str]]:
    """Statements sent, by first word and table (``INSERT customer_tag``); executemany ones apart."""
    seen: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool) -> None:
        words = statement.split()
        verb = words[0].upper()
        table = ""
        if verb == "INSERT":
            table = words[2]
        elif verb == "SELECT" and "FROM" in words:
            table = words[words.index("FROM") + 1]
        seen[f"{'many ' if many else ''}{verb} {table}".strip()] += 1

    event.listen(services.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", count)


def _import(services: Services, path: Path) -> Counter[str]:
    with _counted(services) as seen:
        summary = services.imports.apply(path, "Sam")
    assert summary.count("create") == summary.as_json()["created"]
    return seen


def test_a_group_of_new_customers_is_a_few_statements_not_one_per_row(
    services: Services, tmp_path: Path, db_backend: str
) -> None:
    groups = 3
    seen = _import(services, _file(tmp_path, groups * _WRITE_GROUP))
    with services.db.session() as session:
        stored = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (CustomerRecord, EmailRecord, PhoneRecord, TagRecord, ConsentEventRecord)
        }
    assert stored == {
        "customer": 1500,
        "customer_email": 1500,
        "customer_phone": 1500,
        "customer_tag": 1500 + 1500,  # "vip" and one of seven others
        "consent_event": 1500 + 1500,  # email and SMS answers
    }
    for table in ("customer", "customer_email", "customer_phone", "customer_tag", "consent_event"):
        sent = seen[f"INSERT {table}"] + seen[f"many INSERT {table}"]
        assert sent == groups, (table, seen)
    if db_backend == "postgresql":
        assert not [key for key in seen if key.startswith("many ")], seen


@pytest.mark.postgresql_only
def test_known_emails_and_phones_are_looked_up_in_one_statement_each(
    services: Services, tmp_path: Path
) -> None:
    """1,500 emails and 1,500 phones: one lookup each, every key in one array parameter (SQLite takes
    them 500 to an IN list)."""
    seen = _import(services, _file(tmp_path, 1500))
    assert (seen["SELECT customer_email"], seen["SELECT customer_phone"]) == (1, 1), seen
