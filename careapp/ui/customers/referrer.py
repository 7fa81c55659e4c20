"""Choosing who referred a customer by searching the customers as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QToolButton, QWidget

from careapp.domain.customer import CustomerRow
from careapp.ui.runner import Runner

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService

SEARCH_DELAY_MS = 200


def _choice_text(row: CustomerRow) -> str:
    extra = row.email or row.phone or row.city
    return f"{row.name} — {extra}" if extra else row.name


class ReferrerPicker(QWidget):
    """A search field with suggestions; ``referrer_id`` is the chosen customer (or None)."""

    changed = Signal()

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        exclude_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers = customers
        self._runner = runner
        self._exclude_id = exclude_id
        self.referrer_id: int | None = None
        self._chosen_text = ""
        self._ids_by_text: dict[str, int] = {}
        self.field = QLineEdit()
        self.field.setPlaceholderText(self.tr("type a name, email or phone"))
        self.field.setAccessibleName(self.tr("Referred by"))
        self.clear_button = QToolButton()
        self.clear_button.setText("×")
        self.clear_button.setAccessibleName(self.tr("Clear referred by"))
        self.clear_button.clicked.connect(self.clear)
        self._suggestions = QStringListModel(self)
        self.completer = QCompleter(self._suggestions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.field.setCompleter(self.completer)
        self.completer.activated.connect(self._choose)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.field.textEdited.connect(self._edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.clear_button)

    def focus_target(self) -> QWidget:
        """Where a label's mnemonic for this field puts the keyboard."""
        return self.field

    def set_referrer(self, referrer_id: int | None, name: str) -> None:
        self.referrer_id = referrer_id
        self._chosen_text = name if referrer_id is not None else ""
        self.field.setText(self._chosen_text)

    def clear(self) -> None:
        self.set_referrer(None, "")
        self.changed.emit()

    def _edited(self, text: str) -> None:
        # Typing over a chosen name un-chooses it until a suggestion is picked again.
        if self.referrer_id is not None and text != self._chosen_text:
            self.referrer_id = None
            self.changed.emit()
        if text.strip():
            self._timer.start()

    def _search(self) -> None:
        query, customers = self.field.text(), self._customers
        self._runner.submit(
            lambda: customers.referrer_choices(query),
            self._show_choices,
            lambda _error: None,
            key=f"referrer-{id(self)}",
            owner=self,
        )

    def _show_choices(self, rows: list[CustomerRow]) -> None:
        rows = [row for row in rows if row.id != self._exclude_id]
        self._ids_by_text = {}
        for row in rows:
            text = _choice_text(row)
            if text in self._ids_by_text:
                text = f"{text} (#{row.id})"
            self._ids_by_text[text] = row.id
        self._suggestions.setStringList(list(self._ids_by_text))
        if rows and self.field.hasFocus():
            self.completer.complete()

    def _choose(self, text: str) -> None:
        chosen = self._ids_by_text.get(text)
        if chosen is None:
            return
        self.referrer_id = chosen
        self._chosen_text = text
        # The completer writes the text itself after this signal; set it too for keyboard use.
        self.field.setText(text)
        self.changed.emit()

    def state(self) -> tuple[object, ...]:
        return (self.referrer_id,)
