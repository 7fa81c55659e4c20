"""The staff list as a table: name, role, whether they still work here, since when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from careapp.ui.formatting import short_time
from careapp.ui.table import Column, RowsModel

if TYPE_CHECKING:
    from careapp.services.shop.staff import StaffMember

translate = QCoreApplication.translate


def role_name(role: str) -> str:
    return translate("Staff", "Owner") if role == "owner" else translate("Staff", "Staff")


class StaffListModel(RowsModel):
    """Members, active and not, in the service's order (by name)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(translate("Staff", "Name"), lambda m: m.name),
                Column(translate("Staff", "Role"), lambda m: role_name(str(m.role))),
                Column(
                    translate("Staff", "Works here"),
                    lambda m: translate("Staff", "yes") if m.active else translate("Staff", "no longer"),
                ),
                Column(translate("Staff", "On the list since"), lambda m: short_time(m.created_at)),
            ],
            parent,
            bold=lambda m: str(m.role) == "owner" and m.active,
        )

    def member(self, row: int) -> StaffMember:
        member: StaffMember = self.row_at(row)
        return member
