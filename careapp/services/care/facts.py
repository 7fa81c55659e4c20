"""What the touch rules and the care queue know about customers, loaded in bulk.

:func:`load_facts` builds :class:`~careapp.domain.touches.CustomerFacts` for every customer (or for
some) with one query per kind of fact, grouped in SQL or in one pass in Python: never one query per
customer. At 100,000 customers that is about a dozen queries whatever the history's size; for a
subset of customers the queries run per chunk of ids, or over everything when the subset is large;
for a slice of ids (:class:`IdRange`, see :func:`id_ranges`) once each over that range, which is
how a full refresh keeps only one slice of customers' facts in memory.

What goes into the facts, and why:

- ``last_contact`` is the latest of: any logged contact (a done touch writes one), a ticket opened,
  a ticket resolved or closed. Every one of them counts, however old, so a check-in's anchor (and
  so its key) is the same whichever run computes it.
- ``purchases`` are the purchases on or after ``window.purchases_since`` (follow-ups and feedback
  requests only look there) plus the customer's latest shop visit (for "last purchase" and the
  check-in anchor).
- ``tickets`` are the active ones and those resolved or closed since ``window.tickets_since``.
  Tickets merged into another or excluded (spam, no action needed) are left out altogether.
- ``open_complaint``: **any active ticket** (new, open, waiting on the customer or on a supplier)
  that is neither merged nor excluded. A shop's tickets are its customers' problems; while one is
  unsolved, a birthday card reads as not listening, whatever the ticket's category.
- ``interests`` are empty: careapp keeps a customer's interests as tags, and the rules read both.
- ``reachable`` follows the denormalised primary email and phone and the postal address.
- ``consents`` hold the latest answer per channel; its time (``since``) only for a "no" (when it was
  withdrawn or declined), read apart for those few.
- ``last_article_on`` is the due day of the newest article share ever generated for the customer.
- ``in_control_group``: the shop's control group setting (careapp/services/shop/control_group.py),
  read once per load; a stable draw from the customer's id, so it needs no query per customer.
- ``suggestion`` (only when the refresh passes the shop's :class:`SuggestionTable`, i.e. the "suggest a
  related product" rule is on): worked out from the categories the customer ever bought (refunds
  aside, one grouped query per slice) and that table, read once per refresh, never per customer.
- ``rewards`` are the rewards waiting for the customer: EARNED rows of the rewards ledger that no
  later row closed. The ledger is written by careapp/services/rewards, which notes the customers it
  wrote for in ``care_dirty`` (there is no trigger on the ledger), so a refresh sees them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, exists, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from careapp.db.models import (
    ConsentEventRecord,
    ContactRecord,
    CustomerRecord,
    DateRecord,
    PurchaseRecord,
    RewardLedgerRecord,
    TagRecord,
    TicketRecord,
    TicketStateChangeRecord,
    TouchRecord,
)
from careapp.domain.customer import (
    Channel,
    ConsentState,
    DateKind,
    ImportantDate,
    InvalidDate,
    LoyaltyStage,
    PartialDate,
    Purchase,
)
from careapp.domain.recurrence import local_date
from careapp.domain.tickets import ACTIVE_STATES, Direction, TicketState
from careapp.domain.touches import (
    CallbackFact,
    CustomerFacts,
    QuietProfile,
    Referral,
    RewardFact,
    TicketFact,
    TouchKind,
)
from careapp.domain.value import SuggestionTable
from careapp.services.shop.control_group import read_control_group

_CHUNK = 900
# Above this many ids, one pass over a whole table beats many chunked queries.
_ALL_ABOVE = 20_000
_ACTIVE = [s.value for s in ACTIVE_STATES]
_DONE = [TicketState.RESOLVED.value, TicketState.CLOSED.value]


@dataclass(frozen=True)
class FactWindow:
    """How far back the loads look for what only matters recently (local days)."""

    purchases_since: dt.date
    tickets_since: dt.date
    referrals_since: dt.date


@dataclass(frozen=True)
class CustomerExtras:
    """What the queue shows beside a touch that the facts do not hold directly."""

    name: str
    open_tickets: int = 0
    email: str = ""
    phone: str = ""


@dataclass
class LoadedFacts:
    """The facts by customer id, plus the display extras."""

    facts: dict[int, CustomerFacts] = field(default_factory=dict)
    extras: dict[int, CustomerExtras] = field(default_factory=dict)


def _utc(day: dt.date) -> dt.datetime:
    """A naive-UTC moment safely before the local ``day`` starts anywhere (a day early)."""
    return dt.datetime.combine(day - dt.timedelta(days=1), dt.time())


@dataclass(frozen=True)
class IdRange:
    """Customers ``first`` to ``last`` (ids, both included): one slice of a pass over everyone."""

    first: int
    last: int


def id_ranges(session: Session, size: int) -> list[IdRange]:
    """Every customer, in slices of at most ``size`` customers, by id."""
    ids = list(session.scalars(select(CustomerRecord.id).order_by(CustomerRecord.id)))
    return [IdRange(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


class _Loader:
    """Runs one statement per chunk of ids (or once over everything, or once over a range of ids)."""

    def __init__(
        self, session: Session, ids: Collection[int] | None, id_range: IdRange | None = None
    ) -> None:
        self.session = session
        self.ids = None if ids is None or len(ids) > _ALL_ABOVE else sorted(set(ids))
        self.wanted = None if ids is None else set(ids)
        self.id_range = id_range

    def rows(self, statement: Select[*tuple[Any, ...]], column: InstrumentedAttribute[Any]) -> Iterator[Any]:
        if self.id_range is not None:
            first, last = self.id_range.first, self.id_range.last
            ranged = self.session.execute(statement.where(column.between(first, last)))
            if self.wanted is None:
                yield from ranged
            else:  # some of the range's customers: one pass over the range, the others dropped
                yield from (row for row in ranged if getattr(row, column.key) in self.wanted)
            return
        if self.ids is None:
            for row in self.session.execute(statement):
                if self.wanted is None or getattr(row, column.key) in self.wanted:
                    yield row
            return
        for start in range(0, len(self.ids), _CHUNK):
            chunk = self.ids[start : start + _CHUNK]
            yield from self.session.execute(statement.where(column.in_(chunk)))


def load_facts(
    session: Session,
    tz: dt.tzinfo,
    window: FactWindow,
    customer_ids: Collection[int] | None = None,
    callbacks: Iterable[tuple[int, CallbackFact]] = (),
    id_range: IdRange | None = None,
    suggestions: SuggestionTable | None = None,
) -> LoadedFacts:
    """Facts for ``customer_ids`` (None: every customer; ``id_range``: the customers in that range of
    ids, or those of ``customer_ids`` in it). ``callbacks`` are (customer id, fact) pairs. ``suggestions``:
    the shop's table of strong "often bought next" moves, to fill in each customer's suggestion."""
    loader = _Loader(session, customer_ids, id_range)
    day: Callable[[dt.datetime], dt.date] = lambda moment: local_date(moment, tz)  # noqa: E731
    loaded = LoadedFacts()
    customers = _customers(loader, loaded)
    if not customers:
        return loaded
    parts: dict[int, dict[str, Any]] = defaultdict(dict)
    _dates(loader, parts)
    _tags(loader, parts)
    _consents(loader, parts)
    _purchases(loader, window, parts)
    last = _last_contacts(loader, day)
    _tickets(loader, window, day, parts, loaded)
    _referrals(loader, window, day, parts)
    _last_articles(loader, parts)
    _waiting_rewards(loader, parts)
    bought = _categories(loader) if suggestions is not None and suggestions.moves else {}
    control = read_control_group(session)
    for customer_id, callback in callbacks:
        parts[customer_id].setdefault("callbacks", []).append(callback)
    empty: dict[str, Any] = {}
    for row in customers:
        found = parts.get(row.id, empty)
        loaded.facts[row.id] = CustomerFacts(
            id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            birthday=_partial(row.birthday_month, row.birthday_day, row.birthday_year),
            dates=tuple(found.get("dates", ())),
            tags=frozenset(found.get("tags", ())),
            stage=_STAGES.get(row.loyalty_stage, LoyaltyStage.PROSPECT),
            consents=tuple(found.get("consents", ())),
            reachable=_reachable(row),
            known_since=day(row.created_at) if row.created_at else None,
            last_contact=last.get(row.id),
            purchases=tuple(found.get("purchases", ())),
            referrals=tuple(found.get("referrals", ())),
            tickets=tuple(found.get("tickets", ())),
            callbacks=tuple(found.get("callbacks", ())),
            open_complaint=found.get("open_complaint", False),
            last_article_on=found.get("last_article_on"),
            rewards=tuple(found.get("rewards", ())),
            in_control_group=control.holds(row.id),
            suggestion=suggestions.suggest(bought[row.id]) if suggestions and row.id in bought else None,
        )
    return loaded


def load_planning_facts(
    session: Session,
    tz: dt.tzinfo,
    window: FactWindow,
    customer_ids: Collection[int],
    anchors: Mapping[int, dt.date | None],
) -> LoadedFacts:
    """Only what planning reads (careapp.domain.care_queue: the name, consents and reachable channels,
    an open complaint, the rewards waiting, the control group, the check-in's anchor), for customers
    whose last real contact the refresh has kept in ``anchors`` (``care_wake.anchor_on``, up to date
    for every customer not changed since the last refresh). That anchor stands in for the latest
    contact, ticket and purchase, the groupings that cost most; dates, tags, referrals, articles and
    suggestions are left empty: planning never reads them."""
    loader = _Loader(session, customer_ids)
    day: Callable[[dt.datetime], dt.date] = lambda moment: local_date(moment, tz)  # noqa: E731
    loaded = LoadedFacts()
    customers = _customers(loader, loaded)
    if not customers:
        return loaded
    parts: dict[int, dict[str, Any]] = defaultdict(dict)
    _consents(loader, parts)
    _tickets(loader, window, day, parts, loaded)
    _waiting_rewards(loader, parts)
    control = read_control_group(session)
    empty: dict[str, Any] = {}
    for row in customers:
        found = parts.get(row.id, empty)
        loaded.facts[row.id] = CustomerFacts(
            id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            stage=_STAGES.get(row.loyalty_stage, LoyaltyStage.PROSPECT),
            consents=tuple(found.get("consents", ())),
            reachable=_reachable(row),
            last_contact=anchors.get(row.id),
            tickets=tuple(found.get("tickets", ())),
            open_complaint=found.get("open_complaint", False),
            rewards=tuple(found.get("rewards", ())),
            in_control_group=control.holds(row.id),
        )
    return loaded


@dataclass
class QuietSplit:
    """A slice of customers split into the quiet (see :class:`~careapp.domain.touches.QuietProfile`),
    grouped by profile, and the rest, whose facts need loading in full."""

    quiet: dict[QuietProfile, list[int]] = field(default_factory=dict)
    others: set[int] = field(default_factory=set)

    def anchors(self) -> dict[int, dt.date | None]:
        """Their last real contact: the day the shop got to know them (:func:`last_real_contact`)."""
        return {i: profile.known_since for profile, ids in self.quiet.items() for i in ids}


# Where a row gives its customer something dated: any row there makes the customer not quiet.
_DATED = (
    (CustomerRecord, "id", "birthday_month IS NOT NULL"),
    (CustomerRecord, "referred_by_id", ""),
    (DateRecord, "customer_id", ""),
    (PurchaseRecord, "customer_id", ""),
    (ContactRecord, "customer_id", ""),
    (TicketRecord, "customer_id", ""),
    (TicketStateChangeRecord, "customer_id", ""),
    (TouchRecord, "customer_id", ""),
    (RewardLedgerRecord, "customer_id", ""),
)


def split_quiet(
    session: Session, tz: dt.tzinfo, id_range: IdRange, busy: Collection[int] = (), with_tags: bool = True
) -> QuietSplit:
    """The customers in ``id_range`` with nothing dated (quiet), grouped by what the rules need of
    them (stage, first known day, tags: left empty unless ``with_tags``), and the others (``busy``:
    also counted as others, e.g. those with a promised callback). One indexed read per table that can
    give a customer a touch: a customer with a row in any of them is not quiet, which errs only
    towards loading more facts.

    Plain SQL through the driver, with the range's two ids (integers) written in: these reads pass
    over every customer of a fresh import, and SQLAlchemy's rows cost three times the driver's
    tuples (0.5 against 0.16 s for 100,000)."""
    first, last = int(id_range.first), int(id_range.last)
    connection = session.connection()

    def read(sql: str) -> list[Any]:
        return list(connection.exec_driver_sql(sql).all())

    dated = " UNION ".join(
        f"SELECT {column} FROM {model.__tablename__} WHERE {column} BETWEEN {first} AND {last}"
        + (f" AND {condition}" if condition else "")
        for model, column, condition in _DATED
    )
    others: set[int] = {i for (i,) in read(dated) if i is not None}
    others.update(i for i in busy if first <= i <= last)
    tags: dict[int, list[str]] = defaultdict(list)
    if with_tags:
        table = TagRecord.__tablename__
        for customer_id, tag in read(
            f"SELECT customer_id, tag FROM {table} WHERE customer_id BETWEEN {first} AND {last}"
        ):
            if customer_id not in others:
                tags[customer_id].append(tag)
    split = QuietSplit(others=others)
    profiles: dict[tuple[Any, ...], list[int]] = {}  # an import's customers share a handful of moments
    table = CustomerRecord.__tablename__
    for customer_id, stage, created_at in read(
        f"SELECT id, loyalty_stage, created_at FROM {table} WHERE id BETWEEN {first} AND {last}"
    ):
        if customer_id not in others:
            key = (stage, created_at, frozenset(tags[customer_id]) if customer_id in tags else _NO_TAGS)
            profiles.setdefault(key, []).append(customer_id)
    for (stage, created_at, tagged_with), ids in profiles.items():
        known_since = None if created_at is None else local_date(_moment(created_at), tz)
        profile = QuietProfile(_STAGES.get(stage, LoyaltyStage.PROSPECT), known_since, tagged_with)
        split.quiet.setdefault(profile, []).extend(ids)
    return split


_NO_TAGS: frozenset[str] = frozenset()


def _moment(stored: str | dt.datetime) -> dt.datetime:
    """A naive UTC moment as the driver gives it: SQLite's stored text (``2026-12-07
    10:00:00.123456``), PostgreSQL's a datetime."""
    return stored if isinstance(stored, dt.datetime) else dt.datetime.fromisoformat(stored)


