"""The FCR report's fast path (kept verdicts, issue 20) gives exactly the domain's report on random
tickets, on SQLite and PostgreSQL: before any verdict is kept, once they are, for an as_of in the past,
across a change of the windows, in a zone with daylight-saving changes, and after the inputs of kept
verdicts changed (an owner's correction, a contact logged late and dated in the past, another ticket
of the customer corrected)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from careapp.context import Services
from careapp.db.models import ContactRecord, CustomerRecord, FcrVerdictRecord, TicketRecord
from careapp.domain.fcr import FcrReport, FcrSettings, GroupBy, fcr_report
from careapp.domain.tickets import Exclusion
from careapp.services.demo.customers import DemoSpec, fill_demo
from careapp.services.demo.tickets import fill_demo_tickets
from careapp.services.shop.staff import Role
from careapp.services.tickets.fcr_settings import read_fcr_settings, read_windows_history
from careapp.services.tickets.fcr_verdicts import GROSS, verdict_count
from careapp.services.tickets.reports import LocalTimes, ReportService
from careapp.services.tickets.store import load_histories

ZONE = ZoneInfo("Europe/Berlin")
GROUPS: tuple[GroupBy, ...] = ("month", "staff", "category")
# The demo's tickets span the 180 days before now; the period crosses the end of summer time.
FIRST, LAST = dt.date(2026, 6, 1), dt.date(2026, 11, 30)


def _domain_report(services: Services, group_by: GroupBy, as_of: dt.datetime) -> FcrReport:
    """The report the domain makes from every ticket's full history: what the fast path must equal."""
    local = LocalTimes(ZONE)
    with services.db.session() as session:
        settings = read_fcr_settings(session)
        windows = read_windows_history(session, local)
        ids = session.scalars(select(TicketRecord.id)).all()
        histories = load_histories(session, ids, local)
    start = dt.datetime.combine(FIRST, dt.time()).replace(tzinfo=ZONE)
    end = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time()).replace(tzinfo=ZONE)
    return fcr_report(histories.values(), settings, start, end, local(as_of), group_by, windows)


def _assert_same_as_domain(services: Services, as_of: dt.datetime) -> None:
    for group_by in GROUPS:
        # A new service each time: nothing kept in memory, only what the database keeps.
        fast = ReportService(services.db, services.clock, tz=ZONE).fcr(FIRST, LAST, group_by, as_of)
        assert fast.report == _domain_report(services, group_by, as_of), (group_by, as_of)


def _fill(services: Services, seed: int) -> None:
    now = services.clock()
    fill_demo(services.db, DemoSpec(customers=40, seed=seed, history=0), now)
    with services.db.session() as session:
        customers = list(session.scalars(select(CustomerRecord.id)))
    fill_demo_tickets(services.db, customers, seed, now, 260)


def test_kept_verdicts_give_the_domains_report(services: Services, clock: list[dt.datetime]) -> None:
    _fill(services, seed=11)
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    now = clock[0]
    with services.db.session() as session:
        assert verdict_count(session) == 0
    _assert_same_as_domain(services, now)  # works everything out, keeps the decided verdicts
    with services.db.session() as session:
        kept = verdict_count(session)
    assert kept > 100
    _assert_same_as_domain(services, now)  # reads them
    _assert_same_as_domain(services, now - dt.timedelta(days=40))  # only those decided by then

    # The windows change: kept verdicts stand, the undecided tickets follow the new windows.
    clock[0] = now + dt.timedelta(hours=1)
    services.fcr_settings.save(owner, FcrSettings(3, 12), "longer repeat window")
    _assert_same_as_domain(services, clock[0])
    clock[0] = now + dt.timedelta(days=20)
    _assert_same_as_domain(services, clock[0])

    _change_inputs_of_kept_verdicts(services, random.Random(5))
    _assert_same_as_domain(services, clock[0])


