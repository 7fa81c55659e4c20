"""Open every top-level window and dialog of careapp on one screen and say how each fails to fit.

Run as its own process (``python -m tests.ui.fit_windows 1366x768 light``), because the screen's size
is the offscreen platform's, fixed when the QApplication starts: the screen is the work area a
desktop leaves (the size less a 28 px panel), so Qt's first size for a window and careapp's
``keep_windows_on_screen`` behave as they do on that laptop. Each window is built directly from a demo
database's services with the synchronous runner (no menu, no waiting for a modal dialog to close),
shown, given a moment for its data, checked with :func:`tests.ui.fit_check.fit_problems`, and
closed. With ``FIT_SHOTS=folder`` each window's picture is saved
there. Prints one JSON object: ``{"windows": [{"name", "class", "problems", "words"}...]}`` (``words``: what
tests/ui/text_check.py finds wrong in the window's texts).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

PANEL = 28  # a desktop's panel or task bar takes this much of the screen
NOW = dt.datetime(2026, 11, 23, 9, 30)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from careapp.context import Services


def screen_config(size: str, folder: Path) -> str:
    """The offscreen platform's argument for one screen of ``size`` less the panel."""
    width, height = (int(part) for part in size.split("x"))
    screen = {"name": size, "x": 0, "y": 0, "width": width, "height": height - PANEL}
    screen |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    path = folder / "screen.json"
    path.write_text(json.dumps({"screens": [screen]}))
    return f"offscreen:configfile={path}"


@dataclass
class Quiet:
    """Prompts that answer nothing (no window in this run asks a question)."""

    def confirm(self, *args: object, **kwargs: object) -> bool:
        return False

    def error(self, *args: object, **kwargs: object) -> None:
        return None

    def info(self, *args: object, **kwargs: object) -> None:
        return None

    def resolve_conflict(self, *args: object) -> object:
        from careapp.ui.customers.stale import ConflictChoice

        return ConflictChoice.KEEP_EDITING


class Kit:
    """What the factories share: the demo services, the runner, an actor, a sample customer."""

    def __init__(self, services: Services, folder: Path) -> None:
        from careapp.services.shop.staff import Actor, Role
        from careapp.ui.runner import SyncRunner

        self.services, self.folder = services, folder
        self.runner = SyncRunner()
        self.actor = Actor("Priya", Role.OWNER)
        self.prompts = Quiet()
        self.ids = services.customers.search_ids("")
        self.customer = services.customers.get(self.ids[0])
        self.keep: QWidget | None = None  # a window the one checked needs alive (its parent)