_STAGES = {s.value: s for s in LoyaltyStage}
_CHANNELS = {c.value: c for c in Channel}


def _customers(loader: _Loader, loaded: LoadedFacts) -> list[Any]:
    c = CustomerRecord
    statement = select(
        c.id, c.first_name, c.last_name, c.display_name, c.birthday_month, c.birthday_day, c.birthday_year,
        c.loyalty_stage, c.created_at, c.primary_email, c.primary_phone,
        c.street, c.city, c.region, c.postcode, c.country,
    )  # fmt: skip
    rows = list(loader.rows(statement, c.id))
    for row in rows:
        loaded.extras[row.id] = CustomerExtras(row.display_name, 0, row.primary_email, row.primary_phone)
    return rows


_REACHABLE: dict[tuple[bool, bool, bool], frozenset[Channel]] = {}


def _reachable(row: Any) -> frozenset[Channel]:
    """The channels the shop has details for (the sets are shared: there are only eight)."""
    key = (
        bool(row.primary_email),
        bool(row.primary_phone),
        any((row.street, row.city, row.region, row.postcode, row.country)),
    )
    found = _REACHABLE.get(key)
    if found is None:
        channels = {Channel.EMAIL} if key[0] else set()
        if key[1]:
            channels |= {Channel.SMS, Channel.PHONE}
        if key[2]:
            channels.add(Channel.POST)
        found = _REACHABLE[key] = frozenset(channels)
    return found


