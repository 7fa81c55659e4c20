"""Screenshots of the real main window, editor, import preview, welcome and About dialogs, the call
log, a ticket, the first-contact resolution report, the care queue and the care overview, for
docs/screenshots/.

Runs the real window (threaded runner, real SQLite file in a temporary folder, demo customers
from a fixed seed, a fixed clock and the en_GB locale, so the pictures are the same every time),
first in the light palette, then in the dark one:

    xvfb-run -a -s "-screen 0 1280x800x24" python scripts/screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QLocale, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from careapp.app import make_application  # noqa: E402
from careapp.domain.tickets import Outcome  # noqa: E402
from careapp.ui.about import AboutInfo  # noqa: E402
from careapp.ui.customers.editor_rows import EmailRow  # noqa: E402
from careapp.ui.main_window import MainWindow  # noqa: E402
from careapp.ui.runner import ThreadedRunner  # noqa: E402
from careapp.ui.theme import apply_color_scheme  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 9, 30)
DEMO_SEED = 11
DEMO_CUSTOMERS = 400
DEMO_TICKETS = 600  # about a hundred a month over the half year before NOW, as `careapp demo --tickets`
# What the About dialog shows: an ordinary user's folders rather than the temporary ones used here.
ABOUT = AboutInfo(
    Path("/home/sam/.local/share/careapp"),
    "sqlite:////home/sam/.local/share/careapp/careapp.db",
    Path("/home/sam/.local/state/careapp/log/careapp.log"),
)
SHOPIFY_HEADER = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,"
    "Default Address Address2,Default Address City,Default Address Province Code,"
    "Default Address Country Code,"
    "Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags"
)
IMPORT_ROWS = (
    "Aled,Morgan,aled.morgan@example.com,yes,,4 Mill Lane,,Penarth,,GB,CF64 1AB,,'+447911123456,no,"
    "80.00,2,,no,tea",
    "Bethan,Rees,bethan.rees@example.org,no,,,,Cardiff,,GB,,,,no,0.00,0,Asked about gift vouchers,no,books",
    "Carys,Lloyd,carys-at-example.com,no,,,,,,,,,,no,0.00,0,,no,",
    "Dewi,Price,dewi.price@example.net,yes,,,,Swansea,,GB,,,,no,15.50,1,,no,coffee",
    ",,,no,,,,,,,,,,no,0.00,0,Walk-in; left no details,no,",
    "Eira,Howells,eira.howells@example.com,no,,,,Bath,,GB,,,,no,0.00,0,,no,vegan",
)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QTest.qWait(20)


def save(widget: QWidget, path: Path) -> None:
    QTest.qWait(200)  # let the last layout and paint settle
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"wrote {path}")


def richest_customer(services: object) -> int:
    """A customer whose detail page shows a bit of everything."""
    customers = services.customers  # type: ignore[attr-defined]

    def score(customer_id: int) -> int:
        customer = customers.get(customer_id)
        kinds = {entry.kind for entry in customers.timeline(customer_id)}
        given = sum(1 for state in customer.consents if state.granted)
        dated = bool(customer.birthday and customer.birthday.year)
        contacts = bool(customer.phones) + bool(customer.emails)
        return len(kinds) * 3 + given + dated * 2 + bool(customer.notes) * 2 + len(customer.tags) + contacts

    return max(customers.search_ids("")[:120], key=score)


def shoot_main_window(window: MainWindow, customer_id: int, out: Path, name: str = "main-window") -> None:
    window.pages.setCurrentWidget(window.splitter)
    panel = window.list_panel
    model = panel.model
    assert model is not None
    row = model.row_of(customer_id)
    assert row is not None
    panel.select_row(row)
    wait_until(
        lambda: window.detail.customer is not None and window.detail.customer.id == customer_id,
        "the customer's details",
    )
    wait_until(lambda: model.is_loaded(0) and model.is_loaded(row), "the list rows")
    panel.table.setFocus()
    save(window, out / f"{name}.png")


def shoot_editor(window: MainWindow, customer_id: int, out: Path) -> None:
    window.customer_actions.edit_customer(customer_id)
    wait_until(lambda: window.customer_actions.editor is not None, "the editor")
    editor = window.customer_actions.editor
    assert editor is not None
    row = editor.form.emails.add_row()
    assert isinstance(row, EmailRow)
    row.address.setText("ann.evans@example")
    row.label.setCurrentText("work")
    editor.save()
    wait_until(lambda: editor.problem.isVisible(), "the validation message")
    save(editor, out / "customer-editor.png")
    editor.done(0)  # leave without the "discard changes?" question


def shoot_import_preview(window: MainWindow, workdir: Path, out: Path) -> None:
    csv_path = workdir / "shop-customers.csv"
    csv_path.write_text("\n".join((SHOPIFY_HEADER, *IMPORT_ROWS)) + "\n", encoding="utf-8")
    dialog = window.import_actions.open_dialog()
    assert dialog is not None
    dialog.choose.path.setText(str(csv_path))
    dialog.next_button.click()
    wait_until(lambda: dialog.pages.currentWidget() is dialog.preview, "the import preview")
    save(dialog, out / "import-preview.png")
    dialog.done(0)


def shoot_welcome(window: MainWindow, services: object, out: Path, scheme: str) -> None:
    window.show_welcome(services.settings.shop())  # type: ignore[attr-defined]
    welcome = window.shop_actions.welcome
    assert welcome is not None
    wait_until(welcome.isVisible, "the welcome")
    form = welcome.form
    form.shop_name.setText("Bean There Coffee")
    form.staff.set_names(["Sam", "Jo", "Priya"])
    form.staff.list.setCurrentRow(0)
    form.shop_name.setFocus()
    save(welcome, out / f"welcome-{scheme}.png")
    welcome.done(0)  # leave without saving, so it can be shown again


def shoot_about(window: MainWindow, out: Path, scheme: str) -> None:
    window.about_info = ABOUT
    dialog = window.show_about()
    wait_until(dialog.isVisible, "the About dialog")
    dialog.close_button.setFocus()
    save(dialog, out / f"about-{scheme}.png")
    dialog.done(0)
    wait_until(lambda: window.about_dialog is None, "the About dialog to close")


def shoot_call_log(window: MainWindow, services: object, customer_id: int, out: Path) -> None:
    """Step 2 of logging a call: the prefilled form beside the customer's story, a few seconds in."""
    name = services.customers.get(customer_id).display_name()  # type: ignore[attr-defined]
    dialog = window.call_logger.open()
    assert dialog is not None
    wait_until(dialog.isVisible, "the call log")
    QTest.keyClicks(dialog.find_page.find_box, name)
    wait_until(lambda: dialog.find_page.model.match_count > 0, "the matches")
    matches = dialog.find_page.model
    ids = [getattr(matches.customer(r), "id", None) for r in range(matches.match_count)]
    row = ids.index(customer_id)
    for _ in range(row):
        QTest.keyClick(dialog.find_page.find_box, Qt.Key.Key_Down)
    QTest.keyClick(dialog.find_page.find_box, Qt.Key.Key_Return)
    wait_until(lambda: dialog.story.customer is not None, "the customer's story")
    form = dialog.form
    QTest.keyClicks(
        form.summary,
        "Grinder rattles on the finest setting. Talked them through re-seating the burr carrier; "
        "quiet again.",
    )
    form.category.setCurrentText("Grinder")
    form.outcomes[Outcome.RESOLVED_NOW].setChecked(True)
    form.confirmed.setChecked(True)
    form.feedback.setText("Brilliant, thank you!")
    QTest.qWait(2100)  # the call timer has ticked a little
    save(dialog, out / "call-log.png")
    dialog.done(0)  # leave without saving
    wait_until(lambda: window.call_logger.dialog is None, "the call log to close")


