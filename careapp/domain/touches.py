"""Touch rules and the touches they make due: pure, deterministic, never generated twice.

A *touch* is a personal contact the shop makes. Rules (:class:`TouchRules`, see
:func:`default_rules`) turn what the shop knows about its customers (:class:`CustomerFacts`) into
:class:`DueTouch` items with :func:`generate_due_touches`. Whether a due touch may actually be made
(consent, the marketing cap, an open complaint, the daily limit) is decided later, by
``careapp.domain.care_queue.plan_queue``.

Every due touch carries a stable ``key`` naming *what* it is about, never *when* it is due::

    birthday:<customer>:<year of the birthday>
    important_date:<customer>:<date kind>:<label>:<year>
    follow_up:<first purchase id of that customer's purchases that day>
    feedback:purchase:<first purchase id of that day>      feedback:ticket:<ticket id>
    check_in:<customer>:<date of the last real contact>
    article:<article id>:<customer>
    referral_thanks:<referred customer id>
    reward_expiring:<reward id (its EARNED ledger row)>
    reward_waiting:<reward id (its EARNED ledger row)>
    related_product:<customer>:<category suggested> (so a category is suggested to a customer once)
    callback:<callback id>

The store keeps every key it was ever given, whatever became of the touch (done, skipped,
cancelled). Passing those keys back in as ``already_generated_keys`` means restarts and rule edits
never produce a touch twice: a rule edit moves the due dates of touches not generated yet, and
touches already generated keep theirs. The birthday key holds the birthday's *year*, not its date,
so changing the 29 February setting, the lead time or even the birthday itself cannot produce a
second greeting in the same year.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from careapp.domain.customer import (
    Channel,
    ConsentState,
    Customer,
    DateKind,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    Purchase,
    normalize_tag,
)
from careapp.domain.recurrence import (
    Feb29Rule,
    add_days,
    is_recurrence_year,
    long_date,
    occurrence_in_year,
    years_on,
)
from careapp.domain.value import SUGGEST_MIN_CUSTOMERS, SUGGEST_MIN_LIFT, Suggestion


class TouchKind(StrEnum):
    """The kinds of personal touch; see MARKETING_KINDS and CHEERFUL_KINDS for how each is treated."""

    BIRTHDAY = "birthday"
    IMPORTANT_DATE = "important_date"
    PURCHASE_FOLLOW_UP = "purchase_follow_up"
    CHECK_IN = "check_in"
    ARTICLE_SHARE = "article_share"
    REFERRAL_THANKS = "referral_thanks"
    FEEDBACK_REQUEST = "feedback_request"
    CALLBACK = "callback"
    REWARD_EXPIRING = "reward_expiring"
    REWARD_WAITING = "reward_waiting"
    RELATED_PRODUCT = "related_product"


# Marketing touches need consent on the channel they use and count towards the shop-wide cap.
# Every kind the shop starts is marketing; only a callback, which the customer asked for, is service.
MARKETING_KINDS: frozenset[TouchKind] = frozenset(TouchKind) - {TouchKind.CALLBACK}

# Cheerful touches wait while the customer has an open complaint: a birthday card or a "how did we
# do?" while a problem is unsolved reads as not listening. A purchase follow-up ("is the new
# kettle working well?") is a service question and may help, so it is not held; nor is a callback.
CHEERFUL_KINDS: frozenset[TouchKind] = frozenset(
    {
        TouchKind.BIRTHDAY,
        TouchKind.IMPORTANT_DATE,
        TouchKind.CHECK_IN,
        TouchKind.ARTICLE_SHARE,
        TouchKind.REFERRAL_THANKS,
        TouchKind.FEEDBACK_REQUEST,
        TouchKind.RELATED_PRODUCT,  # an offer while a problem is unsolved reads as not listening
    }
)

KIND_TITLES: Mapping[TouchKind, str] = {
    TouchKind.BIRTHDAY: "Birthday greeting",
    TouchKind.IMPORTANT_DATE: "Anniversary",
    TouchKind.PURCHASE_FOLLOW_UP: "Purchase follow-up",
    TouchKind.CHECK_IN: "Check-in",
    TouchKind.ARTICLE_SHARE: "Article to share",
    TouchKind.REFERRAL_THANKS: "Thank-you for a referral",
    TouchKind.FEEDBACK_REQUEST: "Feedback request",
    TouchKind.CALLBACK: "Callback",
    TouchKind.REWARD_EXPIRING: "Reward about to expire",
    TouchKind.REWARD_WAITING: "Reward waiting",
    TouchKind.RELATED_PRODUCT: "Suggest a related product",
}


def is_marketing(kind: TouchKind) -> bool:
    return kind in MARKETING_KINDS


def is_cheerful(kind: TouchKind) -> bool:
    return kind in CHEERFUL_KINDS


# ---------------------------------------------------------------------------------------------
# What the rules read: plain facts about one customer.


@dataclass(frozen=True)
class Referral:
    """The customer referred someone: ``referred_customer_id`` came in on ``on``."""

    referred_customer_id: int
    on: dt.date
    referred_name: str = ""


@dataclass(frozen=True)
class TicketFact:
    """One of the customer's tickets; ``resolved_on`` is None while it is open."""

    id: int
    opened_on: dt.date
    resolved_on: dt.date | None = None


