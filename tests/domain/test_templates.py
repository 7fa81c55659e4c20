"""Message templates: placeholders, missing values, defaults for every kind, and contact links."""

from __future__ import annotations

import datetime as dt

import pytest

from careapp.domain.customer import Channel, DateKind, Purchase
from careapp.domain.templates import (
    Message,
    MessageTemplate,
    MessageValues,
    default_templates,
    dial_string,
    mailto_url,
    placeholders_in,
    render,
    render_text,
    sms_url,
    tel_url,
    template_for,
    unknown_placeholders,
    values_for,
)
from careapp.domain.touches import Article, CustomerFacts, DueTouch, TouchKind

D = dt.date
BIRTHDAY_EMAIL = template_for(TouchKind.BIRTHDAY, Channel.EMAIL)


def test_a_birthday_email_with_the_age() -> None:
    message = render(BIRTHDAY_EMAIL, MessageValues(first_name="Anna", age=40, shop_name="Tea & Co"))
    assert message == Message(
        Channel.EMAIL,
        "Hi Anna,\n\n"
        "Happy birthday from all of us at Tea & Co! Congratulations on turning 40. "
        "We hope you have a lovely day.\n\n"
        "Best wishes,\nTea & Co",
        "Happy birthday from Tea & Co",
    )


def test_without_a_birth_year_the_age_sentence_is_left_out() -> None:
    message = render(BIRTHDAY_EMAIL, MessageValues(first_name="Anna", shop_name="Tea & Co"))
    assert message.body == (
        "Hi Anna,\n\nHappy birthday from all of us at Tea & Co! We hope you have a lovely day.\n\n"
        "Best wishes,\nTea & Co"
    )


def test_first_name_and_shop_name_fall_back_to_words() -> None:
    message = render(BIRTHDAY_EMAIL, MessageValues())
    assert message.body.startswith("Hi there,\n\nHappy birthday from all of us at the shop!")
    assert message.subject == "Happy birthday from the shop"


def test_an_sms_has_no_subject() -> None:
    template = template_for(TouchKind.BIRTHDAY, Channel.SMS)
    message = render(template, MessageValues(first_name="Anna", age=40, shop_name="Tea & Co"))
    assert message == Message(Channel.SMS, "Hi Anna, happy birthday from Tea & Co! Enjoy turning 40 today.")


def test_an_email_subject_never_ends_up_empty() -> None:
    template = MessageTemplate(TouchKind.ARTICLE_SHARE, Channel.EMAIL, "Body.", "Read {article_title}")
    assert render(template, MessageValues(shop_name="Tea & Co")).subject == "A note from Tea & Co"


def test_sentences_and_lines_needing_a_missing_value_drop_out() -> None:
    text = "Hi {first_name}! You bought {last_purchase}. Enjoy it!\n\n{article_title}\n{article_link}\n\nBye."
    assert render_text(text, {"first_name": "Jo"}) == "Hi Jo! Enjoy it!\n\nBye."
    assert render_text(text, {"first_name": "Jo", "article_link": "https://x.test/a?b=1. c"}) == (
        "Hi Jo! Enjoy it!\n\nhttps://x.test/a?b=1. c\n\nBye."
    )


def test_rendering_never_fails_on_odd_templates() -> None:
    values = {"first_name": "Jo"}
    assert render_text("Hello {frist_name}, {first_name}.", values) == "Hello {frist_name}, Jo."
    assert render_text("{{first_name}} is {first_name}", values) == "{first_name} is Jo"
    assert render_text("50% off {today! {", values) == "50% off {today! {"
    assert render_text("", values) == ""
    assert render_text("Line one\r\nLine {age}\rLine three", values) == "Line one\nLine three"


def test_placeholders_are_listed_for_the_editor() -> None:
    text = "Hi {first_name}, {age} {frist_name} {{shop_name}} {first_name}"
    assert placeholders_in(text) == ["first_name", "age", "frist_name"]
    assert unknown_placeholders(text) == ["frist_name"]


FULL = MessageValues(
    first_name="Anna",
    age=40,
    last_purchase="kettle",
    article_title="Brewing green tea",
    article_link="https://example.com/tea",
    shop_name="Tea & Co",
    occasion="the anniversary of your first visit",
    years=5,
    referred_name="Maria",
)


@pytest.mark.parametrize("kind", list(TouchKind))
@pytest.mark.parametrize("channel", list(Channel))
def test_every_kind_has_wording_on_every_channel(kind: TouchKind, channel: Channel) -> None:
    template = template_for(kind, channel)
    assert (template.kind, template.channel) == (kind, channel)
    assert unknown_placeholders(template.body + template.subject) == []
    message = render(template, FULL)
    assert message.body
    assert "{" not in message.body and "{" not in message.subject
    assert bool(message.subject) is (channel is Channel.EMAIL)


def test_defaults_cover_email_and_sms_for_every_kind() -> None:
    defaults = default_templates()
    for kind in TouchKind:
        assert (kind, Channel.EMAIL) in defaults and (kind, Channel.SMS) in defaults


