"""Seeing other seats' work: has anyone else changed something since this seat last looked?

Every committed write bumps a counter per area of data (careapp/db/changes.py). :meth:`ChangeService.check`
reads the counters (one tiny query, cheap enough to run every few seconds) and compares them with the
ones seen last time; an area whose counter moved by values this Database did not produce itself was
changed by another seat or process. It works the same on SQLite (two processes on one file) and on
PostgreSQL (several computers on one server).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from careapp.db.changes import AREAS, read_counters
from careapp.db.database import Database


@dataclass(frozen=True)
class ChangeCheck:
    """The counters now, and which areas moved because of someone else since the last look."""

    counters: dict[str, int]
    by_others: frozenset[str] = field(default_factory=frozenset)
    by_us: frozenset[str] = field(default_factory=frozenset)

    @property
    def others_changed(self) -> bool:
        return bool(self.by_others)


class ChangeService:
    """Reads the change counters of one Database; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def counters(self) -> dict[str, int]:
        with self._db.session() as session:
            return read_counters(session)

    def check(self, since: Mapping[str, int] | None) -> ChangeCheck:
        """``since`` is the ``counters`` of the previous check (None on the first: nothing has moved)."""
        now = self.counters()
        if since is None:
            return ChangeCheck(now)
        by_others: set[str] = set()
        by_us: set[str] = set()
        for area in sorted(set(now) | set(since) | set(AREAS)):
            before, after = since.get(area, 0), now.get(area, 0)
            if before == after:
                continue
            own = self._db.changes.own_values(area)
            # Lower than before: the database was replaced (a restore); treat it as someone else's.
            if after > before and all(value in own for value in range(before + 1, after + 1)):
                by_us.add(area)
            else:
                by_others.add(area)
        return ChangeCheck(now, frozenset(by_others), frozenset(by_us))
