"""Realistic demo customers, deterministic for a seed, written in bulk.

Used to try the app and for the benchmarks (100,000 customers with a million history
rows), so rows are inserted with SQLAlchemy Core in large batches rather than one by one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from careapp.db.care_bulk import bulk_care_marking
from careapp.db.database import Database, refresh_statistics
from careapp.db.models import (
    ConsentEventRecord,
    ContactRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    NoteRecord,
    PhoneRecord,
    PurchaseRecord,
    TagRecord,
)
from careapp.db.sequences import advance_id_sequences
from careapp.domain.customer import (
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    display_name,
)
from careapp.services.customers.mapping import search_text_for, sort_name_for

FIRST_NAMES = [
    "Ann",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jon",
    "Kaito",
    "Lena",
    "Mia",
    "Noah",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wen",
    "Yusuf",
    "Zoë",
    "Aled",
    "Björn",
    "Carys",
    "Dario",
    "Eilidh",
    "Fatima",
    "Gus",
    "Hannah",
    "Ivo",
    "Jess",
    "Kemal",
    "Leah",
    "Marek",
    "Nia",
    "Oscar",
    "Pip",
    "Rhys",
    "Siân",
    "Tom",
    "Ursula",
    "Vera",
    "Will",
    "Xavier",
    "Yara",
    "Zac",
    "Amélie",
    "Connor",
    "Dafydd",
    "Esme",
]
LAST_NAMES = [
    "Evans",
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Williams",
    "Brown",
    "Taylor",
    "Davies",
    "Wilson",
    "Thomas",
    "Roberts",
    "Johnson",
    "Lewis",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Martin",
    "Jackson",
    "Clarke",
    "Clark",
    "Turner",
    "Hill",
    "Scott",
    "Cooper",
    "Morris",
    "Ward",
    "Moore",
    "King",
    "Watson",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "Young",
    "Ménard",
    "O'Brien",
    "Nowak",
    "Kowalski",
    "Okafor",
    "Nakamura",
    "Rossi",
    "García",
    "MacLeod",
    "Ng",
    "Haddad",
]
CITIES = (
    ("Cardiff", "CF10"),
    ("Swansea", "SA1"),
    ("Bristol", "BS1"),
    ("Bath", "BA1"),
    ("Newport", "NP20"),
    ("Gloucester", "GL1"),
    ("Hereford", "HR1"),
    ("Cheltenham", "GL50"),
    ("Abergavenny", "NP7"),
    ("Penarth", "CF64"),
)
STREETS = (
    "High Street",
    "Church Road",
    "Station Road",
    "Mill Lane",
    "Park Avenue",
    "Victoria Road",
    "Queen Street",
    "The Crescent",
    "Orchard Close",
    "Heol y Bont",
)
INTERESTS = (
    "coffee",
    "tea",
    "gardening",
    "cycling",
    "running",
    "knitting",
    "books",
    "wine",
    "cheese",
    "vinyl",
    "board games",
    "photography",
    "hiking",
    "baking",
    "vegan",
)
CATALOGUE = {
    "coffee": ("Ethiopian Yirgacheffe 250g", "AeroPress", "Burr grinder", "Espresso cups (2)"),
    "tea": ("Darjeeling first flush", "Cast-iron teapot", "Matcha whisk"),
    "books": ("Gift voucher", "Local history book", "Cookbook"),
    "garden": ("Secateurs", "Seed collection", "Watering can"),
    "repair": ("Grinder service", "Machine descale", "Seal replacement"),
}
STAFF = ("Sam", "Alex", "Priya", "Jo")
MEMOS = (
    "Prefers a call in the morning.",
    "Hard of hearing: speak up on the phone.",
    "Buys gifts for her daughter's birthday in May.",
    "Likes to be told when the Ethiopian beans are in.",
    "Runs the book club at the library.",
    "Allergic to nuts.",
    "Pays by invoice; company account.",
    "Always asks about the shop dog.",
)
CONTACT_SUMMARIES = (
    "Asked whether the grinder is back in stock.",
    "Grinder making a rattling noise; talked through cleaning.",
    "Wanted a gift idea for a tea lover.",
    "Order delayed by supplier; promised an update.",
    "Thanked us for the birthday card.",
    "Question about opening hours over the holidays.",
    "Machine leaking; booked in for a seal replacement.",
    "Feedback: loved the tasting evening.",
)
DATED_NOTES = (
    "Mentioned moving house in spring.",
    "New baby in the family!",
    "Starting a barista course.",
    "Recommended us to a neighbour.",
)


@dataclass(frozen=True)
class DemoSpec:
    customers: int = 200
    seed: int = 1
    # Contacts plus purchases in all; None means about ten per customer.
    history: int | None = None


@dataclass(frozen=True)
class DemoResult:
    customers: int
    purchases: int
    contacts: int
    notes: int


@dataclass
class _Rows:
    customers: list[dict[str, Any]]
    emails: list[dict[str, Any]]
    phones: list[dict[str, Any]]
    dates: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    purchases: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    consents: list[dict[str, Any]]

    @classmethod
    def empty(cls) -> _Rows:
        return cls([], [], [], [], [], [], [], [], [])


class _DemoMaker:
    """Makes one customer's rows at a time from a seeded random generator."""

    def __init__(self, spec: DemoSpec, now: dt.datetime, first_id: int) -> None:
        self.rng = random.Random(spec.seed)
        self.now = now
        self.first_id = first_id
        self.history_per_customer = (spec.history if spec.history is not None else spec.customers * 10) / max(
            spec.customers, 1
        )

    def draft(self, index: int) -> CustomerDraft:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        emails = []
        if rng.random() < 0.85:
            local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
            emails.append(EmailAddress(f"{local}{index}@example.{rng.choice(('com', 'org', 'net'))}", "home"))
        phones = []
        if rng.random() < 0.8:
            national = f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
            phones.append(PhoneNumber(national, "+44" + national[1:].replace(" ", ""), "mobile"))
        city, district = rng.choice(CITIES)
        address = PostalAddress(
            f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            city,
            "",
            f"{district} {rng.randint(1, 9)}XY",
            "GB",
        )
        return CustomerDraft(
            first_name=first,
            last_name=last,
            emails=emails,
            phones=phones,
            address=address,
            birthday=self._birthday(index),
            dates=self._dates(),
            tags=rng.sample(INTERESTS, rng.randint(0, 3)),
            notes=rng.choice(MEMOS) if rng.random() < 0.3 else "",
            loyalty_stage=rng.choices(list(LoyaltyStage), weights=(5, 20, 45, 20, 10))[0],
        )

    def _birthday(self, index: int) -> PartialDate | None:
        rng = self.rng
        if rng.random() > 0.7:
            return None
        if index % 97 == 0:
            return PartialDate(2, 29, rng.choice((1984, 1996, 2000, None)))
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        return PartialDate(month, day, None if rng.random() < 0.25 else rng.randint(1940, 2006))

    def _dates(self) -> list[ImportantDate]:
        if self.rng.random() > 0.3:
            return []
        since = self.now.date() - dt.timedelta(days=self.rng.randint(30, 3000))
        return [ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate.from_date(since))]

    def add_customer(self, rows: _Rows, index: int) -> None:
        rng = self.rng
        customer_id = self.first_id + index
        draft = self.draft(index)
        created = self.now - dt.timedelta(days=rng.randint(0, 1800), minutes=rng.randint(0, 1440))
        referred = self.first_id + rng.randrange(index) if index > 0 and rng.random() < 0.1 else None
        birthday = draft.birthday
        rows.customers.append(
            {
                "id": customer_id,
                "first_name": draft.first_name,
                "last_name": draft.last_name,
                "company": "",
                "street": draft.address.street,
                "city": draft.address.city,
                "region": "",
                "postcode": draft.address.postcode,
                "country": draft.address.country,
                "birthday_month": birthday.month if birthday else None,
                "birthday_day": birthday.day if birthday else None,
                "birthday_year": birthday.year if birthday else None,
                "loyalty_stage": draft.loyalty_stage.value,
                "referred_by_id": referred,
                "notes": draft.notes,
                "sort_name": sort_name_for(draft),
                "display_name": display_name(draft.first_name, draft.last_name, "", draft.emails),
                "primary_email": draft.emails[0].address if draft.emails else "",
                "primary_phone": draft.phones[0].raw if draft.phones else "",
                "tags_text": ", ".join(draft.tags),
                "search_text": search_text_for(draft),
                "created_at": created,
                "updated_at": created,
                "updated_by": "demo",
                "version": 1,
                "import_batch_id": None,
            }
        )
        rows.emails += [
            {
                "customer_id": customer_id,
                "address": e.address,
                "address_key": e.address.lower(),
                "label": e.label,
                "position": i,
            }
            for i, e in enumerate(draft.emails)
        ]
        rows.phones += [
            {
                "customer_id": customer_id,
                "raw": p.raw,
                "e164": p.e164,
                "digits": "".join(filter(str.isdigit, p.raw)),
                "label": p.label,
                "position": i,
            }
            for i, p in enumerate(draft.phones)
        ]
        rows.dates += [
            {
                "customer_id": customer_id,
                "kind": d.kind.value,
                "label": d.label,
                "month": d.date.month,
                "day": d.date.day,
                "year": d.date.year,
            }
            for d in draft.dates
        ]
        rows.tags += [{"customer_id": customer_id, "tag": tag} for tag in draft.tags]
        self._add_history(rows, customer_id, draft, created)

    def _add_history(self, rows: _Rows, customer_id: int, draft: CustomerDraft, created: dt.datetime) -> None:
        rng = self.rng
        count = int(rng.expovariate(1 / self.history_per_customer)) if self.history_per_customer else 0
        span = max((self.now - created).days, 1)
        for _ in range(count):
            # Shop hours, 09:00 to 18:00.
            day = created.date() + dt.timedelta(days=rng.randint(0, span))
            when = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 540))
            when = min(when, self.now)
            if rng.random() < 0.6:
                category = rng.choice(tuple(CATALOGUE))
                rows.purchases.append(
                    {
                        "customer_id": customer_id,
                        "date": when.date(),
                        "item": rng.choice(CATALOGUE[category]),
                        "category": category,
                        "amount_cents": rng.randint(350, 45000),
                        "created_at": when,
                        "import_batch_id": None,
                    }
                )
            else:
                rows.contacts.append(
                    {
                        "customer_id": customer_id,
                        "at": when,
                        "channel": rng.choice(("phone", "phone", "walk_in", "email", "message")),
                        "direction": rng.choice(("in", "in", "out")),
                        "staff": rng.choice(STAFF),
                        "summary": rng.choice(CONTACT_SUMMARIES),
                    }
                )
        if rng.random() < 0.15:
            rows.notes.append(
                {
                    "customer_id": customer_id,
                    "at": created + dt.timedelta(days=rng.randint(0, span)),
                    "author": rng.choice(STAFF),
                    "text": rng.choice(DATED_NOTES),
                }
            )
        self._add_consents(rows, customer_id, draft, created)

    def _add_consents(
        self, rows: _Rows, customer_id: int, draft: CustomerDraft, created: dt.datetime
    ) -> None:
        rng = self.rng
        offered = [
            ("email", bool(draft.emails)),
            ("sms", bool(draft.phones)),
            ("phone", bool(draft.phones)),
            ("post", True),
        ]
        for channel, possible in offered:
            if not possible or rng.random() < 0.4:
                continue
            granted_at = created + dt.timedelta(minutes=5)
            rows.consents.append(
                {
                    "customer_id": customer_id,
                    "channel": channel,
                    "granted": True,
                    "at": granted_at,
                    "method": rng.choice(("in shop, signed form", "web form", "by phone")),
                    "recorded_by": rng.choice(STAFF),
                    "note": "",
                    "import_batch_id": None,
                }
            )
            if rng.random() < 0.08:
                rows.consents.append(
                    {
                        "customer_id": customer_id,
                        "channel": channel,
                        "granted": False,
                        "at": min(granted_at + dt.timedelta(days=rng.randint(1, 400)), self.now),
                        "method": "asked by email",
                        "recorded_by": rng.choice(STAFF),
                        "note": "",
                        "import_batch_id": None,
                    }
                )


