"""The value service on a real migrated database (SQLite file and PostgreSQL), and ``careapp report
value|retention|churn|care-effect`` run as a user would. Figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from careapp.cli import main
from careapp.config import Paths
from careapp.context import Services, build_services
from careapp.db.models import TouchLogRecord, TouchRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, LoyaltyStage, Purchase
from careapp.domain.value import NO_SEGMENT
from careapp.services.shop.staff import Actor

D = dt.date


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def person(services: Services, name: str, stage: LoyaltyStage = LoyaltyStage.CUSTOMER) -> int:
    return services.customers.create(CustomerDraft(first_name=name, loyalty_stage=stage), "test").id


def buy(services: Services, cid: int, day: dt.date, category: str, amount: str) -> None:
    services.customers.add_purchase(cid, Purchase(day, f"{category} item", category, Decimal(amount)))


def build_shop(services: Services) -> dict[str, int]:
    ann = person(services, "Ann", LoyaltyStage.CLIENT)
    bob = person(services, "Bob")
    cy = person(services, "Cy", LoyaltyStage.PROSPECT)
    buy(services, ann, D(2026, 1, 5), "tea", "10.00")
    buy(services, ann, D(2026, 2, 1), "cups", "20.00")  # on February's first day
    buy(services, ann, D(2026, 2, 3), "cups", "-5.00")  # a refund
    buy(services, bob, D(2026, 1, 20), "tea", "8.00")
    return {"ann": ann, "bob": bob, "cy": cy}


def test_customer_value_panel(services: Services) -> None:
    ids = build_shop(services)
    ann = services.value.customer_value(ids["ann"])
    # Ann: 10 + 20 - 5 = 25.00 net, 2 purchases (the refund is none), average 12.50.
    assert (ann.totals.spent_cents, ann.totals.purchases, ann.totals.average_order_cents) == (2500, 2, 1250)
    assert (ann.totals.first_day, ann.totals.last_day) == (D(2026, 1, 5), D(2026, 2, 1))
    # Two buyers: Ann's last day (1 Feb) is later than Bob's (20 Jan): R 1 + 5*1//2 = 3; F and M too: "333".
    assert ann.rfm is not None and ann.rfm.code == "333" and ann.rfm.segment == "loyal"
    assert ann.buyers == 2
    assert ann.wallet.bought == ("cups", "tea") and ann.wallet.share == 1.0
    bob = services.value.customer_value(ids["bob"])
    assert bob.wallet.not_yet == ("cups",) and bob.wallet.share == 0.5
    # One customer went from tea to cups: fewer than 5, so no suggestion.
    assert bob.next_categories == ()
    cy = services.value.customer_value(ids["cy"])
    assert cy.rfm is None and cy.totals.purchases == 0
    # A new purchase moves the change counter: the shop's figures are made again (3 buyers now).
    buy(services, ids["cy"], D(2026, 3, 1), "books", "4.00")
    again = services.value.customer_value(ids["ann"])
    assert again.buyers == 3 and again.wallet.not_yet == ("books",)


def test_value_and_retention_reports(services: Services) -> None:
    build_shop(services)
    report = services.value.value()
    summary = report.summary
    # Buyers Ann and Bob; Ann bought twice: 1/2. Gap: Ann 27 days over 1 gap.
    assert (summary.buyers, summary.repeat_buyers, summary.mean_days_between) == (2, 1, 27.0)
    assert report.revenue_cents == 3300  # 25.00 + 8.00
    assert report.average_order_cents == 1100  # 33.00 / 3 purchases
    stages = {g.name: (g.customers, g.spent_cents) for g in summary.by_stage}
    assert stages["client"] == (1, 2500) and stages["customer"] == (1, 800) and stages["prospect"] == (1, 0)
    retained = services.value.retention(D(2026, 1, 1), D(2026, 1, 31), "month")
    # January: Ann and Bob bought; Ann bought again on 1 February: 1 of 2.
    assert [(r.buyers, r.returned, r.complete) for r in retained.rows] == [(2, 1, True)]
    # January's cohort (both first bought in January): 2 at +0, Ann at +1, nobody since.
    assert retained.cohorts[0].active[:3] == (2, 1, 0)
    with pytest.raises(ValueError, match="cannot end"):
        services.value.retention(D(2026, 2, 1), D(2026, 1, 1))


def test_churn_report(services: Services) -> None:
    ids = build_shop(services)
    at = dt.datetime
    services.customers.record_consent(ids["ann"], ConsentEvent(Channel.EMAIL, True, at(2025, 12, 1, 10)))
    services.customers.record_consent(ids["bob"], ConsentEvent(Channel.EMAIL, True, at(2025, 12, 2, 10)))
    services.customers.record_consent(ids["ann"], ConsentEvent(Channel.EMAIL, False, at(2026, 1, 9, 10)))
    report = services.value.churn(D(2026, 1, 1), D(2026, 2, 28))
    # January: Ann and Bob had email consent; Ann withdrew: 1/2. February: Bob only, nobody withdrew.
    assert [(r.month.month, r.channel, r.had_consent, r.withdrew) for r in report.rows] == [
        (1, "email", 2, 1),
        (2, "email", 1, 0),
    ]
    assert report.trend["email"] == pytest.approx(-0.5)  # 50 % then 0 %


def add_done_touch(services: Services, cid: int, at: dt.datetime, kind: str = "check_in") -> None:
    with services.db.session() as session:
        touch = TouchRecord(key=f"test:{cid}:{at}", customer_id=cid, kind=kind, due=at.date(), created_at=at)
        session.add(touch)
        session.flush()
        session.add(TouchLogRecord(touch_id=touch.id, customer_id=cid, at=at, outcome="done", kind=kind))


def test_care_effect_report_and_the_control_group(services: Services, paths: Paths) -> None:
    ids = build_shop(services)
    add_done_touch(services, ids["bob"], dt.datetime(2026, 1, 25, 12))
    add_done_touch(services, ids["ann"], dt.datetime(2026, 1, 26, 12), kind="callback")  # service: not care
    report = services.value.care_effect(D(2026, 1, 1), D(2026, 1, 31))
    # Before January nobody had bought: every segment is "no purchase yet". Bob touched on 25 Jan bought
    # nothing after; Ann (reference: the median touch day, 25 Jan) bought on 1 Feb, within 30 days.
    # By 23 November 2026 every window has passed.
    rows = {(r.group, r.segment): (r.customers, r.counted, r.bought) for r in report.rows}
    assert rows[("touched", NO_SEGMENT)] == (1, (1, 1, 1), (0, 0, 0))
    assert rows[("untouched", NO_SEGMENT)] == (2, (2, 2, 2), (1, 1, 1))  # Ann and Cy
    assert "control group" in report.caveat
    with pytest.raises(ValueError, match="5 to 10"):
        services.value.save_control_group(Actor("owner"), True, 20)
    chosen = services.value.save_control_group(Actor("owner"), True, 10)
    again = services.value.save_control_group(Actor("owner"), True, 5)
    assert chosen.seed and again.seed == chosen.seed  # drawn once, then kept
    restarted = build_services(paths)
    try:
        assert restarted.value.control_group() == again
    finally:
        restarted.close()


def test_reports_kept_in_memory_follow_every_change(services: Services) -> None:
    """The reports are kept until the data changes: each change must show in the next call."""
    ids = build_shop(services)
    first = (D(2026, 1, 1), D(2026, 1, 31))
    assert services.value.value().revenue_cents == 3300
    assert [r.returned for r in services.value.retention(*first).rows] == [1]
    assert services.value.churn(*first).rows == ()
    assert services.value.care_effect(*first).rows == ()
    buy(services, ids["bob"], D(2026, 2, 10), "cups", "7.00")  # Bob comes back in February
    assert services.value.value().revenue_cents == 4000
    assert [r.returned for r in services.value.retention(*first).rows] == [2]
    at = dt.datetime
    services.customers.record_consent(ids["ann"], ConsentEvent(Channel.EMAIL, True, at(2026, 1, 2, 10)))
    assert [(r.had_consent, r.withdrew) for r in services.value.churn(*first).rows] == [(1, 0)]
    add_done_touch(services, ids["bob"], at(2026, 1, 25, 12))
    touched = {(r.group, r.customers) for r in services.value.care_effect(*first).rows}
    assert ("touched", 1) in touched
    services.value.save_control_group(Actor("owner"), True, 10)
    groups = {r.group for r in services.value.care_effect(*first).rows}
    members = sum(services.value.control_group().holds(c) for c in ids.values() if c != ids["bob"])
    assert ("control group" in groups) == bool(members)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_commands(services: Services, paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    build_shop(services)
    folder = str(paths.data_dir)
    code, out, _err = run(capsys, "--data-dir", folder, "report", "value", "--format", "json")
    assert code == 0
    tables = json.loads(out)["tables"]
    assert tables[0]["rows"][0] == {"figure": "customers who bought", "value": 2}
    code, out, _err = run(
        capsys, "--data-dir", folder, "report", "retention", "--from", "2026-01-01", "--to", "2026-01-31"
    )
    assert code == 0 and "2026-01  2       1" in out
    code, _out, err = run(
        capsys, "--data-dir", folder, "report", "churn", "--from", "2026-03-01", "--to", "2026-01-01"
    )
    assert code == 2 and "cannot end (2026-01-01) before it starts (2026-03-01)" in err
    target = paths.data_dir / "effect.csv"
    code, out, _err = run(
        capsys, "--data-dir", folder, "report", "care-effect", "--format", "csv", "--output", str(target)
    )
    assert code == 0 and target.read_bytes().startswith(b'\xef\xbb\xbf"Effect of care, touches from')
    with pytest.raises(SystemExit) as exited:  # argparse's own exit, with a sentence and no traceback
        main(["--data-dir", folder, "report", "value", "--from", "nonsense"])
    assert exited.value.code == 2 and "'nonsense' is not a date" in capsys.readouterr().err
