"""Giving or withdrawing consent per channel, with how it was given, as part of an edit.

Consent is history, not a field: the editor does not overwrite it, it records new events
(``CustomerService.record_consent``) once the customer itself has been saved.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from careapp.domain.customer import Channel, ConsentEvent, ConsentState
from careapp.ui.formatting import channel_name, consent_text

NO_CHANGE, GIVE, WITHDRAW = 0, 1, 2


class ConsentEdit(QWidget):
    """One line per channel: the current answer, a change to make, and how it was given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Consent"))
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.current: dict[Channel, QLabel] = {}
        self.change: dict[Channel, QComboBox] = {}
        self.how: dict[Channel, QLineEdit] = {}
        for row, channel in enumerate(Channel):
            name = channel_name(channel)
            layout.addWidget(QLabel(name), row, 0)
            self.current[channel] = QLabel(self.tr("never asked"))
            self.current[channel].setAccessibleName(self.tr("{channel} consent now").format(channel=name))
            layout.addWidget(self.current[channel], row, 1)
            combo = QComboBox()
            combo.addItems([self.tr("No change"), self.tr("Give consent"), self.tr("Withdraw consent")])
            combo.setAccessibleName(self.tr("{channel} consent change").format(channel=name))
            combo.currentIndexChanged.connect(lambda _=0, c=channel: self._update_how(c))
            self.change[channel] = combo
            layout.addWidget(combo, row, 2)
            how = QLineEdit()
            how.setPlaceholderText(self.tr("how: in shop, signed form"))
            how.setAccessibleName(
                self.tr("How {channel} consent was given or withdrawn").format(channel=name)
            )
            self.how[channel] = how
            layout.addWidget(how, row, 3)
            self._update_how(channel)
        layout.setColumnStretch(3, 1)

    def set_states(self, states: list[ConsentState]) -> None:
        for state in states:
            if state.channel in self.current:
                self.current[state.channel].setText(consent_text(state))

    def _update_how(self, channel: Channel) -> None:
        self.how[channel].setEnabled(self.change[channel].currentIndex() != NO_CHANGE)

    def events(self, at: dt.datetime, recorded_by: str) -> list[ConsentEvent]:
        """The changes asked for, as events to record at ``at`` (naive UTC)."""
        events = []
        for channel, combo in self.change.items():
            if combo.currentIndex() == NO_CHANGE:
                continue
            events.append(
                ConsentEvent(
                    channel, combo.currentIndex() == GIVE, at, self.how[channel].text().strip(), recorded_by
                )
            )
        return events

    def state(self) -> tuple[object, ...]:
        return tuple((self.change[c].currentIndex(), self.how[c].text()) for c in Channel)
