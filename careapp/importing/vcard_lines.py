"""The syntax of vCard 2.1, 3.0 and 4.0: unfolding, properties, parameters, encodings and escapes.

Nothing here knows what a customer is; vcard.py turns the properties into one.
"""

from __future__ import annotations

import binascii
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Pictures and keys can be hundreds of kilobytes of base64 and are never imported.
_SKIPPED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}
_STRUCTURE_TOKEN = re.compile(r"\\(.)|([;,])|([^\\;,]+)|\\", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_RFC6868 = re.compile(r"\^([n^'])")


@dataclass(frozen=True)
class VProperty:
    line: int
    group: str  # "item1" in "item1.EMAIL" (Apple ties a label to a value this way), else ""
    name: str  # upper case
    params: dict[str, list[str]]  # upper-case keys; 2.1's bare "CELL" is filed under TYPE
    value: str  # with quoted-printable and charset decoded, vCard escapes still in place

    def param(self, key: str) -> str:
        values = self.params.get(key, [])
        return values[0] if values else ""

    def types(self) -> list[str]:
        return [value.lower() for value in self.params.get("TYPE", [])]


@dataclass
class VCard:
    line: int  # where BEGIN:VCARD is
    properties: list[VProperty] = field(default_factory=list)


def read_cards(text: str, warnings: list[str]) -> Iterator[VCard]:
    """Every card in ``text``; text outside BEGIN:VCARD … END:VCARD is ignored."""
    card: VCard | None = None
    for number, line in _logical_lines(_LINE_BREAK.split(text)):
        prop = parse_property(number, line)
        if prop is None:
            continue
        is_vcard = prop.value.strip().upper() == "VCARD"
        if prop.name == "BEGIN" and is_vcard:
            if card is not None:
                warnings.append(
                    f"The contact starting on line {card.line} has no END:VCARD; it was read up to "
                    f"line {number - 1}."
                )
                yield card
            card = VCard(number)
        elif prop.name == "END" and is_vcard:
            if card is not None:
                yield card
            card = None
        elif card is not None:
            card.properties.append(prop)
    if card is not None:
        warnings.append(f"The contact starting on line {card.line} has no END:VCARD; it was read to the end.")
        yield card


def _logical_lines(raw_lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(first physical line number, unfolded line) pairs.

    3.0 and 4.0 fold by breaking a line and starting the next with one space or tab, which
    unfolding removes. 2.1 folds at existing whitespace and keeps it, and its
    quoted-printable values continue after a line ending in "=" (a soft line break).
    """
    start = 0
    parts: list[str] = []
    keep_fold_space = soft_break = False
    for number, raw in enumerate(raw_lines, start=1):
        if parts and soft_break:
            parts[-1] = parts[-1][:-1]
            parts.append(raw)
        elif parts and raw[:1] in (" ", "\t"):
            parts.append(raw if keep_fold_space else raw[1:])
        else:
            if parts:
                yield start, "".join(parts)
            start, parts = number, ([raw] if raw.strip() else [])
            upper = raw[:12].upper()
            if upper.startswith("VERSION:"):
                keep_fold_space = raw.strip()[8:] == "2.1"
            elif upper.startswith("BEGIN:VCARD"):
                keep_fold_space = False
        soft_break = bool(parts) and parts[-1].endswith("=") and _is_quoted_printable(parts[0])
    if parts:
        yield start, "".join(parts)


def _is_quoted_printable(first_part: str) -> bool:
    head = first_part.split(":", 1)[0]
    return "QUOTED-PRINTABLE" in head.upper()


def parse_property(line_number: int, line: str) -> VProperty | None:
    """The property on one unfolded line; None for lines that are not properties or are skipped."""
    colon = _unquoted_index(line, ":")
    if colon < 0:
        return None  # stray base64 lines of a picture, blank lines, junk
    head, value = line[:colon], line[colon + 1 :]
    name_part, *param_parts = _split_unquoted(head, ";")
    group, _, name = name_part.strip().rpartition(".")
    name = name.upper()
    if name in _SKIPPED:
        return None
    params = _parameters(param_parts)
    return VProperty(line_number, group.lower(), name, params, _decode(value, params))


def _unquoted_index(text: str, wanted: str) -> int:
    in_quotes = False
    for position, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == wanted and not in_quotes:
            return position
    return -1


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    while (position := _unquoted_index(text, separator)) >= 0:
        parts.append(text[:position])
        text = text[position + 1 :]
    parts.append(text)
    return parts


def _parameters(parts: list[str]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for part in parts:
        key, equals, raw_values = part.partition("=")
        if not equals:  # vCard 2.1 writes bare values: TEL;CELL;PREF, NOTE;QUOTED-PRINTABLE
            key, raw_values = ("ENCODING" if key.strip().upper() in _BARE_ENCODINGS else "TYPE"), key
        key = key.strip().upper()
        values = [_param_value(value) for value in _split_unquoted(raw_values, ",")]
        if key == "TYPE":  # RFC 6350 writes several types in one quoted value too: TYPE="voice,cell"
            values = [kind.strip() for value in values for kind in value.split(",")]
        params.setdefault(key, []).extend(value for value in values if value)
    return params


def _param_value(raw: str) -> str:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    # RFC 6868: ^n newline, ^' double quote, ^^ caret.
    return _RFC6868.sub(lambda match: {"n": "\n", "'": '"', "^": "^"}[match[1]], value)


def _decode(value: str, params: dict[str, list[str]]) -> str:
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding == "QUOTED-PRINTABLE":
        data = quopri.decodestring(value.encode("utf-8"))
    elif encoding in ("B", "BASE64"):
        try:
            data = binascii.a2b_base64(value.encode("ascii", errors="ignore"))
        except binascii.Error:
            return ""
    else:
        return value
    return _decode_charset(data, (params.get("CHARSET") or ["utf-8"])[0])


def _decode_charset(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # A wrong or unknown CHARSET: UTF-8 if it fits, else the usual Windows code page.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")


def unescape(value: str) -> str:
    """A text value with its vCard escapes (\\n \\, \\; \\\\) turned back into characters."""
    return _ESCAPE.sub(lambda match: _ESCAPES.get(match[1], match[0]), value)


def split_structured(value: str) -> list[list[str]]:
    """A structured value (N, ADR, ORG…): components split at ";" and their values at ",", unescaped."""
    components: list[list[str]] = [[]]
    current: list[str] = []
    for match in _STRUCTURE_TOKEN.finditer(value):
        escaped, separator, text = match.groups()
        if separator is not None:
            components[-1].append("".join(current))
            current = []
            if separator == ";":
                components.append([])
        elif escaped is not None:
            current.append(_ESCAPES.get(escaped, match[0]))
        else:
            current.append(text if text is not None else "\\")
    components[-1].append("".join(current))
    return components
