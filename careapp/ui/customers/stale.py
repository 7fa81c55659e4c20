"""When someone else saved the customer first: show both versions and let the user choose."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import CustomerDraft
from careapp.ui.formatting import date_title, format_partial_date, stage_name

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate


class ConflictChoice(Enum):
    OVERWRITE = "overwrite"  # save what I typed over their version
    KEEP_EDITING = "keep-editing"  # back to the editor, nothing lost
    DISCARD_MINE = "discard-mine"  # close the editor, keep their version


def _describe(draft: CustomerDraft) -> dict[str, str]:
    address = draft.address
    return {
        translate("StaleDialog", "First name"): draft.first_name,
        translate("StaleDialog", "Last name"): draft.last_name,
        translate("StaleDialog", "Company"): draft.company,
        translate("StaleDialog", "Emails"): ", ".join(e.address for e in draft.emails),
        translate("StaleDialog", "Phones"): ", ".join(p.raw for p in draft.phones),
        translate("StaleDialog", "Address"): ", ".join(
            p for p in (address.street, address.city, address.region, address.postcode, address.country) if p
        ),
        translate("StaleDialog", "Birthday"): format_partial_date(draft.birthday) if draft.birthday else "",
        translate("StaleDialog", "Dates"): ", ".join(
            f"{date_title(d)} {format_partial_date(d.date)}" for d in draft.dates
        ),
        translate("StaleDialog", "Tags"): ", ".join(draft.tags),
        translate("StaleDialog", "Notes"): draft.notes,
        translate("StaleDialog", "Stage"): stage_name(draft.loyalty_stage),
        translate("StaleDialog", "Referred by"): str(draft.referred_by_id or ""),
    }


def differences(theirs: CustomerDraft, mine: CustomerDraft) -> list[tuple[str, str, str]]:
    """(field, their value, my value) for every field where the two versions differ."""
    their_text, my_text = _describe(theirs), _describe(mine)
    return [
        (name, their_text[name], my_text[name]) for name in their_text if their_text[name] != my_text[name]
    ]


class StaleDialog(QDialog):
    """Lists the fields where the saved version and the typed one differ; three ways out."""

    def __init__(self, message: str, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Changed while you were editing"))
        self.choice = ConflictChoice.KEEP_EDITING
        text = QLabel(message + "\n" + self.tr("Here is what differs between their version and yours."))
        text.setWordWrap(True)
        table = QTreeWidget()
        table.setAccessibleName(self.tr("Differences"))
        table.setHeaderLabels([self.tr("Field"), self.tr("Their version"), self.tr("Your version")])
        table.setRootIsDecorated(False)
        for name, theirs, mine in rows:
            table.addTopLevelItem(QTreeWidgetItem([name, theirs, mine]))
        for column in range(3):
            table.resizeColumnToContents(column)
        buttons = QDialogButtonBox()
        self._add(buttons, self.tr("Save mine over theirs"), ConflictChoice.OVERWRITE)
        self.keep_button = self._add(buttons, self.tr("Keep editing"), ConflictChoice.KEEP_EDITING)
        self._add(buttons, self.tr("Discard my changes"), ConflictChoice.DISCARD_MINE)
        # Enter must never overwrite someone else's work: the safe choice has the focus.
        self.keep_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(640, 360)
        self.keep_button.setFocus()

    def _add(self, buttons: QDialogButtonBox, text: str, choice: ConflictChoice) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAccessibleName(text)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: ConflictChoice) -> None:
        self.choice = choice
        self.accept()


def ask_about_conflict(
    message: str, rows: list[tuple[str, str, str]], parent: QWidget | None
) -> ConflictChoice:
    dialog = StaleDialog(message, rows, parent)
    dialog.exec()
    return dialog.choice
