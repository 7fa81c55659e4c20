"""Exporting customers to files: CSV (spreadsheet-safe), vCard 4.0 and JSON."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from careapp.db.database import Database
from careapp.exporting import customer_to_json, write_customers_csv, write_customers_vcard, write_json_list
from careapp.memory import collector_paused
from careapp.services.customers.batches import EVERYTHING, CustomerWithHistory, Reading, customers_in_batches
from careapp.services.customers.service import CustomerService

FORMATS = ("csv", "vcard", "json")
# What each format writes besides a customer's own row, emails, phones, dates and tags: only that is read.
_READING = {
    "csv": Reading(consents=True, referrers=False),  # a column per channel's consent
    "vcard": Reading(consents=False, referrers=False),
    "json": EVERYTHING,  # the referrer's name, the consents, the purchases and the consent history
}


def format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".vcf", ".vcard"):
        return "vcard"
    if suffix == ".json":
        return "json"
    return "csv"


def write_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written file."""
    with atomic_file(path, encoding) as handle:
        handle.write(text)


@contextmanager
def atomic_file(path: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A temporary file beside ``path`` to write to a piece at a time; renamed onto ``path`` when the
    block ends, removed if it raises: a reader never sees a half-written file."""
    with _replacing(path, "w", encoding=encoding, newline="") as handle:
        yield handle


@contextmanager
def atomic_binary_file(path: Path) -> Iterator[BinaryIO]:
    """:func:`atomic_file` for bytes (a calendar written an event at a time, never whole in memory)."""
    with _replacing(path, "wb") as handle:
        yield handle


@contextmanager
def _replacing(path: Path, mode: str, **options: Any) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class ExportService:
    def __init__(self, db: Database, customers: CustomerService) -> None:
        self._db = db
        self._customers = customers

    def _all(self, reading: Reading) -> Iterator[CustomerWithHistory]:
        """Every customer in list order (by name), read a batch at a time."""
        for batch in customers_in_batches(self._db, self._customers.search_ids(""), reading=reading):
            yield from batch

    def export_customers(self, path: Path, export_format: str) -> int:
        if export_format not in FORMATS:
            raise ValueError(f"unknown export format {export_format!r}; use one of {', '.join(FORMATS)}")
        # Written as the batches are read: 100,000 customers are never all in memory at once.
        everyone = self._all(_READING[export_format])
        # Excel only reads a CSV as UTF-8 when it starts with a byte-order mark.
        with (
            collector_paused(),
            atomic_file(path, "utf-8-sig" if export_format == "csv" else "utf-8") as handle,
        ):
            if export_format == "csv":
                return write_customers_csv((one.customer for one in everyone), handle)
            if export_format == "vcard":
                return write_customers_vcard((one.customer for one in everyone), handle)
            documents = (
                customer_to_json(one.customer, one.purchases, one.consent_history) for one in everyone
            )
            return write_json_list(documents, handle)
