"""Privacy requests about one customer: export everything careapp knows of them, or erase them.

**Export** (a subject access request): :meth:`PrivacyService.export_customer` collects every row of
every table that belongs to the customer (:data:`SECTIONS`), their calendar items, who referred them
and whom they referred, and the import history that touched them, as plain JSON-ready data;
:meth:`PrivacyService.write_export` writes it to a file readable by the user only (0600).

**Erase** (a right-to-erasure request): :func:`erase_in_session` removes the customer with every row of
:data:`SECTIONS`, their calendar items (the CalDAV state stays, so the next sync deletes the events on
the server), clears other customers' "referred by" and removes their thank-you touches for the
referral, and replaces mentions of the customer's full name, email addresses and phone numbers in
other rows with ``[erased]``. An ``erasure_audit`` row records the id, when, who, why and the counts,
never the personal data (a reason that names the customer is refused). There is no undo and no
snapshot. The caller (:class:`careapp.services.privacy.guard.CustomerGuard`) checks the owner role in the
same transaction, then calls :func:`scrub_free_space` so SQLite's free pages and WAL file no longer hold
the erased bytes (connections run with ``secure_delete``; see careapp/db/database.py).

A table added later with a ``customer_id`` column (or a foreign key chain to the customer) must be
added to :data:`SECTIONS`; tests/privacy/test_privacy_export.py fails until it is
(:func:`uncovered_tables`).

Threading: like every service, blocking calls for a worker thread; each public call is one
transaction (the free-space scrub runs after it, outside any transaction).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import (
    Base,
    CalendarItemRecord,
    ContactRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    ErasureAuditRecord,
    ImportBatchRecord,
    PhoneRecord,
    TouchRecord,
)
from careapp.services.customers.service import CustomerNotFound

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
EXPORT_FORMAT = "careapp customer data export"
EXPORT_VERSION = 1
ERASED = "[erased]"
MAX_REASON = 500

# Every table whose rows belong to one customer (a ``customer_id`` column), with its name in the
# export. Listed in the order the erase deletes them: rows that point at others go first.
SECTIONS: dict[str, str] = {
    "touch_log": "touch_log",
    "touch": "touches",
    "ticket_audit": "ticket_audit",
    "ticket_state_change": "ticket_state_changes",
    "feedback": "feedback",
    "contact": "contacts",
    "ticket": "tickets",
    "customer_stage_change": "stage_changes",
    "consent_event": "consent_events",
    "purchase": "purchases",
    "reward_ledger": "rewards",
    "customer_note": "notes",
    "import_change": "import_changes",
    "customer_email": "emails",
    "customer_phone": "phones",
    "customer_date": "dates",
    "customer_tag": "tags",
}
# Tables with a customer_id that hold no personal data of that customer.
NOT_PERSONAL = frozenset({"erasure_audit"})
# Internal notes that hold nothing but the customer's id for a background job (the care planner's
# list of customers to look at again): nothing to export; an erase removes them last, after the
# triggers that write them have fired for the rows it deleted.
BOOKKEEPING = frozenset({"care_dirty", "care_wake"})  # care_wake: the day to look again
# Worked out from a customer's tickets, nothing of their own: deleted with the tickets (an FCR verdict,
# careapp/services/tickets/fcr_verdicts.py), never exported.
DERIVED_FROM_TICKETS = frozenset({"fcr_verdict"})
# Tables linked to customers without a foreign key, handled by name (calendar items by their source;
# the CalDAV state holds only a uid, an address made of it, an ETag and a hash) or holding none.
HANDLED_BY_SOURCE = frozenset({"calendar_item", "caldav_state"})
# Text that is the shop's, not any customer's: never rewritten by an erase.
SHOP_TABLES = frozenset(
    {"staff", "setting", "setting_audit", "touch_rule", "article", "change_counter", "erasure_audit"}
)


class InvalidErasure(ValueError):
    """The erase request cannot be carried out as given; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class ErasureReport:
    """What an erase did: how many rows went per table (and mentions rewritten), and whether the
    database file's free space was scrubbed too (SQLite only)."""

    customer_id: int
    at: dt.datetime
    by: str
    counts: dict[str, int]
    scrubbed: bool | None = None  # None: not a SQLite file (nothing to compact here)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def compact_note(self) -> str:
        """A sentence when the file could not be compacted (empty otherwise)."""
        if self.scrubbed is not False:
            return ""
        return (
            "The database file could not be compacted just now (another program was using it), so its "
            "free space may still hold deleted bytes; the next erasure compacts it."
        )


