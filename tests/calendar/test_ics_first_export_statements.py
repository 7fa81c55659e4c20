"""A first export stores its new items in one INSERT on both databases; on PostgreSQL never as an
executemany, which the server runs as one INSERT per row (10,000 of them were 40 % of the first
export of 10,000 items)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from calshop import Shop
from sqlalchemy import event


def test_a_first_export_inserts_its_items_in_one_statement(shop: Shop, tmp_path: Path) -> None:
    settings = shop.calendar.calendar_settings()
    shop.calendar.save_calendar_settings(
        replace(settings, kinds=("birthdays", "queue", "callbacks"), days=366)
    )
    sent: list[tuple[str, bool]] = []

    def count(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CALENDAR_ITEM"):
            sent.append(("calendar_item", many))

    engine = shop.services.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        written = shop.calendar.export_ics(tmp_path / "all.ics")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert written >= 3
    assert sent == [("calendar_item", engine.dialect.name != "postgresql")]  # SQLite: its executemany
