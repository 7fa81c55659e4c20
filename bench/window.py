"""What a person waits for at the window (each start a new process, offscreen, careapp's real start
through ``careapp.app.run_gui``; see bench/window_child.py):

- time to a usable window (the customer list and the care queue from the database, actions enabled)
  beside the frame's first paint: on an empty data folder (the very first start), at N customers on
  the same day (daily backup already taken, touches already refreshed), and on the first start of a
  new day (clock a day on: the daily backup, the new day's refresh behind the window, no saved copy of
  the queue for that day);
- responsiveness for the first WATCH seconds on the page the app opens on (the Care queue): the
  longest pause between two 10 ms timer ticks and the p95 pause, and the peak RSS with that page shown,
  on the same day and on a new day.

Baselines: a bare PySide6 QMainWindow's first paint (new process), and the same 10 ms timer in a bare
window for the same time (what the machine's load alone costs).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.children import child_env, read_times, run, scratch_home
from bench.common import Figure, below

HERE = Path(__file__).parent
SNAPSHOT_FILE = "care-queue-snapshot.json"


def _bare_paint(home: Path) -> float:
    out = home / "bare-times.txt"
    start = time.time()
    done = run([sys.executable, str(HERE / "bare_window.py"), str(out)], child_env(home, bytecode=True))
    if done.returncode != 0:
        raise RuntimeError(f"the bare window failed: {done.stderr[-2000:]}")
    return read_times(out)["first_paint"] - start


def _bare_ticks(home: Path, seconds: float) -> dict[str, float]:
    command = [sys.executable, str(HERE / "bare_window.py"), "--ticks", str(seconds)]
    done = run(command, child_env(home, bytecode=True))
    return {k: float(v) for k, v in (line.split() for line in done.stdout.splitlines())}


def _start(home: Path, data_dir: Path, watch: float = 0, days_ahead: int = 0) -> dict[str, float]:
    """One careapp start; the child's times are made relative to the moment the process was started."""
    out = home / "window-times.txt"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.window_child",
        str(data_dir),
        str(out),
        str(watch),
        str(days_ahead),
    ]
    start = time.time()
    done = run(command, child_env(home, bytecode=True))
    if not out.exists():
        raise RuntimeError(f"careapp did not become usable (exit {done.returncode}): {done.stderr[-2000:]}")
    times = read_times(out)
    for name in ("first_paint", "usable", "refreshed", "fresh_queue", "list", "queue", "services"):
        if name in times:
            times[name] -= start
    return times


def _welcome_done(folder: Path) -> None:
    """The shop went through the first-run welcome, as a shop with customers has: the demo database is
    filled by the command line, which never shows it, so without this every start at N customers built
    and showed the welcome (0.13-0.25 s of the UI thread), which no such shop sees. The very first start
    is the empty-folder figure."""
    import dataclasses

    from careapp.config import resolve_paths
    from careapp.context import build_services

    services = build_services(resolve_paths(str(folder)), daily_backup=False)
    try:
        shop = services.settings.shop()
        services.settings.save_shop(dataclasses.replace(shop, welcome_done=True), None, "bench")
    finally:
        services.close()


def _new_day_folder(warmed: Path) -> Path:
    """A copy of a folder started today, without the queue's saved copy (it is from yesterday then)."""
    folder = Path(tempfile.mkdtemp(prefix="careapp-bench-newday-"))
    for item in warmed.iterdir():
        if item.name == SNAPSHOT_FILE:
            continue
        if item.is_dir():
            shutil.copytree(item, folder / item.name)
        else:
            shutil.copy2(item, folder / item.name)
    return folder


def _starts(home: Path, runs: int, folder_for_run, days_ahead: int, label: str, log) -> dict[str, float]:
    paints, usable = [], []
    for number in range(runs):
        folder = folder_for_run()
        try:
            times = _start(home, folder, days_ahead=days_ahead)
        finally:
            if days_ahead or label == "empty":
                shutil.rmtree(folder, ignore_errors=True)
        paints.append(times["first_paint"])
        usable.append(times["usable"])
        log(
            f"  {label} run {number + 1}: first paint {paints[-1]:.3f} s, usable {usable[-1]:.3f} s "
            f"(services {times.get('services', 0):.2f} s, list {times.get('list', 0):.2f} s, "
            f"queue {times.get('queue', 0):.2f} s)"
        )
    return {"first_paint": statistics.median(paints), "usable": statistics.median(usable)}


