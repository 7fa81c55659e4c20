"""First-contact resolution (FCR) and the service reports around it, as pure functions.

Definitions (R = ``reopen_window_days``, N = ``repeat_window_days``, both 1..30, default 7). Only
what was known at ``as_of`` counts: contacts, state changes and tickets dated after it are ignored, so
a report for a past ``as_of`` can be reproduced. The owner's corrections (category, exclusion,
repeat mark, not-resolvable mark) are current values and apply retroactively: they are the one way a
decided ticket changes, on purpose, and each is kept in the audit trail with who made it and why.

The words of each definition below are :data:`DEFINITIONS`, which the report screen, the text report
and the exports show; a test checks that every one of them stands here word for word.

- **First resolution**: the first change of the ticket into ``resolved``. Later resolutions (after a
  reopen) do not move it. A ticket closed without ever being resolved has none and is in no cohort.
- **Cohort** of a period: tickets whose first resolution falls in ``[period_start, period_end)``.

Tickets: tickets first resolved in the period (the cohort), as known at the report time.

Excluded: left out of every figure: spam, merged into another ticket, or no action needed.

Shop-initiated: the first contact was the shop reaching out (outbound, with no inbound contact before
or at the same time); counted separately and left out of every FCR figure unless the shop's setting
puts them back.

- **Eligible**: in the cohort, not excluded, and not a shop-initiated ticket left out by the setting.
- **Up to the first resolution** means contacts dated at or before it. What happens after the first
  resolution is judged only by the two windows: an inbound contact that reopens the ticket within R
  is a reopen; one that does not reopen it (a thank-you, a question answered without reopening) counts
  against nothing; and anything after the windows is a new matter (a new ticket, possibly a repeat of
  this one within N).

One-touch: at most one outbound contact up to the first resolution; over the eligible tickets.

Gross: no inbound contact after the first one, up to the first resolution (a callback from the shop
may solve it); over the eligible tickets.

Net: gross FCR over the eligible tickets not marked 'not resolvable at first contact' (a repair, a
visit, parts or a supplier were needed); a marked ticket leaves the count and the base alike.

Reopen: reopened within R days of the first resolution (the end included, to the second); over the
decided tickets.

Repeat: another ticket of the same customer opened within N days after the first resolution, in the
same category or marked a repeat of it; over the decided tickets. Tickets opened before the first
resolution are duplicates to merge, not repeats.

Still open: the reopen or repeat window (the longer of R and N) has not passed yet (provisional),
so strict FCR is not decided yet.

Strict: gross, not reopened within R days and no repeat within N days; over the decided tickets (the
eligible tickets whose windows have passed). R and N are the windows in force when the ticket was
decided; once decided, a ticket's figures never change.

By staff: grouped by who took the first contact (or opened the ticket if it has none). FCR belongs to
the shop's way of working, not to one person: the help-desk industry warns against making it a
target for an individual, because people then avoid hard calls, close tickets early or log repeat
contacts as new tickets.

Resolution: time from opening to the first resolution, median and 90th percentile, over the eligible
tickets not solved in the first contact (those whose first contact ended with "resolved now" took no
time worth measuring).

First response: median time from opening to the first reply (an outbound or live contact), over the
eligible tickets whose first contact came by email or message; a phone call, walk-in or visit is
answered as it happens, so it tells nothing.

- **Windows in force**: R and N are the shop's settings, and the owner may change them; the history
  of their values (:class:`WindowsHistory`) says which were in force at each moment. A ticket is
  judged by the windows in force when it is decided. Walking forward from its first resolution: under
  the windows in force, the ticket is decided as soon as max(R, N) days have passed since its first
  resolution; a change of the windows before that moment replaces them, and decides the ticket at
  once if the new max(R, N) days have already passed. A change at the moment a ticket is decided, or
  later, does not reach it. Changing R or N therefore changes only tickets not decided yet; until then
  a ticket is judged, provisionally, by the windows in force at ``as_of``. Changes after ``as_of`` are
  not known yet.
  Whether shop-initiated tickets count is a way of looking at the figures, not a window: its current
  value applies to every ticket.
- **Decided** means eligible and ``as_of`` at or after the decision (``first_resolution + max(R, N)
  days``, with the windows as above). Events at exactly
  ``as_of`` are known, so at ``as_of`` equal to the window end the ticket is decided. For a provisional
  ticket strict FCR is None even if it has already failed: counting early failures while the
  successes wait would bias the rate down. A decided ticket's classification is the same at every
  later ``as_of``: gross, net and one-touch look only up to the first resolution, the reopen and
  repeat windows end at the decision, and first response counts replies up to the first resolution.

Rates are :class:`Rate` (numerator, denominator, value as a Fraction, None when the denominator is
0). One-touch and gross are over the eligible tickets, net over the net base, strict, reopen and
repeat over the *decided* tickets; provisional tickets are counted separately.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from typing import Literal, TypeVar

from careapp.domain.tickets import (
    ACTIVE_STATES,
    ContactChannel,
    ContactEvent,
    Direction,
    Exclusion,
    Outcome,
    StateChange,
    TicketHistory,
    category_key,
    in_repeat_window,
    validate_window_days,
)

GroupBy = Literal["month", "staff", "category"]
DEFAULT_BACKLOG_BUCKETS: tuple[int, ...] = (1, 3, 7, 14, 30)
_Event = TypeVar("_Event", ContactEvent, StateChange)

DEFINITION_NAMES = (
    "Tickets",
    "Excluded",
    "Shop-initiated",
    "One-touch",
    "Gross",
    "Net",
    "Reopen",
    "Repeat",
    "Still open",
    "Strict",
    "By staff",
    "Resolution",
    "First response",
)


def _definitions_from(doc: str, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The paragraphs of ``doc`` that start with "<name>: ", joined into one line each."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc)]
    found = []
    for name in names:
        text = next(p for p in paragraphs if p.startswith(f"{name}: "))
        found.append((name, text[len(name) + 2 :]))
    return tuple(found)


# Read from the docstring at import: careapp is never run with -OO (which would drop docstrings).
DEFINITIONS: tuple[tuple[str, str], ...] = _definitions_from(__doc__ or "", DEFINITION_NAMES)
"""(name, meaning) of every figure, taken from this module's docstring: one wording for the code's
documentation, the screen, the text report and the exports."""


@dataclass(frozen=True)
class FcrSettings:
    """The shop's FCR windows, in whole days from 1 to 30, and whether shop-initiated tickets count."""

    reopen_window_days: int = 7
    repeat_window_days: int = 7
    include_shop_initiated: bool = False

    def __post_init__(self) -> None:
        validate_window_days("The reopen window", self.reopen_window_days)
        validate_window_days("The repeat window", self.repeat_window_days)

    # Cached (the settings are frozen): a report asks for the windows once per ticket.
    @cached_property
    def reopen_window(self) -> dt.timedelta:
        return dt.timedelta(days=self.reopen_window_days)

    @cached_property
    def longest_window(self) -> dt.timedelta:
        return dt.timedelta(days=max(self.reopen_window_days, self.repeat_window_days))


