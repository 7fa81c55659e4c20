"""SIGKILL a real careapp process at random moments during an import, a bulk edit and a CalDAV sync
(against a real Radicale), and check the database every time: SQLite's integrity check passes, every
action the process reported done is there, and nothing is half done.

The delays come from one seed, printed at the start of each test (``-s`` shows it, and every failure
message repeats it); ``CAREAPP_KILL_SEED=N`` replays a run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from careapp.config import resolve_paths
from careapp.context import build_services
from careapp.domain.customer import CustomerDraft, EmailAddress, PartialDate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calendar"))
from calendar_servers import PASSWORD, USER, Radicale
from kill_child import STAGES, MemoryKeyring, bulk_stage

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("kill_child.py")
SHOPIFY_HEADER = (
    (Path(__file__).parents[1] / "fixtures" / "import" / "shopify_customers_export.csv")
    .read_text(encoding="utf-8")
    .splitlines()[0]
)
IMPORT_FILES = 40
IMPORT_ROWS = 1000
BULK_CUSTOMERS = 600
KILLS_PER_KIND = {"import": 8, "bulk": 8, "sync": 6}


def base_seed() -> int:
    seed = int(os.environ.get("CAREAPP_KILL_SEED", str(random.SystemRandom().randrange(1_000_000))))
    print(f"kill test seed: {seed} (replay with CAREAPP_KILL_SEED={seed})")
    return seed


@dataclass
class Killed:
    """What one killed child said before it died."""

    lines: list[str]
    delay: float
    seed: int

    def done(self, kind: str) -> list[list[str]]:
        return [line.split()[2:] for line in self.lines if line.startswith(f"done {kind} ")]

    def started(self, kind: str) -> list[list[str]]:
        return [line.split()[2:] for line in self.lines if line.startswith(f"start {kind} ")]

    def numbers_done(self, kind: str) -> set[int]:
        return {int(line.split()[2]) for line in self.lines if line.startswith(f"done {kind} ")}

    def why(self) -> str:
        return f"seed {self.seed}, killed after {self.delay:.3f} s; the child said: {self.lines[-6:]}"


def run_and_kill(
    args: list[str], data_dir: Path, delay: float, seed: int, env: dict[str, str] | None = None
) -> Killed:
    """Start the child, wait until it is ready, let it work ``delay`` seconds, SIGKILL it."""
    stderr = (data_dir.parent / "child-stderr.txt").open("wb")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), args[0], str(data_dir), *args[1:]],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "CAREAPP_DATABASE_URL": "", **(env or {})},
    )
    assert child.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line.strip())
            if line.strip() == "ready":
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(60):
            pytest.fail(
                f"the child did not start: {(data_dir.parent / 'child-stderr.txt').read_text()[-2000:]}"
            )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        reader.join(30)
        stderr.close()
    killed = Killed(lines, delay, seed)
    assert child.returncode == -signal.SIGKILL, (
        f"the child was not killed mid-work (it exited {child.returncode}): {killed.why()} "
        f"{(data_dir.parent / 'child-stderr.txt').read_text()[-2000:]}"
    )
    return killed


def connect(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "careapp.db")


def assert_intact(connection: sqlite3.Connection, killed: Killed) -> None:
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], killed.why()
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == [], killed.why()


def fresh_data_dir(tmp_path: Path, template: Path, name: str) -> Path:
    folder = tmp_path / name / "data"
    folder.mkdir(parents=True, mode=0o700)
    shutil.copy(template, folder / "careapp.db")
    return folder


# --- imports ----------------------------------------------------------------------------------------


def write_import_file(path: Path, number: int, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(SHOPIFY_HEADER + "\n")
        for row in range(rows):
            out.write(
                f"'{9000000 + number * 10000 + row},Kim{row},Park{number},imp{number}-{row}@example.com,"
                f"{'yes' if row % 2 else 'no'},,{row % 500} Queen St W,,Toronto,ON,CA,'M5H 2M9,"
                f"'+1 416 {number % 1000:03d} {row:04d},,no,{row % 700}.00,{row % 3},Pays cash,no,"
                f'"vip, tag{row % 40}"\n'
            )


@pytest.fixture(scope="module")
def import_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("imports")
    files = [folder / f"shop-{number:02d}.csv" for number in range(IMPORT_FILES)]
    for number, path in enumerate(files):
        write_import_file(path, number, IMPORT_ROWS)
    return files


def check_imports(data_dir: Path, files: list[Path], killed: Killed) -> None:
    connection = connect(data_dir)
    try:
        assert_intact(connection, killed)
        done = killed.numbers_done("import")
        for number, path in enumerate(files):
            customers = connection.execute(
                "SELECT count(*) FROM customer_email WHERE address_key LIKE ?", (f"imp{number}-%",)
            ).fetchone()[0]
            batches = connection.execute(
                "SELECT count(*) FROM import_batch WHERE source_name = ?", (path.name,)
            ).fetchone()[0]
            assert customers in (0, IMPORT_ROWS), (
                f"import {number} is half there ({customers}): {killed.why()}"
            )
            assert batches == (1 if customers else 0), (
                f"import {number}: {batches} batch rows: {killed.why()}"
            )
            if number in done:
                assert customers == IMPORT_ROWS, (
                    f"import {number} was reported done but is missing: {killed.why()}"
                )
    finally:
        connection.close()


def test_kill_during_imports(tmp_path: Path, template_db: Path, import_files: list[Path]) -> None:
    seed = base_seed()
    kills = 0
    for run in range(KILLS_PER_KIND["import"]):
        rng = random.Random(seed * 100 + run)
        data_dir = fresh_data_dir(tmp_path, template_db, f"import-{run}")
        killed = run_and_kill(["import", *map(str, import_files)], data_dir, rng.uniform(0.05, 9.0), seed)
        check_imports(data_dir, import_files, killed)
        kills += 1
        print(
            f"import run {run}: killed after {killed.delay:.2f} s, {len(killed.numbers_done('import'))} done"
        )
    assert kills == KILLS_PER_KIND["import"]


# --- bulk edits -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulk_template(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """The migrated template with BULK_CUSTOMERS customers, imported once."""
    folder = tmp_path_factory.mktemp("bulk-template")
    shutil.copy(template_db, folder / "careapp.db")
    source = folder / "customers.csv"
    write_import_file(source, 900, BULK_CUSTOMERS)
    services = build_services(resolve_paths(str(folder)))
    try:
        assert services.imports.apply(source, "setup").count("create") == BULK_CUSTOMERS
    finally:
        services.close()
    return folder / "careapp.db"


def check_bulk_edits(data_dir: Path, rounds: int, killed: Killed) -> None:
    connection = connect(data_dir)
    try:
        assert_intact(connection, killed)
        total = connection.execute("SELECT count(*) FROM customer").fetchone()[0]
        assert total == BULK_CUSTOMERS
        applied = []
        for number in range(rounds):
            tagged = connection.execute(
                "SELECT count(*) FROM customer_tag WHERE tag = ?", (f"round{number}",)
            ).fetchone()[0]
            assert tagged in (0, total), f"bulk edit {number} is half done ({tagged}/{total}): {killed.why()}"
            if tagged:
                applied.append(number)
        assert applied == list(range(len(applied))), f"rounds applied out of order {applied}: {killed.why()}"
        assert killed.numbers_done("bulk") <= set(applied), (
            f"a bulk edit reported done is missing: {killed.why()}"
        )
        versions = connection.execute("SELECT DISTINCT version FROM customer").fetchall()
        assert versions == [(1 + len(applied),)], f"versions {versions} after {applied}: {killed.why()}"
        stages = connection.execute("SELECT DISTINCT loyalty_stage FROM customer").fetchall()
        if applied:
            assert stages == [(bulk_stage(applied[-1]).value,)], killed.why()
        texts = (
            connection.execute(
                "SELECT count(*) FROM customer WHERE search_text LIKE ?", (f"%#round{applied[-1]}%",)
            ).fetchone()[0]
            if applied
            else total
        )
        assert texts == total, f"search text out of step with the tags: {killed.why()}"
    finally:
        connection.close()


def test_kill_during_bulk_edits(tmp_path: Path, bulk_template: Path) -> None:
    seed = base_seed()
    rounds = 200
    assert {s.value for s in STAGES} == {"client", "advocate"}
    for run in range(KILLS_PER_KIND["bulk"]):
        rng = random.Random(seed * 100 + run)
        data_dir = fresh_data_dir(tmp_path, bulk_template, f"bulk-{run}")
        killed = run_and_kill(["bulk", str(rounds)], data_dir, rng.uniform(0.05, 6.0), seed)
        check_bulk_edits(data_dir, rounds, killed)
        print(f"bulk run {run}: killed after {killed.delay:.2f} s, {len(killed.numbers_done('bulk'))} done")


# --- CalDAV sync ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sync_template(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Path:
    """The migrated template with 30 customers who have birthdays (30 yearly calendar items)."""
    folder = tmp_path_factory.mktemp("sync-template")
    shutil.copy(template_db, folder / "careapp.db")
    services = build_services(resolve_paths(str(folder)))
    try:
        for number in range(30):
            draft = CustomerDraft(
                first_name=f"Guest{number}",
                last_name="Birthday",
                emails=[EmailAddress(f"guest{number}@example.com")],
                birthday=PartialDate(1 + number % 12, 1 + number % 27),
            )
            services.customers.create(draft, "setup")
    finally:
        services.close()
    return folder / "careapp.db"


def point_at_calendar(data_dir: Path, radicale: Radicale, name: str) -> str:
    import caldav

    from careapp.context import calendar_service

    client = caldav.DAVClient(url=radicale.base, username=USER, password=PASSWORD, timeout=10)
    client.principal().make_calendar(name=name, cal_id=name)
    url = f"{radicale.base}{USER}/{name}/"
    services = build_services(resolve_paths(str(data_dir)))
    try:
        calendar = calendar_service(services)
        calendar.save_calendar_settings(
            replace(calendar.calendar_settings(), caldav_url=url, caldav_user=USER)
        )
    finally:
        services.close()
    return url


def server_uids(radicale: Radicale, name: str) -> list[str]:
    folder = radicale.folder / "collections" / "collection-root" / USER / name
    uids = []
    for path in folder.glob("*.ics"):
        uids += [
            line.split(":", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith("UID:")
        ]
    return uids


def check_sync(data_dir: Path, radicale: Radicale, name: str, killed: Killed) -> None:
    connection = connect(data_dir)
    try:
        assert_intact(connection, killed)
        birthdays = {
            row[0]: f"{row[1]}-{row[2]}"
            for row in connection.execute("SELECT id, birthday_month, birthday_day FROM customer")
        }
        started = killed.started("edit")
        for position, (number, customer_id, date) in enumerate(killed.done("edit")):
            later = {d for n, c, d in started if c == customer_id and int(n) > int(number)}
            assert birthdays[int(customer_id)] in {date} | later, f"edit {number} is missing: {killed.why()}"
            assert position == int(number)
        orphans = connection.execute(
            "SELECT count(*) FROM caldav_state WHERE uid NOT IN (SELECT uid FROM calendar_item)"
        ).fetchone()[0]
        assert orphans == 0, f"sync state for items that do not exist: {killed.why()}"
    finally:
        connection.close()
    # Whatever the kill interrupted, the next sync brings the calendar exactly in line: every live item
    # once on the server, nothing left over, and the sync state matching it.
    from careapp.context import calendar_service
    from careapp.services.calendar.sync import CalDavSync
    from careapp.services.shop.secrets import SecretStore

    services = build_services(resolve_paths(str(data_dir)))
    try:
        calendar = calendar_service(services)
        syncer = CalDavSync(
            services.db, services.clock, calendar, SecretStore(backend=MemoryKeyring(PASSWORD))
        )
        result = syncer.sync()
        assert result.error is None, f"{result.summary()}: {killed.why()}"
        live = sorted(item.uid for item in calendar.items())
        with services.db.session() as session:
            from sqlalchemy import select

            from careapp.db.models import CalDavStateRecord

            states = sorted(session.scalars(select(CalDavStateRecord.uid)))
    finally:
        services.close()
    assert sorted(server_uids(radicale, name)) == live, f"the calendar is not in line: {killed.why()}"
    assert states == live, killed.why()


def test_kill_during_calendar_sync(tmp_path: Path, sync_template: Path, radicale: Radicale) -> None:
    seed = base_seed()
    for run in range(KILLS_PER_KIND["sync"]):
        rng = random.Random(seed * 100 + run)
        data_dir = fresh_data_dir(tmp_path, sync_template, f"sync-{run}")
        name = f"run{run}-{seed}"
        point_at_calendar(data_dir, radicale, name)
        killed = run_and_kill(
            ["sync", "400"],
            data_dir,
            rng.uniform(0.05, 4.0),
            seed,
            env={"CAREAPP_TEST_CALDAV_PASSWORD": PASSWORD},
        )
        check_sync(data_dir, radicale, name, killed)
        print(
            f"sync run {run}: killed after {killed.delay:.2f} s, "
            f"{len(killed.numbers_done('sync'))} syncs done"
        )