def busiest_ticket(services: object) -> int:
    """A ticket with a story to tell: many contacts and changes, a reopen, a repeat mark."""
    tickets = services.tickets  # type: ignore[attr-defined]
    customers = services.customers  # type: ignore[attr-defined]
    best, best_score = 0, -1
    for customer in customers.search_ids("")[:200]:
        for summary in tickets.tickets_for_customer(customer):
            ticket = tickets.ticket(summary.id)
            reopened = any(change.is_reopen for change in ticket.state_changes)
            score = len(ticket.contacts) + len(ticket.audit) + 4 * reopened
            score += 2 * (ticket.summary.repeat_of_id is not None)
            if score > best_score:
                best, best_score = summary.id, score
    return best


def shoot_ticket(window: MainWindow, services: object, out: Path) -> None:
    ticket_id = busiest_ticket(services)
    dialog = window.ticket_windows.open(ticket_id)
    assert dialog is not None
    wait_until(lambda: dialog.page is not None, "the ticket")
    dialog.buttons["resolve" if dialog.buttons["resolve"].isEnabled() else "reopen"].setFocus()
    save(dialog, out / "ticket.png")
    dialog.done(0)


def shoot_fcr_report(window: MainWindow, out: Path) -> None:
    """The last six months by month, with the trend, the backlog and the definitions."""
    report = window.report_actions.open_fcr()
    assert report is not None
    wait_until(lambda: report.data is not None, "the report")
    report.resize(1280, 800)
    report.table.setFocus()
    save(report, out / "fcr-report.png")
    report.done(0)


