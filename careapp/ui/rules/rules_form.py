"""The touch rules and the care settings as a form: what each rule waits for, and how much is enough.

:meth:`RulesForm.show_rules` fills it in; :meth:`RulesForm.rules` and :meth:`RulesForm.care_settings`
read it back over the rules it was filled from (fields the form does not show are kept). Each rule's
channels are a row of check boxes; the order of preference the rule had is kept for the channels that
stay ticked, and a newly ticked channel comes last. A value the domain refuses (an ideal interval
longer than the longest) raises ``ValueError`` with a sentence saying which.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from functools import cache

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import Channel, DateKind, LoyaltyStage
from careapp.domain.touches import Interval, TouchRules
from careapp.ui.formatting import channel_name, stage_name
from careapp.ui.rules.tables import DaysColumn, DaysDelegate, DaysTableModel

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate
NONE = -1

# The rules whose channels the form edits: the TouchRules field and the rule's name in the grid.
CHANNEL_RULES = (
    "birthday",
    "important_dates",
    "follow_up",
    "check_in",
    "articles",
    "referral_thanks",
    "feedback",
    "related_product",
)


def rule_title(field_name: str) -> str:
    return {
        "birthday": translate("Rules", "Birthday greeting"),
        "important_dates": translate("Rules", "Other dates that matter"),
        "follow_up": translate("Rules", "Follow-up after a purchase"),
        "check_in": translate("Rules", "Check-in"),
        "articles": translate("Rules", "Article share"),
        "referral_thanks": translate("Rules", "Thank-you for a referral"),
        "feedback": translate("Rules", "Feedback request"),
        "related_product": translate("Rules", "Suggest a related product"),
    }[field_name]


def date_kind_title(kind: DateKind) -> str:
    return {
        DateKind.CUSTOMER_SINCE: translate("Rules", "Customer since"),
        DateKind.ANNIVERSARY: translate("Rules", "Anniversaries"),
        DateKind.CUSTOM: translate("Rules", "Custom dates"),
    }[kind]


def chosen_channels(before: tuple[Channel, ...], ticked: set[Channel]) -> tuple[Channel, ...]:
    """The ticked channels in the rule's old order of preference, newly ticked ones after them."""
    kept = [c for c in before if c in ticked]
    return tuple(kept + [c for c in Channel if c in ticked and c not in kept])


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def days_spin(
    name: str, maximum: int = 365, optional: bool = False, zero: str = "", suffix: str = ""
) -> QSpinBox:
    """Days from 0 (or "never" below it when ``optional``); ``zero`` names 0 ("on the day")."""
    spin = QSpinBox()
    spin.setRange(NONE if optional else 0, maximum)
    spin.setSuffix(suffix or translate("Rules", " days"))
    spin.setAccessibleName(name)
    if optional:
        spin.setSpecialValueText(translate("Rules", "never"))
    elif zero:
        spin.setSpecialValueText(zero)
    return spin


def optional_days(spin: QSpinBox) -> int | None:
    return None if spin.value() == NONE else spin.value()


def _table(name: str, model: DaysTableModel) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setModel(model)
    table.setItemDelegate(DaysDelegate(table))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(table.fontMetrics().height() * 7)
    table.setMaximumHeight(table.fontMetrics().height() * 11)
    return table


