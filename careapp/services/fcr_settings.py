"""The shop's FCR windows (R and N), kept in the ``setting`` table under the key "fcr".

Only the owner changes them, with a reason; every change is kept in ``setting_audit``.
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
from careapp.domain.fcr import FcrSettings
from careapp.services.staff import Actor, OwnerAction, check_actor, check_owner

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
    )


def read_fcr_settings(session: Session) -> FcrSettings:
    record = session.get(SettingRecord, FCR_KEY)
    return FcrSettings() if record is None else _decode(record.value_json)


class FcrSettingsService:
    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock

    def get(self) -> FcrSettings:
        with self._db.session() as session:
            return read_fcr_settings(session)

    def save(self, actor: Actor, settings: FcrSettings, reason: str) -> FcrSettings:
        """Save new windows (FcrSettings itself checks 1..30 days). Owner only; the reason is kept."""
        if not reason.strip():
            raise ValueError("Give a reason for changing the FCR windows; it is kept in the audit trail.")
        value = json.dumps(asdict(settings))
        with self._db.session() as session:
            check_actor(session, actor)
            check_owner(session, actor, OwnerAction.CHANGE_FCR_SETTINGS)
            record = session.get(SettingRecord, FCR_KEY)
            old = json.dumps(asdict(FcrSettings())) if record is None else record.value_json
            if record is None:
                session.add(SettingRecord(key=FCR_KEY, value_json=value, version=1))
            else:
                record.value_json = value
                record.version += 1
            session.add(
                SettingAuditRecord(
                    key=FCR_KEY, at=self._clock(), by=actor.name, old_json=old, new_json=value, reason=reason
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
