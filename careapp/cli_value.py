"""``careapp report value|retention|churn|care-effect``: the value reports headless, with the
conventions of ``report fcr`` (--from/--to local days both included, --format text|csv|json,
--output FILE; a CSV file starts with a byte-order mark for Excel). ``careapp report control-group``
shows the control group setting, or changes it as the owner (--on/--off, --share N, --by OWNER)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careapp.context import Services

VALUE_REPORTS = {
    "value": "lifetime value: spent, orders, RFM segments, revenue by loyalty stage, lapsed customers",
    "retention": "who bought again the next month or year, and cohort retention by month of first purchase",
    "churn": "consent withdrawals per month and channel, as a rate of those who had consent, with a trend",
    "care-effect": (
        "customers touched against comparable untouched ones (and the control group): "
        "bought within 30/60/90 days"
    ),
}


def add_value_reports(
    kinds: argparse._SubParsersAction[argparse.ArgumentParser], day: Callable[[str], dt.date]
) -> None:
    for name, text in VALUE_REPORTS.items():
        parser = kinds.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        parser.add_argument("--from", dest="first_day", type=day, metavar="YYYY-MM-DD", help="first day")
        parser.add_argument(
            "--to", dest="last_day", type=day, metavar="YYYY-MM-DD", help="last day (included)"
        )
        if name == "retention":
            parser.add_argument("--by", choices=("month", "year"), default="month")
        parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
        parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of the screen")
    _add_control_group(kinds)
    from careapp.cli_rewards import add_rewards_report

    add_rewards_report(kinds, day)


def _share(text: str) -> int:
    try:
        share = int(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of per cent (5 to 10)") from None
    if not 5 <= share <= 10:
        raise argparse.ArgumentTypeError(f"the control group is 5 to 10 % of customers, not {share}")
    return share


def _add_control_group(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = (
        "Show the control group setting, or change it (owner only): a fixed random 5-10 % of customers "
        "whom marketing touches skip (held in the care queue, with the reason), so the care-effect "
        "report can compare them with the touched. The same customers stay in it across restarts and "
        "seats; raising the share adds customers, never swaps them. Changing it re-plans the care queue."
    )
    parser = kinds.add_parser(
        "control-group", help="show or set the control group that marketing touches skip", description=text
    )
    switch = parser.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="enabled", action="store_true", default=None, help="turn it on")
    switch.add_argument("--off", dest="enabled", action="store_false", help="turn it off")
    parser.add_argument("--share", type=_share, metavar="N", help="per cent of customers in it, 5 to 10")
    parser.add_argument("--by", metavar="OWNER", help="who makes the change (must be the owner)")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _control_text(enabled: bool, percent: int) -> str:
    if not enabled:
        return f"Control group: off (share when on: {percent} % of customers).\n"
    return (
        f"Control group: on, {percent} % of customers. Their marketing touches are held in the care "
        "queue so the effect of care can be measured.\n"
    )


def run_control_group(services: Services, args: argparse.Namespace) -> int:
    import json

    from careapp.services.shop.staff import Actor, PermissionDenied

    group = services.value.control_group()
    if args.enabled is not None or args.share is not None:
        if not args.by:
            print("careapp: say who makes the change with --by NAME (the owner).", file=sys.stderr)
            return 2
        enabled = group.enabled if args.enabled is None else args.enabled
        try:
            group = services.value.save_control_group(Actor(args.by), enabled, args.share or group.percent)
        except (PermissionDenied, ValueError) as error:
            print(f"careapp: {error} Nothing was changed.", file=sys.stderr)
            return 2
        print("Saved the control group setting.", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(json.dumps({"enabled": group.enabled, "percent": group.percent}) + "\n")
    else:
        sys.stdout.write(_control_text(group.enabled, group.percent))
    return 0


def default_period(today: dt.date, first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """By default the last twelve months: from the first of the month eleven months back to today."""
    last = last or today
    if first is None:
        index = last.year * 12 + last.month - 1 - 11
        first = dt.date(index // 12, index % 12 + 1, 1)
    return first, last


def run_value_report(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.customers.exporter import write_atomically
    from careapp.services.value import render

    if args.report == "control-group":
        return run_control_group(services, args)
    first, last = default_period(services.touches.today(), args.first_day, args.last_day)
    if last < first:
        print(f"careapp: the report cannot end ({last}) before it starts ({first}).", file=sys.stderr)
        return 2
    value = services.value
    if args.report == "value":
        tables = render.value_tables(value.value())
    elif args.report == "retention":
        tables = render.retention_tables(value.retention(first, last, args.by))
    elif args.report == "rewards":
        from careapp.services.rewards.report import report_tables

        tables = report_tables(services.rewards.report(first, last))
    elif args.report == "churn":
        tables = render.churn_tables(value.churn(first, last))
    else:
        tables = render.effect_tables(value.care_effect(first, last))
    text = render.RENDERERS[args.format](tables)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.output, text, "utf-8-sig" if args.format == "csv" else "utf-8")
    except OSError as error:
        print(f"careapp: could not write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"Wrote the report to {args.output} ({args.format}).")
    return 0