def _change_inputs_of_kept_verdicts(services: Services, rng: random.Random) -> None:
    with services.db.session() as session:
        kept = session.execute(
            select(
                FcrVerdictRecord.ticket_id,
                FcrVerdictRecord.first_resolved_us,
                FcrVerdictRecord.flags,
                TicketRecord.customer_id,
            )
            .join(TicketRecord, TicketRecord.id == FcrVerdictRecord.ticket_id)
            .order_by(FcrVerdictRecord.ticket_id)
        ).all()
        # Each change on a different customer, so that each must be noticed on its own.
        late_one = rng.choice([row for row in kept if row.flags & GROSS])
        others = {row.customer_id: row.ticket_id for row in kept if row.customer_id != late_one.customer_id}
        chosen = rng.sample(sorted(others.values()), 5)
        chosen.insert(3, late_one.ticket_id)
        records = {t.id: t for t in session.scalars(select(TicketRecord).where(TicketRecord.id.in_(chosen)))}
        # Owner's corrections (each a new version): excluded, re-categorised, marked not resolvable.
        records[chosen[0]].exclusion = Exclusion.SPAM.value
        records[chosen[0]].version += 1
        records[chosen[1]].category = "Something else"
        records[chosen[1]].version += 1
        records[chosen[2]].not_resolvable_reason = "repair"
        records[chosen[2]].version += 1
        # An inbound contact logged late, dated at the first resolution (so it counts against gross),
        # with no new version of the ticket.
        late = records[chosen[3]]
        session.add(
            ContactRecord(
                customer_id=late.customer_id,
                ticket_id=late.id,
                at=_from_us(late_one.first_resolved_us),
                channel="phone",
                direction="in",
                staff="Sam",
                summary="called again",
            )
        )
        # Another ticket of the same customer, opened a day after its first resolution (within the
        # repeat window), a repeat of it.
        earlier = records[chosen[4]]
        resolved = {row.ticket_id: _from_us(row.first_resolved_us) for row in kept}[earlier.id]
        session.add(
            TicketRecord(
                customer_id=earlier.customer_id,
                title="again",
                category=earlier.category,
                opened_at=resolved + dt.timedelta(days=1),
                opened_by="Sam",
                repeat_of_id=earlier.id,
                updated_at=resolved + dt.timedelta(days=1),
            )
        )
        # The ticket leaves (as a deleted customer's tickets do): its kept verdict goes with it.
        session.delete(records[chosen[5]])


def _from_us(microseconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=microseconds)


def test_a_kept_verdict_is_what_the_report_reads(services: Services, clock: list[dt.datetime]) -> None:
    """The fast path is really taken: a kept verdict altered by hand changes the report (and only a
    change of its inputs would have it worked out again)."""
    _fill(services, seed=3)
    reports = ReportService(services.db, services.clock, tz=ZONE)
    before = reports.fcr(FIRST, LAST, "month", clock[0]).report.total.gross.numerator
    with services.db.session() as session:
        ticket_id = session.scalar(
            select(FcrVerdictRecord.ticket_id).where(FcrVerdictRecord.flags.op("&")(GROSS) != 0).limit(1)
        )
        session.execute(
            update(FcrVerdictRecord)
            .where(FcrVerdictRecord.ticket_id == ticket_id)
            .values(flags=FcrVerdictRecord.flags - GROSS)
        )
    after = ReportService(services.db, services.clock, tz=ZONE).fcr(FIRST, LAST, "month", clock[0])
    assert after.report.total.gross.numerator == before - 1


def test_an_erased_customer_leaves_no_verdict(services: Services, clock: list[dt.datetime]) -> None:
    from careapp.services.privacy.service import erase_in_session

    _fill(services, seed=4)
    ReportService(services.db, services.clock, tz=ZONE).fcr(FIRST, LAST, "month", clock[0])
    theirs = select(FcrVerdictRecord.ticket_id).join(
        TicketRecord, TicketRecord.id == FcrVerdictRecord.ticket_id
    )
    with services.db.session() as session:
        customer_id = session.scalar(theirs.with_only_columns(TicketRecord.customer_id).limit(1))
        kept = len(session.scalars(theirs.where(TicketRecord.customer_id == customer_id)).all())
        assert kept > 0
        counts = erase_in_session(session, customer_id, "Olivia", "asked by letter", clock[0])
    assert counts["fcr_verdict"] == kept
    with services.db.session() as session:
        # Every verdict left belongs to a ticket that is still there.
        left = set(session.scalars(select(FcrVerdictRecord.ticket_id)))
        assert left and left <= set(session.scalars(select(TicketRecord.id)))


