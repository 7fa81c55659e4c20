"""The rewards report: the ledger read in two set queries, the purchases for the comparison in one,
the figures from :mod:`careapp.domain.rewards_report`, and the report as tables (text, CSV, JSON with
the conventions of ``careapp report fcr``, by the value reports' renderers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.clock import to_local
from careapp.db.models import RewardLedgerRecord
from careapp.domain import rewards_report as domain
from careapp.domain.rewards import Event
from careapp.domain.rewards_report import LedgerFact, RewardsReport, rewards_report
from careapp.domain.value import EFFECT_WINDOWS
from careapp.services.value import loading
from careapp.services.value.render import Table, docstring_text, money, percent


def ledger_facts(session: Session) -> list[LedgerFact]:
    """Every reward: its EARNED row and the row that closed it, if any (local days)."""
    r = RewardLedgerRecord
    closing = {
        row.reward_id: row
        for row in session.execute(
            select(r.reward_id, r.event, r.at, r.cost_cents).where(r.reward_id.is_not(None))
        )
    }
    facts = []
    earned = select(r.id, r.customer_id, r.earned_on, r.expires_on, r.at).where(r.event == Event.EARNED.value)
    for row in session.execute(earned):
        closed = closing.get(row.id)
        facts.append(
            LedgerFact(
                row.id,
                row.customer_id,
                row.earned_on or to_local(row.at).date(),
                closed.event if closed else "",
                _closed_on(closed, row.expires_on),
                (closed.cost_cents or 0) if closed else 0,
            )
        )
    return facts


def _closed_on(closed: Any, expires_on: dt.date | None) -> dt.date | None:
    """The day it closed. A reward expires the day after its last day, whenever the ledger noticed
    (it catches up when read, and an import of old sales writes long-expired rewards today)."""
    if closed is None:
        return None
    if closed.event == Event.EXPIRED.value and expires_on is not None:
        return expires_on + dt.timedelta(days=1)
    return to_local(closed.at).date()


def build_report(session: Session, first_day: dt.date, last_day: dt.date, today: dt.date) -> RewardsReport:
    facts = ledger_facts(session)
    history = loading.histories(session, loading.Days()) if facts else {}
    return rewards_report(facts, history, first_day, last_day, today)


def report_tables(report: RewardsReport) -> list[Table]:
    """The report as the value reports' tables: per month, the summary, and what came after."""
    months = Table(
        f"Rewards per month, {report.first_day} to {report.last_day}",
        ("month", "earned", "redeemed", "expired", "cancelled", "taken back", "cost of rewards given"),
        tuple(
            (
                f"{m.month:%Y-%m}",
                m.earned,
                m.redeemed,
                m.expired,
                m.cancelled,
                m.taken_back,
                money(m.cost_cents),
            )
            for m in report.months
        ),
        notes=(
            "Earned counts by the day a reward was earned; redeemed, expired, cancelled and taken back "
            "by the day that happened. The cost is what the rewards redeemed took off or, for a free "
            "item, what the rule says it costs the shop.",
        ),
    )
    r = report.redemption
    summary = Table(
        f"Redemption of the rewards earned from {report.first_day} to {report.last_day}",
        ("figure", "value"),
        (
            ("rewards earned", r.earned),
            ("redeemed", r.redeemed),
            ("redemption rate", f"{r.redeemed}/{r.earned} ({percent(r.rate)})"),
            ("expired unused", r.expired),
            ("cancelled", r.cancelled),
            ("still waiting", r.waiting),
            ("cost of rewards given in the period", money(report.cost_cents)),
        ),
        notes=(docstring_text(domain.Redemption),),
    )
    windows = EFFECT_WINDOWS
    after = Table(
        "What came after: rewarded customers against comparable ones not rewarded",
        ("segment", "group", "customers", *(f"bought within {w} days" for w in windows)),
        tuple(
            (
                row.segment,
                row.group,
                row.customers,
                *(f"{row.bought[i]}/{row.counted[i]} ({percent(row.share(i))})" for i in range(len(windows))),
            )
            for row in report.comparison
        ),
        notes=(
            *(() if report.comparison else ("No reward was earned in these months: nothing to compare.",)),
            report.caveat,
            docstring_text(domain.comparison),
        ),
    )
    return [months, summary, after]
