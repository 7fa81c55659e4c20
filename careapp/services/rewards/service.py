"""RewardService: the rules, a customer's rewards, redeeming and cancelling, the shop's list.

Every read first brings the ledger in step with the stored history (see :mod:`.ledger`): a read-only
look, and only if something is missing a second transaction that takes the ledger's write lock first,
looks again and writes. Redeeming takes the same lock; the ledger's unique ``reward_id`` is the last
guard, so of two seats redeeming one reward at the same moment exactly one succeeds and the other is
told who got there first. One short session per call; plain data out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from careapp.clock import to_local
from careapp.db.database import Database
from careapp.db.models import CareDirtyRecord, CustomerRecord, PurchaseRecord, RewardLedgerRecord
from careapp.domain.rewards import Event, StampCard, derive_rewards, expires_soon
from careapp.domain.rewards_report import RewardsReport
from careapp.services.care.plan_store import PRUNED, pruned_after, read_state
from careapp.services.rewards import ledger
from careapp.services.rewards.report import build_report
from careapp.services.rewards.rules import StoredRule, load_rules, offer_from, save_rule
from careapp.services.shop.staff import Actor, check_actor, check_owner

Clock = Callable[[], dt.datetime]
CANCEL_REWARDS = "cancel rewards"
MAX_REASON = 500
CATCH_UP_ALL_ABOVE = 5_000
STATES = ("waiting", "redeemed", "expired", "cancelled", "taken_back")


class RewardUnavailable(Exception):
    """The reward cannot be redeemed or cancelled; the message says why in a sentence."""


@dataclass(frozen=True)
class RewardView:
    """One reward: its EARNED row and, once closed, how. ``state`` is one of :data:`STATES`."""

    id: int
    customer_id: int
    customer_name: str
    rule_id: int
    key: str
    wording: str
    offer_kind: str
    value: Decimal
    because: str
    earned_on: dt.date | None
    expires_on: dt.date | None
    state: str
    closed_at: dt.datetime | None = None
    closed_by: str = ""
    closed_reason: str = ""
    redeemed_purchase_id: int | None = None
    cost: Decimal | None = None
    expiring_soon: bool = False


@dataclass(frozen=True)
class LedgerLine:
    """One row of the ledger as the customer's page shows it."""

    id: int
    reward_id: int
    event: str
    at: dt.datetime
    by: str
    wording: str
    reason: str
    purchase_id: int | None


@dataclass(frozen=True)
class CustomerRewards:
    customer_id: int
    rewards: tuple[RewardView, ...]
    cards: tuple[StampCard, ...]
    ledger: tuple[LedgerLine, ...]

    @property
    def waiting(self) -> tuple[RewardView, ...]:
        return tuple(r for r in self.rewards if r.state == "waiting")


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def reward_phrase(reward: RewardView) -> str:
    """ "free coffee, earned 3 Dec, expires 3 Mar" """
    text = reward.wording
    if reward.earned_on is not None:
        text += f", earned {_short(reward.earned_on)}"
    if reward.expires_on is not None:
        text += f", expires {_short(reward.expires_on)}"
    return text


def summary(rewards: CustomerRewards) -> str:
    """ "1 reward waiting: free coffee, earned 3 Dec, expires 3 Mar; 7 of 10 stamps" (or "")."""
    parts = []
    waiting = rewards.waiting
    if waiting:
        noun = "reward" if len(waiting) == 1 else "rewards"
        parts.append(f"{len(waiting)} {noun} waiting: " + "; ".join(reward_phrase(r) for r in waiting))
    for card in rewards.cards:
        owed = f" ({card.owed} owed after a refund)" if card.owed else ""
        parts.append(f"{card.have} of {card.every} stamps{owed}")
    return "; ".join(parts)


