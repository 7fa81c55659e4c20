"""Message templates per touch kind and channel, rendering that never fails, and contact links.

Placeholders are written ``{name}``; ``{{`` and ``}}`` are literal braces. The known ones are in
:data:`PLACEHOLDERS`. Rendering never raises, whatever the template or the values:

- a **missing value** (None or empty) makes the *sentence* that uses it drop out, so "You turn
  {age} today." simply disappears when the birth year is unknown. A sentence ends at ``.``, ``!``,
  ``?`` or ``…`` followed by a space, or at the end of a line; a line left empty disappears too.
- two values have a fallback word instead, because a message without them reads wrong:
  ``{first_name}`` becomes "there" (so write "Hi {first_name}", "Hello {first_name}"; not "Dear")
  and ``{shop_name}`` "the shop".
- an **unknown placeholder** (a typo like ``{frist_name}``) is left in the text as typed, so the
  live preview shows it; :func:`unknown_placeholders` lists them for the editor.

An email has a subject and a body; a text message, a phone script and a card have a body only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from careapp.domain.customer import Channel, DateKind
from careapp.domain.touches import Article, CustomerFacts, DueTouch, TouchKind, reward_id_of

PLACEHOLDERS: Mapping[str, str] = {
    "first_name": "The customer's first name",
    "age": "The age the customer turns (birthdays; left out when the year is unknown)",
    "last_purchase": "What the customer bought",
    "article_title": "The article's title",
    "article_link": "The article's link",
    "shop_name": "The shop's name",
    "occasion": "The date being celebrated, such as 'the anniversary of your first visit'",
    "years": "How long ago the date was, such as '5 years' (left out when the year is unknown)",
    "referred_name": "Who the customer referred",
    "reward": "The reward waiting for the customer (reward reminders; a referral thank-you's reward)",
    "reward_expires": "The last day the reward can be used (left out when it never expires)",
    "category": "The category a related-product suggestion names, such as 'Garden tools'",
}

FALLBACKS: Mapping[str, str] = {"first_name": "there", "shop_name": "the shop"}

_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z_]+)\}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class MessageTemplate:
    """``subject`` is used for email only."""

    kind: TouchKind
    channel: Channel
    body: str
    subject: str = ""


@dataclass(frozen=True)
class Message:
    """A rendered message; ``subject`` is empty except for email."""

    channel: Channel
    body: str
    subject: str = ""


@dataclass(frozen=True)
class MessageValues:
    """The values placeholders take; None or "" means unknown."""

    first_name: str = ""
    age: int | None = None
    last_purchase: str = ""
    article_title: str = ""
    article_link: str = ""
    shop_name: str = ""
    occasion: str = ""
    years: int | None = None
    referred_name: str = ""
    reward: str = ""
    reward_expires: str = ""
    category: str = ""

    def as_mapping(self) -> dict[str, str]:
        """Known values as text; unknown ones are absent."""
        raw: dict[str, str | int | None] = {
            "first_name": greeting_name(self.first_name),
            "age": self.age,
            "last_purchase": self.last_purchase,
            "article_title": self.article_title,
            "article_link": self.article_link,
            "shop_name": self.shop_name,
            "occasion": self.occasion,
            "years": years_text(self.years),
            "referred_name": self.referred_name,
            "reward": self.reward,
            "reward_expires": self.reward_expires,
            "category": self.category,
        }
        return {k: str(v).strip() for k, v in raw.items() if v is not None and str(v).strip()}


def greeting_name(first_name: str) -> str:
    """The name to greet with: the first of the first names. Contacts from Google and Outlook carry
    the middle name (or its initial) in the first name ("Rowan J", "David James"), which a greeting
    should not. A double first name written with a hyphen ("Jean-Luc") stays whole."""
    words = first_name.split()
    return words[0] if words else ""


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order of first use."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if match.group(1):
            found.setdefault(match.group(1), None)
    return list(found)


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def render_text(text: str, values: Mapping[str, str], fallbacks: Mapping[str, str] = FALLBACKS) -> str:
    """``text`` with placeholders filled in; sentences needing a missing value are left out."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            lines.append("")
            continue
        kept = [_fill(s, values, fallbacks) for s in _SENTENCE_END.split(line)]
        sentences = [s for s in kept if s is not None]
        if sentences:
            lines.append(" ".join(sentences).rstrip())
    return _tidy_blank_lines(lines)