def _main_window(kit: Kit, tab: int) -> QWidget:
    from PySide6.QtCore import QSettings

    from careapp.ui.main_window import MainWindow

    settings = QSettings(str(kit.folder / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(kit.runner, settings, "Priya", kit.prompts)  # type: ignore[arg-type]
    window.attach_services(kit.services, kit.services.settings.shop())
    window.pages.setCurrentIndex(tab)
    return window


def _welcome(kit: Kit) -> QWidget:
    from careapp.services.shop.settings import ShopSettings
    from careapp.ui.shop.welcome import WelcomeDialog

    shop = ShopSettings(staff_names=("Priya", "Sam", "Jo"))
    return WelcomeDialog(shop, kit.runner, lambda _s: None, lambda: None, make_staff=lambda _s: None)


def _shop_settings(kit: Kit) -> QWidget:
    from careapp.services.shop.settings import Versioned
    from careapp.ui.shop.settings_dialog import ShopSettingsDialog

    shop = Versioned(kit.services.settings.shop(), 1)
    return ShopSettingsDialog(shop, kit.runner, lambda s, _v: Versioned(s, 2))


def _about(kit: Kit) -> QWidget:
    from careapp.config import AboutInfo
    from careapp.ui.about import AboutDialog

    info = AboutInfo(kit.folder, f"sqlite:///{kit.folder}/careapp.db", kit.folder / "careapp.log")
    return AboutDialog(info)


def _error(kit: Kit) -> QWidget:
    from careapp.ui.errors import ErrorDialog

    lines = [f'  File "x.py", line {n}' for n in range(40)]
    details = "Traceback (most recent call last):\n" + "\n".join(lines)
    return ErrorDialog("ValueError: something went wrong", details, kit.folder / "careapp.log")


def _backups(kit: Kit) -> QWidget:
    from careapp.services.shop.backups import BackupService
    from careapp.ui.backups.dialog import BackupsDialog

    assert kit.services.backup_dir is not None
    service = BackupService(kit.services.db.url, kit.services.backup_dir, kit.services.clock)
    return BackupsDialog(service, kit.runner, kit.prompts, lambda _p: None)  # type: ignore[arg-type]


def _calendar(kit: Kit) -> QWidget:
    from careapp.services.shop.secrets import SecretStore
    from careapp.ui.calendar.jobs import CalendarJobs
    from careapp.ui.calendar.settings_dialog import CalendarDialog

    jobs = CalendarJobs(kit.services, SecretStore(NoRing()))
    loaded = jobs.load()
    return CalendarDialog(loaded.settings, loaded.last_sync, kit.runner, jobs, ask=lambda _parent: "")


class NoRing:
    """A keyring with nothing in it."""

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


def _connection(kit: Kit) -> QWidget:
    from careapp.config import SeatConfig
    from careapp.services.shop.connection import database_secrets
    from careapp.ui.connection.dialog import ConnectionDialog, ConnectionJobs

    jobs = ConnectionJobs(kit.folder / "connection.json", database_secrets(NoRing()))
    return ConnectionDialog(SeatConfig(), kit.folder, kit.runner, jobs)  # type: ignore[arg-type]


def _log_call(kit: Kit) -> QWidget:
    from careapp.ui.calls.dialog import LogCallDialog

    return LogCallDialog(kit.services, kit.runner, kit.actor, kit.prompts)  # type: ignore[arg-type]


def _snooze(kit: Kit) -> QWidget:
    from careapp.ui.care.dialogs import SnoozeDialog

    return SnoozeDialog(kit.customer.display_name(), NOW.date())


def _skip(kit: Kit) -> QWidget:
    from careapp.ui.care.dialogs import SkipDialog

    return SkipDialog(f"Birthday greeting for {kit.customer.display_name()}")


def _message(kit: Kit) -> QWidget:
    from careapp.ui.care.message_dialog import MessageDialog

    queue = kit.services.care_queue.queue()
    entries = [*queue.overdue, *queue.due_today, *queue.next_7_days, *queue.next_30_days]
    return MessageDialog(kit.services, kit.runner, kit.actor, entries[0], lambda _url: True)


def _bulk_edit(kit: Kit) -> QWidget:
    from careapp.ui.customers.bulk_edit import BulkEditDialog

    return BulkEditDialog(kit.services.customers, kit.runner, kit.ids[:3], "Priya")


def _editor(kit: Kit) -> QWidget:
    from careapp.ui.customers.editor import CustomerEditor

    return CustomerEditor(
        kit.services.customers,
        kit.runner,
        kit.prompts,  # type: ignore[arg-type]
        kit.services.clock,
        customer=kit.customer,
        default_region="GB",
        actor="Priya",
    )


def _note(kit: Kit) -> QWidget:
    from careapp.ui.customers.note_dialog import NoteDialog

    customer = kit.customer
    return NoteDialog(
        kit.services.customers,
        kit.runner,
        kit.prompts,  # type: ignore[arg-type]
        customer.id,
        customer.display_name(),
        "Priya",
    )


def _erase(kit: Kit) -> QWidget:
    from careapp.ui.customers.privacy_actions import EraseDialog

    return EraseDialog(kit.customer.display_name())


def _purchase(kit: Kit) -> QWidget:
    from careapp.ui.customers.purchase_dialog import PurchaseDialog

    customer = kit.customer
    return PurchaseDialog(kit.services, kit.runner, customer.id, customer.display_name())


def _stale(kit: Kit) -> QWidget:
    from careapp.ui.customers.stale import StaleDialog

    rows = [("Email", "ann@example.com", "ann.evans@example.com"), ("Phone", "07700 900123", "")]
    return StaleDialog("Sam changed this customer while you were editing.", rows)


def _record_feedback(kit: Kit) -> QWidget:
    from careapp.ui.feedback.panel import RecordFeedbackDialog

    return RecordFeedbackDialog()


def _publish(kit: Kit) -> QWidget:
    from careapp.services.tickets.feedback import Feedback
    from careapp.ui.feedback.panel import PublishDialog

    words = "Lovely help with the fitting. " * 6
    said = Feedback(1, kit.customer.id, None, NOW, "Sam", True, words, False, None, "", "")
    return PublishDialog(said)


def _import(kit: Kit) -> QWidget:
    from careapp.ui.importing.dialog import ImportDialog

    return ImportDialog(kit.services.imports, kit.runner, kit.prompts, "Priya")  # type: ignore[arg-type]


def _fcr(kit: Kit) -> QWidget:
    from careapp.ui.reports.screen import FcrReportWindow

    return FcrReportWindow(kit.services, kit.runner, kit.actor)


def _drill(kit: Kit) -> QWidget:
    from careapp.ui.reports.screen import FcrReportWindow

    report = FcrReportWindow(kit.services, kit.runner, kit.actor)
    kit.keep = report  # the drill-down's parent
    wait_a_moment(report)
    model = report.model
    for column in range(model.columnCount()):
        if model.figure(column) is not None:
            drill = report.drill_down(model.index(0, column))
            assert drill is not None
            return drill
    raise AssertionError("the FCR report shows no figure to drill into")


def _rules(kit: Kit) -> QWidget:
    from careapp.ui.rules.dialog import RulesDialog

    return RulesDialog(kit.services, kit.runner, kit.actor, kit.prompts)  # type: ignore[arg-type]


def _article(kit: Kit) -> QWidget:
    from careapp.ui.rules.library import ArticleDialog

    return ArticleDialog(kit.services, kit.runner, kit.actor)


def _shortcuts(kit: Kit) -> QWidget:
    from careapp.ui.shortcuts import ShortcutsDialog

    window = _main_window(kit, 0)
    kit.keep = window
    return ShortcutsDialog(window)


def _staff(kit: Kit) -> QWidget:
    from careapp.ui.staff.editor import StaffDialog

    return StaffDialog(kit.services, kit.runner, kit.actor)


def _ticket(kit: Kit) -> QWidget:
    from careapp.ui.tickets.dialog import TicketDialog

    tickets = kit.services.tickets
    busiest = max((t for c in kit.ids[:40] for t in tickets.tickets_for_customer(c)), key=lambda t: t.id)
    return TicketDialog(kit.services, kit.runner, kit.actor, busiest.id)


def _value(kit: Kit) -> QWidget:
    from careapp.ui.value.window import ValueWindow

    return ValueWindow(kit.services, kit.runner)


def _reward_rules(kit: Kit) -> QWidget:
    from careapp.ui.rewards.rules_dialog import RewardRulesDialog

    return RewardRulesDialog(kit.services, kit.runner, lambda: kit.actor)


def _rewards_report(kit: Kit) -> QWidget:
    from careapp.ui.rewards.report_window import RewardsReportWindow

    return RewardsReportWindow(kit.services, kit.runner)


def _mail_settings(kit: Kit) -> QWidget:
    from careapp.ui.mail.settings_dialog import MailSettingsDialog

    return MailSettingsDialog(kit.services, kit.runner)


def _outbox(kit: Kit) -> QWidget:
    from careapp.services.mail.outbox import OutboxMessage
    from careapp.ui.mail.outbox_window import OutboxWindow

    reason = "The mail server refused the address ann@example.com (550 5.1.1 No such user here)."
    kit.services.mail.outbox.put(
        OutboxMessage(
            "<1@shop.example>", 1, kit.ids[0], "ann@example.com", "Happy birthday", "Hi", "failed", reason
        )
    )
    return OutboxWindow(kit.services, kit.runner, lambda: kit.actor)


def _record_consent(kit: Kit) -> QWidget:
    from careapp.ui.customers.consent_dialog import RecordConsentDialog

    customer = kit.customer
    who, today = customer.display_name(), NOW.date()
    return RecordConsentDialog(kit.services.customers, kit.runner, "Priya", [customer.id], who, today)


def _control_group(kit: Kit) -> QWidget:
    from careapp.ui.value.control_dialog import ControlGroupDialog

    return ControlGroupDialog(kit.services.value, kit.runner, lambda: kit.actor)


# Every top-level window and dialog careapp shows (its own classes; Qt's message boxes and input
# dialogs size themselves). tests/ui/test_every_window_fits.py fails when a dialog class is missing.
WINDOWS: dict[str, Callable[[Kit], QWidget]] = {
    "main window: care queue": lambda kit: _main_window(kit, 0),
    "main window: customers": lambda kit: _main_window(kit, 1),
    "main window: overview": lambda kit: _main_window(kit, 2),
    "main window: tickets": lambda kit: _main_window(kit, 3),
    "welcome": _welcome,
    "shop settings": _shop_settings,
    "about": _about,
    "error": _error,
    "backups": _backups,
    "calendar": _calendar,
    "shared database server": _connection,
    "log a call": _log_call,
    "snooze": _snooze,
    "skip": _skip,
    "write message": _message,
    "bulk edit": _bulk_edit,
    "customer editor": _editor,
    "add note": _note,
    "erase": _erase,
    "record a purchase": _purchase,
    "changed meanwhile": _stale,
    "record feedback": _record_feedback,
    "publish feedback": _publish,
    "import": _import,
    "FCR report": _fcr,
    "FCR drill-down": _drill,
    "care rules": _rules,
    "article": _article,
    "keyboard shortcuts": _shortcuts,
    "staff list": _staff,
    "ticket": _ticket,
    "value and retention": _value,
    "reward rules": _reward_rules,
    "rewards report": _rewards_report,
    "email sending": _mail_settings,
    "outbox": _outbox,
    "record consent": _record_consent,
    "control group": _control_group,
}


def wait_a_moment(widget: QWidget, seconds: float = 0.3) -> None:
    """Let the window's loads (posted to the event loop) and layouts finish."""
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def build_kit(folder: Path) -> Kit:
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.services.demo.customers import DemoSpec, fill_demo

    os.environ.pop("CAREAPP_DATABASE_URL", None)
    paths = resolve_paths(str(folder / "data"))
    services = build_services(paths, clock=lambda: NOW)
    fill_demo(services.db, DemoSpec(customers=120, seed=3), NOW)
    kit = Kit(services, folder)
    from careapp.services.demo.tickets import fill_demo_tickets

    fill_demo_tickets(services.db, kit.ids[:40], 3, NOW, 30)
    return kit


def check_each(kit: Kit, names: list[str]) -> Iterator[dict[str, object]]:
    from PySide6.QtWidgets import QApplication

    from careapp.ui.fit import FRAME_HEIGHT, FRAME_WIDTH
    from tests.ui.fit_check import fit_problems
    from tests.ui.text_check import screen_word_problems

    free = QApplication.primaryScreen().availableGeometry()
    for name in names:
        kit.keep = None
        try:
            window = WINDOWS[name](kit)
        except Exception as error:  # said in the report; the run goes on
            yield {"name": name, "class": "", "problems": [f"could not be opened: {error!r}"], "words": []}
            continue
        window.show()
        wait_a_moment(window)
        problems = fit_problems(window, free.width() - FRAME_WIDTH, free.height() - FRAME_HEIGHT)
        words = screen_word_problems(window)
        yield {"name": name, "class": type(window).__name__, "problems": problems, "words": words}
        if os.environ.get("FIT_SHOTS"):  # pictures to look at: FIT_SHOTS=folder
            window.grab().save(str(Path(os.environ["FIT_SHOTS"]) / f"{name.replace(' ', '-')}.png"))
        window.close()
        window.deleteLater()
        if kit.keep is not None:
            kit.keep.close()
            kit.keep.deleteLater()
        QApplication.processEvents()


def main(argv: list[str]) -> int:
    size, scheme, *names = argv
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        os.environ["QT_QPA_PLATFORM"] = screen_config(size, folder)
        from PySide6.QtCore import QLocale
        from PySide6.QtWidgets import QApplication

        from careapp.ui import qt_workarounds
        from careapp.ui.fit import keep_windows_on_screen
        from careapp.ui.theme import apply_color_scheme

        app = QApplication([])
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        qt_workarounds.install()
        apply_color_scheme(app, scheme)
        fit = keep_windows_on_screen(app)
        kit = build_kit(folder)
        results = list(check_each(kit, names or list(WINDOWS)))
        kit.services.close()
        del fit
        print(json.dumps({"windows": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