def richest_touch(queue: object) -> int:
    """A touch due this week whose panel shows a bit of everything: an age, a purchase, interests."""

    def score(entry: object) -> int:
        context = entry.context  # type: ignore[attr-defined]
        return (
            (context.age_turning is not None) * 4
            + bool(context.last_purchase) * 2
            + min(len(context.interests), 2)
            + (context.last_contact is not None)
        )

    entries = [*queue.due_today, *queue.next_7_days] or queue.entries()  # type: ignore[attr-defined]
    return max(entries, key=score).touch_id  # type: ignore[no-any-return]


def shoot_care_queue(window: MainWindow, out: Path) -> None:
    """The first page, as the owner sees it in the morning, a touch with its context selected."""
    page = window.care.queue_page
    window.pages.setCurrentWidget(page)
    wait_until(lambda: page.queue is not None, "the care queue")
    assert page.queue is not None
    touch_id = richest_touch(page.queue)
    page.select_touch(touch_id)
    wait_until(lambda: page.details.history.text() not in ("", "Loading…"), "the touch's history")
    page.tree.setFocus()
    save(window, out / "care-queue.png")


def work_the_queue(services: object, avoid: int) -> None:
    """A morning's work before the overview: a few touches done, a customer moved up the ladder."""
    from dataclasses import replace

    from careapp.domain.customer import LoyaltyStage
    from careapp.services.shop.staff import Actor

    queue = services.care_queue.queue()  # type: ignore[attr-defined]
    sam = Actor("Sam")
    ready = [e for e in queue.entries() if e.status == "queued" and e.customer_id != avoid and e.channels]
    for entry in ready[:6]:
        services.care_queue.done(sam, entry.touch_id)  # type: ignore[attr-defined]
    customers = services.customers  # type: ignore[attr-defined]
    moved = 0
    for customer_id in customers.search_ids("")[:60]:
        customer = customers.get(customer_id)
        if customer_id == avoid or customer.loyalty_stage is not LoyaltyStage.CUSTOMER:
            continue
        customers.update(
            customer_id, replace(customer.draft(), loyalty_stage=LoyaltyStage.CLIENT), customer.version, "Sam"
        )
        services.touches.record_stage_change(customer_id, sam)  # type: ignore[attr-defined]
        moved += 1
        if moved == 3:
            break


def shoot_dashboard(window: MainWindow, services: object, customer_id: int, out: Path) -> None:
    work_the_queue(services, customer_id)
    window.care.reload()
    page = window.care.dashboard
    page.overview = None
    window.pages.setCurrentWidget(page)
    wait_until(lambda: page.overview is not None, "the overview")
    page.drifting.setFocus()
    save(window, out / "dashboard.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.services.demo.articles import fill_demo_articles
    from careapp.services.demo.customers import DemoSpec, fill_demo
    from careapp.services.demo.tickets import fill_demo_tickets

    with tempfile.TemporaryDirectory(prefix="careapp-shots-") as folder:
        workdir = Path(folder)
        services = build_services(resolve_paths(str(workdir / "data")), clock=lambda: NOW)
        fill_demo(services.db, DemoSpec(customers=DEMO_CUSTOMERS, seed=DEMO_SEED), NOW)
        customer_ids = sorted(services.customers.search_ids(""))
        fill_demo_tickets(services.db, customer_ids, DEMO_SEED, NOW, DEMO_TICKETS)
        fill_demo_articles(services.db, services.touches.today(), NOW)
        runner = ThreadedRunner()
        window = MainWindow(runner, QSettings(str(workdir / "ui.ini"), QSettings.Format.IniFormat), "Sam")
        window.resize(1280, 800)
        window.show()
        window.attach_services(services, services.settings.shop())
        try:
            wait_until(
                lambda: window.list_panel.model is not None and window.list_panel.model.has_searched,
                "the customer list",
            )
            customer_id = richest_customer(services)
            shoot_care_queue(window, args.out)
            shoot_main_window(window, customer_id, args.out)
            shoot_editor(window, customer_id, args.out)
            shoot_import_preview(window, workdir, args.out)
            shoot_welcome(window, services, args.out, "light")
            shoot_about(window, args.out, "light")
            shoot_call_log(window, services, customer_id, args.out)
            shoot_ticket(window, services, args.out)
            shoot_fcr_report(window, args.out)
            shoot_dashboard(window, services, customer_id, args.out)
            # Shown before the switch: the message bar must follow the palette as it changes.
            window.message_bar.show_message(
                "careapp updated its database. A copy of the old one is kept in the backups folder."
            )
            apply_color_scheme(app, "dark")
            shoot_main_window(window, customer_id, args.out, "main-window-dark")
            shoot_welcome(window, services, args.out, "dark")
            shoot_about(window, args.out, "dark")
        finally:
            window.close()
            runner.shutdown()
            services.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
