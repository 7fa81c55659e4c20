"""A ReportService kept between reports (its ticket histories cached) reports exactly what a new one
does, after every kind of change: a contact logged, a contact written without a new ticket version (as
the care queue does when a callback is done), a ticket excluded."""

from __future__ import annotations

import datetime as dt

from careapp.context import Services
from careapp.db.models import ContactRecord
from careapp.domain.tickets import ContactChannel, Direction, Exclusion
from careapp.services.tickets.reports import ReportService, report_json
from careapp.services.tickets.service import ContactInput
from tests.services.test_reports_service import November, build_november

AS_OF = dt.datetime(2026, 12, 10)
FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def _same_as_fresh(services: Services, kept: ReportService) -> dict[str, object]:
    fresh = ReportService(services.db, services.clock, tz=dt.UTC)
    for group_by in ("month", "staff", "category"):
        from_kept = report_json(kept.fcr(FIRST, LAST, group_by, AS_OF))
        assert from_kept == report_json(fresh.fcr(FIRST, LAST, group_by, AS_OF)), group_by
    return report_json(kept.fcr(FIRST, LAST, "month", AS_OF))


def _gross(report: dict[str, object]) -> object:
    total = report["total"]
    assert isinstance(total, dict)
    return total["gross"]


def test_kept_histories_follow_every_change(services: Services, clock: list[dt.datetime]) -> None:
    november: November = build_november(services, clock)
    kept = ReportService(services.db, services.clock, tz=dt.UTC)
    first = _same_as_fresh(services, kept)

    # A second call from Dev about T6 is logged late, dated at its resolution (11-27 14:00): no
    # longer resolved at first contact. (A call dated after the first resolution counts only through
    # the windows since issue 17, so it would not move gross.)
    t6 = services.tickets.ticket(november.ids["T6"])
    clock[0] = dt.datetime(2026, 11, 28, 9)
    contact = ContactInput(
        channel=ContactChannel.PHONE,
        direction=Direction.IN,
        started_at=dt.datetime(2026, 11, 27, 14),
        ticket_id=t6.id,
    )
    services.tickets.log_contact(november.sam, t6.summary.customer_id, contact)
    second = _same_as_fresh(services, kept)
    assert _gross(second) != _gross(first)

    # An inbound contact on T1 written directly at its resolution (11-02 10:00), the ticket's version
    # left as it was.
    t1 = services.tickets.ticket(november.ids["T1"])
    with services.db.session() as session:
        session.add(
            ContactRecord(
                customer_id=t1.summary.customer_id,
                ticket_id=t1.id,
                at=dt.datetime(2026, 11, 2, 10),
                channel="phone",
                direction="in",
                staff="Sam",
                summary="again",
            )
        )
    third = _same_as_fresh(services, kept)
    assert _gross(third) != _gross(second)

    t2 = services.tickets.ticket(november.ids["T2"])
    services.tickets.set_exclusion(november.owner, t2.id, t2.version, Exclusion.SPAM, "not a customer")
    fourth = _same_as_fresh(services, kept)
    assert fourth != third
