"""The ticket state machine, contacts and their outcomes, merges, repeats and the audit trail.

Pure domain: no Qt, no database, no clock. Times are 2026, naive local time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from careapp.domain.tickets import (
    AuditEntry,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    NotResolvableReason,
    Outcome,
    Priority,
    StateChange,
    TicketDataError,
    TicketHistory,
    TicketState,
    TicketTransitionError,
    assign,
    clear_not_resolvable,
    clear_repeat,
    close,
    log_contact,
    mark_not_resolvable,
    mark_repeat,
    merge,
    reopen,
    resolve,
    set_category,
    set_exclusion,
    set_priority,
    start_work,
    suggest_repeat_of,
    transition,
    wait_on_customer,
    wait_on_supplier,
)

S = TicketState


def at(day: int, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    """``at(1)`` is 1 March 2026 09:00; day 32 is 1 April."""
    return dt.datetime(2026, 3, 1, hour, minute, second) + dt.timedelta(days=day - 1)


def call_in(
    when: dt.datetime,
    staff: str = "ana",
    outcome: Outcome | None = None,
    callback_at: dt.datetime | None = None,
    outcome_reason: str = "",
) -> ContactEvent:
    return ContactEvent(when, ContactChannel.PHONE, Direction.IN, staff, outcome, callback_at, outcome_reason)


def new_ticket(
    ticket_id: int = 1, customer: int = 7, category: str = "printer", opened: int = 2
) -> TicketHistory:
    return TicketHistory(ticket_id, customer, category, at(opened), "ana")


def resolved_ticket(
    ticket_id: int, resolved: dt.datetime, customer: int = 7, category: str = "printer", opened: int = 2
) -> TicketHistory:
    return resolve(new_ticket(ticket_id, customer, category, opened), "ana", resolved).ticket


# --- the state machine -----------------------------------------------------------------------------


def test_a_ticket_goes_through_its_life_and_every_move_is_audited() -> None:
    ticket = new_ticket()
    assert ticket.state is S.NEW
    audit: list[AuditEntry] = []
    for step in (
        lambda t: start_work(t, "ana", at(2, 9, 5)),
        lambda t: wait_on_supplier(t, "ana", at(2, 9, 10), "toner ordered"),
        lambda t: wait_on_customer(t, "bo", at(4), "asked to collect"),
        lambda t: resolve(t, "bo", at(5)),
        lambda t: close(t, "bo", at(6)),
        lambda t: reopen(t, "owner", at(8), "toner was the wrong colour"),
        lambda t: resolve(t, "bo", at(9)),
    ):
        change = step(ticket)
        ticket = change.ticket
        audit.extend(change.audit)
    assert [(c.old, c.new) for c in ticket.changes] == [
        (S.NEW, S.OPEN),
        (S.OPEN, S.WAITING_SUPPLIER),
        (S.WAITING_SUPPLIER, S.WAITING_CUSTOMER),
        (S.WAITING_CUSTOMER, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.CLOSED, S.OPEN),
        (S.OPEN, S.RESOLVED),
    ]
    assert ticket.state is S.RESOLVED
    assert ticket.first_resolved_at() == at(5)  # the first resolution, not the last one
    assert [c.is_reopen for c in ticket.changes] == [False] * 5 + [True, False]
    assert audit[5] == AuditEntry(1, at(8), "owner", "state", "closed", "open", "toner was the wrong colour")
    assert len(audit) == 7


def test_state_at_replays_the_changes_up_to_that_moment() -> None:
    ticket = resolve(start_work(new_ticket(), "ana", at(3)).ticket, "ana", at(5)).ticket
    assert ticket.state_at(at(2)) is S.NEW
    assert ticket.state_at(at(3)) is S.OPEN  # a change at exactly that moment has happened
    assert ticket.state_at(at(5, 8, 59)) is S.OPEN
    assert ticket.state_at(at(5)) is S.RESOLVED
    assert ticket.first_resolved_at(as_of=at(4)) is None
    assert ticket.first_resolved_at(as_of=at(5)) == at(5)


def test_reopening_a_ticket_that_is_not_done_is_refused() -> None:
    opened = start_work(new_ticket(), "ana", at(3)).ticket
    with pytest.raises(TicketTransitionError, match="Ticket 1 is open; only a resolved or closed ticket"):
        reopen(opened, "ana", at(4), "customer called")
    with pytest.raises(TicketTransitionError, match="Ticket 1 is new; only a resolved or closed"):
        reopen(new_ticket(), "ana", at(4), "customer called")


def test_reopening_goes_to_an_active_state_only() -> None:
    done = resolved_ticket(1, at(3))
    assert reopen(done, "ana", at(4), "part failed", to=S.WAITING_SUPPLIER).ticket.state is S.WAITING_SUPPLIER
    with pytest.raises(TicketTransitionError, match="open or a waiting state, not closed"):
        reopen(done, "ana", at(4), "part failed", to=S.CLOSED)


def test_resolving_twice_or_going_back_to_new_is_refused_with_the_allowed_moves() -> None:
    done = resolved_ticket(1, at(3))
    with pytest.raises(TicketTransitionError, match="already resolved; reopen it first"):
        resolve(done, "ana", at(4))
    opened = start_work(new_ticket(), "ana", at(3)).ticket
    with pytest.raises(
        TicketTransitionError,
        match="is open and cannot go to new; from open it can go to: closed, resolved, waiting_customer",
    ):
        transition(opened, S.NEW, "ana", at(4))
    with pytest.raises(TicketTransitionError, match="is open and cannot go to open"):
        start_work(opened, "ana", at(4))
    with pytest.raises(TicketTransitionError, match="is closed and cannot go to resolved"):
        transition(close(opened, "ana", at(4)).ticket, S.RESOLVED, "ana", at(5))


def test_changes_are_recorded_in_time_order_and_need_a_who() -> None:
    opened = start_work(new_ticket(), "ana", at(5)).ticket
    with pytest.raises(TicketTransitionError, match="would come before its last change"):
        resolve(opened, "ana", at(4))
    with pytest.raises(TicketTransitionError, match="Say who"):
        resolve(opened, "  ", at(6))


def test_a_closed_unresolved_ticket_has_no_first_resolution() -> None:
    ticket = close(new_ticket(), "ana", at(3), "customer never replied").ticket
    assert ticket.state is S.CLOSED
    assert ticket.first_resolved_at() is None


# --- data that contradicts itself --------------------------------------------------------------------


def test_a_history_whose_changes_do_not_chain_is_refused() -> None:
    with pytest.raises(TicketDataError, match=r"open -> resolved at .* does not follow from new"):
        TicketHistory(1, 7, "printer", at(2), "ana", changes=(StateChange(at(3), "ana", S.OPEN, S.RESOLVED),))
    with pytest.raises(TicketDataError, match="does not follow from resolved"):
        TicketHistory(
            1,
            7,
            "printer",
            at(2),
            "ana",
            changes=(
                StateChange(at(3), "ana", S.NEW, S.RESOLVED),
                StateChange(at(4), "ana", S.RESOLVED, S.RESOLVED),
            ),
        )


def test_contacts_and_changes_must_be_in_time_order_and_not_before_opening() -> None:
    with pytest.raises(TicketDataError, match="contacts must be in time order"):
        TicketHistory(1, 7, "printer", at(2), "ana", contacts=(call_in(at(3)), call_in(at(2, 10))))
    with pytest.raises(TicketDataError, match="state changes must be in time order"):
        TicketHistory(1, 7, "printer", at(2), "ana", changes=(StateChange(at(1), "ana", S.NEW, S.OPEN),))


def test_merged_into_and_the_merged_exclusion_go_together() -> None:
    with pytest.raises(TicketDataError, match="go together"):
        TicketHistory(1, 7, "printer", at(2), "ana", merged_into=2)
    with pytest.raises(TicketDataError, match="go together"):
        TicketHistory(1, 7, "printer", at(2), "ana", exclusion=Exclusion.MERGED)
    with pytest.raises(TicketDataError, match="itself"):
        TicketHistory(1, 7, "printer", at(2), "ana", repeat_of=1)


def test_contact_outcomes_need_their_details() -> None:
    with pytest.raises(TicketDataError, match="needs the time"):
        call_in(at(2), outcome=Outcome.CALLBACK_PROMISED)
    with pytest.raises(TicketDataError, match="before the contact"):
        call_in(at(2), outcome=Outcome.CALLBACK_PROMISED, callback_at=at(1))
    with pytest.raises(TicketDataError, match="only with the outcome"):
        call_in(at(2), outcome=Outcome.RESOLVED_NOW, callback_at=at(3))
    with pytest.raises(TicketDataError, match="say why a repair or visit"):
        call_in(at(2), outcome=Outcome.NEEDS_REPAIR_OR_VISIT, outcome_reason=" ")
    assert call_in(at(2), outcome=Outcome.CALLBACK_PROMISED, callback_at=at(3)).callback_at == at(3)


# --- logging contacts --------------------------------------------------------------------------------


def test_a_contact_resolved_now_resolves_the_ticket_at_the_contact_time() -> None:
    change = log_contact(new_ticket(), call_in(at(2), "bo", Outcome.RESOLVED_NOW))
    assert change.ticket.state is S.RESOLVED
    assert change.ticket.first_resolved_at() == at(2)
    assert change.audit == (
        AuditEntry(1, at(2), "bo", "state", "new", "resolved", "contact outcome: resolved_now"),
    )


@pytest.mark.parametrize(
    ("contact", "state"),
    [
        (call_in(at(2), outcome=Outcome.CALLBACK_PROMISED, callback_at=at(3)), S.OPEN),
        (call_in(at(2), outcome=Outcome.NEEDS_REPAIR_OR_VISIT, outcome_reason="hinge broken"), S.OPEN),
        (call_in(at(2), outcome=Outcome.WAITING_CUSTOMER), S.WAITING_CUSTOMER),
        (call_in(at(2), outcome=Outcome.WAITING_SUPPLIER), S.WAITING_SUPPLIER),
    ],
)
def test_each_outcome_moves_a_new_ticket_to_its_state(contact: ContactEvent, state: TicketState) -> None:
    assert log_contact(new_ticket(), contact).ticket.state is state


def test_a_contact_without_outcome_only_adds_the_contact_in_time_order() -> None:
    ticket = log_contact(new_ticket(), call_in(at(4))).ticket
    change = log_contact(ticket, call_in(at(3), "bo"))  # logged later, happened earlier
    assert [c.at for c in change.ticket.contacts] == [at(3), at(4)]
    assert change.ticket.state is S.NEW
    assert change.audit == ()


def test_a_contact_that_needs_more_work_on_a_resolved_ticket_reopens_it() -> None:
    done = resolved_ticket(1, at(3))
    change = log_contact(done, call_in(at(5), "bo", Outcome.WAITING_SUPPLIER))
    assert change.ticket.state is S.WAITING_SUPPLIER
    assert change.ticket.changes[-1].is_reopen
    # A "thank you, all fine" call on a resolved ticket keeps it resolved (but it is still a contact).
    thanks = log_contact(done, call_in(at(5), outcome=Outcome.RESOLVED_NOW))
    assert thanks.ticket.state is S.RESOLVED
    assert len(thanks.ticket.changes) == 1
    assert len(thanks.ticket.contacts) == 1


def test_a_contact_logged_after_the_fact_cannot_move_the_state_back_in_time() -> None:
    done = resolved_ticket(1, at(5))
    late = call_in(at(4), outcome=Outcome.WAITING_CUSTOMER)
    with pytest.raises(TicketTransitionError, match="would come before its last change"):
        log_contact(done, late)
    kept = log_contact(done, late, apply_outcome=False).ticket
    assert kept.state is S.RESOLVED
    assert kept.contacts == (late,)


def test_a_contact_before_the_ticket_was_opened_is_refused() -> None:
    with pytest.raises(TicketTransitionError, match="is earlier"):
        log_contact(new_ticket(opened=3), call_in(at(2)))


# --- merging -----------------------------------------------------------------------------------------


def test_merging_moves_the_contacts_and_excludes_the_duplicate() -> None:
    # Customer 7 rang on day 2 (ticket 1) and emailed about the same printer on day 1 (ticket 2,
    # opened earlier). Merging 2 into 1: ticket 1 gets both contacts and now opens on day 1.
    first = log_contact(new_ticket(1, opened=2), call_in(at(2))).ticket
    email = ContactEvent(at(1), ContactChannel.EMAIL, Direction.IN, "bo")
    dup = log_contact(new_ticket(2, opened=1), email).ticket
    result = merge(dup, first, "owner", at(3), "same printer")
    assert result.target.contacts == (email, call_in(at(2)))
    assert result.target.opened_at == at(1)
    assert result.duplicate.contacts == ()
    assert result.duplicate.merged_into == 1
    assert result.duplicate.exclusion is Exclusion.MERGED
    assert result.duplicate.state is S.CLOSED
    assert [(a.ticket_id, a.field, a.old, a.new) for a in result.audit] == [
        (2, "state", "new", "closed"),
        (2, "merged_into", "", "1"),
        (2, "exclusion", "", "merged"),
        (1, "contacts", "1", "2"),
        (1, "opened_at", "2026-03-02T09:00:00", "2026-03-01T09:00:00"),
    ]


def test_a_merged_ticket_accepts_no_more_changes() -> None:
    merged = merge(new_ticket(2), new_ticket(1), "owner", at(3), "same issue").duplicate
    for attempt in (
        lambda: resolve(merged, "ana", at(4)),
        lambda: reopen(merged, "ana", at(4), "again"),
        lambda: log_contact(merged, call_in(at(4))),
        lambda: set_exclusion(merged, None, "owner", at(4), "oops"),
        lambda: merge(merged, new_ticket(3), "owner", at(4), "again"),
        lambda: merge(new_ticket(3), merged, "owner", at(4), "into the merged one"),
    ):
        with pytest.raises(TicketTransitionError, match="was merged into ticket 1; work on ticket 1 instead"):
            attempt()


def test_merges_need_two_tickets_of_one_customer_and_a_reason() -> None:
    with pytest.raises(TicketTransitionError, match="different customers"):
        merge(new_ticket(2, customer=8), new_ticket(1), "owner", at(3), "same issue")
    with pytest.raises(TicketTransitionError, match="into itself"):
        merge(new_ticket(1), new_ticket(1), "owner", at(3), "same issue")
    with pytest.raises(TicketTransitionError, match="Give a reason for a merge"):
        merge(new_ticket(2), new_ticket(1), "owner", at(3), "")


# --- corrections and the audit trail -----------------------------------------------------------------


def test_corrections_that_change_fcr_are_audited_with_their_reason() -> None:
    ticket = resolved_ticket(5, at(10))
    earlier = resolved_ticket(4, at(3))
    steps = [
        mark_repeat(ticket, earlier, "owner", at(20), "same paper jam"),
        mark_not_resolvable(ticket, NotResolvableReason.PARTS, "owner", at(20), "roller had to be ordered"),
        set_exclusion(ticket, Exclusion.SPAM, "owner", at(20), "robocall"),
        set_category(ticket, "  scanner ", "owner", at(20), "misfiled"),
    ]
    assert [step.audit for step in steps] == [
        (AuditEntry(5, at(20), "owner", "repeat_of", "", "4", "same paper jam"),),
        (AuditEntry(5, at(20), "owner", "not_resolvable_reason", "", "parts", "roller had to be ordered"),),
        (AuditEntry(5, at(20), "owner", "exclusion", "", "spam", "robocall"),),
        (AuditEntry(5, at(20), "owner", "category", "printer", "scanner", "misfiled"),),
    ]
    assert steps[0].ticket.repeat_of == 4
    assert steps[1].ticket.not_resolvable_reason is NotResolvableReason.PARTS
    assert steps[2].ticket.exclusion is Exclusion.SPAM
    assert steps[2].ticket.state is S.RESOLVED  # excluding does not change the state
    assert steps[3].ticket.category == "scanner"
    cleared = clear_repeat(steps[0].ticket, "owner", at(21), "different fault after all")
    assert cleared.ticket.repeat_of is None
    assert cleared.audit[0].old == "4"
    unmarked = clear_not_resolvable(steps[1].ticket, "owner", at(21), "part was in stock")
    assert unmarked.ticket.not_resolvable_reason is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_corrections_without_a_reason_are_refused(reason: str) -> None:
    ticket = resolved_ticket(5, at(10))
    with pytest.raises(TicketTransitionError, match="Give a reason for changing exclusion"):
        set_exclusion(ticket, Exclusion.NO_ACTION, "owner", at(20), reason)
    with pytest.raises(TicketTransitionError, match="Give a reason for changing not_resolvable_reason"):
        mark_not_resolvable(ticket, NotResolvableReason.VISIT, "owner", at(20), reason)


def test_priority_and_assignee_changes_are_audited_without_needing_a_reason() -> None:
    ticket = new_ticket()
    assigned = assign(ticket, " bo ", "ana", at(3))
    assert assigned.ticket.assignee == "bo"
    assert assigned.audit == (AuditEntry(1, at(3), "ana", "assignee", "", "bo", ""),)
    urgent = set_priority(ticket, Priority.URGENT, "ana", at(3))
    assert urgent.audit[0].old == "normal"
    assert urgent.audit[0].new == "urgent"


def test_a_correction_that_changes_nothing_is_refused() -> None:
    with pytest.raises(TicketTransitionError, match="already has priority normal"):
        set_priority(new_ticket(), Priority.NORMAL, "ana", at(3))
    with pytest.raises(TicketTransitionError, match="already has exclusion none"):
        set_exclusion(new_ticket(), None, "ana", at(3), "tidy up")


def test_merged_is_set_only_by_merging() -> None:
    with pytest.raises(TicketTransitionError, match="only by merging"):
        set_exclusion(new_ticket(), Exclusion.MERGED, "owner", at(3), "duplicate")


def test_a_repeat_mark_needs_an_earlier_ticket_of_the_same_customer() -> None:
    ticket = new_ticket(5, opened=10)
    with pytest.raises(TicketTransitionError, match="different customers"):
        mark_repeat(ticket, new_ticket(4, customer=8), "owner", at(11), "same fault")
    with pytest.raises(TicketTransitionError, match="opened after ticket 5"):
        mark_repeat(ticket, new_ticket(4, opened=12), "owner", at(13), "same fault")
    with pytest.raises(TicketTransitionError, match="repeat of itself"):
        mark_repeat(ticket, ticket, "owner", at(11), "same fault")


# --- suggesting repeats ------------------------------------------------------------------------------


def test_suggest_repeat_of_finds_same_customer_same_category_within_the_window_latest_first() -> None:
    # The new ticket opens on day 12 at 09:00; window 7 days, so an earlier ticket qualifies when it
    # was first resolved from day 5 09:00 (exactly 7 days before, included) up to day 12 09:00.
    new = new_ticket(20, opened=12)
    exactly_7_days = resolved_ticket(1, at(5))  # yes: boundary included
    one_second_more = resolved_ticket(2, at(5, 8, 59, 59))  # no: 7 days and 1 second before
    recent = resolved_ticket(3, at(10))  # yes, more recent than ticket 1
    other_case = resolved_ticket(4, at(8), category=" Printer ")  # yes: categories ignore case/spaces
    other_category = resolved_ticket(5, at(10), category="laptop")  # no
    other_customer = resolved_ticket(6, at(10), customer=8)  # no
    unresolved = new_ticket(7, opened=9)  # no: nothing resolved to repeat
    spam = set_exclusion(resolved_ticket(8, at(11)), Exclusion.SPAM, "owner", at(11), "spam").ticket  # no
    resolved_later = resolved_ticket(9, at(12, 10))  # no: resolved after the new one opened
    found = suggest_repeat_of(
        new,
        [
            exactly_7_days,
            one_second_more,
            recent,
            other_case,
            other_category,
            other_customer,
            unresolved,
            spam,
            resolved_later,
            new,
        ],
        window_days=7,
    )
    assert [t.id for t in found] == [3, 4, 1]


def test_suggest_repeat_of_validates_the_window() -> None:
    with pytest.raises(ValueError, match="from 1 to 30 days, not 31"):
        suggest_repeat_of(new_ticket(), [], window_days=31)
    assert suggest_repeat_of(new_ticket(2, opened=3), [resolved_ticket(1, at(2))], window_days=1)[0].id == 1