def measure(big: Path, work: Path, runs: int, watch: float, customers: int, log=print) -> list[Figure]:
    """``big``: the demo database; ``work``: a scratch folder for the data folders."""
    home = scratch_home()
    warmed = work / "same-day"
    warmed.mkdir()
    shutil.copyfile(big, warmed / big.name)
    _welcome_done(warmed)
    log("  warming up: one start of the bare window and of careapp (today's backup and refresh)")
    _bare_paint(home)
    _start(home, warmed, watch=0)
    bare = statistics.median(_bare_paint(home) for _ in range(runs))
    log(f"  bare window first paint {bare:.3f} s")
    empty = _starts(
        home, runs, lambda: Path(tempfile.mkdtemp(prefix="careapp-bench-empty-")), 0, "empty", log
    )
    same = _starts(home, runs, lambda: warmed, 0, "same day", log)
    new = _starts(home, max(1, min(runs, 3)), lambda: _new_day_folder(warmed), 1, "new day", log)
    figures = []
    n = f"{customers:,}"
    for label, got, limit in (
        ("empty database", empty, None),
        (f"{n} customers, same day", same, 1.0),
        (f"{n} customers, first start of a new day", new, 1.5),
    ):
        figures.append(
            Figure(
                f"window: first paint, {label}",
                got["first_paint"],
                baseline=bare,
                baseline_name="bare QMainWindow first paint",
            )
        )
        usable = Figure(
            f"window: usable (list and queue from the database, actions on), {label}",
            got["usable"],
            baseline=bare,
            baseline_name="bare QMainWindow first paint",
        )
        if limit is not None:
            usable.target, usable.passed = f"<= {limit:g} s", got["usable"] <= limit
        figures.append(usable)
    figures += _responsiveness(home, warmed, watch, n, log)
    return figures


def _responsiveness(home: Path, warmed: Path, watch: float, n: str, log) -> list[Figure]:
    bare = _bare_ticks(home, watch)
    log(f"  bare window, {watch:g} s of 10 ms ticks: longest pause {bare['pause_max'] * 1000:.0f} ms")
    figures = []
    for label, days in (("same day", 0), ("first start of a new day", 1)):
        folder = warmed if days == 0 else _new_day_folder(warmed)
        try:
            got = _start(home, folder, watch=watch, days_ahead=days)
        finally:
            if days:
                shutil.rmtree(folder, ignore_errors=True)
        fresh = got.get("fresh_queue")
        log(
            f"  {label}, {watch:g} s on the Care queue page: longest pause {got['pause_max'] * 1000:.0f} ms, "
            f"p95 {got['pause_p95'] * 1000:.1f} ms, peak RSS {got['rss_kb'] / 1024:.0f} MB"
            + (f", refreshed queue at {fresh:.1f} s" if fresh else "")
            + f"; the longest ended {got['pause_max_ended']:.2f} s after the first paint"
        )
        page = "" if got.get("on_queue_page") else " (NOT on the queue page at the end)"
        note = f"usable at {got['usable']:.2f} s" + (
            f"; refreshed queue shown at {fresh:.1f} s" if fresh else ""
        )
        figures += [
            below(
                f"window: longest pause in the first {watch:g} s, Care queue page, {n} customers, "
                f"{label}{page}",
                got["pause_max"],
                0.100,
                baseline=bare["pause_max"],
                baseline_name="bare window, same timer",
                note=note,
            ),
            Figure(
                f"window: p95 pause in the first {watch:g} s, Care queue page, {n} customers, {label}",
                got["pause_p95"],
                baseline=bare["pause_p95"],
                baseline_name="bare window, same timer",
            ),
            below(
                f"window: peak RSS with the Care queue page shown, {n} customers, {label}",
                got["rss_kb"] / 1024,
                400,
                unit="MB",
                baseline=bare["rss_kb"] / 1024,
                baseline_name="bare QMainWindow",
            ),
        ]
    return figures
