"""Reading CSV records with the physical line each one starts on, and a header to look cells up by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from careapp.domain.wording import line_range


@dataclass(frozen=True)
class CsvRecord:
    line: int  # physical line the record starts on
    cells: list[str]
    error: str | None = None  # broken quoting: the record could not be read


def iter_records(text: str, delimiter: str, first_line: int = 1) -> Iterator[CsvRecord]:
    """Every non-blank record of ``text``; ``first_line`` is the file line ``text`` starts on.

    The reader is strict about quotes so a stray quote is reported on its own line instead of
    silently swallowing the following rows into one cell.
    """
    # newline="" keeps line breaks inside quoted cells as they are, and still splits on \r\n, \n or \r.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    offset = first_line - 1
    start = first_line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvRecord(start, [], _quote_problem(str(error), start, reader.line_num + offset))
        else:
            if any(cell.strip() for cell in cells):  # spreadsheets leave rows of bare separators
                yield CsvRecord(start, cells)
        start = reader.line_num + offset + 1


def _quote_problem(error: str, start: int, end: int) -> str:
    if "unexpected end of data" in error:
        return (
            f"A quoted cell starts in this row but its closing quote is missing, so {line_range(start, end)} "
            'could not be read. Look for a stray double quote (") in this row.'
        )
    if "field larger than field limit" in error:
        return (
            f"A cell in this row is longer than {csv.field_size_limit():,} characters; this usually means "
            'a double quote (") that is never closed.'
        )
    return (
        'The double quotes (") in this row are not where a CSV file needs them. A cell that contains '
        'a quote must be wrapped in quotes, with the quote itself doubled ("").'
    )


class Header:
    """The header record: column names made unique, looked up without regard to case or spaces."""

    def __init__(self, cells: Sequence[str]) -> None:
        self.names = _unique_names(cells)
        self.width = len(self.names)
        self._index: dict[str, int] = {}
        for position, name in enumerate(self.names):
            self._index.setdefault(_key(name), position)
        # Readers ask for the same few names on every row: remember the answers.
        self.slots: dict[str, int] = {}
        self._present: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._numbered: dict[str, int] = {}

    def index(self, name: str) -> int | None:
        return self._index.get(_key(name))

    def slot(self, name: str) -> int:
        """Where ``name`` is in a CsvRow's cells; a missing column reads the always-blank last slot."""
        position = self.index(name)
        self.slots[name] = self.width if position is None else position
        return self.slots[name]

    def present(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The ones among ``names`` that are columns of this file, in the same order."""
        if names not in self._present:
            self._present[names] = tuple(name for name in names if self.index(name) is not None)
        return self._present[names]

    def numbered(self, pattern: str) -> range:
        """1, 2, 3… for as long as ``pattern.format(n)`` is a column ("E-mail {} - Value")."""
        if pattern not in self._numbered:
            count = 0
            while self.index(pattern.format(count + 1)) is not None:
                count += 1
            self._numbered[pattern] = count
        return range(1, self._numbered[pattern] + 1)

    def has(self, *names: str) -> bool:
        return all(_key(name) in self._index for name in names)

    def has_any(self, *names: str) -> bool:
        return any(_key(name) in self._index for name in names)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _unique_names(cells: Sequence[str]) -> list[str]:
    # Blank or repeated headings still need a name the user can pick in a column mapping.
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        base = cell.strip() or f"Column {position}"
        name, copy = base, 1
        while _key(name) in seen:
            copy += 1
            name = f"{base} ({copy})"
        seen.add(_key(name))
        names.append(name)
    return names


class CsvRow:
    """One record's cells, readable by header name (this is the hot path of a large import)."""

    __slots__ = ("cells", "header", "slots")

    def __init__(self, header: Header, cells: list[str]) -> None:
        self.header = header
        self.slots = header.slots
        # Exactly one cell per column plus a blank one that missing columns read.
        if len(cells) != header.width:
            cells = (cells + [""] * header.width)[: header.width]
        cells.append("")
        self.cells = cells

    def get(self, name: str) -> str:
        try:
            position = self.slots[name]
        except KeyError:
            position = self.header.slot(name)
        return self.cells[position].strip()

    def at(self, position: int) -> str:
        return self.cells[position].strip()