def _partial(month: int | None, day: int | None, year: int | None) -> PartialDate | None:
    if month is None or day is None:
        return None
    try:
        return PartialDate(month, day, year)
    except InvalidDate:
        return None


def _dates(loader: _Loader, parts: dict[int, dict[str, Any]]) -> None:
    d = DateRecord
    statement = select(d.customer_id, d.kind, d.label, d.month, d.day, d.year).order_by(d.id)
    for row in loader.rows(statement, d.customer_id):
        date = _partial(row.month, row.day, row.year)
        try:
            kind = DateKind(row.kind)
        except ValueError:
            continue
        if date is not None:
            parts[row.customer_id].setdefault("dates", []).append(ImportantDate(kind, date, row.label))


def _tags(loader: _Loader, parts: dict[int, dict[str, Any]]) -> None:
    for row in loader.rows(select(TagRecord.customer_id, TagRecord.tag), TagRecord.customer_id):
        parts[row.customer_id].setdefault("tags", []).append(row.tag)


def _consents(loader: _Loader, parts: dict[int, dict[str, Any]]) -> None:
    e = ConsentEventRecord
    # Only the latest answer per channel counts; when it was given is not needed here (and reading
    # a quarter of a million times costs more than everything else about consents).
    statement = select(e.customer_id, e.channel, e.granted).order_by(e.customer_id, e.at, e.id)
    latest: dict[tuple[int, str], bool] = {}
    for customer_id, channel, granted in loader.rows(statement, e.customer_id):
        latest[customer_id, channel] = bool(granted)
    withdrawn_on = _withdrawals(loader, {key for key, granted in latest.items() if not granted})
    for (customer_id, value), granted in latest.items():
        channel = _CHANNELS.get(value)
        if channel is not None:
            since = withdrawn_on.get((customer_id, value))
            parts[customer_id].setdefault("consents", []).append(ConsentState(channel, granted, since))


