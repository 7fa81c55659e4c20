"""Importing customers: a dry-run preview, one-transaction apply, and undo of the last import.

Matching: a row whose email (case-insensitive) or phone (E.164, else digits) belongs to a
customer already in careapp *updates* that customer (gaps filled, new entries added, nothing
overwritten); a row that matches an earlier row of the same file is *merged* into it.

Where a row contradicts careapp (a birthday of 3 May over careapp's 4 May), careapp's value is kept
and the row's outcome names the field (:mod:`careapp.domain.import_differences`); the caller may ask
for the file's values instead, for every such row or for chosen lines (``take_file_values``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, any_, bindparam, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from careapp.db.care_bulk import BulkMarks, bulk_care_marking
from careapp.db.database import Database, refresh_statistics
from careapp.db.fast_insert import insert_rows
from careapp.db.models import (
    ConsentEventRecord,
    CustomerRecord,
    DateRecord,
    EmailRecord,
    ImportBatchRecord,
    ImportChangeRecord,
    PhoneRecord,
    PurchaseRecord,
    TagRecord,
    core_table,
)
from careapp.domain.customer import ConsentEvent, CustomerDraft, PartialDate, Purchase
from careapp.domain.import_differences import (
    FieldDifference,
    difference_text,
    differences,
    field_words,
    take_file_values,
    value_text,
)
from careapp.domain.merge import merge_drafts, phone_key, same_profile
from careapp.domain.validation import too_long_fields, too_long_purchases
from careapp.domain.wording import counted
from careapp.importing import (
    MAX_IMPORT_BYTES,
    ColumnMapping,
    ImportFileError,
    ParsedFile,
    ParsedRow,
    parse_import,
)
from careapp.memory import collector_paused
from careapp.services.customers.mapping import cents, draft_from_record, write_draft
from careapp.services.customers.rows import insert_customers
from careapp.services.customers.snapshots import PROFILE_TABLES, restore_snapshot, take_snapshot
from careapp.services.shop.settings import SettingsService

Action = Literal["create", "update", "merge", "unchanged", "reject"]
# Which rows take the file's value where they contradict careapp: every such row (True), none
# (False), or the rows on these lines of the file.
FileValues = bool | frozenset[int]
ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
_LOOKUP_CHUNK = 500
_WRITE_GROUP = 500  # new customers per flush


class ImportCancelled(Exception):
    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was changed.")


class NothingToUndo(Exception):
    def __init__(self) -> None:
        super().__init__("There is no import left to undo.")


class UndoWouldLoseEdits(Exception):
    """Customers touched by the import were edited since; undoing would lose those edits."""

    def __init__(self, names: list[str]) -> None:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        super().__init__(
            f"{counted(len(names), 'customer')} from that import {'was' if len(names) == 1 else 'were'} "
            f"edited since ({shown}). "
            "Undoing it would lose those edits; undo anyway to go ahead."
        )
        self.names = names


@dataclass(frozen=True)
class RowOutcome:
    line: int
    action: Action
    name: str
    reason: str = ""
    customer_id: int | None = None
    # What the row brings, as it will be stored (the preview shows it before anything is written).
    birthday: PartialDate | None = None
    consents: tuple[tuple[str, bool], ...] = ()  # (channel, granted) in the file's order
    tags: tuple[str, ...] = ()
    # Where the row contradicts the customer careapp holds, and whether the file's values are taken
    # (when not, ``birthday`` above is careapp's, the one that stays).
    differences: tuple[FieldDifference, ...] = ()
    took_file_values: bool = False


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do), row by row."""

    source_name: str
    format: str
    format_label: str
    encoding: str
    delimiter: str | None
    dry_run: bool
    rows: tuple[RowOutcome, ...]
    warnings: tuple[str, ...] = ()
    batch_id: int | None = None
    sales: int = 0  # purchases (order lines) the import adds
    columns: dict[str, str] | None = None  # a CSV read by a column mapping: heading -> field

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def rejected_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == "reject"]

    @property
    def differing_rows(self) -> list[RowOutcome]:
        """Rows that contradict a customer careapp holds (whether or not the file's values are taken)."""
        return [row for row in self.rows if row.differences]

    def with_file_values(self, lines: frozenset[int]) -> ImportSummary:
        """This preview (planned keeping careapp's values) as if the rows on ``lines`` took the file's.

        The same outcomes a preview with ``take_file_values=lines`` gives, without reading the file
        again, so the wizard's counts follow each tick at once. A row that takes the file's values
        changes its customer, so the customer's first row is an update, no longer unchanged.
        """
        taking = {row.line for row in self.differing_rows if row.line in lines}
        changed = {row.customer_id for row in self.rows if row.line in taking}
        rows = []
        for row in self.rows:
            if row.line in taking:
                row = replace(row, took_file_values=True, birthday=_birthday_taken(row))
            if row.action == "unchanged" and row.customer_id in changed and row.customer_id is not None:
                row = replace(row, action="update", reason=_UPDATE_REASON)
            rows.append(row)
        return replace(self, rows=tuple(rows))

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.source_name,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "dry_run": self.dry_run,
            "created": self.count("create"),
            "updated": self.count("update"),
            "merged": self.count("merge"),
            "unchanged": self.count("unchanged"),
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected_rows],
            "rejected_count": len(self.rejected_rows),
            "differences": [_differences_json(row) for row in self.differing_rows],
            "warnings": list(self.warnings),
            "columns": self.columns,
            "batch_id": self.batch_id,
            "sales": self.sales,
        }


