"""Reading customer lists from other programs: pure parsers, no database.

``parse_import`` reads Shopify, Google Contacts, Outlook and other CSV files and vCard
2.1/3.0/4.0 files into ``ParsedFile``; the service layer decides what to do with the rows.
"""

from careapp.importing.mapping import suggest_mapping
from careapp.importing.model import (
    TARGET_FIELDS,
    ColumnMapping,
    ImportFileError,
    NeedsColumnMapping,
    ParsedFile,
    ParsedRow,
)
from careapp.importing.parse import parse_import
from careapp.importing.sniffing import MAX_IMPORT_BYTES, detect_delimiter, detect_encoding

__all__ = [
    "MAX_IMPORT_BYTES",
    "TARGET_FIELDS",
    "ColumnMapping",
    "ImportFileError",
    "NeedsColumnMapping",
    "ParsedFile",
    "ParsedRow",
    "detect_delimiter",
    "detect_encoding",
    "parse_import",
    "suggest_mapping",
]
