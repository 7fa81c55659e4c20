"""Two seats on one database at the same moment: no save silently overwrites another.

Each seat has its own Database (its own engine and connections) on the same SQLite file or the
same PostgreSQL database; the seats are two threads, or two processes. A seat's clock sleeps a
little each time it is read, which holds its transaction open between its check and its write:
the other seat's save lands right in that window, so a check-then-write that is not locked shows
up as a lost update instead of a stale-copy error.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from careapp.config import Paths, resolve_paths
from careapp.context import Services, build_services
from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.domain.tickets import Priority
from careapp.services.care.touches import StaleRules
from careapp.services.customers.service import StaleCustomer
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, NewTicket, StaleTicket

NOW = dt.datetime(2026, 11, 23, 9, 30)
SLOW = 0.3  # seconds a seat's clock takes: the other seat's save falls inside this seat's transaction


def slow_clock(moment: dt.datetime) -> Callable[[], dt.datetime]:
    def read() -> dt.datetime:
        time.sleep(SLOW)
        return moment

    return read


@pytest.fixture
def seats(paths: Paths) -> Iterator[tuple[Services, Services]]:
    """Two seats, each with its own engine: Ann's seat and Bob's seat, one minute apart."""
    first = build_services(paths, clock=lambda: NOW)
    second = build_services(paths, clock=lambda: NOW + dt.timedelta(minutes=1))
    first.customers._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    second.customers._clock = slow_clock(NOW + dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    yield first, second
    first.close()
    second.close()


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own threads, released together; each one's result or exception."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def one_wins(results: list[Any], stale_type: type[Exception]) -> tuple[int, Exception]:
    """The index of the one save that went through, and the other one's stale-copy error."""
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, f"expected one save to win and one to be refused, got {results!r}"
    assert isinstance(errors[0], stale_type), f"expected {stale_type.__name__}, got {errors[0]!r}"
    return next(i for i, r in enumerate(results) if not isinstance(r, Exception)), errors[0]


def test_two_seats_saving_one_customer_one_wins_the_other_is_told_who_and_when(
    seats: tuple[Services, Services],
) -> None:
    ann_seat, bob_seat = seats
    created = ann_seat.customers.create(
        CustomerDraft(first_name="Cy", emails=[EmailAddress("cy@x.org")]), "Ann"
    )
    for round_ in range(3):
        copy_a, copy_b = ann_seat.customers.get(created.id), bob_seat.customers.get(created.id)
        typed_a = replace(copy_a.draft(), first_name=f"Cyril {round_}")
        typed_b = replace(copy_b.draft(), last_name=f"Brown {round_}")
        results = at_once(
            lambda a=typed_a, v=copy_a.version: ann_seat.customers.update(created.id, a, v, "Ann"),
            lambda b=typed_b, v=copy_b.version: bob_seat.customers.update(created.id, b, v, "Bob"),
        )
        winner, stale = one_wins(results, StaleCustomer)
        assert isinstance(stale, StaleCustomer)
        saved = results[winner]
        who, when = ("Ann", "2026-11-23 09:30") if winner == 0 else ("Bob", "2026-11-23 09:31")
        assert f"was changed by {who} at {when} while you were editing" in str(stale)
        # Both versions are there to show: theirs (as saved) and ours (what was typed, untouched).
        assert stale.current.version == saved.version == copy_a.version + 1
        assert (stale.current.first_name, stale.current.last_name) == (saved.first_name, saved.last_name)
        assert (typed_a, typed_b)[1 - winner] != stale.current.draft()
        stored = bob_seat.customers.get(created.id)
        assert (stored.first_name, stored.last_name, stored.version) == (
            saved.first_name,
            saved.last_name,
            saved.version,
        )


