"""A file whose every column heading careapp knows imports without --mapping (issue 16): a German
Excel file (semicolons, Windows cp1252) and a UTF-8 file with a byte-order mark and plain English
headings, through the real command line into a real SQLite file. --mapping still wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from careapp.cli import main
from careapp.domain.customer import PartialDate

if TYPE_CHECKING:
    from careapp.context import Services

pytestmark = pytest.mark.sqlite_only
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def by_name(services: Services) -> dict[str, object]:
    customers = [services.customers.get(i) for i in services.customers.search_ids("")]
    return {f"{c.first_name} {c.last_name}": c for c in customers}


def test_a_german_excel_file_imports_without_a_mapping(
    capsys: pytest.CaptureFixture[str], data_dir: Path, services: Services
) -> None:
    file = FIXTURES / "excel_german_cp1252.csv"
    assert file.read_bytes().count(b";") >= 8 and "ü".encode("cp1252") in file.read_bytes()
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import", str(file), "--staff", "Priya")
    assert (code, err) == (0, "")
    assert "created 2, updated 0, merged 0, unchanged 0, rejected 0" in out
    assert "columns: Vorname → first_name, Nachname → last_name, E-Mail → email" in out
    customers = by_name(services)
    juergen, grete = customers["Jürgen Weiß"], customers["Grete Müller"]
    assert juergen.birthday == PartialDate(2, 29, 1988)  # type: ignore[attr-defined]
    assert juergen.emails[0].address == "juergen.weiss@example.de"  # type: ignore[attr-defined]
    assert grete.birthday == PartialDate(5, 20, 1985)  # type: ignore[attr-defined]


def test_a_utf8_file_with_a_bom_and_english_headings_imports_without_a_mapping(
    capsys: pytest.CaptureFixture[str], data_dir: Path, services: Services
) -> None:
    file = FIXTURES / "plain_english_bom.csv"
    assert file.read_bytes().startswith(b"\xef\xbb\xbfFirst Name,")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import", str(file), "--format", "json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert (summary["created"], summary["rejected_count"]) == (2, 0)
    assert summary["columns"]["First Name"] == "first_name"
    customers = by_name(services)
    assert customers["Rowan Jones"].birthday == PartialDate(5, 20, 1985)  # type: ignore[attr-defined]
    assert customers["Ann Lee"].birthday == PartialDate(2, 29)  # type: ignore[attr-defined]


def test_a_mapping_given_still_wins(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    file = FIXTURES / "plain_english_bom.csv"
    mapping = json.dumps({"First Name": "first_name", "Last Name": "last_name", "Email": "email"})
    code, out, _err = run(
        capsys, "--data-dir", str(data_dir), "import", str(file), "--mapping", mapping, "--dry-run"
    )
    assert code == 0
    assert "columns: First Name → first_name, Last Name → last_name, Email → email\n" in out


def test_a_heading_careapp_only_guesses_still_asks_for_a_mapping(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    file = tmp_path / "guess.csv"
    file.write_text("First Name,Mobile number here,Shoe size\nAnn,07700 900123,5\n", encoding="utf-8")
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "import", str(file))
    assert code != 0
    assert "does not recognise the columns" in err
