"""Loyalty and referral rewards: what a customer has earned, derived from their history.

Pure: no Qt, no SQLAlchemy, and "today" is passed in. Rewards are not written when a sale is made;
they are *derived* from the stored purchases, referrals and stage steps (however those arrived: the
counter, an orders import, an edit, an undo) by :func:`derive_rewards`. Each derived reward has a
stable ``key`` ("stamp:<rule>:<n>", "referral:<rule>:<referred id>", "welcome:<rule>",
"milestone:<rule>", "stage:<rule>"), so the service can compare what the history earns with what the
append-only ledger says (:func:`reconcile`) and write only the difference: newly earned, taken back
(the purchase behind it was deleted or refunded), expired.

Refunds are purchases with a negative amount: a refund in a stamp card's category takes one stamp
back. A reward already redeemed is never taken back; the stamps it used stay used, so the card can
owe stamps ("7 of 10, 1 owed after a refund") until new purchases make them up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

EXPIRY_WARNING_DAYS = 7  # a reward about to expire is worth a word a week before
MAX_WORDING = 200
MAX_EVERY = 1000
MAX_EXPIRY_DAYS = 3650
STAGES = ("suspect", "prospect", "customer", "client", "advocate")


class InvalidRewardRule(ValueError):
    """A reward rule that cannot be saved; the message says what to put right."""


class RuleKind(StrEnum):
    STAMP = "stamp"  # every Nth purchase
    REFERRAL = "referral"  # the referred customer's first purchase
    MILESTONE = "milestone"  # total spend crossing an amount
    STAGE = "stage"  # a step up the loyalty ladder


class OfferKind(StrEnum):
    FREE_ITEM = "free_item"
    AMOUNT_OFF = "amount_off"
    PERCENT_OFF = "percent_off"


class Event(StrEnum):
    """A ledger row's event. Every reward opens with EARNED and closes with at most one of the rest."""

    EARNED = "earned"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # by the owner, with a reason
    TAKEN_BACK = "taken_back"  # the history no longer earns it (deleted purchase, refund, import)


# A key closed by one of these is done for good; a key taken back may be earned again (an undo).
FINAL_EVENTS = frozenset({Event.REDEEMED, Event.EXPIRED, Event.CANCELLED})


@dataclass(frozen=True)
class Offer:
    """What the customer gets: a free item, an amount off or a percentage off, in the shop's words.

    ``cost`` is what giving a free item costs the shop (for the cost-of-rewards report)."""

    kind: OfferKind = OfferKind.FREE_ITEM
    wording: str = "a free item"
    value: Decimal = Decimal("0")
    expires_after_days: int | None = None
    cost: Decimal = Decimal("0")

    def cost_for(self, purchase_amount: Decimal | None) -> Decimal:
        """What the reward cost when given against a purchase of ``purchase_amount``."""
        if self.kind is OfferKind.AMOUNT_OFF:
            return self.value
        if self.kind is OfferKind.PERCENT_OFF:
            return (abs(purchase_amount or Decimal(0)) * self.value / 100).quantize(Decimal("0.01"))
        return self.cost


@dataclass(frozen=True)
class RewardRule:
    """One rule; off until the owner switches it on. Fields a kind does not use are ignored."""

    id: int
    kind: RuleKind
    enabled: bool = False
    offer: Offer = field(default_factory=Offer)
    every: int = 10  # stamp: every Nth qualifying purchase
    category: str = ""  # stamp: only purchases in this category ("" any)
    min_amount: Decimal = Decimal("0")  # stamp: only purchases of at least this amount
    welcome: Offer | None = None  # referral: the new customer's welcome reward
    threshold: Decimal = Decimal("0")  # milestone: total spend
    stage: str = "advocate"  # stage: the step that earns


