"""The FCR windows R (reopen) and N (repeat), 1 to 30 days: shown to all, changed by the owner only.

The panel greys out for staff, and the service refuses them anyway; a refusal is shown as the
service's sentence and what was typed stays. The panel keeps the version it showed: if another seat
changed the windows meanwhile, the save is refused with who, when, theirs and yours, what was typed
stays, and Save again keeps it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from careapp.clock import to_local
from careapp.domain.fcr import FcrSettings
from careapp.domain.tickets import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from careapp.ui.formatting import format_date, sentence, short_time
from careapp.ui.runner import Runner
from careapp.ui.setting_clash import describe_clash, stored_copy
from careapp.ui.widgets import ErrorLabel, mark_invalid

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.settings import Versioned
    from careapp.services.shop.staff import Actor
    from careapp.services.tickets.fcr_settings import SettingChange


def _spin(name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(MIN_WINDOW_DAYS, MAX_WINDOW_DAYS)
    spin.setSuffix(" days")
    spin.setAccessibleName(name)
    return spin


class WindowsPanel(QGroupBox):
    """R and N with a reason and a Save button; ``saved(FcrSettings)`` after a change is kept."""

    saved = Signal(object)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Windows (owner only)"), parent)
        self._runner = runner
        self._services: Services | None = None
        self._actor: Actor | None = None
        self._version: int | None = None  # of the windows shown; None until read
        self.allowed = False
        self.reopen = _spin(self.tr("Reopen window R"))
        self.repeat = _spin(self.tr("Repeat window N"))
        self.shop_initiated = QCheckBox(self.tr("Count &shop-initiated tickets in FCR"))
        self.shop_initiated.setToolTip(
            self.tr(
                "Tickets the shop started by reaching out are counted apart and left out unless this is on."
            )
        )
        self.months: list[str] = []
        self.recompute = QLabel()
        self.recompute.setWordWrap(True)
        self.recompute.setAccessibleName(self.tr("What a change recomputes"))
        for spin in (self.reopen, self.repeat):
            spin.valueChanged.connect(lambda _value: self._say_what_changes())
        self.shop_initiated.toggled.connect(lambda _on: self._say_what_changes())
        self._stored: FcrSettings | None = None
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason for the change"))
        self.reason.setPlaceholderText(self.tr("why: it is kept with the change"))
        self.save_button = QPushButton(self.tr("Sa&ve windows"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.reason.returnPressed.connect(self.save)
        self.last_change = QLabel()
        self.last_change.setWordWrap(True)
        self.last_change.setAccessibleName(self.tr("Last change of the windows"))
        self.error = ErrorLabel(self.tr("Problem with the windows"))
        form = QFormLayout()
        form.addRow(self.tr("&Reopen within (R):"), self.reopen)
        form.addRow(self.tr("Re&peat within (N):"), self.repeat)
        form.addRow("", self.shop_initiated)
        form.addRow(self.tr("Reaso&n:"), self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.last_change, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.recompute)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._set_allowed(False)

    def attach(self, services: Services, actor: Actor) -> None:
        self._services, self._actor = services, actor
        self.load()

    def load(self) -> None:
        if self._services is None or self._actor is None:
            return
        services, actor = self._services, self._actor

        def read() -> tuple[Versioned[FcrSettings], bool, list[SettingChange]]:
            from careapp.services.shop.staff import OwnerAction

            allowed = services.staff.can(actor, OwnerAction.CHANGE_FCR_SETTINGS)
            return services.fcr_settings.get_versioned(), allowed, services.fcr_settings.history()

        self._runner.submit(read, self._loaded, lambda e: self.error.show_error(sentence(e)), owner=self)

    def _loaded(self, loaded: tuple[Versioned[FcrSettings], bool, list[SettingChange]]) -> None:
        stored, allowed, history = loaded
        self._version = stored.version
        self._stored = stored.value
        self.reopen.setValue(stored.value.reopen_window_days)
        self.repeat.setValue(stored.value.repeat_window_days)
        self.shop_initiated.setChecked(stored.value.include_shop_initiated)
        self._say_what_changes()
        self._set_allowed(allowed)
        if history:
            last = history[-1]
            self.last_change.setText(
                self.tr("Last changed by {who} on {when}: “{reason}”").format(
                    who=last.by, when=short_time(last.at), reason=last.reason
                )
            )
        else:
            self.last_change.setText(self.tr("Never changed: 7 days each is the default."))

    def typed(self) -> FcrSettings:
        return FcrSettings(self.reopen.value(), self.repeat.value(), self.shop_initiated.isChecked())

    def set_months_in_view(self, months: list[str]) -> None:
        """The report's months, to say which of them a change would recompute."""
        self.months = list(months)
        self._say_what_changes()

    def _say_what_changes(self) -> None:
        """Before saving, say plainly which figures of which months a change recomputes."""
        stored, typed = self._stored, self.typed()
        if stored is None or typed == stored:
            self.recompute.setText("")
            return
        parts = []
        if (typed.reopen_window_days, typed.repeat_window_days) != (
            stored.reopen_window_days,
            stored.repeat_window_days,
        ):
            parts.append(self._windows_change(stored))
        if typed.include_shop_initiated != stored.include_shop_initiated:
            if not self.months:
                shown = self.tr("every month")
            else:
                shown = self.tr("every month (those shown, {first} to {last}, and all others)").format(
                    first=self.months[0], last=self.months[-1]
                )
            parts.append(
                self.tr(
                    "Saving recomputes every figure for {months}: whether shop-initiated tickets count "
                    "applies to all tickets."
                ).format(months=shown)
            )
        parts.append(self.tr("The old values stay in the history of changes."))
        self.recompute.setText(" ".join(parts))

    def _windows_change(self, stored: FcrSettings) -> str:
        """New windows reach only tickets not decided yet: those first resolved within the longest
        window in force now, so at most the months from then to today."""
        if self._services is None:
            return ""
        today = to_local(self._services.clock()).date()
        since = today - dt.timedelta(days=max(stored.reopen_window_days, stored.repeat_window_days))
        months = sorted({f"{since:%Y-%m}", f"{today:%Y-%m}"})  # the windows are 30 days at most
        return self.tr(
            "Saving changes strict FCR, reopen and repeat only for tickets not decided yet: those first "
            "resolved since about {since} (months {months}). Tickets decided before keep the windows that "
            "judged them; gross, net and one-touch stay."
        ).format(since=format_date(since), months=self.tr(" and ").join(months))

    def _set_allowed(self, allowed: bool) -> None:
        self.allowed = allowed
        tip = "" if allowed else self.tr("Only the owner can change the first-contact resolution windows.")
        for widget in (self.reopen, self.repeat, self.shop_initiated, self.reason, self.save_button):
            widget.setEnabled(allowed)
            widget.setToolTip(tip)

    def save(self) -> None:
        if self._services is None or self._actor is None or self._version is None:
            return  # nothing read yet: a save now could overwrite windows never shown
        reason = self.reason.text().strip()
        if not reason:
            self.error.show_error(
                self.tr("Give a reason for changing the windows; it is kept with the change.")
            )
            mark_invalid(self.reason, True)
            return
        mark_invalid(self.reason, False)
        settings = self.typed()
        services, actor, version = self._services, self._actor, self._version
        self.save_button.setEnabled(False)
        self._runner.submit(
            lambda: services.fcr_settings.save(actor, settings, reason, version),
            self._saved,
            self._failed,
            owner=self,
        )

    def _saved(self, settings: FcrSettings) -> None:
        self.save_button.setEnabled(False)  # until the reload below brings the new version
        self.error.show_error(None)
        self.reason.clear()
        self.saved.emit(settings)
        self.load()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(self.allowed)
        current = stored_copy(error)
        if current is None:
            self.error.show_error(sentence(error))
            return
        self._version = current.version  # theirs is seen now: Save again keeps what was typed
        typed = self.typed()
        days = self.tr("{days} days")
        rows = [
            (
                self.tr("Reopen window R"),
                days.format(days=current.value.reopen_window_days),
                days.format(days=typed.reopen_window_days),
            ),
            (
                self.tr("Repeat window N"),
                days.format(days=current.value.repeat_window_days),
                days.format(days=typed.repeat_window_days),
            ),
        ]
        self.error.show_error(
            describe_clash(
                self.tr("The FCR windows were changed by {who} at {when} while you were editing."),
                current,
                rows,
                self.tr("What you typed is still here: Save again to keep yours."),
            )
        )
