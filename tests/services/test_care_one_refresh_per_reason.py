"""One refresh per reason (issue 14, must-have 5): a refresh works on the customers changed since the
last one, and only on them; it loads each one's facts once (generating and planning share them); its
own writes (the touches it makes, the stage changes it notes) send nobody round again, so the refresh
after it works on no one; and its saved signature does not move by itself, so a new day is not a pass
over everyone, twice.

A spy wraps the seams a refresh goes through (careapp/services/care/touches.py, planning.py and
plan_store.py): which customers it chose to work on (:func:`_changed_since_last_refresh`: a set, or
None for everyone), whose facts it loaded to generate touches and to plan them, and whom it planned.
Runs on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import CareDirtyRecord, CustomerRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, Purchase
from careapp.services.care import plan_store, planning
from careapp.services.care import touches as touches_module
from careapp.services.care.facts import LoadedFacts
from careapp.services.care.plan_store import REFRESH, read_state
from careapp.services.care.touches import RefreshResult
from careapp.services.demo.customers import DemoSpec, fill_demo
from tests.services.test_care_bulk_marking import IMPORT_ROWS, SHOPIFY_HEADER

EVERYONE = None  # what _changed_since_last_refresh answers when a refresh must work on everyone


@dataclass
class Worked:
    """What one refresh worked on."""

    chosen: set[int] | None = field(default_factory=set)  # the customers to work on; None: everyone
    generated_for: Counter[int] = field(default_factory=Counter)  # all their facts, to generate
    planned_with_all: Counter[int] = field(default_factory=Counter)  # all their facts, to plan
    planned_with_some: Counter[int] = field(default_factory=Counter)  # what planning reads, to plan
    planned: set[int] = field(default_factory=set)

    def facts_loaded(self) -> Counter[int]:
        """How many times each customer's facts were loaded, whichever load it was."""
        return self.generated_for + self.planned_with_all + self.planned_with_some

    def all_facts_loaded(self) -> Counter[int]:
        return self.generated_for + self.planned_with_all

    def nothing(self) -> bool:
        return self.chosen == set() and not self.facts_loaded() and not self.planned