def default_rules() -> list[RewardRule]:
    """The rules a shop starts with: all off."""
    return [
        RewardRule(
            1, RuleKind.STAMP, offer=Offer(OfferKind.FREE_ITEM, "a free coffee", cost=Decimal("2.50"))
        ),
        RewardRule(
            2,
            RuleKind.REFERRAL,
            offer=Offer(OfferKind.AMOUNT_OFF, "£5 off your next purchase", Decimal("5"), 90),
            welcome=Offer(OfferKind.PERCENT_OFF, "10% off your next purchase", Decimal("10"), 60),
        ),
        RewardRule(
            3,
            RuleKind.MILESTONE,
            offer=Offer(OfferKind.AMOUNT_OFF, "£20 off as a thank-you", Decimal("20"), 180),
            threshold=Decimal("500"),
        ),
        RewardRule(
            4,
            RuleKind.STAGE,
            offer=Offer(OfferKind.FREE_ITEM, "a thank-you gift", cost=Decimal("10")),
            stage="advocate",
        ),
    ]


def check_offer(offer: Offer, what: str = "The reward") -> Offer:
    wording = " ".join(offer.wording.split())
    if not wording:
        raise InvalidRewardRule(f"{what} needs wording for the customer, e.g. “a free coffee”.")
    if len(wording) > MAX_WORDING:
        raise InvalidRewardRule(f"{what}'s wording is too long: at most {MAX_WORDING} characters.")
    if offer.kind is OfferKind.PERCENT_OFF and not Decimal(0) < offer.value <= 100:
        raise InvalidRewardRule(f"{what}: a percentage off is more than 0 and at most 100.")
    if offer.kind is OfferKind.AMOUNT_OFF and offer.value <= 0:
        raise InvalidRewardRule(f"{what}: an amount off must be more than 0.")
    if offer.cost < 0:
        raise InvalidRewardRule(f"{what}: the cost to the shop cannot be below 0.")
    days = offer.expires_after_days
    if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidRewardRule(f"{what}: the expiry is 1 to {MAX_EXPIRY_DAYS} days, or none.")
    return replace(offer, wording=wording)


def check_rule(rule: RewardRule) -> RewardRule:
    """The rule as stored, or :class:`InvalidRewardRule` saying what to put right."""
    offer = check_offer(rule.offer)
    welcome = check_offer(rule.welcome, "The welcome reward") if rule.welcome else None
    if rule.kind is RuleKind.STAMP and not 2 <= rule.every <= MAX_EVERY:
        raise InvalidRewardRule(f"A stamp card rewards every 2nd to {MAX_EVERY:,}th purchase.")
    if rule.kind is RuleKind.STAMP and rule.min_amount < 0:
        raise InvalidRewardRule("The smallest purchase that earns a stamp cannot be below 0.")
    if rule.kind is RuleKind.MILESTONE and rule.threshold <= 0:
        raise InvalidRewardRule("A spend milestone needs an amount above 0.")
    if rule.kind is RuleKind.STAGE and rule.stage not in STAGES:
        raise InvalidRewardRule(f"The stage must be one of: {', '.join(STAGES)}.")
    return replace(rule, offer=offer, welcome=welcome, category=rule.category.strip())


# --- a customer's history -----------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseFact:
    """A stored purchase; a negative ``amount`` is a refund."""

    id: int
    date: dt.date
    category: str
    amount: Decimal


@dataclass(frozen=True)
class ReferralFact:
    """This customer referred ``referred_customer_id``, who came in on ``on``; ``first_purchase`` is
    that person's earliest purchase (any date), None while they have bought nothing."""

    referred_customer_id: int
    on: dt.date
    first_purchase: PurchaseFact | None
    referred_name: str = ""


@dataclass(frozen=True)
class History:
    """What the rules read of one customer. ``referred_on``: the day they came in, if someone
    referred them (their welcome reward); ``stage_steps``: (day, new stage) in order."""

    customer_id: int
    purchases: Sequence[PurchaseFact] = ()
    referrals: Sequence[ReferralFact] = ()
    referred_on: dt.date | None = None
    stage_steps: Sequence[tuple[dt.date, str]] = ()


