"""Search-as-you-type on SQLite runs GLOB rather than LIKE: both must find the same customers, in the
same order, whatever is typed (wildcards of either, escapes, accents, capitals, phone numbers)."""

from __future__ import annotations

import random

from sqlalchemy import select

from careapp.context import Services
from careapp.db.models import CustomerRecord
from careapp.domain.customer import CustomerDraft, EmailAddress, PhoneNumber, PostalAddress
from careapp.services.customers.service import _like_contains, _search_terms

NAMES = [
    "Ann",
    "Anna",
    "Annette",
    "Zoë",
    "ZOE",
    "Ménard",
    "O'Brien",
    "50% Off",
    "snake_case",
    "back\\slash",
    "Ng",
    "Star*",
    "Why?",
    "[Draft]",
]
CITIES = ["Cardiff", "Ålesund", "São Paulo", "St. Ives", ""]
QUERIES = [
    "", "a", "an", "ANN", "ann ng", "zo", "zoë", "é", "%", "50%", "_", "e_c", "\\", "k\\s", "'",
    "o'b", "*", "r*", "y?", "[", "[d", "]", "[draft]",
    "07700", "0770 090", "+44 7700", "cardiff", "å", "são", "st.", "nothing-like-this", "#tea",
]  # fmt: skip


def _reference(services: Services, query: str) -> list[int]:
    """The LIKE path, as PostgreSQL runs it: every term with escaped wildcards."""
    statement = select(CustomerRecord.id).order_by(CustomerRecord.sort_name, CustomerRecord.id)
    for term in _search_terms(query):
        statement = statement.where(_like_contains(term))
    with services.db.session() as session:
        return list(session.scalars(statement))


def test_same_rows_as_like(services: Services) -> None:
    rng = random.Random(5)
    for n in range(120):
        first, last = rng.choice(NAMES), rng.choice(NAMES)
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first}.{n}@example.com".replace(" ", "").replace("\\", ""))]
            if n % 3
            else [],
            phones=[PhoneNumber(f"07700 900{n:03d}", f"+44770090{n:04d}")] if n % 2 else [],
            address=PostalAddress(city=rng.choice(CITIES)),
            tags=["tea"] if n % 5 == 0 else [],
        )
        services.customers.create(draft, "tester")
    found_any = 0
    for query in QUERIES:
        expected = _reference(services, query)
        assert services.customers.search_ids(query) == expected, query
        found_any += bool(expected)
    assert found_any > len(QUERIES) // 2  # the queries do find people
    assert services.customers.search_ids("50%") != services.customers.search_ids("50")
    # GLOB's own wildcards are matched literally too: each finds someone, and not everyone.
    everyone = len(services.customers.search_ids(""))
    for special in ("r*", "y?", "[draft]", "[d"):
        assert 0 < len(services.customers.search_ids(special)) < everyone, special
