"""The window's shop actions: the first-run welcome and File → Shop settings…."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from careapp.ui.runner import Runner
from careapp.ui.widgets import MessageBar

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.services.shop.settings import ShopSettings, Versioned
    from careapp.ui.shop.owner_setup import StaffSetup
    from careapp.ui.shop.settings_dialog import ShopSettingsDialog
    from careapp.ui.shop.welcome import StartChoice, WelcomeDialog

DEMO_CUSTOMERS = 200
DEMO_SEED = 1


def load_demo_customers(services: Services) -> int:
    """Database thread: add the demo customers; returns how many."""
    from careapp.services.demo.customers import DemoSpec, fill_demo

    spec = DemoSpec(customers=DEMO_CUSTOMERS, seed=DEMO_SEED)
    return fill_demo(services.db, spec, services.clock()).customers


def make_staff_list(services: Services, setup: StaffSetup) -> None:
    """Database thread: the welcome's staff list (the owner first) and the owner's PIN."""
    from careapp.ui.staff.public import create_staff_from_names

    create_staff_from_names(services, setup.names(), setup.pin)


class ShopController(QObject):
    """Opens the welcome and the settings dialog; ``shopChanged`` carries settings once saved,
    ``welcomeFinished`` the choice made in the welcome."""

    shopChanged = Signal(object)  # ShopSettings
    welcomeFinished = Signal(object)  # StartChoice
    connectRequested = Signal(object)  # the welcome (parent for the connection dialog)
    ownerSaved = Signal(str)  # the owner the welcome made (see WelcomeDialog.ownerSaved)

    def __init__(
        self, window: QWidget, runner: Runner, message_bar: MessageBar, actor: Callable[[], str] = lambda: ""
    ) -> None:
        """``actor``: the name of who is working now, kept with each change of the settings."""
        super().__init__(window)
        self._window, self._runner, self._message_bar = window, runner, message_bar
        self._actor = actor
        self._services: Services | None = None
        self.welcome: WelcomeDialog | None = None
        self.settings_dialog: ShopSettingsDialog | None = None
        self._loading = False

    def attach(self, services: Services) -> None:
        self._services = services

    def show_welcome(self, shop: ShopSettings) -> WelcomeDialog | None:
        if self._services is None:
            return None
        # The dialogs are imported when first shown, not before the window's first paint.
        from careapp.ui.shop.welcome import WelcomeDialog

        services, who = self._services, self._actor()
        dialog = WelcomeDialog(
            shop,
            self._runner,
            # The first run has no earlier copy to be stale against: no version check.
            lambda settings: services.settings.save_shop(settings, None, who),
            lambda: load_demo_customers(services),
            self._window,
            make_staff=lambda setup: make_staff_list(services, setup),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finishedWith.connect(self._welcome_done)
        dialog.ownerSaved.connect(self.ownerSaved)
        dialog.connectRequested.connect(lambda: self.connectRequested.emit(dialog))
        dialog.finished.connect(lambda _code: setattr(self, "welcome", None))
        self.welcome = dialog
        dialog.open()
        return dialog

    def _welcome_done(self, choice: StartChoice, shop: ShopSettings) -> None:
        self.shopChanged.emit(shop)
        self.welcomeFinished.emit(choice)

    def open_settings(self) -> None:
        """Read the settings afresh (another seat may have changed them), then show the dialog."""
        if self._services is None or self.settings_dialog is not None or self._loading:
            return
        self._loading = True
        settings = self._services.settings
        self._runner.submit(settings.shop_versioned, self._show_settings, self._failed, owner=self._window)

    def _show_settings(self, shop: Versioned[ShopSettings]) -> None:
        assert self._services is not None
        self._loading = False
        settings, who = self._services.settings, self._actor()

        def save(value: ShopSettings, version: int) -> Versioned[ShopSettings]:
            return settings.save_shop(value, version, who)

        from careapp.ui.shop.settings_dialog import ShopSettingsDialog

        dialog = ShopSettingsDialog(shop, self._runner, save, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.shopChanged)
        dialog.finished.connect(lambda _code: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._message_bar.show_message(
            self.tr("The shop settings could not be read: {error}").format(error=error), error=True
        )