@dataclass
class _Identity:
    """What identifies the customer in text: full names, email addresses and phone numbers."""

    names: list[str] = field(default_factory=list)
    exact: list[str] = field(default_factory=list)  # emails and phones: matched anywhere

    def terms(self) -> list[str]:
        return [*self.names, *self.exact]

    def patterns(self) -> list[re.Pattern[str]]:
        found = []
        for term in self.names:
            for form in _forms(term):
                found.append(re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE))
        for term in self.exact:
            for form in _forms(term):
                found.append(re.compile(re.escape(form), re.IGNORECASE))
        return found


def _forms(term: str) -> set[str]:
    """The term as typed and as JSON writes it (non-ASCII escaped), since some columns hold JSON."""
    return {term, json.dumps(term)[1:-1]}


# --- coverage ---------------------------------------------------------------------------------------


def customer_linked_tables(metadata: MetaData) -> set[str]:
    """Tables holding rows of a customer: a ``customer_id`` column, or a foreign key to the customer
    or to such a table (followed to the end of the chain)."""
    linked = {"customer"}
    linked |= {t.name for t in metadata.sorted_tables if "customer_id" in t.c}
    grew = True
    while grew:
        grew = False
        for table in metadata.sorted_tables:
            if table.name in linked:
                continue
            if any(fk.column.table.name in linked for fk in table.foreign_keys):
                linked.add(table.name)
                grew = True
    return linked - {"customer"}


def uncovered_tables(metadata: MetaData = Base.metadata) -> list[str]:
    """Customer-linked tables that neither the export nor the erase knows about (should be none)."""
    known = set(SECTIONS) | NOT_PERSONAL | HANDLED_BY_SOURCE | BOOKKEEPING | DERIVED_FROM_TICKETS
    return sorted(customer_linked_tables(metadata) - known)


# --- export -----------------------------------------------------------------------------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(row: Any) -> dict[str, Any]:
    """A row as JSON-ready data; a ``*_json`` column is read into the structure it holds."""
    plain: dict[str, Any] = {}
    for key, value in row.items():
        if key.endswith("_json") and isinstance(value, str):
            try:
                plain[key.removesuffix("_json")] = json.loads(value)
                continue
            except ValueError:
                pass
        plain[key] = _plain(value)
    return plain


def _rows(session: Session, table: Table, where: Any) -> list[dict[str, Any]]:
    primary = list(table.primary_key.columns)
    statement = select(table).where(where).order_by(*primary)
    return [_row(row) for row in session.execute(statement).mappings()]


def _customer_sources(session: Session, customer_id: int, mentioning: bool = False) -> set[str]:
    """The calendar item sources that come from this customer (see careapp/services/calendar/service.py);
    ``mentioning`` adds the referrer's thank-you for referring them (another customer's item)."""
    sources = {f"birthday:{customer_id}"}
    if mentioning:
        sources.add(f"touch:referral_thanks:{customer_id}")
    dates = select(DateRecord.id).where(DateRecord.customer_id == customer_id)
    sources |= {f"date:{i}" for i in session.scalars(dates)}
    touches = select(TouchRecord.key).where(TouchRecord.customer_id == customer_id)
    sources |= {f"touch:{k}" for k in session.scalars(touches)}
    contacts = select(ContactRecord.id).where(ContactRecord.customer_id == customer_id)
    sources |= {f"callback:{i}" for i in session.scalars(contacts)}
    return sources


def _calendar_items(session: Session, sources: set[str]) -> list[dict[str, Any]]:
    table = _table(CalendarItemRecord.__tablename__)
    return _rows(session, table, table.c.source.in_(sorted(sources)))


