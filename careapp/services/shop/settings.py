"""Shop-wide settings kept in the database, so every seat sees the same ones.

Every setting row carries a version. A screen reads a setting with its version
(:class:`Versioned`) and hands the version back when saving; if another seat saved in between,
the save raises :class:`StaleSettings` (who, when, and the stored value) and changes nothing.
The helpers here are shared by the shop settings, the FCR windows and the care settings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from careapp.clock import utc_now
from careapp.db.database import Database
from careapp.db.locks import lock_named
from careapp.db.models import SettingAuditRecord, SettingRecord

SHOP_KEY = "shop"
FEB29_CHOICES = ("feb28", "mar1")
# Every settings and touch-rule save queues on this one lock (see :mod:`careapp.db.locks`).
SETTINGS_LOCK = "careapp: settings and touch rules"

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A setting as read, with its version (0: never saved) and who saved it last, and when."""

    value: T
    version: int
    changed_by: str = ""
    changed_at: dt.datetime | None = None


class StaleSettings(Exception):
    """Someone saved the setting after this copy was read; ``current`` is it as stored now."""

    def __init__(self, what: str, current: Versioned[Any]) -> None:
        who = current.changed_by or "someone"
        when = current.changed_at.strftime("%Y-%m-%d %H:%M") if current.changed_at else "an unknown time"
        super().__init__(
            f"{what} were changed by {who} at {when} while you were editing; "
            "look at them again and save your change again if it is still needed."
        )
        self.what = what
        self.current = current


def lock_setting(session: Session, key: str) -> None:
    """Hold the write lock for ``key`` until commit, before its version is read: the named lock
    covers a first save (no row yet), the no-op UPDATE locks the row on PostgreSQL and the file on
    SQLite (see :mod:`careapp.db.locks`)."""
    lock_named(session, SETTINGS_LOCK)
    session.execute(
        update(SettingRecord)
        .where(SettingRecord.key == key)
        .values(version=SettingRecord.version)
        .execution_options(synchronize_session=False)
    )


def write_setting(session: Session, key: str, value: Any) -> tuple[str, str]:
    """Store ``value`` as JSON under ``key``; returns (old JSON, new JSON) for the audit."""
    new_json = json.dumps(value, sort_keys=True)
    lock_named(session, SETTINGS_LOCK)  # the row may not exist yet (a setting saved the first time)
    record = session.get(SettingRecord, key, with_for_update=True)
    if record is None:
        session.add(SettingRecord(key=key, value_json=new_json, version=1))
        return "", new_json
    old_json = record.value_json
    record.value_json = new_json
    record.version += 1
    return old_json, new_json


def read_setting(session: Session, key: str) -> Any:
    record = session.get(SettingRecord, key)
    return json.loads(record.value_json) if record is not None else None


def read_versioned(session: Session, key: str, decode: Callable[[str | None], T]) -> Versioned[T]:
    """The setting under ``key`` decoded (``decode(None)``: never saved), its version, and who saved
    it last and when (the latest audit row for the key; empty when there is none)."""
    record = session.get(SettingRecord, key, populate_existing=True)
    last = session.execute(
        select(SettingAuditRecord.by, SettingAuditRecord.at)
        .where(SettingAuditRecord.key == key)
        .order_by(SettingAuditRecord.id.desc())
        .limit(1)
    ).first()
    return Versioned(
        decode(None if record is None else record.value_json),
        0 if record is None else record.version,
        last.by if last else "",
        last.at if last else None,
    )


def check_version(current: Versioned[Any], expected_version: int | None, what: str) -> None:
    """Raise :class:`StaleSettings` when the stored version moved on from ``expected_version``
    (None: no check, for saves without an earlier read)."""
    if expected_version is not None and expected_version != current.version:
        raise StaleSettings(what, current)


def decode_shop(value_json: str | None) -> ShopSettings:
    if value_json is None:
        return ShopSettings()
    stored = json.loads(value_json)
    known = {f.name for f in fields(ShopSettings)}
    values = {k: v for k, v in stored.items() if k in known}
    if "staff_names" in values:
        values["staff_names"] = tuple(values["staff_names"])
    return ShopSettings(**values)


@dataclass(frozen=True)
class ShopSettings:
    shop_name: str = "My shop"
    # ISO 3166 country used for phone numbers typed without a country code.
    default_region: str = "GB"
    # Where 29 February birthdays are observed in other years: "feb28" or "mar1".
    feb29_observed_on: str = "feb28"
    # Who works in the shop; the first-run welcome fills it (staff roles come with tickets).
    staff_names: tuple[str, ...] = ()
    # Set once the first-run welcome has been completed or dismissed.
    welcome_done: bool = False


class SettingsService:
    """The shop settings. ``clock`` dates the audit rows (who changed the settings, and when)."""

    WHAT = "The shop settings"

    def __init__(self, db: Database, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self._db = db
        self._clock = clock

    def shop(self) -> ShopSettings:
        return self.shop_versioned().value

    def shop_versioned(self) -> Versioned[ShopSettings]:
        """The settings with the version to hand back to :meth:`save_shop`."""
        with self._db.session() as session:
            return read_versioned(session, SHOP_KEY, decode_shop)

    def save_shop(
        self, settings: ShopSettings, expected_version: int | None = None, by: str = ""
    ) -> Versioned[ShopSettings]:
        """Save the settings; ``by`` is kept in the audit trail.

        ``expected_version`` is that of the copy the edit was made on; if another seat saved since,
        :class:`StaleSettings` is raised and nothing changes. None skips the check: only for saves
        with no earlier read (the first-run welcome, tests and scripts).
        """
        if settings.feb29_observed_on not in FEB29_CHOICES:
            raise ValueError(f"feb29_observed_on must be one of {FEB29_CHOICES}")
        with self._db.session() as session:
            lock_setting(session, SHOP_KEY)
            current = read_versioned(session, SHOP_KEY, decode_shop)
            check_version(current, expected_version, self.WHAT)
            old, new = write_setting(session, SHOP_KEY, asdict(settings))
            now = self._clock()
            session.add(SettingAuditRecord(key=SHOP_KEY, at=now, by=by, old_json=old, new_json=new))
        return Versioned(settings, current.version + 1, by, now)
