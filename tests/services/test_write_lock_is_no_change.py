"""Taking the write lock (a no-op UPDATE of a setting row on SQLite, a named lock and that UPDATE on
PostgreSQL) is not a change: no listener hears it, so the care queue's refresh and the calendar are
not woken by the very reads that take it (a queue read after any change started one more refresh)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from careapp.services.care.touches import write_lock

if TYPE_CHECKING:
    from careapp.context import Services


def test_the_write_lock_wakes_no_listener_and_a_real_change_still_does(services: Services) -> None:
    heard: list[frozenset[str]] = []
    services.touches.refresh()  # the lock's row exists, as it does in a shop after its first refresh
    services.db.changes.add_listener(heard.append)

    with services.db.session() as session:
        write_lock(session)
    services.care_queue.queue()  # a read that brings the plan up to date under the lock

    assert heard == []
    shop = services.settings.shop()
    services.settings.save_shop(dataclasses.replace(shop, shop_name="Corner Cafe"), None, "t")
    assert heard and "setting" in set().union(*heard)
