"""Start-up: process start to the main window's first paint and to the care queue populated, against a
bare PySide6 QMainWindow that quits after its first paint (the median of several runs of each)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench.children import child_env, read_times, run, scratch_home
from bench.common import Figure, below, within_ratio

BARE = Path(__file__).with_name("bare_window.py")


def _bare_once(home: Path) -> float:
    out = home / "bare-times.txt"
    start = time.time()
    done = run([sys.executable, str(BARE), str(out)], child_env(home, bytecode=True))
    if done.returncode != 0:
        raise RuntimeError(f"the bare window failed: {done.stderr[-2000:]}")
    return read_times(out)["first_paint"] - start


def _app_once(home: Path, data_dir: Path) -> dict[str, float]:
    out = home / "app-times.txt"
    out.unlink(missing_ok=True)
    env = child_env(home, bytecode=True, CAREAPP_SMOKE_TEST="1", CAREAPP_BENCH_TIMES=str(out))
    start = time.time()
    done = run([sys.executable, "-m", "careapp", "--data-dir", str(data_dir)], env)
    times = read_times(out) if out.exists() else {}
    if "queue" not in times:
        raise RuntimeError(f"careapp did not start (exit {done.returncode}): {done.stderr[-2000:]}")
    return {name: moment - start for name, moment in times.items()}


def measure(data_dir: Path, runs: int, log=print) -> list[Figure]:
    home = scratch_home()
    # The warm-up also writes the .pyc files a user's first start writes (see child_env).
    log("  warming up (one start of each, not counted)")
    _bare_once(home)
    _app_once(home, data_dir)
    bare, paint, pages, listed, queue = [], [], [], [], []
    for number in range(runs):
        bare.append(_bare_once(home))
        times = _app_once(home, data_dir)
        paint.append(times["first_paint"])
        pages.append(times["pages"])
        listed.append(times["list"])
        queue.append(times["queue"])
        log(
            f"  run {number + 1}: bare {bare[-1]:.3f} s, first paint {paint[-1]:.3f} s, "
            f"pages {pages[-1]:.3f} s, "
            f"list {listed[-1]:.2f} s, queue {queue[-1]:.2f} s"
        )
    bare_median = statistics.median(bare)
    return [
        within_ratio(
            "start-up: first paint",
            statistics.median(paint),
            bare_median,
            1.5,
            baseline_name="bare QMainWindow first paint",
        ),
        below(
            "start-up: care queue populated",
            statistics.median(queue),
            1.0,
            baseline=bare_median,
            baseline_name="bare QMainWindow first paint",
        ),
        Figure(
            "start-up: pages built into the painted frame",
            statistics.median(pages),
            baseline=bare_median,
            baseline_name="bare QMainWindow first paint",
        ),
        Figure(
            "start-up: customer list loaded",
            statistics.median(listed),
            baseline=bare_median,
            baseline_name="bare QMainWindow first paint",
        ),
    ]