@dataclass(frozen=True)
class CallbackFact:
    """A callback staff promised. ``due_at`` (timezone-aware) when a time was promised.

    ``due_on`` is the local day; when ``due_at`` is given the care queue goes by ``due_at``.
    """

    id: int
    due_on: dt.date
    due_at: dt.datetime | None = None
    note: str = ""
    channel: Channel = Channel.PHONE

    def __post_init__(self) -> None:
        if self.due_at is not None and self.due_at.utcoffset() is None:
            raise ValueError("a callback time needs a time zone")


@dataclass(frozen=True)
class RewardFact:
    """A reward waiting for the customer (earned, not yet redeemed, expired, cancelled or taken back):
    ``id`` is its EARNED row in the rewards ledger; ``referred_customer_id`` when a referral earned it."""

    id: int
    wording: str
    earned_on: dt.date
    expires_on: dt.date | None = None
    referred_customer_id: int | None = None


def reward_note(rewards: Sequence[RewardFact]) -> str:
    """ "1 reward waiting: a free coffee, expires 3 Mar 2027" (or ""), for what to know about them."""
    if not rewards:
        return ""
    phrases = [
        r.wording + (f", expires {r.expires_on.day} {r.expires_on:%b %Y}" if r.expires_on else "")
        for r in sorted(rewards, key=lambda r: (r.expires_on or dt.date.max, r.id))
    ]
    noun = "reward" if len(rewards) == 1 else "rewards"
    return f"{len(rewards)} {noun} waiting: " + "; ".join(phrases)


@dataclass(frozen=True)
class CustomerFacts:
    """What the touch rules and the care queue need to know about one customer.

    ``consents`` holds the current answer per channel; only an explicit grant counts as consent.
    ``reachable`` is the channels the shop has details for (an address, a number).
    ``last_contact`` is the latest logged contact or done touch; purchases and tickets are added
    to it by :func:`last_real_contact`. ``last_article_on`` is the due date of the newest article
    touch ever generated for the customer (it spaces article shares out).
    """

    id: int
    first_name: str = ""
    last_name: str = ""
    birthday: PartialDate | None = None
    dates: tuple[ImportantDate, ...] = ()
    tags: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    stage: LoyaltyStage = LoyaltyStage.CUSTOMER
    consents: tuple[ConsentState, ...] = ()
    reachable: frozenset[Channel] = frozenset(Channel)
    known_since: dt.date | None = None
    last_contact: dt.date | None = None
    purchases: tuple[Purchase, ...] = ()
    referrals: tuple[Referral, ...] = ()
    tickets: tuple[TicketFact, ...] = ()
    callbacks: tuple[CallbackFact, ...] = ()
    open_complaint: bool = False
    last_article_on: dt.date | None = None
    rewards: tuple[RewardFact, ...] = ()
    in_control_group: bool = False  # the shop's control group: marketing touches skip them
    # The category to suggest (from their own categories and the shop's table of strong "often bought
    # next" moves: careapp.domain.value.SuggestionTable); None unless the rule is on and one is strong.
    suggestion: Suggestion | None = None

    def consent(self, channel: Channel) -> ConsentState | None:
        return next((c for c in self.consents if c.channel is channel), None)

    def has_consent(self, channel: Channel) -> bool:
        state = self.consent(channel)
        return state is not None and state.granted is True

    def name(self) -> str:
        return " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p) or "this customer"

    def topics(self) -> frozenset[str]:
        """Interests and tags, normalised, for matching articles."""
        return frozenset(normalize_tag(t) for t in self.interests | self.tags if normalize_tag(t))


def facts_from_customer(
    customer: Customer,
    *,
    purchases: Sequence[Purchase] = (),
    last_contact: dt.date | None = None,
    tickets: Sequence[TicketFact] = (),
    referrals: Sequence[Referral] = (),
    callbacks: Sequence[CallbackFact] = (),
    open_complaint: bool = False,
    last_article_on: dt.date | None = None,
    interests: Iterable[str] = (),
) -> CustomerFacts:
    """Facts from a stored customer plus what the services know from other tables."""
    reachable: set[Channel] = set()
    if customer.emails:
        reachable.add(Channel.EMAIL)
    if customer.phones:
        reachable |= {Channel.SMS, Channel.PHONE}
    if not customer.address.is_empty():
        reachable.add(Channel.POST)
    return CustomerFacts(
        id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        birthday=customer.birthday,
        dates=tuple(customer.dates),
        tags=frozenset(customer.tags),
        interests=frozenset(interests),
        stage=customer.loyalty_stage,
        consents=tuple(customer.consents),
        reachable=frozenset(reachable),
        known_since=customer.created_at.date() if customer.created_at else None,
        last_contact=last_contact,
        purchases=tuple(purchases),
        referrals=tuple(referrals),
        tickets=tuple(tickets),
        callbacks=tuple(callbacks),
        open_complaint=open_complaint,
        last_article_on=last_article_on,
    )


def last_real_contact(facts: CustomerFacts) -> dt.date | None:
    """The last day the customer was actually in touch: a contact, a done touch, a purchase, a ticket.

    Falls back to the day the shop got to know them; None when nothing at all is known.
    """
    candidates = [d for d in (facts.last_contact, facts.known_since) if d is not None]
    candidates += [p.date for p in facts.purchases]
    for ticket in facts.tickets:
        candidates.append(ticket.opened_on)
        if ticket.resolved_on is not None:
            candidates.append(ticket.resolved_on)
    return max(candidates, default=None)


