"""Shop settings round-trip through the database and survive unknown keys."""

from __future__ import annotations

import json

import pytest

from careapp.db.database import Database
from careapp.db.models import SettingRecord
from careapp.services.shop.settings import SHOP_KEY, SettingsService, ShopSettings


def test_defaults_then_round_trip(database: Database) -> None:
    service = SettingsService(database)
    assert service.shop() == ShopSettings()
    chosen = ShopSettings("Bean There", "DE", "mar1", ("Sam", "Jo"), True)
    service.save_shop(chosen)
    assert service.shop() == chosen


def test_unknown_keys_from_a_newer_version_are_ignored(database: Database) -> None:
    with database.session() as session:
        session.add(SettingRecord(key=SHOP_KEY, value_json=json.dumps({"shop_name": "X", "future": 1})))
    assert SettingsService(database).shop().shop_name == "X"


def test_feb29_rule_is_checked(database: Database) -> None:
    with pytest.raises(ValueError, match="feb29_observed_on"):
        SettingsService(database).save_shop(ShopSettings(feb29_observed_on="feb30"))
