"""The headless commands, run as a user would (in-process, plus one real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from careapp import __version__
from careapp.cli import main
from careapp.config import resolve_paths


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_from_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "careapp", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"careapp {__version__}"


def test_data_dir_option_beats_environment(tmp_path: Path) -> None:
    env = {"CAREAPP_DATA_DIR": str(tmp_path / "env")}
    assert resolve_paths(None, env).data_dir == tmp_path / "env"
    assert resolve_paths(str(tmp_path / "opt"), env).data_dir == tmp_path / "opt"
    assert resolve_paths(None, env).database_url == f"sqlite:///{tmp_path / 'env' / 'careapp.db'}"
    url_env = {**env, "CAREAPP_DATABASE_URL": "postgresql+psycopg://shop@db/care"}
    assert resolve_paths(None, url_env).database_url == "postgresql+psycopg://shop@db/care"


def test_demo_is_deterministic_for_a_seed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    exports = []
    for name in ("a", "b"):
        folder = tmp_path / name
        code, out, _ = run(capsys, "--data-dir", str(folder), "demo", "--customers", "40", "--seed", "7")
        assert code == 0 and "Added 40 demo customers" in out
        target = folder / "out.json"
        assert run(capsys, "--data-dir", str(folder), "export", "customers", str(target))[0] == 0
        exports.append(json.loads(target.read_text(encoding="utf-8")))
    assert exports[0] == exports[1]
    assert len(exports[0]) == 40
    birthdays = [c["birthday"] for c in exports[0] if c["birthday"]]
    assert birthdays and all(set(b) == {"month", "day", "year"} for b in birthdays)
    assert any(b["year"] is None for b in birthdays)


def test_export_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = str(tmp_path / "d")
    run(capsys, "--data-dir", folder, "demo", "--customers", "5", "--seed", "1")
    code, out, _ = run(capsys, "--data-dir", folder, "export", "customers", str(tmp_path / "c.vcf"))
    assert code == 0 and "(vcard)" in out
    assert (tmp_path / "c.vcf").read_text(encoding="utf-8").count("BEGIN:VCARD") == 5
    code, out, _ = run(
        capsys, "--data-dir", folder, "export", "customers", str(tmp_path / "c.txt"), "--format", "csv"
    )
    assert code == 0
    assert len((tmp_path / "c.txt").read_text(encoding="utf-8").strip().splitlines()) == 6


def test_import_dry_run_json_lists_rejected_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text(
        "First Name,Last Name,Email,Accepts Email Marketing,Phone,Tags\n"
        "Ann,Evans,ann@example.com,yes,,coffee\n"
        "Bob,Bad,not-an-email,no,,\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "--data-dir", str(tmp_path / "d"), "import", str(csv_path), "--dry-run", "--format", "json"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["dry_run"] is True and summary["created"] == 1
    assert [r["line"] for r in summary["rejected"]] == [3]
    assert "not-an-email" in summary["rejected"][0]["reason"]
    code, out, _ = run(
        capsys, "--data-dir", str(tmp_path / "d"), "export", "customers", str(tmp_path / "x.json")
    )
    assert "Exported 0 customers" in out


def test_unknown_csv_asks_for_a_mapping(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_path = tmp_path / "till.csv"
    csv_path.write_text("Kundenname;E-Post;Stadt\nAnn Evans;ann@example.com;Köln\n", encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "import", str(csv_path))
    assert code == 2 and "mapping" in err.lower()
    mapping = json.dumps({"Kundenname": "full_name", "E-Post": "email", "Stadt": "city"})
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(tmp_path / "d"),
        "import",
        str(csv_path),
        "--mapping",
        mapping,
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["created"] == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("header-only.csv", b"First Name,Last Name,Email\n"),
    ],
)
def test_unusable_files_give_a_clear_message_and_write_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "import", str(path))
    assert code == 2
    assert err.startswith("careapp: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_missing_file_is_explained(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "import", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv" in err


def test_main_py_runs_the_same_cli(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, str(root / "main.py"), "--data-dir", str(tmp_path), "demo", "--customers", "3"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "careapp.db").stat().st_mode & 0o077 == 0
