"""The Outbox: every email careapp sends is written here, with its Message-ID, before it is sent.

A message stays until the server accepted it and the touch was marked done. A failure keeps it with
the server's reason; Retry sends the same message with the same Message-ID. One the server already
accepted (careapp stopped before marking the touch done) is never sent again: Retry only finishes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

from careapp.db.database import Database
from careapp.services.shop.settings import lock_setting, read_setting, write_setting

OUTBOX_KEY = "mail_outbox"
State = Literal["sending", "failed", "accepted"]


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    touch_id: int
    customer_id: int
    to: str
    subject: str
    body: str
    state: State = "sending"
    reason: str = ""  # the server's reason, for a failed one


class Outbox:
    """Kept in the database (one setting row), so it survives a crash and is shared by every seat."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def messages(self) -> list[OutboxMessage]:
        with self._db.session() as session:
            stored = read_setting(session, OUTBOX_KEY) or {}
        return [OutboxMessage(**value) for value in stored.values()]

    def get(self, message_id: str) -> OutboxMessage | None:
        return next((m for m in self.messages() if m.message_id == message_id), None)

    def put(self, message: OutboxMessage) -> None:
        self._change(lambda stored: stored.__setitem__(message.message_id, asdict(message)))

    def mark(self, message_id: str, state: State, reason: str = "") -> OutboxMessage | None:
        found = self.get(message_id)
        if found is None:
            return None
        changed = replace(found, state=state, reason=reason)
        self.put(changed)
        return changed

    def remove(self, message_id: str) -> None:
        self._change(lambda stored: stored.pop(message_id, None))

    def _change(self, change: object) -> None:
        with self._db.session() as session:
            lock_setting(session, OUTBOX_KEY)
            stored = dict(read_setting(session, OUTBOX_KEY) or {})
            change(stored)  # type: ignore[operator]
            write_setting(session, OUTBOX_KEY, stored)
