"""Touch rules, message wording and the article library, in one window with three tabs.

Everyone can look; only the owner changes the rules and the wording (the service refuses anyone
else, and for staff the form is greyed out with the service's own sentence saying why). The
article library is kept by anyone on the staff list. Everything is loaded in one job on the
database thread; each save is one job, and a refusal or a clash with another seat's edit is
explained without losing what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import Channel
from careapp.domain.templates import MessageTemplate
from careapp.domain.touches import TouchKind
from careapp.ui.formatting import sentence
from careapp.ui.rules.library import LibraryPage
from careapp.ui.rules.rules_form import RulesForm
from careapp.ui.rules.templates_page import TemplatesPage
from careapp.ui.runner import Runner
from careapp.ui.setting_clash import describe_clash, stored_copy
from careapp.ui.theme import message_background
from careapp.ui.widgets import ErrorLabel, Prompts

if TYPE_CHECKING:
    from careapp.context import Services
    from careapp.domain.care_queue import CareSettings
    from careapp.services.care.touches import RuleSet
    from careapp.services.shop.settings import Versioned
    from careapp.services.shop.staff import Actor

Templates = dict[tuple[TouchKind, Channel], MessageTemplate]


@dataclass(frozen=True)
class RulesData:
    """What the window shows. ``refusal`` is the service's sentence when the actor may not edit."""

    rule_set: RuleSet
    care: CareSettings
    templates: Templates
    custom: Templates
    shop_name: str
    refusal: str
    care_version: int = 0  # of ``care``, handed back when saving it


def load_rules_data(services: Services, actor: Actor) -> RulesData:
    """Database thread."""
    from careapp.services.shop.staff import OwnerAction, PermissionDenied

    try:
        services.staff.require_owner(actor, OwnerAction.EDIT_TOUCH_RULES)
        refusal = ""
    except PermissionDenied as denied:
        refusal = str(denied)
    care = services.touches.care_settings_versioned()
    return RulesData(
        services.touches.rule_set(),
        care.value,
        services.messages.templates(),
        services.messages.custom_templates(),
        services.settings.shop().shop_name,
        refusal,
        care.version,
    )


def save_all(
    services: Services, actor: Actor, data: RulesData, form: tuple[Any, Any], reason: str
) -> RulesData:
    """Database thread: the rules (only the sections that changed) and the care settings if changed.

    The care settings are checked for another seat's save before the rules are saved, so a clash
    there leaves the rules unsaved too (the save itself checks again)."""
    from careapp.services.care.touches import CARE_WHAT
    from careapp.services.shop.settings import StaleSettings

    rules, care = form
    if care != data.care:
        stored = services.touches.care_settings_versioned()
        if stored.version != data.care_version:
            raise StaleSettings(CARE_WHAT, stored)
    services.touches.save_rules(actor, rules, data.rule_set.versions, reason)
    if care != data.care:
        services.touches.save_care_settings(actor, care, reason, data.care_version)
    return load_rules_data(services, actor)


