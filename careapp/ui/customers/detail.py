"""The detail page beside the list: who the customer is, then their timeline, newest first."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.customer import Customer, Purchase, TimelineEntry
from careapp.domain.phones import digits_only
from careapp.ui.customers.timeline_model import TimelineModel
from careapp.ui.customers.timeline_view import TimelineView
from careapp.ui.formatting import (
    birthday_text,
    channel_name,
    consent_text,
    date_title,
    format_date,
    format_money,
    format_partial_date,
    stage_meaning,
    stage_name,
)


@dataclass(frozen=True)
class CustomerFile:
    """Everything the detail page shows about one customer, loaded in one job."""

    customer: Customer
    timeline: list[TimelineEntry]
    purchases: list[Purchase]


def _bought(purchase: Purchase) -> str:
    if purchase.quantity > 1:
        return QCoreApplication.translate("CustomerDetail", "Bought {quantity} × {item}").format(
            quantity=purchase.quantity, item=purchase.item
        )
    return QCoreApplication.translate("CustomerDetail", "Bought {item}").format(item=purchase.item)


def timeline_rows(file: CustomerFile) -> list[tuple[TimelineEntry, Purchase | None]]:
    """The timeline, newest first, each purchase's row with its purchase (to edit or delete it) and
    written from the purchase record so that amounts are in the locale's money format ("£29.50")
    rather than a bare number."""
    rows: list[tuple[TimelineEntry, Purchase | None]] = [
        (entry, None) for entry in file.timeline if entry.kind != "purchase"
    ]
    rows += [
        (
            TimelineEntry(
                dt.datetime.combine(purchase.date, dt.time()),
                "purchase",
                _bought(purchase),
                " · ".join(part for part in (purchase.category, format_money(purchase.amount)) if part),
            ),
            purchase,
        )
        for purchase in file.purchases
    ]
    return sorted(rows, key=lambda row: row[0].at, reverse=True)


def timeline_with_money(file: CustomerFile) -> list[TimelineEntry]:
    """The timeline's entries alone (see :func:`timeline_rows`)."""
    return [entry for entry, _purchase in timeline_rows(file)]


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    return label


class CustomerHeader(QWidget):
    """Name, stage, contact details, dates, consent, tags and the standing notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel()
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setAccessibleName(self.tr("Customer name"))
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stage = QLabel()
        self.stage.setAccessibleName(self.tr("Loyalty stage"))
        self.stage.setStyleSheet(
            "QLabel { border: 1px solid palette(mid); border-radius: 8px; padding: 1px 8px; }"
        )
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.stage, 0, Qt.AlignmentFlag.AlignTop)
        self._top = top
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for key, title in self._rows():
            self.values[key] = _value_label(title)
            self.form.addRow(title, self.values[key])
        phones = self.values["phones"]
        phones.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        phones.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.form)
        layout.addStretch(1)

    def add_corner_widget(self, widget: QWidget) -> None:
        """A control at the top right, beside the stage (the privacy actions' "More" button)."""
        self._top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)

    def _rows(self) -> list[tuple[str, str]]:
        return [
            ("company", self.tr("Company")),
            ("emails", self.tr("Email")),
            ("phones", self.tr("Phone")),
            ("address", self.tr("Address")),
            ("birthday", self.tr("Birthday")),
            ("dates", self.tr("Dates")),
            ("referred_by", self.tr("Referred by")),
            ("consent", self.tr("Consent")),
            ("tags", self.tr("Tags")),
            ("purchases", self.tr("Purchases")),
            ("notes", self.tr("Notes")),
        ]

    def display(self, file: CustomerFile, today: dt.date) -> None:
        customer = file.customer
        self.name.setText(customer.display_name())
        self.stage.setText(stage_name(customer.loyalty_stage))
        self.stage.setToolTip(stage_meaning(customer.loyalty_stage))
        texts = {
            "company": customer.company if customer.first_name or customer.last_name else "",
            "emails": "\n".join(_labelled(e.address, e.label) for e in customer.emails),
            "phones": "\n".join(_labelled(p.raw, p.label) for p in customer.phones),
            "address": _address_text(customer),
            "birthday": birthday_text(customer.birthday, today) if customer.birthday else "",
            "dates": "\n".join(f"{date_title(d)}: {format_partial_date(d.date)}" for d in customer.dates),
            "referred_by": customer.referred_by_name,
            "consent": "\n".join(f"{channel_name(c.channel)}: {consent_text(c)}" for c in customer.consents),
            "tags": "  ".join(f"#{tag}" for tag in customer.tags),
            "purchases": self._purchases_text(file.purchases),
            "notes": customer.notes,
        }
        for key, text in texts.items():
            self.values[key].setText(text)
            self.form.setRowVisible(self.values[key], bool(text))
        self._show_phones(customer)

    def _show_phones(self, customer: Customer) -> None:
        """Each number once, as typed; a link that dials it (tel:, in its international form when
        it is understood), with that form in the tooltip."""
        label = self.values["phones"]
        if not customer.phones:
            label.setToolTip("")
            return
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText("<br>".join(_phone_link(p.raw, p.e164, p.label) for p in customer.phones))
        understood = [
            self.tr("{raw}: {e164}").format(raw=p.raw, e164=p.e164) for p in customer.phones if p.e164
        ]
        label.setToolTip(
            self.tr("International form (used to dial):") + "\n" + "\n".join(understood) if understood else ""
        )

    def _purchases_text(self, purchases: list[Purchase]) -> str:
        if not purchases:
            return ""
        total = sum((p.amount for p in purchases), Decimal("0"))
        last = max(p.date for p in purchases)
        return self.tr("{count} in all, {total}; last on {date}").format(
            count=len(purchases), total=format_money(total), date=format_date(last)
        )


