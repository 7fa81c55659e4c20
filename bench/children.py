"""Running the app and the baselines as child processes, offscreen, away from the user's settings."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 600


def child_env(home: Path, bytecode: bool = False, **extra: str) -> dict[str, str]:
    """Offscreen Qt, settings and logs in ``home``, no real keyring.

    No ``.pyc`` files are written unless ``bytecode``: the start-up benchmark wants them, as a user's
    second start has them (Python writes them on the first; pip and PyInstaller ship them).
    """
    env = dict(os.environ)
    for name in ("CAREAPP_DATA_DIR", "CAREAPP_DATABASE_URL", "CAREAPP_SMOKE_TEST", "CAREAPP_BENCH_TIMES"):
        env.pop(name, None)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE")
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    env.update(extra)
    return env


def scratch_home() -> Path:
    return Path(tempfile.mkdtemp(prefix="careapp-bench-home-"))


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)


def read_times(path: Path) -> dict[str, float]:
    times = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition(" ")
        times[name] = float(value)
    return times
