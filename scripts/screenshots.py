"""Screenshots of the real main window, editor, import preview, welcome and About dialogs, the call
log, a ticket, the first-contact resolution report, the care queue and the care overview, for
docs/screenshots/; and of the care queue's consent and empty states at the 1366x768 laptop size:
a touch moved to another channel after a consent was withdrawn in the editor (care-queue-moved), one
held because no other channel is allowed (care-queue-held-withdrawn), and a shop with nothing due
saying why (care-queue-empty).

Runs the real window (threaded runner, real SQLite file in a temporary folder, demo customers
from a fixed seed, a fixed clock and the en_GB locale, so the pictures are the same every time),
first in the light palette, then in the dark one:

    xvfb-run -a -s "-screen 0 1280x800x24" python scripts/screenshots.py [--out DIR]

``--care-states`` takes only the three care queue states (run it on a 1366x768 screen:
``xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots.py --care-states --out DIR``).
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
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget  # noqa: E402

from careapp.app import make_application  # noqa: E402
from careapp.domain.care_queue import Bucket  # noqa: E402
from careapp.domain.customer import Channel, CustomerDraft, EmailAddress, PartialDate  # noqa: E402
from careapp.domain.tickets import Outcome  # noqa: E402
from careapp.domain.touches import TouchKind  # noqa: E402
from careapp.services.care.view import SECTION_KEYS, CareQueue, QueueEntry  # noqa: E402
from careapp.ui.about import AboutInfo  # noqa: E402
from careapp.ui.care.queue_page import CareQueuePage  # noqa: E402
from careapp.ui.customers.consent_edit import WITHDRAW  # noqa: E402
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

# The care queue's consent and empty states are taken at the most common laptop screen's size.
LAPTOP = (1366, 768)
# The empty shop: customers added by hand, a few with a birthday in the spring (months away), none
# with a purchase yet, so nothing falls due in the next 30 days.
EMPTY_SHOP = (
    ("Ffion", "Bevan", PartialDate(3, 14)),
    ("Rhys", "Cadwallader", PartialDate(4, 2)),
    ("Megan", "Hughes", None),
    ("Owain", "Pritchard", PartialDate(5, 21, 1988)),
    ("Seren", "Thomas", None),
    ("Gareth", "Powell", None),
    ("Lowri", "Jenkins", PartialDate(6, 9)),
    ("Idris", "Vaughan", None),
    ("Nia", "Griffiths", None),
    ("Emrys", "Parry", None),
    ("Tegan", "Rowlands", None),
    ("Cai", "Llewellyn", PartialDate(3, 30)),
    ("Mali", "Owen", None),
    ("Huw", "Bowen", None),
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


# --- the care queue's consent and empty states ----------------------------------------------------


def withdrawal_targets(queue: CareQueue, avoid: int) -> tuple[QueueEntry, QueueEntry]:
    """Two touches coming up, of two customers: one whose customer accepts another of its channels
    (withdrawing its channel moves it there), and one on the only channel its customer accepts
    (withdrawing that holds it)."""
    upcoming = [
        e
        for e in (*queue.next_7_days, *queue.next_30_days)
        if e.channel is not None
        and not e.reason
        and e.customer_id != avoid
        and e.kind is not TouchKind.CALLBACK
    ]

    def liked(e: QueueEntry) -> tuple[bool, bool, bool, dt.date, int]:
        # This week's first (near its section's title), a birthday, by text message.
        soon = e.bucket is Bucket.NEXT_7_DAYS
        return (not soon, e.kind is not TouchKind.BIRTHDAY, e.channel is not Channel.SMS, e.day, e.touch_id)

    movable = sorted((e for e in upcoming if e.channel in e.channels and len(e.channels) > 1), key=liked)
    if not movable:
        raise LookupError("no upcoming touch whose customer accepts another of its channels")
    moved = movable[0]
    # The soonest first: it comes early in the Held section, beside its title.
    stuck = sorted(
        (e for e in upcoming if e.channels == (e.channel,) and e.customer_id != moved.customer_id),
        key=lambda e: (e.day, e.channel is not Channel.SMS, e.touch_id),
    )
    if not stuck:
        raise LookupError("no upcoming touch on the only channel its customer accepts")
    return moved, stuck[0]


def withdraw_in_editor(window: MainWindow, customer_id: int, channel: Channel, how: str) -> None:
    """As the owner does it: open the customer, *Withdraw consent* on the channel, say how, Save."""
    actions = window.customer_actions
    actions.edit_customer(customer_id)
    wait_until(lambda: actions.editor is not None and actions.editor.isVisible(), "the editor")
    editor = actions.editor
    assert editor is not None
    consent = editor.form.consent
    consent.change[channel].setCurrentIndex(WITHDRAW)
    consent.how[channel].setText(how)
    editor.save()
    wait_until(lambda: actions.editor is None, "the editor to save and close")


def queued_entry(page: CareQueuePage, touch_id: int) -> QueueEntry | None:
    return page.model.entry(page.model.find(touch_id))


def bring_into_section(page: CareQueuePage, key: str, touch_id: int) -> None:
    """Scroll to the end of the section, as a user would, until the touch's page of it has come."""
    section_row = SECTION_KEYS.index(key)
    section = page.model.section_index(key)

    def rows() -> int:
        return page.model.rowCount(section)

    while page.model.section_of(touch_id) != key:
        count = rows()
        if not page.model.has_more(section_row):
            raise LookupError(f"touch {touch_id} is not in the {key} section")
        page.tree.scrollTo(page.model.index(count - 1, 0, section))
        page.want_more_in_view()
        wait_until(lambda: rows() > count, f"more of the {key} section")  # noqa: B023 (waited for here)