# ---------------------------------------------------------------------------------------------
# The content library.


@dataclass(frozen=True)
class Article:
    """An article, guide or video in the shop's content library."""

    id: int
    title: str
    link: str
    added_on: dt.date
    summary: str = ""
    topics: frozenset[str] = frozenset()

    def normalized_topics(self) -> frozenset[str]:
        return _normalized_topics(self.topics)


@functools.lru_cache(maxsize=1024)
def _normalized_topics(topics: frozenset[str]) -> frozenset[str]:
    """Asked for every customer of a refresh for each article: worked out once per set of topics
    (at 100,000 customers and six articles, 1.2 million normalisations were 8 s of a full refresh)."""
    return frozenset(tag for tag in (normalize_tag(t) for t in topics) if tag)


# ---------------------------------------------------------------------------------------------
# The rules, each with good defaults.

_CARD = (Channel.EMAIL, Channel.SMS, Channel.POST)
_NOTE = (Channel.EMAIL, Channel.SMS)
_TALK = (Channel.EMAIL, Channel.SMS, Channel.PHONE)


def _check_days(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name.replace('_', ' ')} cannot be negative")


@dataclass(frozen=True)
class BirthdayRule:
    """A birthday greeting, due ``days_ahead`` days before the birthday (0: on the day)."""

    enabled: bool = True
    days_ahead: int = 0
    channels: tuple[Channel, ...] = _CARD

    def __post_init__(self) -> None:
        _check_days(days_ahead=self.days_ahead)


@dataclass(frozen=True)
class ImportantDateRule:
    """Yearly touches for the other dates that matter (customer since, anniversaries, custom)."""

    enabled: bool = True
    days_ahead: int = 0
    kinds: frozenset[DateKind] = frozenset(DateKind)
    channels: tuple[Channel, ...] = _CARD

    def __post_init__(self) -> None:
        _check_days(days_ahead=self.days_ahead)


@dataclass(frozen=True)
class FollowUpRule:
    """A follow-up some days after a purchase, by product category.

    ``days_by_category`` is matched case-insensitively; None there means "no follow-up for that
    category" (gift cards, say). Other categories use ``default_days`` (None: no follow-up).
    """

    enabled: bool = True
    default_days: int | None = 14
    days_by_category: Mapping[str, int | None] = field(default_factory=dict)
    channels: tuple[Channel, ...] = _TALK

    def __post_init__(self) -> None:
        _check_days(
            default_days=self.default_days, **{f"days for {k}": v for k, v in self.days_by_category.items()}
        )

    def days_for(self, category: str) -> int | None:
        wanted = normalize_tag(category)
        for name, days in self.days_by_category.items():
            if normalize_tag(name) == wanted:
                return days
        return self.default_days


@dataclass(frozen=True)
class Interval:
    """How long to let a customer go without contact: ideally ``ideal_days``, at most ``max_days``."""

    ideal_days: int
    max_days: int

    def __post_init__(self) -> None:
        if not 0 < self.ideal_days <= self.max_days:
            raise ValueError("the ideal interval must be at least a day and no longer than the maximum")


def _default_intervals() -> dict[LoyaltyStage, Interval]:
    return {
        LoyaltyStage.CUSTOMER: Interval(90, 150),
        LoyaltyStage.CLIENT: Interval(60, 90),
        LoyaltyStage.ADVOCATE: Interval(45, 75),
    }


@dataclass(frozen=True)
class CheckInRule:
    """Stay in touch: a check-in ``ideal_days`` after the last real contact, due by ``max_days``.

    A tag's interval wins over the stage's; with several matching tags the shortest ideal wins.
    Stages without an interval (by default suspects and prospects) get no check-ins.
    """

    enabled: bool = True
    by_stage: Mapping[LoyaltyStage, Interval] = field(default_factory=_default_intervals)
    by_tag: Mapping[str, Interval] = field(default_factory=dict)
    channels: tuple[Channel, ...] = (Channel.PHONE, Channel.EMAIL, Channel.SMS)

    def interval_for(self, stage: LoyaltyStage, tags: Iterable[str]) -> Interval | None:
        wanted = {normalize_tag(t) for t in tags}
        tagged = [iv for tag, iv in self.by_tag.items() if normalize_tag(tag) in wanted]
        if tagged:
            return min(tagged, key=lambda iv: (iv.ideal_days, iv.max_days))
        return self.by_stage.get(stage)


@dataclass(frozen=True)
class ArticleRule:
    """Share articles whose topics overlap a customer's interests or tags.

    At most one new article per customer per run, at least ``min_days_between`` apart, and only
    articles added in the last ``fresh_for_days`` days. An article goes to a customer once, ever.
    """

    enabled: bool = True
    min_days_between: int = 30
    fresh_for_days: int = 90
    channels: tuple[Channel, ...] = _NOTE

    def __post_init__(self) -> None:
        _check_days(min_days_between=self.min_days_between, fresh_for_days=self.fresh_for_days)


@dataclass(frozen=True)
class ReferralThanksRule:
    """Thank a customer ``days_after`` the person they referred came in."""

    enabled: bool = True
    days_after: int = 0
    channels: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS, Channel.POST, Channel.PHONE)

    def __post_init__(self) -> None:
        _check_days(days_after=self.days_after)


