"""PostgreSQL answers "search text contains the term" from a trigram index (migration 0016), and
careapp's connections plan each search for its own term (no statements prepared by psycopg, whose
generic plans cannot use that index): issue 20, a keystroke at 100,000 customers on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from careapp.context import Services
from careapp.domain.customer import CustomerDraft, EmailAddress
from careapp.services.customers.service import SortColumn


def test_search_uses_the_trigram_index_on_postgresql_only(services: Services) -> None:
    for n in range(40):
        draft = CustomerDraft(first_name=f"Evangeline{n}", emails=[EmailAddress(f"eva{n}@example.com")])
        services.customers.create(draft, "Sam")
    page = services.customers.search_page("vangel", SortColumn.NAME, False, 200)
    assert page.matched == 40
    with services.db.session() as session:
        if services.db.engine.dialect.name != "postgresql":
            found = session.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'ix_customer_search_trgm'")
            )
            assert found.first() is None
            return
        definition = session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_customer_search_trgm'")
        ).scalar()
        prepare_threshold = session.connection().connection.dbapi_connection.prepare_threshold  # type: ignore[union-attr]
    assert definition is not None and "gin (search_text gin_trgm_ops)" in definition
    assert prepare_threshold is None
