"""A shop where one customer, Zoë Quillfeather, has a row in every table that can hold a customer's data,
plus the people around her: Rex (who referred her, and was thanked for it in a message naming her),
Ivy (whom she referred) and Ned (a note of his mentions her by name and email)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from careapp.context import Services
from careapp.db.models import Base, StageChangeRecord, TicketAuditRecord
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    PartialDate,
    PhoneNumber,
    Purchase,
)
from careapp.domain.tickets import Outcome
from careapp.services.care.queue import SentMessage
from careapp.services.privacy.service import SECTIONS
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, NewTicket

FIRST, LAST = "Zoë", "Quillfeather"
NAME = f"{FIRST} {LAST}"
EMAIL = "zoe.quillfeather@example.org"
PHONE_RAW = "07700 900461"
PHONE_E164 = "+447700900461"
OWNER = Actor("Olive")


@dataclass
class People:
    zoe: int
    rex: int
    ivy: int
    ned: int
    ticket_id: int

    def secrets(self) -> list[str]:
        """What must not be found anywhere after Zoë is erased."""
        return [NAME, EMAIL, PHONE_RAW, PHONE_E164, LAST]


def _draft(first: str, last: str, email: str, **more: object) -> CustomerDraft:
    return CustomerDraft(first_name=first, last_name=last, emails=[EmailAddress(email)], **more)  # type: ignore[arg-type]


def make_people(services: Services, tmp_path: Path) -> People:
    now = services.clock()
    today = now.date()
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    services.settings.save_shop(replace(services.settings.shop(), shop_name="Quill & Ink"))
    customers = services.customers
    rex = customers.create(_draft("Rex", "Barnaby", "rex@example.net"), "Olive").id
    birthday = today + dt.timedelta(days=2)
    zoe = customers.create(
        _draft(
            FIRST,
            LAST,
            EMAIL,
            phones=[PhoneNumber(PHONE_RAW, PHONE_E164, "mobile")],
            birthday=PartialDate(birthday.month, birthday.day, 1988),
            dates=[ImportantDate(DateKind.ANNIVERSARY, PartialDate(today.month, today.day, 2015), "wedding")],
            tags=["fountain-pens"],
            notes=f"{FIRST} prefers green ink",
            referred_by_id=rex,
        ),
        "Olive",
    ).id
    ivy = customers.create(_draft("Ivy", "Marsh", "ivy@example.net", referred_by_id=zoe), "Olive").id
    ned = customers.create(
        _draft("Ned", "Fallow", "ned@example.net", notes=f"Comes in with {NAME} ({EMAIL})"), "Olive"
    ).id
    for customer_id in (zoe, rex):
        customers.record_consent(customer_id, ConsentEvent(Channel.EMAIL, True, now, "in shop", "Olive"))
    customers.add_note(zoe, f"{FIRST} asked about nib sizes; call {PHONE_RAW}", "Olive")
    pen = Purchase(today - dt.timedelta(days=3), "Pelikan M200", "pens", Decimal("99.00"))
    customers.add_purchase(zoe, pen)
    _reward(services, zoe)
    ticket_id = _ticket(services, zoe)
    _touches(services, zoe, rex, today)
    services.touches.record_stage_change(zoe, OWNER)
    _import_update(services, tmp_path)
    _fill_gaps(services, zoe, ticket_id, now)
    return People(zoe, rex, ivy, ned, ticket_id)


def _reward(services: Services, zoe: int) -> None:
    """A row in the rewards ledger: her pen crosses a spend milestone switched on for the purpose."""
    from careapp.domain.rewards import RuleKind

    stored = next(s for s in services.rewards.rules() if s.rule.kind is RuleKind.MILESTONE)
    rule = replace(stored.rule, enabled=True, threshold=Decimal("50"))
    services.rewards.save_rule(OWNER, replace(stored, rule=rule))
    assert services.rewards.for_customer(zoe).waiting


def _ticket(services: Services, zoe: int) -> int:
    tickets = services.tickets
    logged = tickets.log_contact(
        OWNER,
        zoe,
        ContactInput(
            summary=f"{FIRST}'s pen leaks",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=services.clock() + dt.timedelta(days=1),
            new_ticket=NewTicket(title=f"Leaking pen for {NAME}"),
        ),
    )
    assert logged.ticket is not None
    ticket = tickets.resolve(OWNER, logged.ticket.id, logged.ticket.version, "swapped the converter")
    services.feedback.record(OWNER, zoe, True, "Lovely service, thanks", ticket.id)
    services.feedback.record(OWNER, zoe, True, "Great shop")
    return ticket.id


def _touches(services: Services, zoe: int, rex: int, today: dt.date) -> None:
    services.touches.refresh(today)
    queue = services.care_queue.queue(today)
    mine = [e for e in queue.entries() if e.customer_id == zoe]
    assert mine, "Zoë should have a touch due (her birthday is in two days)"
    services.care_queue.done(OWNER, mine[0].touch_id, Channel.EMAIL, SentMessage(f"Happy birthday {FIRST}!"))
    thanks = [e for e in queue.entries() if e.customer_id == rex and e.kind == "referral_thanks"]
    if thanks:
        message = SentMessage(f"Thank you for sending {NAME} our way", "Thank you")
        services.care_queue.done(OWNER, thanks[0].touch_id, Channel.EMAIL, message)


def _import_update(services: Services, tmp_path: Path) -> None:
    """A vCard that matches Zoë by email and adds a phone: an update, kept for the import's undo."""
    card = tmp_path / "zoe.vcf"
    card.write_text(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{NAME}\r\nN:{LAST};{FIRST};;;\r\nEMAIL:{EMAIL}\r\n"
        "TEL;TYPE=WORK:020 7946 0321\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    summary = services.imports.apply(card, "Olive")
    assert summary.count("update") == 1, summary


def _fill_gaps(services: Services, zoe: int, ticket_id: int, now: dt.datetime) -> None:
    """Rows the services above may not have written for her (so that every table has one)."""

    def has(model: type[StageChangeRecord] | type[TicketAuditRecord]) -> bool:
        statement = select(func.count()).select_from(model).where(model.customer_id == zoe)
        return bool(session.scalar(statement))

    with services.db.session() as session:
        if not has(StageChangeRecord):
            session.add(
                StageChangeRecord(customer_id=zoe, at=now, old_stage=None, new_stage="prospect", by="Olive")
            )
        if not has(TicketAuditRecord):
            session.add(
                TicketAuditRecord(
                    ticket_id=ticket_id, customer_id=zoe, at=now, by="Olive", field="title",
                    old="", new=f"Leaking pen for {NAME}", reason="",
                )
            )  # fmt: skip


def rows_of(services: Services, customer_id: int) -> dict[str, int]:
    """How many rows each customer table holds for the customer."""
    counts = {}
    with services.db.session() as session:
        for name in SECTIONS:
            table = Base.metadata.tables[name]
            statement = select(func.count()).select_from(table).where(table.c.customer_id == customer_id)
            counts[name] = int(session.scalar(statement) or 0)
    return counts
