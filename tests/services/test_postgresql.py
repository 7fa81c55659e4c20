"""What differs between SQLite and PostgreSQL, checked on both: explicit ids and sequences, text
lengths, case in sorting and search, the driver in the URL, the schema itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pg_server import PgServer
from sqlalchemy import String, text

from careapp.context import Services
from careapp.db import models
from careapp.db.database import make_engine, normalize_url, open_database
from careapp.domain import tickets as ticket_domain
from careapp.domain.customer import CustomerDraft, EmailAddress, PhoneNumber, PostalAddress
from careapp.domain.validation import MAX_LENGTHS
from careapp.services.customers.service import InvalidCustomer, SortColumn
from careapp.services.demo.customers import DemoSpec, fill_demo
from careapp.services.demo.tickets import fill_demo_tickets
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, InvalidContact, NewTicket

NOW = dt.datetime(2026, 11, 23, 9, 30)


def test_the_services_use_the_backend_asked_for(services: Services, db_backend: str) -> None:
    assert services.db.engine.dialect.name == db_backend
    if db_backend == "postgresql":
        assert services.db.engine.dialect.driver == "psycopg"


def test_models_and_migrations_agree_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": models.kept_on(connection.dialect.name)},
            )
            diff = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models differ from migrations on PostgreSQL: {diff}"


@pytest.mark.parametrize(
    ("written", "opened_as"),
    [
        ("postgresql://u:pw@db.example:5433/shop", "postgresql+psycopg://u:pw@db.example:5433/shop"),
        ("postgres://u@db.example/shop", "postgresql+psycopg://u@db.example/shop"),
        ("postgresql+psycopg://u@h/shop", "postgresql+psycopg://u@h/shop"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_postgresql_urls_open_with_psycopg(written: str, opened_as: str) -> None:
    assert normalize_url(written).render_as_string(hide_password=False) == opened_as


def test_a_plain_postgresql_url_opens_and_migrates(pg_server: PgServer) -> None:
    name = pg_server.create_database()
    plain = pg_server.url(name).replace("postgresql+psycopg://", "postgresql://")
    db, report = open_database(plain, None, NOW)
    try:
        assert report.from_revision is None and db.engine.dialect.driver == "psycopg"
        with db.session() as session:
            assert session.scalar(text("SELECT count(*) FROM customer")) == 0
    finally:
        db.dispose()
        pg_server.drop_database(name)


def test_new_rows_after_demo_data_get_new_ids(services: Services) -> None:
    """Demo customers and tickets are written with their own ids; PostgreSQL's sequences must follow."""
    fill_demo(services.db, DemoSpec(customers=30, seed=4), NOW)
    demo_ids = services.customers.search_ids()
    fill_demo_tickets(services.db, demo_ids, 4, NOW, 12)
    created = services.customers.create(CustomerDraft(first_name="Newcomer"), "Sam")
    assert created.id not in demo_ids and len(services.customers.search_ids()) == 31
    logged = services.tickets.log_contact(
        Actor("Sam"), created.id, ContactInput(summary="Asked about beans", new_ticket=NewTicket("Sales"))
    )
    assert logged.ticket is not None and logged.ticket.id == 13


def test_a_customer_put_back_by_undo_keeps_its_ids_and_new_rows_do_not_collide(services: Services) -> None:
    first = services.customers.create(
        CustomerDraft(first_name="Ann", emails=[EmailAddress("a@x.org")]), "Sam"
    )
    services.tickets.log_contact(Actor("Sam"), first.id, ContactInput(summary="Hi", new_ticket=NewTicket()))
    deleted = services.customers.delete(first.id)
    back = services.customers.undo_delete(deleted)
    assert back.id == first.id and [e.address for e in back.emails] == ["a@x.org"]
    second = services.customers.create(
        CustomerDraft(first_name="Bob", emails=[EmailAddress("b@x.org")]), "Sam"
    )
    services.tickets.log_contact(Actor("Sam"), second.id, ContactInput(summary="Hi", new_ticket=NewTicket()))
    assert second.id != first.id
    assert [t.customer_id for t in services.tickets.tickets_for_customer(second.id)] == [second.id]


def test_text_longer_than_its_column_is_refused_in_words_and_nothing_is_saved(services: Services) -> None:
    long_name = CustomerDraft(first_name="A" * 201, emails=[EmailAddress("a" * 318 + "@x.org")])
    with pytest.raises(InvalidCustomer) as refused:
        services.customers.create(long_name, "Sam")
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("name", "The first name is too long: at most 200 characters, not 201."),
        ("emails[0]", "The email is too long: at most 320 characters, not 324."),
    ]
    fits = CustomerDraft(
        first_name="A" * 200,
        last_name="B" * 199,
        phones=[PhoneNumber("0" * 60)],
        address=PostalAddress(street="S" * 400, postcode="P" * 40),
        tags=["t" * 100],
    )
    saved = services.customers.create(fits, "Sam")
    assert services.customers.get(saved.id).address.street == "S" * 400
    with pytest.raises(InvalidCustomer, match="full name is too long: at most 400 characters, not 401"):
        services.customers.update(saved.id, replace(fits, last_name="B" * 200), saved.version, "Sam")
    assert services.customers.search_ids() == [saved.id]