def _views(session: Session, rows: Sequence[RewardLedgerRecord], today: dt.date) -> list[RewardView]:
    closing = {row.reward_id: row for row in rows if row.reward_id is not None}
    earned = [row for row in rows if row.event == Event.EARNED]
    wanted = {row.customer_id for row in earned} | {row.referred_customer_id for row in earned}
    names = {
        row.id: row.display_name
        for row in session.execute(
            select(CustomerRecord.id, CustomerRecord.display_name).where(CustomerRecord.id.in_(wanted))
        )
    }
    views = []
    for row in earned:
        offer = offer_from(json.loads(row.offer_json))
        closed = closing.get(row.id)
        state = "waiting" if closed is None else closed.event
        views.append(
            RewardView(
                id=row.id,
                customer_id=row.customer_id,
                customer_name=names.get(row.customer_id, "") or f"customer #{row.customer_id}",
                rule_id=row.rule_id,
                key=row.key,
                wording=offer.wording,
                offer_kind=offer.kind.value,
                value=offer.value,
                because=_because(row, names),
                earned_on=row.earned_on,
                expires_on=row.expires_on,
                state=state,
                closed_at=closed.at if closed else None,
                closed_by=closed.by if closed else "",
                closed_reason=closed.reason if closed else "",
                redeemed_purchase_id=closed.purchase_id if closed else None,
                cost=None
                if closed is None or closed.cost_cents is None
                else Decimal(closed.cost_cents) / 100,
                expiring_soon=closed is None and expires_soon(row.expires_on, today),
            )
        )
    return views


def _because(row: RewardLedgerRecord, names: dict[int, str]) -> str:
    """What earned it; a referral names the referred customer from their record (not the ledger)."""
    name = names.get(row.referred_customer_id) if row.referred_customer_id is not None else None
    return f"{name}'s first purchase" if name else row.reason


def _lines(rows: Sequence[RewardLedgerRecord]) -> list[LedgerLine]:
    wording = {
        row.id: offer_from(json.loads(row.offer_json)).wording for row in rows if row.event == Event.EARNED
    }
    return [
        LedgerLine(
            row.id,
            row.reward_id or row.id,
            row.event,
            row.at,
            row.by,
            wording.get(row.reward_id or row.id, ""),
            row.reason,
            row.purchase_id,
        )
        for row in rows
    ]


def _closed_sentence(reward_id: int, wording: str, closed: RewardLedgerRecord) -> str:
    when = to_local(closed.at).strftime("%d %b %Y %H:%M")
    if closed.event == Event.REDEEMED:
        return (
            f"Reward {reward_id} ({wording}) was already redeemed by {closed.by} at {when}; "
            "nothing was changed."
        )
    if closed.event == Event.EXPIRED:
        return f"Reward {reward_id} ({wording}) has expired: {closed.reason}"
    if closed.event == Event.CANCELLED:
        return f"Reward {reward_id} ({wording}) was cancelled by {closed.by} at {when}: {closed.reason}"
    return f"Reward {reward_id} ({wording}) is no longer owed. {closed.reason}"


