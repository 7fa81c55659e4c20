"""The tickets inbox across customers: which lines each filter keeps, the two orders, the counts,
callbacks outside tickets, and tickets merged away or done (on a real migrated database)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from careapp.domain.inbox import CALLBACK_STATE, InboxFilter, InboxOrder, callback_key
from careapp.domain.tickets import Outcome
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import ContactInput, NewTicket

if TYPE_CHECKING:
    from careapp.context import Services

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def sam(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Sam").actor()


def _new(
    services: Services,
    actor: Actor,
    customer: int,
    title: str,
    at: dt.datetime,
    assignee: str = "",
    outcome: Outcome | None = None,
    callback_at: dt.datetime | None = None,
) -> int:
    new_ticket = NewTicket("Grinder", title, assignee=assignee)
    form = ContactInput(new_ticket=new_ticket, started_at=at, outcome=outcome, callback_at=callback_at)
    logged = services.tickets.log_contact(actor, customer, form)
    assert logged.ticket is not None
    return logged.ticket.id


@pytest.fixture
def shop(services: Services, owner: Actor, sam: Actor) -> dict[str, int]:
    now = services.clock()
    ann = services.tickets.create_walk_in(owner, "Ann", "Evans").id
    bob = services.tickets.create_walk_in(owner, "Bob", "Jones").id
    ids = {
        "mine": _new(services, sam, ann, "Rattles", now - 50 * HOUR, assignee="Sam"),
        "unassigned": _new(services, owner, bob, "Leaks", now - 40 * HOUR),
        "waiting_customer": _new(
            services,
            owner,
            ann,
            "Needs photo",
            now - 30 * HOUR,
            outcome=Outcome.WAITING_CUSTOMER,
            assignee="Olivia",
        ),
        "waiting_supplier": _new(
            services,
            owner,
            bob,
            "Part ordered",
            now - 20 * HOUR,
            outcome=Outcome.WAITING_SUPPLIER,
            assignee="Olivia",
        ),
        "overdue": _new(
            services,
            owner,
            ann,
            "Call back",
            now - 10 * HOUR,
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=now - 2 * HOUR,
            assignee="Olivia",
        ),
        "resolved": _new(services, owner, bob, "Fixed at once", now - 5 * HOUR, outcome=Outcome.RESOLVED_NOW),
    }
    loose = services.tickets.log_contact(
        owner,
        bob,
        ContactInput(
            started_at=now - 3 * HOUR,
            summary="Ring about the voucher",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=now + 20 * HOUR,
        ),
    )
    ids["loose_callback"] = loose.contact.id
    return ids


def test_all_open_lists_every_open_ticket_and_loose_callback_newest_activity_first(
    services: Services, shop: dict[str, int]
) -> None:
    found = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam")
    assert found.keys == [
        callback_key(shop["loose_callback"]),
        shop["overdue"],
        shop["waiting_supplier"],
        shop["waiting_customer"],
        shop["unassigned"],
        shop["mine"],
    ]
    assert shop["resolved"] not in found.keys
    assert (found.open_tickets, found.open_callbacks) == (5, 2)


def test_oldest_waiting_first_is_the_reverse_order(services: Services, shop: dict[str, int]) -> None:
    newest = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam").keys
    oldest = services.inbox.keys(InboxFilter.ALL, InboxOrder.OLDEST_WAITING, "Sam").keys
    assert oldest == list(reversed(newest))
    assert oldest[0] == shop["mine"]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (InboxFilter.MINE, ["mine"]),
        (InboxFilter.UNASSIGNED, ["unassigned"]),
        (InboxFilter.WAITING_CUSTOMER, ["waiting_customer"]),
        (InboxFilter.WAITING_SUPPLIER, ["waiting_supplier"]),
        (InboxFilter.CALLBACK_OVERDUE, ["overdue"]),
    ],
)
def test_each_filter_keeps_exactly_its_lines(
    services: Services, shop: dict[str, int], chosen: InboxFilter, expected: list[str]
) -> None:
    found = services.inbox.keys(chosen, InboxOrder.NEWEST_ACTIVITY, "Sam")
    assert found.keys == [shop[name] for name in expected]


def test_mine_follows_who_is_working(services: Services, shop: dict[str, int]) -> None:
    olivia = services.inbox.keys(InboxFilter.MINE, InboxOrder.OLDEST_WAITING, "Olivia").keys
    # Olivia's assigned tickets, and the callback she promised outside any ticket.
    assert olivia == [
        shop["waiting_customer"],
        shop["waiting_supplier"],
        shop["overdue"],
        callback_key(shop["loose_callback"]),
    ]


def test_rows_carry_what_the_columns_show_in_the_order_asked(
    services: Services, shop: dict[str, int]
) -> None:
    now = services.clock()
    keys = [shop["overdue"], callback_key(shop["loose_callback"]), shop["mine"]]
    rows = services.inbox.rows(keys)
    assert [row.key for row in rows] == keys
    overdue, loose, mine = rows
    assert (overdue.customer_name, overdue.title, overdue.category) == ("Ann Evans", "Call back", "Grinder")
    assert overdue.next_promise == now - 2 * HOUR and overdue.assignee == "Olivia"
    assert loose.ticket_id is None and loose.state == CALLBACK_STATE
    assert (loose.customer_name, loose.title, loose.next_promise) == (
        "Bob Jones",
        "Ring about the voucher",
        now + 20 * HOUR,
    )
    assert mine.state == "new" and mine.next_promise is None and mine.opened_at == now - 50 * HOUR


def test_a_done_callback_and_a_resolved_ticket_leave_the_inbox(
    services: Services, shop: dict[str, int], owner: Actor
) -> None:
    services.tickets.complete_callback(owner, shop["loose_callback"])
    ticket = services.tickets.ticket(shop["unassigned"])
    services.tickets.resolve(owner, ticket.id, ticket.version, "sorted")
    found = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam")
    assert callback_key(shop["loose_callback"]) not in found.keys
    assert shop["unassigned"] not in found.keys
    assert (found.open_tickets, found.open_callbacks) == (4, 1)
    assert (
        services.inbox.rows([shop["unassigned"], callback_key(shop["loose_callback"])])[0].key
        == shop["unassigned"]
    )


def test_a_resolved_ticket_with_a_callback_still_owed_stays(
    services: Services, shop: dict[str, int], owner: Actor
) -> None:
    ticket = services.tickets.ticket(shop["overdue"])
    services.tickets.resolve(owner, ticket.id, ticket.version, "sorted, but we promised to ring")
    found = services.inbox.keys(InboxFilter.CALLBACK_OVERDUE, InboxOrder.NEWEST_ACTIVITY, "Sam")
    assert found.keys == [shop["overdue"]]
    assert found.open_tickets == 4  # no longer open, but still owed a call


def test_a_ticket_merged_away_leaves_the_inbox(
    services: Services, shop: dict[str, int], owner: Actor
) -> None:
    duplicate, target = services.tickets.ticket(shop["overdue"]), services.tickets.ticket(shop["mine"])
    services.tickets.merge(
        owner, duplicate.id, duplicate.version, target.id, target.version, "the same grinder"
    )
    keys = services.inbox.keys(InboxFilter.ALL, InboxOrder.NEWEST_ACTIVITY, "Sam").keys
    assert shop["overdue"] not in keys and shop["mine"] in keys
