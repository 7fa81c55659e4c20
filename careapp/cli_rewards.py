"""``careapp rewards list|redeem``: the rewards ledger headless, on the same service as the app."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.domain.rewards import Offer, RewardRule
    from careapp.services.rewards.rules import StoredRule
    from careapp.services.rewards.service import RewardView

RULE_NAMES = ("stamp", "referral", "milestone", "stage")
OFFER_KINDS = ("free_item", "amount_off", "percent_off")
REPORT_HELP = (
    "rewards earned, redeemed and expired per month, redemption rate, cost of rewards given, "
    "and purchases in the 90 days after beside comparable customers"
)

LIST_STATES = ("earned", "redeemed", "expired", "cancelled", "taken_back")
FIELDS = (
    "id",
    "customer_id",
    "customer_name",
    "wording",
    "because",
    "earned_on",
    "expires_on",
    "state",
    "closed_by",
    "closed_at",
    "redeemed_purchase_id",
    "cost",
)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a number of one; use the id from careapp rewards list."
        )
    return int(text)


def add_rewards_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rewards = commands.add_parser("rewards", help="loyalty and referral rewards: list, redeem, and the rules")
    actions = rewards.add_subparsers(dest="rewards_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="rewards earned, redeemed, expired (every customer, or one)")
    listing.add_argument("--customer", type=_positive, metavar="ID")
    listing.add_argument(
        "--state", choices=LIST_STATES, help="earned: still waiting to be used; the others as they say"
    )
    listing.add_argument("--format", choices=("text", "csv", "json"), default="text")
    redeem = actions.add_parser("redeem", help="mark a waiting reward as given")
    redeem.add_argument("reward_id", type=_positive, metavar="REWARD_ID")
    redeem.add_argument("--by", required=True, metavar="STAFF", help="who gave it (a name on the staff list)")
    redeem.add_argument("--purchase", type=_positive, metavar="ID", help="the purchase it was given against")
    _add_rules_parser(actions)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"“{text}” is not an amount; write it like 12.50.") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"“{text}” is not an amount of 0 or more.")
    return value


def _expiry(text: str) -> int:
    """Days, or "none" (0 is read as none too)."""
    if text.strip().lower() in ("none", "never", "0"):
        return 0
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of days (or none).")
    return int(text)


def _add_offer_options(parser: argparse.ArgumentParser, prefix: str, what: str) -> None:
    parser.add_argument(f"--{prefix}offer", choices=OFFER_KINDS, help=f"{what}: what kind of reward")
    parser.add_argument(f"--{prefix}wording", metavar="TEXT", help=f"{what}: the words the customer reads")
    parser.add_argument(
        f"--{prefix}value", type=_amount, metavar="N", help=f"{what}: amount or percentage off"
    )
    parser.add_argument(
        f"--{prefix}cost", type=_amount, metavar="N", help=f"{what}: what a free item costs the shop"
    )
    parser.add_argument(
        f"--{prefix}expires-after",
        type=_expiry,
        metavar="DAYS",
        help=f"{what}: days until it expires, or none",
    )


def _add_rules_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rules = actions.add_parser(
        "rules",
        help="show the reward rules, or change one (owner only)",
        description=(
            "Without changes: show the rules (all, or RULE). With changes: save RULE as the owner "
            "named by --by. Every rule is off until switched on with --on."
        ),
    )
    rules.add_argument("rule", nargs="?", choices=RULE_NAMES, metavar="RULE", help=", ".join(RULE_NAMES))
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--by", metavar="STAFF", help="who makes the change (must be the owner)")
    switch = rules.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="enabled", action="store_true", default=None, help="switch the rule on")
    switch.add_argument("--off", dest="enabled", action="store_false", help="switch the rule off")
    _add_offer_options(rules, "", "the reward")
    rules.add_argument("--every", type=_positive, metavar="N", help="stamp: every Nth purchase earns")
    rules.add_argument("--category", metavar="NAME", help='stamp: only purchases in this category ("" any)')
    rules.add_argument("--min-amount", type=_amount, metavar="N", help="stamp: only purchases of at least N")
    rules.add_argument("--threshold", type=_amount, metavar="N", help="milestone: total spend that earns")
    rules.add_argument("--stage", metavar="STAGE", help="stage: the step on the loyalty ladder that earns")
    welcome = rules.add_mutually_exclusive_group()
    welcome.add_argument(
        "--welcome",
        dest="welcome",
        action="store_true",
        default=None,
        help="referral: the new customer gets a welcome reward too",
    )
    welcome.add_argument(
        "--no-welcome", dest="welcome", action="store_false", help="referral: no welcome reward"
    )
    _add_offer_options(rules, "welcome-", "the welcome reward")


def add_rewards_report(
    kinds: argparse._SubParsersAction[argparse.ArgumentParser], day: Callable[[str], dt.date]
) -> None:
    """``careapp report rewards``: the conventions of ``report fcr`` (run by cli_value)."""
    parser = kinds.add_parser(
        "rewards", help=REPORT_HELP, description=REPORT_HELP[0].upper() + REPORT_HELP[1:] + "."
    )
    parser.add_argument("--from", dest="first_day", type=day, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--to", dest="last_day", type=day, metavar="YYYY-MM-DD", help="last day (included)")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of the screen")


def _row(view: RewardView) -> dict[str, object]:
    state = "earned" if view.state == "waiting" else view.state
    return {
        "id": view.id,
        "customer_id": view.customer_id,
        "customer_name": view.customer_name,
        "wording": view.wording,
        "because": view.because,
        "earned_on": view.earned_on.isoformat() if view.earned_on else "",
        "expires_on": view.expires_on.isoformat() if view.expires_on else "",
        "state": state,
        "closed_by": view.closed_by,
        "closed_at": view.closed_at.isoformat(timespec="minutes") if view.closed_at else "",
        "redeemed_purchase_id": view.redeemed_purchase_id or "",
        "cost": "" if view.cost is None else str(view.cost),
    }


def _text(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "No rewards.\n"
    lines = []
    for row in rows:
        line = (
            f"#{row['id']}\t{row['customer_name']} (#{row['customer_id']})\t{row['wording']}\t{row['state']}"
        )
        line += f"\tearned {row['earned_on']}" + (
            f", expires {row['expires_on']}" if row["expires_on"] else ""
        )
        if row["closed_by"]:
            line += f"\t{row['state']} by {row['closed_by']} at {row['closed_at']}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def run_rewards(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.customers.service import CustomerNotFound
    from careapp.services.rewards.service import RewardUnavailable
    from careapp.services.shop.staff import Actor, PermissionDenied

    rewards = services.rewards
    if args.rewards_action == "rules":
        return _run_rules(services, args)
    if args.rewards_action == "list":
        if args.customer is not None:
            try:
                services.customers.get(args.customer)
            except CustomerNotFound as error:
                print(f"careapp: {error}", file=sys.stderr)
                return 2
        state = "waiting" if args.state == "earned" else args.state
        rows = [_row(view) for view in rewards.listing(args.customer, state)]
        if args.format == "json":
            sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        elif args.format == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, FIELDS)
            writer.writeheader()
            writer.writerows(rows)
            sys.stdout.write(out.getvalue())
        else:
            sys.stdout.write(_text(rows))
        return 0
    try:
        view = rewards.redeem(Actor(args.by), args.reward_id, args.purchase)
    except (RewardUnavailable, PermissionDenied) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return 2
    print(f"Redeemed reward {view.id} ({view.wording}) for {view.customer_name}, given by {view.closed_by}.")
    return 0


# --- the rules ---------------------------------------------------------------------------------------

_CHANGES = ("enabled", "offer", "wording", "value", "cost", "expires_after", "every", "category",
            "min_amount", "threshold", "stage", "welcome", "welcome_offer", "welcome_wording",
            "welcome_value", "welcome_cost", "welcome_expires_after")  # fmt: skip


def _offer_dict(offer: Offer | None) -> dict[str, Any] | None:
    if offer is None:
        return None
    return {
        "offer": offer.kind.value,
        "wording": offer.wording,
        "value": str(offer.value),
        "cost": str(offer.cost),
        "expires_after_days": offer.expires_after_days,
    }


def _rule_dict(stored: StoredRule) -> dict[str, Any]:
    rule = stored.rule
    data: dict[str, Any] = {"rule": rule.kind.value, "on": rule.enabled, "reward": _offer_dict(rule.offer)}
    if rule.kind.value == "stamp":
        data.update(every=rule.every, category=rule.category, min_amount=str(rule.min_amount))
    elif rule.kind.value == "referral":
        data["welcome"] = _offer_dict(rule.welcome)
    elif rule.kind.value == "milestone":
        data["threshold"] = str(rule.threshold)
    else:
        data["stage"] = rule.stage
    data.update(version=stored.version, changed_by=stored.updated_by)
    return data


def _offer_text(offer: Offer | None) -> str:
    if offer is None:
        return "none"
    expiry = f"expires after {offer.expires_after_days} days" if offer.expires_after_days else "never expires"
    value = {"amount_off": f" ({offer.value} off)", "percent_off": f" ({offer.value}% off)"}.get(
        offer.kind.value, f" (costs the shop {offer.cost})"
    )
    return f"“{offer.wording}”{value}, {expiry}"


def _rule_text(stored: StoredRule) -> str:
    rule = stored.rule
    head = f"{rule.kind.value}: {'on' if rule.enabled else 'off'}"
    if rule.kind.value == "stamp":
        where = f" in {rule.category}" if rule.category else ""
        least = f" of at least {rule.min_amount}" if rule.min_amount else ""
        head += f", every {rule.every} purchases{where}{least}"
    elif rule.kind.value == "milestone":
        head += f", when total spend reaches {rule.threshold}"
    elif rule.kind.value == "stage":
        head += f", on becoming {rule.stage}"
    lines = [head, f"  reward: {_offer_text(rule.offer)}"]
    if rule.kind.value == "referral":
        lines.append(f"  welcome reward for the new customer: {_offer_text(rule.welcome)}")
    if stored.updated_by:
        lines.append(f"  last changed by {stored.updated_by}")
    return "\n".join(lines)


def _changed_offer(offer: Offer, args: argparse.Namespace, prefix: str) -> Offer:
    from dataclasses import replace

    from careapp.domain.rewards import OfferKind

    changes: dict[str, Any] = {}
    if getattr(args, f"{prefix}offer") is not None:
        changes["kind"] = OfferKind(getattr(args, f"{prefix}offer"))
    if getattr(args, f"{prefix}wording") is not None:
        changes["wording"] = getattr(args, f"{prefix}wording")
    if getattr(args, f"{prefix}value") is not None:
        changes["value"] = getattr(args, f"{prefix}value")
    if getattr(args, f"{prefix}cost") is not None:
        changes["cost"] = getattr(args, f"{prefix}cost")
    if getattr(args, f"{prefix}expires_after") is not None:
        changes["expires_after_days"] = getattr(args, f"{prefix}expires_after") or None
    return replace(offer, **changes)


def _changed_rule(rule: RewardRule, args: argparse.Namespace) -> RewardRule:
    from dataclasses import replace

    from careapp.domain.rewards import Offer, OfferKind

    changes: dict[str, Any] = {"offer": _changed_offer(rule.offer, args, "")}
    for name in ("enabled", "every", "category", "min_amount", "threshold", "stage"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    welcome = rule.welcome
    if args.welcome is False:
        welcome = None
    elif args.welcome or any(
        getattr(args, f"welcome_{n}") is not None
        for n in ("offer", "wording", "value", "cost", "expires_after")
    ):
        start = welcome or Offer(OfferKind.PERCENT_OFF, "10% off your next purchase", Decimal(10), 60)
        welcome = _changed_offer(start, args, "welcome_")
    changes["welcome"] = welcome
    return replace(rule, **changes)


def _run_rules(services: Services, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from careapp.domain.rewards import InvalidRewardRule
    from careapp.services.rewards.rules import StaleRewardRule
    from careapp.services.shop.staff import Actor, PermissionDenied

    rules = services.rewards.rules()
    chosen = [s for s in rules if args.rule is None or s.rule.kind.value == args.rule]
    if not any(getattr(args, name) is not None for name in _CHANGES):
        if args.format == "json":
            sys.stdout.write(json.dumps([_rule_dict(s) for s in chosen], indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write("\n".join(_rule_text(s) for s in chosen) + "\n")
        return 0
    if args.rule is None:
        print(f"careapp: say which rule to change: one of {', '.join(RULE_NAMES)}.", file=sys.stderr)
        return 2
    if not args.by:
        print("careapp: say who makes the change with --by NAME (the owner).", file=sys.stderr)
        return 2
    (stored,) = chosen
    try:
        saved = services.rewards.save_rule(
            Actor(args.by), replace(stored, rule=_changed_rule(stored.rule, args))
        )
    except (InvalidRewardRule, StaleRewardRule, PermissionDenied) as error:
        print(f"careapp: {error} Nothing was changed.", file=sys.stderr)
        return 2
    print(f"Saved the {args.rule} rule.")
    print(_rule_text(saved))
    return 0
