"""The command-line baselines, each run as a new process (``python bench/bare_cli.py WHAT ...``): the
bare SQL (or file write) a careapp command stands for, with nothing of careapp but, for .ics, its own
writer. Kept free of careapp imports (but the .ics writer) so the process starts as a bare one does.

- ``fcr DB FIRST LAST``: the FCR cohort aggregate (bench/fcr.py's BARE_SQL);
- ``touches DB HORIZON``: the open touches due up to HORIZON, with the customer's name;
- ``csv DB OUT`` / ``json DB OUT`` / ``vcard DB OUT``: every customer (emails, phones, dates, tags,
  consent answers, referrer; for JSON their purchases too) written with csv.writer,
  json.dump(indent=2), or plain vCard lines;
- ``ics ITEMS.pickle OUT``: careapp's own .ics writer (``feed_bytes``) over items read beforehand;
- ``read-csv FILE``: one csv.reader pass (the import's baseline);
- ``delete DB ID``: DELETE one customer (the erase's baseline);
- ``put URL USER PASSWORD``: one PUT of a minimal event to a CalDAV calendar (the sync's baseline).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would come first on the path and its calendar.py would hide the
# standard library's (which careapp imports): the repository's root instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import csv  # noqa: E402
import json  # noqa: E402
import sqlite3  # noqa: E402
from collections import defaultdict  # noqa: E402

CUSTOMERS = (
    "SELECT c.id, c.first_name, c.last_name, c.company, c.street, c.city, c.postcode, c.country, "
    "c.birthday_month, c.birthday_day, c.notes, c.loyalty_stage, c.tags_text, "
    "(SELECT group_concat(address, '; ') FROM customer_email e WHERE e.customer_id = c.id), "
    "(SELECT group_concat(raw, '; ') FROM customer_phone p WHERE p.customer_id = c.id), "
    "(SELECT group_concat(kind || ' ' || month || '-' || day, '; ') FROM customer_date d "
    "WHERE d.customer_id = c.id), "
    "(SELECT group_concat(channel || ' ' || granted || ' ' || at, '; ') FROM consent_event e "
    "WHERE e.customer_id = c.id), "
    "(SELECT display_name FROM customer r WHERE r.id = c.referred_by_id) "
    "FROM customer c ORDER BY c.sort_name, c.id"
)


def _csv(db: sqlite3.Connection, out: str) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for row in db.execute(CUSTOMERS):
            writer.writerow(["" if cell is None else cell for cell in row])


def _json(db: sqlite3.Connection, out: str) -> None:
    purchases = defaultdict(list)
    for customer_id, *rest in db.execute(
        "SELECT customer_id, id, date, item, category, amount_cents FROM purchase "
        "ORDER BY customer_id, date DESC"
    ):
        purchases[customer_id].append(rest)
    documents = [{"row": list(row), "purchases": purchases.get(row[0], [])} for row in db.execute(CUSTOMERS)]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(documents, handle, indent=2, ensure_ascii=False)


def _vcard(db: sqlite3.Connection, out: str) -> None:
    with open(out, "w", encoding="utf-8", newline="") as handle:
        for row in db.execute(CUSTOMERS):
            handle.write(
                f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{row[0]}\r\nFN:{row[1]} {row[2]}\r\n"
                f"N:{row[2]};{row[1]};;;\r\nEMAIL:{row[13] or ''}\r\nTEL:{row[14] or ''}\r\n"
                f"ADR:;;{row[4]};{row[5]};;{row[6]};{row[7]}\r\n"
                f"NOTE:{row[10]}\r\nEND:VCARD\r\n"
            )


def _put(url: str, user: str, password: str) -> None:
    import base64
    import urllib.request

    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:bench-bare\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nSUMMARY:bare\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(
        url.rstrip("/") + "/bench-bare.ics",
        data=body,
        method="PUT",
        headers={"Authorization": f"Basic {auth}", "Content-Type": "text/calendar"},
    )
    urllib.request.urlopen(request, timeout=30).read()


def main(argv: list[str]) -> None:
    what = argv[0]
    if what == "read-csv":
        with open(argv[1], encoding="utf-8", newline="") as handle:
            sum(1 for _ in csv.reader(handle))
        return
    if what == "ics":
        import datetime as dt
        import pickle

        from careapp.exporting.ics_export import feed_bytes

        with open(argv[1], "rb") as handle:
            items, name = pickle.load(handle)
        with open(argv[2], "wb") as handle:
            handle.write(feed_bytes(items, name, dt.datetime.now(dt.UTC)))
        return
    if what == "put":
        _put(*argv[1:4])
        return
    db = sqlite3.connect(argv[1])
    if what == "fcr":
        from bench.fcr import BARE_SQL

        db.execute(BARE_SQL, (argv[2], argv[3])).fetchall()
    elif what == "touches":
        db.execute(
            "SELECT t.id, t.customer_id, t.kind, t.due, t.status, t.payload_json, c.display_name "
            "FROM touch t JOIN customer c ON c.id = t.customer_id "
            "WHERE t.status IN ('open', 'held', 'snoozed') AND coalesce(t.snoozed_until, t.due) <= ?",
            (argv[2],),
        ).fetchall()
    elif what in ("csv", "json", "vcard"):
        {"csv": _csv, "json": _json, "vcard": _vcard}[what](db, argv[2])
    elif what == "delete":
        with db:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("DELETE FROM customer WHERE id = ?", (int(argv[2]),))
    else:
        raise SystemExit(f"unknown baseline {what!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