@dataclass(frozen=True)
class RewardReminderRule:
    """Remind a customer of a waiting reward ``days_before`` it expires (or when it is earned, if that
    is later). Rewards that never expire get no reminder: the till offers them at the next sale."""

    enabled: bool = True
    days_before: int = 7
    channels: tuple[Channel, ...] = _NOTE

    def __post_init__(self) -> None:
        _check_days(days_before=self.days_before)


@dataclass(frozen=True)
class RewardWaitingRule:
    """Tell a customer a reward waits for them, naming it, ``days_after`` it was earned: once per
    reward, while it can still be used. When the expiry reminder (:class:`RewardReminderRule`) would
    come on or before that day, it says the same thing, so this one is not made."""

    enabled: bool = True
    days_after: int = 1
    channels: tuple[Channel, ...] = _NOTE

    def __post_init__(self) -> None:
        _check_days(days_after=self.days_after)


@dataclass(frozen=True)
class RelatedProductRule:
    """Suggest a related product (off by default): ``days_after`` days after a customer's latest visit,
    the category they have not bought that buyers of what they bought most often go on to buy, when the
    move is strong: at least ``min_customers`` customers made it (bought the category on a later day
    than the one they had) and its lift, to a tenth, is ``min_lift`` or more (they go on to it that many
    times as often as customers in general buy it). Each category is suggested to a customer once. A
    marketing touch: consent, the cap, the complaint hold and the control group apply."""

    enabled: bool = False
    min_customers: int = SUGGEST_MIN_CUSTOMERS
    min_lift: float = SUGGEST_MIN_LIFT
    days_after: int = 21
    channels: tuple[Channel, ...] = _NOTE

    def __post_init__(self) -> None:
        _check_days(days_after=self.days_after)
        if self.min_customers < 1 or self.min_lift < 1:
            raise ValueError("a suggestion needs at least 1 customer and a lift of at least 1")


@dataclass(frozen=True)
class FeedbackRule:
    """Ask for feedback some days after a purchase or a resolved ticket (None: don't).

    After a purchase it is off by default: the follow-up already asks how it is going, and two
    touches per purchase would use up the marketing cap.
    """

    enabled: bool = True
    after_purchase_days: int | None = None
    after_ticket_days: int | None = 3
    channels: tuple[Channel, ...] = _NOTE

    def __post_init__(self) -> None:
        _check_days(after_purchase_days=self.after_purchase_days, after_ticket_days=self.after_ticket_days)


@dataclass(frozen=True)
class TouchRules:
    """All touch rules, plus where 29 February is observed in other years (a shop setting)."""

    birthday: BirthdayRule = field(default_factory=BirthdayRule)
    important_dates: ImportantDateRule = field(default_factory=ImportantDateRule)
    follow_up: FollowUpRule = field(default_factory=FollowUpRule)
    check_in: CheckInRule = field(default_factory=CheckInRule)
    articles: ArticleRule = field(default_factory=ArticleRule)
    referral_thanks: ReferralThanksRule = field(default_factory=ReferralThanksRule)
    feedback: FeedbackRule = field(default_factory=FeedbackRule)
    reward_expiring: RewardReminderRule = field(default_factory=RewardReminderRule)
    reward_waiting: RewardWaitingRule = field(default_factory=RewardWaitingRule)
    related_product: RelatedProductRule = field(default_factory=RelatedProductRule)
    feb29: Feb29Rule = Feb29Rule.FEB28


def default_rules(feb29: Feb29Rule = Feb29Rule.FEB28) -> TouchRules:
    return TouchRules(feb29=feb29)


# ---------------------------------------------------------------------------------------------
# What the rules produce.


@dataclass(frozen=True)
class DueTouch:
    """One touch a rule made due. ``key`` is stable: see the module docstring.

    ``occasion`` is the day the touch is about: the birthday or anniversary as observed that year,
    the purchase day, the day the ticket was resolved, the referral day, or, for a check-in, the
    last real contact it counts from. ``deadline`` is set for check-ins (the maximum interval):
    until then a check-in is due, not overdue. ``due_at`` is a promised callback time (aware).
    ``years`` is the age turned or the anniversary number (None when the year is unknown).
    ``label`` is the short human text: the date's title, the items bought, the article title,
    the referred person, the callback note.
    """

    key: str
    kind: TouchKind
    customer_id: int
    due: dt.date
    channels: tuple[Channel, ...]
    occasion: dt.date | None = None
    deadline: dt.date | None = None
    due_at: dt.datetime | None = None
    years: int | None = None
    label: str = ""
    purchase_ids: tuple[int, ...] = ()
    article_id: int | None = None
    ticket_id: int | None = None
    referred_customer_id: int | None = None
    date_kind: DateKind | None = None

    @property
    def is_marketing(self) -> bool:
        return is_marketing(self.kind)

    @property
    def is_cheerful(self) -> bool:
        return is_cheerful(self.kind)


