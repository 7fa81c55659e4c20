"""Peak memory (RSS) of the app with the 100,000-customer list open and scrolled to the end, against a
bare PySide6 QMainWindow; each in its own process."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.children import child_env, run, scratch_home
from bench.common import Figure, below

HERE = Path(__file__).parent


def measure(data_dir: Path, log=print) -> list[Figure]:
    home = scratch_home()
    bare = run([sys.executable, str(HERE / "bare_window.py"), "--rss"], child_env(home))
    bare_mb = int(bare.stdout.split()[0]) / 1024
    done = run(
        [sys.executable, "-m", "bench.memory_child", str(data_dir)], child_env(home, CAREAPP_SMOKE_TEST="1")
    )
    values = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    if "rss_kb" not in values:
        raise RuntimeError(f"the memory child failed (exit {done.returncode}): {done.stderr[-2000:]}")
    rss_mb = int(values["rss_kb"]) / 1024
    opened_mb = int(values.get("rss_kb_list_open", "0")) / 1024
    log(
        f"  memory: {rss_mb:.0f} MB with {values.get('rows')} rows, scrolled to the end in "
        f"{values.get('scroll_seconds')} s (peak before scrolling {opened_mb:.0f} MB); "
        f"bare window {bare_mb:.0f} MB"
    )
    return [
        below(
            "peak RSS, 100,000-customer list scrolled to the end",
            rss_mb,
            400,
            unit="MB",
            baseline=bare_mb,
            baseline_name="bare QMainWindow",
            note=f"{values.get('rows')} rows; scrolled in {values.get('scroll_seconds')} s; "
            f"peak before scrolling {opened_mb:.0f} MB",
        )
    ]
