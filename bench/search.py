"""Search-as-you-type: every keystroke of a few typed words, through the call the customer list makes
(the matching ids, the total, the first page of rows), against the bare SQL for the same rows run with
sqlite3 directly (the plain LIKE over the search column, sorted by name)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Figure, below, percentile

WORDS = ("annette", "evans", "priya patel", "cardiff", "07700 9", "mcleod", "ng")
PAGE = 200
REPEATS = 5


def keystrokes(words: tuple[str, ...] = WORDS) -> list[str]:
    return [word[:n] for word in words for n in range(1, len(word) + 1) if word[:n].strip()]


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bare(path: Path) -> Callable[[str], list[int]]:
    connection = sqlite3.connect(path)

    def search(query: str) -> list[int]:
        terms = query.lower().split()
        where = " AND ".join("search_text LIKE ? ESCAPE '\\'" for _ in terms) or "1"
        values = [f"%{_escape(t)}%" for t in terms]
        ids = [
            row[0]
            for row in connection.execute(
                f"SELECT id FROM customer WHERE {where} ORDER BY sort_name, id", values
            )
        ]
        connection.execute("SELECT count(*) FROM customer").fetchone()
        first = ids[:PAGE]
        marks = ",".join("?" * len(first))
        connection.execute(
            "SELECT id, display_name, primary_email, primary_phone, city, loyalty_stage, tags_text "
            f"FROM customer WHERE id IN ({marks})",
            first,
        ).fetchall()
        return ids

    return search


def _service(services) -> Callable[[str], list[int]]:
    from careapp.services.customers import SortColumn

    customers = services.customers

    def search(query: str) -> list[int]:
        # What the list model does per keystroke (careapp/ui/customers/list_model.py).
        ids = customers.search_ids(query, SortColumn.NAME, False)
        customers.count() if query.strip() else len(ids)
        customers.rows(ids[:PAGE])
        return ids

    return search


def _samples(
    search: Callable[[str], list[int]], typed: list[str]
) -> tuple[list[float], dict[str, int], dict[str, float]]:
    samples, counts, worst = [], {}, {}
    for _ in range(REPEATS):
        for query in typed:
            start = time.perf_counter()
            ids = search(query)
            took = time.perf_counter() - start
            samples.append(took)
            counts[query] = len(ids)
            worst[query] = max(worst.get(query, 0.0), took)
    return samples, counts, worst


def measure(services, database: Path, log=print) -> list[Figure]:
    typed = keystrokes()
    bare, bare_counts, _ = _samples(_bare(database), typed)
    served, counts, worst = _samples(_service(services), typed)
    differ = [q for q in typed if counts[q] != bare_counts[q]]
    note = f"{len(typed)} keystrokes x {REPEATS}"
    if differ:
        note += f"; MATCH COUNTS DIFFER for {differ}"
        log(f"  search: the service and the bare LIKE found different numbers for {differ}")
    slowest = sorted(worst, key=lambda q: -worst[q])[:5]
    log(
        "  slowest keystrokes: "
        + ", ".join(f"{q!r} {worst[q] * 1000:.0f} ms ({counts[q]} found)" for q in slowest)
    )
    return [
        Figure(
            "search: keystroke p50",
            percentile(served, 0.5),
            baseline=percentile(bare, 0.5),
            baseline_name="bare sqlite3 LIKE p50",
            note=note,
        ),
        below(
            "search: keystroke p95",
            percentile(served, 0.95),
            0.030,
            baseline=percentile(bare, 0.95),
            baseline_name="bare sqlite3 LIKE p95",
            note=note,
        ),
    ]