def _withdrawals(loader: _Loader, declined: set[tuple[int, str]]) -> dict[tuple[int, str], dt.datetime]:
    """When each of these latest "no" answers was given (a touch held for a withdrawal is shown for 30
    days from then). Read apart, for the few customers who said no, because reading every answer's
    time costs more than everything else about consents."""
    if not declined:
        return {}
    e = ConsentEventRecord
    statement = (
        select(e.customer_id, e.channel, func.max(e.at).label("at"))
        .where(e.granted.is_(False))
        .group_by(e.customer_id, e.channel)
    )
    return {
        (row.customer_id, row.channel): row.at
        for row in loader.rows(statement, e.customer_id)
        if (row.customer_id, row.channel) in declined
    }


def _purchase(row: Any) -> Purchase:
    return Purchase(row.date, row.item, row.category, Decimal(row.amount_cents) / 100, row.id)


def _purchases(loader: _Loader, window: FactWindow, parts: dict[int, dict[str, Any]]) -> None:
    p = PurchaseRecord
    columns = (p.id, p.customer_id, p.date, p.item, p.category, p.amount_cents)
    found: dict[int, dict[int, Purchase]] = defaultdict(dict)
    for row in loader.rows(select(*columns).where(p.date >= window.purchases_since), p.customer_id):
        found[row.customer_id][row.id] = _purchase(row)
    # The latest visit: one index seek per purchase (ix_purchase_customer_date), however many chunks.
    other = aliased(PurchaseRecord)
    latest = select(func.max(other.date)).where(other.customer_id == p.customer_id).scalar_subquery()
    last_visit = select(*columns).where(p.date == latest)
    for row in loader.rows(last_visit, p.customer_id):
        found[row.customer_id][row.id] = _purchase(row)
    for customer_id, by_id in found.items():
        parts[customer_id]["purchases"] = sorted(by_id.values(), key=lambda x: (x.date, x.id or 0))


