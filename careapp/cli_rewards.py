"""``careapp rewards list|redeem``: the rewards ledger headless, on the same service as the app."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.rewards.service import RewardView

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
    rewards = commands.add_parser("rewards", help="loyalty and referral rewards: list and redeem")
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
