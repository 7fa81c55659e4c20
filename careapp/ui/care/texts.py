"""Care-queue words as people read them: sections, kinds of touch, due days, the context line.

The domain and the services speak English in their own sentences (``describe()``, the reasons a
touch is held); the words careapp adds around them come from here, through ``translate`` so they
can be translated like the rest of the UI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from careapp.domain.touches import TouchKind
from careapp.ui.formatting import channel_name, format_count, format_date

if TYPE_CHECKING:
    from careapp.domain.customer import Channel
    from careapp.services.care.queue import QueueEntry, TouchContext

# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate

# The queue's sections, in the order the service gives them (CareQueue.sections()).
SECTION_KEYS: tuple[str, ...] = ("overdue", "today", "next_7_days", "next_30_days", "held", "carried_over")


def section_title(key: str) -> str:
    return {
        "overdue": translate("CareQueue", "Overdue"),
        "today": translate("CareQueue", "Today"),
        "next_7_days": translate("CareQueue", "Next 7 days"),
        "next_30_days": translate("CareQueue", "Next 30 days"),
        "held": translate("CareQueue", "Held"),
        "carried_over": translate("CareQueue", "Carried over to tomorrow"),
    }[key]


def kind_title(kind: TouchKind) -> str:
    return {
        TouchKind.BIRTHDAY: translate("CareQueue", "Birthday greeting"),
        TouchKind.IMPORTANT_DATE: translate("CareQueue", "Anniversary"),
        TouchKind.PURCHASE_FOLLOW_UP: translate("CareQueue", "Purchase follow-up"),
        TouchKind.CHECK_IN: translate("CareQueue", "Check-in"),
        TouchKind.ARTICLE_SHARE: translate("CareQueue", "Article to share"),
        TouchKind.REFERRAL_THANKS: translate("CareQueue", "Thank-you for a referral"),
        TouchKind.FEEDBACK_REQUEST: translate("CareQueue", "Feedback request"),
        TouchKind.CALLBACK: translate("CareQueue", "Callback"),
        TouchKind.REWARD_EXPIRING: translate("CareQueue", "Reward about to expire"),
        TouchKind.REWARD_WAITING: translate("CareQueue", "Reward waiting"),
        TouchKind.RELATED_PRODUCT: translate("CareQueue", "Suggest a related product"),
    }[kind]


def weekday_date(day: dt.date, locale: QLocale | None = None) -> str:
    """ "Tuesday 24 November": for the snooze choices and the queue's heading."""
    locale = locale or QLocale()
    weekday = locale.dayName(QDate(day.year, day.month, day.day).dayOfWeek())
    return translate("CareQueue", "{weekday} {date}").format(weekday=weekday, date=format_date(day, locale))


def due_text(day: dt.date, today: dt.date, locale: QLocale | None = None) -> str:
    """When an item falls: "today", "tomorrow", "in 5 days", "3 days ago", "since 11 April 2022"."""
    ahead = (day - today).days
    if ahead == 0:
        return translate("CareQueue", "today")
    if ahead == 1:
        return translate("CareQueue", "tomorrow")
    if ahead == -1:
        return translate("CareQueue", "yesterday")
    if 1 < ahead <= 31:
        return translate("CareQueue", "in {days} days").format(days=format_count(ahead, locale))
    if -31 <= ahead < -1:
        return translate("CareQueue", "{days} days ago").format(days=format_count(-ahead, locale))
    return format_date(day, locale)


def relative_hint(day: dt.date, today: dt.date, locale: QLocale | None = None) -> str:
    """How far a day is from today, roughly: "today", "tomorrow", "in 5 days", "in 3 weeks",
    "2 months ago", "4 years ago" (days up to two weeks, weeks up to two months, then months, then
    years)."""
    ahead = (day - today).days
    if ahead == 0:
        return translate("CareQueue", "today")
    if ahead == 1:
        return translate("CareQueue", "tomorrow")
    if ahead == -1:
        return translate("CareQueue", "yesterday")
    # Each unit starts at 2 of it, so no "1 weeks": days up to 13, then weeks 2-8, months 2-24, years.
    span, later = abs(ahead), ahead > 0
    if span < 14:
        count = span
        text = translate("CareQueue", "in {n} days") if later else translate("CareQueue", "{n} days ago")
    elif span < 61:
        count = span // 7
        text = translate("CareQueue", "in {n} weeks") if later else translate("CareQueue", "{n} weeks ago")
    elif span < 730:
        count = span // 30
        text = translate("CareQueue", "in {n} months") if later else translate("CareQueue", "{n} months ago")
    else:
        count = span // 365
        text = translate("CareQueue", "in {n} years") if later else translate("CareQueue", "{n} years ago")
    return text.format(n=format_count(count, locale))