def test_the_fingerprint_the_database_makes_is_the_one_kept_before(
    services: Services, clock: list[dt.datetime]
) -> None:
    """The fingerprint is now made in SQL; its text is the one the earlier version made in Python from
    grouped reads, so verdicts it kept are still read (not all worked out again after an upgrade)."""
    from sqlalchemy import func

    from careapp.db.models import TicketStateChangeRecord
    from careapp.services.tickets.fcr_verdicts import fingerprint

    _fill(services, seed=8)
    with services.db.session() as session:  # a ticket with no contact and no state change yet
        customer_id = session.scalar(select(CustomerRecord.id).limit(1))
        now = clock[0]
        session.add(TicketRecord(customer_id=customer_id, title="bare", opened_at=now, updated_at=now))
    with services.db.session() as session:
        made = dict(session.execute(select(TicketRecord.id, fingerprint(TicketRecord))).tuples().all())
        tickets = session.execute(select(TicketRecord.id, TicketRecord.customer_id, TicketRecord.version))
        customers = {
            c: f"{n}:{v}:{top}:{total}"
            for c, n, v, top, total in session.execute(
                select(
                    TicketRecord.customer_id,
                    func.count(),
                    func.sum(TicketRecord.version),
                    func.max(TicketRecord.id),
                    func.sum(TicketRecord.id),
                ).group_by(TicketRecord.customer_id)
            )
        }
        rows = {}
        for record in (ContactRecord, TicketStateChangeRecord):
            grouped = select(record.ticket_id, func.count(), func.max(record.id)).group_by(record.ticket_id)
            rows[record] = {t: f"{n}:{top}" for t, n, top in session.execute(grouped)}
        earlier = {
            t: f"{v}:{c}:{customers[c]}:{rows[ContactRecord].get(t)}:{rows[TicketStateChangeRecord].get(t)}"
            for t, c, v in tickets
        }
    assert made == earlier
    assert any(text.endswith(":None:None") for text in made.values())


def test_keeping_verdicts_counts_as_a_tickets_change_and_wakes_no_listener(
    services: Services, clock: list[dt.datetime]
) -> None:
    """The verdicts are written with a Core insert through the session: the change counter still sees
    the write (other seats), and, being derived data, it tells this process's listeners nothing."""
    from careapp.db.changes import read_counters

    _fill(services, seed=6)
    heard: list[object] = []
    services.db.changes.add_listener(heard.append)
    with services.db.session() as session:
        before = read_counters(session)
    ReportService(services.db, services.clock, tz=ZONE).fcr(FIRST, LAST, "month", clock[0])
    with services.db.session() as session:
        assert verdict_count(session) > 0
        after = read_counters(session)
    assert after["tickets"] == before["tickets"] + 1
    assert {k: v for k, v in after.items() if k != "tickets"} == {
        k: v for k, v in before.items() if k != "tickets"
    }
    assert heard == []


def test_stored_microseconds_of_an_aware_time_are_those_of_its_utc_time() -> None:
    from careapp.services.tickets.fcr_verdicts import _to_us, _us_of, _utc

    rng = random.Random(2)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for _ in range(5000):
        moment = start + dt.timedelta(seconds=rng.randrange(366 * 86400), microseconds=rng.randrange(10**6))
        for zone in (ZONE, dt.UTC, dt.timezone(dt.timedelta(hours=-3, minutes=-30))):
            local = moment.astimezone(zone)
            assert _us_of(local) == _to_us(_utc(local)) == _to_us(moment.replace(tzinfo=None))
