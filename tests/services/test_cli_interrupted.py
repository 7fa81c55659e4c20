"""A command stopped by Ctrl+C, or whose reader stops early (``careapp agenda | head``), ends with a
sentence or quietly: no traceback on the command line, and the database as a transaction left it.
Real processes, real signals and a real pipe."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CAREAPP = [sys.executable, "-m", "careapp"]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    subprocess.run([*CAREAPP, "--data-dir", str(tmp_path), "demo", "--customers", "2000"], check=True)
    agenda = subprocess.Popen(  # 2,000 customers' month: far more than a pipe holds
        [*CAREAPP, "--data-dir", str(tmp_path), "agenda", "--days", "30", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert agenda.stdout is not None and agenda.stderr is not None
    first_line = agenda.stdout.readline()
    agenda.stdout.close()  # as `head -1` does once it has its line
    err = agenda.stderr.read().decode()
    assert agenda.wait(timeout=60) == 128 + signal.SIGPIPE
    assert first_line.startswith(b"Care queue for ")
    assert err == ""


def test_ctrl_c_during_a_long_command_says_so_and_keeps_whole_transactions(tmp_path: Path) -> None:
    database = tmp_path / "careapp.db"
    demo = subprocess.Popen(
        [*CAREAPP, "--data-dir", str(tmp_path), "demo", "--customers", "60000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not database.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into the demo's batches (60,000 customers take far longer than this)
    demo.send_signal(signal.SIGINT)
    out, err = demo.communicate(timeout=60)
    assert demo.returncode == 128 + signal.SIGINT, (out, err)
    assert "Traceback" not in err.decode()
    assert "careapp: stopped (Ctrl+C)" in err.decode()
    with sqlite3.connect(database) as connection:
        [(customers,)] = connection.execute("SELECT count(*) FROM customer").fetchall()
    assert customers % 5000 == 0  # whole batches of the demo (each one transaction), none half-written
    reopened = subprocess.run(
        [*CAREAPP, "--data-dir", str(tmp_path), "staff", "list"], capture_output=True, text=True, check=False
    )
    assert reopened.returncode == 0, reopened.stderr
