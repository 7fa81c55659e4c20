"""Search-as-you-type: every keystroke of a few typed words, through the call the customer list makes
per keystroke (``CustomerService.search_page``: the first page of rows and the number of matches),
against the same SQL run with sqlite3 directly (the page query with LIMIT, a count of the matches after
the page's last row only when the page is full, the count of all customers when something was typed,
and nothing else).

The list fetches every matching id (sorted) only after typing pauses or when it is scrolled past the
first page; that fetch is measured too, as a figure without a target, so nobody mistakes the
per-keystroke figure for the cost of the whole list.

On PostgreSQL the baselines are the very statements each call sent, replayed with bare psycopg
(bench/bare.py): the SQL above is SQLite's (GLOB over ``search_text``), not the server's."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from bench.bare import Bare, Statements
from bench.common import Figure, below, percentile

WORDS = ("annette", "evans", "priya patel", "cardiff", "07700 9", "mcleod", "ng")
PAGE = 200  # CustomerListModel.PAGE_SIZE
REPEATS = 5
LIST_COLUMNS = "id, display_name, primary_email, primary_phone, city, loyalty_stage, tags_text"

Search = Callable[[str], int]  # a query -> how many customers match it


def keystrokes(words: tuple[str, ...] = WORDS) -> list[str]:
    return [word[:n] for word in words for n in range(1, len(word) + 1) if word[:n].strip()]


def _where(query: str) -> tuple[str, list[str]]:
    """The service's terms (a phone-like term reduced to its digits), tested as the service does on SQLite."""
    from careapp.services.customers.service import _search_terms, glob_pattern

    patterns = [glob_pattern(term) for term in _search_terms(query)]
    return " AND ".join("search_text GLOB ?" for _ in patterns) or "1", patterns


def _bare_page(connection: sqlite3.Connection) -> Search:
    def search(query: str) -> int:
        where, values = _where(query)
        rows = connection.execute(
            f"SELECT {LIST_COLUMNS}, sort_name FROM customer WHERE {where} "
            f"ORDER BY sort_name, id LIMIT {PAGE}",
            values,
        ).fetchall()
        matched = len(rows)
        if matched >= PAGE:  # count on from the last row shown
            last_id, last_name = rows[-1][0], rows[-1][-1]
            matched += connection.execute(
                f"SELECT count(*) FROM customer WHERE {where} AND (sort_name, id) > (?, ?)",
                [*values, last_name, last_id],
            ).fetchone()[0]
        if values:
            connection.execute("SELECT count(*) FROM customer").fetchone()
        return matched

    return search


def _bare_ids(connection: sqlite3.Connection) -> Search:
    def search(query: str) -> int:
        where, values = _where(query)
        ids = [
            row[0]
            for row in connection.execute(
                f"SELECT id FROM customer WHERE {where} ORDER BY sort_name, id", values
            )
        ]
        connection.execute("SELECT count(*) FROM customer").fetchone()
        return len(ids)

    return search


def _service_page(services) -> Search:
    from careapp.services.customers.service import SortColumn

    customers, value = services.customers, services.value

    def search(query: str) -> int:
        # What the list model does per keystroke (careapp/ui/customers/list_model.py, _run_page_search):
        # the first page and the count, then that page's value columns (spent, purchases, segment).
        page = customers.search_page(query, SortColumn.NAME, False, PAGE)
        value.list_figures([row.id for row in page.rows])
        return page.matched

    return search


def _service_ids(services) -> Search:
    from careapp.services.customers.service import SortColumn

    customers = services.customers

    def search(query: str) -> int:
        # What the list model fetches in the background (list_model._run_search): every id, the total.
        ids = customers.search_ids(query, SortColumn.NAME, False)
        customers.count()
        return len(ids)

    return search


def _samples(search: Search, typed: list[str]) -> tuple[list[float], dict[str, int], dict[str, float]]:
    samples: list[float] = []
    counts: dict[str, int] = {}
    worst: dict[str, float] = {}
    for _ in range(REPEATS):
        for query in typed:
            start = time.perf_counter()
            counts[query] = search(query)
            took = time.perf_counter() - start
            samples.append(took)
            worst[query] = max(worst.get(query, 0.0), took)
    return samples, counts, worst


