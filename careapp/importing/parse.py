"""The entry point: bytes of a file in, parsed customers (or a clear file-level error) out."""

from __future__ import annotations

import datetime as dt
import re

from careapp.importing.csv_import import CsvSettings, parse_csv
from careapp.importing.model import ColumnMapping, ImportFileError, ParsedFile
from careapp.importing.sniffing import check_importable, decode
from careapp.importing.vcard import looks_like_vcard, parse_vcards
from careapp.memory import collector_paused

_VCARD_SUFFIXES = (".vcf", ".vcard")
_MARKUP = re.compile(r"\s*<(?:!doctype|html|\?xml)", re.IGNORECASE)


def parse_import(
    data: bytes,
    filename: str,
    *,
    now: dt.datetime,
    default_region: str | None = None,
    mapping: ColumnMapping | None = None,
) -> ParsedFile:
    """Read a Shopify, Google, Outlook or other CSV export, or a vCard file.

    ``now`` is when the import happens (consent events are stamped with it);
    ``default_region`` is the shop's country (ISO 3166 alpha-2), for phone numbers typed
    without a country code; ``mapping`` says which column is what for a CSV from elsewhere.
    Raises ImportFileError (or its NeedsColumnMapping) when the file as a whole cannot be used;
    single bad rows come back as ParsedRow with ``error`` set.
    """
    check_importable(data, filename)
    with collector_paused():
        return _parse(data, filename, now, default_region, mapping)


def _parse(
    data: bytes, filename: str, now: dt.datetime, default_region: str | None, mapping: ColumnMapping | None
) -> ParsedFile:
    text, encoding = decode(data)
    if not text or text.isspace():
        raise ImportFileError(f"“{filename}” is empty: there is nothing to import.")
    warnings: list[str] = []
    if encoding == "cp1252":
        warnings.append(
            "The file is not in UTF-8, so it was read as Windows Western European text. If letters with "
            "accents look wrong, save the file as “CSV UTF-8” and import it again."
        )
    if looks_like_vcard(text):
        return parse_vcards(
            text,
            filename=filename,
            encoding=encoding,
            now=now,
            default_region=default_region,
            warnings=warnings,
        )
    if filename.lower().endswith(_VCARD_SUFFIXES):
        raise ImportFileError(
            f"“{filename}” is named like a vCard file but does not start with BEGIN:VCARD, so it is not one. "
            "Export the contacts again as vCard, or pick the right file."
        )
    if _MARKUP.match(text):
        raise ImportFileError(
            f"“{filename}” is a web page or XML document, not a CSV file. "
            "Download the export again and choose CSV as the format."
        )
    settings = CsvSettings(filename, encoding, now, default_region, mapping)
    return parse_csv(text, settings, warnings)


