"""Exporting customers to files: CSV (spreadsheet-safe), vCard 4.0 and JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from careapp.domain.customer import Customer
from careapp.exporting import customer_to_json, customers_to_csv, customers_to_vcard
from careapp.services.customers import CustomerService

FORMATS = ("csv", "vcard", "json")


def format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".vcf", ".vcard"):
        return "vcard"
    if suffix == ".json":
        return "json"
    return "csv"


def write_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class ExportService:
    def __init__(self, customers: CustomerService) -> None:
        self._customers = customers

    def _all(self) -> Iterator[Customer]:
        for customer_id in self._customers.search_ids(""):
            yield self._customers.get(customer_id)

    def export_customers(self, path: Path, export_format: str) -> int:
        customers = list(self._all())
        if export_format == "csv":
            text = customers_to_csv(customers)
        elif export_format == "vcard":
            text = customers_to_vcard(customers)
        elif export_format == "json":
            text = json.dumps(
                [
                    customer_to_json(
                        c, self._customers.purchases(c.id), self._customers.consent_history(c.id)
                    )
                    for c in customers
                ],
                indent=2,
                ensure_ascii=False,
            )
        else:
            raise ValueError(f"unknown export format {export_format!r}; use one of {', '.join(FORMATS)}")
        # Excel only reads a CSV as UTF-8 when it starts with a byte-order mark.
        write_atomically(path, text, "utf-8-sig" if export_format == "csv" else "utf-8")
        return len(customers)
