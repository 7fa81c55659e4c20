"""Reading a CSV file: find its separator and layout, then turn each record into a ParsedRow."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from careapp.domain.wording import counted
from careapp.importing.csv_format import CsvFormat
from careapp.importing.csv_records import CsvRecord, CsvRow, Header, iter_records
from careapp.importing.google import GOOGLE, GOOGLE_LEGACY, is_google, is_google_legacy
from careapp.importing.mapping import mapped_format, recognised_mapping, suggest_mapping
from careapp.importing.model import ColumnMapping, ImportFileError, NeedsColumnMapping, ParsedFile, ParsedRow
from careapp.importing.order_formats import ORDER_FORMATS
from careapp.importing.outlook import OUTLOOK, is_outlook
from careapp.importing.rows import RowContext, RowFields, build_row
from careapp.importing.shopify import SHOPIFY, is_shopify
from careapp.importing.sniffing import CANDIDATE_DELIMITERS, detect_delimiter
from careapp.importing.values import is_ambiguous_slashed_date, slashed_date_order

_KNOWN_FORMATS = (
    *ORDER_FORMATS,  # before the customer lists: an orders file has customer columns too
    (is_shopify, SHOPIFY),
    (is_google, GOOGLE),
    (is_google_legacy, GOOGLE_LEGACY),
    (is_outlook, OUTLOOK),
)
# Countries whose spreadsheets write month/day/year.
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "GU", "AS", "MP", "VI", "PR", "UM"})
_SEP_HINT = re.compile(r"sep=(.)[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)  # Excel's first-line "sep=;" hint


@dataclass(frozen=True)
class CsvSettings:
    filename: str
    encoding: str
    now: dt.datetime
    default_region: str | None
    mapping: ColumnMapping | None


def parse_csv(text: str, settings: CsvSettings, warnings: list[str]) -> ParsedFile:
    text, first_line, delimiter = _separator(text)
    records = iter_records(text, delimiter, first_line)
    header = _header(next(records, None), settings.filename)
    first = next(records, None)
    if first is None:
        raise ImportFileError(
            f"“{settings.filename}” has column headings but no customers below them: "
            "there is nothing to import."
        )
    csv_format = _choose_format(header, settings.mapping, settings.filename)
    day_first = _decide_day_first(text, delimiter, header, csv_format, settings.default_region, warnings)
    context = RowContext(
        now=settings.now,
        default_region=settings.default_region,
        consent_method=csv_format.consent_method,
        source_name=settings.filename,
        day_first=day_first,
    )
    rows = _parse_records(_chain(first, records), header, csv_format, context, warnings)
    return ParsedFile(
        format=csv_format.name,
        format_label=csv_format.label,
        encoding=settings.encoding,
        delimiter=delimiter,
        rows=tuple(rows),
        warnings=tuple(warnings),
        columns=csv_format.columns,
    )


def _separator(text: str) -> tuple[str, int, str]:
    """(text without any "sep=" line, the file line the text starts on, the separator)."""
    hint = _SEP_HINT.match(text)
    if hint and hint[1] in (*CANDIDATE_DELIMITERS, "|"):
        return text[hint.end() :], 2, hint[1]
    return text, 1, detect_delimiter(text)


def _header(record: CsvRecord | None, filename: str) -> Header:
    if record is None:
        raise ImportFileError(f"“{filename}” is empty: there is nothing to import.")
    if record.error:
        raise ImportFileError(
            f"The first line of “{filename}” (the column headings) cannot be read. {record.error}"
        )
    return Header(record.cells)


def _choose_format(header: Header, mapping: ColumnMapping | None, filename: str) -> CsvFormat:
    # A mapping is the user's explicit choice, so it wins even over a recognised layout.
    if mapping is not None:
        return mapped_format(header, mapping)
    for matches, csv_format in _KNOWN_FORMATS:
        if matches(header):
            return csv_format
    recognised = recognised_mapping(header.names)
    if recognised is not None:  # every heading known for certain: no mapping step
        return mapped_format(header, recognised, recognised=True)
    shown = ", ".join(f"“{name}”" for name in header.names[:6]) + (", …" if len(header.names) > 6 else "")
    raise NeedsColumnMapping(
        f"careapp does not recognise the columns of “{filename}” ({shown}). "
        "Say which column holds what (names, email, phone…) and import again.",
        header.names,
        suggest_mapping(header.names),
    )


def _chain(first: CsvRecord, rest: Iterator[CsvRecord]) -> Iterator[CsvRecord]:
    yield first
    yield from rest


def _parse_records(
    records: Iterator[CsvRecord],
    header: Header,
    csv_format: CsvFormat,
    context: RowContext,
    warnings: list[str],
) -> list[ParsedRow]:
    rows: list[ParsedRow] = []
    overflowing: list[int] = []
    short: list[int] = []
    width = len(header.names)
    orders = _OrderLines(header, csv_format)
    for record in records:
        if record.error:
            rows.append(ParsedRow(line=record.line, draft=None, error=record.error))
            continue
        if len(record.cells) > width and any(cell.strip() for cell in record.cells[width:]):
            overflowing.append(record.line)
        elif 1 < len(record.cells) < width:  # one cell: a list with a single filled column
            short.append(record.line)
        row = CsvRow(header, orders.filled(record.cells))
        rows.append(build_row(record.line, orders.numbered(csv_format.read(row)), context))
    if overflowing:
        warnings.append(
            f"{_rows_on(overflowing)} more cells than there are column headings; the extra cells were "
            "not imported. A cell with the separator in it may be missing its quotes."
        )
    if short:
        warnings.append(
            f"{_rows_on(short)} fewer cells than there are column headings; the missing cells were "
            "read as empty. Check that nothing moved into the wrong column."
        )
    return rows


def _rows_on(lines: list[int]) -> str:
    """ "Line 3 has" or "3 rows (lines 3, 7, 9…) have": the start of a warning about rows."""
    if len(lines) == 1:
        return f"Line {lines[0]} has"
    shown = ", ".join(str(line) for line in lines[:5]) + ("…" if len(lines) > 5 else "")
    return f"{counted(len(lines), 'row')} (lines {shown}) have"


class _OrderLines:
    """For orders files: fill an order's later lines from its first, and number each order's lines.

    The number makes the re-import key ("shopify:#1001:2"); it is counted in file order, which an
    export keeps, so the same file read again gives every line the same key.
    """

    def __init__(self, header: Header, csv_format: CsvFormat) -> None:
        self._order_at = header.index(csv_format.order_column) if csv_format.order_column else None
        self._carried = [p for p in (header.index(name) for name in csv_format.carry) if p is not None]
        self._first: dict[str, list[str]] = {}
        self._count: dict[str, int] = {}

    def filled(self, cells: list[str]) -> list[str]:
        if self._order_at is None or self._order_at >= len(cells) or not self._carried:
            return cells
        order = cells[self._order_at].strip()
        first = self._first.setdefault(order, cells)
        if first is cells:
            return cells
        filled = list(cells)
        for position in self._carried:
            if position < len(filled) and not filled[position].strip() and position < len(first):
                filled[position] = first[position]
        return filled

    def numbered(self, fields: RowFields) -> RowFields:
        if not fields.purchases:
            return fields
        numbered = []
        for cell in fields.purchases:
            self._count[cell.order] = self._count.get(cell.order, 0) + 1
            numbered.append(cell.numbered(self._count[cell.order]))
        fields.purchases = numbered
        return fields


def _decide_day_first(
    text: str, delimiter: str, header: Header, csv_format: CsvFormat, region: str | None, warnings: list[str]
) -> bool:
    """How to read slashed dates like 4/12/1985 for the whole file, so every row is read alike."""
    region = (region or "").upper()
    default_day_first = region not in _MONTH_FIRST_REGIONS if region else not csv_format.month_first
    positions = [p for p in (header.index(name) for name in csv_format.date_columns) if p is not None]
    if not positions:
        return default_day_first
    evidence = _slashed_date_evidence(text, delimiter, positions)
    if evidence.day_first != evidence.month_first:
        return evidence.day_first
    # Unambiguous dates read right on their own; only dates like 4/12/1985 need the default.
    if evidence.ambiguous_example:
        warnings.append(_ambiguous_dates_warning(evidence, default_day_first))
    return default_day_first


@dataclass
class _DateEvidence:
    day_first: bool = False  # some date only makes sense day first (13/4/1985)
    month_first: bool = False  # some date only makes sense month first (4/13/1985)
    ambiguous_example: str = ""  # a date that could be either (4/12/1985)


def _slashed_date_evidence(text: str, delimiter: str, positions: list[int]) -> _DateEvidence:
    evidence = _DateEvidence()
    # A second, lenient pass over just the date columns; broken rows are reported by the main pass.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        next(reader, None)
        for cells in reader:
            for position in positions:
                if position < len(cells) and cells[position]:
                    _weigh(cells[position], evidence)
    except csv.Error:
        pass
    return evidence


def _weigh(value: str, evidence: _DateEvidence) -> None:
    order = slashed_date_order(value)
    if order == "day":
        evidence.day_first = True
    elif order == "month":
        evidence.month_first = True
    elif not evidence.ambiguous_example and is_ambiguous_slashed_date(value):
        evidence.ambiguous_example = value.strip()


def _ambiguous_dates_warning(evidence: _DateEvidence, day_first: bool) -> str:
    example = evidence.ambiguous_example
    mixed = " The file mixes both orders." if evidence.day_first and evidence.month_first else ""
    order = "day/month/year" if day_first else "month/day/year"
    return (
        f"Dates such as “{example}” can be read day first or month first; "
        f"careapp read them as {order}.{mixed} "
        "If that is wrong, set your shop's country in Settings, or write the dates like 1985-04-12, "
        "and import again."
    )
