"""What the CSV importer needs to know about one kind of CSV file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from careapp.importing.csv_records import CsvRow
from careapp.importing.rows import RowFields


@dataclass(frozen=True)
class CsvFormat:
    name: str  # ParsedFile.format
    label: str  # ParsedFile.format_label
    consent_method: str  # ConsentEvent.method for consent read from this kind of file
    read: Callable[[CsvRow], RowFields]
    date_columns: tuple[str, ...] = ()  # columns that may hold slashed dates like 4/12/1985
    month_first: bool = False  # how to read 4/12/1985 when nothing in the file or settings decides
    # Orders files: the column naming the order, and the order's columns that only its first line fills.
    order_column: str = ""
    carry: tuple[str, ...] = ()
    # Read by a column mapping: heading -> field, shown in the preview so it can be changed.
    columns: Mapping[str, str] | None = None


def first_of(row: CsvRow, *names: str) -> str:
    """The first non-empty cell among ``names`` (formats renamed columns over the years)."""
    for name in row.header.present(names):
        value = row.get(name)
        if value:
            return value
    return ""


def join_nonempty(parts: list[str] | tuple[str, ...], separator: str) -> str:
    return separator.join(part.strip() for part in parts if part.strip())