def collect(session: Session, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the customer's own tables, by table name (``customer`` included)."""
    customer = _table("customer")
    rows = {"customer": _rows(session, customer, customer.c.id == customer_id)}
    if not rows["customer"]:
        raise CustomerNotFound(customer_id)
    for name in SECTIONS:
        table = _table(name)
        rows[name] = _rows(session, table, table.c.customer_id == customer_id)
    rows["calendar_item"] = _calendar_items(session, _customer_sources(session, customer_id))
    return rows


def _tickets(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The customer's tickets, each with its contacts, state changes, audit trail and feedback."""
    tickets = []
    for ticket in rows["ticket"]:
        tid = ticket["id"]
        tickets.append(
            {
                **ticket,
                "contacts": [c for c in rows["contact"] if c["ticket_id"] == tid],
                "state_changes": [s for s in rows["ticket_state_change"] if s["ticket_id"] == tid],
                "audit": [a for a in rows["ticket_audit"] if a["ticket_id"] == tid],
                "feedback": [f for f in rows["feedback"] if f["ticket_id"] == tid],
            }
        )
    return tickets


def _referrals(session: Session, customer_id: int, referred_by: int | None) -> dict[str, Any]:
    def person(pid: int, name: str) -> dict[str, Any]:
        return {"id": pid, "name": name}

    referrer = None
    if referred_by is not None:
        name = session.scalar(select(CustomerRecord.display_name).where(CustomerRecord.id == referred_by))
        referrer = person(referred_by, name or "")
    referred = session.execute(
        select(CustomerRecord.id, CustomerRecord.display_name)
        .where(CustomerRecord.referred_by_id == customer_id)
        .order_by(CustomerRecord.id)
    )
    return {"referred_by": referrer, "referred": [person(r.id, r.display_name) for r in referred]}


def _imports(session: Session, rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The imports that created or changed the customer, or added their purchases or consent."""
    batch_ids = {
        r.get("import_batch_id") for r in (*rows["customer"], *rows["purchase"], *rows["consent_event"])
    }
    batch_ids |= {r["batch_id"] for r in rows["import_change"]}
    batch_ids.discard(None)
    table = _table(ImportBatchRecord.__tablename__)
    batches = _rows(session, table, table.c.id.in_(sorted(batch_ids)))
    for batch in batches:
        batch["changes_to_this_customer"] = [c for c in rows["import_change"] if c["batch_id"] == batch["id"]]
    return batches


def build_document(session: Session, customer_id: int, now: dt.datetime) -> dict[str, Any]:
    """The export as JSON-ready data: every field, history and link of one customer."""
    rows = collect(session, customer_id)
    on_tickets = {t["id"] for t in rows["ticket"]}
    customer = rows["customer"][0]
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _plain(now),
        "customer_id": customer_id,
        "customer": customer,
    }
    for name, section in SECTIONS.items():
        if name not in ("ticket", "ticket_state_change", "ticket_audit", "import_change"):
            document[section] = rows[name]
    document["tickets"] = _tickets(rows)
    # Contacts and feedback that belong to no ticket of theirs stand on their own.
    document["contacts"] = [c for c in rows["contact"] if c["ticket_id"] not in on_tickets]
    document["feedback"] = [f for f in rows["feedback"] if f["ticket_id"] not in on_tickets]
    document["calendar_items"] = rows["calendar_item"]
    document["referrals"] = _referrals(session, customer_id, customer["referred_by_id"])
    document["import_history"] = _imports(session, rows)
    return document


def write_private_json(path: Path, data: Any) -> Path:
    """Write JSON to ``path`` through a temporary file, readable by the user only (0600)."""
    from careapp.services.customers.exporter import write_atomically

    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    os.chmod(path, 0o600)
    return path


# --- erase ------------------------------------------------------------------------------------------


def _identity(session: Session, customer_id: int) -> _Identity:
    """The customer's full names, emails and phones, less any another customer shares (a household's
    one address): rewriting those would damage the other customer's record."""
    record = session.get(CustomerRecord, customer_id)
    if record is None:
        raise CustomerNotFound(customer_id)
    names = {record.display_name.strip(), f"{record.first_name.strip()} {record.last_name.strip()}".strip()}
    others = CustomerRecord.id != customer_id
    # Only the other customers' names and phones equal to theirs are read (exact matches, as before):
    # reading every customer's was a third of the erase's own work at 100,000 customers.
    shared_names = set(
        session.scalars(
            select(CustomerRecord.display_name).where(others, CustomerRecord.display_name.in_(names))
        )
    )
    # A lone first name ("Ann") is shared by too many people to rewrite in others' notes.
    identity = _Identity(names=sorted(n for n in names if len(n.split()) >= 2 and n not in shared_names))
    mine = EmailRecord.customer_id == customer_id
    exact = set(session.scalars(select(EmailRecord.address).where(mine)))
    # Emails are compared case-folded, which SQL cannot do for every alphabet: all are read, through
    # the connection (the ORM's result handling took 0.2 s for 100,000 addresses).
    others_emails = session.connection().execute(select(EmailRecord.address).where(~mine)).scalars()
    shared = {a.casefold() for a in others_emails}
    exact = {a for a in exact if a.casefold() not in shared}
    phones = PhoneRecord.customer_id == customer_id
    own = session.execute(select(PhoneRecord.raw, PhoneRecord.e164).where(phones)).all()
    values = sorted({p for row in own for p in row if p is not None})
    theirs = select(PhoneRecord.raw, PhoneRecord.e164).where(
        PhoneRecord.customer_id != customer_id, or_(PhoneRecord.raw.in_(values), PhoneRecord.e164.in_(values))
    )
    shared = {p for row in session.execute(theirs) for p in row}
    for raw, e164 in own:
        exact |= {p.strip() for p in (raw, e164 or "") if p not in shared}
    identity.exact = sorted(t for t in exact if len(t) >= 5)
    return identity


def check_reason(session: Session, customer_id: int, reason: str, identity: _Identity | None = None) -> str:
    """The reason as it will be kept; refused when empty, too long or naming the customer
    (``identity``: the customer's, if the caller has read it already)."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidErasure("Say why the customer is erased (for example: “asked by email on 3 May”).")
    if len(cleaned) > MAX_REASON:
        raise InvalidErasure(f"The reason can be at most {MAX_REASON} characters long.")
    record = session.get(CustomerRecord, customer_id)
    if record is None:
        raise CustomerNotFound(customer_id)
    identity = identity or _identity(session, customer_id)
    words = [w for w in (record.first_name.strip(), record.last_name.strip()) if len(w) >= 3]
    lowered = cleaned.casefold()
    named = any(re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", lowered) for w in words)
    if named or any(t.casefold() in lowered for t in identity.terms()):
        raise InvalidErasure(
            "The reason must not name the customer or give their email or phone: the record of the "
            "erasure is kept, and it must not hold what was erased. Describe the request instead."
        )
    return cleaned


def _count(session: Session, table: Table, where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def _delete_counted(session: Session, table: Table, where: Any) -> int:
    count = _count(session, table, where)
    if count:
        session.execute(delete(table).where(where))
    return count


def _referral_touches(session: Session, customer_id: int) -> int:
    """Others' thank-you touches for referring the customer: the referral is gone with them."""
    table = _table(TouchRecord.__tablename__)
    where = table.c.key == f"referral_thanks:{customer_id}"
    log_table = _table("touch_log")
    ids = list(session.scalars(select(table.c.id).where(where)))
    gone = _delete_counted(session, log_table, log_table.c.touch_id.in_(ids)) if ids else 0
    return gone + _delete_counted(session, table, where)


def _calendar(session: Session, customer_id: int, identity: _Identity) -> int:
    """Delete the customer's calendar items (their CalDAV state stays, so the next sync removes the
    events from the server), and cancelled items that name them (left behind by earlier edits)."""
    table = _table(CalendarItemRecord.__tablename__)
    sources = sorted(_customer_sources(session, customer_id, mentioning=True))
    gone = _delete_counted(session, table, table.c.source.in_(sources))
    mentions = [table.c.entry_json.ilike(f"%{_escape_like(form)}%", escape="\\") for term in identity.terms()
                for form in _forms(term)]  # fmt: skip
    if mentions:
        gone += _delete_counted(session, table, table.c.cancelled.is_(True) & or_(*mentions))
    return gone


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, String | Text) and not c.primary_key]


