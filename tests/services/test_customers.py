"""Customer service on a real migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from careapp.db.database import Database
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    DateKind,
    EmailAddress,
    ImportantDate,
    LoyaltyStage,
    PartialDate,
    PhoneNumber,
    Purchase,
)
from careapp.domain.phones import make_phone
from careapp.services.customers.service import (
    CustomerNotFound,
    CustomerService,
    InvalidCustomer,
    SortColumn,
    StaleCustomer,
)

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture
def customers(database: Database) -> CustomerService:
    return CustomerService(database, lambda: NOW)


def ann() -> CustomerDraft:
    return CustomerDraft(
        first_name="Ann",
        last_name="Evans",
        emails=[EmailAddress("Ann.Evans@example.com", "home"), EmailAddress("ann@work.example", "work")],
        phones=[
            make_phone("029 2018 0123", "GB", "home"),
            make_phone("+1 (415) 555-0142", "GB", "mobile"),
            make_phone("reception ext. 1234", "GB", "work"),
        ],
        birthday=PartialDate(2, 29),
        dates=[ImportantDate(DateKind.CUSTOM, PartialDate(6, 1, 2015), "Opened her café")],
        tags=["Coffee", " coffee ", "Board  Games"],
        notes="Prefers mornings.",
        loyalty_stage=LoyaltyStage.CLIENT,
    )


def test_create_and_read_back_everything(customers: CustomerService) -> None:
    created = customers.create(ann(), "Sam")
    loaded = customers.get(created.id)
    assert loaded.first_name == "Ann" and loaded.last_name == "Evans"
    assert [e.address for e in loaded.emails] == ["Ann.Evans@example.com", "ann@work.example"]
    assert [(p.raw, p.e164) for p in loaded.phones] == [
        ("029 2018 0123", "+442920180123"),
        ("+1 (415) 555-0142", "+14155550142"),
        ("reception ext. 1234", None),  # kept as typed; not a number anyone can dial
    ]
    assert loaded.birthday == PartialDate(2, 29, None)
    assert loaded.dates[0].label == "Opened her café" and loaded.dates[0].date.year == 2015
    assert loaded.tags == ["board games", "coffee"]
    assert loaded.loyalty_stage is LoyaltyStage.CLIENT
    assert loaded.version == 1 and loaded.updated_by == "Sam"
    assert all(state.granted is None for state in loaded.consents)


def test_invalid_draft_is_refused_with_field_errors(customers: CustomerService) -> None:
    draft = CustomerDraft(emails=[EmailAddress("not-an-address")])
    with pytest.raises(InvalidCustomer) as raised:
        customers.create(draft, "Sam")
    assert [error.field for error in raised.value.errors] == ["emails[0]"]
    assert customers.count() == 0


def test_search_matches_name_email_phone_digits_tags_and_notes(customers: CustomerService) -> None:
    ann_id = customers.create(ann(), "Sam").id
    bob_id = customers.create(
        CustomerDraft(first_name="Bob", last_name="Annand", phones=[make_phone("07700 900456", "GB")]), "Sam"
    ).id
    assert customers.search_ids("evans") == [ann_id]
    assert customers.search_ids("ann") == [bob_id, ann_id]  # sorted by last name: Annand, Evans
    assert customers.search_ids("work.example") == [ann_id]
    assert customers.search_ids("0123") == [ann_id]
    assert customers.search_ids("900-456") == [bob_id]  # separators ignored for phone-like terms
    assert customers.search_ids("4420201") == []  # not a substring of any number
    assert customers.search_ids("#board") == [ann_id]
    assert customers.search_ids("mornings") == [ann_id]
    assert customers.search_ids("ann mornings") == [ann_id]  # every term must match
    assert customers.search_ids("100%") == []  # LIKE wildcards are matched literally


def test_sorting_happens_in_sql_by_each_column(customers: CustomerService) -> None:
    ids = {}
    for first, city, stage in (
        ("Cy", "Bath", "advocate"),
        ("Al", "York", "suspect"),
        ("Bo", "Leeds", "client"),
    ):
        ids[first] = customers.create(
            CustomerDraft(
                first_name=first,
                address=ann().address.__class__(city=city),
                loyalty_stage=LoyaltyStage(stage),
            ),
            "Sam",
        ).id
    assert customers.search_ids("", SortColumn.CITY) == [ids["Cy"], ids["Bo"], ids["Al"]]
    assert customers.search_ids("", SortColumn.STAGE) == [ids["Al"], ids["Bo"], ids["Cy"]]
    assert customers.search_ids("", SortColumn.STAGE, descending=True) == [ids["Cy"], ids["Bo"], ids["Al"]]
    rows = customers.rows([ids["Bo"], 99999, ids["Al"]])
    assert [row.name for row in rows] == ["Bo", "Al"]


def test_stale_update_is_refused_and_says_who_changed_it(customers: CustomerService) -> None:
    created = customers.create(ann(), "Sam")
    first = created.draft()
    first.notes = "Owner's edit"
    customers.update(created.id, first, created.version, "Owner")
    mine = created.draft()
    mine.notes = "Staff edit from the old copy"
    with pytest.raises(StaleCustomer) as raised:
        customers.update(created.id, mine, created.version, "Sam")
    assert "changed by Owner at 2026-11-23 09:30" in str(raised.value)
    assert raised.value.current.notes == "Owner's edit"
    assert customers.get(created.id).notes == "Owner's edit"


def test_update_moves_version_on(customers: CustomerService) -> None:
    created = customers.create(ann(), "Sam")
    draft = created.draft()
    draft.phones = [PhoneNumber("01234 567890")]
    updated = customers.update(created.id, draft, 1, "Jo")
    assert updated.version == 2 and updated.updated_by == "Jo"
    assert [p.raw for p in updated.phones] == ["01234 567890"]


def test_delete_and_undo_restore_the_whole_story(customers: CustomerService) -> None:
    created = customers.create(ann(), "Sam")
    customers.add_purchase(created.id, Purchase(dt.date(2026, 10, 1), "Grinder", "coffee", Decimal("89.50")))
    customers.add_note(created.id, "Asked about decaf.", "Sam")
    customers.record_consent(created.id, ConsentEvent(Channel.EMAIL, True, NOW, "signed form", "Sam"))
    before = customers.timeline(created.id)

    deleted = customers.delete(created.id)
    assert customers.count() == 0
    with pytest.raises(CustomerNotFound):
        customers.get(created.id)

    restored = customers.undo_delete(deleted)
    assert restored.id == created.id
    assert customers.timeline(created.id) == before
    assert restored.tags == ["board games", "coffee"]


def test_timeline_is_newest_first_with_every_kind(customers: CustomerService) -> None:
    customer_id = customers.create(ann(), "Sam").id
    customers.add_purchase(customer_id, Purchase(dt.date(2026, 11, 1), "Beans", "coffee", Decimal("12")))
    customers.record_consent(
        customer_id, ConsentEvent(Channel.SMS, False, dt.datetime(2026, 11, 20, 10), "by phone", "Jo")
    )
    customers.add_note(customer_id, "Moving house in spring.", "Sam")
    kinds = [(entry.kind, entry.title) for entry in customers.timeline(customer_id)]
    assert kinds == [
        ("created", "Added to careapp"),  # created and the note share NOW; order among equals is stable
        ("note", "Note by Sam"),
        ("consent", "SMS consent withdrawn"),
        ("purchase", "Bought Beans"),
    ]


def test_consent_state_is_the_latest_event_per_channel(customers: CustomerService) -> None:
    customer_id = customers.create(ann(), "Sam").id
    customers.record_consent(customer_id, ConsentEvent(Channel.EMAIL, True, dt.datetime(2025, 1, 1), "form"))
    customers.record_consent(
        customer_id, ConsentEvent(Channel.EMAIL, False, dt.datetime(2026, 1, 1), "email")
    )
    states = {state.channel: state for state in customers.get(customer_id).consents}
    assert states[Channel.EMAIL].granted is False and states[Channel.EMAIL].since == dt.datetime(2026, 1, 1)
    assert states[Channel.POST].granted is None
    assert [e.granted for e in customers.consent_history(customer_id)] == [True, False]


def test_referrer_must_exist_and_not_be_self(customers: CustomerService) -> None:
    ann_created = customers.create(ann(), "Sam")
    bob = customers.create(CustomerDraft(first_name="Bob", referred_by_id=ann_created.id), "Sam")
    assert bob.referred_by_name == "Ann Evans"
    draft = ann_created.draft()
    draft.referred_by_id = ann_created.id
    with pytest.raises(InvalidCustomer):
        customers.update(ann_created.id, draft, 1, "Sam")
