"""Service tickets as plain data: one customer's one issue, its contacts and its state changes.

A ticket is a :class:`TicketHistory`: what is known about the issue (customer, category, who opened it
and when), every contact logged on it and every change of state, each with its time. Nothing here
knows about Qt or SQLAlchemy, and nothing reads the clock: callers pass times in.

Every change goes through a pure function that takes a ticket and returns a :class:`Change` (the new
ticket plus the audit entries to keep) or raises :class:`TicketTransitionError` with a sentence that
says why. The state machine (exactly :data:`TRANSITIONS`):

- the active states are new, open, waiting_customer and waiting_supplier; an active ticket may move to
  any other of open, waiting_customer and waiting_supplier, be resolved, or be closed unresolved;
  nothing goes back to new;
- resolved -> closed;
- resolved or closed -> open, waiting_customer or waiting_supplier is a *reopen*.

A merged-away ticket accepts no further change. A contact that belongs to no ticket is simply a
:class:`ContactEvent` kept outside any ticket; one that belongs to a ticket is in its ``contacts``.

All datetimes of one shop must follow one convention (all naive local time, or all aware); mixing
them makes comparisons fail with ``TypeError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

MIN_WINDOW_DAYS = 1
MAX_WINDOW_DAYS = 30
# The longest title and category the database keeps.
MAX_TITLE = 400
MAX_CATEGORY = 100


class TicketState(StrEnum):
    """Where a ticket stands; ``resolved`` and ``closed`` are the done states."""

    NEW = "new"
    OPEN = "open"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_SUPPLIER = "waiting_supplier"
    RESOLVED = "resolved"
    CLOSED = "closed"


ACTIVE_STATES = frozenset(
    {TicketState.NEW, TicketState.OPEN, TicketState.WAITING_CUSTOMER, TicketState.WAITING_SUPPLIER}
)
DONE_STATES = frozenset({TicketState.RESOLVED, TicketState.CLOSED})
_REOPEN_TARGETS = frozenset({TicketState.OPEN, TicketState.WAITING_CUSTOMER, TicketState.WAITING_SUPPLIER})

TRANSITIONS: Mapping[TicketState, frozenset[TicketState]] = {
    TicketState.NEW: frozenset(
        {
            TicketState.OPEN,
            TicketState.WAITING_CUSTOMER,
            TicketState.WAITING_SUPPLIER,
            TicketState.RESOLVED,
            TicketState.CLOSED,
        }
    ),
    TicketState.OPEN: frozenset(
        {TicketState.WAITING_CUSTOMER, TicketState.WAITING_SUPPLIER, TicketState.RESOLVED, TicketState.CLOSED}
    ),
    TicketState.WAITING_CUSTOMER: frozenset(
        {TicketState.OPEN, TicketState.WAITING_SUPPLIER, TicketState.RESOLVED, TicketState.CLOSED}
    ),
    TicketState.WAITING_SUPPLIER: frozenset(
        {TicketState.OPEN, TicketState.WAITING_CUSTOMER, TicketState.RESOLVED, TicketState.CLOSED}
    ),
    TicketState.RESOLVED: _REOPEN_TARGETS | {TicketState.CLOSED},
    TicketState.CLOSED: _REOPEN_TARGETS,
}
"""The legal moves: state -> the states it may go to. Leaving resolved/closed is a reopen."""


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ContactChannel(StrEnum):
    """How a contact happened. Phone, walk-in and visit are live: someone answered at once."""

    PHONE = "phone"
    WALK_IN = "walk_in"
    EMAIL = "email"
    MESSAGE = "message"
    VISIT = "visit"


LIVE_CHANNELS = frozenset({ContactChannel.PHONE, ContactChannel.WALK_IN, ContactChannel.VISIT})


class Direction(StrEnum):
    """``in``: the customer reached the shop; ``out``: the shop reached the customer; ``internal``: a
    note the staff made about the customer (a care-queue touch snoozed or skipped). Nobody was reached,
    so an internal contact never counts as being in touch and never sits on a ticket."""

    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class Outcome(StrEnum):
    """What a contact ended with."""

    RESOLVED_NOW = "resolved_now"
    CALLBACK_PROMISED = "callback_promised"  # needs ContactEvent.callback_at
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_SUPPLIER = "waiting_supplier"
    NEEDS_REPAIR_OR_VISIT = "needs_repair_or_visit"  # needs ContactEvent.outcome_reason


class NotResolvableReason(StrEnum):
    """Why a ticket could not be resolved at first contact (it then leaves the net-FCR base)."""

    PARTS = "parts"
    SUPPLIER = "supplier"
    REPAIR = "repair"
    VISIT = "visit"


class Exclusion(StrEnum):
    """Why a ticket is left out of every FCR figure."""

    SPAM = "spam"
    MERGED = "merged"  # set only by merge(), together with merged_into
    NO_ACTION = "no_action"


class TicketDataError(ValueError):
    """A ticket or contact whose data contradicts itself (built wrongly or read back corrupted)."""


class TicketTransitionError(ValueError):
    """A change that the ticket's current state or the rules do not allow; the message says why."""