def describe(touch: DueTouch) -> str:
    """One line for the care queue: ``Birthday greeting: turns 40``, ``Purchase follow-up: kettle``."""
    title = KIND_TITLES[touch.kind]
    detail = touch.label
    if touch.kind is TouchKind.BIRTHDAY:
        detail = f"turns {touch.years}" if touch.years is not None else ""
    elif touch.kind is TouchKind.IMPORTANT_DATE and touch.years is not None:
        detail = f"{touch.label}, {touch.years} {'year' if touch.years == 1 else 'years'}"
    elif touch.kind is TouchKind.REFERRAL_THANKS:
        detail = f"referred {touch.label}" if touch.label else ""
    elif touch.kind is TouchKind.REWARD_EXPIRING and touch.occasion is not None:
        detail = f"{touch.label}, expires {touch.occasion.day} {touch.occasion:%b}"
    elif touch.kind is TouchKind.REWARD_WAITING and touch.occasion is not None:
        detail = f"{touch.label}, earned {touch.occasion.day} {touch.occasion:%b}"
    return f"{title}: {detail}" if detail else title


def is_long_overdue(touch: DueTouch, today: dt.date) -> bool:
    """A check-in past its maximum interval (its ``deadline``): the customer has gone longer without
    a real contact than the rule allows. It stays one item for its customer (the key counts from the
    last contact), however long ago that was."""
    return touch.kind is TouchKind.CHECK_IN and touch.deadline is not None and today > touch.deadline


def describe_on(touch: DueTouch, today: dt.date) -> str:
    """:func:`describe` as the queue shows it on ``today``: a check-in past its maximum interval says
    it is long overdue and since when, ``Check-in: long overdue (last contact 2 June 2022)``, so an
    old check-in reads as one thing to catch up on rather than as a touch due today."""
    if is_long_overdue(touch, today) and touch.occasion is not None:
        return f"{KIND_TITLES[touch.kind]}: long overdue (last contact {long_date(touch.occasion)})"
    return describe(touch)


@dataclass(frozen=True)
class _Window:
    start: dt.date
    end: dt.date

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def generate_due_touches(
    customer_facts: Iterable[CustomerFacts],
    rules: TouchRules,
    articles: Sequence[Article],
    horizon_start: dt.date,
    horizon_end: dt.date,
    already_generated_keys: Collection[str],
) -> list[DueTouch]:
    """The touches that fall due from ``horizon_start`` to ``horizon_end`` and were never generated.

    Pass the day after the last run (or earlier) as ``horizon_start`` so touches missed while the
    app was closed still come, and ``today + 30`` as ``horizon_end`` to see the month ahead.
    What "falls due in the horizon" means, by kind:

    - birthdays and other yearly dates: the due day is on or before ``horizon_end`` and the date
      itself is on or after ``horizon_start`` (a longer lead time never skips a coming birthday);
    - follow-ups, feedback requests, referral thank-yous: the due day is inside the horizon;
    - check-ins: the due day is on or before ``horizon_end`` (a check-in stays due until done);
    - a reward's reminder and its waiting note: the due day is on or before ``horizon_end`` and the
      reward can still be used on ``horizon_start`` (a reward the ledger noticed late is not missed);
    - articles: see :class:`ArticleRule`; the due day is never before ``horizon_start``;
    - callbacks: always (a promise is never outside the horizon).

    The result is sorted by due day, then key; no key appears twice or is in
    ``already_generated_keys``.
    """
    if horizon_end < horizon_start:
        raise ValueError("the horizon ends before it starts")
    window = _Window(horizon_start, horizon_end)
    seen = set(already_generated_keys)
    found: list[DueTouch] = []
    for facts in customer_facts:
        for touch in _touches_for(facts, rules, articles, window, seen):
            if touch.key not in seen:
                seen.add(touch.key)
                found.append(touch)
    return sorted(found, key=lambda t: (t.due, t.key))


def _touches_for(
    facts: CustomerFacts,
    rules: TouchRules,
    articles: Sequence[Article],
    window: _Window,
    seen: Collection[str],
) -> Iterator[DueTouch]:
    if rules.birthday.enabled:
        yield from _birthdays(facts, rules.birthday, rules.feb29, window)
    if rules.important_dates.enabled:
        yield from _important_dates(facts, rules.important_dates, rules.feb29, window)
    if rules.follow_up.enabled:
        yield from _follow_ups(facts, rules.follow_up, window)
    if rules.feedback.enabled:
        yield from _feedback_requests(facts, rules.feedback, window)
    if rules.referral_thanks.enabled:
        yield from _referral_thanks(facts, rules.referral_thanks, window)
    if rules.reward_expiring.enabled:
        yield from _reward_reminders(facts, rules.reward_expiring, window)
    if rules.reward_waiting.enabled:
        yield from _rewards_waiting(facts, rules.reward_waiting, rules.reward_expiring, window)
    if rules.related_product.enabled:
        yield from _related_products(facts, rules.related_product, window)
    if rules.check_in.enabled:
        yield from _check_ins(facts, rules.check_in, window)
    if rules.articles.enabled:
        yield from _article_shares(facts, rules.articles, articles, window, seen)
    yield from _callbacks(facts)


def _yearly(date: PartialDate, days_ahead: int, feb29: Feb29Rule, window: _Window) -> Iterator[dt.date]:
    """Observed anniversaries of ``date`` whose touch, ``days_ahead`` earlier, is due in ``window``."""
    for year in range(window.start.year, add_days(window.end, days_ahead).year + 1):
        if not is_recurrence_year(date, year):
            continue
        day = occurrence_in_year(date, year, feb29)
        if day >= window.start and add_days(day, -days_ahead) <= window.end:
            yield day


