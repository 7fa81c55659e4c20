"""The pages of the import dialog: choose a file, map columns, preview, progress, done."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.ui.formatting import counted, format_count
from careapp.ui.importing.outcome_model import ImportOutcomeModel
from careapp.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from careapp.services.customers.importer import ImportSummary


# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate

COUNTED_ACTIONS = ("create", "update", "merge", "unchanged", "reject")


def target_label(target: str) -> str:
    """A column target ("first_name") as the mapping step names it ("First name")."""
    labels = {
        "full_name": translate("ImportPages", "Full name"),
        "email": translate("ImportPages", "Email"),
        "phone": translate("ImportPages", "Phone"),
        "loyalty_stage": translate("ImportPages", "Loyalty stage"),
        "email_consent": translate("ImportPages", "Email consent"),
        "sms_consent": translate("ImportPages", "SMS consent"),
        "ignore": translate("ImportPages", "(ignore this column)"),
    }
    return labels.get(target, translate("ImportPages", target.replace("_", " ").capitalize()))


def count_label(action: str) -> str:
    return {
        "create": translate("ImportPages", "New"),
        "update": translate("ImportPages", "Updated"),
        "merge": translate("ImportPages", "Merged"),
        "unchanged": translate("ImportPages", "Unchanged"),
        "reject": translate("ImportPages", "Rejected"),
    }[action]


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class ChooseFilePage(QWidget):
    """Step 1: which file."""

    pathChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setAccessibleName(self.tr("File to import"))
        self.path.setPlaceholderText(self.tr("customers.csv"))
        self.path.textChanged.connect(self.pathChanged)
        browse = QPushButton(self.tr("C&hoose…"))
        browse.setAccessibleName(self.tr("Choose a file"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.error = ErrorLabel(self.tr("Problem with the file"))
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(self.tr("Import customers or orders")))
        explanation = QLabel(
            self.tr(
                "careapp reads customer exports from Shopify, Google Contacts and Outlook, other CSV files "
                "and vCard files, and sales from Shopify's orders export, WooCommerce's orders CSV and "
                "Square's or SumUp's item sales. You will see what would happen before anything changes."
            )
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _browse(self) -> None:
        file_filter = self.tr("Customer lists and orders (*.csv *.txt *.vcf *.vcard);;All files (*)")
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import customers"), self.path.text(), file_filter
        )
        if path:
            self.path.setText(path)


class MappingPage(QWidget):
    """Step 1b, for CSV files from an unknown program: which column holds what."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        scroll = QScrollArea()
        scroll.setWidget(self.form_host)
        scroll.setWidgetResizable(True)
        self.error = ErrorLabel(self.tr("Problem with the columns"))
        self.combos: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(_heading(self.tr("Which column is what?")))
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)

    def set_columns(
        self, message: str, headers: Sequence[str], suggested: dict[str, str], targets: Sequence[str]
    ) -> None:
        self.intro.setText(
            message
            + " "
            + self.tr("Choose what each column holds; the suggestions are careapp's best guess.")
        )
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos = {}
        for header in headers:
            combo = QComboBox()
            combo.setAccessibleName(self.tr("Column {header}").format(header=header))
            for target in targets:
                combo.addItem(target_label(target), target)
            combo.setCurrentIndex(max(combo.findData(suggested.get(header, "ignore")), 0))
            self.combos[header] = combo
            self.form.addRow(header or self.tr("(no heading)"), combo)

    def mapping(self) -> dict[str, str]:
        return {header: str(combo.currentData()) for header, combo in self.combos.items()}


