"""Import of a 100,000-row Shopify customer export (generated) through ImportService.apply, with a
progress callback and a cancel check, into a fresh database; then a Cancel half-way must leave nothing
behind. Baseline: one csv.reader pass over the same file. The care refresh that follows the import is
against a bare read (sqlite3, or psycopg on PostgreSQL) of every customer and purchase row."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from bench.bare import Bare
from bench.common import Figure, below, timed

ROWS = 100_000
HEADER = (
    "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,"
    "Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,"
    "Total Spent,Total Orders,Note,Tax Exempt,Tags"
)
FIRST = ("Kim", "Ana", "Raj", "Lea", "Tom", "Ida", "Max", "Eve", "Sol", "Ola")
LAST = ("Park", "Silva", "Patel", "Roy", "Lund", "Moss", "Berg", "Ng", "Diaz", "Cole")
CITIES = (
    ("Toronto", "ON", "416"),
    ("Montreal", "QC", "514"),
    ("Ottawa", "ON", "613"),
    ("Calgary", "AB", "403"),
)


def write_shopify_export(path: Path, rows: int | None = None) -> None:
    """A Shopify export as its admin writes it: quoted ids, zips and phones; notes, tags, consents.
    ``rows``: :data:`ROWS` as it is when called (``--quick`` makes it smaller)."""
    rows = ROWS if rows is None else rows
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            city, province, area = CITIES[n % len(CITIES)]
            note = '"Called about an order.\nWants a callback."' if n % 1000 == 0 else "Pays by card"
            phone = f"'+1 {area} {200 + n // 10000} {n % 10000:04d}" if n % 5 else ""  # unique: no merges
            out.write(
                f"'{7023419818243 + n},{FIRST[n % 10]}{n},{LAST[(n // 10) % 10]},customer{n}@example.com,"
                f"{'yes' if n % 2 else 'no'},,{n % 500} Queen St W,,{city},{province},CA,'M5H 2M9,"
                f"{phone},,{'yes' if n % 3 == 0 else 'no'},{n % 700}.00,{n % 3},{note},no,"
                f'"vip, tag{n % 40}"\n'
            )


def _bare(path: Path) -> float:
    def read() -> int:
        with path.open(encoding="utf-8", newline="") as file:
            return sum(1 for _ in csv.reader(file))

    took, _ = timed(read)
    return took


def _bare_customers(services) -> float:
    """A bare pass over what the refresh reads most of: every customer row and every purchase."""
    bare = Bare(services)
    try:
        start = time.perf_counter()
        bare.rows("SELECT * FROM customer")
        bare.rows("SELECT * FROM purchase")
        return time.perf_counter() - start
    finally:
        bare.close()


def measure(make_services, work: Path, log=print, label: str = "") -> list[Figure]:
    """``make_services()``: services on a fresh empty database; ``work``: a folder for the file;
    ``label`` starts every figure's name."""
    from careapp.services.customers.importer import ImportCancelled

    path = work / "customers_export.csv"
    write_shopify_export(path)
    baseline = _bare(path)
    services = make_services()
    calls: list[tuple[int, int]] = []
    took, summary = timed(
        lambda: services.imports.apply(
            path, "bench", progress=lambda done, total: calls.append((done, total)), cancelled=lambda: False
        )
    )
    created = summary.as_json().get("created")
    log(
        f"  import: {took:.1f} s, created {created}, {len(calls)} progress calls, "
        f"last {calls[-1] if calls else None}"
    )
    # What the window does next (issue 14): the care pipeline's refresh of every imported customer.
    refresh_time, _ = timed(services.touches.refresh)
    bare_read = _bare_customers(services)
    log(f"  care refresh right after the import: {refresh_time:.1f} s (bare read {bare_read:.2f} s)")
    services.close()

    # Cancel half-way in a second fresh database: nothing may be written.
    services = make_services()
    before = services.customers.count()
    seen: list[tuple[int, int]] = []
    start = time.perf_counter()
    try:
        services.imports.apply(
            path,
            "bench",
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: bool(seen) and seen[-1][0] >= seen[-1][1] // 2,
        )
        cancelled = False
    except ImportCancelled:
        cancelled = True
    cancel_time = time.perf_counter() - start
    after = services.customers.count()
    services.close()
    cancel_ok = cancelled and after == before
    log(
        f"  import cancel at half-way: {'cancelled' if cancelled else 'NOT cancelled'} "
        f"after {cancel_time:.1f} s, customers {before} -> {after}"
    )
    return [
        below(  # issue 14's target
            f"{label}care: refresh right after an import of {ROWS:,} rows",
            refresh_time,
            2.0,
            baseline=bare_read,
            baseline_name="bare SQL read of every customer and purchase",
        ),
        below(
            f"{label}import of {ROWS:,} Shopify rows",
            took,
            30.0,
            baseline=baseline,
            baseline_name="bare csv.reader pass",
            note=f"{len(calls)} progress calls; created {created}",
        ),
        Figure(
            f"{label}import: Cancel half-way leaves nothing",
            1.0 if cancel_ok else 0.0,
            unit="ok",
            target="== 1",
            passed=cancel_ok,
            note=f"cancelled after {cancel_time:.1f} s; customers {before} -> {after}",
        ),
    ]