def _birthdays(
    facts: CustomerFacts, rule: BirthdayRule, feb29: Feb29Rule, window: _Window
) -> Iterator[DueTouch]:
    if facts.birthday is None:
        return
    for day in _yearly(facts.birthday, rule.days_ahead, feb29, window):
        yield DueTouch(
            key=f"birthday:{facts.id}:{day.year}",
            kind=TouchKind.BIRTHDAY,
            customer_id=facts.id,
            due=add_days(day, -rule.days_ahead),
            channels=rule.channels,
            occasion=day,
            years=years_on(facts.birthday, day),
        )


def _important_dates(
    facts: CustomerFacts, rule: ImportantDateRule, feb29: Feb29Rule, window: _Window
) -> Iterator[DueTouch]:
    for item in facts.dates:
        if item.kind not in rule.kinds:
            continue
        label_key = normalize_tag(item.label)
        for day in _yearly(item.date, rule.days_ahead, feb29, window):
            yield DueTouch(
                key=f"important_date:{facts.id}:{item.kind}:{label_key}:{day.year}",
                kind=TouchKind.IMPORTANT_DATE,
                customer_id=facts.id,
                due=add_days(day, -rule.days_ahead),
                channels=rule.channels,
                occasion=day,
                years=years_on(item.date, day),
                label=item.title(),
                date_kind=item.kind,
            )


def _visits(purchases: Iterable[Purchase]) -> list[list[Purchase]]:
    """Purchases with an id, grouped by day (one shop visit), each group in id order."""
    by_day: dict[dt.date, list[Purchase]] = {}
    for purchase in purchases:
        if purchase.id is not None:
            by_day.setdefault(purchase.date, []).append(purchase)
    return [sorted(group, key=lambda p: p.id or 0) for _, group in sorted(by_day.items())]


def _items_label(purchases: Sequence[Purchase]) -> str:
    return ", ".join(p.item for p in purchases if p.item.strip())


def _follow_ups(facts: CustomerFacts, rule: FollowUpRule, window: _Window) -> Iterator[DueTouch]:
    """One follow-up per visit, after the shortest delay among its items' categories."""
    for visit in _visits(facts.purchases):
        delays = {p.id: rule.days_for(p.category) for p in visit}
        wanted = [p for p in visit if delays[p.id] is not None]
        if not wanted:
            continue
        due = add_days(visit[0].date, min(d for d in delays.values() if d is not None))
        if window.holds(due):
            yield DueTouch(
                key=f"follow_up:{visit[0].id}",
                kind=TouchKind.PURCHASE_FOLLOW_UP,
                customer_id=facts.id,
                due=due,
                channels=rule.channels,
                occasion=visit[0].date,
                label=_items_label(wanted),
                purchase_ids=tuple(p.id for p in wanted if p.id is not None),
            )


def _feedback_requests(facts: CustomerFacts, rule: FeedbackRule, window: _Window) -> Iterator[DueTouch]:
    if rule.after_purchase_days is not None:
        for visit in _visits(facts.purchases):
            due = add_days(visit[0].date, rule.after_purchase_days)
            if window.holds(due):
                yield DueTouch(
                    key=f"feedback:purchase:{visit[0].id}",
                    kind=TouchKind.FEEDBACK_REQUEST,
                    customer_id=facts.id,
                    due=due,
                    channels=rule.channels,
                    occasion=visit[0].date,
                    label=_items_label(visit),
                    purchase_ids=tuple(p.id for p in visit if p.id is not None),
                )
    if rule.after_ticket_days is not None:
        for ticket in facts.tickets:
            if ticket.resolved_on is None:
                continue
            due = add_days(ticket.resolved_on, rule.after_ticket_days)
            if window.holds(due):
                yield DueTouch(
                    key=f"feedback:ticket:{ticket.id}",
                    kind=TouchKind.FEEDBACK_REQUEST,
                    customer_id=facts.id,
                    due=due,
                    channels=rule.channels,
                    occasion=ticket.resolved_on,
                    label=f"ticket #{ticket.id}",
                    ticket_id=ticket.id,
                )


def _referral_thanks(facts: CustomerFacts, rule: ReferralThanksRule, window: _Window) -> Iterator[DueTouch]:
    for referral in facts.referrals:
        due = add_days(referral.on, rule.days_after)
        if window.holds(due):
            yield DueTouch(
                key=f"referral_thanks:{referral.referred_customer_id}",
                kind=TouchKind.REFERRAL_THANKS,
                customer_id=facts.id,
                due=due,
                channels=rule.channels,
                occasion=referral.on,
                label=referral.referred_name,
                referred_customer_id=referral.referred_customer_id,
            )


def _related_products(facts: CustomerFacts, rule: RelatedProductRule, window: _Window) -> Iterator[DueTouch]:
    """The suggestion ``days_after`` the latest visit (the facts always hold it), if strong."""
    if facts.suggestion is None or not facts.purchases:
        return
    latest = max(p.date for p in facts.purchases)
    due = add_days(latest, rule.days_after)
    if window.holds(due):
        yield DueTouch(
            key=f"related_product:{facts.id}:{facts.suggestion.category}",
            kind=TouchKind.RELATED_PRODUCT,
            customer_id=facts.id,
            due=due,
            channels=rule.channels,
            occasion=latest,
            label=facts.suggestion.category,
        )


REWARD_KINDS: frozenset[TouchKind] = frozenset({TouchKind.REWARD_EXPIRING, TouchKind.REWARD_WAITING})


