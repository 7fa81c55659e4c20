"""After a bulk write (an import, demo data) PostgreSQL's statistics are refreshed at once, so its
planner walks the name index to a search's first page instead of sorting every match of a table it
still believes empty (issue 20: keystrokes on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from careapp.context import Services
from careapp.services.customers import importer
from careapp.services.demo.customers import DemoSpec, fill_demo


def analyzed(services: Services, table: str) -> bool:
    """PostgreSQL: the table was analyzed by hand; SQLite: ANALYZE ever ran (it makes sqlite_stat1)."""
    with services.db.session() as session:
        if services.db.engine.dialect.name != "postgresql":
            return (
                session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
                is not None
            )
        found = session.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :table"), {"table": table}
        ).scalar()
    return found is not None


def on_postgresql(services: Services) -> bool:
    return services.db.engine.dialect.name == "postgresql"


def test_a_big_import_refreshes_the_planners_statistics_and_a_small_one_does_not(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ANALYZE_FROM", 20)  # as a 1,000-row import would, in a test's time
    small = tmp_path / "few.csv"
    small.write_text("Name,Email\n" + "".join(f"Ana Silva{n},ana{n}@example.com\n" for n in range(19)))
    services.imports.apply(small, "Sam")
    assert not analyzed(services, "customer")  # a few rows change no plan: no ANALYZE for them
    path = tmp_path / "people.csv"
    path.write_text("Name,Email\n" + "".join(f"Kim Park{n},kim{n}@example.com\n" for n in range(30)))
    services.imports.apply(path, "Sam")
    # PostgreSQL: analyzed at once. SQLite plans without statistics, and none are made.
    assert analyzed(services, "customer") == on_postgresql(services)


def test_demo_data_refreshes_the_planners_statistics(services: Services) -> None:
    assert not analyzed(services, "purchase")
    fill_demo(services.db, DemoSpec(customers=20, seed=3), dt.datetime(2026, 12, 1, 9))
    assert analyzed(services, "purchase") == on_postgresql(services)
