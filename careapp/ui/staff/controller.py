"""Who is working, for the main window: the picker's names from the staff list, the staff list
editor, the quick switch, and the offer to make the first staff list from the shop's names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.staff.bootstrap import bootstrap_question, create_staff_from_names
from careapp.ui.staff.picker import StaffPicker
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import StaffMember
    from careapp.ui.staff.editor import StaffDialog

SWITCH_SHORTCUT = "Ctrl+Shift+W"


class StaffController(QObject):
    """Fills the "Working as" picker from the staff list and runs the staff actions.

    Before the shop has a staff list the picker offers the shop settings' names (anyone may do
    anything then); the message bar offers, once per start, to make the list from them.
    """

    def __init__(self, window: QWidget, runner: Runner, picker: StaffPicker, message_bar: MessageBar) -> None:
        super().__init__(window)
        self._window, self._runner, self._picker, self._bar = window, runner, picker, message_bar
        self._services: Services | None = None
        self._offered = False
        self.dialog: StaffDialog | None = None
        self.list_action = QAction(self.tr("S&taff list…"), window)
        self.list_action.setToolTip(self.tr("Who works here, and who is the owner"))
        self.list_action.triggered.connect(self.show_list)
        self.switch_action = QAction(self.tr("S&witch who is working"), window)
        self.switch_action.setShortcut(QKeySequence(SWITCH_SHORTCUT))
        self.switch_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.switch_action.setToolTip(self.tr("Choose who is working at this computer"))
        self.switch_action.triggered.connect(picker.popup)
        for action in (self.list_action, self.switch_action):
            window.addAction(action)
        self.list_action.setEnabled(False)

    def attach(self, services: Services) -> None:
        """The database is open; :meth:`load` fills the picker."""
        self._services = services
        self.list_action.setEnabled(True)

    def load(self, shop_names: Sequence[str]) -> None:
        """Read the staff list; fall back to the shop's names while there is none."""
        if not self._picker.has_members():
            self._picker.set_names(shop_names)  # at once; the staff list, if any, replaces them
        if self._services is None:
            return
        staff, names = self._services.staff, tuple(shop_names)
        self._runner.submit(
            lambda: staff.list(include_inactive=True),
            lambda members: self._loaded(members, names),
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _loaded(self, members: list[StaffMember], shop_names: tuple[str, ...]) -> None:
        if members:
            self._picker.set_members(members)
            return
        if shop_names and not self._offered:
            self._offered = True
            text, detail, action = bootstrap_question(shop_names)
            self._bar.show_message(f"{text} {detail}", action, lambda: self.make_list(shop_names))

    def make_list(self, names: Sequence[str]) -> None:
        """The first staff list: the first name as owner, the others as staff."""
        if self._services is None:
            return
        services, chosen = self._services, tuple(names)
        self._runner.submit(
            lambda: create_staff_from_names(services, chosen),
            self._made,
            lambda error: self._bar.show_message(sentence(error), error=True),
            owner=self,
        )

    def _made(self, members: list[StaffMember]) -> None:
        self._picker.set_members(members)
        owners = ", ".join(m.name for m in members if str(m.role) == "owner")
        self._bar.show_message(
            self.tr("Made the staff list; {owners} is the owner. Change it under File → Staff list.").format(
                owners=owners
            )
        )

    def show_list(self) -> StaffDialog | None:
        if self._services is None:
            return None
        if self.dialog is None:
            from careapp.ui.staff.editor import StaffDialog  # not needed before the first paint

            dialog = StaffDialog(self._services, self._runner, self._picker.current_actor(), self._window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.changed.connect(self._picker.set_members)
            dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
            self.dialog = dialog
            dialog.open()
        self.dialog.raise_()
        return self.dialog