_UPDATE_REASON = "same email or phone as a customer in careapp"


def _birthday_taken(row: RowOutcome) -> PartialDate | None:
    """The birthday a row stores once it takes the file's values."""
    offered = [d.file_value for d in row.differences if d.field == "birthday"]
    return offered[0] if offered and isinstance(offered[0], PartialDate) else row.birthday


def _differences_json(row: RowOutcome) -> dict[str, object]:
    return {
        "line": row.line,
        "customer_id": row.customer_id,
        "took_file_values": row.took_file_values,
        "fields": [
            {
                "field": field_words(d),
                "file": value_text(d.file_value),
                "careapp": value_text(d.careapp_value),
                "text": difference_text(d, row.took_file_values),
            }
            for d in row.differences
        ],
    }


@dataclass(frozen=True)
class UndoResult:
    """What an undo took away: ``removed`` customers the import created, ``restored`` customers it
    updated put back, ``sales_removed`` purchases it recorded (an orders file)."""

    batch_id: int
    source_name: str
    removed: int
    restored: int
    sales_removed: int = 0


@dataclass
class _PlannedCustomer:
    """One customer the import will create or update, with everything folded into it."""

    first_line: int
    draft: CustomerDraft
    existing_id: int | None = None
    existing_draft: CustomerDraft | None = None
    purchases: list[Purchase] = field(default_factory=list)
    consents: list[ConsentEvent] = field(default_factory=list)


# From this many new customers an import refreshes PostgreSQL's statistics of what it wrote: a
# few dozen rows do not change a plan, and ANALYZE of a big shop's tables takes a second or two.
ANALYZE_FROM = 1_000
_WRITTEN_TABLES = tuple(
    record.__tablename__
    for record in (
        CustomerRecord, EmailRecord, PhoneRecord, DateRecord, TagRecord, PurchaseRecord, ConsentEventRecord,
    )
)  # fmt: skip


def _keys(draft: CustomerDraft) -> list[str]:
    """Email keys first, then phone keys: a customer is matched by email, then by phone."""
    keys = [f"e:{e.address.strip().lower()}" for e in draft.emails if e.address.strip()]
    keys += [f"p:{phone_key(p)}" for p in draft.phones if len(phone_key(p)) >= 6]
    return keys


def _row_keys(row: ParsedRow, draft: CustomerDraft) -> list[str]:
    # An orders file's own key (the order, or the shop system's customer id) ties rows within the file.
    return _keys(draft) + ([f"k:{row.match_key}"] if row.match_key else [])


def consent_changes(imported: Sequence[ConsentEvent], current: dict[str, bool]) -> list[ConsentEvent]:
    """The consent events worth recording: only where the file changes what careapp knows.

    Within one file a "yes" on any row wins over a "no". A "no" is recorded as a declined answer,
    with the file as its source, wherever careapp does not already hold a "no" (a file's explicit
    "no", such as Shopify's "Accepts Email Marketing: no", is an answer, not "never asked"; over a
    "yes" careapp holds it is a withdrawal); a "yes" only where careapp does not already hold one.
    Importing the same file again records nothing new.
    """
    by_channel: dict[str, ConsentEvent] = {}
    for event in imported:
        kept = by_channel.get(event.channel.value)
        if kept is None or (event.granted and not kept.granted):
            by_channel[event.channel.value] = event
    return [
        event
        for channel, event in by_channel.items()
        if (event.granted and current.get(channel) is not True)
        or (not event.granted and current.get(channel) is not False)
    ]


