"""Building the services: the one place where the database and services are wired.

Each service is made (and its module imported) the first time it is asked for: a command such as
``careapp report fcr`` needs one service of twenty, and importing them all cost it ~0.3 s of its start
(``python -X importtime``). The window asks for them all at once, on its database thread
(:meth:`Services.build_all`), so no import lands on the UI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from careapp.clock import utc_now
from careapp.config import Paths, ensure_private_dir

if TYPE_CHECKING:
    from careapp.db.database import Database, MigrationReport
    from careapp.services.calendar.service import CalendarService
    from careapp.services.care.articles import ArticleService
    from careapp.services.care.messages import MessageService
    from careapp.services.care.overview import CareOverviewService
    from careapp.services.care.queue import CareQueueService
    from careapp.services.care.touches import TouchService
    from careapp.services.customers.importer import ImportService
    from careapp.services.customers.purchases import PurchaseService
    from careapp.services.customers.service import CustomerService
    from careapp.services.mail.service import MailService
    from careapp.services.privacy.guard import CustomerGuard
    from careapp.services.rewards.service import RewardService
    from careapp.services.shop.settings import SettingsService
    from careapp.services.shop.staff import StaffService
    from careapp.services.tickets.fcr_settings import FcrSettingsService
    from careapp.services.tickets.feedback import FeedbackService
    from careapp.services.tickets.inbox import InboxService
    from careapp.services.tickets.reports import ReportService
    from careapp.services.tickets.service import TicketService
    from careapp.services.value.service import ValueService


class Services:
    """Everything the UI and the CLI may call. Built once, passed down; no globals.

    Each service is made on first use and then kept (one instance per Services, so the ones that share
    state, such as the touches and the queue, share it). Assigning one (``services.reports = ...``)
    puts another in its place, as tests do. Thread contract: a service is made under
    ``cached_property``'s lock, so two threads asking at once get the same one; the window calls
    :meth:`build_all` on its database thread before it touches any.
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        migration: MigrationReport,
        backup_dir: Path | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.migration = migration
        # Where this database's copies go (SQLite): the backups screen lists and restores them.
        self.backup_dir = backup_dir
        # Email through the shop's mailbox: built on first use (smtplib and ssl stay off the start
        # path); tests put one here first with their own TLS trust and keyring.
        self.mail_service: MailService | None = None

    def build_all(self) -> None:
        """Make every kept service now (imports included): the window calls this off the UI thread."""
        for name in _KEPT_SERVICES:
            getattr(self, name)
        for name in _MADE_PER_USE:  # no state to keep: only their modules are imported now
            getattr(self, name)

    def replaced(self, **changes: object) -> Services:
        """A copy with some services put in others' place (what ``dataclasses.replace`` gave): the
        rest are made first, so they keep the ones they were made with, as before."""
        self.build_all()
        copy = Services(self.db, self.clock, self.migration, self.backup_dir)
        copy.__dict__.update(self.__dict__)
        for name, service in changes.items():
            if not hasattr(self, name):
                raise TypeError(f"Services has no {name!r}")
            setattr(copy, name, service)
        return copy

    @cached_property
    def settings(self) -> SettingsService:
        from careapp.services.shop.settings import SettingsService

        return SettingsService(self.db, self.clock)

    @cached_property
    def customers(self) -> CustomerService:
        from careapp.services.customers.service import CustomerService

        return CustomerService(self.db, self.clock)

    @cached_property
    def imports(self) -> ImportService:
        from careapp.services.customers.importer import ImportService

        return ImportService(self.db, self.clock, self.settings)

    @cached_property
    def staff(self) -> StaffService:
        from careapp.services.shop.staff import StaffService

        return StaffService(self.db, self.clock)

    @cached_property
    def tickets(self) -> TicketService:
        from careapp.services.tickets.service import TicketService

        return TicketService(self.db, self.clock, self.customers, self.settings)

    @cached_property
    def feedback(self) -> FeedbackService:
        from careapp.services.tickets.feedback import FeedbackService

        return FeedbackService(self.db, self.clock)

    @cached_property
    def fcr_settings(self) -> FcrSettingsService:
        from careapp.services.tickets.fcr_settings import FcrSettingsService

        return FcrSettingsService(self.db, self.clock)

    @cached_property
    def reports(self) -> ReportService:
        from careapp.services.tickets.reports import ReportService

        return ReportService(self.db, self.clock)

    @cached_property
    def guard(self) -> CustomerGuard:
        """Owner-only customer operations: delete and export go through here, not CustomerService."""
        from careapp.services.privacy.guard import CustomerGuard

        return CustomerGuard(self.db, self.customers, self.clock)

    # Touches and the care queue: rules, refresh (at start-up and on a timer), the queue and its
    # actions, the content library, message drafts, and the overview's numbers.
    @cached_property
    def touches(self) -> TouchService:
        from careapp.services.care.touches import TouchService

        return TouchService(self.db, self.clock, self.settings)

    @cached_property
    def care_queue(self) -> CareQueueService:
        from careapp.services.care.queue import CareQueueService

        return CareQueueService(self.db, self.clock, self.touches)

    @cached_property
    def articles(self) -> ArticleService:
        from careapp.services.care.articles import ArticleService

        return ArticleService(self.db, self.clock, self.touches.today)

    @cached_property
    def messages(self) -> MessageService:
        from careapp.services.care.messages import MessageService

        return MessageService(self.db, self.clock, self.settings, self.touches.zone)

    @cached_property
    def care_overview(self) -> CareOverviewService:
        from careapp.services.care.overview import CareOverviewService

        return CareOverviewService(self.db, self.clock, self.touches)

    @cached_property
    def value(self) -> ValueService:
        """Customer value, retention, churn and the effect of care (the Value page, ``report value``)."""
        from careapp.services.value.service import ValueService

        return ValueService(self.db, self.clock, self.touches.today)

    @property
    def purchases(self) -> PurchaseService:
        """Sales recorded at the counter (no state of its own, so made when asked)."""
        from careapp.services.customers.purchases import PurchaseService

        return PurchaseService(self.db, self.clock)

    @property
    def rewards(self) -> RewardService:
        """Loyalty and referral rewards: rules, the ledger, redeeming (no state of its own)."""
        from careapp.services.rewards.service import RewardService

        return RewardService(self.db, self.clock)

    @property
    def inbox(self) -> InboxService:
        """The Tickets page's reads: open tickets and promised callbacks across customers (no state
        of its own, so made when asked)."""
        from careapp.services.tickets.inbox import InboxService

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


# What the window uses from its first minutes, made on its database thread (purchases, rewards, inbox
# and mail have no state: they are made per use, their modules imported then).
_KEPT_SERVICES = (
    "settings",
    "customers",
    "imports",
    "staff",
    "tickets",
    "feedback",
    "fcr_settings",
    "reports",
    "guard",
    "touches",
    "care_queue",
    "articles",
    "messages",
    "care_overview",
    "value",
)
_MADE_PER_USE = ("purchases", "rewards", "inbox")


def build_services(
    paths: Paths, clock: Callable[[], dt.datetime] = utc_now, *, daily_backup: bool = True
) -> Services:
    """Open (and if need be migrate) the database; the services are made as they are first used.
    ``daily_backup``: take today's copy now (the window takes it later, behind its first reads)."""
    from careapp.db.database import open_database
    from careapp.services.shop.connection import connect_url

    ensure_private_dir(paths.data_dir)
    # A shared server's password comes from the keyring now, never from a file or the Paths.
    db, report = open_database(connect_url(paths), paths.backup_dir, clock(), daily_backup=daily_backup)
    return Services(db=db, clock=clock, migration=report, backup_dir=paths.backup_dir)


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
