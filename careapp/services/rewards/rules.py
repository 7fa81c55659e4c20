"""The reward rules as stored: one row per rule the owner saved (no row: the default, switched off).

Only the owner saves a rule (checked by careapp/services/shop/staff.py in the same transaction); a save
carries the version it was read at, and one made on a stale copy is refused with who changed it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from careapp.db.locks import lock_named
from careapp.db.models import RewardRuleRecord
from careapp.domain.rewards import Offer, OfferKind, RewardRule, RuleKind, check_rule, default_rules
from careapp.services.shop.staff import Actor, check_owner

EDIT_REWARD_RULES = "change the reward rules"
RULES_LOCK = "careapp: reward rules"


class StaleRewardRule(Exception):
    """The rule was saved by someone else after this copy was read."""


@dataclass(frozen=True)
class StoredRule:
    """A rule with its version (0: never saved, the default) and who saved it last."""

    rule: RewardRule
    version: int
    updated_by: str = ""
    updated_at: dt.datetime | None = None


def offer_json(offer: Offer) -> dict[str, Any]:
    return {
        "kind": offer.kind.value,
        "wording": offer.wording,
        "value": str(offer.value),
        "expires_after_days": offer.expires_after_days,
        "cost": str(offer.cost),
    }


def offer_from(data: dict[str, Any]) -> Offer:
    days = data.get("expires_after_days")
    return Offer(
        OfferKind(data.get("kind", OfferKind.FREE_ITEM)),
        str(data.get("wording", "")),
        Decimal(str(data.get("value", "0"))),
        None if days is None else int(days),
        Decimal(str(data.get("cost", "0"))),
    )


def _params(rule: RewardRule) -> str:
    return json.dumps(
        {
            "offer": offer_json(rule.offer),
            "every": rule.every,
            "category": rule.category,
            "min_amount": str(rule.min_amount),
            "welcome": None if rule.welcome is None else offer_json(rule.welcome),
            "threshold": str(rule.threshold),
            "stage": rule.stage,
        },
        sort_keys=True,
    )


def _rule(record: RewardRuleRecord, default: RewardRule | None) -> RewardRule:
    data = json.loads(record.params_json)
    base = default or RewardRule(record.id, RuleKind(record.kind))
    welcome = data.get("welcome", offer_json(base.welcome) if base.welcome else None)
    return replace(
        base,
        kind=RuleKind(record.kind),
        enabled=bool(record.enabled),
        offer=offer_from(data["offer"]) if "offer" in data else base.offer,
        every=int(data.get("every", base.every)),
        category=str(data.get("category", base.category)),
        min_amount=Decimal(str(data.get("min_amount", base.min_amount))),
        welcome=None if welcome is None else offer_from(welcome),
        threshold=Decimal(str(data.get("threshold", base.threshold))),
        stage=str(data.get("stage", base.stage)),
    )


def load_rules(session: Session) -> list[StoredRule]:
    """Every rule: the saved ones, and the defaults (off) for those never saved."""
    defaults = {rule.id: rule for rule in default_rules()}
    stored = {r.id: r for r in session.scalars(select(RewardRuleRecord))}
    rules = []
    for rule_id in sorted(defaults.keys() | stored.keys()):
        record = stored.get(rule_id)
        if record is None:
            rules.append(StoredRule(defaults[rule_id], 0))
        else:
            rule = _rule(record, defaults.get(rule_id))
            rules.append(StoredRule(rule, record.version, record.updated_by, record.updated_at))
    return rules


def save_rule(session: Session, actor: Actor, rule: RewardRule, version: int, now: dt.datetime) -> StoredRule:
    """Store ``rule`` if ``version`` is the stored one; only the owner."""
    checked = check_rule(rule)
    check_owner(session, actor, EDIT_REWARD_RULES)
    lock_named(session, RULES_LOCK)
    session.execute(  # the write lock first, so two saves cannot both pass the version check
        update(RewardRuleRecord)
        .where(RewardRuleRecord.id == rule.id)
        .values(version=RewardRuleRecord.version)
        .execution_options(synchronize_session=False)
    )
    record = session.get(RewardRuleRecord, rule.id, populate_existing=True)
    stored_version = 0 if record is None else record.version
    if stored_version != version:
        who = record.updated_by if record is not None else "someone"
        raise StaleRewardRule(
            f"{who or 'Someone'} changed this reward rule while you were editing it; "
            "look at it again and save your change again if it is still needed."
        )
    if record is None:
        record = RewardRuleRecord(id=rule.id, version=0)
        session.add(record)
    record.kind = checked.kind.value
    record.enabled = checked.enabled
    record.params_json = _params(checked)
    record.version = stored_version + 1
    record.updated_at = now
    record.updated_by = actor.name.strip()
    session.flush()
    return StoredRule(checked, record.version, record.updated_by, now)