def _fill(sentence: str, values: Mapping[str, str], fallbacks: Mapping[str, str]) -> str | None:
    """The sentence filled in, or None when a known placeholder in it has no value."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = values.get(name) or fallbacks.get(name)
        if not value:
            missing = True
            return ""
        return value

    filled = _TOKEN.sub(replace, sentence)
    return None if missing else filled


def _tidy_blank_lines(lines: list[str]) -> str:
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)


def render(template: MessageTemplate, values: MessageValues) -> Message:
    """The message for ``values``; also the live preview. Never raises."""
    mapping = values.as_mapping()
    body = render_text(template.body, mapping)
    if template.channel is not Channel.EMAIL:
        return Message(template.channel, body)
    subject = " ".join(render_text(template.subject, mapping).split())
    if not subject:
        subject = f"A note from {mapping.get('shop_name') or FALLBACKS['shop_name']}"
    return Message(template.channel, body, subject)


# ---------------------------------------------------------------------------------------------
# Default wording.

_SIGN_OFF = "\n\nBest wishes,\n{shop_name}"

_EMAIL: Mapping[TouchKind, tuple[str, str]] = {
    TouchKind.BIRTHDAY: (
        "Happy birthday from {shop_name}",
        "Hi {first_name},\n\nHappy birthday from all of us at {shop_name}! "
        "Congratulations on turning {age}. We hope you have a lovely day." + _SIGN_OFF,
    ),
    TouchKind.IMPORTANT_DATE: (
        "Celebrating with you, from {shop_name}",
        "Hi {first_name},\n\nWe are celebrating {occasion} with you. "
        "It has been {years} already! Thank you for being part of our story." + _SIGN_OFF,
    ),
    TouchKind.PURCHASE_FOLLOW_UP: (
        "How are you getting on?",
        "Hi {first_name},\n\nHow are you getting on with your {last_purchase}? "
        "If anything is not quite right, just reply and we will help." + _SIGN_OFF,
    ),
    TouchKind.CHECK_IN: (
        "Hello from {shop_name}",
        "Hi {first_name},\n\nIt has been a while, and we wanted to say hello. "
        "How are you getting on with your {last_purchase}? "
        "If there is anything we can help with, just reply to this email." + _SIGN_OFF,
    ),
    TouchKind.ARTICLE_SHARE: (
        "Thought you might like this: {article_title}",
        "Hi {first_name},\n\nWe came across something we thought you would enjoy.\n"
        "{article_title}\n{article_link}" + _SIGN_OFF,
    ),
    TouchKind.REFERRAL_THANKS: (
        "Thank you for recommending us",
        "Hi {first_name},\n\nThank you so much for recommending us. "
        "We were delighted to welcome {referred_name}. "
        "As a thank-you, {reward} is waiting for you. "
        "Word of mouth means the world to a shop like ours." + _SIGN_OFF,
    ),
    TouchKind.REWARD_EXPIRING: (
        "Your reward is waiting: {reward}",
        "Hi {first_name},\n\nJust a reminder: {reward} is waiting for you at {shop_name}. "
        "It can be used until {reward_expires}. We look forward to seeing you." + _SIGN_OFF,
    ),
    TouchKind.REWARD_WAITING: (
        "A reward for you: {reward}",
        "Hi {first_name},\n\nThank you for shopping with us: {reward} is waiting for you at {shop_name}. "
        "It can be used until {reward_expires}. Just mention it at your next visit." + _SIGN_OFF,
    ),
    TouchKind.RELATED_PRODUCT: (
        "Something you might like: {category}",
        "Hi {first_name},\n\nCustomers who like what you chose at {shop_name} often go on to enjoy "
        "our {category}. If you would like to see what we have, just reply to this email or drop in; "
        "we are happy to help you choose." + _SIGN_OFF,
    ),
    TouchKind.FEEDBACK_REQUEST: (
        "How did we do?",
        "Hi {first_name},\n\nWe would love to hear how we did. "
        "Are you happy with your {last_purchase}? "
        "What could we do better? Just reply to this email." + _SIGN_OFF,
    ),
    TouchKind.CALLBACK: (
        "Following up on your call",
        "Hi {first_name},\n\nAs promised, we are getting back to you. "
        "When is a good time to talk?" + _SIGN_OFF,
    ),
}

_SMS: Mapping[TouchKind, str] = {
    TouchKind.BIRTHDAY: "Hi {first_name}, happy birthday from {shop_name}! Enjoy turning {age} today.",
    TouchKind.IMPORTANT_DATE: "Hi {first_name}, we're celebrating {occasion} with you today! "
    "Thank you from {shop_name}",
    TouchKind.PURCHASE_FOLLOW_UP: "Hi {first_name}, how is your {last_purchase}? "
    "Any questions, just reply. {shop_name}",
    TouchKind.CHECK_IN: "Hi {first_name}, just saying hello from {shop_name}. Anything we can help with?",
    TouchKind.ARTICLE_SHARE: "Hi {first_name}, thought you'd like this: {article_title} {article_link}",
    TouchKind.REFERRAL_THANKS: "Hi {first_name}, thank you for recommending us! "
    "We loved meeting {referred_name}. As a thank-you, {reward} is waiting for you. {shop_name}",
    TouchKind.REWARD_EXPIRING: "Hi {first_name}, {reward} is waiting for you at {shop_name}, "
    "until {reward_expires}. See you soon!",
    TouchKind.REWARD_WAITING: "Hi {first_name}, {reward} is waiting for you at {shop_name}. "
    "Just mention it next time. See you soon!",
    TouchKind.RELATED_PRODUCT: "Hi {first_name}, customers who like what you chose often enjoy our "
    "{category} too. Happy to show you! {shop_name}",
    TouchKind.FEEDBACK_REQUEST: "Hi {first_name}, how did we do? We'd love a quick reply. {shop_name}",
    TouchKind.CALLBACK: "Hi {first_name}, {shop_name} here, getting back to you as promised. "
    "When suits you to talk?",
}

_PHONE: Mapping[TouchKind, str] = {
    TouchKind.CALLBACK: "Say who you are and that you are calling back as promised.\n"
    "Go through what was promised, and agree what happens next.",
    TouchKind.CHECK_IN: "Say hello. Ask how they are getting on with their {last_purchase}.\n"
    "Ask if there is anything the shop can help with.",
    TouchKind.PURCHASE_FOLLOW_UP: "Ask how they are getting on with their {last_purchase}.\n"
    "Offer help if anything is not right.",
}

_POST: Mapping[TouchKind, str] = {
    TouchKind.BIRTHDAY: "Hello {first_name},\n\nHappy birthday! Many happy returns on turning {age}."
    + _SIGN_OFF,
    TouchKind.IMPORTANT_DATE: "Hello {first_name},\n\nWe are celebrating {occasion} with you. "
    "It has been {years} already!" + _SIGN_OFF,
    TouchKind.REFERRAL_THANKS: "Hello {first_name},\n\nThank you so much for recommending us. "
    "We were delighted to welcome {referred_name}. As a thank-you, {reward} is waiting for you." + _SIGN_OFF,
}


def default_templates() -> dict[tuple[TouchKind, Channel], MessageTemplate]:
    """Wording for every kind on email and SMS, plus phone scripts and cards where they fit."""
    found: dict[tuple[TouchKind, Channel], MessageTemplate] = {}
    for kind, (subject, body) in _EMAIL.items():
        found[kind, Channel.EMAIL] = MessageTemplate(kind, Channel.EMAIL, body, subject)
    for channel, table in ((Channel.SMS, _SMS), (Channel.PHONE, _PHONE), (Channel.POST, _POST)):
        for kind, body in table.items():
            found[kind, channel] = MessageTemplate(kind, channel, body)
    return found


_FALLBACK_CHANNEL: Mapping[Channel, Channel] = {
    Channel.PHONE: Channel.SMS,
    Channel.POST: Channel.EMAIL,
    Channel.SMS: Channel.EMAIL,
}


def template_for(
    kind: TouchKind,
    channel: Channel,
    custom: Mapping[tuple[TouchKind, Channel], MessageTemplate] | None = None,
) -> MessageTemplate:
    """The shop's own template, else the default; a channel without one borrows a neighbour's body.

    Always returns a template for ``channel``: phone borrows from SMS, post and SMS from email.
    """
    defaults = default_templates()
    looking = channel
    while True:
        for table in (custom or {}, defaults):
            found = table.get((kind, looking))
            if found is not None:
                subject = found.subject if channel is Channel.EMAIL else ""
                return MessageTemplate(kind, channel, found.body, subject)
        looking = _FALLBACK_CHANNEL[looking]


_OCCASIONS: Mapping[DateKind, str] = {
    DateKind.CUSTOMER_SINCE: "the anniversary of your first visit",
    DateKind.ANNIVERSARY: "your anniversary",
}


def years_text(years: int | None) -> str:
    if years is None:
        return ""
    return f"{years} year" if years == 1 else f"{years} years"


def values_for(
    touch: DueTouch, facts: CustomerFacts, *, shop_name: str, article: Article | None = None
) -> MessageValues:
    """The placeholder values for one due touch.

    ``{last_purchase}`` is what the touch is about for a purchase follow-up or feedback request,
    nothing for feedback on a ticket, and the latest purchase otherwise.
    """
    if touch.purchase_ids:
        last_purchase = touch.label
    elif touch.ticket_id is not None:
        last_purchase = ""
    else:
        latest = max(facts.purchases, key=lambda p: (p.date, p.id or 0), default=None)
        last_purchase = latest.item if latest else ""
    reward, reward_expires = _reward_values(touch, facts)
    dated = touch.kind is TouchKind.IMPORTANT_DATE
    occasion = _OCCASIONS.get(touch.date_kind, touch.label) if touch.date_kind else touch.label
    return MessageValues(
        first_name=facts.first_name,
        age=touch.years if touch.kind is TouchKind.BIRTHDAY else None,
        last_purchase=last_purchase,
        article_title=article.title if article else "",
        article_link=article.link if article else "",
        shop_name=shop_name,
        occasion=occasion if dated else "",
        years=touch.years if dated else None,
        referred_name=touch.label if touch.kind is TouchKind.REFERRAL_THANKS else "",
        reward=reward,
        reward_expires=reward_expires,
        category=touch.label if touch.kind is TouchKind.RELATED_PRODUCT else "",
    )


def _reward_values(touch: DueTouch, facts: CustomerFacts) -> tuple[str, str]:
    """The reward a reminder or a waiting note is about, or the one the referral behind a thank-you
    earned (if it is waiting now: the message is drafted when the touch is done, by then the referred
    person may have made their first purchase)."""
    if touch.kind is TouchKind.REWARD_EXPIRING:
        return touch.label, _day_text(touch.occasion)
    if touch.kind is TouchKind.REWARD_WAITING:
        reward_id = reward_id_of(touch)
        expires = next((r.expires_on for r in facts.rewards if r.id == reward_id), None)
        return touch.label, _day_text(expires)
    if touch.kind is TouchKind.REFERRAL_THANKS and touch.referred_customer_id is not None:
        for reward in facts.rewards:
            if reward.referred_customer_id == touch.referred_customer_id:
                return reward.wording, _day_text(reward.expires_on)
    return "", ""


def _day_text(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


# ---------------------------------------------------------------------------------------------
# Links that open the mail client, the messaging app or the dialler.


def _encode(value: str) -> str:
    """Percent-encode everything but unreserved characters (UTF-8); a space is %20, never "+"."""
    return quote(value, safe="")


def mailto_url(address: str, subject: str = "", body: str = "") -> str:
    """RFC 6068 ``mailto:`` link; line breaks in the body are sent as CRLF (``%0D%0A``)."""
    params = []
    if subject:
        params.append(f"subject={_encode(subject)}")
    if body:
        crlf = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
        params.append(f"body={_encode(crlf)}")
    query = f"?{'&'.join(params)}" if params else ""
    return f"mailto:{quote(address.strip(), safe='@')}{query}"


def dial_string(number: str) -> str:
    """Digits only, keeping a leading "+": what ``tel:`` and ``sms:`` links want.

    The "(0)" written in "+44 (0)20 ..." is not dialled from abroad and is dropped.
    """
    international = number.strip().startswith("+")
    if international:
        number = number.replace("(0)", "")
    digits = "".join(ch for ch in number if ch.isdigit() and ch.isascii())
    if not digits:
        raise ValueError(f"{number!r} has no digits to dial")
    return f"+{digits}" if international else digits


def sms_url(number: str, body: str = "") -> str:
    """RFC 5724 ``sms:`` link."""
    query = f"?body={_encode(body.replace(chr(13) + chr(10), chr(10)))}" if body else ""
    return f"sms:{dial_string(number)}{query}"


def tel_url(number: str) -> str:
    """RFC 3966 ``tel:`` link."""
    return f"tel:{dial_string(number)}"
