"""A contact on a ticket whose FCR windows have passed is a new matter (issue 17): asked about, it is
logged on a new ticket marked a repeat of the old one instead of counting for nothing.

Times are naive UTC. Ann's ticket is solved on the call on 23 November 09:30; with R = N = 7 days its
windows pass on 30 November 09:30.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from careapp.context import Services
from careapp.domain.fcr import FcrSettings
from careapp.domain.tickets import Outcome, TicketState
from careapp.services.shop.staff import Actor, Role
from careapp.services.tickets.service import AfterWindows, ContactInput, NewMatter, NewTicket

RESOLVED = dt.datetime(2026, 11, 23, 9, 30)
DECIDED = RESOLVED + dt.timedelta(days=7)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def ann(services: Services, owner: Actor) -> int:
    return services.tickets.create_walk_in(owner, "Ann", "Evans", phone="07700 900123").id


@pytest.fixture
def solved(services: Services, owner: Actor, ann: int, clock: list[dt.datetime]) -> int:
    clock[0] = RESOLVED
    logged = services.tickets.log_contact(
        owner,
        ann,
        ContactInput(new_ticket=NewTicket("Grinder", "Grinder jams"), outcome=Outcome.RESOLVED_NOW),
    )
    assert logged.ticket is not None and logged.ticket.state is TicketState.RESOLVED
    return logged.ticket.id


def ask(ticket_id: int, **form: object) -> ContactInput:
    return ContactInput(ticket_id=ticket_id, after_windows=AfterWindows.ASK, **form)  # type: ignore[arg-type]


def test_within_the_windows_the_contact_goes_on_the_ticket(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    # 30 November 09:29, a minute before the windows pass: still the same matter, no question.
    clock[0] = DECIDED - MINUTE
    logged = services.tickets.log_contact(owner, ann, ask(solved, summary="works now, thanks"))
    assert logged.ticket is not None and logged.ticket.id == solved


def test_after_the_windows_the_call_log_is_asked_and_nothing_is_written(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    # 6 December, 13 days after the resolution: the windows passed on 30 November 09:30.
    clock[0] = RESOLVED + dt.timedelta(days=13)
    with pytest.raises(NewMatter) as raised:
        services.tickets.log_contact(
            owner, ann, ask(solved, outcome=Outcome.CALLBACK_PROMISED, callback_at=clock[0] + MINUTE)
        )
    assert (raised.value.ticket.id, raised.value.decided_at) == (solved, DECIDED)
    assert "a new matter" in str(raised.value)
    ticket = services.tickets.ticket(solved)
    assert (len(ticket.contacts), ticket.state) == (1, TicketState.RESOLVED)
    assert [t.id for t in services.tickets.tickets_for_customer(ann)] == [solved]


def test_accepted_it_goes_on_a_new_ticket_marked_a_repeat(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    clock[0] = RESOLVED + dt.timedelta(days=13)
    form = ask(solved, outcome=Outcome.CALLBACK_PROMISED, callback_at=clock[0] + dt.timedelta(hours=2))
    logged = services.tickets.log_contact(owner, ann, replace(form, after_windows=AfterWindows.REPEAT))
    assert logged.ticket is not None and logged.ticket.id != solved
    new = logged.ticket
    assert (new.summary.repeat_of_id, new.summary.category, new.summary.title) == (
        solved,
        "Grinder",
        f"Back about ticket {solved}",
    )
    assert new.state is TicketState.OPEN  # the callback promised opens it, as on any new ticket
    assert [c.id for c in new.contacts] == [logged.contact.id]
    [mark] = [a for a in new.audit if a.field == "repeat_of"]
    assert (mark.by, mark.new) == ("Olivia", str(solved))
    assert logged.notes == (f"Logged on new ticket {new.id}, a repeat of ticket {solved}.",)
    old = services.tickets.ticket(solved)
    assert (len(old.contacts), old.state) == (1, TicketState.RESOLVED)


def test_log_keeps_the_old_behaviour(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    # The default (and "log it on the ticket all the same"): on the old ticket, which reopens.
    clock[0] = RESOLVED + dt.timedelta(days=13)
    logged = services.tickets.log_contact(
        owner, ann, ContactInput(ticket_id=solved, outcome=Outcome.CALLBACK_PROMISED, callback_at=clock[0])
    )
    assert logged.ticket is not None and (logged.ticket.id, logged.ticket.state) == (solved, TicketState.OPEN)


def test_a_ticket_being_worked_on_is_never_a_new_matter(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    # Reopened within R (25 November, a callback promised) and still open on 6 December: a call then is
    # part of the work on it.
    clock[0] = RESOLVED + dt.timedelta(days=2)
    services.tickets.log_contact(
        owner, ann, ContactInput(ticket_id=solved, outcome=Outcome.CALLBACK_PROMISED, callback_at=clock[0])
    )
    clock[0] = RESOLVED + dt.timedelta(days=13)
    logged = services.tickets.log_contact(owner, ann, ask(solved))
    assert logged.ticket is not None and logged.ticket.id == solved


def test_the_windows_in_force_decide_when_a_matter_is_new(
    services: Services, owner: Actor, ann: int, solved: int, clock: list[dt.datetime]
) -> None:
    # On 25 November (before the windows passed) the owner makes them 30 days: the ticket now runs to
    # 23 December 09:30, so a call on 6 December is still about it.
    clock[0] = RESOLVED + dt.timedelta(days=2)
    services.fcr_settings.save(owner, FcrSettings(30, 30), "customers take their time")
    clock[0] = RESOLVED + dt.timedelta(days=13)
    logged = services.tickets.log_contact(owner, ann, ask(solved, summary="still fine"))
    assert logged.ticket is not None and logged.ticket.id == solved
    clock[0] = RESOLVED + dt.timedelta(days=31)
    with pytest.raises(NewMatter) as raised:
        services.tickets.log_contact(owner, ann, ask(solved))
    assert raised.value.decided_at == RESOLVED + dt.timedelta(days=30)
