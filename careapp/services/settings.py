"""Shop-wide settings kept in the database, so every seat sees the same ones."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from careapp.db.database import Database
from careapp.db.models import SettingRecord

SHOP_KEY = "shop"
FEB29_CHOICES = ("feb28", "mar1")


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
    def __init__(self, db: Database) -> None:
        self._db = db

    def shop(self) -> ShopSettings:
        with self._db.session() as session:
            record = session.get(SettingRecord, SHOP_KEY)
            if record is None:
                return ShopSettings()
            stored = json.loads(record.value_json)
        known = {f.name for f in fields(ShopSettings)}
        values = {k: v for k, v in stored.items() if k in known}
        if "staff_names" in values:
            values["staff_names"] = tuple(values["staff_names"])
        return ShopSettings(**values)

    def save_shop(self, settings: ShopSettings) -> None:
        with self._db.session() as session:
            record = session.get(SettingRecord, SHOP_KEY)
            if settings.feb29_observed_on not in FEB29_CHOICES:
                raise ValueError(f"feb29_observed_on must be one of {FEB29_CHOICES}")
            value = json.dumps(asdict(settings))
            if record is None:
                session.add(SettingRecord(key=SHOP_KEY, value_json=value, version=1))
            else:
                record.value_json = value
                record.version += 1
