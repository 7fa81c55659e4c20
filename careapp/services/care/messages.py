"""Messages for touches: the shop's templates, drafts with a live preview, and links that send them.

A draft is rendered from the template for the touch's kind and channel (the shop's own wording if it
has some, else careapp's: :func:`careapp.domain.templates.template_for`) with the customer's first
name, the shop's name, what they bought, the article, and so on. It comes with the link that opens
the mail client (``mailto:``), the messaging app (``sms:``) or the dialler (``tel:``); a card by post,
or a customer without the details, gets no link and is copied instead.

What was actually sent is recorded when the touch is marked done: pass the draft's subject and body
as :class:`careapp.services.care.queue.SentMessage`. The touch keys make sure the same greeting or
article is never queued twice; :meth:`MessageService.sent` lists what a customer was sent.

The shop's templates are kept in the ``setting`` table under :data:`TEMPLATES_KEY`; only the owner
changes them (they are the shop's voice, like the touch rules).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careapp.db.database import Database
from careapp.db.models import (
    ArticleRecord,
    CustomerRecord,
    PhoneRecord,
    SettingAuditRecord,
    TouchLogRecord,
    TouchRecord,
)
from careapp.domain.care_queue import TouchOutcome
from careapp.domain.customer import Channel
from careapp.domain.recurrence import local_date
from careapp.domain.templates import (
    Message,
    MessageTemplate,
    mailto_url,
    render,
    sms_url,
    tel_url,
    template_for,
    unknown_placeholders,
    values_for,
)
from careapp.domain.touches import Article, TouchKind
from careapp.services.care.facts import load_facts
from careapp.services.care.planning import minimal_window
from careapp.services.care.queue import TouchNotFound
from careapp.services.care.rules import read_care_settings
from careapp.services.care.touch_store import queue_item
from careapp.services.shop.settings import SettingsService, read_setting, write_setting
from careapp.services.shop.staff import Actor, OwnerAction, check_owner

Clock = Callable[[], dt.datetime]
TEMPLATES_KEY = "message_templates"


@dataclass(frozen=True)
class MessageDraft:
    """A message ready to send for one touch.

    ``address`` is the email address or phone number it goes to (for post: the postal address, one
    line per part); ``url`` opens the mail client, messaging app or dialler, and is None when there is
    nothing to open (post, or no address). ``unknown_placeholders`` are typos in the template.
    """

    touch_id: int
    customer_id: int
    customer_name: str
    kind: TouchKind
    channel: Channel
    subject: str
    body: str
    address: str
    url: str | None
    unknown_placeholders: tuple[str, ...] = ()

    def clipboard_text(self) -> str:
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body


@dataclass(frozen=True)
class SentRecord:
    """What a customer was sent: from the touch log of done touches."""

    touch_id: int
    kind: TouchKind
    at: dt.datetime
    who: str
    channel: Channel | None
    subject: str
    body: str


def _template_json(template: MessageTemplate) -> dict[str, str]:
    return {
        "kind": template.kind.value,
        "channel": template.channel.value,
        "subject": template.subject,
        "body": template.body,
    }


def read_templates(session: Session) -> dict[tuple[TouchKind, Channel], MessageTemplate]:
    """The shop's own templates (not the defaults)."""
    stored = read_setting(session, TEMPLATES_KEY) or []
    found: dict[tuple[TouchKind, Channel], MessageTemplate] = {}
    for item in stored:
        try:
            kind, channel = TouchKind(item["kind"]), Channel(item["channel"])
        except (KeyError, ValueError):
            continue
        found[kind, channel] = MessageTemplate(
            kind, channel, str(item.get("body", "")), str(item.get("subject", ""))
        )
    return found


