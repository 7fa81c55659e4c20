"""Real servers for the calendar tests, on loopback only, in temp folders, every step under a timeout:
Radicale (CalDAV, htpasswd login) and a private D-Bus session with gnome-keyring's Secret Service."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

USER = "shop"
PASSWORD = "S3cret-pw-4-tests!"


def _unverified() -> ssl.SSLContext:
    """Only for asking "are you up yet?" of the test's own self-signed server."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Radicale:
    """A Radicale process with a plain htpasswd file; its log counts the requests it served."""

    def __init__(self, folder: Path, tls: tuple[Path, Path] | None = None) -> None:
        self.folder = folder
        self.tls = tls
        self.port = free_port()
        self.log_path = folder / "radicale.log"
        (folder / "htpasswd").write_text(f"{USER}:{PASSWORD}\n")
        tls_lines = f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n" if tls else ""
        (folder / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n{tls_lines}"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {folder / 'htpasswd'}\n"
            "htpasswd_encryption = plain\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[logging]\n"
            "level = info\n"
            "mask_passwords = True\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/"

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
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Radicale exited: {self.log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.base, timeout=1, context=_unverified())  # loopback only
                return
            except urllib.error.HTTPError:
                return  # it answered (401/403 is fine)
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("Radicale did not start within 20 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def make_calendar(self) -> None:
        import caldav

        client = caldav.DAVClient(url=self.base, username=USER, password=PASSWORD, timeout=10)
        client.principal().make_calendar(name="Care", cal_id="care")

    def requests(self) -> Counter[str]:
        """Requests Radicale answered, by method ("PUT", "DELETE", ...), from its own log.

        A 401 is left out: it is the login challenge, after which the client asks again with the
        password (counted then)."""
        text = self.log_path.read_text(errors="replace")
        found = re.findall(r"\b([A-Z]+) response status for '[^']*'[^\n]*?: (\d{3})", text)
        return Counter(method for method, status in found if status != "401")

    def objects(self) -> dict[str, str]:
        """The calendar's objects as stored on disk: file name -> iCalendar text."""
        folder = self.folder / "collections" / "collection-root" / USER / "care"
        return {p.name: p.read_text() for p in sorted(folder.glob("*.ics"))}


@contextlib.contextmanager
def secret_service(home: Path) -> Iterator[dict[str, str]]:
    """A private session bus with gnome-keyring's Secret Service, unlocked, its files under ``home``.

    Yields the environment to use (DBUS_SESSION_BUS_ADDRESS and the XDG folders); the caller sets it.
    Stopping the bus ends gnome-keyring-daemon too (it leaves with its session).
    """
    runtime = home / "run"
    runtime.mkdir(mode=0o700, parents=True)
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    base_env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"} | env
    started = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        timeout=15,
        env=base_env,
        check=True,
    )
    address, pid = started.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=b"keyring-unlock-pw",
            capture_output=True,
            timeout=15,
            env=base_env | env,
            check=True,
        )
        yield env
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), 15)
