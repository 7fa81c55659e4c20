"""The process the kill tests SIGKILL: it does real user actions on a data folder, one after another,
through the app's services, and prints a line *after* each action has committed:

    start <kind> <n> [details]     before the action (it may be cut short)
    done <kind> <n> [details]      after it returned (committed)

Usage: python kill_child.py import DATA_DIR FILE...
       python kill_child.py bulk DATA_DIR ROUNDS
       python kill_child.py sync DATA_DIR ROUNDS      (password in CAREAPP_TEST_CALDAV_PASSWORD)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from careapp.config import resolve_paths
from careapp.context import Services, build_services
from careapp.domain.customer import LoyaltyStage, PartialDate

STAGES = (LoyaltyStage.CLIENT, LoyaltyStage.ADVOCATE)


def say(line: str) -> None:
    print(line, flush=True)


def run_imports(services: Services, files: list[str]) -> None:
    for number, name in enumerate(files):
        say(f"start import {number}")
        summary = services.imports.apply(Path(name), "kill-test")
        say(f"done import {number} {summary.count('create')}")


def bulk_stage(round_number: int) -> LoyaltyStage:
    return STAGES[round_number % 2]


def run_bulk_edits(services: Services, rounds: int) -> None:
    ids = services.customers.search_ids()
    for number in range(rounds):
        say(f"start bulk {number}")
        result = services.customers.bulk_edit(
            ids, "kill-test", add_tags=[f"round{number}"], stage=bulk_stage(number)
        )
        say(f"done bulk {number} {len(result.changed_ids)}")


def birthday_for(round_number: int) -> PartialDate:
    return PartialDate(1 + round_number % 12, 1 + round_number % 28)


class MemoryKeyring:
    """A keyring holding one password in memory (what is tested here is the database, not the keyring)."""

    def __init__(self, password: str) -> None:
        self.password = password

    def get_password(self, _service: str, _account: str) -> str:
        return self.password

    def set_password(self, _service: str, _account: str, _password: str) -> None:
        raise NotImplementedError


def run_syncs(services: Services, rounds: int) -> None:
    from dataclasses import replace

    from careapp.context import calendar_service
    from careapp.services.calendar.sync import CalDavSync
    from careapp.services.shop.secrets import SecretStore

    calendar = calendar_service(services)
    secrets: Any = SecretStore(backend=MemoryKeyring(os.environ["CAREAPP_TEST_CALDAV_PASSWORD"]), timeout=20)
    syncer = CalDavSync(services.db, services.clock, calendar, secrets)
    ids = services.customers.search_ids()
    for number in range(rounds):
        customer_id = ids[number % len(ids)]
        birthday = birthday_for(number)
        say(f"start edit {number} {customer_id} {birthday.month}-{birthday.day}")
        customer = services.customers.get(customer_id)
        services.customers.update(
            customer_id, replace(customer.draft(), birthday=birthday), customer.version, "kill-test"
        )
        say(f"done edit {number} {customer_id} {birthday.month}-{birthday.day}")
        say(f"start sync {number}")
        result = syncer.sync()
        if result.error:
            say(f"failed sync {number} {result.error}")
            sys.exit(3)
        say(f"done sync {number} {result.writes}")


def main(argv: list[str]) -> int:
    mode, data_dir, *rest = argv
    services = build_services(resolve_paths(data_dir))
    say("ready")
    if mode == "import":
        run_imports(services, rest)
    elif mode == "bulk":
        run_bulk_edits(services, int(rest[0]))
    elif mode == "sync":
        run_syncs(services, int(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    say("finished")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