class MessageService:
    """Templates and drafts. One short session per call; plain data out."""

    def __init__(
        self, db: Database, clock: Clock, settings: SettingsService, zone: Callable[[], str]
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._zone = zone

    # --- templates ----------------------------------------------------------------------------------

    def templates(self) -> dict[tuple[TouchKind, Channel], MessageTemplate]:
        """The template in use for every kind and channel: the shop's own, else careapp's."""
        with self._db.session() as session:
            custom = read_templates(session)
        return {(k, c): template_for(k, c, custom) for k in TouchKind for c in Channel}

    def custom_templates(self) -> dict[tuple[TouchKind, Channel], MessageTemplate]:
        with self._db.session() as session:
            return read_templates(session)

    def save_template(self, actor: Actor, template: MessageTemplate) -> MessageTemplate:
        """Use ``template`` for its kind and channel from now on. Owner only."""
        if not template.body.strip():
            raise ValueError("The message is empty; write what the customer should read.")
        return self._change(actor, template.kind, template.channel, template)

    def reset_template(self, actor: Actor, kind: TouchKind, channel: Channel) -> MessageTemplate:
        """Go back to careapp's wording for this kind and channel. Owner only."""
        self._change(actor, kind, channel, None)
        return template_for(kind, channel)

    def _change(
        self, actor: Actor, kind: TouchKind, channel: Channel, template: MessageTemplate | None
    ) -> MessageTemplate:
        with self._db.session() as session:
            check_owner(session, actor, OwnerAction.EDIT_TOUCH_RULES)
            custom = read_templates(session)
            custom.pop((kind, channel), None)
            if template is not None:
                custom[kind, channel] = template
            value = [_template_json(t) for _, t in sorted(custom.items())]
            old_json, new_json = write_setting(session, TEMPLATES_KEY, value)
            session.add(
                SettingAuditRecord(
                    key=TEMPLATES_KEY, at=self._clock(), by=actor.name, old_json=old_json, new_json=new_json
                )
            )
        return template or template_for(kind, channel)

    # --- drafts ---------------------------------------------------------------------------------------

    def draft(
        self, touch_id: int, channel: Channel | None = None, template: MessageTemplate | None = None
    ) -> MessageDraft:
        """The message for a touch on ``channel`` (None: the touch's own, else its rule's first).

        Pass ``template`` for a live preview of wording being edited (its kind and channel are used).
        """
        shop_name = self._settings.shop().shop_name
        with self._db.session() as session:
            record = session.get(TouchRecord, touch_id)
            if record is None:
                raise TouchNotFound(touch_id)
            item = queue_item(record)
            care = read_care_settings(session, self._zone)
            loaded = load_facts(
                session, care.tz(), minimal_window(local_date(self._clock(), care.tz())), [item.customer_id]
            )
            facts = loaded.facts.get(item.customer_id)
            if facts is None:
                raise TouchNotFound(touch_id)
            use = template.channel if template else channel or item.channel or _first(item.touch.channels)
            wording = template or template_for(item.kind, use, read_templates(session))
            article = _article(session, item.touch.article_id, item.touch.label)
            address = _address(session, item.customer_id, use)
        values = values_for(item.touch, facts, shop_name=shop_name, article=article)
        message = render(wording, values)
        extras = loaded.extras[item.customer_id]
        return MessageDraft(
            touch_id=touch_id,
            customer_id=item.customer_id,
            customer_name=extras.name,
            kind=item.kind,
            channel=use,
            subject=message.subject,
            body=message.body,
            address=address,
            url=_url(message, address),
            unknown_placeholders=tuple(unknown_placeholders(wording.subject + "\n" + wording.body)),
        )

    def sent(self, customer_id: int) -> list[SentRecord]:
        """What the customer was sent, newest first (done touches with a recorded message)."""
        log = TouchLogRecord
        statement = (
            select(log)
            .where(log.customer_id == customer_id, log.outcome == TouchOutcome.DONE.value, log.body != "")
            .order_by(log.at.desc(), log.id.desc())
        )
        with self._db.session() as session:
            return [
                SentRecord(
                    r.touch_id,
                    TouchKind(r.kind),
                    r.at,
                    r.who,
                    Channel(r.channel) if r.channel else None,
                    r.subject,
                    r.body,
                )
                for r in session.scalars(statement)
            ]


def _first(channels: tuple[Channel, ...]) -> Channel:
    return channels[0] if channels else Channel.EMAIL


def _article(session: Session, article_id: int | None, label: str) -> Article | None:
    if article_id is None:
        return None
    record = session.get(ArticleRecord, article_id)
    if record is None:  # removed from the library: the title it was queued with, no link
        return Article(article_id, label, "", dt.date.min)
    return Article(record.id, record.title, record.link, record.added_on, record.summary)


def _address(session: Session, customer_id: int, channel: Channel) -> str:
    customer = session.get(CustomerRecord, customer_id)
    if customer is None:
        return ""
    if channel is Channel.EMAIL:
        return customer.primary_email
    if channel is Channel.POST:
        parts = (customer.display_name, customer.street, customer.city, customer.region, customer.postcode)
        return "\n".join(p for p in parts if p)
    phone = session.execute(
        select(PhoneRecord.e164, PhoneRecord.raw)
        .where(PhoneRecord.customer_id == customer_id)
        .order_by(PhoneRecord.position, PhoneRecord.id)
        .limit(1)
    ).first()
    if phone is None:
        return customer.primary_phone
    return phone.e164 or phone.raw


def _url(message: Message, address: str) -> str | None:
    if not address:
        return None
    try:
        if message.channel is Channel.EMAIL:
            return mailto_url(address, message.subject, message.body)
        if message.channel is Channel.SMS:
            return sms_url(address, message.body)
        if message.channel is Channel.PHONE:
            return tel_url(address)
    except ValueError:  # a number with no digits to dial
        return None
    return None
