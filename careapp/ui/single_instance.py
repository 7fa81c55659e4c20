"""One careapp per user and data folder: a second launch brings the first window forward.

The first careapp listens on a local socket (a Unix socket, or a named pipe on Windows) whose
name holds the user's name and a hash of the data folder, so two data folders can be open side
by side. A second launch connects, says "raise" and exits; the first raises its window.
A crash leaves a stale socket file behind on Unix: when nobody answers on it, it is removed.
"""

from __future__ import annotations

import getpass
import logging
import re
import zlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

RAISE = b"raise\n"
CONNECT_TIMEOUT_MS = 500
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


def server_name(data_dir: Path, user: str | None = None) -> str:
    """``careapp-<user>-<8 hex digits of the data folder's CRC-32>``: short and file-name safe.

    A checksum, not hashlib: it only has to tell one user's data folders apart, and loading
    hashlib's OpenSSL costs the window's first paint a few milliseconds.
    """
    safe_user = _UNSAFE.sub("_", user if user is not None else _user())[:32] or "user"
    digest = zlib.crc32(str(Path(data_dir).resolve()).encode("utf-8"))
    return f"careapp-{safe_user}-{digest:08x}"


class SingleInstance(QObject):
    """The local-socket handshake. ``activationRequested`` fires when another launch asks."""

    activationRequested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None

    def notify_running(self, timeout_ms: int = CONNECT_TIMEOUT_MS) -> bool:
        """Ask a running careapp to come forward; True if one is listening and was told."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(RAISE)
        told = socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return told

    def listen(self) -> bool:
        """Become the running careapp; False (logged) if the name cannot be taken."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        in_use = QAbstractSocket.SocketError.AddressInUseError
        if not server.listen(self.name) and server.serverError() == in_use:
            # Nobody answered on it (notify_running came first), so it is left over from a crash.
            log.info("removing the stale single-instance socket %s", self.name)
            QLocalServer.removeServer(self.name)
            server.listen(self.name)
        if not server.isListening():
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def is_listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            # Slots on this object, not lambdas: Qt drops them when this object goes, before
            # the server and its sockets are deleted (and a dying socket says "disconnected").
            client.readyRead.connect(self._ready_read)
            client.disconnected.connect(self._client_gone)
            self._read(client)

    def _ready_read(self) -> None:
        client = self.sender()
        if isinstance(client, QLocalSocket):
            self._read(client)

    def _client_gone(self) -> None:
        client = self.sender()
        if isinstance(client, QLocalSocket):
            self._read(client)
            client.deleteLater()

    def _read(self, client: QLocalSocket) -> None:
        while client.canReadLine():
            if bytes(client.readLine().data()) == RAISE:
                self.activationRequested.emit()
