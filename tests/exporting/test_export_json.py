import datetime as dt
import json
from decimal import Decimal

from export_samples import UPDATED, plain, zoe

from careapp.domain.customer import Channel, ConsentEvent, Purchase
from careapp.exporting import customer_to_json

PURCHASES = [
    Purchase(dt.date(2024, 12, 20), "Espresso machine", "Coffee", Decimal("449.90"), id=3),
    Purchase(dt.date(2025, 1, 5), "Descaler", amount=Decimal("0.10")),
]
HISTORY = [
    ConsentEvent(
        Channel.EMAIL, True, dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC), "in shop, signed form", "Sam"
    ),
    ConsentEvent(Channel.SMS, False, UPDATED, "import: Shopify export", "", "Accepts SMS Marketing: no"),
]


def test_every_field_is_there_and_plain_json():
    data = customer_to_json(zoe(), PURCHASES, HISTORY)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "id",
        "version",
        "display_name",
        "first_name",
        "last_name",
        "company",
        "emails",
        "phones",
        "address",
        "birthday",
        "dates",
        "tags",
        "notes",
        "loyalty_stage",
        "referred_by_id",
        "referred_by_name",
        "created_at",
        "updated_at",
        "updated_by",
        "consents",
        "purchases",
        "consent_history",
    }
    assert (data["id"], data["first_name"], data["last_name"]) == (42, "Zoë", "Ødegård-Østergaard")
    assert data["emails"] == [
        {"address": "zoe@example.no", "label": "work"},
        {"address": "zoe.private@example.com", "label": "Shop"},
    ]
    assert data["phones"] == [
        {"raw": "020 7946 0958", "e164": "+442079460958", "label": "mobile"},
        {"raw": "555-0100", "e164": None, "label": ""},
    ]
    assert data["address"] == {
        "street": "12 High St\nFlat 2",
        "city": "London",
        "region": "",
        "postcode": "SW1A 1AA",
        "country": "United Kingdom",
    }
    assert (data["tags"], data["loyalty_stage"]) == (["vip", "wedding, 2024"], "client")
    assert (data["created_at"], data["updated_at"]) == (None, "2025-02-03T10:30:00+00:00")


def test_dates_are_month_day_year_with_null_year_when_unknown():
    data = customer_to_json(zoe(), [], [])
    assert data["birthday"] == {"month": 2, "day": 29, "year": None}
    assert data["dates"] == [
        {"kind": "anniversary", "label": "", "title": "Anniversary", "month": 6, "day": 19, "year": 2010},
        {
            "kind": "customer_since",
            "label": "",
            "title": "Customer since",
            "month": 3,
            "day": 1,
            "year": 2019,
        },
        {"kind": "custom", "label": "Name day", "title": "Name day", "month": 1, "day": 2, "year": None},
    ]
    assert customer_to_json(plain(), [], [])["birthday"] == {"month": 4, "day": 12, "year": 1985}


def test_purchases_keep_exact_amounts_as_strings():
    data = customer_to_json(plain(), PURCHASES, [])
    assert data["purchases"] == [
        {"id": 3, "date": "2024-12-20", "item": "Espresso machine", "category": "Coffee", "amount": "449.90"},
        {"id": None, "date": "2025-01-05", "item": "Descaler", "category": "", "amount": "0.10"},
    ]


def test_consent_state_and_full_history_with_iso_times():
    data = customer_to_json(zoe(), [], HISTORY)
    assert data["consents"] == [
        {"channel": "email", "granted": True, "since": "2025-02-03T10:30:00+00:00"},
        {"channel": "sms", "granted": False, "since": "2025-02-03T10:30:00+00:00"},
    ]
    assert data["consent_history"] == [
        {
            "channel": "email",
            "granted": True,
            "at": "2024-05-01T09:00:00+00:00",
            "method": "in shop, signed form",
            "recorded_by": "Sam",
            "note": "",
        },
        {
            "channel": "sms",
            "granted": False,
            "at": "2025-02-03T10:30:00+00:00",
            "method": "import: Shopify export",
            "recorded_by": "",
            "note": "Accepts SMS Marketing: no",
        },
    ]


def test_customer_without_optional_data():
    data = customer_to_json(plain(), [], [])
    assert (data["birthday"], data["dates"], data["consents"], data["purchases"]) == (
        {"month": 4, "day": 12, "year": 1985},
        [],
        [],
        [],
    )
    assert data["display_name"] == "Ben Roe"
