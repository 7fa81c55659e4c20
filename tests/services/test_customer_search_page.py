"""The per-keystroke search call: the first page of rows, the number of matches, the number of customers.

Checked against the full search (``search_ids`` then ``rows``) on SQLite and PostgreSQL, with a page
small enough that some searches fill it and others do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from careapp.context import Services
from careapp.services.customers.service import SortColumn
from careapp.services.demo.customers import DemoSpec, fill_demo

CUSTOMERS = 60
LIMIT = 7
QUERIES = ["", "a", "an", "e n", "#coffee", "0770", "nobody-is-called-this", "   "]


@pytest.fixture
def demo(services: Services) -> Services:
    fill_demo(services.db, DemoSpec(customers=CUSTOMERS, seed=11, history=0), services.clock())
    return services


def queries(services: Services) -> list[str]:
    """QUERIES and one customer's email address (a search with fewer matches than a page)."""
    first = services.customers.search_page("", limit=1).rows[0]
    return [*QUERIES, first.email or first.name]


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    """The SQL statements the block sends to the database."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("sort", [SortColumn.NAME, SortColumn.CITY, SortColumn.STAGE])
@pytest.mark.parametrize("descending", [False, True])
def test_page_is_the_head_of_the_full_search(demo: Services, sort: SortColumn, descending: bool) -> None:
    customers = demo.customers
    for query in queries(demo):
        ids = customers.search_ids(query, sort, descending)
        page = customers.search_page(query, sort, descending, LIMIT)
        assert page.rows == customers.rows(ids[:LIMIT]), query
        assert page.matched == len(ids), query
        assert page.total == CUSTOMERS, query


def test_the_queries_cover_full_short_and_empty_pages(demo: Services) -> None:
    matched = [demo.customers.search_page(query, limit=LIMIT).matched for query in queries(demo)]
    assert any(m > LIMIT for m in matched)
    assert any(0 < m < LIMIT for m in matched)
    assert 0 in matched


def test_a_short_page_is_counted_without_asking_the_database_again(demo: Services) -> None:
    query = "nobody-is-called-this"
    with statements(demo) as sent:
        page = demo.customers.search_page(query, limit=LIMIT)
    assert page.matched == 0
    selects = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    # The rows, then the number of customers in all (no count of the matches: there were none).
    assert len(selects) == 2
    assert "count(" not in selects[0].lower()


def test_a_full_page_counts_the_matches_once(demo: Services) -> None:
    with statements(demo) as sent:
        page = demo.customers.search_page("a", limit=LIMIT)
    assert page.matched > LIMIT
    counts = [s for s in sent if "count(" in s.lower()]
    assert len(counts) == 2  # the matches, and all customers


def test_an_empty_query_counts_all_customers_once(demo: Services) -> None:
    with statements(demo) as sent:
        page = demo.customers.search_page("", limit=LIMIT)
    assert page.matched == page.total == CUSTOMERS
    assert len([s for s in sent if "count(" in s.lower()]) == 1


@pytest.mark.parametrize("descending", [False, True])
def test_the_count_after_a_full_page_counts_namesakes_once(services: Services, descending: bool) -> None:
    from careapp.domain.customer import CustomerDraft

    for first in ("Ann", "Ann", "Ann", "Ann", "Bea", "Ann", "Ann", "Cy"):
        services.customers.create(CustomerDraft(first_name=first, last_name="Quayle"), "tester")
    for limit in (1, 3, 5, 6, 7):
        page = services.customers.search_page("ann quayle", SortColumn.NAME, descending, limit)
        assert page.matched == 6, limit
        assert page.rows == services.customers.rows(
            services.customers.search_ids("ann quayle", SortColumn.NAME, descending)[:limit]
        )
    assert services.customers.search_page("quayle", limit=0).matched == 8


def test_no_customers(services: Services) -> None:
    page = services.customers.search_page("", limit=LIMIT)
    assert (page.rows, page.matched, page.total) == ([], 0, 0)
    page = services.customers.search_page("a", limit=LIMIT)
    assert (page.rows, page.matched, page.total) == ([], 0, 0)


def test_wildcards_are_matched_literally(demo: Services) -> None:
    page = demo.customers.search_page("100%", limit=LIMIT)
    assert (page.rows, page.matched) == ([], len(demo.customers.search_ids("100%")))
    assert page.matched == 0
