"""The rows of an import preview as they will be stored (line, what happens, name, birthday, consent
per channel, tags, why, where the file and careapp differ) as a table model.

A row that contradicts careapp's customer is checkable in its "File and careapp" column: ticked, the
import takes the file's values for it (the model only says so with ``fileValuesToggled``; the page
owns the choice and gives the model the outcomes that follow from it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from careapp.domain.customer import Channel, PartialDate, PostalAddress
from careapp.ui.formatting import channel_name, format_partial_date

if TYPE_CHECKING:
    from careapp.domain.import_differences import FieldDifference, FieldValue
    from careapp.services.customers.importer import RowOutcome

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLE_BASE = int(Qt.ItemDataRole.UserRole)


def action_text(action: str) -> str:
    """What happens to a row, as the preview says it."""
    texts = {
        "create": QCoreApplication.translate("ImportOutcomeModel", "New customer"),
        "update": QCoreApplication.translate("ImportOutcomeModel", "Updates a customer"),
        "merge": QCoreApplication.translate("ImportOutcomeModel", "Merged with an earlier line"),
        "unchanged": QCoreApplication.translate("ImportOutcomeModel", "Already in careapp"),
        "reject": QCoreApplication.translate("ImportOutcomeModel", "Rejected"),
    }
    return texts.get(action, action)


def consents_text(consents: tuple[tuple[str, bool], ...]) -> str:
    """ "Email yes, SMS no": each channel's answer in the file, the last one for a channel counting."""
    answers = dict(consents)
    yes, no = (
        QCoreApplication.translate("ImportOutcomeModel", "yes"),
        QCoreApplication.translate("ImportOutcomeModel", "no"),
    )
    return ", ".join(
        f"{channel_name(Channel(channel))} {yes if granted else no}" for channel, granted in answers.items()
    )


def _value_text(value: FieldValue) -> str:
    if isinstance(value, PartialDate):
        return format_partial_date(value)
    if isinstance(value, PostalAddress):
        parts = (value.street, value.city, value.region, value.postcode, value.country)
        return ", ".join(part for part in parts if part.strip())
    return value


def _field_text(difference: FieldDifference) -> str:
    translate = QCoreApplication.translate
    if difference.field == "date" and difference.date is not None:
        if difference.date.label:
            return difference.date.label
        return {
            "customer_since": translate("ImportOutcomeModel", "customer since"),
            "anniversary": translate("ImportOutcomeModel", "anniversary"),
        }.get(difference.date.kind.value, translate("ImportOutcomeModel", "date"))
    return {
        "first_name": translate("ImportOutcomeModel", "first name"),
        "last_name": translate("ImportOutcomeModel", "last name"),
        "company": translate("ImportOutcomeModel", "company"),
        "birthday": translate("ImportOutcomeModel", "birthday"),
        "address": translate("ImportOutcomeModel", "address"),
    }[difference.field]


def differences_text(outcome: RowOutcome) -> str:
    """ "birthday: file 3 May, careapp 4 May — kept careapp's", a line per field."""
    translate = QCoreApplication.translate
    ending = (
        translate("ImportOutcomeModel", "took the file's")
        if outcome.took_file_values
        else translate("ImportOutcomeModel", "kept careapp's")
    )
    return "\n".join(
        translate("ImportOutcomeModel", "{field}: file {file}, careapp {careapp} — {ending}").format(
            field=_field_text(d),
            file=_value_text(d.file_value),
            careapp=_value_text(d.careapp_value),
            ending=ending,
        )
        for d in outcome.differences
    )


class ImportOutcomeModel(QAbstractTableModel):
    """Row outcomes of an import; shows only the rejected rows and those that differ from careapp
    unless ``show_all`` is set."""

    LineRole = _ROLE_BASE + 1
    ActionRole = _ROLE_BASE + 2  # "create", "update", "merge", "unchanged", "reject"
    DIFFERENCES_COLUMN = 7  # last, so the columns before it keep their places
    # A differing row's box was ticked (True) or cleared (False) by the user: (file line, take).
    fileValuesToggled = Signal(int, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[RowOutcome] = []
        self._shown: list[RowOutcome] = []
        self._show_all = False
        self._headers = (
            self.tr("Line"),
            self.tr("What happens"),
            self.tr("Name"),
            self.tr("Birthday"),
            self.tr("Consent"),
            self.tr("Tags"),
            self.tr("Why"),
            self.tr("File and careapp"),
        )

    def set_outcomes(self, outcomes: list[RowOutcome] | tuple[RowOutcome, ...]) -> None:
        self.beginResetModel()
        self._all = list(outcomes)
        self._shown = self._filter()
        self.endResetModel()

    def set_show_all(self, show_all: bool) -> None:
        self.beginResetModel()
        self._show_all = show_all
        self._shown = self._filter()
        self.endResetModel()

    def update_outcomes(self, outcomes: list[RowOutcome] | tuple[RowOutcome, ...]) -> None:
        """The same lines with new values (a choice was ticked): no reset, so selection and scroll stay."""
        self._all = list(outcomes)
        self._shown = self._filter()
        if self._shown:
            last = self.index(len(self._shown) - 1, len(self._headers) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _filter(self) -> list[RowOutcome]:
        if self._show_all:
            return list(self._all)
        return [row for row in self._all if row.action == "reject" or row.differences]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._checkable(index):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _checkable(self, index: AnyIndex) -> bool:
        return (
            index.column() == self.DIFFERENCES_COLUMN
            and 0 <= index.row() < len(self._shown)
            and bool(self._shown[index.row()].differences)
        )

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not self._checkable(index):
            return False
        take = Qt.CheckState(value) == Qt.CheckState.Checked
        # The page answers with update_outcomes, which repaints this row with its new outcome.
        self.fileValuesToggled.emit(self._shown[index.row()].line, take)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        outcome = self._shown[index.row()]
        if role == self.LineRole:
            return outcome.line
        if role == self.ActionRole:
            return outcome.action
        if role == Qt.ItemDataRole.CheckStateRole and self._checkable(index):
            return Qt.CheckState.Checked if outcome.took_file_values else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                str(outcome.line),
                action_text(outcome.action),
                outcome.name,
                format_partial_date(outcome.birthday) if outcome.birthday is not None else "",
                consents_text(outcome.consents),
                ", ".join(outcome.tags),
                outcome.reason,
                differences_text(outcome),
            )[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
