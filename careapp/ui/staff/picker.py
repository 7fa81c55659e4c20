"""Who is working at this seat: "Working as: Sam", remembered between sessions.

The names come from the staff list (``set_members``, with roles), or, before the shop has one, from
the shop settings' names (``set_names``) or just the computer's user name. The choice is kept in
QSettings, so each seat starts as whoever used it last; ``popup()`` is the quick switch (Ctrl+Shift+W
in the main window).

Actors: services take an :class:`~careapp.services.shop.staff.Actor`. :meth:`StaffPicker.current_actor`
makes one for the name chosen; call it only once the services are open (it imports the service
module, which the window must not do before its first paint). The role in it is for display: the
services check the role in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from careapp.services.shop.staff import Actor, StaffMember

CURRENT_STAFF_KEY = "staff/current"


def make_actor(name: str, role: str | None = None) -> Actor:
    """An actor for ``name`` (imports the service module: call it once the services are open)."""
    from careapp.services.shop.staff import Actor, Role

    return Actor(name, Role(role) if role else Role.STAFF)


class StaffPicker(QWidget):
    """A small "Working as" combo box over the staff names.

    With one name or none there is nothing to choose: it just names who is working (the
    computer's user name when there is no staff list), with a hint on where to add staff.
    """

    actorChanged = Signal(str)
    rolesChanged = Signal()  # the names offered, or their roles, were read afresh

    def __init__(self, settings: QSettings, fallback: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._fallback = fallback
        self._roles: dict[str, str] = {}
        self._chosen_name = ""
        # Asked before switching to the owner: (then) -> None, calling then() once allowed.
        self.owner_guard: Callable[[Callable[[], None]], None] | None = None
        self.label = QLabel(self.tr("&Working as:"))
        self.combo = QComboBox()
        self.combo.setAccessibleName(self.tr("Working as"))
        self.combo.setToolTip(self.tr("Who is recorded as making changes at this computer (Ctrl+Shift+W)"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.label.setBuddy(self.combo)
        self.only_name = QLabel()
        self.only_name.setAccessibleName(self.tr("Working as"))
        self.only_name.setToolTip(self.tr("Add staff under File → Staff list to choose who is working"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 0)  # apart from the customer count beside it
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.only_name)
        self.set_names(())
        self.combo.currentTextChanged.connect(self._chosen)

    def set_names(self, names: Sequence[str]) -> None:
        """Offer these names (no roles known), keeping the remembered one when it is there."""
        self._roles = {}
        self._offer(list(names))

    def set_members(self, members: Sequence[StaffMember]) -> None:
        """Offer the active members of the staff list, with their roles."""
        active = [m for m in members if m.active]
        self._roles = {m.name: str(m.role) for m in active}
        self._offer([m.name for m in active])

    def _offer(self, names: list[str]) -> None:
        choices = names or [self._fallback]
        remembered = self._settings.value(CURRENT_STAFF_KEY)
        before = self.actor()
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            for name in choices:
                self.combo.addItem(name)
                role = self._roles.get(name)
                if role:
                    index = self.combo.count() - 1
                    self.combo.setItemData(
                        index,
                        self.tr("{name} ({role})").format(name=name, role=role),
                        Qt.ItemDataRole.ToolTipRole,
                    )
            if isinstance(remembered, str) and remembered in choices:
                self.combo.setCurrentText(remembered)
        finally:
            self.combo.blockSignals(False)
        self.only_name.setText(self.actor())
        self._chosen_name = self.actor()
        self.combo.setVisible(len(choices) > 1)
        self.only_name.setVisible(len(choices) <= 1)
        self.label.setText(self.tr("&Working as:") if len(choices) > 1 else self.tr("Working as:"))
        if self.actor() != before:
            self.actorChanged.emit(self.actor())
        self.rolesChanged.emit()

    def has_members(self) -> bool:
        """Whether the names come from the staff list (with roles) rather than the shop settings."""
        return bool(self._roles)

    def actor(self) -> str:
        """The name of whoever is working."""
        return self.combo.currentText() or self._fallback

    def roles_apply(self) -> bool:
        """Whether the staff list has an owner, so only the owner may do the owner's actions."""
        return "owner" in self._roles.values()

    def role(self) -> str | None:
        """Their role on the staff list ("owner", "staff"), None before there is one."""
        return self._roles.get(self.actor())

    def current_actor(self) -> Actor:
        """Whoever is working, as the services want it (see the module docstring)."""
        return make_actor(self.actor(), self.role())

    def names(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(self.combo.count())]

    def choose(self, name: str) -> None:
        """Switch to ``name`` (ignored if it is not one of the choices)."""
        index = self.combo.findText(name)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def start_as(self, name: str) -> None:
        """Work as ``name`` from now on: the owner who has just set up the shop in the welcome (typing
        the PIN there), not whoever comes first in the staff list by name. Remembered at once, so the
        staff list read a moment later keeps them; no PIN is asked for this switch."""
        self._settings.setValue(CURRENT_STAFF_KEY, name)
        if name in self.names():
            self._accept(name)

    def popup(self) -> None:
        """The quick switch: the list of names opens with the keyboard in it."""
        if self.combo.isVisible():
            self.combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.combo.showPopup()

    def _chosen(self, name: str) -> None:
        if not name:
            return
        guard = self.owner_guard
        if guard is not None and self._roles.get(name) == "owner" and name != self._chosen_name:
            self._show(self._chosen_name)  # until the PIN (if any) was typed right
            guard(lambda: self._accept(name))
            return
        self._accept(name)

    def _show(self, name: str) -> None:
        self.combo.blockSignals(True)
        try:
            self.combo.setCurrentText(name)
        finally:
            self.combo.blockSignals(False)

    def _accept(self, name: str) -> None:
        self._show(name)
        self._chosen_name = name
        self._settings.setValue(CURRENT_STAFF_KEY, name)
        self.only_name.setText(name)
        self.actorChanged.emit(name)