@dataclass(frozen=True)
class EarnedReward:
    """A reward the history earns. ``because`` says what earned it, for the ledger and the customer."""

    key: str
    rule_id: int
    offer: Offer
    earned_on: dt.date
    expires_on: dt.date | None
    because: str
    purchase_id: int | None = None
    referred_customer_id: int | None = None


@dataclass(frozen=True)
class StampCard:
    """Progress towards the next stamp reward: ``have`` of ``every``; ``owed`` stamps a refund took
    back after the reward they counted towards was already given."""

    rule_id: int
    wording: str
    have: int
    every: int
    owed: int = 0


@dataclass(frozen=True)
class Derived:
    rewards: tuple[EarnedReward, ...]
    cards: tuple[StampCard, ...]


def expiry(offer: Offer, earned_on: dt.date) -> dt.date | None:
    """The last day the reward can be used: ``expires_after_days`` after it was earned."""
    days = offer.expires_after_days
    return None if days is None else earned_on + dt.timedelta(days=days)


def _earned(
    rule: RewardRule, key: str, on: dt.date, because: str, offer: Offer | None = None, **ids: int | None
) -> EarnedReward:
    offer = offer or rule.offer
    return EarnedReward(key, rule.id, offer, on, expiry(offer, on), because, **ids)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _in_category(rule: RewardRule, purchase: PurchaseFact) -> bool:
    return not rule.category or purchase.category.casefold() == rule.category.casefold()


def _stamps(
    rule: RewardRule, history: History, redeemed: frozenset[str]
) -> tuple[list[EarnedReward], StampCard]:
    """Walk the purchases in date order: a qualifying sale adds a stamp, a refund in the category takes
    one back. The Nth stamp earns reward n/N; a refund below it takes that reward back unless redeemed."""
    stamps, rewards = 0, list[EarnedReward]()
    for purchase in sorted(history.purchases, key=lambda p: (p.date, p.id)):
        if not _in_category(rule, purchase) or abs(purchase.amount) < rule.min_amount:
            continue
        if purchase.amount < 0:
            stamps -= 1
            while rewards and stamps < len(rewards) * rule.every and rewards[-1].key not in redeemed:
                rewards.pop()
            continue
        stamps += 1
        if stamps >= (len(rewards) + 1) * rule.every:
            n = len(rewards) + 1
            key = f"stamp:{rule.id}:{n}"
            rewards.append(
                _earned(rule, key, purchase.date, f"{_ordinal(stamps)} stamp", purchase_id=purchase.id)
            )
    left = stamps - len(rewards) * rule.every
    card = StampCard(rule.id, rule.offer.wording, max(left, 0), rule.every, max(-left, 0))
    return rewards, card


def _referrals(rule: RewardRule, history: History) -> Iterable[EarnedReward]:
    """The referrer earns on the referred person's first purchase, if it came on or after the day they
    were referred: an import of their older purchases shows they were no new customer."""
    for referral in history.referrals:
        first = referral.first_purchase
        if first is None or first.date < referral.on:
            continue
        who = referral.referred_name or f"customer #{referral.referred_customer_id}"
        yield _earned(
            rule,
            f"referral:{rule.id}:{referral.referred_customer_id}",
            first.date,
            f"{who}'s first purchase",
            purchase_id=first.id,
            referred_customer_id=referral.referred_customer_id,
        )
    if rule.welcome is not None and history.referred_on is not None and history.purchases:
        first = min(history.purchases, key=lambda p: (p.date, p.id))
        if first.date >= history.referred_on:
            yield _earned(
                rule,
                f"welcome:{rule.id}",
                first.date,
                "welcome after a referral",
                rule.welcome,
                purchase_id=first.id,
            )


