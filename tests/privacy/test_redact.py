"""The password redactor: addresses with a password, remembered passwords in every written form, and the
log filter (message, arguments and traceback)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from careapp.redact import MASK, RedactingFilter, forget_secrets, mask_url_passwords, redact, remember_secret


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://ann:pa55@cal.example/dav/", "https://ann:***@cal.example/dav/"),
        ("at postgresql+psycopg://u:p%40ss@db:5432/x now", "at postgresql+psycopg://u:***@db:5432/x now"),
        ("http://:secret@host/", "http://:***@host/"),
        (
            "https://ann@cal.example/ and https://cal.example:8443/",
            "https://ann@cal.example/ and https://cal.example:8443/",
        ),
        ("mail ann@example.com, time 10:30", "mail ann@example.com, time 10:30"),
    ],
)
def test_passwords_in_addresses_are_masked(text: str, expected: str) -> None:
    assert mask_url_passwords(text) == expected


def test_remembered_secrets_are_masked_in_every_form() -> None:
    secret = "S3cret pw/+!"
    remember_secret(secret, "shop")
    basic = base64.b64encode(b"shop:" + secret.encode()).decode()
    for form in (secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode(), basic):
        assert redact(f"before {form} after") == f"before {MASK} after"
    assert redact("nothing secret here") == "nothing secret here"
    remember_secret("abc")  # too short to mask without damaging ordinary words
    assert redact("abc") == "abc"


def test_the_filter_cleans_message_arguments_and_traceback() -> None:
    remember_secret("hunter2-long")
    arguments = ("hunter2-long", "https://u:p@h/")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "login %s to %s", arguments, None)
    try:
        raise RuntimeError("failed with hunter2-long")
    except RuntimeError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    assert RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "hunter2-long" not in text and "u:p@" not in text
    assert f"login {MASK} to https://u:{MASK}@h/" in text and "RuntimeError: failed with ***" in text