@dataclass(frozen=True)
class WindowsInForce:
    """R and N (whole days) in force from ``since`` (None: from the start) until the next change."""

    since: dt.datetime | None
    reopen_window_days: int
    repeat_window_days: int

    @cached_property
    def reopen_window(self) -> dt.timedelta:
        return dt.timedelta(days=self.reopen_window_days)

    @cached_property
    def longest_window(self) -> dt.timedelta:
        return dt.timedelta(days=max(self.reopen_window_days, self.repeat_window_days))


@dataclass(frozen=True)
class WindowsHistory:
    """The values R and N had over time, oldest first; the first entry has ``since`` None and each
    later one starts at the moment the owner saved it (see "Windows in force" in the module docstring).
    """

    entries: tuple[WindowsInForce, ...]

    def __post_init__(self) -> None:
        if not self.entries or self.entries[0].since is not None:
            raise ValueError("A history of the windows starts with the windows in force from the start.")
        starts = [e.since for e in self.entries[1:] if e.since is not None]
        if len(starts) != len(self.entries) - 1 or starts != sorted(starts):
            raise ValueError("The changes of the windows must be in time order.")

    @classmethod
    def constant(cls, reopen_window_days: int, repeat_window_days: int) -> WindowsHistory:
        return cls((WindowsInForce(None, reopen_window_days, repeat_window_days),))

    @classmethod
    def of(cls, settings: FcrSettings) -> WindowsHistory:
        """The windows of ``settings``, in force all along."""
        return cls.constant(settings.reopen_window_days, settings.repeat_window_days)

    def known_at(self, as_of: dt.datetime) -> WindowsHistory:
        """The history as known at ``as_of`` (a change at exactly ``as_of`` is known)."""
        kept = tuple(e for e in self.entries if e.since is None or e.since <= as_of)
        return self if len(kept) == len(self.entries) else WindowsHistory(kept)

    def in_force_at(self, moment: dt.datetime) -> WindowsInForce:
        found = self.entries[0]
        for entry in self.entries[1:]:
            if entry.since is not None and entry.since > moment:
                break
            found = entry
        return found

    def judging(self, resolved_at: dt.datetime) -> tuple[WindowsInForce, dt.datetime]:
        """The windows that judge a ticket first resolved at ``resolved_at``, and its decision (see
        "Windows in force" in the module docstring): with no later change known, the windows in force
        now and the moment they will have passed."""
        entries = self.entries
        for index, entry in enumerate(entries):
            ends = entries[index + 1].since if index + 1 < len(entries) else None
            if ends is not None and ends <= resolved_at:
                continue  # replaced before the resolution
            starts = resolved_at if entry.since is None or entry.since < resolved_at else entry.since
            decision = max(starts, resolved_at + entry.longest_window)
            # At ``ends`` the ticket is decided already if its windows have passed: the change is too late.
            if ends is None or decision <= ends:
                return entry, decision
        raise AssertionError("the last windows of a history have no end")  # pragma: no cover


