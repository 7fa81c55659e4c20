"""A 50 MB export must parse completely, with exact line numbers to the end (no wall-clock assertion)."""

from pathlib import Path

import pytest
from import_helpers import FIXTURES, parse_bytes

from careapp.domain.customer import LoyaltyStage

TARGET_BYTES = 50 * 1024 * 1024


def write_big_shopify_export(path: Path) -> tuple[int, int, int]:
    """~50 MB of Shopify rows, every 1000th with a two-line note.

    Returns (rows written, line of the one bad row, line of the last row).
    """
    header = (FIXTURES / "shopify_customers_export.csv").read_text(encoding="utf-8").splitlines()[0]
    size, line, rows, bad_line, last_start = 0, 1, 0, 0, 0  # line: lines written so far
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        while size < TARGET_BYTES:
            note = '"Called about an order.\nWants a callback."' if rows % 1000 == 0 else "Pays cash"
            email = f"customer{rows}@example.com"
            if rows == 250_000:  # one broken email far down the file
                email, bad_line = f"customer{rows}.example.com", line + 1
            row = (
                f"'{7023419818243 + rows},Kim{rows},Park,{email},{'yes' if rows % 2 else 'no'},,"
                f"{rows % 500} Queen St W,,Toronto,ON,CA,'M5H 2M9,'+1 416 555 {rows % 10000:04d},,no,"
                f'{rows % 700}.00,{rows % 3},{note},no,"vip, tag{rows % 40}"\n'
            )
            out.write(row)
            last_start = line + 1
            size += len(row.encode())
            line += 2 if rows % 1000 == 0 else 1
            rows += 1
    return rows, bad_line, last_start


@pytest.mark.slow
def test_fifty_megabyte_shopify_export(tmp_path):
    path = tmp_path / "customers_export.csv"
    rows, bad_line, last_line = write_big_shopify_export(path)
    assert rows > 250_000 and bad_line > 250_000 and path.stat().st_size >= TARGET_BYTES

    parsed = parse_bytes(path.read_bytes(), path.name)

    assert len(parsed.rows) == rows
    first, last = parsed.rows[0], parsed.rows[-1]
    assert first.line == 2 and first.draft is not None
    assert first.draft.notes == "Called about an order.\nWants a callback."
    assert first.draft.phones[0].e164 == "+14165550000"
    assert last.line == last_line
    assert last.draft is not None and last.draft.first_name == f"Kim{rows - 1}"
    rejected = [row for row in parsed.rows if row.draft is None]
    assert [(row.line, row.error) for row in rejected] == [
        (bad_line, 'Email "customer250000.example.com": this is not an email address')
    ]
    assert parsed.rows[1].draft is not None and parsed.rows[1].draft.loyalty_stage is LoyaltyStage.CUSTOMER