def test_a_ticket_title_or_category_too_long_is_refused_in_words(services: Services) -> None:
    ann = services.customers.create(CustomerDraft(first_name="Ann"), "Sam").id
    too_long = NewTicket(category="Repairs", title="T" * 401)
    with pytest.raises(InvalidContact, match="title is too long: at most 400 characters, not 401"):
        services.tickets.log_contact(Actor("Sam"), ann, ContactInput(summary="x", new_ticket=too_long))
    logged = services.tickets.log_contact(
        Actor("Sam"), ann, ContactInput(summary="x", new_ticket=NewTicket())
    )
    assert logged.ticket is not None
    with pytest.raises(ticket_domain.TicketTransitionError, match="at most 100 characters"):
        services.tickets.set_category(Actor("Sam"), logged.ticket.id, logged.ticket.version, "C" * 101, "")
    assert services.tickets.ticket(logged.ticket.id).summary.category == "General"


def test_validation_limits_are_the_column_lengths() -> None:
    def length(model: type[models.Base], column: str) -> int:
        column_type = model.__table__.c[column].type  # type: ignore[attr-defined]
        assert isinstance(column_type, String) and column_type.length is not None
        return int(column_type.length)

    c = models.CustomerRecord
    assert {
        "first name": length(c, "first_name"),
        "last name": length(c, "last_name"),
        "company": length(c, "company"),
        "street": length(c, "street"),
        "city": length(c, "city"),
        "region": length(c, "region"),
        "postcode": length(c, "postcode"),
        "country": length(c, "country"),
        "email": length(models.EmailRecord, "address"),
        "phone": length(models.PhoneRecord, "raw"),
        "label": min(length(models.EmailRecord, "label"), length(models.PhoneRecord, "label")),
        "date label": length(models.DateRecord, "label"),
        "tag": length(models.TagRecord, "tag"),
        "full name": min(length(c, "sort_name"), length(c, "display_name")),
        "purchased item": length(models.PurchaseRecord, "item"),
        "purchase category": length(models.PurchaseRecord, "category"),
    } == MAX_LENGTHS
    assert length(models.TicketRecord, "title") == ticket_domain.MAX_TITLE
    assert length(models.TicketRecord, "category") == ticket_domain.MAX_CATEGORY


def test_search_and_sorting_ignore_case_the_same_way_on_both(services: Services) -> None:
    customers = services.customers
    ids = {
        city: customers.create(
            CustomerDraft(first_name=name, address=PostalAddress(city=city), emails=[EmailAddress(email)]),
            "Sam",
        ).id
        for name, city, email in (
            ("ÉMILE", "york", "Zed@x.org"),
            ("émile", "Bath", "amy@x.org"),
            ("Öskar", "aberdeen", "Bob@x.org"),
        )
    }
    assert (
        customers.search_ids("émile") == customers.search_ids("ÉMILE") == sorted([ids["york"], ids["Bath"]])
    )
    assert customers.search_ids("ÖSKAR") == [ids["aberdeen"]]
    by_city = customers.search_ids(sort=SortColumn.CITY)
    assert by_city == [ids["aberdeen"], ids["Bath"], ids["york"]]
    by_email = customers.search_ids(sort=SortColumn.EMAIL)
    assert by_email == [ids["Bath"], ids["aberdeen"], ids["york"]]


def test_each_migration_runs_on_its_own_on_postgresql_and_head_is_a_no_op(pg_server: PgServer) -> None:
    """Step by step, as a server created by an older careapp is upgraded, then once more at head."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from careapp.db.database import alembic_config, current_revision, head_revision, migrate

    name = pg_server.create_database()
    engine = make_engine(pg_server.url(name))
    try:
        revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
        for revision in reversed(revisions):
            with engine.begin() as connection:
                command.upgrade(alembic_config(connection), revision)
            assert current_revision(engine) == revision
        assert revisions[0] == head_revision()
        report = migrate(engine, None, NOW)
        assert report.from_revision == report.to_revision == head_revision() and report.backup_path is None
    finally:
        engine.dispose()
        pg_server.drop_database(name)


def test_a_server_that_goes_away_or_a_value_too_long_is_said_in_words(
    pg_server: PgServer, pg_template: str
) -> None:
    from careapp.db.database import DatabaseError
    from careapp.services.customers.service import CustomerService

    name = pg_server.create_database(template=pg_template)
    db, _ = open_database(pg_server.url(name), None, NOW)
    try:
        customers = CustomerService(db, lambda: NOW)
        ann = customers.create(CustomerDraft(first_name="Ann"), "Sam").id
        # Below the services' own checks: the database's refusal becomes a sentence, nothing is saved.
        with (
            pytest.raises(DatabaseError, match="A value is longer than the database keeps"),
            db.session() as s,
        ):
            s.add(models.TagRecord(customer_id=ann, tag="t" * 101))
        assert customers.get(ann).tags == []
        pg_server.drop_database(name)  # ends this seat's connections, as a server going away does
        with pytest.raises(DatabaseError, match="lost its connection to the database server") as lost:
            customers.create(CustomerDraft(first_name="Bob"), "Sam")
        assert "does not exist" in str(lost.value)
    finally:
        db.dispose()
        pg_server.drop_database(name)
