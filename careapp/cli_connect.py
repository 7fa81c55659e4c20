"""``careapp connect``: this seat's database from the command line (the same file as File → Database
connection…). Without options it says which database this seat uses.

    careapp connect --server postgresql://USER@HOST[:PORT]/DATABASE [--password-stdin] [--no-check]
    careapp connect --local

The password never goes on the command line (it would stay in the shell's history): it is read from
standard input and kept in the system keyring.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from careapp.config import (
    APP_NAME,
    DATA_DIR_ENV,
    DEFAULT_PORT,
    SeatConfig,
    SeatConfigError,
    SharedServer,
    load_seat_config,
    seat_config_path,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def add_connect_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    connect = commands.add_parser(
        "connect",
        help="choose this computer's database: its own file, or a shared PostgreSQL server",
        description=(
            "Without options: says which database this computer uses. --server tries the server first "
            "(unless --no-check) and saves the choice only if it works; the password is read from "
            "standard input (--password-stdin) and kept in the system keyring, never in a file."
        ),
    )
    where = connect.add_mutually_exclusive_group()
    where.add_argument("--server", metavar="URL", help="postgresql://USER@HOST[:PORT]/DATABASE")
    where.add_argument("--local", action="store_true", help="this computer only (the SQLite file)")
    connect.add_argument(
        "--password-stdin", action="store_true", help="read the server's password from stdin"
    )
    connect.add_argument("--no-check", action="store_true", help="save without trying the server first")


def parse_server(text: str) -> SharedServer:
    """``postgresql://user@host:port/db`` as a SharedServer; a sentence (ValueError) when it is not one."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg") or not parts.hostname:
        raise ValueError(f"{text!r} is not a server address; write postgresql://USER@HOST[:PORT]/DATABASE")
    if parts.password is not None:
        raise ValueError(
            "Leave the password out of the address (the shell would keep it in its history); "
            "give it with --password-stdin instead."
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"The port in {text!r} is not a number between 1 and 65535.") from None
    return SharedServer(
        host=parts.hostname,
        port=port,
        database=unquote(parts.path.lstrip("/")) or APP_NAME,
        user=unquote(parts.username or ""),
    )


def run_connect(args: argparse.Namespace) -> int:
    from careapp.services.shop.connection import save_connection, try_server
    from careapp.services.shop.secrets import SecretUnavailable

    seat_file = _seat_file(args.data_dir)  # even when damaged: --local or --server writes a good one
    if not args.server and not args.local:
        return _show(seat_file)
    if args.local:
        save_connection(seat_file, SeatConfig(), None)
        print("This computer now uses its own database (the file in its data folder).")
        return EXIT_OK
    try:
        server = parse_server(args.server)
    except ValueError as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else ""
    if not args.no_check:
        tried = try_server(server, password or _kept_password(server))
        if not tried.ok:
            print(f"careapp: {tried.message} Nothing was changed.", file=sys.stderr)
            return EXIT_FAILED
        print(tried.message)
    try:
        save_connection(seat_file, SeatConfig(server), password)
    except SecretUnavailable as error:
        print(f"careapp: {error} Nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    print(f"This computer now uses the shared database {server.address} (user {server.user or '-'}).")
    return EXIT_OK


def _kept_password(server: SharedServer) -> str | None:
    from careapp.services.shop.connection import stored_password
    from careapp.services.shop.secrets import SecretUnavailable

    try:
        return stored_password(server)
    except SecretUnavailable:
        return None


def _seat_file(data_dir: str | None) -> Path:
    given = data_dir or os.environ.get(DATA_DIR_ENV)
    return seat_config_path(Path(given).expanduser().resolve() if given else None)


def _show(seat_file: Path) -> int:
    try:
        server = load_seat_config(seat_file).server
    except SeatConfigError as error:
        print(f"careapp: {error}", file=sys.stderr)
        return EXIT_FAILED
    if server is None:
        print(f"This computer only (its own database file). Choice kept in {seat_file}.")
    else:
        print(f"Shared server {server.address}, user {server.user or '-'}. Choice kept in {seat_file}.")
    return EXIT_OK