def _purchase_values(customer_id: int, purchase: Purchase, batch_id: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "date": purchase.date,
        "item": purchase.item,
        "category": purchase.category,
        "amount_cents": cents(purchase.amount),
        "quantity": purchase.quantity,
        "order_line": purchase.order_line,
        "created_at": now,
        "import_batch_id": batch_id,
    }


def _consent_values(customer_id: int, consent: ConsentEvent, batch_id: int, actor: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "channel": consent.channel.value,
        "granted": consent.granted,
        "at": consent.at,
        "method": consent.method,
        "recorded_by": consent.recorded_by or actor,
        "note": consent.note,
        "import_batch_id": batch_id,
    }


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key_chunks(keys: Sequence[str], postgresql: bool) -> Iterable[Sequence[str]]:
    """The keys a lookup asks for at once: PostgreSQL takes them all as one array parameter."""
    if postgresql:
        return [keys] if keys else []
    return _chunks(keys, _LOOKUP_CHUNK)


def _among(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Sequence[str], postgresql: bool
) -> ColumnElement[bool]:
    """``column IN (keys)``; on PostgreSQL ``column = ANY(keys)``, one array parameter: an IN list of
    500 parameters was compiled, and parsed again by the driver, for every 500 keys (three times
    SQLite's time for the lookups of an import of 100,000 rows). The array has no length, so no cast
    cuts a key short."""
    if postgresql:  # the dialect's module only here: a SQLite shop never loads it (40-55 ms a start)
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(keys), type_=ARRAY(String())))
    return column.in_(keys)


def _stored_order_lines(session: Session, order_lines: list[str | None]) -> set[str]:
    """The order lines among ``order_lines`` that an earlier import already stored."""
    wanted = sorted({line for line in order_lines if line})
    stored: set[str] = set()
    for chunk in _chunks(wanted, _LOOKUP_CHUNK):
        stored.update(
            line
            for line in session.scalars(
                select(PurchaseRecord.order_line).where(PurchaseRecord.order_line.in_(chunk))
            )
            if line
        )
    return stored


def _without_imported_lines(row: ParsedRow, seen: set[str]) -> tuple[ParsedRow, str]:
    """The row without the order lines stored before (or earlier in this file); ``seen`` grows.

    The second value is why the whole row adds nothing, when every one of its lines is known.
    """
    if not any(p.order_line for p in row.purchases):
        return row, ""
    fresh = [p for p in row.purchases if not p.order_line or p.order_line not in seen]
    seen.update(p.order_line for p in fresh if p.order_line)
    if not fresh:
        return row, "this order line was imported before"
    return replace(row, purchases=tuple(fresh)), ""