def _redact_mentions(session: Session, identity: _Identity) -> int:
    """Rewrite mentions of the customer in other rows (a note on the person who referred them, a
    message that thanked for the referral): ``[erased]`` instead of their name, email or phone.

    One read per table, over all its text columns at once: a read per column went through the
    biggest tables (contacts, purchases) a dozen times, 10 of an erase's 16 s at 100,000 customers.
    Returns how many cells (a column of a row) were rewritten."""
    patterns = identity.patterns()
    if not patterns:
        return 0
    forms = sorted({form for term in identity.terms() for form in _forms(term)})
    rewritten = 0
    for table in Base.metadata.sorted_tables:
        columns = _text_columns(table)
        if table.name in SHOP_TABLES or not columns:
            continue
        where = or_(*[_contains(session, c, f) for c in columns for f in forms])
        keys = list(table.primary_key.columns)
        for row in session.execute(select(*keys, *columns).where(where)).all():
            changed = _redacted(row[len(keys) :], columns, patterns)
            if changed:
                match = [k == v for k, v in zip(keys, row[: len(keys)], strict=True)]
                session.execute(update(table).where(*match).values(changed))
                rewritten += len(changed)
    return rewritten


def _contains(session: Session, column: Column[Any], text: str) -> Any:
    """``column`` holds ``text``, case aside. SQLite's LIKE already ignores the case of ASCII letters
    only, and so does its lower(), so ILIKE's lower() on every cell changes nothing there but the cost;
    the mentions found are then rewritten in Python, ignoring case fully."""
    pattern = f"%{_escape_like(text)}%"
    if session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _redacted(
    texts: Sequence[str | None], columns: Sequence[Column[Any]], patterns: Sequence[re.Pattern[str]]
) -> dict[str, str]:
    """The cells of one row whose text mentions the customer, rewritten (by column name)."""
    changed = {}
    for column, original in zip(columns, texts, strict=True):
        if original is None:
            continue
        text = original
        for pattern in patterns:
            text = pattern.sub(ERASED, text)
        if text != original:
            changed[column.name] = text
    return changed


