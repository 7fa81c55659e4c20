"""File → Shop settings…: the same form as the welcome, with Save and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from careapp.ui.keyboard import follow_layout
from careapp.ui.runner import Runner
from careapp.ui.shop.form import ShopSettingsForm
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.settings import ShopSettings


class ShopSettingsDialog(QDialog):
    """Edits the shop's settings; saves them through the runner and emits ``saved``."""

    saved = Signal(object)  # the saved ShopSettings

    def __init__(
        self,
        shop: ShopSettings,
        runner: Runner,
        save: Callable[[ShopSettings], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._shop, self._runner, self._save = shop, runner, save
        self.setObjectName("shopSettingsDialog")
        self.setWindowTitle(self.tr("Shop settings"))
        self.form = ShopSettingsForm()
        self.form.load(shop)
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
        save = self._save
        self._runner.submit(
            lambda: save(settings), lambda _none: self._saved(settings), self._failed, owner=self
        )

    def _saved(self, settings: ShopSettings) -> None:
        self.saved.emit(settings)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(
            self.tr("The settings could not be saved: {error} Nothing you typed is lost; try again.").format(
                error=error
            )
        )