def _milestone(rule: RewardRule, history: History) -> Iterable[EarnedReward]:
    """Earned on the day the running total first reaches the amount, while the total still does."""
    total, crossed = Decimal(0), None
    for purchase in sorted(history.purchases, key=lambda p: (p.date, p.id)):
        total += purchase.amount
        if crossed is None and total >= rule.threshold:
            crossed = purchase
    if crossed is not None and total >= rule.threshold:
        yield _earned(
            rule,
            f"milestone:{rule.id}",
            crossed.date,
            f"spend passed {rule.threshold}",
            purchase_id=crossed.id,
        )


def _stage(rule: RewardRule, history: History) -> Iterable[EarnedReward]:
    for day, stage in history.stage_steps:
        if stage == rule.stage:
            yield _earned(rule, f"stage:{rule.id}", day, f"became {stage}")
            return


def derive_rewards(rules: Iterable[RewardRule], history: History, redeemed: Iterable[str] = ()) -> Derived:
    """Every reward the switched-on rules earn from ``history``, and the stamp cards.

    ``redeemed``: keys already redeemed (never taken back, so a card's stamps stay used)."""
    done = frozenset(redeemed)
    rewards: list[EarnedReward] = []
    cards: list[StampCard] = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.kind is RuleKind.STAMP:
            stamp_rewards, card = _stamps(rule, history, done)
            rewards.extend(stamp_rewards)
            cards.append(card)
        elif rule.kind is RuleKind.REFERRAL:
            rewards.extend(_referrals(rule, history))
        elif rule.kind is RuleKind.MILESTONE:
            rewards.extend(_milestone(rule, history))
        else:
            rewards.extend(_stage(rule, history))
    return Derived(tuple(rewards), tuple(cards))


# --- the ledger ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenReward:
    """A reward the ledger holds as earned and not yet closed: ``id`` is its EARNED row."""

    id: int
    key: str
    expires_on: dt.date | None
    rule_id: int = 0


@dataclass(frozen=True)
class Reconciliation:
    """What the ledger needs so it agrees with the history on ``today``."""

    earn: tuple[EarnedReward, ...] = ()
    take_back: tuple[OpenReward, ...] = ()
    expire: tuple[OpenReward, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.earn or self.take_back or self.expire)


def is_expired(expires_on: dt.date | None, today: dt.date) -> bool:
    """A reward can be used up to and including its expiry day."""
    return expires_on is not None and today > expires_on


def expires_soon(expires_on: dt.date | None, today: dt.date) -> bool:
    """Within the week before the expiry day (that day included)."""
    return (
        expires_on is not None and expires_on - dt.timedelta(days=EXPIRY_WARNING_DAYS) <= today <= expires_on
    )


def reconcile(
    derived: Iterable[EarnedReward],
    open_rewards: Iterable[OpenReward],
    closed_keys: Iterable[str],
    today: dt.date,
    live_rules: Iterable[int] | None = None,
) -> Reconciliation:
    """Compare the history with the ledger: earn what is new (and not closed for good), take back what
    the history no longer earns, expire what is open past its day.

    ``live_rules``: the rules switched on (None: every rule). A reward of a rule the owner switched off
    is still owed, so it is never taken back; it still expires. A reward earned already past its day
    (old purchases imported) is written as earned, then expired, so the ledger tells the whole story."""
    wanted = {reward.key: reward for reward in derived}
    closed = frozenset(closed_keys)
    live = None if live_rules is None else frozenset(live_rules)
    held = list(open_rewards)
    held_keys = {reward.key for reward in held}
    earn = tuple(r for key, r in wanted.items() if key not in held_keys and key not in closed)
    take_back: list[OpenReward] = []
    expire: list[OpenReward] = []
    for reward in held:
        if reward.key not in wanted and (live is None or reward.rule_id in live):
            take_back.append(reward)
        elif is_expired(reward.expires_on, today):
            expire.append(reward)
    return Reconciliation(earn, tuple(take_back), tuple(expire))
