"""Building the services: the one place where the database and services are wired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from careapp.clock import utc_now
from careapp.config import Paths, ensure_private_dir
from careapp.db.database import Database, MigrationReport, open_database
from careapp.services.care.articles import ArticleService
from careapp.services.care.messages import MessageService
from careapp.services.care.overview import CareOverviewService
from careapp.services.care.queue import CareQueueService
from careapp.services.care.touches import TouchService
from careapp.services.customers.importer import ImportService
from careapp.services.customers.purchases import PurchaseService
from careapp.services.customers.service import CustomerService
from careapp.services.privacy.guard import CustomerGuard
from careapp.services.rewards.service import RewardService
from careapp.services.shop.connection import connect_url
from careapp.services.shop.settings import SettingsService
from careapp.services.shop.staff import StaffService
from careapp.services.tickets.fcr_settings import FcrSettingsService
from careapp.services.tickets.feedback import FeedbackService
from careapp.services.tickets.inbox import InboxService
from careapp.services.tickets.reports import ReportService
from careapp.services.tickets.service import TicketService
from careapp.services.value.service import ValueService

if TYPE_CHECKING:
    from careapp.services.calendar.service import CalendarService
    from careapp.services.mail.service import MailService


@dataclass
class Services:
    """Everything the UI and the CLI may call. Built once, passed down; no globals."""

    db: Database
    customers: CustomerService
    imports: ImportService
    settings: SettingsService
    clock: Callable[[], dt.datetime]
    migration: MigrationReport
    staff: StaffService
    tickets: TicketService
    feedback: FeedbackService
    fcr_settings: FcrSettingsService
    reports: ReportService
    # Owner-only customer operations: delete and export go through here, not CustomerService.
    guard: CustomerGuard
    # Touches and the care queue: rules, refresh (at start-up and on a timer), the queue and its
    # actions, the content library, message drafts, and the overview's numbers.
    touches: TouchService
    care_queue: CareQueueService
    articles: ArticleService
    messages: MessageService
    care_overview: CareOverviewService
    # Customer value, retention, churn and the effect of care (the Value page and ``report value``).
    value: ValueService
    # Where this database's copies go (SQLite): the backups screen lists and restores them.
    backup_dir: Path | None = None
    # Email through the shop's mailbox: built on first use (smtplib and ssl stay off the start path);
    # tests put one here first with their own TLS trust and keyring.
    mail_service: MailService | None = None

    @property
    def purchases(self) -> PurchaseService:
        """Sales recorded at the counter (no state of its own, so made when asked)."""
        return PurchaseService(self.db, self.clock)

    @property
    def rewards(self) -> RewardService:
        """Loyalty and referral rewards: rules, the ledger, redeeming (no state of its own)."""
        return RewardService(self.db, self.clock)

    @property
    def inbox(self) -> InboxService:
        """The Tickets page's reads: open tickets and promised callbacks across customers (no state
        of its own, so made when asked)."""
        return InboxService(self.db, self.clock)

    @property
    def mail(self) -> MailService:
        """Sending a touch's email through the shop's own mailbox, the Outbox and the test message."""
        if self.mail_service is None:
            from careapp.services.mail.outbox import Outbox
            from careapp.services.mail.service import MailService
            from careapp.services.mail.settings import MailSettingsService

            settings = MailSettingsService(self.db)
            self.mail_service = MailService(settings, Outbox(self.db), self.care_queue, self.customers)
        return self.mail_service

    def close(self) -> None:
        self.db.dispose()


def build_services(paths: Paths, clock: Callable[[], dt.datetime] = utc_now) -> Services:
    ensure_private_dir(paths.data_dir)
    # A shared server's password comes from the keyring now, never from a file or the Paths.
    db, report = open_database(connect_url(paths), paths.backup_dir, clock())
    settings = SettingsService(db, clock)
    customers = CustomerService(db, clock)
    tickets = TicketService(db, clock, customers, settings)
    touches = TouchService(db, clock, settings, tickets)
    care_queue = CareQueueService(db, clock, touches)
    return Services(
        db=db,
        customers=customers,
        imports=ImportService(db, clock, settings),
        settings=settings,
        clock=clock,
        migration=report,
        staff=StaffService(db, clock),
        tickets=tickets,
        feedback=FeedbackService(db, clock),
        fcr_settings=FcrSettingsService(db, clock),
        reports=ReportService(db, clock),
        guard=CustomerGuard(db, customers, clock),
        touches=touches,
        care_queue=care_queue,
        articles=ArticleService(db, clock, touches.today),
        messages=MessageService(db, clock, settings, touches.zone),
        care_overview=CareOverviewService(db, clock, touches),
        value=ValueService(db, clock, touches.today),
        backup_dir=paths.backup_dir,
    )


def calendar_service(services: Services) -> CalendarService:
    """The calendar service over the app's services (built where it is needed, not at start-up)."""
    from careapp.services.calendar.service import CalendarService

    return CalendarService(
        services.db,
        services.clock,
        services.settings,
        services.touches,
        services.care_queue,
        services.tickets,
    )