def reward_id_of(touch: DueTouch) -> int | None:
    """The ledger id of the reward a reward touch is about (from its key)."""
    if touch.kind not in REWARD_KINDS:
        return None
    return int(touch.key.rsplit(":", 1)[1])


def _reward_reminders(facts: CustomerFacts, rule: RewardReminderRule, window: _Window) -> Iterator[DueTouch]:
    """A reminder ``days_before`` the expiry day; it stays due until that day, so a reward noticed
    late (the ledger catches up when read) still gets its reminder while it can be used."""
    for reward in facts.rewards:
        if reward.expires_on is None:
            continue
        due = max(add_days(reward.expires_on, -rule.days_before), reward.earned_on)
        if due <= window.end and reward.expires_on >= window.start:
            yield DueTouch(
                key=f"reward_expiring:{reward.id}",
                kind=TouchKind.REWARD_EXPIRING,
                customer_id=facts.id,
                due=due,
                channels=rule.channels,
                occasion=reward.expires_on,
                deadline=reward.expires_on,
                label=reward.wording,
            )


def _reminder_day(reward: RewardFact, rule: RewardReminderRule) -> dt.date | None:
    """The day the expiry reminder of ``reward`` falls due (None: the reward gets none)."""
    if not rule.enabled or reward.expires_on is None:
        return None
    return max(add_days(reward.expires_on, -rule.days_before), reward.earned_on)


def _rewards_waiting(
    facts: CustomerFacts, rule: RewardWaitingRule, reminder: RewardReminderRule, window: _Window
) -> Iterator[DueTouch]:
    """A note ``days_after`` a reward was earned. Like the reminder it stays due while the reward can
    be used (a reward noticed late still gets it); none when the reward would have expired by then, or
    when the expiry reminder comes first (two messages about one reward in a few days is one too many)."""
    for reward in facts.rewards:
        due = add_days(reward.earned_on, rule.days_after)
        if reward.expires_on is not None and (due > reward.expires_on or reward.expires_on < window.start):
            continue
        reminder_day = _reminder_day(reward, reminder)
        if reminder_day is not None and reminder_day <= due:
            continue
        if due <= window.end:
            yield DueTouch(
                key=f"reward_waiting:{reward.id}",
                kind=TouchKind.REWARD_WAITING,
                customer_id=facts.id,
                due=due,
                channels=rule.channels,
                occasion=reward.earned_on,
                label=reward.wording,
            )


def check_in_anchor(facts: CustomerFacts) -> dt.date | None:
    """The day a check-in interval counts from: the last real contact of any kind."""
    return last_real_contact(facts)


def _check_ins(facts: CustomerFacts, rule: CheckInRule, window: _Window) -> Iterator[DueTouch]:
    interval = rule.interval_for(facts.stage, facts.tags)
    anchor = check_in_anchor(facts)
    if interval is None or anchor is None:
        return
    due = add_days(anchor, interval.ideal_days)
    if due <= window.end:
        yield DueTouch(
            key=f"check_in:{facts.id}:{anchor.isoformat()}",
            kind=TouchKind.CHECK_IN,
            customer_id=facts.id,
            due=due,
            channels=rule.channels,
            occasion=anchor,
            deadline=add_days(anchor, interval.max_days),
        )


def article_key(article_id: int, customer_id: int) -> str:
    return f"article:{article_id}:{customer_id}"


def matching_articles(facts: CustomerFacts, articles: Iterable[Article]) -> list[Article]:
    """Articles sharing a topic with the customer: most shared topics first, then newest."""
    topics = facts.topics()
    scored = [(len(a.normalized_topics() & topics), a) for a in articles]
    matched = [(score, a) for score, a in scored if score]
    matched.sort(key=lambda pair: (-pair[0], -pair[1].added_on.toordinal(), pair[1].id))
    return [a for _, a in matched]


def _article_shares(
    facts: CustomerFacts,
    rule: ArticleRule,
    articles: Sequence[Article],
    window: _Window,
    seen: Collection[str],
) -> Iterator[DueTouch]:
    oldest = add_days(window.start, -rule.fresh_for_days)
    earliest = window.start
    if facts.last_article_on is not None:
        earliest = max(earliest, add_days(facts.last_article_on, rule.min_days_between))
    for article in matching_articles(facts, articles):
        key = article_key(article.id, facts.id)
        if key in seen or article.added_on < oldest:
            continue
        due = max(article.added_on, earliest)
        if due <= window.end:
            yield DueTouch(
                key=key,
                kind=TouchKind.ARTICLE_SHARE,
                customer_id=facts.id,
                due=due,
                channels=rule.channels,
                occasion=article.added_on,
                label=article.title,
                article_id=article.id,
            )
            return  # one new article per customer per run


def _callbacks(facts: CustomerFacts) -> Iterator[DueTouch]:
    for callback in facts.callbacks:
        yield DueTouch(
            key=f"callback:{callback.id}",
            kind=TouchKind.CALLBACK,
            customer_id=facts.id,
            due=callback.due_on,
            channels=(callback.channel,),
            due_at=callback.due_at,
            label=callback.note,
        )


# ---------------------------------------------------------------------------------------------
# When a customer next needs looking at.

# How far past the horizon :func:`next_wake` looks. Every date-driven touch comes round within a year
# (birthdays and other yearly dates), so a customer with none in this span has none until their
# facts change, and is looked at again at the span's end anyway.
WAKE_LOOKAHEAD_DAYS = 400