def erase_in_session(
    session: Session, customer_id: int, by: str, reason: str, now: dt.datetime
) -> dict[str, int]:
    """Erase the customer inside the caller's transaction; returns the counts kept in the audit."""
    identity = _identity(session, customer_id)
    cleaned = check_reason(session, customer_id, reason, identity)
    counts: dict[str, int] = {"calendar_item": _calendar(session, customer_id, identity)}
    tickets = _table("ticket")
    theirs = select(tickets.c.id).where(tickets.c.customer_id == customer_id)
    for name in sorted(DERIVED_FROM_TICKETS):
        table = _table(name)
        counts[name] = _delete_counted(session, table, table.c.ticket_id.in_(theirs))
    for name in SECTIONS:
        table = _table(name)
        counts[name] = _delete_counted(session, table, table.c.customer_id == customer_id)
    customer = _table("customer")
    counts["referral_thanks_touches"] = _referral_touches(session, customer_id)
    referred = customer.c.referred_by_id == customer_id
    counts["referrals_cleared"] = _count(session, customer, referred)
    session.execute(update(customer).where(referred).values(referred_by_id=None))
    counts["customer"] = _delete_counted(session, customer, customer.c.id == customer_id)
    for name in sorted(BOOKKEEPING & set(Base.metadata.tables)):
        table = _table(name)
        counts[name] = _delete_counted(session, table, table.c.customer_id == customer_id)
    counts["mentions_rewritten"] = _redact_mentions(session, identity)
    session.add(
        ErasureAuditRecord(
            customer_id=customer_id,
            at=now,
            by=by,
            reason=cleaned,
            counts_json=json.dumps({k: v for k, v in counts.items() if v}, sort_keys=True),
        )
    )
    session.flush()
    return counts


def scrub_free_space(db: Database) -> bool | None:
    """SQLite: rebuild the file (VACUUM) so no free page keeps old rows, then checkpoint and truncate
    the WAL so it keeps no copies of old pages either. False when another program kept the file
    locked or the WAL busy; None when the database is not SQLite.

    Why VACUUM and not only ``secure_delete`` (on for every connection) and the checkpoint, which would
    save 2.5-5 s at 100,000 customers: secure_delete zeroes a deleted cell and a freed page, but when
    b-tree balancing rebuilds a page it leaves the old bytes of cells moved to a sibling page in the
    page's unused area, so a deleted row can keep a copy there. Measured with SQLite 3.40.1
    (secure_delete on, WAL, checkpoint TRUNCATE): 20,000 rows inserted in random order, 300 deleted,
    1 to 11 of the 300 still had their text in the file's bytes, across seeds. On the bench's demo file
    the erased customers' emails and phones happened to leave no copy; nothing guarantees that."""
    from sqlalchemy.exc import OperationalError

    engine = db.engine
    if engine.dialect.name != "sqlite":
        return None
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            # Waits for readers up to the busy timeout (database.py), then gives up with busy = 1.
            busy, _frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if not busy:
                return True
    except OperationalError as error:  # another process kept the file locked past the busy timeout
        log.warning("the database could not be compacted after an erasure: %s", error.orig)
        return False
    log.warning("the WAL could not be truncated after an erasure; the next checkpoint clears it")
    return False


def erasures(session: Session) -> list[dict[str, Any]]:
    """The audit trail of erasures (newest first), as stored."""
    table = _table(ErasureAuditRecord.__tablename__)
    return [_row(r) for r in session.execute(select(table).order_by(table.c.id.desc())).mappings()]


class PrivacyService:
    """Subject access export of one customer; the erase itself goes through the owner's guard."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def export_customer(self, customer_id: int) -> dict[str, Any]:
        with self._db.session() as session:
            return build_document(session, customer_id, self._clock())

    def write_export(self, customer_id: int, path: Path) -> Path:
        """Write the customer's export to ``path`` (JSON, 0600); raises CustomerNotFound or OSError."""
        return write_private_json(path, self.export_customer(customer_id))

    def erasures(self) -> list[dict[str, Any]]:
        with self._db.session() as session:
            return erasures(session)
