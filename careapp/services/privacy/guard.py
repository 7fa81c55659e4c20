"""Owner-only operations on customers, checked here and not only by hiding buttons.

The UI and the CLI must call :class:`CustomerGuard` to delete or erase a customer or export the whole
list, never ``CustomerService.delete``, ``careapp.services.privacy.service.erase_in_session`` or
``ExportService`` directly. Touch rules have no service yet: the
one that edits them must call ``StaffService.require_owner(actor, OwnerAction.EDIT_TOUCH_RULES)``
(or :func:`careapp.services.shop.staff.check_owner` inside its own transaction) before changing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete

from careapp.clock import utc_now
from careapp.db.database import Database
from careapp.db.models import (
    Base,
    CustomerRecord,
)
from careapp.domain.customer import Customer
from careapp.services.customers.exporter import ExportService
from careapp.services.customers.service import CustomerNotFound, CustomerService, DeletedCustomer
from careapp.services.customers.snapshots import ALL_CHILD_TABLES, take_snapshot
from careapp.services.privacy.service import ErasureReport, PrivacyService, erase_in_session, scrub_free_space
from careapp.services.shop.staff import Actor, OwnerAction, check_actor, check_owner

# Kept as a name for callers; the shared snapshot list now covers tickets too.
CUSTOMER_TABLES_WITH_TICKETS: tuple[type[Base], ...] = ALL_CHILD_TABLES
# Completes "Only the owner can ...".
ERASE_CUSTOMERS = "erase customers completely"


class CustomerGuard:
    """Deleting, erasing and exporting every customer: owner only (see ``careapp.services.shop.staff``)."""

    def __init__(
        self, db: Database, customers: CustomerService, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._db = db
        self._customers = customers
        self._clock = clock
        # One customer's export (a subject access request): anyone who may see the customer.
        self.privacy = PrivacyService(db, clock)

    def delete_customer(self, actor: Actor, customer_id: int) -> DeletedCustomer:
        """Delete a customer with all their history, tickets included; ``undo_delete`` puts it back.

        The owner check and the delete share one transaction, so a role change in between cannot
        slip through.
        """
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.DELETE_CUSTOMERS)
            record = session.get(CustomerRecord, customer_id)
            if record is None:
                raise CustomerNotFound(customer_id)
            snapshot = take_snapshot(session, customer_id, CUSTOMER_TABLES_WITH_TICKETS)
            name = record.display_name
            session.execute(delete(CustomerRecord).where(CustomerRecord.id == customer_id))
        return DeletedCustomer(customer_id, name, snapshot)

    def undo_delete(self, actor: Actor, deleted: DeletedCustomer) -> Customer:
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.DELETE_CUSTOMERS)
        return self._customers.undo_delete(deleted)

    def export_customers(self, actor: Actor, path: Path, export_format: str) -> int:
        """Write every customer to ``path`` (csv, vcard or json); returns how many."""
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.EXPORT_CUSTOMERS)
        return ExportService(self._db, self._customers).export_customers(path, export_format)

    def erase_customer(self, actor: Actor, customer_id: int, reason: str) -> ErasureReport:
        """Erase a customer completely on their request: no undo, no snapshot (see
        ``careapp.services.privacy.service``). Owner only; the check, the erase and its audit row are one
        transaction. Then the SQLite file's free space is scrubbed of the erased bytes."""
        now = self._clock().replace(tzinfo=None)
        with self._db.session() as session:
            check_owner(session, actor, ERASE_CUSTOMERS)
            check_actor(session, actor)  # the audit says who: a name is needed even before roles apply
            if session.get(CustomerRecord, customer_id) is None:
                raise CustomerNotFound(customer_id)
            counts = erase_in_session(session, customer_id, actor.name.strip(), reason, now)
        scrubbed = scrub_free_space(self._db)
        return ErasureReport(customer_id, now, actor.name.strip(), counts, scrubbed)
