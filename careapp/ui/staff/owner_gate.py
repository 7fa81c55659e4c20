"""What only the owner may do, at the window: greyed out for staff (with a tooltip saying why), and
behind the owner's PIN, when the shop set one.

The PIN is a shop-floor guard: it stops a colleague from switching to the owner, or deleting as the
owner who left the till, by a slip or on a whim. It is no protection from whoever controls the
computer (they can read the database file, or run ``careapp staff reset-pin``). A PIN typed right is
remembered for :data:`UNLOCK_SECONDS`, so a run of owner actions asks once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.services.shop.staff import StaffService

translate = QCoreApplication.translate
Step = Callable[[], object]
UNLOCK_SECONDS = 5 * 60
OWNER_ROLE = "owner"


def ask_pin_dialog(parent: QWidget, text: str) -> str | None:
    """The owner's PIN from a small password box; None when cancelled."""
    pin, ok = QInputDialog.getText(
        parent, translate("OwnerGate", "Owner's PIN"), text, QLineEdit.EchoMode.Password, ""
    )
    return pin if ok else None


class OwnerPinGate(QObject):
    """Runs an owner's step once the PIN is known to be right (or there is none).

    ``ask_pin`` is the question (tests answer it); the PIN is checked by the staff service on the
    runner's thread (scrypt takes a few dozen milliseconds). ``refused(text)`` says a PIN was wrong.
    ``now`` is a monotonic clock in seconds, passed in so tests can move it.
    """

    refused = Signal(str)

    def __init__(self, window: QWidget, runner: Runner, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self._window, self._runner, self._now = window, runner, now
        self._staff: StaffService | None = None
        self._unlocked_until = float("-inf")
        self._has_pin = False
        self.ask_pin: Callable[[QWidget, str], str | None] = ask_pin_dialog

    def attach(self, staff: StaffService) -> None:
        self._staff = staff
        self.refresh()

    def unlocked(self) -> bool:
        return self._now() < self._unlocked_until

    def lock(self) -> None:
        """Forget the PIN typed (someone else is working now)."""
        self._unlocked_until = float("-inf")

    def refresh(self) -> None:
        """Read afresh whether the shop has a PIN (another seat may have set one)."""
        if self._staff is not None:
            self._runner.submit(self._staff.has_owner_pin, self._set_has_pin, owner=self)

    def _set_has_pin(self, has_pin: bool) -> None:
        self._has_pin = has_pin

    def then(self, step: Step, why: str) -> None:
        """Run ``step`` now if no PIN is needed, else once the PIN asked for ``why`` was typed right.

        Whether there is a PIN is known from the last read (at start, after each staff change and
        each time this is called), so with no PIN the step runs at once, as the action did before.
        """
        if self._staff is None or self.unlocked() or not self._has_pin:
            self.refresh()
            step()
            return
        self._ask(step, why)

    def _ask(self, step: Step, why: str) -> None:
        assert self._staff is not None
        pin = self.ask_pin(self._window, why)
        if pin is None:
            return
        staff = self._staff
        self._runner.submit(
            lambda: staff.check_owner_pin(pin), lambda ok: self._checked(ok, step), owner=self
        )

    def _checked(self, right: bool, step: Step) -> None:
        if not right:
            self.refused.emit(self.tr("That is not the owner's PIN; nothing was changed."))
            return
        self._unlocked_until = self._now() + UNLOCK_SECONDS
        step()

    def guard_action(self, action: QAction, step: Step, why: str) -> None:
        """Make ``action`` ask for the PIN before ``step`` (its other connections are dropped)."""
        action.triggered.disconnect()
        action.triggered.connect(lambda: self.then(step, why))


class OwnerOnlyActions:
    """Greys out the owner's actions for staff, each with a tooltip that says why.

    Other code enables and disables these actions for its own reasons (no customer selected) and
    calls :meth:`apply` after it: for staff it disables them, remembering whether they were enabled,
    so that switching back to the owner enables again what the other reasons allow.
    """

    def __init__(self, actions: Sequence[tuple[QAction, str]]) -> None:
        """``actions``: each action with what it does, completing "only the owner can …"."""
        self._actions = list(actions)
        self._tips = {id(action): action.toolTip() for action, _what in self._actions}
        self._held: dict[int, bool] = {}  # action -> enabled before staff greyed it out

    def apply(self, actor: str, role: str | None, roles_apply: bool) -> None:
        staff = roles_apply and role != OWNER_ROLE
        for action, what in self._actions:
            key = id(action)
            if staff:
                if action.isEnabled() or key not in self._held:
                    self._held[key] = action.isEnabled()
                action.setEnabled(False)
                action.setToolTip(
                    translate("OwnerGate", "Only the owner can {what}; {name} is working as staff.").format(
                        what=what, name=actor
                    )
                )
            else:
                if key in self._held:
                    action.setEnabled(self._held.pop(key))
                action.setToolTip(self._tips[key])
