"""NUL and the other C0 control characters, lone surrogates and invalid UTF-8 in an import file: the row
holding them is rejected with its line and the reason, wherever it is (in the first 64 KB the sniffer
looks at, or later; in a name or an email), and the same happens on SQLite and PostgreSQL, in the dry
run and the real import. Only a file that is mostly control characters is "not a text file".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import FIXTURES, parse_bytes

from careapp.cli import main
from careapp.importing import ImportFileError

SHOPIFY_HEADER = (FIXTURES / "shopify_customers_export.csv").read_text(encoding="utf-8").splitlines()[0]
GOOD_ROWS = 3000  # ~450 KB: row 3001 is far past the 64 KB the sniffer samples
EARLY_LINE = 5  # well inside the first 64 KB

# What a bad cell holds, as bytes in a UTF-8 file.
BAD_BYTES = {
    "NUL": b"\x00",
    "SOH": b"\x01",
    "ESC": b"\x1b",
    "form feed": b"\x0c",
    "lone surrogate": "\ud800".encode("utf-8", "surrogatepass"),
    "invalid UTF-8": b"\xff",
    "cut-off UTF-8": b"\xc3",
}
REASONS = {
    "NUL": "control character (NUL)",
    "SOH": "control character (U+0001)",
    "ESC": "control character (U+001B)",
    "form feed": "control character (U+000C)",
    "lone surrogate": "not valid text (invalid UTF-8)",
    "invalid UTF-8": "not valid text (invalid UTF-8)",
    "cut-off UTF-8": "not valid text (invalid UTF-8)",
}


def row(number: int, first: bytes = b"", email: bytes = b"") -> bytes:
    # Accented names: a real UTF-8 export, so a broken byte is one bad row, not a cp1252 file.
    return (
        f"'{7000000 + number},Zo".encode()
        + first  # inside the name: a trailing control that is whitespace would just be trimmed
        + f"ë{number},Müller,z{number}@exa".encode()
        + email
        + f"mple.com,yes,,{number} Queen St,,Toronto,ON,CA,'M5H 2M9,,,no,1.00,1,,no,\n".encode()
    )


def file_with(bad: bytes, where: str, line: int) -> bytes:
    """GOOD_ROWS good rows and one more whose name or email holds ``bad``, at physical ``line``."""
    rows = [row(n) for n in range(GOOD_ROWS)]
    spoiled = row(GOOD_ROWS, first=bad) if where == "name" else row(GOOD_ROWS, email=bad)
    rows.insert(line - 2, spoiled)
    return (SHOPIFY_HEADER + "\n").encode() + b"".join(rows)


CASES = [
    pytest.param(kind, where, line, id=f"{kind}-in-{where}-line{line}")
    for kind in BAD_BYTES
    for where in ("name", "email")
    for line in (EARLY_LINE, GOOD_ROWS + 2)
]


@pytest.mark.parametrize(("kind", "where", "line"), CASES)
def test_the_parser_rejects_the_row_with_its_line_and_reason(kind: str, where: str, line: int) -> None:
    parsed = parse_bytes(file_with(BAD_BYTES[kind], where, line))
    rejected = {r.line: r.error for r in parsed.rows if r.error}
    assert list(rejected) == [line], rejected
    assert REASONS[kind] in str(rejected[line])
    assert ("Email" if where == "email" else "First name") in str(rejected[line])
    assert sum(1 for r in parsed.rows if r.draft) == GOOD_ROWS
    assert parsed.encoding == "utf-8"  # the other rows keep their accents


def test_a_file_that_is_mostly_control_characters_is_not_text() -> None:
    data = (SHOPIFY_HEADER + "\n").encode() + b"\x00\x01" * 5000
    with pytest.raises(ImportFileError, match="not a text file"):
        parse_bytes(data)


def test_utf16_with_a_lone_surrogate_rejects_that_row() -> None:
    text = SHOPIFY_HEADER + "\n" + row(1).decode() + row(2).decode().replace("Zoë2", "Zoë2\ud83d")
    data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le", "surrogatepass")
    parsed = parse_bytes(data)
    rejected = {r.line: r.error for r in parsed.rows if r.error}
    assert parsed.encoding == "utf-16"
    assert list(rejected) == [3] and "not valid text" in str(rejected[3])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", max_codepoint=0x2FF), max_size=12),
        min_size=3,
        max_size=3,
    )
)
def test_any_control_character_in_any_cell_rejects_only_that_row(cells: list[str]) -> None:
    first, last, city = cells
    # Cells are trimmed as they are read (str.strip, which counts U+001C-U+001F as space): what is
    # trimmed away is never stored, so only what is left can make the row unstorable.
    bad = any(ord(c) < 0x20 and c not in "\t\n\r" for c in "".join(cell.strip() for cell in cells))
    line = (
        f'\'1,"{first.replace(chr(34), "")}","{last.replace(chr(34), "")}",a@example.com,yes,,'
        f'1 High St,,"{city.replace(chr(34), "")}",ON,CA,,,,no,1.00,1,,no,\n'
    )
    data = (SHOPIFY_HEADER + "\n" + line + row(2).decode()).encode("utf-8", "surrogatepass")
    try:
        parsed = parse_bytes(data)
    except ImportFileError as error:  # a cell of nothing but control characters: said in words
        assert "not a text file" in str(error)
        return
    rejected = [r for r in parsed.rows if r.error and "control character" in r.error]
    assert bool(rejected) == bad
    assert any(r.draft and r.draft.first_name == "Zoë2" for r in parsed.rows)


# --- the whole import, on both databases ------------------------------------------------------------


def run_import(
    data_dir: Path, path: Path, *extra: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), "import", str(path), "--format", "json", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "DataError" not in err, err
    return code, json.loads(out) if code == 0 else {"error": err}


@pytest.mark.parametrize(
    ("kind", "where", "line"),
    [
        ("NUL", "name", GOOD_ROWS + 2),
        ("NUL", "email", GOOD_ROWS + 2),
        ("lone surrogate", "email", EARLY_LINE),
        ("invalid UTF-8", "name", GOOD_ROWS + 2),
    ],
)
def test_dry_run_and_import_agree_and_store_nothing_unstorable(
    data_dir: Path,
    tmp_path: Path,
    kind: str,
    where: str,
    line: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "google.csv"
    source.write_bytes(file_with(BAD_BYTES[kind], where, line))
    code, preview = run_import(data_dir, source, "--dry-run", capsys=capsys)
    assert code == 0, preview
    code, done = run_import(data_dir, source, capsys=capsys)
    assert code == 0, done
    for summary in (preview, done):
        assert summary["created"] == GOOD_ROWS
        assert [r["line"] for r in summary["rejected"]] == [line]
        assert REASONS[kind] in summary["rejected"][0]["reason"]
    from careapp.config import resolve_paths
    from careapp.context import build_services

    services = build_services(resolve_paths(str(data_dir)))
    try:
        assert len(services.customers.search_ids()) == GOOD_ROWS
    finally:
        services.close()
