"""The staff list: who works here and who is the owner. Changing it is for the owner only.

Everyone can open it and see who is on the list; the service refuses changes by staff (the buttons
grey out for them too), and a refusal is shown as the service's sentence with nothing typed lost.
Members are never deleted: someone who left is marked so, and their name stays on what they did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH
from careapp.ui.change_panel import ChangePanel, ChangeSpec
from careapp.ui.formatting import sentence
from careapp.ui.runner import Runner
from careapp.ui.staff.model import StaffListModel, role_name
from careapp.ui.table import make_table
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.staff import Actor, StaffMember

ROLES = ("staff", "owner")


class StaffDialog(QDialog):
    """The staff list and its changes; ``changed(list[StaffMember])`` after each saved change."""

    changed = Signal(object)

    def __init__(
        self, services: Services, runner: Runner, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self.allowed = False
        self.setWindowTitle(self.tr("Staff list"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.has_pin = False
        self.pin_status = QLabel()
        self.pin_status.setAccessibleName(self.tr("Owner's PIN"))
        self.model = StaffListModel(self)
        self.table = make_table(self.tr("Staff"))
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.error = ErrorLabel(self.tr("Problem with the staff list"))
        self.panel = ChangePanel()
        self.panel.applyRequested.connect(lambda job: self._run(job, from_panel=True))
        self.rename_button = self._button(self.tr("&Rename…"), self._rename)
        self.role_button = self._button(self.tr("Make o&wner"), self._toggle_role)
        self.active_button = self._button(self.tr("&Left the shop"), self._toggle_active)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("New staff member's name"))
        self.name.setPlaceholderText(self.tr("name"))
        self.name.returnPressed.connect(self._add)
        self.role = QComboBox()
        self.role.setAccessibleName(self.tr("New staff member's role"))
        for role in ROLES:
            self.role.addItem(role_name(role), role)
        self.add_button = self._button(self.tr("&Add"), self._add)
        self.pin_button = self._button(self.tr("Owner's &PIN…"), self._ask_pin)
        self.pin_box = self._pin_box()
        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close_box.rejected.connect(self.reject)
        self.close_button = close_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        member_buttons = QHBoxLayout()
        for button in (self.rename_button, self.role_button, self.active_button):
            member_buttons.addWidget(button)
        member_buttons.addStretch(1)
        member_buttons.addWidget(self.pin_button)
        add_row = QHBoxLayout()
        add_label = QLabel(self.tr("New &member:"))
        add_label.setBuddy(self.name)
        add_row.addWidget(add_label)
        add_row.addWidget(self.name, 1)
        add_row.addWidget(self.role)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.pin_status)
        layout.addWidget(self.table, 1)
        layout.addLayout(member_buttons)
        layout.addWidget(self.panel)
        layout.addWidget(self.pin_box)
        layout.addLayout(add_row)
        layout.addWidget(self.error)
        layout.addWidget(close_box)
        self.resize(620, 460)
        self._update_buttons()
        self.reload()

    def _pin_box(self) -> QGroupBox:
        """The owner's PIN, typed twice; shown by "Owner's PIN…" (owner only)."""
        box = QGroupBox(self.tr("Owner's PIN"))
        self.pin = self._pin_field(self.tr("New PIN"))
        self.pin_again = self._pin_field(self.tr("New PIN again"))
        self.pin_again.returnPressed.connect(self._save_pin)
        hint = QLabel(
            self.tr(
                "{low} to {high} digits, asked when someone switches to the owner and before the owner's "
                "actions. It keeps the shop floor tidy; it does not protect the data from whoever "
                "controls this computer (careapp staff reset-pin removes it there)."
            ).format(low=PIN_MIN_LENGTH, high=PIN_MAX_LENGTH)
        )
        hint.setWordWrap(True)
        self.save_pin_button = self._button(self.tr("&Save PIN"), self._save_pin)
        cancel = self._button(self.tr("Cancel"), lambda: box.setVisible(False))
        fields = QHBoxLayout()
        for caption, field in ((self.tr("&New PIN:"), self.pin), (self.tr("Again:"), self.pin_again)):
            label = QLabel(caption)
            label.setBuddy(field)
            fields.addWidget(label)
            fields.addWidget(field, 1)
        fields.addWidget(self.save_pin_button)
        fields.addWidget(cancel)
        column = QVBoxLayout(box)
        column.addWidget(hint)
        column.addLayout(fields)
        box.setVisible(False)
        return box

    def _pin_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(PIN_MAX_LENGTH)
        return field

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        services, actor = self._services, self._actor

        def read() -> tuple[list[StaffMember], bool, bool, bool]:
            from careapp.services.shop.staff import OwnerAction

            staff = services.staff
            members = staff.list(include_inactive=True)
            allowed = staff.can(actor, OwnerAction.MANAGE_STAFF)
            return members, allowed, staff.roles_apply(), staff.has_owner_pin()

        self._runner.submit(read, self._loaded, lambda e: self.error.show_error(sentence(e)), owner=self)

    def _loaded(self, loaded: tuple[list[StaffMember], bool, bool, bool]) -> None:
        members, allowed, roles_apply, self.has_pin = loaded
        self.pin_status.setText(
            self.tr("The owner has a PIN.") if self.has_pin else self.tr("The owner has no PIN.")
        )
        current = self.current_member()
        self.model.set_rows(members)
        self.table.resizeColumnsToContents()
        row = next((i for i, m in enumerate(members) if current is not None and m.id == current.id), 0)
        if members:
            self.table.selectRow(row)
        self.allowed = allowed
        if not roles_apply:
            self.note.setText(
                self.tr(
                    "There is no owner yet, so everyone may do everything. Add the owner first: from then "
                    "on only the owner can delete customers, export the customer list, edit care rules "
                    "and change this list."
                )
            )
        elif allowed:
            self.note.setText(
                self.tr("Only the owner can delete customers, export the customer list and edit care rules.")
            )
        else:
            self.note.setText(
                self.tr("Only the owner can change the staff list; {name} is signed in as staff.").format(
                    name=self._actor.name
                )
            )
        self._update_buttons()

    def current_member(self) -> StaffMember | None:
        index = self.table.currentIndex()
        return self.model.member(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        member = self.current_member()
        for button in (self.rename_button, self.role_button, self.active_button):
            button.setEnabled(self.allowed and member is not None)
        for widget in (self.name, self.role, self.add_button):
            widget.setEnabled(self.allowed)
        owners = any(str(m.role) == "owner" and m.active for m in self.model.rows())
        self.pin_button.setEnabled(self.allowed and owners)
        self.pin_button.setText(self.tr("Change owner's &PIN…") if self.has_pin else self.tr("Owner's &PIN…"))
        refused = self.tr("Only the owner sets the PIN, once there is an owner.")
        self.pin_button.setToolTip("" if self.pin_button.isEnabled() else refused)
        if member is not None:
            owner = str(member.role) == "owner"
            self.role_button.setText(self.tr("Make s&taff") if owner else self.tr("Make o&wner"))
            self.active_button.setText(
                self.tr("&Back in the shop") if not member.active else self.tr("&Left the shop")
            )

    # --- changes -------------------------------------------------------------------------

    def _run(self, job: Callable[[], Any], from_panel: bool = False) -> None:
        self.error.show_error(None)
        self._runner.submit(job, self._saved, lambda e: self._failed(e, from_panel), owner=self)

    def _saved(self, _member: object) -> None:
        self.panel.close_panel()
        self.name.clear()
        services = self._services
        self._runner.submit(lambda: services.staff.list(), self.changed.emit, owner=self)
        self.reload()

    def _failed(self, error: BaseException, from_panel: bool) -> None:
        if from_panel and self.panel.isVisible():
            self.panel.show_error(sentence(error))
        else:
            self.error.show_error(sentence(error))

    def _add(self) -> None:
        from careapp.services.shop.staff import Role

        staff, actor = self._services.staff, self._actor
        name, role = self.name.text(), Role(self.role.currentData())
        self._run(lambda: staff.add(actor, name, role))

    def _rename(self) -> None:
        member = self.current_member()
        if member is None:
            return
        staff, actor = self._services.staff, self._actor
        self.panel.ask(
            ChangeSpec(
                title=self.tr("Rename {name}").format(name=member.name),
                prompt=self.tr("What they did before keeps the name it was recorded with."),
                choices=[(member.name, member.name)],
                choice_label=self.tr("New name:"),
                editable=True,
                ask_reason=False,
                apply_text=self.tr("Rename"),
                make_job=lambda name, _reason: lambda: staff.rename(actor, member.id, name),
            )
        )

    def _toggle_role(self) -> None:
        from careapp.services.shop.staff import Role

        member = self.current_member()
        if member is None:
            return
        staff, actor = self._services.staff, self._actor
        role = Role.STAFF if str(member.role) == "owner" else Role.OWNER
        self._run(lambda: staff.set_role(actor, member.id, role))

    def _ask_pin(self) -> None:
        self.pin.clear()
        self.pin_again.clear()
        self.pin_box.setVisible(True)
        self.pin.setFocus()

    def _save_pin(self) -> None:
        """Set or change the owner's PIN (the service refuses staff, and a PIN that is not digits)."""
        pin, again = self.pin.text(), self.pin_again.text()
        if pin != again:
            self.error.show_error(self.tr("The two PINs typed differ; type the same PIN twice."))
            return
        staff, actor = self._services.staff, self._actor
        self.error.show_error(None)
        self._runner.submit(
            lambda: staff.set_owner_pin(actor, pin),
            lambda _none: self._pin_saved(),
            lambda e: self.error.show_error(sentence(e)),
            owner=self,
        )

    def _pin_saved(self) -> None:
        self.pin_box.setVisible(False)
        self.pin.clear()
        self.pin_again.clear()
        self.has_pin = True
        self.pin_status.setText(self.tr("The owner's PIN is saved."))
        self._update_buttons()

    def _toggle_active(self) -> None:
        member = self.current_member()
        if member is None:
            return
        staff, actor = self._services.staff, self._actor
        self._run(lambda: staff.set_active(actor, member.id, not member.active))
