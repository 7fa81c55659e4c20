"""First look at an import file: is it text at all, how is it encoded, what separates its cells."""

from __future__ import annotations

import codecs

from careapp.importing.model import ImportFileError

MAX_IMPORT_BYTES = 200 * 1024 * 1024
_SAMPLE_BYTES = 64 * 1024
CANDIDATE_DELIMITERS = (",", ";", "\t")

# Signatures of files people rename or pick by mistake, with what to tell them.
_KNOWN_BINARIES: tuple[tuple[bytes, str], ...] = (
    (
        b"PK\x03\x04",
        (
            "is an Excel workbook (.xlsx) or another zip archive, not a CSV file. "
            "Open it in your spreadsheet program and save it as “CSV UTF-8”, then import that file."
        ),
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        (
            "is an old Excel workbook (.xls), not a CSV file. "
            "Open it in your spreadsheet program and save it as “CSV UTF-8”, then import that file."
        ),
    ),
    (b"\x89PNG", "is a PNG picture, not a list of customers."),
    (b"\xff\xd8\xff", "is a JPEG picture, not a list of customers."),
    (b"GIF8", "is a GIF picture, not a list of customers."),
    (b"%PDF", "is a PDF document; careapp can import CSV and vCard (.vcf) files."),
    (b"\x1f\x8b", "is a compressed (gzip) file; unpack it first and import the file inside."),
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def check_importable(data: bytes, filename: str) -> None:
    """Raise ImportFileError when ``data`` is too large, empty or clearly not a text file."""
    if len(data) > MAX_IMPORT_BYTES:
        size_mb = len(data) / (1024 * 1024)
        raise ImportFileError(
            f"“{filename}” is {size_mb:,.0f} MB; careapp imports files of up to 200 MB. "
            "Split the file into smaller parts and import them one after another."
        )
    if not data or data.isspace():
        raise ImportFileError(f"“{filename}” is empty: there is nothing to import.")
    for signature, what in _KNOWN_BINARIES:
        if data.startswith(signature):
            raise ImportFileError(f"“{filename}” {what}")
    if not data.startswith(_UTF16_BOMS) and _looks_binary(data[:_SAMPLE_BYTES]):
        raise ImportFileError(
            f"“{filename}” is not a text file, so it cannot be a CSV or vCard file. "
            "Check that you picked the right file."
        )


def _looks_binary(sample: bytes) -> bool:
    # A few stray control characters (a NUL among them) happen in text and cost only their rows,
    # wherever they are in the file (rows.unstorable_text); many mean the file is not text at all
    # (UTF-16 without a BOM, a program's own format), so the whole file is refused.
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in (0x09, 0x0A, 0x0D))
    return controls > len(sample) // 100


def detect_encoding(data: bytes) -> str:
    """ "utf-8-sig" (UTF-8 with BOM), "utf-16" (with BOM), "utf-8", or else "cp1252" (Windows Western)."""
    return decode(data)[1]


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read with."""
    # Bytes that are not valid in the file's encoding are kept as lone surrogates (surrogateescape,
    # surrogatepass) rather than replaced, so the rows holding them are rejected with their line
    # (rows.unstorable_text) instead of being stored with a "�" nobody typed.
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="surrogateescape"), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        # Excel's "Unicode Text" export is UTF-16 with a BOM.
        return _utf16(data), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    if _mostly_utf8(text):
        return text, "utf-8"
    # Older Excel and Outlook on Windows write the ANSI code page, which in the
    # West is cp1252. Its five unassigned bytes are replaced rather than fatal.
    return data.decode("cp1252", errors="replace"), "cp1252"


def _utf16(data: bytes) -> str:
    try:
        return data.decode("utf-16", errors="surrogatepass")
    except UnicodeDecodeError:  # an odd number of bytes: the last half character is not text
        return data.decode("utf-16", errors="replace")


def _mostly_utf8(text: str) -> bool:
    """UTF-8 with a few broken bytes (a cut-off character, a stray Windows byte) rather than a file
    in the Windows code page: more letters read as UTF-8 than bytes that are not."""
    broken = sum(1 for char in text if 0xDC80 <= ord(char) <= 0xDCFF)
    letters = sum(1 for char in text if ord(char) > 0x7F) - broken
    return letters > broken


def detect_delimiter(text: str) -> str:
    """The cell separator of a CSV text, judged from its first line (quoted parts don't count)."""
    counts = dict.fromkeys(CANDIDATE_DELIMITERS, 0)
    in_quotes = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    best = max(CANDIDATE_DELIMITERS, key=lambda delimiter: counts[delimiter])
    # A single-column file has no separator at all: comma is the sensible default.
    return best if counts[best] else ","