def _last_contacts(loader: _Loader, day: Callable[[dt.datetime], dt.date]) -> dict[int, dt.date]:
    """The latest contact, ticket opened, or ticket resolved or closed, per customer (local day)."""
    last: dict[int, dt.date] = {}

    def note(customer_id: int, moment: dt.datetime | None) -> None:
        if moment is not None:
            when = day(moment)
            if customer_id not in last or when > last[customer_id]:
                last[customer_id] = when

    c, t, s = ContactRecord, TicketRecord, TicketStateChangeRecord
    # A snooze or skip is an internal note: nobody was reached, so it does not reset the check-in.
    contacts = (
        select(c.customer_id, func.max(c.at).label("at"))
        .where(c.direction != Direction.INTERNAL.value)
        .group_by(c.customer_id)
    )
    for row in loader.rows(contacts, c.customer_id):
        note(row.customer_id, row.at)
    counted = (t.merged_into_id.is_(None)) & (t.exclusion.is_(None))
    opened = select(t.customer_id, func.max(t.opened_at).label("at")).where(counted).group_by(t.customer_id)
    for row in loader.rows(opened, t.customer_id):
        note(row.customer_id, row.at)
    resolved = (
        select(s.customer_id, func.max(s.at).label("at")).where(s.new.in_(_DONE)).group_by(s.customer_id)
    )
    for row in loader.rows(resolved, s.customer_id):
        note(row.customer_id, row.at)
    return last


def _tickets(
    loader: _Loader,
    window: FactWindow,
    day: Callable[[dt.datetime], dt.date],
    parts: dict[int, dict[str, Any]],
    loaded: LoadedFacts,
) -> None:
    t, s = TicketRecord, TicketStateChangeRecord
    counted = (t.merged_into_id.is_(None)) & (t.exclusion.is_(None))
    recent = select(s.ticket_id).where(s.new.in_(_DONE), s.at >= _utc(window.tickets_since))
    statement = select(t.id, t.customer_id, t.opened_at, t.state).where(
        counted, t.state.in_(_ACTIVE) | (t.state.in_(_DONE) & t.id.in_(recent))
    )
    rows = list(loader.rows(statement, t.customer_id))
    done_ids = [r.id for r in rows if r.state in _DONE]
    resolved_at = _resolution_times(loader.session, done_ids)
    open_counts: dict[int, int] = defaultdict(int)
    for row in rows:
        active = row.state in _ACTIVE
        when = resolved_at.get(row.id)
        fact = TicketFact(row.id, day(row.opened_at), None if active or when is None else day(when))
        parts[row.customer_id].setdefault("tickets", []).append(fact)
        if active:
            open_counts[row.customer_id] += 1
    for customer_id, count in open_counts.items():
        parts[customer_id]["open_complaint"] = True
        extras = loaded.extras.get(customer_id)
        if extras is not None:
            loaded.extras[customer_id] = replace(extras, open_tickets=count)


