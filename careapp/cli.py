"""The ``careapp`` command: the desktop app by default, headless commands on the same services.

Heavy modules (SQLAlchemy, Alembic, Qt) are imported inside the commands that need them, so
``careapp --version`` and the window's first paint do not wait for them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from careapp import __version__
from careapp.config import resolve_paths

if TYPE_CHECKING:
    from careapp.context import Services

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
    importer.add_argument("--mapping", metavar="JSON", help='for other CSVs: {"Header": "field", ...}')
    importer.add_argument("--staff", default="import", help="who is recorded as doing the import")

    commands.add_parser("undo-import", help="undo the last import").add_argument(
        "--force", action="store_true", help="undo even if some imported customers were edited since"
    )

    exporter = commands.add_parser("export", help="export data")
    what = exporter.add_subparsers(dest="what", metavar="WHAT", required=True)
    customers = what.add_parser("customers", help="every customer, to CSV, vCard 4.0 or JSON")
    customers.add_argument("file", type=Path)
    customers.add_argument("--format", choices=("csv", "vcard", "json"), default=None)

    demo = commands.add_parser("demo", help="fill the database with realistic demo customers")
    demo.add_argument("--customers", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--history",
        type=int,
        default=None,
        metavar="N",
        help="contacts and purchases in all (default: about 10 per customer)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from careapp.app import run_gui

        return run_gui(args.data_dir)
    from careapp.logs import setup_logging

    paths = resolve_paths(args.data_dir)
    setup_logging(paths.log_dir, console=False)
    try:
        services = _services(args.data_dir)
    except Exception as error:
        print(f"careapp: could not open the database at {paths.database_url}: {error}", file=sys.stderr)
        return 1
    try:
        return COMMANDS[args.command](services, args)
    finally:
        services.close()


def _services(data_dir: str | None) -> Services:
    from careapp.context import build_services

    return build_services(resolve_paths(data_dir))


def _cmd_import(services: Services, args: argparse.Namespace) -> int:
    from careapp.importing import ColumnMapping, ImportFileError, NeedsColumnMapping

    mapping = ColumnMapping(json.loads(args.mapping)) if args.mapping else None
    try:
        if args.dry_run:
            summary = services.imports.preview(args.file, mapping)
        else:
            summary = services.imports.apply(args.file, args.staff, mapping)
    except NeedsColumnMapping as error:
        print(f"careapp: {error}", file=sys.stderr)
        suggestion = {h: t for h, t in error.suggested.columns.items()}
        print("Suggested mapping (pass it with --mapping):", json.dumps(suggestion), file=sys.stderr)
        return EXIT_USER_ERROR
    except (ImportFileError, OSError) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    if args.format == "json":
        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
    else:
        print(_import_text(summary))
    return EXIT_OK


def _import_text(summary: object) -> str:
    from careapp.services.importer import ImportSummary

    assert isinstance(summary, ImportSummary)
    verb = "Would import" if summary.dry_run else "Imported"
    lines = [
        f"{verb} {summary.source_name} ({summary.format_label}, {summary.encoding}):",
        f"  created {summary.count('create')}, updated {summary.count('update')}, "
        f"merged {summary.count('merge')}, unchanged {summary.count('unchanged')}, "
        f"rejected {summary.count('reject')}",
    ]
    lines += [f"  line {row.line}: {row.reason}" for row in summary.rejected_rows]
    lines += [f"  note: {warning}" for warning in summary.warnings]
    if summary.dry_run:
        lines.append("Nothing was changed (dry run).")
    return "\n".join(lines)


def _cmd_undo_import(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.importer import NothingToUndo, UndoWouldLoseEdits

    try:
        result = services.imports.undo_last(force=args.force)
    except (NothingToUndo, UndoWouldLoseEdits) as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(
        f"Undid the import of {result.source_name}: removed {result.removed} customer(s), "
        f"restored {result.restored}."
    )
    return EXIT_OK


def _cmd_export(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.exporter import ExportService, format_for

    export_format = args.format or format_for(args.file)
    try:
        count = ExportService(services.customers).export_customers(args.file, export_format)
    except OSError as error:
        print(f"careapp: could not write {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(f"Exported {count} customer(s) to {args.file} ({export_format}).")
    return EXIT_OK


def _cmd_demo(services: Services, args: argparse.Namespace) -> int:
    from careapp.services.demo import DemoSpec, fill_demo

    spec = DemoSpec(customers=args.customers, seed=args.seed, history=args.history)
    result = fill_demo(services.db, spec, services.clock())
    print(
        f"Added {result.customers} demo customers with {result.purchases} purchases, "
        f"{result.contacts} contacts and {result.notes} notes (seed {args.seed})."
    )
    return EXIT_OK


COMMANDS = {
    "import": _cmd_import,
    "undo-import": _cmd_undo_import,
    "export": _cmd_export,
    "demo": _cmd_demo,
}


if __name__ == "__main__":
    sys.exit(main())