class RewardService:
    """Rules, a customer's rewards, redeeming and cancelling, and the shop-wide list."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def today(self) -> dt.date:
        return to_local(self._clock()).date()

    # --- rules ---------------------------------------------------------------------------------

    def rules(self) -> list[StoredRule]:
        with self._db.session() as session:
            return load_rules(session)

    def save_rule(self, actor: Actor, stored: StoredRule) -> StoredRule:
        """Save ``stored.rule`` made on ``stored.version``; owner only (PermissionDenied otherwise)."""
        with self._db.session() as session:
            return save_rule(session, actor, stored.rule, stored.version, self._clock())

    # --- keeping the ledger in step -------------------------------------------------------------

    def sync(self, customer_ids: Sequence[int] | None = None) -> bool:
        """Bring the ledger of ``customer_ids`` (None: everyone) in step with the history."""
        today, now = self.today(), self._clock()
        ids = None if customer_ids is None else list(customer_ids)
        with self._db.session() as session:
            rules = [stored.rule for stored in load_rules(session)]
            histories = ledger.load_histories(session, ids)
            states = ledger.ledger_states(ledger.ledger_rows(session, ids))
            if not ledger.plans(rules, histories, states, today):
                return False  # nothing to write: the read took no lock and bumps nothing
        with self._db.session() as session:
            ledger.lock_rewards(session)
            rules = [stored.rule for stored in load_rules(session)]
            return ledger.sync_in_session(session, rules, ids, today, now)

    def catch_up(self, since: int | None) -> tuple[int, bool]:
        """Bring the ledger in step for the customers whose purchases, referrals or stage changed after
        the mark ``since``, so a reward is earned (and its row timed) right after the commit that earned
        it, not at the next read. The database triggers note those customers in ``care_dirty``; whoever
        referred them is added (a first purchase earns the referrer's reward). Returns the new mark
        (the caller keeps it: this service has no state) and whether anything was written. With no
        mark yet, or notes since it pruned meanwhile, it only returns the newest mark: the reads' own
        catch-up still covers those customers."""
        with self._db.session() as session:
            # With every note pruned, the notes start after the pruned mark (seq is never reused).
            newest = session.scalar(select(func.max(CareDirtyRecord.seq))) or read_state(session, PRUNED)[1]
            if since is None or newest <= since or pruned_after(session, since):
                return newest, False
            d = CareDirtyRecord
            noted = select(d.customer_id).where(d.seq > since, d.seq <= newest, d.touch_only.is_(False))
            ids = set(session.scalars(noted))
            everyone = len(ids) > CATCH_UP_ALL_ABOVE  # an import: one pass beats a long IN list
            if not everyone:
                c = CustomerRecord
                referrers = select(c.referred_by_id).where(c.id.in_(ids), c.referred_by_id.is_not(None))
                ids.update(session.scalars(referrers))
        if everyone:
            return newest, self.sync(None)
        return newest, bool(ids) and self.sync(sorted(ids))

    # --- reading ----------------------------------------------------------------------------------

    def for_customer(self, customer_id: int) -> CustomerRewards:
        """The customer's rewards (newest first), stamp cards and ledger, once in step."""
        self.sync([customer_id])
        today = self.today()
        with self._db.session() as session:
            rows = ledger.ledger_rows(session, [customer_id])
            rules = [stored.rule for stored in load_rules(session)]
            history = ledger.load_histories(session, [customer_id]).get(customer_id)
            redeemed = {r.key for r in _views(session, rows, today) if r.state == "redeemed"}
            cards = derive_rewards(rules, history, redeemed).cards if history else ()
            views = sorted(_views(session, rows, today), key=lambda r: r.id, reverse=True)
            return CustomerRewards(customer_id, tuple(views), tuple(cards), tuple(_lines(rows)))

    def waiting(self, customer_id: int) -> list[RewardView]:
        """Rewards the customer can use now, soonest to expire first (for the till)."""
        waiting = self.for_customer(customer_id).waiting
        return sorted(waiting, key=lambda r: (r.expires_on or dt.date.max, r.id))

    def listing(self, customer_id: int | None = None, state: str | None = None) -> list[RewardView]:
        """Rewards of one customer or of the shop, optionally in one state, oldest first."""
        ids = None if customer_id is None else [customer_id]
        self.sync(ids)
        with self._db.session() as session:
            views = _views(session, ledger.ledger_rows(session, ids), self.today())
        return [view for view in views if state is None or view.state == state]

    def report(self, first_day: dt.date, last_day: dt.date) -> RewardsReport:
        """Rewards earned, redeemed and expired per month, the redemption rate, the cost, and what
        the rewarded bought after, for ``first_day`` to ``last_day`` (local days, both included)."""
        if last_day < first_day:
            raise ValueError(f"The report cannot end ({last_day}) before it starts ({first_day}).")
        self.sync()
        with self._db.session() as session:
            return build_report(session, first_day, last_day, self.today())

    # --- redeeming and cancelling -----------------------------------------------------------------

    def redeem(self, actor: Actor, reward_id: int, purchase_id: int | None = None) -> RewardView:
        """Mark the reward given (against ``purchase_id``, if given). :class:`RewardUnavailable` when it
        was redeemed, cancelled, expired or taken back meanwhile, with who and when."""
        try:
            with self._db.session() as session:
                ledger.lock_rewards(session)
                check_actor(session, actor)
                opened = self._opened(session, reward_id)
                rules = [stored.rule for stored in load_rules(session)]
                ledger.sync_in_session(session, rules, [opened.customer_id], self.today(), self._clock())
                self._refuse_if_closed(session, opened)
                cost = self._cost(session, opened, purchase_id)
                row = ledger.closing_row(
                    opened, opened.customer_id, Event.REDEEMED, self._clock(), actor.name.strip(), ""
                )
                row.purchase_id, row.cost_cents = purchase_id, cost
                session.add(row)
                session.flush()
                ledger.note_for_care(session, [opened.customer_id])
        except IntegrityError:  # another seat closed it between our read and our write
            with self._db.session() as session:
                opened = self._opened(session, reward_id)
                self._refuse_if_closed(session, opened)
            raise
        return self._view(reward_id)

    def cancel(self, actor: Actor, reward_id: int, reason: str) -> RewardView:
        """Cancel a waiting reward, with a reason; owner only."""
        reason = " ".join(reason.split())
        if not reason:
            raise RewardUnavailable("Say why the reward is cancelled; the reason goes in the ledger.")
        if len(reason) > MAX_REASON:
            raise RewardUnavailable(f"The reason is too long: at most {MAX_REASON} characters.")
        with self._db.session() as session:
            ledger.lock_rewards(session)
            check_owner(session, actor, CANCEL_REWARDS)
            opened = self._opened(session, reward_id)
            self._refuse_if_closed(session, opened)
            session.add(
                ledger.closing_row(
                    opened, opened.customer_id, Event.CANCELLED, self._clock(), actor.name.strip(), reason
                )
            )
            ledger.note_for_care(session, [opened.customer_id])
        return self._view(reward_id)

    def _view(self, reward_id: int) -> RewardView:
        with self._db.session() as session:
            opened = self._opened(session, reward_id)
            rows = [
                opened,
                *session.scalars(select(RewardLedgerRecord).where(RewardLedgerRecord.reward_id == reward_id)),
            ]
            return _views(session, rows, self.today())[0]

    @staticmethod
    def _opened(session: Session, reward_id: int) -> RewardLedgerRecord:
        row = session.get(RewardLedgerRecord, reward_id)
        if row is None or row.event != Event.EARNED:
            raise RewardUnavailable(
                f"There is no reward number {reward_id}; check the number in the rewards list."
            )
        return row

    @staticmethod
    def _refuse_if_closed(session: Session, opened: RewardLedgerRecord) -> None:
        closed = session.scalar(select(RewardLedgerRecord).where(RewardLedgerRecord.reward_id == opened.id))
        if closed is not None:
            wording = offer_from(json.loads(opened.offer_json)).wording
            raise RewardUnavailable(_closed_sentence(opened.id, wording, closed))

    @staticmethod
    def _cost(session: Session, opened: RewardLedgerRecord, purchase_id: int | None) -> int:
        amount = None
        if purchase_id is not None:
            purchase = session.get(PurchaseRecord, purchase_id)
            if purchase is None or purchase.customer_id != opened.customer_id:
                raise RewardUnavailable(
                    f"Purchase {purchase_id} is not one of this customer's; redeem the reward against theirs."
                )
            amount = Decimal(purchase.amount_cents) / 100
        cost = offer_from(json.loads(opened.offer_json)).cost_for(amount)
        return int((cost * 100).to_integral_value())
