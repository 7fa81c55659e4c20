"""The owner's PIN: a salted scrypt hash in the database, set by the owner only, removed on the
machine by `careapp staff reset-pin`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from careapp.cli import main
from careapp.config import resolve_paths
from careapp.context import Services, build_services
from careapp.db.models import SettingRecord
from careapp.services.shop.staff import OWNER_PIN_KEY, InvalidStaff, PermissionDenied, Role


def stored_values(services: Services) -> list[str]:
    with services.db.session() as session:
        return list(
            session.scalars(select(SettingRecord.value_json).where(SettingRecord.key == OWNER_PIN_KEY))
        )


def test_the_pin_is_kept_as_a_salted_scrypt_hash_and_checked(services: Services) -> None:
    staff = services.staff
    owner = staff.add(None, "Priya", Role.OWNER).actor()
    assert not staff.has_owner_pin() and staff.check_owner_pin("anything")  # nothing to guard yet
    staff.set_owner_pin(owner, "4711")
    assert staff.has_owner_pin()
    assert (
        staff.check_owner_pin("4711") and not staff.check_owner_pin("4712") and not staff.check_owner_pin("")
    )
    [value] = stored_values(services)
    stored = json.loads(value)
    assert "4711" not in value and set(stored) == {"salt", "hash", "n", "r", "p"}
    assert len(bytes.fromhex(stored["salt"])) == 16
    staff.set_owner_pin(owner, "4711")  # the same PIN again: a new salt, so another hash
    [again] = stored_values(services)
    assert json.loads(again)["hash"] != stored["hash"] and staff.check_owner_pin("4711")


def test_staff_cannot_set_the_pin_and_a_bad_pin_is_refused_in_words(services: Services) -> None:
    staff = services.staff
    owner = staff.add(None, "Priya", Role.OWNER).actor()
    sam = staff.add(owner, "Sam").actor()
    with pytest.raises(PermissionDenied, match="Only the owner can change the staff list"):
        staff.set_owner_pin(sam, "1234")
    for bad in ("12", "12ab", "1234567890123"):
        with pytest.raises(InvalidStaff, match="A PIN is 4 to 12 digits"):
            staff.set_owner_pin(owner, bad)
    assert not staff.has_owner_pin()


def test_reset_pin_on_the_command_line_removes_it(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path)
    services = build_services(resolve_paths(data))
    try:
        owner = services.staff.add(None, "Priya", Role.OWNER).actor()
        services.staff.set_owner_pin(owner, "4711")
    finally:
        services.close()
    assert main(["--data-dir", data, "staff", "reset-pin"]) == 0
    assert "Removed the owner's PIN" in capsys.readouterr().out
    assert main(["--data-dir", data, "staff", "reset-pin"]) == 0
    assert "There is no owner's PIN to remove." in capsys.readouterr().out
    services = build_services(resolve_paths(data))
    try:
        assert not services.staff.has_owner_pin()
        assert [m.name for m in services.staff.list()] == ["Priya"]  # only the PIN went
    finally:
        services.close()