def due_column(day: dt.date, today: dt.date, locale: QLocale | None = None) -> str:
    """The queue's Due column, one style for every row: the date, then how far it is as a hint:
    "Thu 26 Nov · in 3 days", "2 Jun 2022 · 4 years ago" (the year only when it is not this year)."""
    locale = locale or QLocale()
    pattern = "ddd d MMM" if day.year == today.year else "d MMM yyyy"
    date = locale.toString(QDate(day.year, day.month, day.day), pattern)
    return translate("CareQueue", "{date} · {hint}").format(date=date, hint=relative_hint(day, today, locale))


def context_parts(context: TouchContext, locale: QLocale | None = None) -> list[str]:
    """What makes the touch personal, one short phrase each; nothing for what is not known."""
    parts: list[str] = []
    if context.age_turning is not None:
        parts.append(translate("CareQueue", "turning {age}").format(age=context.age_turning))
    if context.last_purchase:
        if context.last_purchase_on is not None:
            parts.append(
                translate("CareQueue", "bought {item} on {date}").format(
                    item=context.last_purchase, date=format_date(context.last_purchase_on, locale)
                )
            )
        else:
            parts.append(translate("CareQueue", "bought {item}").format(item=context.last_purchase))
    if context.interests:
        parts.append(
            # Tags (a Google group such as "Friends" among them): not all of them are interests.
            translate("CareQueue", "tags: {tags}").format(tags=", ".join(context.interests))
        )
    if context.last_contact is not None:
        parts.append(
            translate("CareQueue", "last contact {date}").format(
                date=format_date(context.last_contact, locale)
            )
        )
    else:
        parts.append(translate("CareQueue", "no contact yet"))
    if context.open_tickets:
        parts.append(open_tickets_text(context.open_tickets, locale))
    if context.rewards:
        parts.append(context.rewards)  # "1 reward waiting: a free coffee, expires 3 Mar 2027"
    return parts


def open_tickets_text(count: int, locale: QLocale | None = None) -> str:
    if count == 1:
        return translate("CareQueue", "1 open ticket")
    return translate("CareQueue", "{count} open tickets").format(count=format_count(count, locale))


def context_line(context: TouchContext, locale: QLocale | None = None) -> str:
    """The context in one line for the queue's table: "turning 41 · bought a kettle on …"."""
    return " · ".join(context_parts(context, locale))


def channel_now(entry: QueueEntry) -> Channel | None:
    """The channel the touch would go by now: its channel while it may be done on it (``channels``),
    else None. A touch held because its customer withdrew consent keeps that channel in the plan (the
    next plan works from it), but showing "by text message" beside "withdrew consent to text message"
    said the opposite of the reason."""
    return entry.channel if entry.channel is not None and entry.channel in entry.channels else None


def channel_column(entry: QueueEntry) -> str:
    """The Channel column: the channel, "none yet" (none chosen), or "none now" (it cannot be used)."""
    if entry.channel is None:
        return translate("CareQueue", "none yet")
    if channel_now(entry) is None:
        return translate("CareQueue", "none now")
    return channel_name(entry.channel)


def channels_text(channels: Sequence[str]) -> str:
    return ", ".join(channels)


def entry_summary(entry: QueueEntry, today: dt.date, locale: QLocale | None = None) -> str:
    """One sentence for a screen reader or a tool tip: who, why, when."""
    return translate("CareQueue", "{name}: {why}, due {when}").format(
        name=entry.customer_name, why=entry.description, when=due_text(entry.day, today, locale)
    )


def items_due_text(count: int, locale: QLocale | None = None) -> str:
    """ "3 due": the tray's badge text and tool tip."""
    return translate("CareQueue", "{count} due").format(count=format_count(count, locale))