def test_two_seats_logging_calls_for_one_customer_at_once_both_succeed(
    seats: tuple[Services, Services],
) -> None:
    ann_seat, bob_seat = seats
    customer = ann_seat.customers.create(CustomerDraft(first_name="Di"), "Ann").id
    opened = ann_seat.tickets.log_contact(
        Actor("Ann"), customer, ContactInput(summary="Opened", new_ticket=NewTicket())
    )
    assert opened.ticket is not None
    ticket_id = opened.ticket.id
    for round_ in range(3):
        results = at_once(
            lambda r=round_: ann_seat.tickets.log_contact(
                Actor("Ann"), customer, ContactInput(summary=f"A{r}")
            ),
            lambda r=round_: bob_seat.tickets.log_contact(
                Actor("Bob"), customer, ContactInput(summary=f"B{r}")
            ),
            lambda r=round_: ann_seat.tickets.log_contact(
                Actor("Ann"), customer, ContactInput(summary=f"A-on-ticket{r}", ticket_id=ticket_id)
            ),
            lambda r=round_: bob_seat.tickets.log_contact(
                Actor("Bob"), customer, ContactInput(summary=f"B-on-ticket{r}", ticket_id=ticket_id)
            ),
            lambda r=round_: bob_seat.tickets.log_contact(
                Actor("Bob"), customer, ContactInput(summary=f"B-new{r}", new_ticket=NewTicket())
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
    on_ticket = [c.summary for c in ann_seat.tickets.ticket(ticket_id).contacts]
    assert sorted(on_ticket) == sorted(["Opened", *(f"{s}-on-ticket{r}" for s in "AB" for r in range(3))])
    assert len(bob_seat.tickets.tickets_for_customer(customer)) == 4
    timeline = [e for e in bob_seat.customers.timeline(customer) if e.kind == "contact"]
    assert len(timeline) == 1 + 5 * 3


def test_two_seats_changing_one_ticket_one_wins(seats: tuple[Services, Services]) -> None:
    ann_seat, bob_seat = seats
    customer = ann_seat.customers.create(CustomerDraft(first_name="Ed"), "Ann").id
    logged = ann_seat.tickets.log_contact(
        Actor("Ann"), customer, ContactInput(summary="x", new_ticket=NewTicket())
    )
    assert logged.ticket is not None
    ticket = logged.ticket
    results = at_once(
        lambda: ann_seat.tickets.set_priority(Actor("Ann"), ticket.id, ticket.version, Priority.HIGH),
        lambda: bob_seat.tickets.set_priority(Actor("Bob"), ticket.id, ticket.version, Priority.LOW),
    )
    winner, stale = one_wins(results, StaleTicket)
    assert isinstance(stale, StaleTicket)
    assert f"was changed by {('Ann', 'Bob')[winner]} at" in str(stale)
    assert stale.current.summary.priority == (Priority.HIGH, Priority.LOW)[winner]
    assert bob_seat.tickets.ticket(ticket.id).summary.priority == (Priority.HIGH, Priority.LOW)[winner]


def test_two_seats_saving_touch_rules_one_wins(seats: tuple[Services, Services]) -> None:
    ann_seat, bob_seat = seats
    rule_set = ann_seat.touches.rule_set()
    rules = rule_set.rules
    week_ahead = replace(rules, birthday=replace(rules.birthday, days_ahead=7))
    off = replace(rules, birthday=replace(rules.birthday, enabled=False))
    results = at_once(
        lambda: ann_seat.touches.save_rules(Actor("Ann"), week_ahead, rule_set.versions),
        lambda: bob_seat.touches.save_rules(Actor("Bob"), off, rule_set.versions),
    )
    winner, stale = one_wins(results, StaleRules)
    assert isinstance(stale, StaleRules)
    assert stale.current.rules.birthday == (week_ahead, off)[winner].birthday
    assert bob_seat.touches.rule_set().rules.birthday == (week_ahead, off)[winner].birthday


def test_two_seats_saving_the_shop_settings_one_wins(seats: tuple[Services, Services]) -> None:
    from careapp.services.shop.settings import StaleSettings

    ann_seat, bob_seat = seats
    ann_seat.settings._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    bob_seat.settings._clock = slow_clock(NOW + dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    for round_ in range(2):  # the first save of all (no row yet), then an update
        copy = ann_seat.settings.shop_versioned()
        by_ann, by_bob = (
            replace(copy.value, shop_name=f"Ann's {round_}"),
            replace(copy.value, default_region="DE"),
        )
        results = at_once(
            lambda a=by_ann, v=copy.version: ann_seat.settings.save_shop(a, v, "Ann"),
            lambda b=by_bob, v=copy.version: bob_seat.settings.save_shop(b, v, "Bob"),
        )
        winner, stale = one_wins(results, StaleSettings)
        assert isinstance(stale, StaleSettings)
        assert f"The shop settings were changed by {('Ann', 'Bob')[winner]} at" in str(stale)
        assert stale.current.value == (by_ann, by_bob)[winner]
        assert bob_seat.settings.shop_versioned().value == (by_ann, by_bob)[winner]
        assert bob_seat.settings.shop_versioned().version == copy.version + 1


def test_two_seats_saving_the_fcr_windows_one_wins(seats: tuple[Services, Services]) -> None:
    from careapp.domain.fcr import FcrSettings
    from careapp.services.shop.settings import StaleSettings

    ann_seat, bob_seat = seats
    ann_seat.fcr_settings._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    bob_seat.fcr_settings._clock = slow_clock(NOW + dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    for round_ in range(2):
        copy = ann_seat.fcr_settings.get_versioned()
        by_ann, by_bob = FcrSettings(3 + round_, 7), FcrSettings(7, 14 + round_)
        results = at_once(
            lambda a=by_ann, v=copy.version: ann_seat.fcr_settings.save(Actor("Ann"), a, "why", v),
            lambda b=by_bob, v=copy.version: bob_seat.fcr_settings.save(Actor("Bob"), b, "why", v),
        )
        winner, stale = one_wins(results, StaleSettings)
        assert isinstance(stale, StaleSettings)
        assert f"The FCR windows were changed by {('Ann', 'Bob')[winner]} at" in str(stale)
        assert stale.current.value == (by_ann, by_bob)[winner]
        assert bob_seat.fcr_settings.get_versioned().value == (by_ann, by_bob)[winner]
        assert len(bob_seat.fcr_settings.history()) == round_ + 1


def test_two_seats_saving_the_care_settings_one_wins(seats: tuple[Services, Services]) -> None:
    from careapp.services.shop.settings import StaleSettings

    ann_seat, bob_seat = seats
    ann_seat.touches._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    bob_seat.touches._clock = slow_clock(NOW + dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    for round_ in range(2):
        copy = ann_seat.touches.care_settings_versioned()
        by_ann = replace(copy.value, marketing_cap=round_)
        by_bob = replace(copy.value, daily_limit=20 + round_)
        results = at_once(
            lambda a=by_ann, v=copy.version: ann_seat.touches.save_care_settings(Actor("Ann"), a, "", v),
            lambda b=by_bob, v=copy.version: bob_seat.touches.save_care_settings(Actor("Bob"), b, "", v),
        )
        winner, stale = one_wins(results, StaleSettings)
        assert isinstance(stale, StaleSettings)
        assert f"The care settings were changed by {('Ann', 'Bob')[winner]} at" in str(stale)
        assert stale.current.value == (by_ann, by_bob)[winner]
        assert bob_seat.touches.care_settings_versioned().value == (by_ann, by_bob)[winner]


# --- two processes ---------------------------------------------------------------------------------


def _seat_process(
    data_dir: str, url: str, job: str, customer_id: int, version: int, who: str, barrier: Any, results: Any
) -> None:
    """One seat in its own process: wait for the other, then save the customer or log a call."""
    import os

    os.environ["CAREAPP_DATABASE_URL"] = url
    services = build_services(resolve_paths(data_dir), clock=lambda: NOW)
    services.customers._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    try:
        barrier.wait(timeout=60)
        if job == "edit":
            current = services.customers.get(customer_id)
            draft = replace(current.draft(), first_name=f"by {who}")
            saved = services.customers.update(customer_id, draft, version, who)
            results.put((who, "saved", saved.version, ""))
        else:
            logged = services.tickets.log_contact(
                Actor(who), customer_id, ContactInput(summary=f"call by {who}")
            )
            results.put((who, "logged", logged.contact.id, ""))
    except StaleCustomer as stale:
        results.put((who, "stale", stale.current.version, str(stale)))
    except Exception as error:
        results.put((who, "error", 0, repr(error)))
    finally:
        services.close()


def _run_two_processes(paths: Paths, job: str, customer_id: int, version: int) -> list[tuple[Any, ...]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(
            target=_seat_process,
            args=(str(paths.data_dir), paths.database_url, job, customer_id, version, who, barrier, results),
        )
        for who in ("Ann", "Bob")
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return sorted(collected)


def test_two_processes_saving_one_customer_one_wins(services: Services, paths: Paths) -> None:
    created = services.customers.create(CustomerDraft(first_name="Flo"), "Sam")
    outcomes = _run_two_processes(paths, "edit", created.id, created.version)
    assert sorted(kind for _, kind, _, _ in outcomes) == ["saved", "stale"], outcomes
    (winner,) = [who for who, kind, _, _ in outcomes if kind == "saved"]
    (message,) = [text for _, kind, _, text in outcomes if kind == "stale"]
    assert f"was changed by {winner} at 2026-11-23 09:30" in message
    stored = services.customers.get(created.id)
    assert (stored.first_name, stored.version) == (f"by {winner}", 2)


def test_two_processes_logging_calls_for_one_customer_both_succeed(services: Services, paths: Paths) -> None:
    customer = services.customers.create(CustomerDraft(first_name="Gus"), "Sam").id
    outcomes = _run_two_processes(paths, "call", customer, 1)
    assert [(who, kind) for who, kind, _, _ in outcomes] == [("Ann", "logged"), ("Bob", "logged")], outcomes
    summaries = sorted(e.detail for e in services.customers.timeline(customer) if e.kind == "contact")
    assert summaries == ["call by Ann", "call by Bob"]


def test_two_seats_saving_one_article_one_wins(seats: tuple[Services, Services]) -> None:
    from careapp.services.care.articles import ArticleDraft, StaleArticle

    ann_seat, bob_seat = seats
    ann_seat.articles._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    bob_seat.articles._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    article = ann_seat.articles.add(
        Actor("Ann"), ArticleDraft("Brewing guide", "https://example.org/brew", topics=("coffee",))
    )
    by_ann = ArticleDraft("Brewing guide, 2nd edition", "https://example.org/brew", topics=("coffee",))
    by_bob = ArticleDraft("Brewing guide", "https://example.org/brew-v2", topics=("coffee",))
    results = at_once(
        lambda: ann_seat.articles.update(Actor("Ann"), article.id, by_ann, article.version),
        lambda: bob_seat.articles.update(Actor("Bob"), article.id, by_bob, article.version),
    )
    winner, stale = one_wins(results, StaleArticle)
    assert isinstance(stale, StaleArticle)
    assert f"was changed by {('Ann', 'Bob')[winner]} while you were editing" in str(stale)
    stored = bob_seat.articles.get(article.id)
    assert (stored.title, stored.link) == ((by_ann, by_bob)[winner].title, (by_ann, by_bob)[winner].link)


def test_two_seats_building_the_calendar_at_once_both_succeed_with_each_item_once(
    seats: tuple[Services, Services],
) -> None:
    from careapp.context import calendar_service
    from careapp.domain.customer import PartialDate

    ann_seat, bob_seat = seats
    for index in range(20):
        draft = CustomerDraft(first_name=f"P{index}", birthday=PartialDate(12, 1 + index))
        ann_seat.customers.create(draft, "Ann")
    calendars = calendar_service(ann_seat), calendar_service(bob_seat)
    results = at_once(calendars[0].items, calendars[1].items)
    assert not [r for r in results if isinstance(r, Exception)], results
    uids = [item.uid for item in calendars[1].items()]
    assert len(uids) == len(set(uids)) >= 20
    assert sorted(i.uid for i in results[0]) == sorted(i.uid for i in results[1]) == sorted(uids)


def test_undoing_an_import_while_another_seat_edits_a_customer_loses_neither_silently(
    seats: tuple[Services, Services], tmp_path: Path
) -> None:
    from careapp.services.customers.importer import UndoWouldLoseEdits

    ann_seat, bob_seat = seats
    ann_seat.imports._clock = slow_clock(NOW)  # type: ignore[attr-defined]
    hal = ann_seat.customers.create(
        CustomerDraft(first_name="Hal", emails=[EmailAddress("hal@x.org")]), "Ann"
    )
    shopify = tmp_path / "customers_export.csv"
    header = (
        "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
        "Default Address Address1,Default Address Address2,Default Address City,"
        "Default Address Province Code,Default Address Country Code,"
        "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
        "Tax Exempt,Tags"
    )
    rows = (
        "Hal,Hughes,hal@x.org,no,,,,,,,,,,no,0.00,0,,no,tea",
        "Ida,Ito,ida@x.org,no,,,,,,,,,,no,0.00,0,,no,",
    )
    shopify.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    ann_seat.imports.apply(shopify, "Ann")
    copy = bob_seat.customers.get(hal.id)
    assert copy.tags == ["tea"]
    typed = replace(copy.draft(), notes="Call after 5")
    results = at_once(
        ann_seat.imports.undo_last,
        lambda: bob_seat.customers.update(hal.id, typed, copy.version, "Bob"),
    )
    undo, edit = results
    stored = bob_seat.customers.get(hal.id)
    if isinstance(edit, Exception):  # the undo went first: the edit is refused, not lost
        assert isinstance(edit, StaleCustomer) and not isinstance(undo, Exception)
        assert (stored.tags, stored.notes) == ([], "")
    else:  # the edit went first: the undo refuses to throw it away
        assert isinstance(undo, UndoWouldLoseEdits)
        assert (stored.tags, stored.notes) == (["tea"], "Call after 5")
