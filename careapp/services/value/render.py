"""The value reports as tables (title, headers, rows, notes), and those tables as text, CSV and JSON
(the conventions of ``careapp report fcr``); the definitions in plain words come from the domain's
docstrings, so the screen, the command and the code say the same thing."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import json
from dataclasses import dataclass
from typing import Any

from careapp.domain import value as domain
from careapp.exporting.csv_export import guard_cell
from careapp.services.value.service import ChurnReport, EffectReport, RetentionReport, ValueReport


def docstring_text(thing: object) -> str:
    """A docstring as one paragraph of plain words."""
    text = " ".join(inspect.cleandoc(inspect.getdoc(thing) or "").split())
    return text.replace("``", "").replace("*", "")


def definitions() -> list[tuple[str, str]]:
    """(name, meaning) for every figure, from the domain's docstrings."""
    return [
        ("Purchases and refunds", docstring_text(domain).split("Words used throughout")[0].strip()),
        ("Customer totals", docstring_text(domain.CustomerTotals)),
        ("RFM scores", docstring_text(domain.RfmScale)),
        ("Quintile", docstring_text(domain.quintile)),
        ("Wallet share", docstring_text(domain.WalletShare)),
        ("Often bought next", docstring_text(domain.NextRule)),
        ("Suggestion thresholds", docstring_text(domain.often_bought_next)),
        ("Retention", docstring_text(domain.RetentionRow)),
        ("Cohorts", docstring_text(domain.CohortRow)),
        ("Shop summary", docstring_text(domain.ValueSummary)),
        ("Lapsed", docstring_text(domain.is_lapsed)),
        ("Churn", docstring_text(domain.ChurnRow)),
        ("Churn trend", docstring_text(domain.trend_per_month)),
        ("Care effect", docstring_text(domain.care_effect)),
        ("Control group", docstring_text(domain.in_control_group)),
    ]


def segment_table() -> list[tuple[str, str, str]]:
    return [(s.name, s.rule, s.meaning) for s in domain.SEGMENTS]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    notes: tuple[str, ...] = ()


def money(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def value_tables(report: ValueReport) -> list[Table]:
    s = report.summary
    head = Table(
        f"Customer value as of {report.today}",
        ("figure", "value"),
        (
            ("customers who bought", s.buyers),
            ("repeat-purchase rate", f"{s.repeat_buyers}/{s.buyers} ({percent(s.repeat_rate)})"),
            (
                "mean days between purchases",
                "" if s.mean_days_between is None else f"{s.mean_days_between:.1f}",
            ),
            ("revenue (net)", money(report.revenue_cents)),
            ("average order value", money(report.average_order_cents)),
            ("lapsed customers", len(s.lapsed)),
        ),
    )
    stages = Table(
        "Revenue by loyalty stage",
        ("stage", "customers", "spent", "per customer"),
        tuple((g.name, g.customers, money(g.spent_cents), money(g.per_customer_cents)) for g in s.by_stage),
    )
    segments = Table(
        "Value per RFM segment",
        ("segment", "rule", "customers", "spent", "per customer"),
        tuple(
            (g.name, rule, g.customers, money(g.spent_cents), money(g.per_customer_cents))
            for g, (_name, rule, _meaning) in zip(s.by_segment, segment_table(), strict=True)
        ),
        notes=(docstring_text(domain.quintile),),
    )
    return [head, stages, segments]


def retention_tables(report: RetentionReport) -> list[Table]:
    rows = Table(
        f"Retention by {report.by}, {report.first_day} to {report.last_day}",
        ("period", "buyers", "bought again next period", "rate", "complete"),
        tuple(
            (
                _period_name(r.period, report.by),
                r.buyers,
                r.returned,
                percent(r.rate),
                "yes" if r.complete else "not yet",
            )
            for r in report.rows
        ),
        notes=(docstring_text(domain.RetentionRow),),
    )
    width = max((len(c.active) for c in report.cohorts), default=1)
    triangle = Table(
        "Cohort retention by month of first purchase (share active k months later)",
        ("cohort", "customers", *(f"+{k}" for k in range(width))),
        tuple(
            (
                _period_name(c.month, "month"),
                c.size,
                *(percent(x) for x in c.shares()),
                *([""] * (width - len(c.shares()))),
            )
            for c in report.cohorts
        ),
        notes=(docstring_text(domain.CohortRow),),
    )
    return [rows, triangle]


def churn_tables(report: ChurnReport) -> list[Table]:
    rows = Table(
        f"Churn: consent withdrawals, {report.first_day} to {report.last_day}",
        ("month", "channel", "had consent", "withdrew", "rate"),
        tuple(
            (_period_name(r.month, "month"), r.channel, r.had_consent, r.withdrew, percent(r.rate))
            for r in report.rows
        ),
        notes=(docstring_text(domain.ChurnRow),),
    )
    trend = Table(
        "Churn trend (change of the monthly rate per month, in percentage points)",
        ("channel", "trend"),
        tuple(
            (channel, "n/a" if slope is None else f"{slope * 100:+.2f}")
            for channel, slope in report.trend.items()
        ),
        notes=(docstring_text(domain.trend_per_month),),
    )
    return [rows, trend]


def effect_tables(report: EffectReport) -> list[Table]:
    headers = ("segment", "group", "customers", *(f"bought within {w} days" for w in report.windows))
    control = report.control
    state = f"on, {control.percent} % of customers" if control.enabled else "off"
    table = Table(
        f"Effect of care, touches from {report.first_day} to {report.last_day} (control group {state})",
        headers,
        tuple(
            (
                r.segment,
                r.group,
                r.customers,
                *(
                    f"{r.bought[i]}/{r.counted[i]} ({percent(r.share(i))})"
                    for i in range(len(report.windows))
                ),
            )
            for r in report.rows
        ),
        notes=(
            *(() if report.rows else ("No marketing touch was done in these months: nothing to compare.",)),
            report.caveat,
            docstring_text(domain.care_effect),
        ),
    )
    return [table]


def _period_name(start: dt.date, by: str) -> str:
    return f"{start:%Y-%m}" if by == "month" else f"{start:%Y}"


def render_text(tables: list[Table]) -> str:
    out: list[str] = []
    for table in tables:
        cells = [tuple(map(str, table.headers)), *(tuple(map(str, row)) for row in table.rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.headers))]
        out.append(table.title)
        for row in cells:
            out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        out += [f"  {note}" for note in table.notes]
        out.append("")
    return "\n".join(out)


def render_csv(tables: list[Table]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for table in tables:
        writer.writerow([guard_cell(table.title)])
        writer.writerow([guard_cell(str(h)) for h in table.headers])
        for row in table.rows:
            writer.writerow([guard_cell(str(cell)) for cell in row])
        writer.writerow([])
    return buffer.getvalue()


def render_json(tables: list[Table]) -> str:
    document = {
        "tables": [
            {
                "title": t.title,
                "rows": [dict(zip(t.headers, row, strict=True)) for row in t.rows],
                "notes": list(t.notes),
            }
            for t in tables
        ]
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "csv": render_csv, "json": render_json}
