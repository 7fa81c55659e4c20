"""What the import parsers hand to the service layer: parsed rows, file facts and file-level errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from careapp.domain.customer import ConsentEvent, CustomerDraft, Purchase

# Where a column of an unrecognised CSV can go; "ignore" drops the column.
TARGET_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "email",
    "phone",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "birthday",
    "tags",
    "notes",
    "loyalty_stage",
    "customer_since",
    "anniversary",
    "email_consent",
    "sms_consent",
    "ignore",
)


@dataclass(frozen=True)
class ParsedRow:
    """One record of the file: a draft to import, or the reason it cannot be imported."""

    line: int  # 1-based physical line where the record starts (the CSV header is line 1)
    draft: CustomerDraft | None  # None when rejected
    purchases: tuple[Purchase, ...] = ()
    consents: tuple[ConsentEvent, ...] = ()
    error: str | None = None  # why the row was rejected, in words a shop owner understands
    match_key: str = ""  # ties rows of one buyer or order together within the file (orders files)
    name: str = ""  # a rejected row's name as the file gives it, so the owner can find the row


@dataclass(frozen=True)
class ParsedFile:
    format: str  # "shopify", "google", "google-legacy", "outlook", "vcard", "csv"
    format_label: str  # "Shopify customer export", ...
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", "utf-16"
    delimiter: str | None  # None for vCard
    rows: tuple[ParsedRow, ...]
    warnings: tuple[str, ...] = ()
    # A CSV read by a column mapping (the user's or one careapp recognised): heading -> field.
    columns: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """For a CSV from an unknown program: which target field each header feeds."""

    columns: Mapping[str, str]  # header -> one of TARGET_FIELDS


class ImportFileError(Exception):
    """The whole file cannot be imported; ``str(error)`` says what happened and what to do."""


class NeedsColumnMapping(ImportFileError):
    """A CSV whose columns are not from a known program: the user must say which column is what."""

    def __init__(self, message: str, headers: list[str], suggested: ColumnMapping) -> None:
        super().__init__(message)
        self.headers = headers
        self.suggested = suggested
