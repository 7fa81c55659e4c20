"""Shared helpers for the import parser tests: the fixture folder and a fixed "now".

A uniquely named module rather than conftest.py, so ``import`` finds this file even when
other test folders have a conftest of their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from careapp.importing import ParsedFile, ParsedRow, parse_import

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def parse_fixture(name: str, **options: Any) -> ParsedFile:
    return parse_import((FIXTURES / name).read_bytes(), name, now=NOW, **options)


def parse_bytes(data: bytes, filename: str = "customers.csv", **options: Any) -> ParsedFile:
    return parse_import(data, filename, now=NOW, **options)


def by_line(parsed: ParsedFile) -> dict[int, ParsedRow]:
    return {row.line: row for row in parsed.rows}
