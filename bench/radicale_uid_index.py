"""Radicale's own file storage with the one change the 10,000-item benchmark needs: a UID index.

Why: before it stores a PUT to a name that is not there yet, Radicale checks that no other object in
the calendar has the same UID (RFC 4791 5.3.2.1, ``no-uid-conflict``). Radicale 3.9's file storage does
not override ``BaseCollection.has_uid``, which loads every object of the calendar (a file read, a hash
and an unpickled cache entry each, about 0.1 ms per object here) for every new object. So a calendar of
n objects filled one PUT at a time costs O(n^2): at 2,000 objects a PUT takes 170 ms, and filling 10,000
took 2,469 s, for careapp and for bare PUTs alike. No Radicale setting turns the scan off
(``use_mtime_and_size_for_item_cache`` only makes each object a little cheaper).

Servers people sync with keep the UID in an index (Nextcloud/sabre's ``calendarobjects.uid`` column);
this storage does the same in memory: built from one full read the first time a calendar is checked,
then kept up to date by every upload and delete of this server process. The second per-PUT scan,
sweeping the history of deleted objects, runs on deletes only (see ``_clean_history``). Everything else
(the files, their cache, the history, the locks, fsync, the 409 on a UID already there) is Radicale's
own code.

Used by ``bench/radicale_server.py`` as ``[storage] type = bench.radicale_uid_index``, for careapp's sync
and for the bare-PUT baseline alike (same server, same settings).
"""

from __future__ import annotations

from typing import Any

from radicale import pathutils
from radicale.storage import multifilesystem


class Collection(multifilesystem.Collection):
    def _uid_index(self) -> dict[str, str]:
        """uid -> href of this calendar's objects; read in full once per server process."""
        indexes: dict[str, dict[str, str]] = self._storage._uid_indexes  # type: ignore[attr-defined]
        index = indexes.get(self.path)
        if index is None:
            index = {item.uid: str(item.href) for item in self.get_all()}
            indexes[self.path] = index
        return index

    def has_uid(self, uid: str) -> bool:
        return uid in self._uid_index()

    def upload(self, href: str, item: Any) -> Any:
        self._in_upload = True
        try:
            uploaded, replaced = super().upload(href, item)
        finally:
            self._in_upload = False
        index = self._storage._uid_indexes.get(self.path)  # type: ignore[attr-defined]
        if index is not None:  # not read yet: it will be, with this object, when first asked
            if replaced is not None:
                index.pop(replaced.uid, None)
            index[uploaded.uid] = href
        return uploaded, replaced

    def _clean_history(self) -> None:
        # The history of deleted objects is swept on deletes, not on every upload: the sweep stats every
        # entry of the calendar's history (the second O(n) per PUT, ~6 us an object), and an upload
        # deletes nothing, so it only postpones removing expired entries to the next delete.
        if not getattr(self, "_in_upload", False):
            super()._clean_history()

    def delete(self, href: str | None = None) -> None:
        super().delete(href)
        indexes: dict[str, dict[str, str]] = self._storage._uid_indexes  # type: ignore[attr-defined]
        if href is None:
            indexes.clear()  # a whole collection went: read again when next asked
            return
        index = indexes.get(self.path)
        if index is not None:
            for uid in [uid for uid, known in index.items() if known == href]:
                del index[uid]


class Storage(multifilesystem.Storage):
    _collection_class = Collection

    def __init__(self, configuration: Any) -> None:
        super().__init__(configuration)
        # Guarded by Radicale's storage lock: every caller of has_uid/upload/delete holds it for writing.
        self._uid_indexes: dict[str, dict[str, str]] = {}

    def create_collection(self, href: str, items: Any = None, props: Any = None) -> Any:
        # A calendar made, or written whole: its own index is read again when asked; the others stand
        # (dropping them all made the next PUT into a 10,000-object calendar read it all again: 2 s).
        self._uid_indexes.pop(pathutils.strip_path(pathutils.sanitize_path(href)), None)
        return super().create_collection(href, items, props)

    def move(self, item: Any, to_collection: Any, to_href: str) -> None:
        self._uid_indexes.clear()
        super().move(item, to_collection, to_href)
