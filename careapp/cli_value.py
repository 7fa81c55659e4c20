"""``careapp report value|retention|churn|care-effect``: the value reports headless, with the
conventions of ``report fcr`` (--from/--to local days both included, --format text|csv|json,
--output FILE; a CSV file starts with a byte-order mark for Excel)."""

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
    from careapp.cli_rewards import add_rewards_report

    add_rewards_report(kinds, day)


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
