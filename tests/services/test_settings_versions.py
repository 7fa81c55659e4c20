"""Shop settings, FCR windows and care settings refuse a stale copy: who and when, and the stored value.

Each setting is read with its version; a save that hands back an older version than the stored one
is refused with "<What> were changed by <who> at <time>" and the value as stored, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from careapp.context import Services
from careapp.domain.care_queue import CareSettings
from careapp.domain.fcr import FcrSettings
from careapp.services.shop.settings import ShopSettings, StaleSettings, Versioned
from careapp.services.shop.staff import Actor

NOW = dt.datetime(2026, 11, 23, 9, 30)


@dataclass(frozen=True)
class Kind:
    """One of the three settings, seen the same way: read, save as someone, and two different edits."""

    what: str
    read: Callable[[Services], Versioned[Any]]
    save: Callable[[Services, Any, int | None, str], Any]
    first: Callable[[Any], Any]
    second: Callable[[Any], Any]


SHOP = Kind(
    "The shop settings",
    lambda s: s.settings.shop_versioned(),
    lambda s, value, version, who: s.settings.save_shop(value, version, who),
    lambda v: replace(v, shop_name="Bean There"),
    lambda v: replace(v, default_region="DE"),
)
FCR = Kind(
    "The FCR windows",
    lambda s: s.fcr_settings.get_versioned(),
    lambda s, value, version, who: s.fcr_settings.save(Actor(who), value, "busier weeks", version),
    lambda v: replace(v, reopen_window_days=3),
    lambda v: replace(v, repeat_window_days=14),
)
CARE = Kind(
    "The care settings",
    lambda s: s.touches.care_settings_versioned(),
    lambda s, value, version, who: s.touches.save_care_settings(Actor(who), value, "quieter", version),
    lambda v: replace(v, marketing_cap=1),
    lambda v: replace(v, timezone="Europe/Berlin"),
)
KINDS = pytest.mark.parametrize("kind", [SHOP, FCR, CARE], ids=["shop", "fcr", "care"])


@KINDS
def test_a_stale_copy_is_refused_with_who_when_and_the_stored_value(
    kind: Kind, services: Services, clock: list[dt.datetime]
) -> None:
    clock[0] = NOW
    copy = kind.read(services)
    assert copy.version == 0 and copy.changed_by == ""
    ann = kind.first(copy.value)
    kind.save(services, ann, copy.version, "Ann")
    clock[0] = NOW + dt.timedelta(minutes=5)
    bob = kind.second(copy.value)
    with pytest.raises(StaleSettings) as refused:
        kind.save(services, bob, copy.version, "Bob")
    assert str(refused.value).startswith(
        f"{kind.what} were changed by Ann at 2026-11-23 09:30 while you were editing;"
    )
    assert refused.value.current == Versioned(ann, 1, "Ann", NOW)
    assert kind.read(services) == Versioned(ann, 1, "Ann", NOW)  # Bob's save changed nothing


@KINDS
def test_a_fresh_copy_saves_and_moves_the_version_on(
    kind: Kind, services: Services, clock: list[dt.datetime]
) -> None:
    clock[0] = NOW
    initial = kind.read(services).value
    kind.save(services, kind.first(initial), 0, "Ann")
    clock[0] = NOW + dt.timedelta(minutes=1)
    copy = kind.read(services)
    both = kind.second(copy.value)
    kind.save(services, both, copy.version, "Bob")
    stored = kind.read(services)
    assert stored == Versioned(both, 2, "Bob", NOW + dt.timedelta(minutes=1))
    assert stored.value == kind.second(kind.first(initial)) != initial  # both edits kept


@KINDS
def test_no_version_means_no_check(kind: Kind, services: Services) -> None:
    kind.save(services, kind.first(kind.read(services).value), None, "Ann")
    kind.save(services, kind.second(kind.read(services).value), None, "Bob")
    assert kind.read(services).version == 2


def test_the_shop_settings_defaults_read_as_version_0(services: Services) -> None:
    assert services.settings.shop_versioned() == Versioned(ShopSettings(), 0)
    assert services.fcr_settings.get_versioned().value == FcrSettings()
    assert isinstance(services.touches.care_settings_versioned().value, CareSettings)
