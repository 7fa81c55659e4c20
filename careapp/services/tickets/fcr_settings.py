"""The shop's FCR windows (R and N), kept in the ``setting`` table under the key "fcr".

Only the owner changes them, with a reason; every change is kept in ``setting_audit``, which is also
where a report reads which windows were in force when (:func:`read_windows_history`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import SettingAuditRecord, SettingRecord
from careapp.domain.fcr import FcrSettings, WindowsHistory, WindowsInForce
from careapp.services.shop.settings import (
    Versioned,
    check_version,
    lock_setting,
    read_versioned,
    write_setting,
)
from careapp.services.shop.staff import Actor, OwnerAction, check_actor, check_owner

FCR_KEY = "fcr"


@dataclass(frozen=True)
class SettingChange:
    at: dt.datetime
    by: str
    old: FcrSettings
    new: FcrSettings
    reason: str


def _decode(value_json: str) -> FcrSettings:
    stored = json.loads(value_json)
    default = FcrSettings()
    return FcrSettings(
        reopen_window_days=int(stored.get("reopen_window_days", default.reopen_window_days)),
        repeat_window_days=int(stored.get("repeat_window_days", default.repeat_window_days)),
        include_shop_initiated=bool(stored.get("include_shop_initiated", default.include_shop_initiated)),
    )


def _decode_or_default(value_json: str | None) -> FcrSettings:
    return FcrSettings() if value_json is None else _decode(value_json)


def read_fcr_settings(session: Session) -> FcrSettings:
    record = session.get(SettingRecord, FCR_KEY)
    return FcrSettings() if record is None else _decode(record.value_json)


def read_windows_history(
    session: Session, when: Callable[[dt.datetime], dt.datetime] = lambda at: at
) -> WindowsHistory:
    """R and N over time, from the audit trail: the old values of the first change held from the
    start, then each change from the moment it was saved (through ``when``, e.g. to local time). A
    change of the shop-initiated setting alone is no change of the windows. With no change ever saved,
    the stored windows (or the defaults) held all along."""
    statement = (
        select(SettingAuditRecord.at, SettingAuditRecord.old_json, SettingAuditRecord.new_json)
        .where(SettingAuditRecord.key == FCR_KEY)
        .order_by(SettingAuditRecord.at, SettingAuditRecord.id)
    )
    records = session.execute(statement).all()
    if not records:
        return WindowsHistory.of(read_fcr_settings(session))
    first = _decode(records[0].old_json)
    entries = [WindowsInForce(None, first.reopen_window_days, first.repeat_window_days)]
    for at, _old, new_json in records:
        new = _decode(new_json)
        since = when(at)
        if entries[-1].since == since:
            entries.pop()  # two saves at the same instant: the later one is what held from then
        if (entries[-1].reopen_window_days, entries[-1].repeat_window_days) != (
            new.reopen_window_days,
            new.repeat_window_days,
        ):
            entries.append(WindowsInForce(since, new.reopen_window_days, new.repeat_window_days))
    return WindowsHistory(tuple(entries))


class FcrSettingsService:
    WHAT = "The FCR windows"

    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock

    def get(self) -> FcrSettings:
        with self._db.session() as session:
            return read_fcr_settings(session)

    def get_versioned(self) -> Versioned[FcrSettings]:
        """The windows with the version to hand back to :meth:`save`, and who changed them last."""
        with self._db.session() as session:
            return read_versioned(session, FCR_KEY, _decode_or_default)

    def save(
        self, actor: Actor, settings: FcrSettings, reason: str, expected_version: int | None = None
    ) -> FcrSettings:
        """Save new windows (FcrSettings itself checks 1..30 days). Owner only; the reason is kept.

        ``expected_version``: that of the copy the edit was made on (:meth:`get_versioned`); if another
        seat saved since, :class:`~careapp.services.shop.settings.StaleSettings` is raised and nothing
        changes. None skips the check (scripts and tests with no earlier read).
        """
        if not reason.strip():
            raise ValueError("Give a reason for changing the FCR windows; it is kept in the audit trail.")
        with self._db.session() as session:
            check_actor(session, actor)
            check_owner(session, actor, OwnerAction.CHANGE_FCR_SETTINGS)
            lock_setting(session, FCR_KEY)
            check_version(read_versioned(session, FCR_KEY, _decode_or_default), expected_version, self.WHAT)
            old, new = write_setting(session, FCR_KEY, asdict(settings))
            # Never saved before: the history shows the defaults as what was changed.
            old = old or json.dumps(asdict(FcrSettings()))
            session.add(
                SettingAuditRecord(
                    key=FCR_KEY, at=self._clock(), by=actor.name, old_json=old, new_json=new, reason=reason
                )
            )
        return settings

    def history(self) -> list[SettingChange]:
        """Every change to the windows, oldest first."""
        statement = (
            select(SettingAuditRecord)
            .where(SettingAuditRecord.key == FCR_KEY)
            .order_by(SettingAuditRecord.at, SettingAuditRecord.id)
        )
        with self._db.session() as session:
            return [
                SettingChange(r.at, r.by, _decode(r.old_json), _decode(r.new_json), r.reason)
                for r in session.scalars(statement)
            ]
