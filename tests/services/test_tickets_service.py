"""Logging contacts and working tickets through TicketService, on a real migrated SQLite file."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from careapp.config import Paths
from careapp.context import Services, build_services
from careapp.domain.customer import Channel, ConsentEvent
from careapp.domain.fcr import FcrSettings
from careapp.domain.tickets import (
    ContactChannel,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    TicketState,
    TicketTransitionError,
)
from careapp.services.shop.staff import Actor, InvalidStaff, PermissionDenied, Role
from careapp.services.tickets.feedback import PublishingRefused
from careapp.services.tickets.service import ContactInput, InvalidContact, NewTicket, StaleTicket

NOW = dt.datetime(2026, 11, 23, 9, 30)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def owner(services: Services) -> Actor:
    return services.staff.add(None, "Olivia", Role.OWNER).actor()


@pytest.fixture
def sam(services: Services, owner: Actor) -> Actor:
    return services.staff.add(owner, "Sam").actor()


@pytest.fixture
def ann(services: Services, owner: Actor) -> int:
    return services.tickets.create_walk_in(owner, "Ann", "Evans", phone="07700 900123").id


def new_ticket(
    services: Services, actor: Actor, customer: int, category: str = "Grinder", **form: Any
) -> int:
    logged = services.tickets.log_contact(
        actor, customer, ContactInput(new_ticket=NewTicket(category), **form)
    )
    assert logged.ticket is not None
    return logged.ticket.id


# --- the quick log -----------------------------------------------------------------------------------


def test_find_by_any_part_of_the_phone_and_create_a_walk_in(services: Services, owner: Actor) -> None:
    assert services.tickets.find_customers("1 1234") == []
    row = services.tickets.create_walk_in(
        owner, " Ann ", "Evans", phone="07911 123456", email="ann@example.com"
    )
    assert (row.name, row.phone, row.email) == ("Ann Evans", "07911 123456", "ann@example.com")
    assert [r.id for r in services.tickets.find_customers("1 1234")] == [row.id]
    assert [r.id for r in services.tickets.find_customers("ann@EXAMPLE")] == [row.id]
    assert services.tickets.find_customers("   ") == []
    assert services.customers.get(row.id).phones[0].e164 == "+447911123456"  # the shop's region, GB


def test_form_defaults_are_an_incoming_call_now(services: Services) -> None:
    defaults = services.tickets.contact_defaults()
    assert (defaults.channel, defaults.direction, defaults.started_at) == (
        ContactChannel.PHONE,
        Direction.IN,
        NOW,
    )


@pytest.mark.parametrize(
    ("outcome", "extra", "state"),
    [
        (Outcome.RESOLVED_NOW, {}, TicketState.RESOLVED),
        (Outcome.CALLBACK_PROMISED, {"callback_at": NOW + dt.timedelta(hours=3)}, TicketState.OPEN),
        (Outcome.WAITING_CUSTOMER, {}, TicketState.WAITING_CUSTOMER),
        (Outcome.WAITING_SUPPLIER, {}, TicketState.WAITING_SUPPLIER),
        (Outcome.NEEDS_REPAIR_OR_VISIT, {"outcome_reason": "Seal worn; booked in"}, TicketState.OPEN),
        (None, {}, TicketState.NEW),
    ],
)
def test_each_outcome_sets_the_new_ticket_state(
    services: Services,
    sam: Actor,
    ann: int,
    outcome: Outcome | None,
    extra: dict[str, Any],
    state: TicketState,
) -> None:
    form = ContactInput(
        started_at=NOW - 5 * MINUTE,
        duration_seconds=240,
        summary="Grinder rattles",
        outcome=outcome,
        new_ticket=NewTicket("Grinder", "Rattling grinder", Priority.HIGH),
        customer_confirmed=outcome is Outcome.RESOLVED_NOW,
        **extra,
    )
    logged = services.tickets.log_contact(sam, ann, form)
    assert logged.ticket is not None and logged.outcome_applied
    ticket = services.tickets.ticket(logged.ticket.id)
    assert ticket == logged.ticket
    summary = ticket.summary
    assert (summary.state, summary.category, summary.title, summary.priority) == (
        state,
        "Grinder",
        "Rattling grinder",
        Priority.HIGH,
    )
    assert (summary.opened_at, summary.opened_by, summary.customer_name) == (
        NOW - 5 * MINUTE,
        "Sam",
        "Ann Evans",
    )
    [contact] = ticket.contacts
    assert contact.id == logged.contact.id
    assert (contact.staff, contact.at, contact.duration_seconds, contact.summary) == (
        "Sam",
        NOW - 5 * MINUTE,
        240,
        "Grinder rattles",
    )
    assert contact.outcome is outcome
    assert contact.callback_at == extra.get("callback_at")
    assert contact.outcome_reason == extra.get("outcome_reason", "")
    assert contact.customer_confirmed is (outcome is Outcome.RESOLVED_NOW)
    moves = [(c.old, c.new, c.by) for c in ticket.state_changes]
    assert moves == ([] if state is TicketState.NEW else [(TicketState.NEW, state, "Sam")])
    # Waiting on the supplier and a needed repair take the ticket out of the net-FCR base (issue 17).
    marks = {Outcome.WAITING_SUPPLIER: "supplier", Outcome.NEEDS_REPAIR_OR_VISIT: "repair"}
    assert [(a.field, a.old, a.new, a.by) for a in ticket.audit] == [("ticket", "", "opened", "Sam")] + [
        ("state", "new", state.value, "Sam") for _ in moves
    ] + [("not_resolvable_reason", "", marks[outcome], "Sam") for _ in range(outcome in marks)]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            ContactInput(outcome=Outcome.CALLBACK_PROMISED),
            "A promised callback needs the time it was promised for.",
        ),
        (ContactInput(outcome=Outcome.NEEDS_REPAIR_OR_VISIT), "Say why a repair or visit is needed."),
        (
            ContactInput(outcome=Outcome.CALLBACK_PROMISED, callback_at=NOW - MINUTE),
            "A callback cannot be promised for a time before the contact.",
        ),
        (ContactInput(started_at=NOW + dt.timedelta(hours=1)), "A contact cannot start in the future"),
        (ContactInput(duration_seconds=-1), "A contact cannot last less than no time at all."),
        (
            ContactInput(ticket_id=1, new_ticket=NewTicket()),
            "on an existing ticket or on a new one, not both",
        ),
        (ContactInput(new_ticket=NewTicket("  ")), "Choose a category for the new ticket."),
    ],
)
def test_contact_form_problems_are_sentences(
    services: Services, sam: Actor, ann: int, form: ContactInput, message: str
) -> None:
    with pytest.raises(InvalidContact) as refused:
        services.tickets.log_contact(sam, ann, form)
    assert message in str(refused.value)
    assert services.tickets.tickets_for_customer(ann) == []


def test_a_contact_can_stand_alone_and_shows_on_the_timeline(
    services: Services, sam: Actor, ann: int
) -> None:
    logged = services.tickets.log_contact(
        sam,
        ann,
        ContactInput(channel=ContactChannel.EMAIL, direction=Direction.OUT, summary="Sent the manual"),
    )
    assert logged.ticket is None and logged.contact.ticket_id is None
    [entry] = [e for e in services.customers.timeline(ann) if e.kind == "contact"]
    assert (entry.kind, entry.title, entry.detail) == (
        "contact",
        "Outgoing email with Sam",
        "Sent the manual",
    )


def test_a_ticket_of_another_customer_is_refused(
    services: Services, sam: Actor, ann: int, owner: Actor
) -> None:
    ben = services.tickets.create_walk_in(owner, "Ben", "Smith").id
    ticket = new_ticket(services, sam, ann)
    with pytest.raises(InvalidContact, match=f"Ticket {ticket} belongs to another customer"):
        services.tickets.log_contact(sam, ben, ContactInput(ticket_id=ticket))


# --- the ticket's life -------------------------------------------------------------------------------


def test_lifecycle_with_reopen_and_audit_trail(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    tickets = services.tickets
    ticket_id = new_ticket(services, sam, ann, outcome=Outcome.WAITING_SUPPLIER)
    version = tickets.ticket(ticket_id).version
    clock[0] = NOW + dt.timedelta(hours=1)
    with pytest.raises(InvalidStaff, match=r"^Jo is not an active member of the staff list\.$"):
        tickets.assign(owner, ticket_id, version, "Jo")
    ticket = tickets.assign(owner, ticket_id, version, "sam")
    clock[0] = NOW + dt.timedelta(hours=2)
    ticket = tickets.set_priority(sam, ticket_id, ticket.version, Priority.URGENT)
    ticket = tickets.set_category(sam, ticket_id, ticket.version, "Espresso machine", "it is the machine")
    ticket = tickets.start_work(sam, ticket_id, ticket.version, "parts arrived")
    ticket = tickets.resolve(sam, ticket_id, ticket.version, "fitted the part")
    ticket = tickets.close(owner, ticket_id, ticket.version)
    clock[0] = NOW + dt.timedelta(days=2)
    ticket = tickets.reopen(sam, ticket_id, ticket.version, "still leaking", TicketState.WAITING_CUSTOMER)
    assert ticket.state is TicketState.WAITING_CUSTOMER
    assert (ticket.summary.assignee, ticket.summary.priority, ticket.summary.category) == (
        "Sam",
        Priority.URGENT,
        "Espresso machine",
    )
    assert (ticket.summary.updated_by, ticket.summary.updated_at) == ("Sam", NOW + dt.timedelta(days=2))
    assert [(c.old.value, c.new.value, c.by, c.reason) for c in ticket.state_changes] == [
        ("new", "waiting_supplier", "Sam", "contact outcome: waiting_supplier"),
        ("waiting_supplier", "open", "Sam", "parts arrived"),
        ("open", "resolved", "Sam", "fitted the part"),
        ("resolved", "closed", "Olivia", ""),
        ("closed", "waiting_customer", "Sam", "still leaking"),
    ]
    two_hours = NOW + dt.timedelta(hours=2)
    assert [(a.at, a.by, a.field, a.old, a.new) for a in ticket.audit] == [
        (NOW, "Sam", "ticket", "", "opened"),
        (NOW, "Sam", "state", "new", "waiting_supplier"),
        (NOW, "Sam", "not_resolvable_reason", "", "supplier"),  # from the call log's outcome
        (NOW + dt.timedelta(hours=1), "Olivia", "assignee", "", "Sam"),
        (two_hours, "Sam", "priority", "normal", "urgent"),
        (two_hours, "Sam", "category", "Grinder", "Espresso machine"),
        (two_hours, "Sam", "state", "waiting_supplier", "open"),
        (two_hours, "Sam", "state", "open", "resolved"),
        (two_hours, "Olivia", "state", "resolved", "closed"),
        (NOW + dt.timedelta(days=2), "Sam", "state", "closed", "waiting_customer"),
    ]
    assert [t.id for t in tickets.open_tickets(assignee="Sam")] == [ticket_id]


def test_a_stale_edit_is_refused_and_changes_nothing(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = new_ticket(services, sam, ann, outcome=Outcome.CALLBACK_PROMISED, callback_at=NOW + MINUTE)
    seen_by_both = services.tickets.ticket(ticket_id).version
    clock[0] = NOW + dt.timedelta(minutes=10)
    services.tickets.resolve(sam, ticket_id, seen_by_both, "sorted on the phone")
    with pytest.raises(StaleTicket) as stale:
        services.tickets.wait_on_supplier(owner, ticket_id, seen_by_both, "order the part")
    assert str(stale.value) == (
        f"Ticket {ticket_id} was changed by Sam at 2026-11-23 09:40 while you were looking at it; "
        "look at it again and repeat your change if it is still needed."
    )
    assert stale.value.current.state is TicketState.RESOLVED
    assert services.tickets.ticket(ticket_id).state is TicketState.RESOLVED


def test_appending_contacts_never_conflicts(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = new_ticket(services, sam, ann)
    version = services.tickets.ticket(ticket_id).version
    clock[0] = NOW + MINUTE
    first = services.tickets.log_contact(sam, ann, ContactInput(ticket_id=ticket_id, summary="one"))
    second = services.tickets.log_contact(owner, ann, ContactInput(ticket_id=ticket_id, summary="two"))
    third = services.tickets.log_contact(owner, ann, ContactInput(summary="no ticket"))
    assert len({first.contact.id, second.contact.id, third.contact.id}) == 3
    ticket = services.tickets.ticket(ticket_id)
    assert [c.summary for c in ticket.contacts] == ["", "one", "two"]
    assert ticket.version == version  # appending without a state change leaves edits in progress valid
    services.tickets.start_work(owner, ticket_id, version)


def test_two_seats_appending_at_once_both_succeed(
    paths: Paths, services: Services, sam: Actor, owner: Actor, ann: int
) -> None:
    ticket_id = new_ticket(services, sam, ann)
    seats = [build_services(paths, clock=lambda: NOW + MINUTE) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(seat: Services, actor: Actor, outcome: Outcome) -> None:
        try:
            start.wait()
            for n in range(5):
                form = ContactInput(ticket_id=ticket_id, summary=f"{actor.name} {n}", outcome=outcome)
                seat.tickets.log_contact(actor, ann, form)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=append, args=(seats[0], sam, Outcome.WAITING_CUSTOMER)),
        threading.Thread(target=append, args=(seats[1], owner, Outcome.WAITING_SUPPLIER)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for seat in seats:
        seat.close()
    assert errors == []
    ticket = services.tickets.ticket(ticket_id)
    assert len(ticket.contacts) == 11
    assert sorted(c.summary for c in ticket.contacts)[1:] == [f"Olivia {n}" for n in range(5)] + [
        f"Sam {n}" for n in range(5)
    ]
    # Every state change follows from the one before: the history is a valid state machine run.
    assert all(a.new == b.old for a, b in zip(ticket.state_changes, ticket.state_changes[1:], strict=False))


def test_an_outcome_from_before_the_last_change_is_kept_without_moving_the_state(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = new_ticket(services, sam, ann)
    clock[0] = NOW + dt.timedelta(minutes=20)
    services.tickets.resolve(owner, ticket_id, services.tickets.ticket(ticket_id).version, "done")
    late = ContactInput(ticket_id=ticket_id, started_at=NOW + 10 * MINUTE, outcome=Outcome.WAITING_SUPPLIER)
    logged = services.tickets.log_contact(sam, ann, late)
    assert not logged.outcome_applied
    assert logged.notes == (
        f"Ticket {ticket_id} changed at 2026-11-23 09:50, after this contact started, so its outcome was "
        "recorded without changing the ticket's state; change the state on the ticket if it is still needed.",
    )
    assert logged.ticket is not None and logged.ticket.state is TicketState.RESOLVED
    assert [c.outcome for c in logged.ticket.contacts] == [None, Outcome.WAITING_SUPPLIER]


def test_an_incoming_call_on_a_resolved_ticket_reopens_it(
    services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = new_ticket(services, sam, ann, outcome=Outcome.RESOLVED_NOW)
    clock[0] = NOW + dt.timedelta(days=1)
    logged = services.tickets.log_contact(
        sam,
        ann,
        ContactInput(ticket_id=ticket_id, outcome=Outcome.CALLBACK_PROMISED, callback_at=clock[0] + MINUTE),
    )
    assert logged.ticket is not None
    assert [(c.old, c.new) for c in logged.ticket.state_changes][-1] == (
        TicketState.RESOLVED,
        TicketState.OPEN,
    )


# --- merge and repeats -------------------------------------------------------------------------------


def test_merge_moves_contacts_and_later_contacts_follow(
    services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    target = new_ticket(services, sam, ann, outcome=Outcome.WAITING_SUPPLIER)
    clock[0] = NOW + dt.timedelta(hours=1)
    duplicate = new_ticket(services, sam, ann, channel=ContactChannel.EMAIL, summary="same leak, by email")
    clock[0] = NOW + dt.timedelta(hours=2)
    versions = {i: services.tickets.ticket(i).version for i in (target, duplicate)}
    with pytest.raises(TicketTransitionError, match="Give a reason for a merge"):
        services.tickets.merge(sam, duplicate, versions[duplicate], target, versions[target], " ")
    merged = services.tickets.merge(
        sam, duplicate, versions[duplicate], target, versions[target], "same leak"
    )
    assert merged.duplicate.summary.merged_into_id == target
    assert merged.duplicate.summary.exclusion is Exclusion.MERGED
    assert merged.duplicate.state is TicketState.CLOSED and merged.duplicate.contacts == ()
    assert [c.summary for c in merged.target.contacts] == ["", "same leak, by email"]
    assert [(a.ticket_id, a.field, a.new) for a in merged.duplicate.audit[-3:]] == [
        (duplicate, "state", "closed"),
        (duplicate, "merged_into", str(target)),
        (duplicate, "exclusion", "merged"),
    ]
    assert (merged.target.audit[-1].field, merged.target.audit[-1].old, merged.target.audit[-1].new) == (
        "contacts",
        "1",
        "2",
    )
    # A seat that still shows the duplicate logs a contact on it: it lands on the target.
    logged = services.tickets.log_contact(sam, ann, ContactInput(ticket_id=duplicate, summary="called again"))
    assert logged.ticket is not None and logged.ticket.id == target
    assert logged.notes == (
        f"Ticket {duplicate} was merged into ticket {target}; the contact was logged on ticket {target}.",
    )
    with pytest.raises(StaleTicket):
        services.tickets.resolve(sam, duplicate, versions[duplicate])
    with pytest.raises(
        TicketTransitionError, match=f"was merged into ticket {target}; work on ticket {target}"
    ):
        services.tickets.resolve(sam, duplicate, merged.duplicate.version)


def test_repeat_is_suggested_marked_and_cleared(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    first = new_ticket(services, sam, ann, "Grinder", outcome=Outcome.RESOLVED_NOW)
    other = new_ticket(services, sam, ann, "Billing", outcome=Outcome.RESOLVED_NOW)
    clock[0] = NOW + dt.timedelta(days=7)  # exactly 7 days later: still within the window
    logged = services.tickets.log_contact(sam, ann, ContactInput(new_ticket=NewTicket(" GRINDER")))
    assert logged.ticket is not None
    again = logged.ticket.id
    assert [t.id for t in logged.repeat_suggestions] == [first]
    assert [t.id for t in services.tickets.suggest_repeat(again)] == [first]
    clock[0] = NOW + dt.timedelta(days=7, seconds=1)
    late = new_ticket(services, sam, ann, "grinder")
    assert services.tickets.suggest_repeat(late) == []  # one second past the window
    services.fcr_settings.save(owner, FcrSettings(7, 8), "a longer repeat window")
    assert [t.id for t in services.tickets.suggest_repeat(late)] == [first]

    version = services.tickets.ticket(again).version
    ticket = services.tickets.mark_repeat(sam, again, version, first, "same grinder")
    assert ticket.summary.repeat_of_id == first
    assert (ticket.audit[-1].field, ticket.audit[-1].old, ticket.audit[-1].new, ticket.audit[-1].reason) == (
        "repeat_of",
        "",
        str(first),
        "same grinder",
    )
    ticket = services.tickets.clear_repeat(owner, again, ticket.version, "different grinder after all")
    assert ticket.summary.repeat_of_id is None
    assert [t.id for t in services.tickets.tickets_for_customer(ann)] == [late, again, other, first]


def test_not_resolvable_mark_and_exclusion_rights(
    services: Services, sam: Actor, owner: Actor, ann: int
) -> None:
    ticket_id = new_ticket(services, sam, ann, outcome=Outcome.NEEDS_REPAIR_OR_VISIT, outcome_reason="seal")
    ticket = services.tickets.ticket(ticket_id)
    # The call log's outcome marked it already (issue 17); the mark stays editable, with who and why.
    assert ticket.summary.not_resolvable_reason is NotResolvableReason.REPAIR
    assert (ticket.audit[-1].by, ticket.audit[-1].field, ticket.audit[-1].reason) == (
        "Sam",
        "not_resolvable_reason",
        "call log: needs_repair_or_visit: seal",
    )
    ticket = services.tickets.mark_not_resolvable(
        owner, ticket_id, ticket.version, NotResolvableReason.VISIT, "a home visit, not the workshop"
    )
    assert ticket.summary.not_resolvable_reason is NotResolvableReason.VISIT
    assert (ticket.audit[-1].by, ticket.audit[-1].old, ticket.audit[-1].new) == ("Olivia", "repair", "visit")
    with pytest.raises(PermissionDenied) as refused:
        services.tickets.set_exclusion(sam, ticket_id, ticket.version, Exclusion.SPAM, "looks like spam")
    assert str(refused.value) == (
        "Only the owner can exclude tickets from the first-contact resolution figures; Sam is signed in as "
        "staff. Ask the owner, or switch to the owner, to do this."
    )
    assert services.tickets.ticket(ticket_id).summary.exclusion is None
    ticket = services.tickets.set_exclusion(owner, ticket_id, ticket.version, Exclusion.NO_ACTION, "no fault")
    assert ticket.summary.exclusion is Exclusion.NO_ACTION
    assert (ticket.audit[-1].by, ticket.audit[-1].field, ticket.audit[-1].new) == (
        "Olivia",
        "exclusion",
        "no_action",
    )


# --- callbacks ---------------------------------------------------------------------------------------


def test_callbacks_are_due_until_someone_reaches_the_customer(
    services: Services, sam: Actor, owner: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    due = NOW + dt.timedelta(hours=4)
    ticket_id = new_ticket(
        services, sam, ann, outcome=Outcome.CALLBACK_PROMISED, callback_at=due, summary="price for a service"
    )
    standalone = services.tickets.log_contact(
        owner, ann, ContactInput(outcome=Outcome.CALLBACK_PROMISED, callback_at=due + dt.timedelta(hours=1))
    )
    assert services.tickets.open_callbacks(due - MINUTE) == []
    [item] = services.tickets.open_callbacks(due)
    assert (item.customer_name, item.customer_phone, item.ticket_id, item.due_at, item.promised_by) == (
        "Ann Evans",
        "07700 900123",
        ticket_id,
        due,
        "Sam",
    )
    assert (item.promised_at, item.summary) == (NOW, "price for a service")
    assert len(services.tickets.open_callbacks(due + dt.timedelta(days=1))) == 2

    clock[0] = NOW + dt.timedelta(hours=1)
    email_in = ContactInput(ticket_id=ticket_id, channel=ContactChannel.EMAIL, summary="any news?")
    assert services.tickets.log_contact(sam, ann, email_in).fulfilled_callbacks == ()  # did not reach them
    call_back = ContactInput(ticket_id=ticket_id, direction=Direction.OUT, outcome=Outcome.RESOLVED_NOW)
    logged = services.tickets.log_contact(sam, ann, call_back)
    assert logged.fulfilled_callbacks == (services.tickets.ticket(ticket_id).contacts[0].id,)
    [left] = services.tickets.open_callbacks(due + dt.timedelta(days=1))
    assert left.ticket_id is None and left.contact_id == standalone.contact.id

    done = services.tickets.complete_callback(owner, standalone.contact.id)
    assert (done.callback_done_at, done.callback_done_by) == (NOW + dt.timedelta(hours=1), "Olivia")
    assert services.tickets.open_callbacks(due + dt.timedelta(days=1)) == []


# --- feedback ----------------------------------------------------------------------------------------


def test_testimonials_need_positive_words_permission_and_a_current_consent(
    services: Services, sam: Actor, ann: int, clock: list[dt.datetime]
) -> None:
    ticket_id = new_ticket(services, sam, ann, outcome=Outcome.RESOLVED_NOW)
    praise = services.feedback.record(sam, ann, True, "Fixed my grinder in five minutes!", ticket_id)
    moan = services.feedback.record(sam, ann, False, "Took ages.")
    with pytest.raises(PublishingRefused, match="Only positive feedback"):
        services.feedback.mark_publishable(sam, moan.id, "said yes on the phone")
    with pytest.raises(PublishingRefused, match="Ask the customer whether their words may be published"):
        services.feedback.mark_publishable(sam, praise.id, " ")
    with pytest.raises(PublishingRefused) as refused:
        services.feedback.mark_publishable(sam, praise.id, "said yes on the phone")
    assert str(refused.value) == (
        "This customer has not given (or has withdrawn) consent on every channel, so their feedback "
        "cannot be published; record their consent first if they give it."
    )
    services.customers.record_consent(ann, ConsentEvent(Channel.EMAIL, True, NOW, "form", "Sam"))
    published = services.feedback.mark_publishable(sam, praise.id, "said yes on the phone")
    assert (published.publishable, published.publish_consent_by, published.publish_consent_method) == (
        True,
        "Sam",
        "said yes on the phone",
    )
    assert [f.id for f in services.feedback.testimonials()] == [praise.id]
    clock[0] = NOW + dt.timedelta(days=1)
    services.customers.record_consent(ann, ConsentEvent(Channel.EMAIL, False, clock[0], "email", "Sam"))
    assert services.feedback.testimonials() == []  # every consent withdrawn: no longer quoted
    assert [f.id for f in services.feedback.for_customer(ann)] == [moan.id, praise.id]


def test_feedback_on_someone_elses_ticket_is_refused(
    services: Services, sam: Actor, owner: Actor, ann: int
) -> None:
    ben = services.tickets.create_walk_in(owner, "Ben", "Smith").id
    ticket_id = new_ticket(services, sam, ann)
    with pytest.raises(ValueError, match=f"Ticket {ticket_id} is not one of this customer's tickets."):
        services.feedback.record(sam, ben, True, "great", ticket_id)


# --- FCR windows -------------------------------------------------------------------------------------


def test_fcr_windows_are_owner_only_checked_and_audited(
    services: Services, sam: Actor, owner: Actor, clock: list[dt.datetime]
) -> None:
    assert services.fcr_settings.get() == FcrSettings(7, 7)
    with pytest.raises(
        PermissionDenied, match="Only the owner can change the first-contact resolution windows"
    ):
        services.fcr_settings.save(sam, FcrSettings(7, 14), "longer")
    with pytest.raises(ValueError, match="Give a reason"):
        services.fcr_settings.save(owner, FcrSettings(7, 14), "")
    clock[0] = NOW + MINUTE
    services.fcr_settings.save(owner, FcrSettings(3, 14), "customers come back slowly")
    assert services.fcr_settings.get() == FcrSettings(3, 14)
    [change] = services.fcr_settings.history()
    assert (change.at, change.by, change.old, change.new, change.reason) == (
        NOW + MINUTE,
        "Olivia",
        FcrSettings(7, 7),
        FcrSettings(3, 14),
        "customers come back slowly",
    )
