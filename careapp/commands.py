"""The ``careapp`` command's parser and its headless commands, on the same services as the app
(``careapp.cli`` comes here for everything but opening the window).

Heavy modules (SQLAlchemy, Alembic, Qt) are imported inside the commands that need them, so
``careapp --version`` does not wait for them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from careapp import __version__
from careapp.cli_connect import add_connect_parser
from careapp.cli_errors import count_argument, data_dir_problem, mapping_argument, reading_problem
from careapp.cli_rewards import add_rewards_parser, run_rewards
from careapp.config import Paths, SeatConfigError, resolve_paths
from careapp.domain.wording import counted

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.customers.importer import ImportSummary, UndoResult

EXIT_OK = 0
EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careapp", description="Customer care for small shops.")
    parser.add_argument("--version", action="version", version=f"careapp {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="folder for the database, backups and logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("gui", help="open the desktop app (the default)")

    importer = commands.add_parser("import", help="import customers from a CSV or vCard file")
    importer.add_argument("file", type=Path)
    importer.add_argument("--dry-run", action="store_true", help="show what would happen, change nothing")
    importer.add_argument("--format", choices=("text", "json"), default="text")
    importer.add_argument(
        "--mapping",
        type=mapping_argument,
        metavar="JSON",
        help='for other CSVs: {"Header": "field", ...}',
    )
    importer.add_argument("--staff", default="import", help="who is recorded as doing the import")
    importer.add_argument(
        "--take-file-values",
        action="store_true",
        help="where a row and careapp hold different values (a birthday, a name), take the file's "
        "(careapp keeps its own otherwise)",
    )

    commands.add_parser("undo-import", help="undo the last import").add_argument(
        "--force", action="store_true", help="undo even if some imported customers were edited since"
    )

    exporter = commands.add_parser("export", help="export data")
    what = exporter.add_subparsers(dest="what", metavar="WHAT", required=True)
    customers = what.add_parser("customers", help="every customer, to CSV, vCard 4.0 or JSON")
    customers.add_argument("file", type=Path)
    customers.add_argument("--format", choices=("csv", "vcard", "json"), default=None)
    customers.add_argument("--as", dest="actor", metavar="NAME", help=_AS_HELP)
    _add_ics_parser(what)
    one = what.add_parser("customer", help="everything careapp holds about one customer, as JSON (0600)")
    one.add_argument("customer_id", type=int, metavar="ID")
    one.add_argument("file", type=Path)

    demo = commands.add_parser("demo", help="fill the database with realistic demo customers")
    demo.add_argument("--customers", type=count_argument, default=200)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--history",
        type=count_argument,
        default=None,
        metavar="N",
        help="contacts and purchases in all (default: about 10 per customer)",
    )
    demo.add_argument(
        "--tickets",
        type=count_argument,
        default=0,
        metavar="N",
        help="also add N service tickets with their contacts, spread over the customers (default 0)",
    )
    _add_report_parser(commands)
    _add_staff_parser(commands)
    _add_agenda_parser(commands)
    _add_sync_parser(commands)
    _add_erase_parser(commands)
    _add_backup_parsers(commands)
    add_connect_parser(commands)
    add_rewards_parser(commands)
    return parser


def _add_backup_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup",
        help="copy the database to FILE (safe while careapp runs)",
        description="Copies the database with SQLite's online backup API (pg_dump for PostgreSQL).",
    )
    backup.add_argument("file", type=Path)
    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup FILE (checked first; the current one is kept)",
        description=(
            "Checks FILE (a whole careapp database this version knows), keeps the current database in "
            "backups/replaced-<time>.db, loads FILE in its place and upgrades it if it is older. Close "
            "careapp on every computer using this database first (pg_restore for PostgreSQL)."
        ),
    )
    restore.add_argument("file", type=Path)


def _add_sync_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser(
        "sync",
        help="push calendar items to the CalDAV calendar (only what changed)",
        description=(
            "Brings the CalDAV calendar set in the calendar settings up to date with careapp: adds new "
            "items, updates changed ones and removes done or cancelled ones. Rewrites the feed file too "
            "when one is set. The password is kept in the system keyring only."
        ),
    )
    sync.add_argument("--url", metavar="URL", help="set the calendar's address (saved in the settings)")
    sync.add_argument("--user", metavar="NAME", help="set the CalDAV user name (saved in the settings)")
    sync.add_argument(
        "--calendar",
        metavar="NAME",
        help="find the calendar called NAME on the server at --url (or the saved address) and use it",
    )
    sync.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input and keep it in the system keyring",
    )


_AS_HELP = "who does this (an owner, once the staff list has one)"


def _add_erase_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    erase = commands.add_parser(
        "erase",
        help="erase a customer completely on their request (cannot be undone)",
        description=(
            "Removes the customer with everything about them (contacts, tickets, touches, calendar "
            "items, notes, purchases, consent history) and rewrites mentions of them elsewhere. Only the "
            "audit trail keeps that an erasure happened: the id, when, who, why and how many rows, "
            "never the personal data. There is no undo."
        ),
    )
    what = erase.add_subparsers(dest="what", metavar="WHAT", required=True)
    one = what.add_parser("customer", help="one customer, by id")
    one.add_argument("customer_id", type=int, metavar="ID")
    one.add_argument("--reason", required=True, help="why (kept in the audit trail; must not name them)")
    one.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    one.add_argument("--as", dest="actor", metavar="NAME", help=_AS_HELP)


def _add_ics_parser(what: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ics = what.add_parser(
        "ics",
        help="calendar items to an .ics file (adds only: later changes will not follow)",
        description=(
            "Writes birthdays and other dates (as yearly events), the care queue and promised callbacks "
            "to an iCalendar file to import into a calendar app. An imported file adds events once: "
            "later changes in careapp will not follow. For a calendar that stays current, subscribe "
            "to the feed or use 'careapp sync'."
        ),
    )
    ics.add_argument("file", type=Path)
    ics.add_argument("--from", dest="first_day", type=_day, metavar="YYYY-MM-DD", help="first day (today)")
    ics.add_argument("--days", type=_calendar_days, default=None, metavar="N", help="days ahead (30)")
    ics.add_argument(
        "--kinds",
        type=_kinds,
        default=None,
        metavar="KINDS",
        help="comma-separated: birthdays,dates,queue,callbacks (default: the calendar settings)",
    )


def _days_argument(most: int, sentence: str) -> Callable[[str], int]:
    """An argparse type: a whole number of days from 0 to ``most``; ``sentence`` says the range."""

    def days(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
        if not 0 <= value <= most:
            raise argparse.ArgumentTypeError(sentence)
        return value

    return days


_calendar_days = _days_argument(366, "the calendar covers 0 to 366 days ahead")


def _kinds(text: str) -> tuple[object, ...]:
    from careapp.services.calendar.service import parse_kinds

    try:
        return parse_kinds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="service, value and retention reports")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    fcr = kinds.add_parser(
        "fcr",
        help="first-contact resolution, reopen and repeat rates, response times, open backlog",
        description=(
            "First-contact resolution (one-touch, gross, net, strict), reopen and repeat rates, median "
            "time to first response and to resolution, for tickets first resolved in the period, and "
            "the open backlog by age. The period is in local days, both ends included; by default it "
            "is the current year to date (1 January to today). Definitions are printed below the text "
            "table."
        ),
    )
    fcr.add_argument("--from", dest="first_day", type=_day, metavar="YYYY-MM-DD", help="first day")
    fcr.add_argument("--to", dest="last_day", type=_day, metavar="YYYY-MM-DD", help="last day (included)")
    fcr.add_argument("--by", choices=("month", "staff", "category"), default="month")
    fcr.add_argument("--format", choices=("text", "csv", "json"), default="text")
    fcr.add_argument(
        "--as-of",
        type=_moment,
        metavar="YYYY-MM-DD[THH:MM]",
        help="count only what was known then, local time (a date alone: the end of that day); default now",
    )
    fcr.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of the screen")
    from careapp.cli_value import add_value_reports

    add_value_reports(kinds, _day)


def _add_staff_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = commands.add_parser("staff", help="the staff list and roles")
    actions = staff.add_subparsers(dest="staff_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a staff member (the first one may be the owner)")
    add.add_argument("name")
    add.add_argument("--role", choices=("owner", "staff"), default="staff")
    add.add_argument("--as", dest="actor", metavar="NAME", help=_AS_HELP)
    listing = actions.add_parser("list", help="list the staff")
    listing.add_argument("--all", action="store_true", help="include members who no longer work here")
    actions.add_parser(
        "reset-pin",
        help="remove the owner's PIN (whoever can run this on the shop's computer could anyway)",
    )


def _add_agenda_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agenda = commands.add_parser(
        "agenda",
        help="the care queue for a day, as the app shows it",
        description=(
            "Makes the touches due (as the app does when it starts), then prints the care queue for the "
            "day: overdue, today, the days ahead, held touches with the reason, and touches carried over "
            "to tomorrow. Days are in the shop's time zone."
        ),
    )
    agenda.add_argument(
        "--from", dest="first_day", type=_day, metavar="YYYY-MM-DD", help="the day to show (default: today)"
    )
    agenda.add_argument(
        "--days",
        type=_agenda_days,
        default=7,
        metavar="N",
        help="show what is due up to N days after that day, 0 to 30 (default 7; 0: today and overdue)",
    )
    agenda.add_argument("--format", choices=("text", "json"), default="text")
    agenda.add_argument(
        "--all",
        dest="list_all",
        action="store_true",
        help="list every touch of each section (the text lists the first 200 and counts the rest; "
        "JSON always has them all)",
    )


_agenda_days = _days_argument(30, "the agenda shows 0 to 30 days ahead")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _moment(text: str) -> dt.datetime:
    """A local date or date-time as naive UTC; a date alone means the last second of that day."""
    try:
        if len(text) == 10:
            local = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(23, 59, 59))
        else:
            local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or time; write YYYY-MM-DD[THH:MM]"
        ) from None
    if local.tzinfo is None:
        local = local.astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from careapp.app import run_gui

        return run_gui(args.data_dir)
    if args.command == "connect":  # before resolving the paths: it may be mending the choice
        from careapp.cli_connect import run_connect

        return run_connect(args)
    from careapp.logs import setup_logging

    if args.data_dir and (problem := data_dir_problem(Path(args.data_dir).expanduser())):
        print(f"careapp: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        paths = resolve_paths(args.data_dir)
    except SeatConfigError as error:  # this computer's connection file is damaged: say so, mend with connect
        print(f"careapp: {error}", file=sys.stderr)
        return 1
    setup_logging(paths.log_dir, console=False)
    if args.command in ("backup", "restore"):
        # Before the services: restore must check the file before opening (and migrating) anything.
        from careapp.cli_backup import run_backup_command

        return run_backup_command(args.command, paths, args.file)
    try:
        services = _services(args.data_dir)
    except Exception as error:
        from careapp.redact import redact

        # CAREAPP_DATABASE_URL may carry a password: not on the screen either.
        where = redact(f"{paths.database_url}: {_reason(error, paths)}")
        print(f"careapp: could not open the database at {where}", file=sys.stderr)
        return 1
    from careapp.db.database import DatabaseError

    if services.migration.repair_notice:  # a half-upgraded file was mended from its copy: say so
        print(f"careapp: {services.migration.repair_notice}", file=sys.stderr)
    try:
        return COMMANDS[args.command](services, args)
    except DatabaseError as error:  # a full disk, a read-only file: a sentence, not a traceback
        print(f"careapp: {error}", file=sys.stderr)
        return 1
    finally:
        services.close()


def _reason(error: BaseException, paths: Paths) -> str:
    """A shared server's failure in words (wrong password, unreachable, ...); else the error itself."""
    if paths.server is None or type(error).__name__ == "SecretUnavailable":
        return str(error)
    from careapp.services.shop.connection import explain

    sentence = explain(getattr(error, "orig", None) or error, paths.server)
    return f"{sentence} (careapp connect changes the connection)"