class RefreshSpy:
    """Wraps the seams a refresh goes through to note what it worked on; :meth:`refresh` runs one."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.services = services
        self.worked = Worked()
        self._count_loads(monkeypatch, touches_module, "load_facts", lambda: self.worked.generated_for)
        self._count_loads(monkeypatch, planning, "load_facts", lambda: self.worked.planned_with_all)
        self._count_loads(monkeypatch, planning, "load_planning_facts", lambda: self.worked.planned_with_some)
        real_choice = touches_module._changed_since_last_refresh
        real_plan = plan_store.plan_customers

        def choice(*args: Any, **kwargs: Any) -> tuple[set[int] | None, int]:
            chosen, top = real_choice(*args, **kwargs)
            self.worked.chosen = None if chosen is None else set(chosen)
            return chosen, top

        def plan(
            session: Any, today: dt.date, settings: Any, ids: Collection[int] | None, loaded: Any = None
        ) -> Any:
            self.worked.planned |= set(ids if ids is not None else plan_store.open_customer_ids(session))
            return real_plan(session, today, settings, ids, loaded)

        monkeypatch.setattr(touches_module, "_changed_since_last_refresh", choice)
        monkeypatch.setattr(plan_store, "plan_customers", plan)

    @staticmethod
    def _count_loads(
        monkeypatch: pytest.MonkeyPatch, module: Any, name: str, counter: Callable[[], Counter[int]]
    ) -> None:
        real = getattr(module, name)

        def counting(*args: Any, **kwargs: Any) -> LoadedFacts:
            loaded: LoadedFacts = real(*args, **kwargs)
            counter().update(loaded.facts.keys())
            return loaded

        monkeypatch.setattr(module, name, counting)

    def refresh(self) -> tuple[Worked, RefreshResult]:
        self.worked = Worked()
        result = self.services.touches.refresh()
        return self.worked, result


def noted_since_last_refresh(services: Services) -> set[int]:
    """The customers noted (by the triggers or a bulk writer) since the last refresh's watermark, for
    a change of their facts (a new touch alone is noted for the planner only)."""
    with services.db.session() as session:
        _, seq = read_state(session, REFRESH)
        d = CareDirtyRecord
        return set(session.scalars(select(d.customer_id).where(d.seq > seq, d.touch_only.is_(False))))


def saved_signature(services: Services) -> dict[str, Any]:
    """What the last refresh saved as its signature, without the end of its horizon (which a new day
    moves on by design: it is how the refresh knows whose wake day the new day reaches)."""
    with services.db.session() as session:
        signature, _ = read_state(session, REFRESH)
    assert signature is not None, "no refresh saved its signature"
    signature.pop("end")
    return signature


def check_once_each(worked: Worked, customers: set[int]) -> None:
    """The refresh worked on exactly ``customers`` and loaded each one's facts once: for generating,
    and planning reused them."""
    assert worked.chosen == customers
    assert set(worked.generated_for) == customers
    assert worked.facts_loaded() == Counter(dict.fromkeys(customers, 1))
    assert worked.planned and worked.planned <= customers


def test_after_demo_data_one_refresh_works_on_the_new_customers_and_the_next_on_none(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = RefreshSpy(services, monkeypatch)
    fill_demo(services.db, DemoSpec(customers=50, seed=3), services.clock())
    first, result = spy.refresh()  # nothing saved yet: everyone, in one pass
    assert first.chosen is EVERYONE and result.generated > 0
    assert set(first.generated_for) == set(range(1, 51))
    # All of a customer's facts are loaded once; planning reads only what it needs, with the last
    # contact the pass kept, for those with an open touch.
    assert max(first.all_facts_loaded().values()) == 1 and not first.planned_with_all
    assert max(first.planned_with_some.values()) == 1
    again, result = spy.refresh()
    assert again.nothing() and result.generated == 0

    fill_demo(services.db, DemoSpec(customers=150, seed=8), services.clock())  # customers 51-200
    noted = noted_since_last_refresh(services)
    assert set(range(51, 201)) <= noted <= set(range(1, 201))
    first, result = spy.refresh()
    check_once_each(first, noted)
    assert result.generated > 0
    # The touches and stage changes that refresh wrote send nobody round again.
    again, result = spy.refresh()
    assert again.nothing(), f"the second refresh worked on {again}"
    assert result.generated == 0


CUSTOMERS_FILE = "\n".join((SHOPIFY_HEADER, *IMPORT_ROWS)) + "\n"


def test_after_an_import_one_refresh_works_on_the_imported_customers_and_the_next_on_none(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fill_demo(services.db, DemoSpec(customers=30, seed=2), services.clock())
    rita = services.customers.create(CustomerDraft(first_name="Rita", last_name="Moss"), "Sam").id
    for given, last, referrer in (("Bob", "Hughes", rita), ("Cara", "Lee", None)):
        email = EmailAddress(f"{given.lower()}@example.com")
        draft = CustomerDraft(first_name=given, last_name=last, emails=[email], referred_by_id=referrer)
        services.customers.create(draft, "Sam")
    spy = RefreshSpy(services, monkeypatch)
    spy.refresh()
    assert spy.refresh()[0].nothing()
    path = tmp_path / "customers_export.csv"
    path.write_text(CUSTOMERS_FILE, encoding="utf-8")
    services.imports.apply(path, "Sam")

    noted = noted_since_last_refresh(services)
    with services.db.session() as session:
        names = set(session.scalars(select(CustomerRecord.display_name).where(CustomerRecord.id.in_(noted))))
    # Two new, two updated, and Bob's referrer (his referral thank-you depends on her).
    assert names == {"Ann Evans", "Dev Patel", "Bob Hughes", "Cara Lee", "Rita Moss"}
    first, _ = spy.refresh()
    assert first.chosen == noted
    assert first.facts_loaded() == Counter(dict.fromkeys(noted, 1))
    again, result = spy.refresh()
    assert again.nothing(), f"the second refresh worked on {again}"
    assert result.generated == 0


def test_the_saved_signature_stays_put_over_refreshes_of_one_day_and_the_next(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signature with the start of the horizon in it moved after the first refresh of a day (the
    last run moved on), so the day's second refresh went through everyone again."""
    fill_demo(services.db, DemoSpec(customers=80, seed=5), services.clock())
    spy = RefreshSpy(services, monkeypatch)
    spy.refresh()
    signature = saved_signature(services)
    assert spy.refresh()[0].nothing()
    assert saved_signature(services) == signature
    for _day in range(2):
        clock[0] += dt.timedelta(days=1)
        woken, _ = spy.refresh()
        assert woken.chosen is not EVERYONE, "a new day with nothing changed was a pass over everyone"
        assert saved_signature(services) == signature
        again, _ = spy.refresh()
        assert again.nothing(), f"the second refresh of {clock[0].date()} worked on {again}"
        assert saved_signature(services) == signature


def test_a_new_day_with_changes_loads_each_customers_facts_once(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Those the new day wakes, those it moves in the plan and those changed: each one's facts are
    read once, by whichever of generating and planning needs them first."""
    fill_demo(services.db, DemoSpec(customers=120, seed=6), services.clock())
    spy = RefreshSpy(services, monkeypatch)
    spy.refresh()
    clock[0] += dt.timedelta(days=3)
    day = clock[0].date()
    services.customers.record_consent(7, ConsentEvent(Channel.EMAIL, False, clock[0]))
    services.customers.add_purchase(9, Purchase(day, "Kettle", "Kettles", Decimal("40")))
    worked, _ = spy.refresh()
    assert worked.chosen is not EVERYONE and {7, 9} <= worked.chosen
    assert set(worked.generated_for) == worked.chosen
    loaded = worked.facts_loaded()
    assert loaded and max(loaded.values()) == 1, [c for c, n in loaded.items() if n > 1]
    assert worked.planned - worked.chosen, "the new day moved nobody in the plan: a weaker check"
    assert spy.refresh()[0].nothing()
