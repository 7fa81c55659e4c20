"""The vCard writer's faster escaping and UIDs (issue 20) give what the plain library calls give."""

from __future__ import annotations

import random
import uuid

from careapp.exporting.vcard_export import UID_NAMESPACE, customer_uid, escape_text

_ESCAPES = str.maketrans({"\\": "\\\\", ",": "\\,", ";": "\\;", "\n": "\\n"})


def _escaped_by_translate(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPES)


def test_escaping_is_what_one_translate_pass_gives() -> None:
    rng = random.Random(6350)
    for _ in range(20_000):
        text = "".join(rng.choice("ab\\,;\n\r é") for _ in range(rng.randrange(14)))
        assert escape_text(text) == _escaped_by_translate(text), repr(text)


def test_uids_are_uuid5_of_the_customer_id() -> None:
    rng = random.Random(4122)
    other = uuid.UUID(int=rng.getrandbits(128))
    for customer_id in [*range(0, 3000, 7), 10**12]:
        for namespace in (UID_NAMESPACE, other):
            expected = f"urn:uuid:{uuid.uuid5(namespace, str(customer_id))}"
            assert customer_uid(customer_id, namespace) == expected
