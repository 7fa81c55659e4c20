"""A command imports only what it needs (issue 20): the schema check reads the stored revision and the
migration files without Alembic, and the services are made on first use, so ``careapp report fcr`` does
not import the care queue, the calendar stack or Qt."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from careapp.config import resolve_paths
from careapp.context import build_services
from careapp.db.database import (
    _head_of_chain,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)

pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 9, 0)


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_branch_or_an_unreadable_file_is_left_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (tmp_path / "b.py").write_text("revision = 'b'\ndown_revision = 'a'\n")
    assert _head_of_chain(tmp_path) == "b"
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")  # a second head
    assert _head_of_chain(tmp_path) is None
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = ('a', 'b')\n")  # a merge
    assert _head_of_chain(tmp_path) is None


def test_the_stored_revision_is_what_alembic_reads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is None
    assert current_revision(engine) is None
    migrate(engine, None, NOW)
    with engine.connect() as connection:
        alembic_says = MigrationContext.configure(connection).get_current_revision()
    assert current_revision(engine) == alembic_says == head_revision()
    engine.dispose()


def test_an_older_schema_is_still_upgraded(tmp_path: Path) -> None:
    """The cheap check must not hide an old file: one stamped a revision back is upgraded to head."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
    engine.dispose()
    report = migrate(engine, tmp_path / "backups", NOW)
    assert (report.from_revision, report.to_revision) == ("0011", head_revision())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM reward_rule")).scalar() == 0
    engine.dispose()


def _modules_after(code: str, data_dir: Path) -> list[str]:
    env = {**os.environ, "CAREAPP_TEST_DATA": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


HEAVY = ["alembic", "PySide6", "icalendar", "caldav", "careapp.services.care.queue", "careapp.ui"]
REPORT_FCR = f"""
import io, json, os, sys, contextlib
from careapp.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["--data-dir", os.environ["CAREAPP_TEST_DATA"], "report", "fcr"])
assert code == 0, code
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
"""


def test_report_fcr_imports_neither_alembic_nor_qt_nor_the_care_stack(tmp_path: Path) -> None:
    build_services(resolve_paths(str(tmp_path))).close()  # migrated once, as a user's folder is
    assert _modules_after(REPORT_FCR, tmp_path) == []


def test_the_first_command_on_a_new_folder_still_migrates(tmp_path: Path) -> None:
    """Alembic is imported when the schema needs it: here the file does not exist yet."""
    code = REPORT_FCR.replace(repr(HEAVY), repr(["alembic"]))
    assert _modules_after(code, tmp_path) == ["alembic"]


def test_services_are_made_once_and_shared(tmp_path: Path) -> None:
    services = build_services(resolve_paths(str(tmp_path)))
    try:
        assert services.care_queue is services.care_queue
        assert services.touches is services.care_queue._touches
        services.build_all()
        other = services.replaced(reports=None)
        assert other.reports is None and services.reports is not None
        assert other.touches is services.touches
        with pytest.raises(TypeError):
            services.replaced(nothing=1)
    finally:
        services.close()


ERASE_WITHOUT_FEED = """
import io, json, os, sys, contextlib
from careapp.cli import main
from careapp.context import build_services
from careapp.config import resolve_paths
from careapp.domain.customer import CustomerDraft
services = build_services(resolve_paths(os.environ["CAREAPP_TEST_DATA"]))
customer_id = services.customers.create(CustomerDraft(first_name="Ann", last_name="Eraseme"), "t").id
services.close()
before = set(sys.modules)
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["--data-dir", os.environ["CAREAPP_TEST_DATA"], "erase", "customer", str(customer_id),
                 "--reason", "asked by letter", "--yes"])
assert code == 0, code
print(json.dumps([m for m in ("careapp.services.calendar.service", "icalendar") if m in sys.modules]))
"""


def test_an_erase_without_a_feed_does_not_import_the_calendar(tmp_path: Path) -> None:
    build_services(resolve_paths(str(tmp_path))).close()
    assert _modules_after(ERASE_WITHOUT_FEED, tmp_path) == []


def test_the_erase_reads_the_calendar_settings_key() -> None:
    from careapp.commands import CALENDAR_SETTINGS_KEY
    from careapp.services.calendar.service import SETTINGS_KEY

    assert CALENDAR_SETTINGS_KEY == SETTINGS_KEY