def validate_window_days(name: str, value: int) -> None:
    """Windows (reopen, repeat) are whole days from 1 to 30."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of days, not {value!r}")
    if not MIN_WINDOW_DAYS <= value <= MAX_WINDOW_DAYS:
        raise ValueError(f"{name} must be from {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS} days, not {value}")


def category_key(category: str) -> str:
    """Categories are compared ignoring case and surrounding or repeated spaces."""
    return " ".join(category.split()).casefold()


@dataclass(frozen=True)
class ContactEvent:
    """One exchange with a customer, in or out, on any channel, logged by ``staff``.

    ``outcome`` may be None for a contact that changes nothing (an acknowledgement, a reply sent).
    A promised callback needs ``callback_at`` (not before ``at``); a needed repair or visit needs
    ``outcome_reason``.
    """

    at: dt.datetime
    channel: ContactChannel
    direction: Direction
    staff: str
    outcome: Outcome | None = None
    callback_at: dt.datetime | None = None
    outcome_reason: str = ""
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.outcome is Outcome.CALLBACK_PROMISED:
            if self.callback_at is None:
                raise TicketDataError("a promised callback needs the time it was promised for")
            if self.callback_at < self.at:
                raise TicketDataError("a callback cannot be promised for a time before the contact")
        elif self.callback_at is not None:
            raise TicketDataError("a callback time goes only with the outcome 'callback promised'")
        if self.outcome is Outcome.NEEDS_REPAIR_OR_VISIT and not self.outcome_reason.strip():
            raise TicketDataError("say why a repair or visit is needed")

    @property
    def is_live(self) -> bool:
        return self.channel in LIVE_CHANNELS


@dataclass(frozen=True)
class StateChange:
    """One move of the state machine, by whom and when."""

    at: dt.datetime
    by: str
    old: TicketState
    new: TicketState
    reason: str = ""

    @property
    def is_resolution(self) -> bool:
        return self.new is TicketState.RESOLVED

    @property
    def is_reopen(self) -> bool:
        return self.old in DONE_STATES and self.new in ACTIVE_STATES


@dataclass(frozen=True)
class AuditEntry:
    """One change to keep in the audit trail: who, when, which field, from what to what, and why.

    Values are text as a person would read them; an empty value stands for "none".
    """

    ticket_id: int
    at: dt.datetime
    by: str
    field: str
    old: str
    new: str
    reason: str = ""


@dataclass(frozen=True)
class TicketHistory:
    """One customer's one issue, with every contact and state change in time order.

    ``opened_at`` is when the customer first raised the issue (normally the first contact's time);
    no contact or change may be earlier. The current values of ``category``, ``merged_into``,
    ``repeat_of``, ``not_resolvable_reason`` and ``exclusion`` are what FCR uses (the owner's
    corrections apply retroactively); contacts and state changes count only up to the time a
    calculation is made ``as_of``.
    """

    id: int
    customer_id: int
    category: str
    opened_at: dt.datetime
    opened_by: str
    assignee: str = ""
    priority: Priority = Priority.NORMAL
    title: str = ""
    contacts: tuple[ContactEvent, ...] = ()
    changes: tuple[StateChange, ...] = ()
    merged_into: int | None = None
    repeat_of: int | None = None
    not_resolvable_reason: NotResolvableReason | None = None
    exclusion: Exclusion | None = None

    def __post_init__(self) -> None:
        if (self.merged_into is None) != (self.exclusion is not Exclusion.MERGED):
            raise TicketDataError(f"ticket {self.id}: merged_into and the exclusion 'merged' go together")
        if self.id in (self.merged_into, self.repeat_of):
            raise TicketDataError(f"ticket {self.id} cannot be merged into or a repeat of itself")
        _check_in_order(self.id, "contacts", self.opened_at, [c.at for c in self.contacts])
        _check_in_order(self.id, "state changes", self.opened_at, [c.at for c in self.changes])
        state = TicketState.NEW
        for change in self.changes:
            if change.old is not state or change.new not in TRANSITIONS[state]:
                raise TicketDataError(
                    f"ticket {self.id}: the change {change.old} -> {change.new} at {change.at} "
                    f"does not follow from {state}"
                )
            state = change.new

    @property
    def state(self) -> TicketState:
        return self.changes[-1].new if self.changes else TicketState.NEW

    def state_at(self, when: dt.datetime) -> TicketState:
        """The state as it was at ``when`` (changes at exactly ``when`` have happened)."""
        state = TicketState.NEW
        for change in self.changes:
            if change.at > when:
                break
            state = change.new
        return state

    def first_resolved_at(self, as_of: dt.datetime | None = None) -> dt.datetime | None:
        """When the ticket was first resolved, counting only changes up to ``as_of`` if given."""
        for change in self.changes_until(as_of):
            if change.is_resolution:
                return change.at
        return None

    def contacts_until(self, as_of: dt.datetime | None) -> tuple[ContactEvent, ...]:
        return self.contacts if as_of is None else tuple(c for c in self.contacts if c.at <= as_of)

    def changes_until(self, as_of: dt.datetime | None) -> tuple[StateChange, ...]:
        return self.changes if as_of is None else tuple(c for c in self.changes if c.at <= as_of)

    @property
    def last_change_at(self) -> dt.datetime:
        return self.changes[-1].at if self.changes else self.opened_at


def _check_in_order(ticket_id: int, what: str, opened_at: dt.datetime, times: list[dt.datetime]) -> None:
    previous = opened_at
    for when in times:
        if when < previous:
            raise TicketDataError(
                f"ticket {ticket_id}: {what} must be in time order and not before the ticket was opened "
                f"({when} comes after {previous})"
            )
        previous = when


@dataclass(frozen=True)
class Change:
    """The result of a change: the ticket as it now is, and what to add to the audit trail."""

    ticket: TicketHistory
    audit: tuple[AuditEntry, ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """A merge changes two tickets: the duplicate (now merged away) and the target (now with its contacts)."""

    duplicate: TicketHistory
    target: TicketHistory
    audit: tuple[AuditEntry, ...]


# --- state machine -------------------------------------------------------------------------------


def transition(
    ticket: TicketHistory, new_state: TicketState, by: str, at: dt.datetime, reason: str = ""
) -> Change:
    """Move ``ticket`` to ``new_state`` at ``at``, if :data:`TRANSITIONS` allows it.

    Refused: any change to a merged-away ticket; a move the table does not list (including staying
    put); a time before the ticket's last state change; no ``by``.
    """
    _require_who(by)
    _refuse_if_merged(ticket, f"change its state to {new_state}")
    old = ticket.state
    if new_state not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(TRANSITIONS[old]))
        raise TicketTransitionError(
            f"Ticket {ticket.id} is {old} and cannot go to {new_state}; from {old} it can go to: {allowed}."
        )
    if at < ticket.last_change_at:
        raise TicketTransitionError(
            f"Ticket {ticket.id}: a change at {at} would come before its last change at "
            f"{ticket.last_change_at}; changes are recorded in time order."
        )
    change = StateChange(at=at, by=by, old=old, new=new_state, reason=reason)
    updated = replace(ticket, changes=(*ticket.changes, change))
    return Change(updated, (AuditEntry(ticket.id, at, by, "state", old, new_state, reason),))


def start_work(ticket: TicketHistory, by: str, at: dt.datetime, reason: str = "") -> Change:
    """new or waiting -> open."""
    return transition(ticket, TicketState.OPEN, by, at, reason)


def wait_on_customer(ticket: TicketHistory, by: str, at: dt.datetime, reason: str = "") -> Change:
    return transition(ticket, TicketState.WAITING_CUSTOMER, by, at, reason)


def wait_on_supplier(ticket: TicketHistory, by: str, at: dt.datetime, reason: str = "") -> Change:
    return transition(ticket, TicketState.WAITING_SUPPLIER, by, at, reason)


def resolve(ticket: TicketHistory, by: str, at: dt.datetime, reason: str = "") -> Change:
    """Any active state -> resolved. The first resolution is the one FCR is measured from."""
    if ticket.state in DONE_STATES:
        _refuse_if_merged(ticket, "resolve it")
        raise TicketTransitionError(f"Ticket {ticket.id} is already {ticket.state}; reopen it first.")
    return transition(ticket, TicketState.RESOLVED, by, at, reason)


def close(ticket: TicketHistory, by: str, at: dt.datetime, reason: str = "") -> Change:
    """resolved -> closed, or an active ticket closed without resolution (it then has no FCR cohort)."""
    return transition(ticket, TicketState.CLOSED, by, at, reason)


def reopen(
    ticket: TicketHistory, by: str, at: dt.datetime, reason: str, to: TicketState = TicketState.OPEN
) -> Change:
    """resolved or closed -> open (or a waiting state). A reopen within R days spoils strict FCR."""
    _refuse_if_merged(ticket, "reopen it")
    if ticket.state not in DONE_STATES:
        raise TicketTransitionError(
            f"Ticket {ticket.id} is {ticket.state}; only a resolved or closed ticket can be reopened."
        )
    if to not in _REOPEN_TARGETS:
        raise TicketTransitionError(f"A reopened ticket goes to open or a waiting state, not {to}.")
    return transition(ticket, to, by, at, reason)


_OUTCOME_TARGET: Mapping[Outcome, TicketState] = {
    Outcome.RESOLVED_NOW: TicketState.RESOLVED,
    Outcome.CALLBACK_PROMISED: TicketState.OPEN,
    Outcome.NEEDS_REPAIR_OR_VISIT: TicketState.OPEN,
    Outcome.WAITING_CUSTOMER: TicketState.WAITING_CUSTOMER,
    Outcome.WAITING_SUPPLIER: TicketState.WAITING_SUPPLIER,
}


def log_contact(ticket: TicketHistory, contact: ContactEvent, *, apply_outcome: bool = True) -> Change:
    """Add ``contact`` to the ticket (in time order) and, if asked, move the state to match its outcome.

    Outcome -> state: resolved now -> resolved (a done ticket stays as it is); callback promised or
    needs repair/visit -> open; waiting on customer/supplier -> that waiting state. On a resolved or
    closed ticket any outcome but "resolved now" is a reopen, made by staff at the contact's time. No
    outcome, or the state already matching, changes nothing. A contact logged after the fact (before
    the last state change) must be logged with ``apply_outcome=False`` when its outcome would move
    the state. Either way the contact counts for FCR up to the first resolution (an inbound contact
    after the first then spoils gross FCR); after it, only a reopen within R or a repeat within N does.
    """
    _refuse_if_merged(ticket, "log a contact on it")
    if contact.at < ticket.opened_at:
        raise TicketTransitionError(
            f"Ticket {ticket.id} was opened at {ticket.opened_at}; a contact at {contact.at} is earlier."
        )
    contacts = tuple(sorted((*ticket.contacts, contact), key=lambda c: c.at))
    updated = replace(ticket, contacts=contacts)
    target = _OUTCOME_TARGET.get(contact.outcome) if contact.outcome is not None else None
    if not apply_outcome or target is None or target is updated.state:
        return Change(updated)
    if target is TicketState.RESOLVED and updated.state in DONE_STATES:
        return Change(updated)
    reason = f"contact outcome: {contact.outcome}"
    return transition(updated, target, contact.staff, contact.at, reason)


# --- merge, repeats and the owner's corrections --------------------------------------------------


def merge(
    duplicate: TicketHistory, target: TicketHistory, by: str, at: dt.datetime, reason: str
) -> MergeResult:
    """Fold ``duplicate`` into ``target`` (same customer): the same issue raised twice.

    The duplicate's contacts move to the target (so a second inbound contact now spoils the target's
    gross FCR, as it should), the target's ``opened_at`` becomes the earlier of the two, and the
    duplicate is closed, marked ``merged_into`` and excluded as ``merged``.
    """
    _require_who(by)
    _require_reason(reason, "a merge")
    if duplicate.id == target.id:
        raise TicketTransitionError(f"Ticket {duplicate.id} cannot be merged into itself.")
    _refuse_if_merged(duplicate, "merge it again")
    _refuse_if_merged(target, "merge another ticket into it")
    if duplicate.customer_id != target.customer_id:
        raise TicketTransitionError(
            f"Tickets {duplicate.id} and {target.id} belong to different customers; only one customer's "
            "tickets can be merged."
        )
    audit: list[AuditEntry] = []
    if duplicate.state is not TicketState.CLOSED:
        closed = close(duplicate, by, at, f"merged into ticket {target.id}: {reason}")
        duplicate, audit = closed.ticket, list(closed.audit)
    moved = tuple(sorted((*target.contacts, *duplicate.contacts), key=lambda c: c.at))
    opened_at = min(target.opened_at, duplicate.opened_at)
    new_duplicate = replace(duplicate, contacts=(), merged_into=target.id, exclusion=Exclusion.MERGED)
    new_target = replace(target, contacts=moved, opened_at=opened_at)
    audit.append(AuditEntry(duplicate.id, at, by, "merged_into", "", str(target.id), reason))
    audit.append(AuditEntry(duplicate.id, at, by, "exclusion", _text(duplicate.exclusion), "merged", reason))
    audit.append(
        AuditEntry(target.id, at, by, "contacts", str(len(target.contacts)), str(len(moved)), reason)
    )
    if opened_at != target.opened_at:
        audit.append(
            AuditEntry(
                target.id, at, by, "opened_at", target.opened_at.isoformat(), opened_at.isoformat(), reason
            )
        )
    return MergeResult(new_duplicate, new_target, tuple(audit))


def mark_repeat(
    ticket: TicketHistory, earlier: TicketHistory, by: str, at: dt.datetime, reason: str
) -> Change:
    """Mark ``ticket`` as a repeat of ``earlier`` (same customer, opened no later than ``ticket``).

    The mark counts against the earlier ticket's strict FCR when ``ticket`` was opened within the
    repeat window after the earlier one's first resolution, whatever the two categories are.
    """
    if earlier.id == ticket.id:
        raise TicketTransitionError(f"Ticket {ticket.id} cannot be a repeat of itself.")
    if earlier.customer_id != ticket.customer_id:
        raise TicketTransitionError(
            f"Ticket {ticket.id} and ticket {earlier.id} belong to different customers; "
            "a repeat is the same customer coming back."
        )
    if earlier.opened_at > ticket.opened_at:
        raise TicketTransitionError(
            f"Ticket {earlier.id} was opened after ticket {ticket.id}, so {ticket.id} cannot repeat it."
        )
    return _correct(ticket, replace(ticket, repeat_of=earlier.id), "repeat_of", by, at, reason)


def clear_repeat(ticket: TicketHistory, by: str, at: dt.datetime, reason: str) -> Change:
    return _correct(ticket, replace(ticket, repeat_of=None), "repeat_of", by, at, reason)


def mark_not_resolvable(
    ticket: TicketHistory, cause: NotResolvableReason, by: str, at: dt.datetime, reason: str
) -> Change:
    """Record that the issue could not be solved at first contact (``cause``); it leaves the net-FCR base."""
    updated = replace(ticket, not_resolvable_reason=cause)
    return _correct(ticket, updated, "not_resolvable_reason", by, at, reason)


def not_resolvable_cause(outcome: Outcome | None, reason: str = "") -> NotResolvableReason | None:
    """What a contact's outcome says about first-contact resolution: waiting on the supplier -> supplier;
    needs a repair or visit -> visit when the reason speaks of a visit, else repair (the call log has
    one choice for both; the owner can correct the cause on the ticket); any other outcome -> None."""
    if outcome is Outcome.WAITING_SUPPLIER:
        return NotResolvableReason.SUPPLIER
    if outcome is Outcome.NEEDS_REPAIR_OR_VISIT:
        return NotResolvableReason.VISIT if "visit" in reason.casefold() else NotResolvableReason.REPAIR
    return None


def clear_not_resolvable(ticket: TicketHistory, by: str, at: dt.datetime, reason: str) -> Change:
    updated = replace(ticket, not_resolvable_reason=None)
    return _correct(ticket, updated, "not_resolvable_reason", by, at, reason)


def set_exclusion(
    ticket: TicketHistory, exclusion: Exclusion | None, by: str, at: dt.datetime, reason: str
) -> Change:
    """Mark a ticket as spam or no-action (or clear that). The state is not changed: close it as well.

    ``merged`` is set and kept only by :func:`merge`.
    """
    if exclusion is Exclusion.MERGED:
        raise TicketTransitionError("A ticket is excluded as merged only by merging it into another ticket.")
    _refuse_if_merged(ticket, "change its exclusion")
    return _correct(ticket, replace(ticket, exclusion=exclusion), "exclusion", by, at, reason)


def set_category(ticket: TicketHistory, category: str, by: str, at: dt.datetime, reason: str) -> Change:
    """Change the category (it decides which later tickets count as repeats)."""
    if not category.strip():
        raise TicketTransitionError("A category cannot be empty.")
    if len(category.strip()) > MAX_CATEGORY:
        raise TicketTransitionError(f"A category can be at most {MAX_CATEGORY} characters long.")
    return _correct(ticket, replace(ticket, category=category.strip()), "category", by, at, reason)


def set_priority(
    ticket: TicketHistory, priority: Priority, by: str, at: dt.datetime, reason: str = ""
) -> Change:
    updated = replace(ticket, priority=priority)
    return _correct(ticket, updated, "priority", by, at, reason, reason_required=False)


def assign(ticket: TicketHistory, assignee: str, by: str, at: dt.datetime, reason: str = "") -> Change:
    updated = replace(ticket, assignee=assignee.strip())
    return _correct(ticket, updated, "assignee", by, at, reason, reason_required=False)


def _correct(
    ticket: TicketHistory,
    updated: TicketHistory,
    field_name: str,
    by: str,
    at: dt.datetime,
    reason: str,
    *,
    reason_required: bool = True,
) -> Change:
    """Audit the change of one field from ``ticket`` to ``updated``.

    Corrections that change FCR figures need a reason; all changes need a who.
    """
    _require_who(by)
    if reason_required:
        _require_reason(reason, f"changing {field_name}")
    _refuse_if_merged(ticket, f"change its {field_name}")
    old, new = getattr(ticket, field_name), getattr(updated, field_name)
    if old == new:
        raise TicketTransitionError(f"Ticket {ticket.id} already has {field_name} {_text(new) or 'none'}.")
    return Change(updated, (AuditEntry(ticket.id, at, by, field_name, _text(old), _text(new), reason),))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _require_who(by: str) -> None:
    if not by.strip():
        raise TicketTransitionError("Say who makes the change.")


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise TicketTransitionError(f"Give a reason for {what}; it is kept in the audit trail.")


def _refuse_if_merged(ticket: TicketHistory, action: str) -> None:
    if ticket.merged_into is not None:
        raise TicketTransitionError(
            f"Ticket {ticket.id} was merged into ticket {ticket.merged_into}; "
            f"work on ticket {ticket.merged_into} instead of trying to {action}."
        )


# --- repeats -------------------------------------------------------------------------------------


def in_repeat_window(resolved_at: dt.datetime, opened_at: dt.datetime, window_days: int) -> bool:
    """Whether a ticket opened at ``opened_at`` falls in the repeat window of a ticket first resolved at
    ``resolved_at``: from the resolution to exactly ``window_days`` days later, both ends included."""
    return resolved_at <= opened_at <= resolved_at + dt.timedelta(days=window_days)


def suggest_repeat_of(
    new_ticket: TicketHistory, earlier_tickets: Iterable[TicketHistory], window_days: int
) -> tuple[TicketHistory, ...]:
    """Earlier tickets that ``new_ticket`` probably repeats, the most recently resolved first.

    A candidate is another ticket of the same customer, in the same category (see
    :func:`category_key`), not excluded, that had been resolved when ``new_ticket`` was opened, no more
    than ``window_days`` days before (boundary included, see :func:`in_repeat_window`).
    """
    validate_window_days("window_days", window_days)
    found: list[tuple[dt.datetime, TicketHistory]] = []
    for earlier in earlier_tickets:
        if (
            earlier.id == new_ticket.id
            or earlier.customer_id != new_ticket.customer_id
            or earlier.exclusion is not None
            or category_key(earlier.category) != category_key(new_ticket.category)
        ):
            continue
        resolved_at = earlier.first_resolved_at()
        if resolved_at is not None and in_repeat_window(resolved_at, new_ticket.opened_at, window_days):
            found.append((resolved_at, earlier))
    found.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
    return tuple(ticket for _, ticket in found)