def _replayed(bare: Bare, services, search: Search, typed: list[str]):
    """``_samples`` of ``search``, and the very statements of each call replayed with the bare driver;
    after one untimed call, since a first call writes what a replay could not write again (the list's
    value columns save the shop's value scale) and later keystrokes only read."""
    if typed:
        search(typed[0])
    caught: list[Statements] = []

    def recorded(query: str) -> int:
        matched, statements = bare.catch(services, lambda: search(query))
        caught.append(statements)
        return int(matched)

    served, counts, worst = _samples(recorded, typed)
    return served, counts, worst, [bare.replay(statements) for statements in caught]


def measure(services, log=print, label: str = "") -> list[Figure]:
    """``label`` starts every figure's name (the database, when it is not the SQLite file). On
    PostgreSQL the baseline is the very statements each keystroke sent, replayed with bare psycopg."""
    typed = keystrokes()
    bare = Bare(services)
    try:
        if bare.postgres:
            served, counts, worst, base = _replayed(bare, services, _service_page(services), typed)
            bare_counts = counts
            many = [q for q in typed if counts[q] > PAGE]
            served_ids, id_counts, _, base_ids = _replayed(bare, services, _service_ids(services), many)
            bare_id_counts = id_counts
            base_name = f"the same statements, bare {bare.driver}"
            base_ids_name = base_name
        else:
            base, bare_counts, _ = _samples(_bare_page(bare.connection), typed)
            served, counts, worst = _samples(_service_page(services), typed)
            # The id fetch happens only where the first page is full (otherwise the page holds every id).
            many = [q for q in typed if counts[q] > PAGE]
            base_ids, bare_id_counts, _ = _samples(_bare_ids(bare.connection), many)
            served_ids, id_counts, _ = _samples(_service_ids(services), many)
            base_name, base_ids_name = "bare sqlite3 page query", "bare sqlite3 sorted ids"
    finally:
        bare.close()
    differ = [q for q in typed if counts[q] != bare_counts[q]]
    differ += [q for q in many if id_counts[q] != bare_id_counts[q] or id_counts[q] != counts[q]]
    note = f"{len(typed)} keystrokes x {REPEATS}"
    if bare.postgres:
        note += ", after one untimed"
    if differ:
        note += f"; MATCH COUNTS DIFFER for {differ}"
        log(f"  search: the service and the bare SQL found different numbers for {differ}")
    slowest = sorted(worst, key=lambda q: -worst[q])[:5]
    log(
        "  slowest keystrokes: "
        + ", ".join(f"{q!r} {worst[q] * 1000:.0f} ms ({counts[q]} found)" for q in slowest)
    )
    p95, base95 = percentile(served, 0.95), percentile(base, 0.95)
    if bare.postgres:  # issue 20's target on PostgreSQL
        keystroke_p95 = Figure(
            f"{label}search: keystroke p95",
            p95,
            baseline=base95,
            baseline_name=f"{base_name} p95",
            target="<= 60 ms and <= 1.5x baseline",
            passed=p95 <= 0.060 and p95 <= 1.5 * base95,
            note=note,
        )
    else:
        keystroke_p95 = below(
            f"{label}search: keystroke p95",
            p95,
            0.030,
            baseline=base95,
            baseline_name=f"{base_name} p95",
            note=note,
        )
    return [
        Figure(
            f"{label}search: keystroke p50",
            percentile(served, 0.5),
            baseline=percentile(base, 0.5),
            baseline_name=f"{base_name} p50",
            note=note,
        ),
        keystroke_p95,
        Figure(
            f"{label}search: all ids after a pause p95",
            percentile(served_ids, 0.95),
            baseline=percentile(base_ids, 0.95),
            baseline_name=f"{base_ids_name} p95",
            note=f"in the background, once typing pauses 300 ms or the list scrolls past row {PAGE}; "
            f"{len(many)} keystrokes matching more than {PAGE} x {REPEATS}; no target",
        ),
    ]