class RulesDialog(QDialog):
    """The three tabs; ``rulesSaved`` after the rules or care settings were saved."""

    rulesSaved = Signal()
    loaded = Signal()

    def __init__(
        self,
        services: Services,
        runner: Runner,
        actor: Actor,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services, self._runner, self._actor = services, runner, actor
        self.data: RulesData | None = None
        self.setWindowTitle(self.tr("Care rules, wording and articles"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAccessibleName(self.tr("Who can change this"))
        self.refusal.setObjectName("refusal")
        self.refusal.setContentsMargins(8, 6, 8, 6)
        self.refusal.setStyleSheet(
            f"#refusal {{ background: {message_background(False)}; border: 1px solid palette(mid); }}"
        )
        self.refusal.setVisible(False)
        self.form = RulesForm()
        self.templates = TemplatesPage()
        self.templates.saveRequested.connect(self.save_template)
        self.templates.resetRequested.connect(self.reset_template)
        self.library = LibraryPage(runner, prompts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._rules_tab(), self.tr("&Rules"))
        self.tabs.addTab(self.templates, self.tr("&Messages"))
        self.tabs.addTab(self.library, self.tr("Article &library"))
        self.error = ErrorLabel(self.tr("Problem with the rules"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Saved"))
        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close_box.rejected.connect(self.reject)
        self.close_button = close_box.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.refusal)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(close_box)
        self.resize(980, 760)
        self._set_editable(False)
        self.library.attach(services, actor)
        self.reload()

    def _rules_tab(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setAccessibleName(self.tr("Rules"))
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields; it scrolls to them
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason for the change"))
        self.reason.setPlaceholderText(self.tr("why: it is kept with the change"))
        reason_caption = QLabel(self.tr("Reas&on:"))
        reason_caption.setBuddy(self.reason)
        self.save_button = QPushButton(self.tr("Sa&ve rules"))
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_rules)
        self.reload_button = QPushButton(self.tr("Show the saved rules"))
        self.reload_button.setAutoDefault(False)
        self.reload_button.setVisible(False)
        self.reload_button.clicked.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(reason_caption)
        row.addWidget(self.reason, 1)
        row.addWidget(self.reload_button)
        row.addWidget(self.save_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)
        return tab

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        services, actor = self._services, self._actor
        self._runner.submit(lambda: load_rules_data(services, actor), self._loaded, self._failed, owner=self)

    def _loaded(self, data: RulesData) -> None:
        self.data = data
        self.form.show_rules(data.rule_set.rules, data.care)
        self.templates.set_templates(data.templates, data.custom, data.shop_name)
        self.refusal.setText(data.refusal)
        self.refusal.setVisible(bool(data.refusal))
        self._set_editable(not data.refusal)
        self.reload_button.setVisible(False)
        self.loaded.emit()

    def _set_editable(self, editable: bool) -> None:
        self.form.set_editable(editable)
        self.templates.set_editable(editable)
        self.reason.setEnabled(editable)
        self.save_button.setEnabled(editable)

    def _failed(self, error: BaseException) -> None:
        care = stored_copy(error)
        self.error.show_error(sentence(error) if care is None else self._care_clash(care))
        if hasattr(error, "current"):  # another seat saved the rules or the care settings first
            self.reload_button.setVisible(True)
        self.save_button.setEnabled(self.data is not None and not self.data.refusal)

    def _care_clash(self, current: Versioned[CareSettings]) -> str:
        try:
            typed = self.form.care_settings()
        except ValueError:  # checked before saving; the form cannot have changed since
            typed = current.value
        theirs = current.value
        none = self.tr("no limit")
        rows = [
            (self.tr("Marketing touches per customer"), theirs.marketing_cap, typed.marketing_cap),
            (self.tr("Within (days)"), theirs.cap_window_days, typed.cap_window_days),
            (
                self.tr("Daily limit"),
                none if theirs.daily_limit is None else theirs.daily_limit,
                none if typed.daily_limit is None else typed.daily_limit,
            ),
            (self.tr("Time zone"), theirs.timezone, typed.timezone),
        ]
        return describe_clash(
            self.tr("The care settings were changed by {who} at {when} while you were editing."),
            current,
            rows,
            self.tr("What you typed is still here; “Show the saved rules” shows theirs (your typing goes)."),
        )

    # --- saving --------------------------------------------------------------------------

    def save_rules(self) -> None:
        if self.data is None:
            return
        try:
            form = (self.form.rules(), self.form.care_settings())
        except ValueError as error:
            self.error.show_error(sentence(error))
            return
        services, actor, data, reason = self._services, self._actor, self.data, self.reason.text()
        self.error.show_error(None)
        self.save_button.setEnabled(False)
        self._runner.submit(
            lambda: save_all(services, actor, data, form, reason), self._rules_saved, self._failed, owner=self
        )

    def _rules_saved(self, data: RulesData) -> None:
        self._loaded(data)
        self.reason.clear()
        self.status.setText(
            self.tr(
                "Saved. Touches made from now on follow these rules; "
                "those already in the queue keep their days."
            )
        )
        self.rulesSaved.emit()

    def save_template(self, template: MessageTemplate) -> None:
        services, actor = self._services, self._actor
        self.error.show_error(None)

        def job() -> RulesData:
            services.messages.save_template(actor, template)
            return load_rules_data(services, actor)

        def saved(data: RulesData) -> None:
            self.templates.forget_typed((template.kind, template.channel))
            self.data = data
            self.templates.set_templates(data.templates, data.custom, data.shop_name)
            self.status.setText(self.tr("Saved the wording; drafts use it from now on."))

        self._runner.submit(job, saved, self._failed, owner=self)

    def reset_template(self, kind: TouchKind, channel: Channel) -> None:
        services, actor = self._services, self._actor
        self.error.show_error(None)

        def job() -> RulesData:
            services.messages.reset_template(actor, kind, channel)
            return load_rules_data(services, actor)

        def reset(data: RulesData) -> None:
            self.templates.forget_typed((kind, channel))
            self.data = data
            self.templates.set_templates(data.templates, data.custom, data.shop_name)
            self.status.setText(self.tr("Back to careapp's wording for this touch and channel."))

        self._runner.submit(job, reset, self._failed, owner=self)
