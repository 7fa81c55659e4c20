"""``careapp`` opens the window without building the whole parser: the short path must agree with
the full parser on every argument list it accepts, and hand everything else to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from careapp.cli import _NotTheWindow, window_data_dir
from careapp.commands import build_parser

REPO = Path(__file__).resolve().parents[2]

WINDOW_ONLY = [
    [],
    ["gui"],
    ["--data-dir", "/tmp/shop"],
    ["--data-dir=/tmp/shop"],
    ["--data-dir", "/tmp/shop", "gui"],
    ["--data-dir", "/tmp/a", "--data-dir", "/tmp/b"],
    ["--data-dir=", "gui"],
]


@pytest.mark.parametrize("argv", WINDOW_ONLY, ids=lambda argv: " ".join(argv) or "(none)")
def test_the_short_path_reads_what_the_full_parser_reads(argv: list[str]) -> None:
    parsed = build_parser().parse_args(argv)
    assert parsed.command in (None, "gui")
    assert window_data_dir(argv) == parsed.data_dir


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["demo"],
        ["--data-dir", "/tmp/shop", "demo", "--customers", "5"],
        ["gui", "gui"],
        ["--data-dir"],
        ["--data-dir", "--version"],
        ["--colour", "red"],
        ["gui", "extra"],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    with pytest.raises(_NotTheWindow):
        window_data_dir(argv)


def test_opening_the_window_does_not_import_the_commands() -> None:
    code = (
        "import sys\n"
        "import careapp.app\n"
        "from careapp import cli\n"
        "cli.window_data_dir(['--data-dir', '/tmp/x'])\n"
        "print(sorted(m for m in sys.modules if m in ('careapp.commands', 'careapp.cli_connect')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_a_mistake_still_gets_the_full_parsers_message(capsys: pytest.CaptureFixture[str]) -> None:
    from careapp.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--colour"])
    assert exit_info.value.code == 2
    assert "careapp: error: unrecognized arguments: --colour" in capsys.readouterr().err