class RulesForm(QWidget):
    """Each rule's switch and days, the follow-up days per category, check-in intervals per stage and
    per tag, and the care settings (marketing cap, daily limit, time zone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules = TouchRules()
        self._care = CareSettings()
        layout = QVBoxLayout(self)
        self.boxes = (
            self._birthdays(),
            self._follow_ups(),
            self._check_ins(),
            self._others(),
            self._channels_box(),
            self._care_box(),
        )
        for box in self.boxes:
            layout.addWidget(box)
        layout.addStretch(1)

    # --- building ------------------------------------------------------------------------

    def _birthdays(self) -> QGroupBox:
        box = QGroupBox(self.tr("Birthdays and anniversaries"))
        self.birthday_on = QCheckBox(self.tr("&Birthday greetings"))
        before = self.tr(" days before")
        self.birthday_days = days_spin(
            self.tr("Birthday greeting, days before"), 60, zero=self.tr("on the day"), suffix=before
        )
        self.dates_on = QCheckBox(self.tr("A&nniversaries and other dates that matter"))
        self.dates_days = days_spin(
            self.tr("Anniversary, days before"), 60, zero=self.tr("on the day"), suffix=before
        )
        form = QFormLayout(box)
        form.addRow(self.birthday_on, self._after(self.birthday_days, ""))
        form.addRow(self.dates_on, self._after(self.dates_days, ""))
        self.date_kinds = {kind: QCheckBox(date_kind_title(kind)) for kind in DateKind}
        kinds_row = QWidget()
        kinds_layout = QHBoxLayout(kinds_row)
        kinds_layout.setContentsMargins(0, 0, 0, 0)
        for kind, check in self.date_kinds.items():
            check.setAccessibleName(self.tr("Yearly touch for: {kind}").format(kind=date_kind_title(kind)))
            kinds_layout.addWidget(check)
        kinds_layout.addStretch(1)
        form.addRow(self.tr("For these dates:"), kinds_row)
        note = QLabel(self.tr("Where 29 February birthdays fall in other years is set in Shop settings."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow(note)
        return box

    def _follow_ups(self) -> QGroupBox:
        box = QGroupBox(self.tr("After a purchase"))
        self.follow_on = QCheckBox(self.tr("&Follow up"))
        self.follow_days = days_spin(self.tr("Follow up after"), optional=True)
        self.categories = DaysTableModel(
            [
                DaysColumn(self.tr("Category"), name=True),
                DaysColumn(self.tr("Follow up after (days)"), optional=True),
            ],
            self,
        )
        self.categories_table = _table(self.tr("Follow-up days per category"), self.categories)
        self.add_category = QPushButton(self.tr("Add categor&y"))
        self.add_category.clicked.connect(
            lambda: self._add_row(self.categories_table, self.tr("new category"), 14)
        )
        self.remove_category = QPushButton(self.tr("Remove category"))
        self.remove_category.clicked.connect(lambda: self._remove_row(self.categories_table))
        self.feedback_on = QCheckBox(self.tr("Ask for feedbac&k"))
        self.feedback_purchase = days_spin(self.tr("Feedback after a purchase"), optional=True)
        self.feedback_ticket = days_spin(self.tr("Feedback after a solved ticket"), optional=True)
        form = QFormLayout(box)
        form.addRow(
            self.follow_on, self._after(self.follow_days, self.tr("after the purchase, or per category:"))
        )
        form.addRow(self.categories_table)
        form.addRow(self._buttons(self.add_category, self.remove_category))
        form.addRow(self.feedback_on, self._after(self.feedback_purchase, self.tr("after a purchase")))
        form.addRow(QLabel(), self._after(self.feedback_ticket, self.tr("after a ticket was solved")))
        return box

    def _after(self, spin: QSpinBox | QDoubleSpinBox, text: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(spin)
        if text:
            layout.addWidget(QLabel(text))
        layout.addStretch(1)
        return row

    @staticmethod
    def _buttons(*buttons: QPushButton) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in buttons:
            button.setAutoDefault(False)
            layout.addWidget(button)
        layout.addStretch(1)
        return row

    def _check_ins(self) -> QGroupBox:
        box = QGroupBox(self.tr("Staying in touch"))
        self.check_on = QCheckBox(self.tr("&Check in with customers who have been quiet"))
        columns = [
            DaysColumn(self.tr("Ideally after (days)"), optional=True, minimum=1),
            DaysColumn(self.tr("At the latest (days)"), optional=True, minimum=1),
        ]
        self.stages = DaysTableModel(
            [DaysColumn(self.tr("Stage"), name=True, editable=False), *columns], self
        )
        self.stages_table = _table(self.tr("Check-in intervals per stage"), self.stages)
        self.tags = DaysTableModel([DaysColumn(self.tr("Tag"), name=True), *columns], self)
        self.tags_table = _table(self.tr("Check-in intervals per tag"), self.tags)
        self.add_tag = QPushButton(self.tr("Add ta&g"))
        self.add_tag.clicked.connect(lambda: self._add_row(self.tags_table, self.tr("tag"), 30, 60))
        self.remove_tag = QPushButton(self.tr("Remove tag"))
        self.remove_tag.clicked.connect(lambda: self._remove_row(self.tags_table))
        note = QLabel(self.tr("A tag's interval wins over the stage's; \"none\" means no check-ins."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(box)
        layout.addWidget(self.check_on)
        tables = QHBoxLayout()
        stage_side = QVBoxLayout()
        stage_side.addWidget(self.stages_table)
        stage_side.addStretch(1)
        tables.addLayout(stage_side)
        tag_side = QVBoxLayout()
        tag_side.addWidget(self.tags_table)
        tag_side.addWidget(self._buttons(self.add_tag, self.remove_tag))
        tables.addLayout(tag_side)
        layout.addLayout(tables)
        layout.addWidget(note)
        return box

    def _others(self) -> QGroupBox:
        box = QGroupBox(self.tr("Articles and referrals"))
        self.articles_on = QCheckBox(
            self.tr("&Share articles from the library that fit a customer's interests")
        )
        self.article_gap = days_spin(self.tr("Days between two articles"))
        self.article_fresh = days_spin(self.tr("Articles count as new for"))
        self.referral_on = QCheckBox(self.tr("&Thank customers who refer someone"))
        self.referral_days = days_spin(
            self.tr("Thank-you after"), 60, zero=self.tr("on the day"), suffix=self.tr(" days after")
        )
        form = QFormLayout(box)
        form.addRow(self.articles_on)
        form.addRow(
            self.tr("At least"),
            self._after(self.article_gap, self.tr("between two articles to one customer")),
        )
        form.addRow(self.tr("Only articles added in the last"), self._after(self.article_fresh, ""))
        form.addRow(self.referral_on, self._after(self.referral_days, self.tr("the new customer came in")))
        self._suggestions(form)
        return box

    def _suggestions(self, form: QFormLayout) -> None:
        """The "suggest a related product" rule: off by default; its thresholds say what is strong."""
        self.suggest_on = QCheckBox(self.tr("Su&ggest a related product (a category often bought next)"))
        after_visit = self.tr("Suggestion after the latest visit")
        self.suggest_days = days_spin(after_visit, 365, zero=self.tr("on the day"))
        self.suggest_customers = QSpinBox()
        self.suggest_customers.setRange(1, 100_000)
        self.suggest_customers.setSuffix(self.tr(" customers"))
        self.suggest_customers.setAccessibleName(self.tr("Customers who made the move, at least"))
        self.suggest_lift = QDoubleSpinBox()
        self.suggest_lift.setRange(1.0, 100.0)
        self.suggest_lift.setDecimals(1)
        self.suggest_lift.setSingleStep(0.1)
        self.suggest_lift.setSuffix(self.tr(" times as often"))
        self.suggest_lift.setAccessibleName(self.tr("Lift, at least"))
        form.addRow(self.suggest_on, self._after(self.suggest_days, self.tr("after their latest visit")))
        form.addRow(
            self.tr("Only when at least"),
            self._after(self.suggest_customers, self.tr("went on to buy that category")),
        )
        form.addRow(
            self.tr("and buyers of theirs go on to it"),
            self._after(self.suggest_lift, self.tr("as customers in general buy it (lift)")),
        )

    def _channels_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("How each touch may be made"))
        grid = QGridLayout(box)
        for column, channel in enumerate(Channel, start=1):
            grid.addWidget(QLabel(channel_name(channel)), 0, column, Qt.AlignmentFlag.AlignHCenter)
        self.channel_checks: dict[str, dict[Channel, QCheckBox]] = {}
        for row, rule in enumerate(CHANNEL_RULES, start=1):
            grid.addWidget(QLabel(rule_title(rule)), row, 0)
            checks = self.channel_checks[rule] = {}
            for column, channel in enumerate(Channel, start=1):
                check = QCheckBox()
                check.setAccessibleName(
                    self.tr("{rule} by {channel}").format(
                        rule=rule_title(rule), channel=channel_name(channel)
                    )
                )
                checks[channel] = check
                grid.addWidget(check, row, column, Qt.AlignmentFlag.AlignHCenter)
        note = QLabel(
            self.tr(
                "A touch is offered on the first ticked way the customer has agreed to and careapp has "
                "details for; marketing touches never go where there is no consent."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        grid.addWidget(note, len(CHANNEL_RULES) + 1, 0, 1, len(Channel) + 1)
        grid.setColumnStretch(0, 1)
        return box

    def _care_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("How much is enough"))
        self.cap = QSpinBox()
        self.cap.setRange(0, 20)
        self.cap.setAccessibleName(self.tr("Marketing touches per customer"))
        self.cap.setSpecialValueText(self.tr("none"))
        self.cap_window = days_spin(self.tr("Within"), 365)
        self.cap_window.setMinimum(1)
        self.daily_limit = QSpinBox()
        self.daily_limit.setRange(0, 500)
        self.daily_limit.setSpecialValueText(self.tr("no limit"))
        self.daily_limit.setAccessibleName(self.tr("Daily limit"))
        self.daily_limit.setSuffix(self.tr(" touches a day"))
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(list(time_zones()))
        self.zone.setAccessibleName(self.tr("Time zone"))
        cap_caption = QLabel(self.tr("Marketing touches &per customer:"))
        cap_caption.setBuddy(self.cap)
        limit_caption = QLabel(self.tr("&Daily limit:"))
        limit_caption.setBuddy(self.daily_limit)
        zone_caption = QLabel(self.tr("Time &zone:"))
        zone_caption.setBuddy(self.zone)
        cap_row = QWidget()
        cap_layout = QHBoxLayout(cap_row)
        cap_layout.setContentsMargins(0, 0, 0, 0)
        cap_layout.addWidget(self.cap)
        cap_layout.addWidget(QLabel(self.tr("at most, within any")))
        cap_layout.addWidget(self.cap_window)
        cap_layout.addStretch(1)
        form = QFormLayout(box)
        form.addRow(cap_caption, cap_row)
        form.addRow(limit_caption, self.daily_limit)
        form.addRow(zone_caption, self.zone)
        return box

    def _add_row(self, table: QTableView, name: str, *days: int) -> None:
        model = table.model()
        assert isinstance(model, DaysTableModel)
        index = model.add_row(name, *days)
        table.setCurrentIndex(index)
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        table.edit(index)

    @staticmethod
    def _remove_row(table: QTableView) -> None:
        model = table.model()
        assert isinstance(model, DaysTableModel)
        if table.currentIndex().isValid():
            model.remove_row(table.currentIndex().row())

    # --- in and out ----------------------------------------------------------------------

    def show_rules(self, rules: TouchRules, care: CareSettings) -> None:
        self._rules, self._care = rules, care
        self.birthday_on.setChecked(rules.birthday.enabled)
        self.birthday_days.setValue(rules.birthday.days_ahead)
        self.dates_on.setChecked(rules.important_dates.enabled)
        self.dates_days.setValue(rules.important_dates.days_ahead)
        for kind, tick in self.date_kinds.items():
            tick.setChecked(kind in rules.important_dates.kinds)
        for rule, ticks in self.channel_checks.items():
            channels = getattr(rules, rule).channels
            for channel, tick in ticks.items():
                tick.setChecked(channel in channels)
        follow = rules.follow_up
        self.follow_on.setChecked(follow.enabled)
        self.follow_days.setValue(NONE if follow.default_days is None else follow.default_days)
        self.categories.set_rows([[name, days] for name, days in follow.days_by_category.items()])
        check = rules.check_in
        self.check_on.setChecked(check.enabled)
        rows = []
        for stage in LoyaltyStage:
            interval = check.by_stage.get(stage)
            rows.append([stage_name(stage), *(_pair(interval))])
        self.stages.set_rows(rows)
        self.tags.set_rows([[tag, *_pair(interval)] for tag, interval in check.by_tag.items()])
        self.articles_on.setChecked(rules.articles.enabled)
        self.article_gap.setValue(rules.articles.min_days_between)
        self.article_fresh.setValue(rules.articles.fresh_for_days)
        self.referral_on.setChecked(rules.referral_thanks.enabled)
        self.referral_days.setValue(rules.referral_thanks.days_after)
        suggest = rules.related_product
        self.suggest_on.setChecked(suggest.enabled)
        self.suggest_days.setValue(suggest.days_after)
        self.suggest_customers.setValue(suggest.min_customers)
        self.suggest_lift.setValue(suggest.min_lift)
        feedback = rules.feedback
        self.feedback_on.setChecked(feedback.enabled)
        self.feedback_purchase.setValue(
            NONE if feedback.after_purchase_days is None else feedback.after_purchase_days
        )
        self.feedback_ticket.setValue(
            NONE if feedback.after_ticket_days is None else feedback.after_ticket_days
        )
        self.cap.setValue(care.marketing_cap)
        self.cap_window.setValue(care.cap_window_days)
        self.daily_limit.setValue(care.daily_limit or 0)
        self.zone.setCurrentText(care.timezone)

    def rules(self) -> TouchRules:
        """The rules as the form has them (raises ValueError saying what is wrong)."""
        base = self._with_channels(self._rules)
        return replace(
            base,
            birthday=replace(
                base.birthday, enabled=self.birthday_on.isChecked(), days_ahead=self.birthday_days.value()
            ),
            important_dates=replace(
                base.important_dates,
                enabled=self.dates_on.isChecked(),
                days_ahead=self.dates_days.value(),
                kinds=self._date_kinds(),
            ),
            follow_up=replace(
                base.follow_up,
                enabled=self.follow_on.isChecked(),
                default_days=optional_days(self.follow_days),
                days_by_category=self._categories(),
            ),
            check_in=replace(
                base.check_in,
                enabled=self.check_on.isChecked(),
                by_stage=self._stage_intervals(),
                by_tag=self._tag_intervals(),
            ),
            articles=replace(
                base.articles,
                enabled=self.articles_on.isChecked(),
                min_days_between=self.article_gap.value(),
                fresh_for_days=self.article_fresh.value(),
            ),
            referral_thanks=replace(
                base.referral_thanks,
                enabled=self.referral_on.isChecked(),
                days_after=self.referral_days.value(),
            ),
            related_product=replace(
                base.related_product,
                enabled=self.suggest_on.isChecked(),
                days_after=self.suggest_days.value(),
                min_customers=self.suggest_customers.value(),
                min_lift=round(self.suggest_lift.value(), 1),
            ),
            feedback=replace(
                base.feedback,
                enabled=self.feedback_on.isChecked(),
                after_purchase_days=optional_days(self.feedback_purchase),
                after_ticket_days=optional_days(self.feedback_ticket),
            ),
        )

    def care_settings(self) -> CareSettings:
        """The care settings as the form has them (raises ValueError saying what is wrong)."""
        zone = self.zone.currentText().strip()
        if zone not in time_zones():
            raise ValueError(
                self.tr("{zone} is not a time zone careapp knows; choose one such as Europe/London.").format(
                    zone=zone
                )
            )
        return CareSettings(
            marketing_cap=self.cap.value(),
            cap_window_days=self.cap_window.value(),
            daily_limit=self.daily_limit.value() or None,
            timezone=zone,
        )

    def _with_channels(self, rules: TouchRules) -> TouchRules:
        changes = {}
        for rule, checks in self.channel_checks.items():
            ticked = {channel for channel, check in checks.items() if check.isChecked()}
            if not ticked:
                raise ValueError(
                    self.tr("Tick at least one way to make the {rule}, or switch it off.").format(
                        rule=rule_title(rule).lower()
                    )
                )
            current = getattr(rules, rule)
            changes[rule] = replace(current, channels=chosen_channels(current.channels, ticked))
        return replace(rules, **changes)

    def _date_kinds(self) -> frozenset[DateKind]:
        kinds = frozenset(kind for kind, check in self.date_kinds.items() if check.isChecked())
        if self.dates_on.isChecked() and not kinds:
            raise ValueError(self.tr("Tick at least one kind of date, or switch the yearly touches off."))
        return kinds

    def _categories(self) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for name, days in self.categories.rows():
            key = str(name).strip()
            if key.casefold() in {k.casefold() for k in found}:
                raise ValueError(self.tr("The category {name} is there twice; keep one.").format(name=key))
            found[key] = days
        return found

    def _stage_intervals(self) -> dict[LoyaltyStage, Interval]:
        found: dict[LoyaltyStage, Interval] = {}
        for stage, (name, ideal, most) in zip(LoyaltyStage, self.stages.rows(), strict=True):
            interval = self._interval(str(name), ideal, most)
            if interval is not None:
                found[stage] = interval
        return found

    def _tag_intervals(self) -> dict[str, Interval]:
        found: dict[str, Interval] = {}
        for name, ideal, most in self.tags.rows():
            interval = self._interval(str(name), ideal, most)
            if interval is None:
                raise ValueError(
                    self.tr("Give the tag {name} both numbers of days, or remove it.").format(name=name)
                )
            found[str(name)] = interval
        return found

    def _interval(self, name: str, ideal: int | None, most: int | None) -> Interval | None:
        if ideal is None and most is None:
            return None
        if ideal is None or most is None or not 0 < ideal <= most:
            raise ValueError(
                self.tr(
                    "For {name}, the ideal check-in interval must be at least a day "
                    "and no longer than the latest."
                ).format(name=name)
            )
        return Interval(ideal, most)

    def set_editable(self, editable: bool) -> None:
        for box in self.boxes:
            box.setEnabled(editable)


def _pair(interval: Interval | None) -> tuple[int | None, int | None]:
    return (None, None) if interval is None else (interval.ideal_days, interval.max_days)
