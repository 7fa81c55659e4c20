"""A throwaway Radicale (CalDAV) server on loopback for the sync benchmark; its log counts requests.

By default it stores with ``bench.radicale_uid_index`` (Radicale's file storage plus a UID index; see
that module for why: without it, every new object costs a read of the whole calendar). careapp's sync
and the bare-PUT baseline always run against the same server with the same settings.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
USER = "shop"
PASSWORD = "bench-password"


def _with_repo_on_path() -> dict[str, str]:
    """The environment with the repository on PYTHONPATH, so Radicale can import bench.radicale_uid_index."""
    paths = [str(REPO), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Radicale:
    def __init__(self, folder: Path, uid_index: bool = True) -> None:
        self.folder = folder
        self.port = _free_port()
        self.log_path = folder / "radicale.log"
        (folder / "htpasswd").write_text(f"{USER}:{PASSWORD}\n")
        (folder / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'htpasswd'}\n"
            "htpasswd_encryption = plain\n"
            "[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
            + ("type = bench.radicale_uid_index\n" if uid_index else "")
            + "[logging]\nlevel = info\nmask_passwords = True\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def calendar_url(self) -> str:
        return f"{self.base}{USER}/care/"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            env=_with_repo_on_path(),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Radicale exited: {self.log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.base, timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answered
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("Radicale did not start within 30 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def make_calendar(self, name: str = "care") -> str:
        """A new calendar of USER called ``name``; its address."""
        import caldav

        client = caldav.DAVClient(url=self.base, username=USER, password=PASSWORD, timeout=30)
        client.principal().make_calendar(name=name.title(), cal_id=name)
        return f"{self.base}{USER}/{name}/"

    def requests(self) -> Counter[str]:
        """Requests answered so far, by method (the 401 login challenges left out)."""
        text = self.log_path.read_text(errors="replace")
        found = re.findall(r"\b([A-Z]+) response status for '[^']*'[^\n]*?: (\d{3})", text)
        return Counter(method for method, status in found if status != "401")
