"""The first staff list, made from the names typed in the shop settings (the first one as owner).

Until a shop has an owner on its staff list, everyone may do everything (see
:mod:`careapp.services.shop.staff`). When the list is empty but the shop settings name its staff, careapp
offers once per start to make the list from those names, so that roles apply from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import StaffMember

translate = QCoreApplication.translate


def create_staff_from_names(services: Services, names: Sequence[str], pin: str = "") -> list[StaffMember]:
    """Database thread: the first name as owner, the others as staff; returns the active list.

    Does nothing if the list has members already (another seat may have been quicker). ``pin``, if
    given, becomes the owner's PIN.
    """
    from careapp.services.shop.staff import Role

    if services.staff.list(include_inactive=True):
        return services.staff.list()
    cleaned = list(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
    if not cleaned:
        return []
    owner = services.staff.add(None, cleaned[0], Role.OWNER).actor()
    for name in cleaned[1:]:
        services.staff.add(owner, name, Role.STAFF)
    if pin:
        services.staff.set_owner_pin(owner, pin)
    return services.staff.list()


def bootstrap_question(names: Sequence[str]) -> tuple[str, str, str]:
    """(text, detail, action) of the question that offers the first staff list."""
    first, others = names[0], ", ".join(names[1:])
    text = translate("StaffBootstrap", "Make the staff list from the shop's staff names?")
    if others:
        detail = translate(
            "StaffBootstrap",
            "{owner} becomes the owner; {others} will work as staff. Then only the owner can delete "
            "customers, export the customer list, edit care rules and change the staff list, and every "
            "contact and change records who made it. You can change this under File → Staff list.",
        ).format(owner=first, others=others)
    else:
        detail = translate(
            "StaffBootstrap",
            "{owner} becomes the owner. Add staff later under File → Staff list; then only the owner can "
            "delete customers, export the customer list and edit care rules.",
        ).format(owner=first)
    return text, detail, translate("StaffBootstrap", "Make the staff list")