def _resolution_times(session: Session, ticket_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each ticket was last resolved (or, never resolved, last closed)."""
    s = TicketStateChangeRecord
    found: dict[int, dt.datetime] = {}
    closed: dict[int, dt.datetime] = {}
    for start in range(0, len(ticket_ids), _CHUNK):
        chunk = ticket_ids[start : start + _CHUNK]
        statement = (
            select(s.ticket_id, s.new, func.max(s.at).label("at"))
            .where(s.ticket_id.in_(chunk), s.new.in_(_DONE))
            .group_by(s.ticket_id, s.new)
        )
        for row in session.execute(statement):
            (found if row.new == TicketState.RESOLVED.value else closed)[row.ticket_id] = row.at
    return {**closed, **found}


def _referrals(
    loader: _Loader,
    window: FactWindow,
    day: Callable[[dt.datetime], dt.date],
    parts: dict[int, dict[str, Any]],
) -> None:
    c = CustomerRecord
    statement = select(c.id, c.referred_by_id, c.created_at, c.display_name).where(
        c.referred_by_id.is_not(None), c.created_at >= _utc(window.referrals_since)
    )
    for row in loader.rows(statement, c.referred_by_id):
        referral = Referral(row.id, day(row.created_at), row.display_name)
        parts[row.referred_by_id].setdefault("referrals", []).append(referral)


def _last_articles(loader: _Loader, parts: dict[int, dict[str, Any]]) -> None:
    t = TouchRecord
    statement = (
        select(t.customer_id, func.max(t.due).label("due"))
        .where(t.kind == TouchKind.ARTICLE_SHARE.value)
        .group_by(t.customer_id)
    )
    for row in loader.rows(statement, t.customer_id):
        parts[row.customer_id]["last_article_on"] = row.due


def _waiting_rewards(loader: _Loader, parts: dict[int, dict[str, Any]]) -> None:
    """Rewards earned and not closed (redeemed, expired, cancelled, taken back) by a later row."""
    r, closing = RewardLedgerRecord, aliased(RewardLedgerRecord)
    statement = (
        select(r.id, r.customer_id, r.offer_json, r.earned_on, r.at, r.expires_on, r.referred_customer_id)
        .where(r.event == "earned", ~exists().where(closing.reward_id == r.id))
        .order_by(r.id)
    )
    for row in loader.rows(statement, r.customer_id):
        wording = str(json.loads(row.offer_json or "{}").get("wording", ""))
        earned_on = row.earned_on or row.at.date()
        fact = RewardFact(row.id, wording, earned_on, row.expires_on, row.referred_customer_id)
        parts[row.customer_id].setdefault("rewards", []).append(fact)


def _categories(loader: _Loader) -> dict[int, set[str]]:
    """The categories each customer ever bought (refunds aside)."""
    p = PurchaseRecord
    statement = select(p.customer_id, p.category).where(p.amount_cents >= 0, p.category != "").distinct()
    found: dict[int, set[str]] = defaultdict(set)
    for row in loader.rows(statement, p.customer_id):
        found[row.customer_id].add(row.category)
    return found


def suggestion_source(session: Session) -> list[tuple[int, str, dt.date]]:
    """(customer, category, first day they bought it) over every purchase with a category (refunds
    aside): what :func:`careapp.domain.value.next_table` counts the shop's moves from. Days are read
    as text and parsed once each (a few thousand days, up to a million rows)."""
    p = PurchaseRecord
    first = func.min(type_coerce(p.date, String))
    statement = (
        select(p.customer_id, p.category, first)
        .where(p.amount_cents >= 0, p.category != "")
        .group_by(p.customer_id, p.category)
    )
    parsed: dict[object, dt.date] = {}
    rows = []
    for customer_id, category, day in session.execute(statement):
        if day not in parsed:
            parsed[day] = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        rows.append((customer_id, category, parsed[day]))
    return rows
