"""A sync after a change rebuilds only the items whose sources changed, and leaves the server holding
exactly what a full rebuild would.

Two shops built the same way (twins: same customers, same ids, same clock), each syncing to its own real
Radicale. Random changes of many kinds are made to both, alike; after each, the first twin syncs as
careapp does (rebuilding only the changed customers' items when it can) and the second rebuilds every
item before every sync. The two servers must then hold the same events (UIDs aside: they are random per
shop), and the two syncs must have sent the same writing requests, no more. A full rebuild on the first
twin afterwards must change no stored item, and most rounds must have taken the incremental path (or
the test would prove nothing)."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from calendar_servers import PASSWORD, USER, Radicale
from calshop import TODAY, Shop, make_shop
from sqlalchemy import select

from careapp.config import DATABASE_URL_ENV, resolve_paths
from careapp.context import Services, build_services
from careapp.db.models import CalendarItemRecord
from careapp.domain.customer import CustomerDraft, DateKind, ImportantDate, PartialDate, Purchase
from careapp.domain.tickets import Outcome
from careapp.services.calendar.sync import CalDavSync
from careapp.services.shop.secrets import SecretStore
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput

pytestmark = pytest.mark.slow  # two Radicale processes per test

WRITES = ("PUT", "DELETE")
ROUNDS = 24


class MemoryKeyring:
    """The keyring calls SecretStore makes, in memory: the password's path is tested elsewhere."""

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.passwords.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.passwords[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.passwords.pop((service, user), None)


@dataclass
class Twin:
    shop: Shop
    clock: list[dt.datetime]
    radicale: Radicale
    sync: CalDavSync


def _server(folder: Path) -> Radicale:
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    server.make_calendar()
    return server


def _twin(services: Services, clock: list[dt.datetime], folder: Path) -> Twin:
    shop = make_shop(services)
    _more_customers(shop)
    radicale = _server(folder)
    settings = shop.calendar.calendar_settings()
    address = radicale.calendar_url
    shop.calendar.save_calendar_settings(replace(settings, caldav_url=address, caldav_user=USER))
    secrets = SecretStore(MemoryKeyring())
    secrets.set(radicale.calendar_url, USER, PASSWORD)
    sync = CalDavSync(shop.services.db, shop.services.clock, shop.calendar, secrets)
    return Twin(shop, clock, radicale, sync)


def _more_customers(shop: Shop) -> None:
    for n in range(8):
        dates = [ImportantDate(DateKind.ANNIVERSARY, PartialDate(n % 12 + 1, n + 3, 2010))] if n % 2 else []
        draft = CustomerDraft(
            first_name=f"Pat{n}", last_name="Many", birthday=PartialDate(n % 12 + 1, n + 1), dates=dates
        )
        shop.services.customers.create(draft, "test")


@pytest.fixture
def twins(
    services: Services,
    clock: list[dt.datetime],
    db_backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[tuple[Twin, Twin]]:
    """The shop of the test's database and its twin in a database of the same kind."""
    folder = tmp_path / "twin-data"
    folder.mkdir(mode=0o700)
    environ: dict[str, str] = {}
    pg_name = None
    if db_backend == "postgresql":
        pg_server = request.getfixturevalue("pg_server")
        pg_name = pg_server.create_database(template=request.getfixturevalue("pg_template"))
        environ[DATABASE_URL_ENV] = pg_server.url(pg_name)
    else:
        shutil.copy(request.getfixturevalue("template_db"), folder / "careapp.db")
    other_clock = [clock[0]]
    other = build_services(resolve_paths(str(folder), environ), clock=lambda: other_clock[0])
    first = _twin(services, clock, tmp_path / "radicale-1")
    second = _twin(other, other_clock, tmp_path / "radicale-2")
    second.sync._changed_customers = lambda clean, signature: None  # type: ignore[method-assign]
    yield first, second
    first.radicale.stop()
    second.radicale.stop()
    other.close()
    if pg_name is not None:
        pg_server.drop_database(pg_name)


# --- the changes, each made alike to both twins (same choices: the shops are the same) ------------

Change = Callable[[Twin, random.Random], str]


def _customer(twin: Twin, rng: random.Random) -> int | None:
    ids = sorted(twin.shop.services.customers.search_ids(""))
    return rng.choice(ids) if ids else None


def birthday_edited(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    some_day = PartialDate(rng.randint(1, 12), rng.randint(1, 28))
    birthday = rng.choice([None, some_day, PartialDate(2, 29, 2000)])
    twin.shop.set_birthday(customer_id, birthday)
    return f"birthday of {customer_id}: {birthday}"


def renamed(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    name = rng.choice(["Zoe", "Yan", "Xia"])
    twin.shop.rename(customer_id, name)
    return f"renamed {customer_id} {name}"


def deleted(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    twin.shop.services.customers.delete(customer_id)
    return f"deleted {customer_id}"


def added(twin: Twin, rng: random.Random) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    dates = [ImportantDate(DateKind.CUSTOM, PartialDate(day % 12 + 1, month), "Shop visit")]
    draft = CustomerDraft(first_name="New", last_name="Comer", birthday=PartialDate(month, day), dates=dates)
    return f"added {twin.shop.services.customers.create(draft, 'test').id}"


def dates_changed(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    customer = twin.shop.services.customers.get(customer_id)
    draft = customer.draft()
    if draft.dates and rng.random() < 0.5:
        dates = draft.dates[1:]
    else:
        dates = [*draft.dates, ImportantDate(DateKind.ANNIVERSARY, PartialDate(rng.randint(1, 12), 9, 2001))]
    twin.shop.services.customers.update(customer_id, replace(draft, dates=dates), customer.version, "test")
    return f"dates of {customer_id}: {len(dates)}"


def bought(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    purchase = Purchase(TODAY, "Beans", amount=Decimal(rng.randint(3, 30)))
    twin.shop.services.customers.add_purchase(customer_id, purchase)
    return f"purchase by {customer_id}"


def callback_promised(twin: Twin, rng: random.Random) -> str:
    customer_id = _customer(twin, rng)
    if customer_id is None:
        return "no customer"
    at = dt.datetime.combine(twin.clock[0].date(), dt.time(10)) + dt.timedelta(days=rng.randint(0, 40))
    contact = ContactInput(summary="Asked for a call", outcome=Outcome.CALLBACK_PROMISED, callback_at=at)
    twin.shop.services.tickets.log_contact(Actor("Sam"), customer_id, contact)
    return f"callback for {customer_id} at {at}"


def callback_done(twin: Twin, rng: random.Random) -> str:
    open_ones = twin.shop.services.tickets.open_callbacks(dt.datetime(2100, 1, 1))
    if not open_ones:
        return "no callback"
    callback = rng.choice(sorted(open_ones, key=lambda c: c.contact_id))
    twin.shop.services.tickets.complete_callback(Actor("Sam"), callback.contact_id)
    return f"callback {callback.contact_id} done"


def touch_done(twin: Twin, rng: random.Random) -> str:
    entries = sorted(twin.shop.services.care_queue.queue().entries(), key=lambda e: e.touch_id)
    if not entries:
        return "no touch"
    entry = rng.choice(entries)
    try:
        twin.shop.services.care_queue.done(Actor("Sam"), entry.touch_id)
    except ValueError as refused:  # e.g. no channel the customer agreed to: the same on both twins
        return f"touch {entry.touch_id} refused: {refused}"
    return f"touch {entry.touch_id} done"


def settings_changed(twin: Twin, rng: random.Random) -> str:
    settings = twin.shop.calendar.calendar_settings()
    changed = rng.choice(
        [
            replace(settings, include_notes=not settings.include_notes),
            replace(settings, days=rng.choice([7, 30, 60])),
            replace(settings, include_phone=not settings.include_phone),
        ]
    )
    twin.shop.calendar.save_calendar_settings(changed)
    return f"settings {changed.days} days, notes {changed.include_notes}, phone {changed.include_phone}"


def day_moved(twin: Twin, rng: random.Random) -> str:
    twin.clock[0] += dt.timedelta(days=rng.randint(1, 3))
    twin.shop.services.touches.refresh(twin.clock[0].date())  # as the window does on a new day
    return f"day {twin.clock[0].date()}"


CHANGES: tuple[Change, ...] = (
    birthday_edited, renamed, deleted, added, dates_changed, bought, callback_promised, callback_done,
    touch_done, settings_changed, day_moved,
)  # fmt: skip
FRAME_CHANGES = (settings_changed, day_moved)


# --- what is compared -------------------------------------------------------------------------------


def _server_events(radicale: Radicale) -> list[str]:
    """The server's objects without their UIDs (random per shop), sorted."""
    return sorted(re.sub(r"(?m)^UID:.*$", "UID:-", text) for text in radicale.objects().values())


def _writes(radicale: Radicale) -> int:
    counts = radicale.requests()
    return sum(counts.get(method, 0) for method in WRITES)


def _stored_items(twin: Twin) -> list[tuple[Any, ...]]:
    table = CalendarItemRecord.__table__
    with twin.shop.services.db.session() as session:
        return [tuple(row) for row in session.execute(select(table).order_by(table.c.source))]


def _counting(twin: Twin, name: str, calls: list[str]) -> None:
    real = getattr(twin.shop.calendar, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    setattr(twin.shop.calendar, name, counted)


@pytest.mark.parametrize("seed", [18, 1018])
def test_random_changes_sync_to_exactly_what_a_full_rebuild_would(
    twins: tuple[Twin, Twin], seed: int
) -> None:
    mine, full = twins
    for twin in twins:
        first = twin.sync.sync()
        assert first.error is None, first.error
    assert _server_events(mine.radicale) == _server_events(full.radicale)
    calls: list[str] = []
    _counting(mine, "items", calls)
    _counting(mine, "changed_items", calls)
    rng = random.Random(seed)
    incremental_rounds = 0
    for round_number in range(ROUNDS):
        change = rng.choice(CHANGES)
        choice_seed = rng.random()
        said = [change(twin, random.Random(choice_seed)) for twin in twins]
        assert said[0] == said[1], "the twins drifted apart: the test itself is wrong"
        where = f"round {round_number}, {said[0]}"
        before = [_writes(twin.radicale) for twin in twins]
        calls.clear()
        results = [twin.sync.sync() for twin in twins]
        assert [r.error for r in results] == [None, None], where
        sent = [_writes(twin.radicale) - b for twin, b in zip(twins, before, strict=True)]
        assert sent[0] == sent[1], f"{where}: {results[0].summary()} / {results[1].summary()}"
        assert results[0].writes == results[1].writes and results[0].unchanged == results[1].unchanged, where
        assert _server_events(mine.radicale) == _server_events(full.radicale), where
        if calls == ["changed_items"]:
            incremental_rounds += 1
        elif change not in FRAME_CHANGES and calls:
            pytest.fail(f"{where}: rebuilt every item ({calls}) though only customers' data changed")
        # A full rebuild now changes nothing stored: the incremental sync left what it would leave.
        stored = _stored_items(mine)
        mine.shop.calendar.items()
        assert _stored_items(mine) == stored, where
    assert incremental_rounds >= ROUNDS // 2, f"only {incremental_rounds} rounds took the incremental path"