_BATCH = 5000
_TABLES = (
    ("customers", CustomerRecord),
    ("emails", EmailRecord),
    ("phones", PhoneRecord),
    ("dates", DateRecord),
    ("tags", TagRecord),
    ("purchases", PurchaseRecord),
    ("contacts", ContactRecord),
    ("notes", NoteRecord),
    ("consents", ConsentEventRecord),
)


def fill_demo(db: Database, spec: DemoSpec, now: dt.datetime) -> DemoResult:
    """Add ``spec.customers`` demo customers; each batch of 5,000 is one transaction, which notes its
    customers for the care queue with one statement (careapp/db/care_bulk.py)."""
    with db.session() as session:
        first_id = (session.scalar(select(func.max(CustomerRecord.id))) or 0) + 1
    # Anchor on the day, not the second: the same seed gives the same shop all day long.
    maker = _DemoMaker(spec, now.replace(hour=0, minute=0, second=0, microsecond=0), first_id)
    totals = {"purchases": 0, "contacts": 0, "notes": 0}
    for start in range(0, spec.customers, _BATCH):
        rows = _Rows.empty()
        for index in range(start, min(start + _BATCH, spec.customers)):
            maker.add_customer(rows, index)
        # Noted for the care queue with one statement per batch, not a trigger per row (issue 14).
        with db.session() as session, bulk_care_marking(session) as marks:
            for attribute, model in _TABLES:
                batch = getattr(rows, attribute)
                if batch:
                    session.execute(insert(model), batch)
            # The customers carry their own ids; PostgreSQL's sequence must move past them.
            advance_id_sequences(session, [CustomerRecord.__table__])  # type: ignore[list-item]
            marks.wrote_customers(row["id"] for row in rows.customers)
        for key in totals:
            totals[key] += len(getattr(rows, key))
    with db.session() as session:
        refresh_statistics(session, tuple(model.__tablename__ for _name, model in _TABLES))
    return DemoResult(spec.customers, totals["purchases"], totals["contacts"], totals["notes"])
