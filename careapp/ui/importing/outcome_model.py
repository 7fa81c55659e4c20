"""The rows of an import preview as they will be stored (line, what happens, name, birthday, consent
per channel, tags, why) as a table model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from careapp.domain.customer import Channel
from careapp.ui.formatting import channel_name, format_partial_date

if TYPE_CHECKING:
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


class ImportOutcomeModel(QAbstractTableModel):
    """Row outcomes of an import; shows only the rejected ones unless ``show_all`` is set."""

    LineRole = _ROLE_BASE + 1
    ActionRole = _ROLE_BASE + 2  # "create", "update", "merge", "unchanged", "reject"

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

    def _filter(self) -> list[RowOutcome]:
        return list(self._all) if self._show_all else [row for row in self._all if row.action == "reject"]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                str(outcome.line),
                action_text(outcome.action),
                outcome.name,
                format_partial_date(outcome.birthday) if outcome.birthday is not None else "",
                consents_text(outcome.consents),
                ", ".join(outcome.tags),
                outcome.reason,
            )[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