class ImportService:
    """Turns parsed files into customers. Each apply is one transaction."""

    def __init__(self, db: Database, clock: Callable[[], dt.datetime], settings: SettingsService) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    def parse(self, path: Path, mapping: ColumnMapping | None = None) -> ParsedFile:
        # Refuse a huge file before reading it into memory.
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportFileError(
                f"{path.name} is {path.stat().st_size / 1_000_000:.0f} MB; careapp imports files of up to "
                f"{MAX_IMPORT_BYTES / 1_000_000:.0f} MB. "
                "Split it into smaller files and import them one by one."
            )
        data = path.read_bytes()
        return parse_import(
            data,
            path.name,
            now=self._clock(),
            default_region=self._settings.shop().default_region,
            mapping=mapping,
        )

    def preview(
        self, path: Path, mapping: ColumnMapping | None = None, take_file_values: FileValues = False
    ) -> ImportSummary:
        parsed = self.parse(path, mapping)
        with self._db.session() as session:
            outcomes, planned = self._plan(session, parsed.rows, take_file_values)
        return self._summary(path, parsed, outcomes, planned, dry_run=True)

    def apply(
        self,
        path: Path,
        actor: str,
        mapping: ColumnMapping | None = None,
        progress: ProgressCallback | None = None,
        cancelled: CancelCheck | None = None,
        take_file_values: FileValues = False,
    ) -> ImportSummary:
        # The rows, drafts and outcomes of a whole file stay alive to the end, and the cyclic collector
        # kept walking all of them (a tenth of an import of 100,000 rows); nothing here makes a cycle.
        with collector_paused():
            return self._apply(path, actor, mapping, progress, cancelled, take_file_values)

    def _apply(
        self,
        path: Path,
        actor: str,
        mapping: ColumnMapping | None,
        progress: ProgressCallback | None,
        cancelled: CancelCheck | None,
        take_file_values: FileValues,
    ) -> ImportSummary:
        parsed = self.parse(path, mapping)
        with self._db.session() as session:
            outcomes, planned = self._plan(session, parsed.rows, take_file_values)
            with bulk_care_marking(session) as marks:
                batch_id, ids = self._write_batch(
                    session, path, parsed, outcomes, planned, actor, marks, progress, cancelled
                )
            outcomes = [replace(o, customer_id=ids.get(o.line, o.customer_id)) for o in outcomes]
            if sum(1 for o in outcomes if o.action == "create") >= ANALYZE_FROM:
                refresh_statistics(session, _WRITTEN_TABLES)
        summary = self._summary(path, parsed, outcomes, planned, dry_run=False)
        return ImportSummary(**{**summary.__dict__, "batch_id": batch_id})

    def _write_batch(
        self,
        session: Session,
        path: Path,
        parsed: ParsedFile,
        outcomes: list[RowOutcome],
        planned: list[_PlannedCustomer],
        actor: str,
        marks: BulkMarks,
        progress: ProgressCallback | None,
        cancelled: CancelCheck | None,
    ) -> tuple[int, dict[int, int]]:
        """The import batch and everything planned; its id, and first file line -> customer id."""
        batch = ImportBatchRecord(
            at=self._clock(),
            source_name=path.name,
            format=parsed.format,
            done_by=actor,
            created_count=sum(1 for o in outcomes if o.action == "create"),
            updated_count=sum(1 for o in outcomes if o.action == "update"),
            merged_count=sum(1 for o in outcomes if o.action == "merge"),
            rejected_count=sum(1 for o in outcomes if o.action == "reject"),
        )
        session.add(batch)
        session.flush()
        ids = self._write(session, planned, batch.id, actor, marks, progress, cancelled)
        return batch.id, ids

    @staticmethod
    def _summary(
        path: Path,
        parsed: ParsedFile,
        outcomes: list[RowOutcome],
        planned: list[_PlannedCustomer],
        dry_run: bool,
    ) -> ImportSummary:
        return ImportSummary(
            sales=sum(len(item.purchases) for item in planned),
            source_name=path.name,
            format=parsed.format,
            format_label=parsed.format_label,
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
            dry_run=dry_run,
            rows=tuple(outcomes),
            warnings=tuple(parsed.warnings),
            columns=dict(parsed.columns) if parsed.columns is not None else None,
        )

    # --- planning: decide what each row does ---------------------------------------------

    def _plan(
        self, session: Session, rows: Sequence[ParsedRow], take: FileValues = False
    ) -> tuple[list[RowOutcome], list[_PlannedCustomer]]:
        known = self._existing_ids_by_key(session, [key for r in rows if r.draft for key in _keys(r.draft)])
        existing = self._existing_drafts(session, set(known.values()))
        imported_before = _stored_order_lines(session, [p.order_line for r in rows for p in r.purchases])
        planned: list[_PlannedCustomer] = []
        by_key: dict[str, _PlannedCustomer] = {}
        outcomes: list[RowOutcome] = []
        for row in rows:
            if row.draft is None:
                reason = row.error or "The row could not be read."
                outcomes.append(RowOutcome(row.line, "reject", row.name, reason))
                continue
            draft = row.draft
            row, repeated = _without_imported_lines(row, imported_before)
            if repeated:
                outcomes.append(RowOutcome(row.line, "unchanged", draft.display_name(), repeated))
                continue
            too_long = too_long_fields(draft) + too_long_purchases(row.purchases)
            if too_long:
                outcomes.append(RowOutcome(row.line, "reject", draft.display_name(), too_long[0].message))
                continue
            outcome, target = self._plan_row(row, draft, known, existing, by_key, planned)
            outcomes.append(self._weigh_differences(outcome, draft, target, take))
        current = self._current_consents(session, {p.existing_id for p in planned if p.existing_id})
        for item in planned:
            item.consents = consent_changes(item.consents, current.get(item.existing_id or 0, {}))
        return self._mark_unchanged(outcomes, planned), planned

    @staticmethod
    def _current_consents(session: Session, ids: set[int]) -> dict[int, dict[str, bool]]:
        """Latest consent answer per customer and channel, for the customers an import touches."""
        states: dict[int, dict[str, bool]] = {}
        for chunk in _chunks(sorted(ids), _LOOKUP_CHUNK):  # type: ignore[arg-type]
            events = session.execute(
                select(ConsentEventRecord.customer_id, ConsentEventRecord.channel, ConsentEventRecord.granted)
                .where(ConsentEventRecord.customer_id.in_(chunk))
                .order_by(ConsentEventRecord.at, ConsentEventRecord.id)
            )
            for customer_id, channel, granted in events:
                states.setdefault(customer_id, {})[channel] = granted
        return states

    @staticmethod
    def _plan_row(
        row: ParsedRow,
        draft: CustomerDraft,
        known: dict[str, int],
        existing: dict[int, CustomerDraft],
        by_key: dict[str, _PlannedCustomer],
        planned: list[_PlannedCustomer],
    ) -> tuple[RowOutcome, _PlannedCustomer]:
        keys = _row_keys(row, draft)
        matched = next((k for k in keys if k in by_key), None)
        earlier = by_key[matched] if matched is not None else None
        if earlier is not None:
            earlier.draft = merge_drafts(earlier.draft, draft)
            earlier.purchases += row.purchases
            earlier.consents += row.consents
            action: Action = "merge"
            target = earlier
            same = "same order or buyer" if str(matched).startswith("k:") else "same email or phone"
            reason = f"{same} as line {earlier.first_line}"
        else:
            existing_id = next((known[k] for k in keys if k in known), None)
            if existing_id is not None:
                base = existing[existing_id]
                target = _PlannedCustomer(row.line, merge_drafts(base, draft), existing_id, base)
                action, reason = "update", _UPDATE_REASON
            else:
                target = _PlannedCustomer(row.line, draft)
                action, reason = "create", ""
            target.purchases += row.purchases
            target.consents += row.consents
            planned.append(target)
        for key in _keys(target.draft) + keys:
            by_key.setdefault(key, target)
        outcome = RowOutcome(
            row.line,
            action,
            draft.display_name(),
            reason,
            target.existing_id,
            birthday=draft.birthday,
            consents=tuple((event.channel.value, event.granted) for event in row.consents),
            tags=tuple(draft.tags),
        )
        return outcome, target

    @staticmethod
    def _weigh_differences(
        outcome: RowOutcome, draft: CustomerDraft, target: _PlannedCustomer, take: FileValues
    ) -> RowOutcome:
        """Name where the row contradicts careapp's customer; put the file's values in if asked to."""
        if target.existing_draft is None:
            return outcome
        found = differences(target.existing_draft, draft)
        if not found:
            return outcome
        taken = take is True or (isinstance(take, frozenset) and outcome.line in take)
        if taken:
            target.draft = take_file_values(target.draft, found)
        kept_birthday = target.existing_draft.birthday
        birthday = draft.birthday if taken or not any(d.field == "birthday" for d in found) else kept_birthday
        return replace(outcome, differences=found, took_file_values=taken, birthday=birthday)

    @staticmethod
    def _mark_unchanged(outcomes: list[RowOutcome], planned: list[_PlannedCustomer]) -> list[RowOutcome]:
        """An update that adds nothing at all is reported as unchanged, not as an update."""
        idle = {
            p.first_line
            for p in planned
            if p.existing_draft is not None
            and same_profile(p.existing_draft, p.draft)
            and not p.purchases
            and not p.consents
        }
        return [
            replace(o, action="unchanged", reason="already in careapp")
            if o.action == "update" and o.line in idle
            else o
            for o in outcomes
        ]

    @staticmethod
    def _existing_ids_by_key(session: Session, keys: list[str]) -> dict[str, int]:
        emails = sorted({k[2:] for k in keys if k.startswith("e:")})
        phones = sorted({k[2:] for k in keys if k.startswith("p:")})
        found: dict[str, int] = {}
        postgresql = session.get_bind().dialect.name == "postgresql"
        for chunk in _key_chunks(emails, postgresql):
            email_rows = session.execute(
                select(EmailRecord.address_key, EmailRecord.customer_id)
                .where(_among(EmailRecord.address_key, chunk, postgresql))
                .order_by(EmailRecord.customer_id)
            )
            for address, customer_id in email_rows:
                found.setdefault(f"e:{address}", customer_id)
        for chunk in _key_chunks(phones, postgresql):
            phone_rows = session.execute(
                select(PhoneRecord.e164, PhoneRecord.digits, PhoneRecord.customer_id)
                .where(
                    _among(PhoneRecord.e164, chunk, postgresql)
                    | _among(PhoneRecord.digits, chunk, postgresql)
                )
                .order_by(PhoneRecord.customer_id)
            )
            for e164, digits, customer_id in phone_rows:
                found.setdefault(f"p:{e164 or digits}", customer_id)
                found.setdefault(f"p:{digits}", customer_id)
        return found

    @staticmethod
    def _existing_drafts(session: Session, ids: set[int]) -> dict[int, CustomerDraft]:
        drafts: dict[int, CustomerDraft] = {}
        for chunk in _chunks(sorted(ids), _LOOKUP_CHUNK):  # type: ignore[arg-type]
            records = session.scalars(
                select(CustomerRecord)
                .where(CustomerRecord.id.in_(chunk))
                .options(
                    selectinload(CustomerRecord.emails),
                    selectinload(CustomerRecord.phones),
                    selectinload(CustomerRecord.dates),
                    selectinload(CustomerRecord.tags),
                )
            )
            drafts.update({record.id: draft_from_record(record) for record in records})
        return drafts

    # --- writing ---------------------------------------------------------------------------

    def _write(
        self,
        session: Session,
        planned: list[_PlannedCustomer],
        batch_id: int,
        actor: str,
        marks: BulkMarks,
        progress: ProgressCallback | None,
        cancelled: CancelCheck | None,
    ) -> dict[int, int]:
        """Write every planned customer; returns first file line -> customer id.

        New customers are inserted in groups of 500 with batched Core INSERTs (see
        :mod:`careapp.services.customers.rows`), rather than one ORM flush per customer. ``marks``
        gets every customer written, for the care queue (as the per-row triggers would note them).
        """
        now = self._clock()
        ids: dict[int, int] = {}
        created: list[_PlannedCustomer] = []
        for done, item in enumerate(planned, start=1):
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            if item.existing_id is None:
                created.append(item)
            elif item.existing_draft is not None and not same_profile(item.existing_draft, item.draft):
                self._update(session, item, batch_id, actor, now)
                marks.wrote_customers([item.existing_id])
                # The referrer it had before (the customer row's trigger notes the old one too).
                marks.wrote_facts([item.existing_draft.referred_by_id])
            elif item.purchases or item.consents:
                self._add_history(session, item.existing_id, item, batch_id, actor, now)
                marks.wrote_facts([item.existing_id])
            if done % _WRITE_GROUP == 0:
                self._insert_created(session, created, ids, batch_id, actor, now)
                session.flush()
                session.expunge_all()  # keeps memory flat on 100,000-row files
            if progress is not None and (done % 200 == 0 or done == len(planned)):
                progress(done, len(planned))
        self._insert_created(session, created, ids, batch_id, actor, now)
        marks.wrote_customers(ids.values())
        return ids

    def _insert_created(
        self,
        session: Session,
        created: list[_PlannedCustomer],
        ids: dict[int, int],
        batch_id: int,
        actor: str,
        now: dt.datetime,
    ) -> None:
        """Insert the new customers gathered since the last group, then their purchases and consents."""
        new_ids = insert_customers(session, [item.draft for item in created], now, actor, batch_id)
        purchases: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        for item, customer_id in zip(created, new_ids, strict=True):
            ids[item.first_line] = customer_id
            purchases += [_purchase_values(customer_id, p, batch_id, now) for p in item.purchases]
            consents += [_consent_values(customer_id, c, batch_id, actor) for c in item.consents]
        for model, values in ((PurchaseRecord, purchases), (ConsentEventRecord, consents)):
            insert_rows(session, core_table(model), values)
        created.clear()

    def _update(
        self, session: Session, item: _PlannedCustomer, batch_id: int, actor: str, now: dt.datetime
    ) -> None:
        assert item.existing_id is not None
        snapshot = take_snapshot(session, item.existing_id, PROFILE_TABLES)
        record = session.get(CustomerRecord, item.existing_id)
        assert record is not None
        write_draft(record, item.draft)
        record.version += 1
        record.updated_at = now
        record.updated_by = actor
        session.add(
            ImportChangeRecord(
                batch_id=batch_id,
                customer_id=item.existing_id,
                before_json=snapshot,
                version_after=record.version,
            )
        )
        self._add_history(session, item.existing_id, item, batch_id, actor, now)

    @staticmethod
    def _add_history(
        session: Session,
        customer_id: int,
        item: _PlannedCustomer,
        batch_id: int,
        actor: str,
        now: dt.datetime,
    ) -> None:
        for purchase in item.purchases:
            session.add(PurchaseRecord(**_purchase_values(customer_id, purchase, batch_id, now)))
        for consent in item.consents:
            session.add(ConsentEventRecord(**_consent_values(customer_id, consent, batch_id, actor)))

    # --- undo ------------------------------------------------------------------------------

    def last_undoable(self) -> tuple[int, str, dt.datetime] | None:
        with self._db.session() as session:
            batch = self._last_batch(session)
            return (batch.id, batch.source_name, batch.at) if batch else None

    @staticmethod
    def _last_batch(session: Session) -> ImportBatchRecord | None:
        return session.scalar(
            select(ImportBatchRecord)
            .where(ImportBatchRecord.undone_at.is_(None))
            .order_by(ImportBatchRecord.id.desc())
            .limit(1)
        )

    def undo_last(self, force: bool = False) -> UndoResult:
        """Remove the customers the last import created and put updated ones back as they were."""
        with self._db.session() as session:
            batch = self._last_batch(session)
            if batch is None:
                raise NothingToUndo()
            # Locked before "edited since?" is asked: an edit saved on another seat meanwhile waits,
            # then finds its copy stale, instead of being overwritten by the undo.
            self._lock_customers(session, batch.id)
            if not force:
                edited = self._edited_since(session, batch.id)
                if edited:
                    raise UndoWouldLoseEdits(edited)
            changes = list(
                session.scalars(select(ImportChangeRecord).where(ImportChangeRecord.batch_id == batch.id))
            )
            # Counted before the updated customers are put back: that takes their imported sales away too.
            sales = session.scalar(
                select(func.count())
                .select_from(PurchaseRecord)
                .where(PurchaseRecord.import_batch_id == batch.id)
            )
            for change in changes:
                restore_snapshot(session, change.before_json, replace_existing=True)
            session.execute(delete(PurchaseRecord).where(PurchaseRecord.import_batch_id == batch.id))
            session.execute(delete(ConsentEventRecord).where(ConsentEventRecord.import_batch_id == batch.id))
            removed = len(
                session.scalars(
                    delete(CustomerRecord)
                    .where(CustomerRecord.import_batch_id == batch.id)
                    .returning(CustomerRecord.id)
                ).all()
            )
            session.execute(
                update(ImportBatchRecord)
                .where(ImportBatchRecord.id == batch.id)
                .values(undone_at=self._clock())
            )
            return UndoResult(batch.id, batch.source_name, int(removed or 0), len(changes), int(sales or 0))

    @staticmethod
    def _lock_customers(session: Session, batch_id: int) -> None:
        """Lock every customer the batch created or changed (SQLite: the file; PostgreSQL: the rows)."""
        changed = select(ImportChangeRecord.customer_id).where(ImportChangeRecord.batch_id == batch_id)
        session.execute(
            update(CustomerRecord)
            .where((CustomerRecord.import_batch_id == batch_id) | CustomerRecord.id.in_(changed))
            .values(version=CustomerRecord.version)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    def _edited_since(session: Session, batch_id: int) -> list[str]:
        created = session.scalars(
            select(CustomerRecord.display_name).where(
                CustomerRecord.import_batch_id == batch_id, CustomerRecord.version > 1
            )
        )
        updated = session.scalars(
            select(CustomerRecord.display_name)
            .join(ImportChangeRecord, ImportChangeRecord.customer_id == CustomerRecord.id)
            .where(
                ImportChangeRecord.batch_id == batch_id,
                CustomerRecord.version > ImportChangeRecord.version_after,
            )
        )
        return list(created) + list(updated)