@dataclass(frozen=True)
class Rate:
    """A share shown with its parts: ``numerator`` of ``denominator``."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(
                f"a rate needs 0 <= numerator <= denominator, not {self.numerator}/{self.denominator}"
            )

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.numerator}/{self.denominator} (n/a)"
        return f"{self.numerator}/{self.denominator} ({float(self.value):.0%})"


@dataclass(frozen=True)
class FcrResult:
    """How one ticket counts, as known at ``as_of`` (see the module docstring for the definitions).

    ``staff`` is who handled the first contact (or who opened the ticket if it has none): the person
    the first-contact figures belong to. For a ticket that is not eligible every FCR flag is False and
    ``strict`` is None; ``exclusion``, ``set_aside`` (a shop-initiated ticket the setting leaves out)
    and ``first_resolved_at`` say why. ``time_to_first_response`` is None unless the first contact
    came by email or message; ``time_to_resolution`` is from opening to the first resolution, and
    ``solved_in_first_contact`` says whether that resolution came in the first contact itself.
    ``windows`` are the R and N that judge an eligible ticket (those in force at its decision, or at
    ``as_of`` while it is provisional) and ``windows_end`` its decision.
    """

    ticket_id: int
    customer_id: int
    category: str
    staff: str
    exclusion: Exclusion | None
    first_resolved_at: dt.datetime | None
    windows_end: dt.datetime | None
    one_touch: bool
    gross: bool
    net_eligible: bool
    strict: bool | None
    provisional: bool
    reopened_within_window: bool
    repeat_within_window: bool
    repeat_ticket_ids: tuple[int, ...]
    time_to_first_response: dt.timedelta | None
    time_to_resolution: dt.timedelta | None
    shop_initiated: bool = False
    set_aside: bool = False
    solved_in_first_contact: bool = False
    windows: WindowsInForce | None = None

    @property
    def resolved(self) -> bool:
        return self.first_resolved_at is not None

    @property
    def eligible(self) -> bool:
        return self.resolved and self.exclusion is None and not self.set_aside

    @property
    def decided(self) -> bool:
        return self.eligible and not self.provisional

    @classmethod
    def of_fields(cls, fields: dict[str, object]) -> FcrResult:
        """The result with these fields, EVERY one of them by name (no default is applied), made
        without the frozen dataclass's ``__init__``, which sets each of the 21 fields through
        ``object.__setattr__``: a year's report reads about 20,000 kept verdicts, and made that way
        they took 0.1 s of it against 0.01 s. It compares, hashes and reads the same."""
        result = object.__new__(cls)
        result.__dict__.update(fields)
        return result


def classify(
    ticket: TicketHistory,
    all_tickets_of_customer: Iterable[TicketHistory],
    settings: FcrSettings,
    as_of: dt.datetime,
    windows: WindowsHistory | None = None,
) -> FcrResult:
    """Classify one ticket. ``all_tickets_of_customer`` is searched for repeats; the ticket itself and
    tickets of other customers in it are ignored. ``windows`` is the history of R and N (None: those of
    ``settings`` all along); only the changes known at ``as_of`` count."""
    changes = _until(ticket.changes, as_of)
    history = (windows or WindowsHistory.of(settings)).known_at(as_of)
    return _classify(
        ticket, _first_resolution(changes), changes, all_tickets_of_customer, settings, history, as_of
    )


def _until(events: tuple[_Event, ...], as_of: dt.datetime) -> tuple[_Event, ...]:
    """The events up to ``as_of`` (a ticket's events are in time order, so mostly all of them)."""
    if not events or events[-1].at <= as_of:
        return events
    return tuple(e for e in events if e.at <= as_of)


def _first_resolution(changes: Sequence[StateChange]) -> dt.datetime | None:
    for change in changes:
        if change.is_resolution:
            return change.at
    return None


def _classify(
    ticket: TicketHistory,
    resolved_at: dt.datetime | None,
    changes: Sequence[StateChange],
    all_tickets_of_customer: Iterable[TicketHistory],
    settings: FcrSettings,
    history: WindowsHistory,
    as_of: dt.datetime,
) -> FcrResult:
    """:func:`classify`, given the ticket's first resolution, its state changes up to ``as_of`` and the
    windows' history known at ``as_of`` (a year's report classifies tens of thousands of tickets: each
    is worked out once)."""
    # Who took the first contact, and whether the shop started it, are settled by the first
    # resolution too: a contact that comes only after it does not make it the ticket's first.
    contacts = _until(ticket.contacts, as_of if resolved_at is None else resolved_at)
    staff = contacts[0].staff if contacts else ticket.opened_by
    shop_initiated = _shop_initiated(contacts)
    set_aside = shop_initiated and not settings.include_shop_initiated
    if resolved_at is None or ticket.exclusion is not None or set_aside:
        # Not eligible: no FCR flags.
        return FcrResult(
            ticket_id=ticket.id, customer_id=ticket.customer_id, category=ticket.category, staff=staff,
            exclusion=ticket.exclusion, first_resolved_at=resolved_at, windows_end=None, one_touch=False,
            gross=False, net_eligible=False, strict=None, provisional=False, reopened_within_window=False,
            repeat_within_window=False, repeat_ticket_ids=(), time_to_first_response=None,
            time_to_resolution=None if resolved_at is None else resolved_at - ticket.opened_at,
            shop_initiated=shop_initiated,
            set_aside=set_aside and resolved_at is not None and ticket.exclusion is None,
        )  # fmt: skip
    # After the first resolution only the windows judge the ticket: later contacts count for nothing.
    before = contacts
    windows, windows_end = history.judging(resolved_at)
    provisional = as_of < windows_end
    gross = not any(c.direction is Direction.IN for c in before[1:])
    reopen_end = resolved_at + windows.reopen_window
    reopened = any(change.is_reopen and resolved_at <= change.at <= reopen_end for change in changes)
    repeats = _repeat_ids(ticket, resolved_at, all_tickets_of_customer, windows.repeat_window_days, as_of)
    return FcrResult(
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        category=ticket.category,
        staff=staff,
        exclusion=None,
        first_resolved_at=resolved_at,
        windows_end=windows_end,
        one_touch=sum(1 for c in before if c.direction is Direction.OUT) <= 1,
        gross=gross,
        net_eligible=ticket.not_resolvable_reason is None,
        strict=None if provisional else (gross and not reopened and not repeats),
        provisional=provisional,
        reopened_within_window=reopened,
        repeat_within_window=bool(repeats),
        repeat_ticket_ids=repeats,
        time_to_first_response=_time_to_first_response(ticket, before),
        time_to_resolution=resolved_at - ticket.opened_at,
        shop_initiated=shop_initiated,
        solved_in_first_contact=bool(before) and before[0].outcome is Outcome.RESOLVED_NOW,
        windows=windows,
    )


def new_matter_since(ticket: TicketHistory, windows: WindowsHistory, at: dt.datetime) -> dt.datetime | None:
    """When ``ticket`` was decided, if a contact at ``at`` is a new matter rather than part of it:
    the ticket is resolved or closed at ``at`` and its windows (those that judge it, as known at
    ``at``) had passed by then. None otherwise: never resolved, being worked on, or windows open.
    Such a contact belongs on a new ticket, a repeat of this one (see the module docstring)."""
    if ticket.state_at(at) in ACTIVE_STATES:
        return None
    resolved_at = _first_resolution(_until(ticket.changes, at))
    if resolved_at is None:
        return None
    _windows, decision = windows.known_at(at).judging(resolved_at)
    return decision if decision <= at else None


def _shop_initiated(contacts: Sequence[ContactEvent]) -> bool:
    """The first contact is outbound, and no inbound contact came before it or at the same time."""
    if not contacts or contacts[0].direction is not Direction.OUT:
        return False
    first_at = contacts[0].at
    return not any(c.direction is Direction.IN and c.at <= first_at for c in contacts)


def _repeat_ids(
    ticket: TicketHistory,
    resolved_at: dt.datetime,
    others: Iterable[TicketHistory],
    repeat_window_days: int,
    as_of: dt.datetime,
) -> tuple[int, ...]:
    candidates = [
        other
        for other in others
        if other.id != ticket.id
        and other.customer_id == ticket.customer_id
        and other.exclusion is None
        and other.opened_at <= as_of
        and in_repeat_window(resolved_at, other.opened_at, repeat_window_days)
    ]
    if not candidates:  # most customers have one ticket: no need to compare categories
        return ()
    key = category_key(ticket.category)
    found = [o.id for o in candidates if o.repeat_of == ticket.id or category_key(o.category) == key]
    return tuple(sorted(found))


NON_LIVE_CHANNELS = frozenset({ContactChannel.EMAIL, ContactChannel.MESSAGE})


def _time_to_first_response(ticket: TicketHistory, contacts: Sequence[ContactEvent]) -> dt.timedelta | None:
    """From opening to the first outbound or live contact of ``contacts`` (those up to the first
    resolution), for a ticket whose first contact came by email or message; None otherwise."""
    if not contacts or contacts[0].channel not in NON_LIVE_CHANNELS:
        return None
    for contact in contacts:
        if contact.direction is Direction.OUT or contact.is_live:
            return contact.at - ticket.opened_at
    return None


# --- reports -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FcrRow:
    """One group of a report (a month ``YYYY-MM``, a staff member or a category), or the total.

    ``cohort`` counts every ticket first resolved in the period, ``excluded`` those left out (by
    reason in ``excluded_by``), ``shop_initiated`` the shop-initiated tickets not excluded (in
    ``eligible`` only when the setting counts them), ``eligible`` the tickets the rates are over;
    ``not_resolvable`` the eligible tickets outside the net base; ``provisional`` the eligible tickets
    whose windows are still open and ``decided`` the others. The resolution times are over the
    eligible tickets not solved in their first contact, the first-response median over those whose
    first contact came by email or message. ``ticket_ids`` lists the cohort for drilling down.
    """

    key: str
    cohort: int
    excluded: int
    excluded_by: dict[Exclusion, int]
    eligible: int
    not_resolvable: int
    provisional: int
    decided: int
    one_touch: Rate
    gross: Rate
    net: Rate
    strict: Rate
    reopen: Rate
    repeat: Rate
    median_time_to_first_response: dt.timedelta | None
    median_time_to_resolution: dt.timedelta | None
    ticket_ids: tuple[int, ...]
    shop_initiated: int = 0
    p90_time_to_resolution: dt.timedelta | None = None


@dataclass(frozen=True)
class FcrReport:
    """FCR by month, staff or category over ``[period_start, period_end)``, known at ``as_of``."""

    settings: FcrSettings
    period_start: dt.datetime
    period_end: dt.datetime
    as_of: dt.datetime
    group_by: GroupBy
    rows: tuple[FcrRow, ...]
    total: FcrRow
    results: tuple[FcrResult, ...]
    windows: WindowsHistory | None = None
    """The history of R and N known at ``as_of``; ``settings`` holds the windows in force then."""


def fcr_report(
    tickets: Iterable[TicketHistory],
    settings: FcrSettings,
    period_start: dt.datetime,
    period_end: dt.datetime,
    as_of: dt.datetime,
    group_by: GroupBy = "month",
    windows: WindowsHistory | None = None,
    known: Iterable[FcrResult] = (),
) -> FcrReport:
    """Every FCR variant, reopen and repeat rates and median times, per group and in total.

    Rows are sorted by key. By month, every month touching the period has a row, even an empty one;
    by staff or category only groups with tickets do. Staff is who handled the first contact; the
    category groups ignore case and spacing (the row is named after the first spelling met). The
    medians are over the eligible tickets of the row that have the value. ``windows`` is the history
    of R and N (None: those of ``settings`` all along); each ticket is judged by its own windows.

    ``known`` are results already worked out for tickets of the cohort (decided verdicts kept from an
    earlier report, which never change): taken as they are, and those tickets, if also among
    ``tickets``, are not classified again. A ticket not known is classified against the ``tickets``
    of its customer, so those must hold every ticket of that customer the period needs.
    """
    if period_start >= period_end:
        raise ValueError("The period must end after it starts.")
    if group_by not in ("month", "staff", "category"):
        raise ValueError(f"Group by month, staff or category, not {group_by!r}.")
    history = (windows or WindowsHistory.of(settings)).known_at(as_of)
    now = history.in_force_at(as_of)
    if (now.reopen_window_days, now.repeat_window_days) != (
        settings.reopen_window_days,
        settings.repeat_window_days,
    ):  # the report's settings say the windows in force at as_of, whatever they are today
        settings = replace(
            settings, reopen_window_days=now.reopen_window_days, repeat_window_days=now.repeat_window_days
        )
    all_tickets = list(tickets)
    by_customer: dict[int, list[TicketHistory]] = defaultdict(list)
    for ticket in all_tickets:
        by_customer[ticket.customer_id].append(ticket)
    found = list(known)
    known_ids = {result.ticket_id for result in found}
    for ticket in all_tickets:
        if ticket.id in known_ids:
            continue
        changes = _until(ticket.changes, as_of)
        resolved_at = _first_resolution(changes)
        if resolved_at is not None and period_start <= resolved_at < period_end:
            others = by_customer[ticket.customer_id]
            found.append(_classify(ticket, resolved_at, changes, others, settings, history, as_of))
    results = tuple(sorted(found, key=lambda r: r.ticket_id))
    groups: dict[str, list[FcrResult]] = {}
    if group_by == "month":
        groups = {month: [] for month in _months(period_start, period_end)}
    names: dict[str, str] = {}
    for result in results:
        key = _group_key(result, group_by)
        name = key if group_by == "month" else names.setdefault(key, _group_name(result, group_by))
        groups.setdefault(name, []).append(result)
    rows = tuple(_row(key, groups[key]) for key in sorted(groups))
    total = _row("total", list(results))
    return FcrReport(settings, period_start, period_end, as_of, group_by, rows, total, results, history)


@dataclass(frozen=True)
class WindowsUse:
    """Windows that judged tickets of a report: those decided from ``decided_from`` until (not
    including) ``decided_before``; None leaves that end open. The windows in force at the report's
    ``as_of`` also judge its provisional tickets. ``tickets`` counts the eligible tickets judged."""

    reopen_window_days: int
    repeat_window_days: int
    decided_from: dt.datetime | None
    decided_before: dt.datetime | None
    tickets: int

    @property
    def current(self) -> bool:
        return self.decided_before is None


def windows_used(report: FcrReport, results: Iterable[FcrResult] | None = None) -> tuple[WindowsUse, ...]:
    """Which windows judged the eligible tickets of ``results`` (default: the whole report): the windows
    in force at ``as_of`` first (always, even for no ticket), then each earlier value that judged at
    least one of them, newest first."""
    history = report.windows or WindowsHistory.of(report.settings)
    counts: dict[WindowsInForce, int] = defaultdict(int)
    for result in report.results if results is None else results:
        if result.eligible and result.windows is not None:
            counts[result.windows] += 1
    entries = history.entries
    uses = []
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        last = index == len(entries) - 1
        if not last and not counts[entry]:
            continue
        ends = None if last else entries[index + 1].since
        uses.append(
            WindowsUse(entry.reopen_window_days, entry.repeat_window_days, entry.since, ends, counts[entry])
        )
    return tuple(uses)


def _group_key(result: FcrResult, group_by: GroupBy) -> str:
    if group_by == "category":
        return category_key(result.category)
    return _group_name(result, group_by)


def _group_name(result: FcrResult, group_by: GroupBy) -> str:
    if group_by == "month":
        when = result.first_resolved_at
        assert when is not None
        return f"{when.year:04d}-{when.month:02d}"  # what strftime("%Y-%m") gives, at a fraction of the cost
    if group_by == "staff":
        return result.staff.strip() or "(unknown)"
    return " ".join(result.category.split()) or "(none)"


def _months(start: dt.datetime, end: dt.datetime) -> list[str]:
    """Every month from the one holding ``start`` to the one holding the last instant before ``end``."""
    last = end - dt.timedelta(microseconds=1)
    year, month = start.year, start.month
    months = []
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _row(key: str, results: Sequence[FcrResult]) -> FcrRow:
    # The properties ``eligible`` and ``decided``, spelled out: this runs over every ticket twice.
    eligible = [
        r for r in results if r.first_resolved_at is not None and r.exclusion is None and not r.set_aside
    ]
    net_base = [r for r in eligible if r.net_eligible]
    decided = [r for r in eligible if not r.provisional]
    later = [
        r.time_to_resolution
        for r in eligible
        if r.time_to_resolution is not None and not r.solved_in_first_contact
    ]
    excluded_by: dict[Exclusion, int] = defaultdict(int)
    for result in results:
        if result.exclusion is not None:
            excluded_by[result.exclusion] += 1
    return FcrRow(
        key=key,
        cohort=len(results),
        excluded=sum(excluded_by.values()),
        excluded_by=dict(excluded_by),
        eligible=len(eligible),
        not_resolvable=len(eligible) - len(net_base),
        provisional=len(eligible) - len(decided),
        decided=len(decided),
        one_touch=Rate(sum(1 for r in eligible if r.one_touch), len(eligible)),
        gross=Rate(sum(1 for r in eligible if r.gross), len(eligible)),
        net=Rate(sum(1 for r in net_base if r.gross), len(net_base)),
        strict=Rate(sum(1 for r in decided if r.strict is True), len(decided)),
        reopen=Rate(sum(1 for r in decided if r.reopened_within_window), len(decided)),
        repeat=Rate(sum(1 for r in decided if r.repeat_within_window), len(decided)),
        median_time_to_first_response=median_duration(
            [r.time_to_first_response for r in eligible if r.time_to_first_response is not None]
        ),
        median_time_to_resolution=median_duration(later),
        ticket_ids=tuple(r.ticket_id for r in results),
        shop_initiated=sum(1 for r in results if r.shop_initiated and r.exclusion is None),
        p90_time_to_resolution=percentile_duration(later, 90),
    )


def median_duration(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The median (the mean of the middle two for an even count), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_duration(values: Sequence[dt.timedelta], percent: int) -> dt.timedelta | None:
    """The nearest-rank percentile: the smallest value with at least ``percent`` % of the values at or
    below it (so the 90th of ten values is the ninth). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * percent / 100))
    return ordered[rank - 1]


# --- the owner's sentence and the tickets behind a figure ------------------------------------------

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def period_label(first_day: dt.date, last_day: dt.date, today: dt.date | None = None) -> str:
    """ "November" for one whole month of ``today``'s year, "November 2025" for another year's, else
    "1 November 2025 to 15 January 2026"."""
    next_day = last_day + dt.timedelta(days=1)
    if (
        first_day.day == 1
        and next_day.day == 1
        and (first_day.year, first_day.month)
        == (
            last_day.year,
            last_day.month,
        )
    ):
        name = _MONTH_NAMES[first_day.month - 1]
        return name if today is not None and today.year == first_day.year else f"{name} {first_day.year}"
    return f"{day_text(first_day)} to {day_text(last_day)}"


def day_text(day: dt.date) -> str:
    """ "3 March 2026", in English whatever the computer's locale (see :data:`_MONTH_NAMES`)."""
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def headline(row: FcrRow, settings: FcrSettings, label: str) -> str:
    """The one sentence an owner reads first, from gross FCR over the eligible tickets of ``row``:
    "November: 84 of 90 problems were solved without the customer having to come back (93 %); 28 are
    still within their 7-day window." """
    if row.eligible == 0:
        return f"{label}: no problem was solved in this period yet."
    problems = "problem was" if row.eligible == 1 else "problems were"
    percent = round(100 * row.gross.numerator / row.eligible)
    text = (
        f"{label}: {row.gross.numerator} of {row.eligible} {problems} solved without the customer having "
        f"to come back ({percent} %)"
    )
    days = max(settings.reopen_window_days, settings.repeat_window_days)
    if row.provisional:
        verb = "is" if row.provisional == 1 else "are"
        text += f"; {row.provisional} {verb} still within their {days}-day window"
    return text + "."


FIGURES: tuple[str, ...] = (
    "cohort", "excluded", "shop_initiated", "provisional", "one_touch", "gross", "net", "strict",
    "reopen", "repeat", "first_response", "resolution",
)  # fmt: skip
"""The figures of a row a person can ask "which tickets?" about (see :func:`tickets_behind`)."""


@dataclass(frozen=True)
class BehindFigure:
    """One ticket behind a figure: ``counts`` is True when it is in the figure's count, False when it
    is only in the base (the "of" part of a rate), None for a plain count."""

    result: FcrResult
    counts: bool | None


def tickets_behind(report: FcrReport, row: FcrRow, figure: str) -> tuple[BehindFigure, ...]:
    """The tickets behind one figure of ``row``: for a rate its base, each saying whether it counts;
    for a count or a time the tickets it is made of. The ticket order is the report's (by id)."""
    if figure not in FIGURES:
        raise ValueError(f"No figure called {figure!r}; the figures are: {', '.join(FIGURES)}.")
    by_id = {r.ticket_id: r for r in report.results}
    results = [by_id[i] for i in row.ticket_ids if i in by_id]
    base, counts = _figure_rule(figure)
    return tuple(BehindFigure(r, counts(r)) for r in results if base(r))


def _figure_rule(
    figure: str,
) -> tuple[Callable[[FcrResult], bool], Callable[[FcrResult], bool | None]]:
    def plain(_result: FcrResult) -> bool | None:
        return None

    decided: Callable[[FcrResult], bool] = lambda r: r.decided  # noqa: E731
    eligible: Callable[[FcrResult], bool] = lambda r: r.eligible  # noqa: E731
    rules: dict[str, tuple[Callable[[FcrResult], bool], Callable[[FcrResult], bool | None]]] = {
        "cohort": (lambda r: True, plain),
        "excluded": (lambda r: r.exclusion is not None, plain),
        "shop_initiated": (lambda r: r.shop_initiated and r.exclusion is None, plain),
        "provisional": (lambda r: r.eligible and r.provisional, plain),
        "one_touch": (eligible, lambda r: r.one_touch),
        "gross": (eligible, lambda r: r.gross),
        "net": (lambda r: r.eligible and r.net_eligible, lambda r: r.gross),
        "strict": (decided, lambda r: r.strict is True),
        "reopen": (decided, lambda r: r.reopened_within_window),
        "repeat": (decided, lambda r: r.repeat_within_window),
        "first_response": (lambda r: r.eligible and r.time_to_first_response is not None, plain),
        "resolution": (lambda r: r.eligible and not r.solved_in_first_contact, plain),
    }
    return rules[figure]


# --- backlog -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogBucket:
    """Open tickets whose age is at least ``min_days`` and less than ``max_days`` (None: no limit)."""

    label: str
    min_days: int
    max_days: int | None
    ticket_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ticket_ids)


def open_backlog_by_age(
    tickets: Iterable[TicketHistory],
    as_of: dt.datetime,
    buckets: Sequence[int] = DEFAULT_BACKLOG_BUCKETS,
) -> tuple[BacklogBucket, ...]:
    """Tickets open at ``as_of`` (opened by then, in an active state then, not excluded), by age.

    Age is ``as_of - opened_at`` (a reopened ticket keeps its age). ``buckets`` are the day limits in
    increasing order; (1, 3, 7) gives the buckets [0, 1), [1, 3), [3, 7) and 7 days or more.
    """
    limits = list(buckets)
    if not limits or limits[0] <= 0 or any(b >= a for a, b in zip(limits[1:], limits, strict=False)):
        raise ValueError("Backlog buckets are whole days above 0 in increasing order.")
    bounds: list[tuple[int, int | None]] = list(zip([0, *limits], [*limits, None], strict=True))
    found: dict[int, list[int]] = {index: [] for index in range(len(bounds))}
    for ticket in sorted(tickets, key=lambda t: t.id):
        if ticket.exclusion is not None or ticket.opened_at > as_of:
            continue
        if ticket.state_at(as_of) not in ACTIVE_STATES:
            continue
        age = as_of - ticket.opened_at
        for index, (low, high) in enumerate(bounds):
            if age >= dt.timedelta(days=low) and (high is None or age < dt.timedelta(days=high)):
                found[index].append(ticket.id)
                break
    return tuple(
        BacklogBucket(_bucket_label(low, high), low, high, tuple(found[index]))
        for index, (low, high) in enumerate(bounds)
    )


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+ days"
    if low == 0:
        return "under 1 day" if high == 1 else f"under {high} days"
    return f"{low}-{high} days"
