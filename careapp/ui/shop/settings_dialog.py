"""File → Shop settings…: the same form as the welcome, with Save and Cancel.

The dialog keeps the version it was opened on. If another seat saved the settings meanwhile, the
save is refused: the dialog says who and when, lists what differs (theirs and yours), keeps
everything typed, and takes their version, so Save again keeps yours knowingly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from careapp.ui.keyboard import follow_layout
from careapp.ui.runner import Runner
from careapp.ui.setting_clash import describe_clash, stored_copy
from careapp.ui.shop.form import ShopSettingsForm
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.shop.settings import ShopSettings, Versioned

SaveShop = Callable[["ShopSettings", int], "Versioned[ShopSettings]"]


class ShopSettingsDialog(QDialog):
    """Edits the shop's settings; saves them through the runner and emits ``saved``."""

    saved = Signal(object)  # the saved ShopSettings

    def __init__(
        self,
        shop: Versioned[ShopSettings],
        runner: Runner,
        save: SaveShop,
        parent: QWidget | None = None,
    ) -> None:
        """``save(settings, version)`` saves on the database thread; ``version`` is the one read."""
        super().__init__(parent)
        self._shop, self._version, self._runner, self._save = shop.value, shop.version, runner, save
        self.setObjectName("shopSettingsDialog")
        self.setWindowTitle(self.tr("Shop settings"))
        self.form = ShopSettingsForm()
        self.form.load(shop.value)
        self.error = ErrorLabel(self.tr("Problem saving"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        follow_layout(self)
        self.form.shop_name.setFocus()

    def save(self) -> None:
        settings = self.form.values(self._shop)
        self.save_button.setEnabled(False)
        self.error.show_error(None)
        save, version = self._save, self._version
        self._runner.submit(
            lambda: save(settings, version), lambda _saved: self._saved(settings), self._failed, owner=self
        )

    def _saved(self, settings: ShopSettings) -> None:
        self.saved.emit(settings)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        current = stored_copy(error)
        if current is not None:  # another seat saved first: say what differs, keep what was typed
            self._version, self._shop = current.version, current.value
            self.error.show_error(self._clash(current))
            return
        self.error.show_error(
            self.tr("The settings could not be saved: {error} Nothing you typed is lost; try again.").format(
                error=error
            )
        )

    def _clash(self, current: Versioned[ShopSettings]) -> str:
        theirs, yours = current.value, self.form.values(current.value)
        feb29 = {"feb28": self.tr("28 February"), "mar1": self.tr("1 March")}
        rows = [
            (self.tr("Shop name"), theirs.shop_name, yours.shop_name),
            (self.tr("Country for phone numbers"), theirs.default_region, yours.default_region),
            (self.tr("Staff"), ", ".join(theirs.staff_names), ", ".join(yours.staff_names)),
            (
                self.tr("29 February birthdays"),
                feb29.get(theirs.feb29_observed_on, theirs.feb29_observed_on),
                feb29.get(yours.feb29_observed_on, yours.feb29_observed_on),
            ),
        ]
        return describe_clash(
            self.tr("The shop settings were changed by {who} at {when} while you were editing."),
            current,
            rows,
            self.tr("What you typed is still here: Save again to keep yours, or Cancel to keep theirs."),
        )
