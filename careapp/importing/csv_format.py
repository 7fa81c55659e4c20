"""What the CSV importer needs to know about one kind of CSV file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.rows import RowFields


@dataclass(frozen=True)
class CsvFormat:
    name: str  # ParsedFile.format
    label: str  # ParsedFile.format_label
    consent_method: str  # ConsentEvent.method for consent read from this kind of file
    read: Callable[[CsvRow], RowFields]
    date_columns: tuple[str, ...] = ()  # columns that may hold slashed dates like 4/12/1985
    month_first: bool = False  # how to read 4/12/1985 when nothing in the file or settings decides


def first_of(row: CsvRow, *names: str) -> str:
    """The first non-empty cell among ``names`` (formats renamed columns over the years)."""
    for name in names:
        value = row.get(name)
        if value:
            return value
    return ""


def numbered(header: Header, pattern: str) -> list[int]:
    """1, 2, 3... for as long as ``pattern.format(n)`` is a column ("E-mail {} - Value")."""
    numbers: list[int] = []
    while header.index(pattern.format(len(numbers) + 1)) is not None:
        numbers.append(len(numbers) + 1)
    return numbers


def join_nonempty(parts: list[str] | tuple[str, ...], separator: str) -> str:
    return separator.join(part.strip() for part in parts if part.strip())