def test_the_shops_own_template_wins_and_a_missing_channel_borrows() -> None:
    own = MessageTemplate(TouchKind.BIRTHDAY, Channel.SMS, "Happy day, {first_name}!")
    custom = {(TouchKind.BIRTHDAY, Channel.SMS): own}
    assert template_for(TouchKind.BIRTHDAY, Channel.SMS, custom).body == "Happy day, {first_name}!"
    # No phone script for birthdays: the phone borrows the shop's SMS wording.
    assert template_for(TouchKind.BIRTHDAY, Channel.PHONE, custom).body == "Happy day, {first_name}!"
    # No card for a follow-up: post borrows the email body, without the subject.
    post = template_for(TouchKind.PURCHASE_FOLLOW_UP, Channel.POST)
    assert post.subject == ""
    assert post.body == default_templates()[TouchKind.PURCHASE_FOLLOW_UP, Channel.EMAIL].body


# --- values for a due touch ----------------------------------------------------------------------

ANNA = CustomerFacts(
    1, "Anna", purchases=(Purchase(D(2027, 1, 2), "Mug", id=1), Purchase(D(2027, 2, 3), "Teapot", id=2))
)


def touch(kind: TouchKind, **fields: object) -> DueTouch:
    return DueTouch(f"{kind}:1", kind, 1, D(2027, 3, 10), (Channel.EMAIL,), **fields)  # type: ignore[arg-type]


def test_values_for_a_customer_since_anniversary() -> None:
    since = touch(
        TouchKind.IMPORTANT_DATE, years=1, label="Customer since", date_kind=DateKind.CUSTOMER_SINCE
    )
    values = values_for(since, ANNA, shop_name="Tea & Co")
    assert (values.occasion, values.years, values.age) == ("the anniversary of your first visit", 1, None)
    body = render(template_for(TouchKind.IMPORTANT_DATE, Channel.EMAIL), values).body
    assert (
        "We are celebrating the anniversary of your first visit with you. It has been 1 year already!" in body
    )
    custom = touch(TouchKind.IMPORTANT_DATE, label="Dog's birthday", date_kind=DateKind.CUSTOM)
    body = render(
        template_for(TouchKind.IMPORTANT_DATE, Channel.EMAIL), values_for(custom, ANNA, shop_name="X")
    ).body
    assert "We are celebrating Dog's birthday with you. Thank you for being part of our story." in body


def test_values_for_purchases_tickets_articles_and_referrals() -> None:
    follow_up = touch(TouchKind.PURCHASE_FOLLOW_UP, label="Road bike, Bell", purchase_ids=(3, 4))
    assert values_for(follow_up, ANNA, shop_name="X").last_purchase == "Road bike, Bell"
    check_in = touch(TouchKind.CHECK_IN)
    assert values_for(check_in, ANNA, shop_name="X").last_purchase == "Teapot"
    ticket = touch(TouchKind.FEEDBACK_REQUEST, label="ticket #31", ticket_id=31)
    body = render(
        template_for(TouchKind.FEEDBACK_REQUEST, Channel.EMAIL), values_for(ticket, ANNA, shop_name="X")
    ).body
    assert "We would love to hear how we did. What could we do better?" in body
    article = Article(7, "Brewing green tea", "https://example.com/tea", D(2027, 3, 1))
    share = values_for(touch(TouchKind.ARTICLE_SHARE, article_id=7), ANNA, shop_name="X", article=article)
    assert (share.article_title, share.article_link) == ("Brewing green tea", "https://example.com/tea")
    thanks = values_for(touch(TouchKind.REFERRAL_THANKS, label="Maria"), ANNA, shop_name="X")
    assert thanks.referred_name == "Maria"
    birthday = values_for(touch(TouchKind.BIRTHDAY, years=40), ANNA, shop_name="X")
    assert (birthday.age, birthday.years) == (40, None)


# --- links -------------------------------------------------------------------------------------------


def test_mailto_links_are_percent_encoded_with_crlf_line_breaks() -> None:
    url = mailto_url("anna+shop@example.com", "Tea & cake?", "Hi Anna,\n\n100% off = free ü")
    assert url == (
        "mailto:anna%2Bshop@example.com?subject=Tea%20%26%20cake%3F"
        "&body=Hi%20Anna%2C%0D%0A%0D%0A100%25%20off%20%3D%20free%20%C3%BC"
    )
    assert mailto_url("a@example.com", body="See https://example.com/tea?x=1#top") == (
        "mailto:a@example.com?body=See%20https%3A%2F%2Fexample.com%2Ftea%3Fx%3D1%23top"
    )
    assert mailto_url("a@example.com") == "mailto:a@example.com"
    assert mailto_url("a@example.com", body="x\r\ny") == "mailto:a@example.com?body=x%0D%0Ay"


def test_sms_and_tel_links() -> None:
    assert sms_url("+44 7700 900123", "Hi & bye #1") == "sms:+447700900123?body=Hi%20%26%20bye%20%231"
    assert sms_url("07700 900123") == "sms:07700900123"
    assert tel_url("+44 (0)20 7946-0958") == "tel:+442079460958"
    assert tel_url("(020) 7946 0958") == "tel:02079460958"
    with pytest.raises(ValueError, match="no digits"):
        dial_string("call me")


@pytest.mark.parametrize(
    ("first_name", "greeted"),
    [
        ("Rowan J", "Rowan"),
        ("Rowan J.", "Rowan"),
        ("David James", "David"),
        ("Jean-Luc", "Jean-Luc"),
        ("Ann", "Ann"),
    ],
)
def test_a_greeting_uses_the_first_name_alone(first_name: str, greeted: str) -> None:
    message = render(BIRTHDAY_EMAIL, MessageValues(first_name=first_name, shop_name="Tea & Co"))
    assert message.body.startswith(f"Hi {greeted},")