def _labelled(text: str, label: str) -> str:
    return f"{text} ({label})" if label else text


def _phone_link(raw: str, e164: str | None, label: str) -> str:
    target = e164 or ("+" if raw.strip().startswith("+") else "") + digits_only(raw)
    link = f'<a href="tel:{html.escape(target)}">{html.escape(raw)}</a>'
    return f"{link} ({html.escape(label)})" if label else link


def _address_text(customer: Customer) -> str:
    address = customer.address
    town = " ".join(part for part in (address.city, address.postcode) if part)
    return ", ".join(part for part in (address.street, town, address.region, address.country) if part)


class CustomerDetail(QStackedWidget):
    """Shows one customer (header above, timeline below) or a sentence when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Customer details"))
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Customer details message"))
        self.header = CustomerHeader()
        scroll = QScrollArea()
        scroll.setWidget(self.header)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Nothing to type or choose up here: Tab goes from the list straight to the timeline.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timeline_model = TimelineModel(self)
        self.timeline = TimelineView()
        self.timeline.setModel(self.timeline_model)
        self.timeline.setAccessibleName(self.tr("Timeline"))
        # The timeline, and beside it in tabs what other screens add (the customer's tickets).
        self.history = QTabWidget()
        self.history.setDocumentMode(True)
        self.history.tabBar().setAccessibleName(self.tr("Timeline or other history"))
        self.history.addTab(self.timeline, self.tr("Timeline"))
        self.page = QSplitter(Qt.Orientation.Vertical)
        self.page.setChildrenCollapsible(False)
        self.page.addWidget(scroll)
        self.page.addWidget(self.history)
        self.page.setSizes([340, 400])
        # Until the user drags the divider, the header gets just the room it needs.
        self._divider_moved_by_user = False
        self.page.splitterMoved.connect(self._divider_moved)
        self.addWidget(self.message)
        self.addWidget(self.page)
        self.customer: Customer | None = None
        self.show_message(self.tr("Select a customer to see their details."))

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Another part of the customer's history, in a tab beside the timeline."""
        return self.history.addTab(widget, title)

    def show_message(self, text: str) -> None:
        self.customer = None
        self.timeline_model.clear()
        self.message.setText(text)
        self.setCurrentWidget(self.message)

    def display(self, file: CustomerFile, today: dt.date) -> None:
        self.customer = file.customer
        self.header.display(file, today)
        rows = timeline_rows(file)
        self.timeline_model.set_entries([entry for entry, _ in rows], [purchase for _, purchase in rows])
        self.setCurrentWidget(self.page)
        self._fit_header()

    def _divider_moved(self) -> None:
        self._divider_moved_by_user = True

    def divider_state(self) -> QByteArray | None:
        """Where the user put the divider between summary and timeline; None if they never moved it."""
        return self.page.saveState() if self._divider_moved_by_user else None

    def restore_divider(self, state: QByteArray) -> None:
        if self.page.restoreState(state):
            self._divider_moved_by_user = True

    def _fit_header(self) -> None:
        total = sum(self.page.sizes())
        if self._divider_moved_by_user or total <= 0:
            return
        # Word-wrapped labels: ask for the height at the width the header really has.
        wanted = self.header.heightForWidth(self.page.width()) + 12
        top = min(wanted, int(total * 0.6))
        self.page.setSizes([top, total - top])