def _services(data_dir: str | None) -> Services:
    from careapp.context import build_services

    return build_services(resolve_paths(data_dir))


def _cmd_import(services: Services, args: argparse.Namespace) -> int:
    from careapp.importing import ColumnMapping, ImportFileError, NeedsColumnMapping

    mapping = ColumnMapping(args.mapping) if args.mapping else None
    try:
        if args.dry_run:
            summary = services.imports.preview(args.file, mapping, take_file_values=args.take_file_values)
        else:
            summary = services.imports.apply(
                args.file, args.staff, mapping, take_file_values=args.take_file_values
            )
    except NeedsColumnMapping as error:
        print(f"careapp: {error}", file=sys.stderr)
        suggestion = {h: t for h, t in error.suggested.columns.items()}
        print("Suggested mapping (pass it with --mapping):", json.dumps(suggestion), file=sys.stderr)
        return EXIT_USER_ERROR
    except ImportFileError as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as error:
        print(f"careapp: {reading_problem(error, args.file)}", file=sys.stderr)
        return EXIT_USER_ERROR
    if args.format == "json":
        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
    else:
        print(_import_text(summary))
    return EXIT_OK


def _import_text(summary: object) -> str:
    from careapp.services.customers.importer import ImportSummary

    assert isinstance(summary, ImportSummary)
    verb = "Would import" if summary.dry_run else "Imported"
    lines = [
        f"{verb} {summary.source_name} ({summary.format_label}, {summary.encoding}):",
        f"  created {summary.count('create')}, updated {summary.count('update')}, "
        f"merged {summary.count('merge')}, unchanged {summary.count('unchanged')}, "
        f"rejected {summary.count('reject')}",
    ]
    if summary.columns:  # what each column was read as; --mapping changes it
        read_as = ", ".join(f"{heading} → {field}" for heading, field in summary.columns.items())
        lines.append(f"  columns: {read_as}")
    lines += [f"  line {row.line}: {row.reason}" for row in summary.rejected_rows]
    lines += _differences_text(summary)
    lines += [f"  note: {warning}" for warning in summary.warnings]
    if summary.dry_run:
        lines.append("Nothing was changed (dry run).")
    return "\n".join(lines)


