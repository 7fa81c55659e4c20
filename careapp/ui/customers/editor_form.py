"""The fields of the customer editor: filling them from a customer, reading a draft back, and
marking the fields a validation error names ("name", "emails[1]", "dates[0]", …)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import Customer, CustomerDraft, LoyaltyStage, PostalAddress
from careapp.domain.validation import FieldError
from careapp.ui.customers.consent_edit import ConsentEdit
from careapp.ui.customers.date_edit import PartialDateEdit
from careapp.ui.customers.editor_rows import DateRow, EmailRow, EntryList, PhoneRow
from careapp.ui.customers.referrer import ReferrerPicker
from careapp.ui.formatting import stage_meaning, stage_name, stages_glossary
from careapp.ui.runner import Runner
from careapp.ui.widgets import ErrorLabel, mark_invalid

if TYPE_CHECKING:
    from careapp.services.customers.service import CustomerService

_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


class CustomerForm(QWidget):
    """Every editable field of a customer, in two columns."""

    rowsChanged = Signal()  # an email, phone or date row was added or removed

    def __init__(
        self,
        customers: CustomerService,
        runner: Runner,
        default_region: str,
        exclude_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.first_name = _line(self.tr("First name"))
        self.last_name = _line(self.tr("Last name"))
        self.company = _line(self.tr("Company"))
        self.emails = EntryList(EmailRow, self.tr("Add &email"))
        self.phones = EntryList(lambda: PhoneRow(default_region), self.tr("Add phone"))
        self.street = _line(self.tr("Street"))
        self.city = _line(self.tr("City"))
        self.postcode = _line(self.tr("Postcode"))
        self.region = _line(self.tr("Region"))
        self.country = _line(self.tr("Country"))
        self.birthday = PartialDateEdit(self.tr("Birthday"), optional=True)
        self.dates = EntryList(DateRow, self.tr("Add date"))
        self.stage = QComboBox()
        self.stage.setAccessibleName(self.tr("Loyalty stage"))
        for stage in LoyaltyStage:
            self.stage.addItem(stage_name(stage), stage)
            self.stage.setItemData(self.stage.count() - 1, stage_meaning(stage), Qt.ItemDataRole.ToolTipRole)
        self.stage.setToolTip(stages_glossary())
        self.tags = _line(self.tr("Tags"), self.tr("coffee, book club, gifts"))
        self.referrer = ReferrerPicker(customers, runner, exclude_id)
        self.consent = ConsentEdit()
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(self.tr("What everyone serving this customer should know"))
        self.notes.setTabChangesFocus(True)
        self.errors = {
            key: ErrorLabel(self.tr("Problem with {field}").format(field=key))
            for key in ("name", "birthday", "referred_by", "notes")
        }
        # Fields made of several widgets: their label's mnemonic goes to the first of them.
        self._composite: list[tuple[QFormLayout, EntryList | PartialDateEdit | ReferrerPicker]] = []
        layout = QHBoxLayout(self)
        layout.addLayout(self._left_column(), 1)
        layout.addLayout(self._right_column(), 1)
        for entries in (self.emails, self.phones, self.dates):
            entries.rowsChanged.connect(self._update_buddies)
            entries.rowsChanged.connect(self.rowsChanged)
        self._update_buddies()

    def _left_column(self) -> QVBoxLayout:
        name = QFormLayout()
        name.addRow(self.tr("&First name"), self.first_name)
        name.addRow(self.tr("&Last name"), self.last_name)
        name.addRow(self.tr("C&ompany"), self.company)
        name.addRow("", self.errors["name"])
        contact = QFormLayout()
        contact.addRow(self.tr("E&mails"), self.emails)
        contact.addRow(self.tr("P&hones"), self.phones)
        self._composite += [(contact, self.emails), (contact, self.phones)]
        address = QFormLayout()
        address.addRow(self.tr("S&treet"), self.street)
        address.addRow(self.tr("C&ity"), self.city)
        address.addRow(self.tr("Post&code"), self.postcode)
        address.addRow(self.tr("&Region"), self.region)
        address.addRow(self.tr("Co&untry"), self.country)
        column = QVBoxLayout()
        for title, form in (
            (self.tr("Name"), name),
            (self.tr("Contact"), contact),
            (self.tr("Address"), address),
        ):
            column.addWidget(self._group(title, form))
        column.addStretch(1)
        return column

    def _right_column(self) -> QVBoxLayout:
        dates = QFormLayout()
        dates.addRow(self.tr("&Birthday"), self.birthday)
        dates.addRow("", self.errors["birthday"])
        dates.addRow(self.tr("Other &dates"), self.dates)
        relation = QFormLayout()
        relation.addRow(self.tr("St&age"), self.stage)
        relation.addRow(self.tr("Ta&gs"), self.tags)
        relation.addRow(self.tr("Referred b&y"), self.referrer)
        self._composite += [(dates, self.birthday), (dates, self.dates), (relation, self.referrer)]
        relation.addRow("", self.errors["referred_by"])
        consent = QFormLayout()
        consent.addRow(self.consent)
        notes = QFormLayout()
        notes.addRow(self.notes)
        notes.addRow(self.errors["notes"])
        column = QVBoxLayout()
        for title, form in (
            (self.tr("Dates"), dates),
            (self.tr("Relationship"), relation),
            (self.tr("&Permission to contact"), consent),
            (self.tr("&Notes"), notes),
        ):
            column.addWidget(self._group(title, form))
        return column

    def _update_buddies(self) -> None:
        for form, field in self._composite:
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field.focus_target())

    @staticmethod
    def _group(title: str, form: QFormLayout) -> QGroupBox:
        box = QGroupBox(title)
        box.setAccessibleName(title.replace("&", ""))
        box.setLayout(form)
        return box

    # --- filling and reading -------------------------------------------------------------

    def fill(self, customer: Customer | None) -> None:
        if customer is None:
            self.stage.setCurrentIndex(self.stage.findData(LoyaltyStage.PROSPECT))
            self.emails.add_row()
            self.phones.add_row()
            return
        for edit, text in (
            (self.first_name, customer.first_name),
            (self.last_name, customer.last_name),
            (self.company, customer.company),
            (self.street, customer.address.street),
            (self.city, customer.address.city),
            (self.postcode, customer.address.postcode),
            (self.region, customer.address.region),
            (self.country, customer.address.country),
        ):
            edit.setText(text)
        self.emails.set_values(customer.emails)
        self.phones.set_values(customer.phones)
        self.birthday.set_value(customer.birthday)
        self.dates.set_values(customer.dates)
        self.stage.setCurrentIndex(max(self.stage.findData(customer.loyalty_stage), 0))
        self.tags.setText(", ".join(customer.tags))
        self.referrer.set_referrer(customer.referred_by_id, customer.referred_by_name)
        self.consent.set_states(customer.consents)
        self.notes.setPlainText(customer.notes)

    def draft(self) -> tuple[CustomerDraft | None, list[FieldError]]:
        """The draft typed so far, or None and the fields that cannot even be read (bad dates)."""
        problems: list[FieldError] = []
        try:
            birthday = self.birthday.value()
        except ValueError as error:
            birthday = None
            problems.append(FieldError("birthday", str(error)))
        emails, _ = self.emails.collect()
        phones, _ = self.phones.collect()
        dates, bad_dates = self.dates.collect()
        problems += [FieldError(f"dates[{index}]", message) for index, message in bad_dates]
        if problems:
            return None, problems
        draft = CustomerDraft(
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            company=self.company.text().strip(),
            emails=emails,
            phones=phones,
            address=PostalAddress(
                self.street.text().strip(),
                self.city.text().strip(),
                self.region.text().strip(),
                self.postcode.text().strip(),
                self.country.text().strip(),
            ),
            birthday=birthday,
            dates=dates,
            tags=[tag.strip() for tag in self.tags.text().split(",") if tag.strip()],
            notes=self.notes.toPlainText(),
            loyalty_stage=LoyaltyStage(self.stage.currentData()),
            referred_by_id=self.referrer.referrer_id,
        )
        return draft, []

    def state(self) -> tuple[object, ...]:
        """Everything on screen, to tell whether anything was changed."""
        texts = tuple(
            edit.text()
            for edit in (
                self.first_name,
                self.last_name,
                self.company,
                self.street,
                self.city,
                self.postcode,
                self.region,
                self.country,
                self.tags,
            )
        )
        return (
            texts,
            self.emails.state(),
            self.phones.state(),
            self.birthday.state(),
            self.dates.state(),
            self.stage.currentIndex(),
            self.referrer.state(),
            self.consent.state(),
            self.notes.toPlainText(),
        )

    # --- errors --------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.show_error(None)
        for widget in (self.first_name, self.birthday, self.referrer.field, self.notes):
            mark_invalid(widget, False)
        for entries in (self.emails, self.phones, self.dates):
            entries.clear_errors()

    def show_errors(self, errors: list[FieldError]) -> tuple[list[str], QWidget | None]:
        """Mark each named field; returns messages no field could take, and the first marked field."""
        unplaced: list[str] = []
        first: QWidget | None = None
        for error in errors:
            widget = self._show_error(error.field, _sentence(error.message))
            if widget is None:
                unplaced.append(_sentence(error.message))
            elif first is None:
                first = widget
        return unplaced, first

    def _show_error(self, field: str, message: str) -> QWidget | None:
        indexed = _INDEXED.match(field)
        if indexed:
            entries = {"emails": self.emails, "phones": self.phones, "dates": self.dates}.get(indexed[1])
            index = int(indexed[2])
            if entries is None or not entries.set_error(index, message):
                return None
            return entries.rows_with_values()[index].marked_widget()
        widget = {
            "name": self.first_name,
            "birthday": self.birthday,
            "referred_by": self.referrer.field,
            "notes": self.notes,
        }.get(field)
        if widget is None:
            return None
        self.errors[field].show_error(message)
        mark_invalid(widget, True)
        return widget