class PreviewPage(QWidget):
    """Step 2: what the import would do, with every rejected row and why, and every row that differs
    from careapp with the choice to take the file's values for it.

    The page owns that choice (``chosen``: the file lines that take the file's values) and shows the
    outcomes that follow from it (:meth:`ImportSummary.with_file_values`), counts included.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first: ImportSummary | None = None  # the preview as read, keeping careapp's values
        self.chosen: frozenset[int] = frozenset()
        self.title = _heading("")
        self.file_facts = QLabel()
        self.file_facts.setWordWrap(True)
        self.counts: dict[str, QLabel] = {}
        grid = QGridLayout()
        for column, action in enumerate(COUNTED_ACTIONS):
            number = QLabel("0")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setFont(_heading("").font())
            number.setAccessibleName(count_label(action))
            caption = QLabel(count_label(action))
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(number, 0, column)
            grid.addWidget(caption, 1, column)
            self.counts[action] = number
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.rows_title = QLabel()
        self.show_all = QCheckBox(self.tr("Show &every line"))
        self.show_all.setToolTip(self.tr("Not only the lines rejected or different from careapp"))
        self.model = ImportOutcomeModel(self)
        self.show_all.toggled.connect(self._show_all_changed)
        self.differ_note = QLabel()
        self.differ_note.setWordWrap(True)
        self.differ_note.setAccessibleName(self.tr("Lines that differ from careapp"))
        self.take_all = QCheckBox(self.tr("&Take the file's values for every line that differs"))
        self.take_all.clicked.connect(self._take_all_clicked)
        self.model.fileValuesToggled.connect(self._file_values_toggled)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Lines of the file"))
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        # Reasons can be long: wrap them rather than cut them off.
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((1, 150), (2, 130), (3, 110), (4, 130), (5, 90), (6, 200)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.columns = QLabel()
        self.columns.setWordWrap(True)
        self.columns.setAccessibleName(self.tr("How the columns are read"))
        self.change_columns = QPushButton(self.tr("C&hange columns…"))
        self.change_columns.setAccessibleName(self.tr("Change how the columns are read"))
        self.change_columns.setAutoDefault(False)
        self.error = ErrorLabel(self.tr("Problem importing"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.file_facts)
        layout.addLayout(grid)
        columns_row = QHBoxLayout()
        columns_row.addWidget(self.columns, 1)
        columns_row.addWidget(self.change_columns, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(columns_row)
        layout.addWidget(self.warnings)
        layout.addWidget(self.differ_note)
        layout.addWidget(self.take_all)
        row = QHBoxLayout()
        row.addWidget(self.rows_title, 1)
        row.addWidget(self.show_all)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)

    def show_summary(self, summary: ImportSummary) -> None:
        """A new preview (kept careapp's values everywhere): the choice starts empty."""
        self._first, self.chosen = summary, frozenset()
        self._show(summary)
        self._show_differences(summary)
        differing = bool(summary.differing_rows)
        self.show_all.setChecked(not summary.rejected_rows and not differing)
        self._show_all_changed(self.show_all.isChecked())
        self.error.show_error(None)

    def summary(self) -> ImportSummary | None:
        """The preview as the import will do it, with the rows chosen to take the file's values."""
        return self._first.with_file_values(self.chosen) if self._first is not None else None

    def _show_differences(self, summary: ImportSummary) -> None:
        count = len(summary.differing_rows)
        self.differ_note.setText(
            counted(
                count,
                self.tr(
                    "{count} line holds values that differ from careapp's (shown below). careapp keeps its "
                    "own; tick the line to take the file's instead."
                ),
                self.tr(
                    "{count} lines hold values that differ from careapp's (shown below). careapp keeps its "
                    "own; tick a line to take the file's instead."
                ),
            )
        )
        self.take_all.setCheckState(Qt.CheckState.Unchecked)
        for widget in (self.differ_note, self.take_all):
            widget.setVisible(count > 0)
        self.table.setColumnHidden(ImportOutcomeModel.DIFFERENCES_COLUMN, count == 0)

    def _file_values_toggled(self, line: int, take: bool) -> None:
        self._choose(self.chosen | {line} if take else self.chosen - {line})

    def _take_all_clicked(self) -> None:
        if self._first is None:
            return
        every = frozenset(row.line for row in self._first.differing_rows)
        self._choose(every if self.chosen != every else frozenset())

    def _choose(self, chosen: frozenset[int]) -> None:
        self.chosen = chosen
        shown = self.summary()
        if shown is None:
            return
        self._show_counts(shown)
        self.model.update_outcomes(shown.rows)
        every = {row.line for row in shown.differing_rows}
        state = (
            Qt.CheckState.Unchecked
            if not chosen
            else Qt.CheckState.Checked
            if chosen >= every
            else Qt.CheckState.PartiallyChecked
        )
        self.take_all.setCheckState(state)

    def _show_counts(self, summary: ImportSummary) -> None:
        for action, label in self.counts.items():
            label.setText(format_count(summary.count(action)))  # type: ignore[arg-type]

    def _show(self, summary: ImportSummary) -> None:
        self.title.setText(self.tr("What importing {file} would do").format(file=summary.source_name))
        self.file_facts.setText(
            self.tr("Read as: {format}, {encoding}. {lines} records. Nothing has been changed yet.").format(
                format=summary.format_label, encoding=summary.encoding, lines=len(summary.rows)
            )
        )
        if summary.sales:
            self.file_facts.setText(
                self.file_facts.text()
                + " "
                + counted(
                    summary.sales,
                    self.tr("{count} sale to record with the customers below."),
                    self.tr("{count} sales to record with the customers below."),
                )
            )
        self._show_counts(summary)
        self._show_columns(summary.columns)
        self.warnings.setText("\n".join(f"• {warning}" for warning in summary.warnings))
        self.warnings.setVisible(bool(summary.warnings))
        rejected = len(summary.rejected_rows)
        self.rows_title.setText(
            self.tr("No line was rejected.")
            if not rejected
            else self.tr("1 line cannot be imported:")
            if rejected == 1
            else self.tr("{count} lines cannot be imported:").format(count=format_count(rejected))
        )
        if rejected and summary.differing_rows:
            self.rows_title.setText(
                self.rows_title.text().rstrip(":")
                + " "
                + self.tr("(listed with the lines that differ from careapp):")
            )
        self.model.set_outcomes(summary.rows)

    def _show_columns(self, columns: dict[str, str] | None) -> None:
        """The columns as read (heading → field); a file of a known layout has none to show."""
        read = ", ".join(f"{heading} → {target_label(field)}" for heading, field in (columns or {}).items())
        self.columns.setText(self.tr("Columns read as: {columns}.").format(columns=read))
        for widget in (self.columns, self.change_columns):
            widget.setVisible(bool(columns))

    def _show_all_changed(self, show_all: bool) -> None:
        self.model.set_show_all(show_all)
        # Rejected lines all say "Rejected" and bring nothing: the line, the name and why matter.
        for column in (1, 3, 4, 5):
            self.table.setColumnHidden(column, not show_all)
        # With every column shown the table scrolls sideways, and a stretched last column would
        # shrink to its minimum, wrapping "File and careapp" into a tall narrow strip.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(not show_all)
        if show_all:
            header.resizeSection(ImportOutcomeModel.DIFFERENCES_COLUMN, 380)
        self.table.resizeRowsToContents()


class ProgressPage(QWidget):
    """Step 3: importing, with a bar and a working Cancel (the dialog's Cancel button)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = _heading(self.tr("Importing…"))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr("Import progress"))
        self.bar.setRange(0, 0)
        self.detail = QLabel(self.tr("Reading the file and checking for customers careapp already has."))
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addStretch(2)

    def reset(self) -> None:
        self.text.setText(self.tr("Importing…"))
        self.bar.setRange(0, 0)

    def set_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.detail.setText(self.tr("{done} of {total} customers written.").format(done=done, total=total))


class DonePage(QWidget):
    """Step 4: what was done, with the way back ("Undo this import")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _heading(self.tr("Import finished"))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("Import result"))
        self.undo_button = QPushButton(self.tr("&Undo this import"))
        self.undo_button.setAccessibleName(self.tr("Undo this import"))
        self.error = ErrorLabel(self.tr("Problem undoing"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def show_summary(self, summary: ImportSummary) -> None:
        self.title.setText(self.tr("Imported {file}").format(file=summary.source_name))
        parts = [f"{count_label(action)}: {summary.count(action)}" for action in COUNTED_ACTIONS]  # type: ignore[arg-type]
        if summary.sales:
            parts.append(self.tr("Sales recorded: {sales}").format(sales=summary.sales))
        self.text.setText(
            " · ".join(parts)
            + self._differences_sentence(summary)
            + "\n\n"
            + self.tr(
                "Changed your mind? “Undo this import” removes the customers it added and puts updated ones "
                "back as they were. It stays in the File menu as “Undo last import”."
            )
        )
        self.undo_button.setEnabled(True)
        self.error.show_error(None)

    def _differences_sentence(self, summary: ImportSummary) -> str:
        """What became of the lines that differed from careapp, or nothing when none did."""
        differing = summary.differing_rows
        taken = sum(1 for row in differing if row.took_file_values)
        if not differing:
            return ""
        kept = len(differing) - taken
        parts = []
        if taken:
            parts.append(
                counted(
                    taken,
                    self.tr("The file's values were taken for {count} line."),
                    self.tr("The file's values were taken for {count} lines."),
                )
            )
        if kept:
            parts.append(
                counted(
                    kept,
                    self.tr("careapp kept its own values where {count} line differed."),
                    self.tr("careapp kept its own values where {count} lines differed."),
                )
            )
        return "\n" + " ".join(parts)