def _differences_text(summary: ImportSummary) -> list[str]:
    """Each row that contradicts careapp, field by field, and how to take the file's values."""
    from careapp.domain.import_differences import difference_text

    differing = summary.differing_rows
    if not differing:
        return []
    verb = "differs" if len(differing) == 1 else "differ"
    lines = [f"  {counted(len(differing), 'line')} {verb} from careapp:"]
    for row in differing:
        fields = "; ".join(difference_text(d, row.took_file_values) for d in row.differences)
        lines.append(f"  line {row.line} ({row.name}): {fields}")
    if not any(row.took_file_values for row in differing):
        lines.append("  To take the file's values for these lines, add --take-file-values.")
    return lines


def _undone_removed(result: UndoResult) -> str:
    """ "3 sales and 1 new customer" for an orders file, "2 customers" for a customer list."""
    if not result.sales_removed:
        return counted(result.removed, "customer")
    sales = counted(result.sales_removed, "sale")
    return f"{sales} and {counted(result.removed, 'new customer')}" if result.removed else sales


def _cmd_undo_import(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.customers.importer import NothingToUndo, UndoWouldLoseEdits

    try:
        result = services.imports.undo_last(force=args.force)
    except (NothingToUndo, UndoWouldLoseEdits) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(
        f"Undid the import of {result.source_name}: removed {_undone_removed(result)}, "
        f"restored {result.restored}."
    )
    return EXIT_OK


def _cmd_export(services: Services, args: argparse.Namespace) -> int:
    if args.what == "ics":
        return _cmd_export_ics(services, args)
    if args.what == "customer":
        return _cmd_export_customer(services, args)
    from careapp.services.customers.exporter import format_for
    from careapp.services.shop.staff import Actor, PermissionDenied

    export_format = args.format or format_for(args.file)
    try:
        count = services.guard.export_customers(Actor(args.actor or ""), args.file, export_format)
    except PermissionDenied as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as error:
        print(f"careapp: could not write {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Exported {counted(count, 'customer')} to {args.file} ({export_format}).")
    return EXIT_OK


def _cmd_export_customer(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.customers.service import CustomerNotFound
    from careapp.services.privacy.service import write_private_json

    try:
        document = services.guard.privacy.export_customer(args.customer_id)
        write_private_json(args.file, document)
    except CustomerNotFound as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as error:
        print(f"careapp: could not write {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    name = document["customer"]["display_name"]
    print(f"Exported everything careapp holds about {name} to {args.file} (readable by you only).")
    return EXIT_OK


def _cmd_erase(services: Services, args: argparse.Namespace) -> int:
    import getpass

    from careapp.services.customers.service import CustomerNotFound
    from careapp.services.privacy.service import InvalidErasure
    from careapp.services.shop.staff import Actor, PermissionDenied

    if not args.yes:
        print(
            f"careapp: erasing customer {args.customer_id} cannot be undone; add --yes to confirm.",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    try:
        # The audit needs a name: before a staff list exists, the computer's user (like the window).
        actor = Actor(args.actor or getpass.getuser())
        report = services.guard.erase_customer(actor, args.customer_id, args.reason)
    except (CustomerNotFound, InvalidErasure, PermissionDenied) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(
        f"Erased customer {report.customer_id}: {counted(report.total, 'row')} removed or rewritten. "
        "The audit trail keeps the id, when, who and why, nothing more."
    )
    if report.compact_note():
        print(report.compact_note())
    _rewrite_feed(services)
    return EXIT_OK


# The calendar settings' key (careapp/services/calendar/service.py's SETTINGS_KEY; a test holds them equal).
CALENDAR_SETTINGS_KEY = "calendar"


def _feed_is_set(services: Services) -> bool:
    """Whether a subscribed feed file is set, read without the calendar stack (0.3 s of imports that an
    erase on a shop without a feed does not need)."""
    from careapp.services.shop.settings import read_setting

    with services.db.session() as session:
        stored = read_setting(session, CALENDAR_SETTINGS_KEY)
    return bool(isinstance(stored, dict) and stored.get("feed_path"))


def _rewrite_feed(services: Services) -> None:
    """The erased customer leaves the subscribed feed now (CalDAV: at the next 'careapp sync')."""
    if not _feed_is_set(services):
        return
    from careapp.context import calendar_service

    calendar = calendar_service(services)
    try:
        path = calendar.write_feed()
    except OSError as error:
        print(f"careapp: could not rewrite the calendar feed: {error.strerror or error}", file=sys.stderr)
        return
    if path is not None:
        print(f"Rewrote the calendar feed {path} without them.")


def _cmd_export_ics(services: Services, args: argparse.Namespace) -> int:
    from careapp.context import calendar_service
    from careapp.services.calendar.service import ADDS_ONLY_NOTE

    calendar = calendar_service(services)
    first_day = args.first_day or services.touches.today()
    services.touches.refresh(first_day)
    try:
        count = calendar.export_ics(args.file, args.kinds, first_day, args.days)
    except OSError as error:
        print(f"careapp: could not write {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Wrote {counted(count, 'calendar event')} to {args.file}.")
    print(ADDS_ONLY_NOTE)
    return EXIT_OK


def _cmd_demo(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.demo.customers import DemoSpec, fill_demo

    spec = DemoSpec(customers=args.customers, seed=args.seed, history=args.history)
    result = fill_demo(services.db, spec, services.clock())
    print(
        f"Added {result.customers} demo customers with {result.purchases} purchases, "
        f"{result.contacts} contacts and {result.notes} notes (seed {args.seed})."
    )
    if args.tickets > 0:
        _demo_tickets(services, args)
    from careapp.services.demo.articles import fill_demo_articles

    articles = fill_demo_articles(services.db, services.touches.today(), services.clock())
    if articles:
        print(f"Added {articles} demo articles to the content library.")
    return EXIT_OK


def _demo_tickets(services: Services, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from careapp.db.models import CustomerRecord
    from careapp.services.demo.tickets import fill_demo_tickets

    with services.db.session() as session:
        customer_ids = list(session.scalars(select(CustomerRecord.id).order_by(CustomerRecord.id)))
    result = fill_demo_tickets(services.db, customer_ids, args.seed, services.clock(), args.tickets)
    print(
        f"Added {result.tickets} demo tickets with {result.contacts} contacts and "
        f"{result.state_changes} state changes."
    )


def _cmd_report(services: Services, args: argparse.Namespace) -> int:
    from careapp.clock import to_local
    from careapp.services.tickets.reports import render_csv, render_text, report_json

    if args.report != "fcr":
        from careapp.cli_value import run_value_report

        return run_value_report(services, args)
    today = to_local(services.clock()).date()
    last_day = args.last_day or today
    first_day = args.first_day or dt.date(last_day.year, 1, 1)
    if last_day < first_day:
        print(f"careapp: the report cannot end ({last_day}) before it starts ({first_day}).", file=sys.stderr)
        return EXIT_USER_ERROR
    result = services.reports.fcr(first_day, last_day, args.by, args.as_of)
    if args.format == "json":
        text = json.dumps(report_json(result), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = render_csv(result)
    else:
        text = render_text(result)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    from careapp.services.customers.exporter import write_atomically  # only here: it imports the customers

    try:
        # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
        write_atomically(args.output, text, "utf-8-sig" if args.format == "csv" else "utf-8")
    except OSError as error:
        print(f"careapp: could not write {args.output}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Wrote the report to {args.output} ({args.format}).")
    return EXIT_OK


def _cmd_staff(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.shop.staff import Actor, InvalidStaff, PermissionDenied, Role

    if args.staff_action == "list":
        members = services.staff.list(include_inactive=args.all)
        if not members:
            print("The staff list is empty; add the owner with: careapp staff add NAME --role owner")
        for member in members:
            print(f"{member.name}\t{member.role}" + ("" if member.active else "\t(inactive)"))
        return EXIT_OK
    if args.staff_action == "reset-pin":
        removed = services.staff.remove_owner_pin()
        print(
            "Removed the owner's PIN; set a new one under File → Staff list."
            if removed
            else "There is no owner's PIN to remove."
        )
        return EXIT_OK
    try:
        actor = Actor(args.actor) if args.actor else None
        member = services.staff.add(actor, args.name, Role(args.role))
    except (InvalidStaff, PermissionDenied) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Added {member.name} as {member.role}.")
    return EXIT_OK


def _cmd_agenda(services: Services, args: argparse.Namespace) -> int:
    import datetime as dt

    from careapp.services.care.agenda import (
        AGENDA_PAGE,
        SHOWN_AT_MOST,
        agenda_json,
        agenda_text,
        write_agenda,
    )
    from careapp.services.care.queue import QueueEntry

    today = services.touches.today()
    day = args.first_day or today
    as_json = args.format == "json"
    shown_at_most = None if args.list_all or as_json else SHOWN_AT_MOST
    services.touches.refresh(day)  # only the customers changed (or woken) since the last refresh
    if day > today:  # a preview of a later day is planned afresh, whole
        queue = services.care_queue.queue(day)
        if as_json:
            print(json.dumps(agenda_json(queue, args.days), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(agenda_text(queue, args.days, shown_at_most))
        return EXIT_OK
    until = day + dt.timedelta(days=args.days)
    # The agenda shows who, what, when and why: names only, not every customer's facts.
    page = AGENDA_PAGE if shown_at_most is None else min(AGENDA_PAGE, shown_at_most)
    first = services.care_queue.queue(day, page=page, until=until, names_only=True)
    care = services.care_queue

    def more(key: str, offset: int, limit: int) -> tuple[QueueEntry, ...]:
        return care.section(key, offset, limit, day, until, names_only=True)

    write_agenda(sys.stdout, first, more, args.days, as_json, shown_at_most)
    return EXIT_OK


def _cmd_sync(services: Services, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from careapp.context import calendar_service
    from careapp.services.calendar.sync import CalDavSync, SyncFailed
    from careapp.services.shop.secrets import SecretStore, SecretUnavailable

    calendar = calendar_service(services)
    settings = calendar.calendar_settings()
    if args.url or args.user:
        settings = replace(
            settings,
            caldav_url=args.url or settings.caldav_url,
            caldav_user=args.user or settings.caldav_user,
        )
        try:
            calendar.save_calendar_settings(settings)
        except ValueError as error:  # e.g. a password typed into the address: refused, not kept
            print(f"careapp: {error}", file=sys.stderr)
            return EXIT_USER_ERROR
    secrets = SecretStore()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            print("careapp: no password was given on standard input.", file=sys.stderr)
            return EXIT_USER_ERROR
        try:
            secrets.set(settings.caldav_url, settings.caldav_user, password)
        except SecretUnavailable as error:
            print(f"careapp: {error}", file=sys.stderr)
            return 1
    syncer = CalDavSync(services.db, services.clock, calendar, secrets)
    if args.calendar:
        try:
            found = syncer.find_calendar(settings.caldav_url, settings.caldav_user, args.calendar)
        except SyncFailed as error:
            print(f"careapp: {error}", file=sys.stderr)
            return 1
        print(f"Using the calendar {args.calendar!r} at {found}.")
        settings = calendar.calendar_settings()
    services.touches.refresh(services.touches.today())
    if settings.feed_path:
        try:
            print(f"Wrote the calendar feed to {calendar.write_feed()}.")
        except OSError as error:
            print(f"careapp: could not write the feed {settings.feed_path}: {error.strerror or error}")
    if not settings.caldav_url and settings.feed_path:
        return EXIT_OK
    result = syncer.sync()
    print(result.summary())
    return EXIT_OK if result.error is None else 1


COMMANDS = {
    "import": _cmd_import,
    "undo-import": _cmd_undo_import,
    "export": _cmd_export,
    "demo": _cmd_demo,
    "report": _cmd_report,
    "staff": _cmd_staff,
    "agenda": _cmd_agenda,
    "sync": _cmd_sync,
    "erase": _cmd_erase,
    "rewards": run_rewards,
}