def show_touch(
    window: MainWindow, page: CareQueuePage, touch_id: int, path: Path, top: str | None = None
) -> None:
    """Select the touch, its section's title at the top of the list if ``top``, and take the window."""
    assert page.select_touch(touch_id)
    wait_until(lambda: page.details.history.text() not in ("", "Loading…"), "the touch's history")
    if top is not None:
        tree = page.tree
        tree.scrollTo(page.model.section_index(top), QAbstractItemView.ScrollHint.PositionAtTop)
        QTest.qWait(100)  # laid out and scrolled: a second scrollTo before that would replace this one
        if not tree.viewport().rect().contains(tree.visualRect(page.model.find(touch_id))):
            tree.scrollTo(page.model.find(touch_id))  # in view, whatever the section's length
    page.tree.setFocus()
    save(window, path)


def shoot_consent_states(window: MainWindow, services: object, avoid: int, out: Path) -> None:
    """A consent withdrawn in the editor, twice: a touch moves to another channel the customer
    accepts (care-queue-moved), another, with no other channel allowed, waits under Held with the
    reason (care-queue-held-withdrawn)."""
    size = window.size()
    window.resize(*LAPTOP)
    page = window.care.queue_page
    window.pages.setCurrentWidget(page)
    queue = services.care_queue.queue()  # type: ignore[attr-defined]
    moved, stuck = withdrawal_targets(queue, avoid)
    assert moved.channel is not None and stuck.channel is not None

    withdraw_in_editor(window, moved.customer_id, moved.channel, "asked us to stop, by phone")
    wait_until(
        lambda: (
            (entry := queued_entry(page, moved.touch_id)) is not None
            and entry.reason.startswith("Moved from")
        ),
        "the touch to move to another channel",
        timeout=60,
    )
    show_touch(window, page, moved.touch_id, out / "care-queue-moved.png", top=moved.bucket.value)

    withdraw_in_editor(window, stuck.customer_id, stuck.channel, "unsubscribed, in the shop")
    # Held, it leaves its section (and may come beyond the Held section's first page).
    wait_until(
        lambda: page.model.section_of(stuck.touch_id) != stuck.bucket.value,
        "the touch to be held",
        timeout=60,
    )
    bring_into_section(page, "held", stuck.touch_id)
    entry = queued_entry(page, stuck.touch_id)
    assert entry is not None and "withdrew consent" in entry.reason, entry
    show_touch(window, page, stuck.touch_id, out / "care-queue-held-withdrawn.png", top="held")
    window.resize(size)


def shoot_empty_queue(workdir: Path, out: Path) -> None:
    """A new shop of customers added by hand, none with a purchase and few with a birthday, so
    nothing is due in the next 30 days: the queue says why rather than showing a row of zeros."""
    from careapp.config import resolve_paths
    from careapp.context import build_services

    services = build_services(resolve_paths(str(workdir / "empty-shop")), clock=lambda: NOW)
    for first, last, birthday in EMPTY_SHOP:
        email = EmailAddress(f"{first.lower()}.{last.lower()}@example.com")
        draft = CustomerDraft(first_name=first, last_name=last, emails=[email], birthday=birthday)
        services.customers.create(draft, "Sam")
    runner = ThreadedRunner()
    settings = QSettings(str(workdir / "ui-empty.ini"), QSettings.Format.IniFormat)
    window = MainWindow(runner, settings, "Sam")
    window.show()
    window.resize(*LAPTOP)  # after show: before it, the first show trims it to the screen's guess
    window.attach_services(services, services.settings.shop())
    try:
        page = window.care.queue_page
        window.pages.setCurrentWidget(page)
        wait_until(lambda: page.counts.text().startswith("Nothing due"), "the empty queue's sentence", 60)
        page.tree.setFocus()
        save(window, out / "care-queue-empty.png")
    finally:
        window.close()
        runner.shutdown()
        services.close()


def shoot_all(
    app: QApplication, window: MainWindow, services: object, customer_id: int, workdir: Path, out: Path
) -> None:
    """Every shot of the demo shop's window, in the light palette, then in the dark one."""
    shoot_care_queue(window, out)
    shoot_main_window(window, customer_id, out)
    shoot_editor(window, customer_id, out)
    shoot_import_preview(window, workdir, out)
    shoot_welcome(window, services, out, "light")
    shoot_about(window, out, "light")
    shoot_call_log(window, services, customer_id, out)
    shoot_ticket(window, services, out)
    shoot_fcr_report(window, out)
    shoot_dashboard(window, services, customer_id, out)
    shoot_consent_states(window, services, customer_id, out)
    shoot_empty_queue(workdir, out)
    # Shown before the switch: the message bar must follow the palette as it changes.
    window.message_bar.show_message(
        "careapp updated its database. A copy of the old one is kept in the backups folder."
    )
    apply_color_scheme(app, "dark")
    shoot_main_window(window, customer_id, out, "main-window-dark")
    shoot_welcome(window, services, out, "dark")
    shoot_about(window, out, "dark")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument(
        "--care-states",
        action="store_true",
        help="only the care queue's consent and empty states (care-queue-moved, care-queue-held-withdrawn, "
        "care-queue-empty)",
    )
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
            if args.care_states:
                shoot_consent_states(window, services, customer_id, args.out)
                shoot_empty_queue(workdir, args.out)
            else:
                shoot_all(app, window, services, customer_id, workdir, args.out)
        finally:
            window.close()
            runner.shutdown()
            services.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
