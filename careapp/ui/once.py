"""Run something once: when a signal first comes, or after a wait at the latest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer


def once_signalled_or_after(signal: Any, wait_ms: int, owner: QObject, call: Callable[[], None]) -> None:
    """Call ``call`` once: on ``signal``'s first emission, or ``wait_ms`` later if it has not come
    (a step of the start that must not wait for ever on another). The timer is ``owner``'s."""
    done = False

    def once(*_args: object) -> None:
        nonlocal done
        if not done:
            done = True
            call()

    signal.connect(once, Qt.ConnectionType.SingleShotConnection)
    QTimer.singleShot(wait_ms, owner, once)
