"""Stored touch rules and care settings: JSON in and out, defaults when nothing is stored.

Each section of :class:`~careapp.domain.touches.TouchRules` (birthday, follow-up, ...) is one row of
``touch_rule`` with its own version, so two owners editing different sections never conflict. A
missing row, a missing field or a row that cannot be read means the domain default, so a newer
careapp's extra fields or an older careapp's missing ones never stop the queue.

The care settings (marketing cap, its window, the daily limit and the shop's time zone) are one JSON
value in the ``setting`` table under :data:`CARE_KEY`. Where 29 February is observed comes from the
shop settings (``ShopSettings.feb29_observed_on``), not from here.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.locks import lock_named
from careapp.db.models import SettingRecord, TouchRuleRecord
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, DateKind, LoyaltyStage
from careapp.domain.recurrence import Feb29Rule
from careapp.domain.touches import (
    ArticleRule,
    BirthdayRule,
    CheckInRule,
    FeedbackRule,
    FollowUpRule,
    ImportantDateRule,
    Interval,
    ReferralThanksRule,
    RelatedProductRule,
    RewardReminderRule,
    RewardWaitingRule,
    TouchRules,
)
from careapp.services.shop.settings import SETTINGS_LOCK

log = logging.getLogger(__name__)

CARE_KEY = "care"
LAST_RUN_KEY = "touches.last_run"


class RuleKind(StrEnum):
    """The sections of the touch rules; the values are the ``touch_rule.kind`` keys and the
    attribute names on :class:`TouchRules`."""

    BIRTHDAY = "birthday"
    IMPORTANT_DATES = "important_dates"
    FOLLOW_UP = "follow_up"
    CHECK_IN = "check_in"
    ARTICLES = "articles"
    REFERRAL_THANKS = "referral_thanks"
    FEEDBACK = "feedback"
    REWARD_EXPIRING = "reward_expiring"
    REWARD_WAITING = "reward_waiting"
    RELATED_PRODUCT = "related_product"


Rule = (
    BirthdayRule
    | ImportantDateRule
    | FollowUpRule
    | CheckInRule
    | ArticleRule
    | ReferralThanksRule
    | FeedbackRule
    | RewardReminderRule
    | RewardWaitingRule
    | RelatedProductRule
)


def _channels(value: Any, default: tuple[Channel, ...]) -> tuple[Channel, ...]:
    if not isinstance(value, list):
        return default
    return tuple(Channel(v) for v in value)


def _interval_json(interval: Interval) -> list[int]:
    return [interval.ideal_days, interval.max_days]


def _interval(value: Any) -> Interval:
    ideal, maximum = value
    return Interval(int(ideal), int(maximum))


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """One section as plain JSON values (enums as their values, intervals as [ideal, max])."""
    data: dict[str, Any] = {"enabled": rule.enabled, "channels": [c.value for c in rule.channels]}
    if isinstance(rule, BirthdayRule):
        data["days_ahead"] = rule.days_ahead
    elif isinstance(rule, ReferralThanksRule):
        data["days_after"] = rule.days_after
    elif isinstance(rule, RewardReminderRule):
        data["days_before"] = rule.days_before
    elif isinstance(rule, RewardWaitingRule):
        data["days_after"] = rule.days_after
    elif isinstance(rule, RelatedProductRule):
        data.update(min_customers=rule.min_customers, min_lift=rule.min_lift, days_after=rule.days_after)
    elif isinstance(rule, ImportantDateRule):
        data.update(days_ahead=rule.days_ahead, kinds=sorted(k.value for k in rule.kinds))
    elif isinstance(rule, FollowUpRule):
        data.update(default_days=rule.default_days, days_by_category=dict(rule.days_by_category))
    elif isinstance(rule, CheckInRule):
        data["by_stage"] = {s.value: _interval_json(iv) for s, iv in rule.by_stage.items()}
        data["by_tag"] = {t: _interval_json(iv) for t, iv in rule.by_tag.items()}
    elif isinstance(rule, ArticleRule):
        data.update(min_days_between=rule.min_days_between, fresh_for_days=rule.fresh_for_days)
    else:
        data.update(after_purchase_days=rule.after_purchase_days, after_ticket_days=rule.after_ticket_days)
    return data


def _pick(data: Mapping[str, Any], default: Any, *names: str) -> dict[str, Any]:
    return {n: data[n] if n in data else getattr(default, n) for n in names}


def rule_from_json(kind: RuleKind, data: Mapping[str, Any]) -> Rule:
    """A section from stored JSON; fields it lacks take the default. Raises on values that are wrong."""
    default = getattr(TouchRules(), kind.value)
    common: dict[str, Any] = {
        "enabled": bool(data.get("enabled", default.enabled)),
        "channels": _channels(data.get("channels"), default.channels),
    }
    if kind is RuleKind.BIRTHDAY:
        return BirthdayRule(**common, **_pick(data, default, "days_ahead"))
    if kind is RuleKind.IMPORTANT_DATES:
        kinds = frozenset(DateKind(k) for k in data["kinds"]) if "kinds" in data else default.kinds
        return ImportantDateRule(**common, kinds=kinds, **_pick(data, default, "days_ahead"))
    if kind is RuleKind.FOLLOW_UP:
        return FollowUpRule(**common, **_pick(data, default, "default_days", "days_by_category"))
    if kind is RuleKind.CHECK_IN:
        by_stage = default.by_stage
        if "by_stage" in data:
            by_stage = {LoyaltyStage(s): _interval(v) for s, v in data["by_stage"].items()}
        by_tag = {t: _interval(v) for t, v in data.get("by_tag", {}).items()}
        return CheckInRule(**common, by_stage=by_stage, by_tag=by_tag)
    if kind is RuleKind.ARTICLES:
        return ArticleRule(**common, **_pick(data, default, "min_days_between", "fresh_for_days"))
    if kind is RuleKind.REFERRAL_THANKS:
        return ReferralThanksRule(**common, **_pick(data, default, "days_after"))
    if kind is RuleKind.REWARD_EXPIRING:
        return RewardReminderRule(**common, **_pick(data, default, "days_before"))
    if kind is RuleKind.REWARD_WAITING:
        return RewardWaitingRule(**common, **_pick(data, default, "days_after"))
    if kind is RuleKind.RELATED_PRODUCT:
        found = _pick(data, default, "min_customers", "min_lift", "days_after")
        return RelatedProductRule(
            **common,
            min_customers=int(found["min_customers"]),
            min_lift=float(found["min_lift"]),
            days_after=int(found["days_after"]),
        )
    return FeedbackRule(**common, **_pick(data, default, "after_purchase_days", "after_ticket_days"))


def read_rules(
    session: Session, feb29: Feb29Rule, for_update: bool = False
) -> tuple[TouchRules, dict[RuleKind, int]]:
    """The rules as stored (defaults where absent or unreadable) and each section's version (0: never
    saved). ``for_update`` locks the rows where the database can (PostgreSQL; SQLite locks the file)."""
    sections: dict[str, Rule] = {}
    versions = dict.fromkeys(RuleKind, 0)
    if for_update:
        # A rule saved for the first time has no row to lock yet: two seats would both insert it.
        lock_named(session, SETTINGS_LOCK)
    statement = select(TouchRuleRecord)
    for record in session.scalars(statement.with_for_update() if for_update else statement):
        try:
            kind = RuleKind(record.kind)
            sections[kind.value] = rule_from_json(kind, json.loads(record.params_json))
            versions[kind] = record.version
        except (ValueError, TypeError, KeyError) as error:
            log.warning("touch rule %r could not be read (%s); using the default", record.kind, error)
    return TouchRules(feb29=feb29, **sections), versions  # type: ignore[arg-type]


# --- care settings -----------------------------------------------------------------------------------


def local_zone_name(environ: Mapping[str, str] = os.environ, localtime: Path = Path("/etc/localtime")) -> str:
    """The computer's IANA time zone name, or "UTC" when it cannot be found out.

    Looks at ``TZ``, then where ``/etc/localtime`` points (Linux, macOS). Windows names its zones
    differently; there, and wherever this fails, the owner sets the zone in the care settings.
    """
    candidates = [environ.get("TZ", "").lstrip(":")]
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and is_zone(name):
            return name
    return "UTC"


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def care_settings_to_json(settings: CareSettings) -> dict[str, Any]:
    return {
        "marketing_cap": settings.marketing_cap,
        "cap_window_days": settings.cap_window_days,
        "daily_limit": settings.daily_limit,
        "timezone": settings.timezone,
    }


def read_care_settings(session: Session, zone: Callable[[], str] = local_zone_name) -> CareSettings:
    """The stored care settings; the computer's time zone until the owner chooses one."""
    record = session.get(SettingRecord, CARE_KEY)
    stored: dict[str, Any] = json.loads(record.value_json) if record is not None else {}
    defaults = CareSettings()
    try:
        timezone = stored.get("timezone") or zone()
        return CareSettings(
            marketing_cap=int(stored.get("marketing_cap", defaults.marketing_cap)),
            cap_window_days=int(stored.get("cap_window_days", defaults.cap_window_days)),
            daily_limit=stored.get("daily_limit", defaults.daily_limit),
            timezone=timezone if is_zone(timezone) else "UTC",
        )
    except (ValueError, TypeError) as error:
        log.warning("care settings could not be read (%s); using the defaults", error)
        return CareSettings(timezone=zone())