def next_wake(
    facts: CustomerFacts,
    rules: TouchRules,
    articles: Sequence[Article],
    horizon_start: dt.date,
    horizon_end: dt.date,
    known_keys: Collection[str],
    made: Iterable[DueTouch] = (),
) -> dt.date:
    """The first horizon end at which :func:`generate_due_touches` would make a new touch for this
    customer from these very facts (``known_keys``: every key generated for them, including ``made``,
    this run's new touches). A refresh on a later day needs to look at a customer again only once its
    horizon reaches that day, or when their facts change: which is how a new day costs what the date
    changes, not a pass over every customer.

    The answer is the smallest due day among the touches a horizon ending
    :data:`WAKE_LOOKAHEAD_DAYS` later would add: for every kind, a touch is made once its due day is
    inside the horizon (:func:`generate_due_touches`). It may be ``horizon_end`` itself or earlier
    (an article share held back by "one per run"): then a refresh should look again at once. An
    article share moves the customer's last article day, so it is counted in before looking ahead.
    Callbacks are not here: a promise's due time comes from the ticket, not from these facts.
    """
    facts = _with_articles(facts, list(made))
    later = add_days(horizon_end, WAKE_LOOKAHEAD_DAYS)
    window = _Window(horizon_start, later)
    seen = set(known_keys)
    due = [
        t.due
        for t in _touches_for(replace(facts, callbacks=()), rules, articles, window, seen)
        if t.key not in seen
    ]
    return min(due, default=later)


def generate_with_wakes(
    customer_facts: Iterable[CustomerFacts],
    rules: TouchRules,
    articles: Sequence[Article],
    horizon_start: dt.date,
    horizon_end: dt.date,
    already_generated_keys: Collection[str],
) -> tuple[list[DueTouch], dict[int, dt.date]]:
    """:func:`generate_due_touches` until nothing more falls due in the horizon, and each customer's
    :func:`next_wake` after it.

    One pass makes at most one article share per customer; when another is already due (its wake day
    is inside the horizon), the pass is repeated for that customer with the share counted in. So the
    result does not depend on how many refreshes ran before, which is what lets a refresh of a few
    customers give exactly what a refresh of everyone gives.
    """
    keys = set(already_generated_keys)
    found: list[DueTouch] = []
    wakes: dict[int, dt.date] = {}
    for facts in customer_facts:
        made: list[DueTouch] = []
        for _round in range(_MAX_ROUNDS):
            current = _with_articles(facts, made)
            new = generate_due_touches([current], rules, articles, horizon_start, horizon_end, keys)
            made += new
            keys.update(t.key for t in new)
            wake = next_wake(current, rules, articles, horizon_start, horizon_end, keys, new)
            if wake > horizon_end or not new:
                break
        found += made
        wakes[facts.id] = max(wake, add_days(horizon_end, 1))
    return sorted(found, key=lambda t: (t.due, t.key)), wakes


# More article shares than this in one horizon would mean a rule with no gap between them.
_MAX_ROUNDS = 12


@dataclass(frozen=True)
class QuietProfile:
    """What the rules can read of a customer the shop knows only by a loyalty stage, the day it got
    to know them and their tags: no birthday, important date, purchase, contact, ticket, referral,
    reward, promised callback or touch yet. A fresh import is 100,000 such customers, and a few
    dozen profiles."""

    stage: LoyaltyStage
    known_since: dt.date | None
    tags: frozenset[str]


def rules_read_tags(rules: TouchRules, articles: Sequence[Article]) -> bool:
    """Whether a quiet customer's tags can change what the rules make of them: only a check-in
    interval set by tag and the articles' topics read tags."""
    by_tag = rules.check_in.enabled and bool(rules.check_in.by_tag)
    return by_tag or (rules.articles.enabled and bool(articles))


def quiet_wakes(
    groups: Mapping[QuietProfile, Sequence[int]],
    rules: TouchRules,
    articles: Sequence[Article],
    horizon_start: dt.date,
    horizon_end: dt.date,
) -> tuple[dict[int, dt.date], list[int]]:
    """:func:`generate_with_wakes` for quiet customers (by profile: their ids), worked out once per
    profile instead of once per customer: the rules read nothing else of such a customer (consents,
    names and channels are the plan's business), and their id only goes into the keys of the touches
    made, which no other customer's keys can equal.

    Returns the wake day of every customer whose profile makes no touch in this horizon (exactly
    what :func:`generate_with_wakes` gives each of them), and, apart, the ids of those whose profile
    does make one: they need generating in full, since a touch belongs to its customer."""
    wakes: dict[int, dt.date] = {}
    loud: list[int] = []
    for profile, ids in groups.items():
        if not ids:
            continue
        facts = CustomerFacts(
            id=ids[0], stage=profile.stage, known_since=profile.known_since, tags=profile.tags
        )
        made, wake = generate_with_wakes([facts], rules, articles, horizon_start, horizon_end, ())
        if made:
            loud += ids
        else:
            wakes.update(dict.fromkeys(ids, wake[ids[0]]))
    return wakes, loud


def _with_articles(facts: CustomerFacts, made: Sequence[DueTouch]) -> CustomerFacts:
    shared = [t.due for t in made if t.kind is TouchKind.ARTICLE_SHARE]
    if not shared:
        return facts
    return replace(facts, last_article_on=max([*shared, facts.last_article_on or min(shared)]))
