"""indented_json writes exactly what json.dumps(indent=2, ensure_ascii=False) writes (issue 20: the
JSON export's own indenter, since the json module's indented output is its slow pure-Python path)."""

from __future__ import annotations

import json
import random
from typing import Any

from careapp.exporting.json_export import indented_json

STRINGS = ("", "plain", "two\nlines", 'quote " and \\ back', "\u2028 \x00 \x1f", "Zoë Ünal", "日本")


def _value(rng: random.Random, depth: int = 0) -> Any:
    kinds = 9 if depth < 4 else 6
    kind = rng.randrange(kinds)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice((None, True, False))
    if kind == 2:
        return rng.randint(-(10**20), 10**20)
    if kind == 3:
        return rng.choice((1.5, -0.0, 1e300))  # floats go to the json module
    if kind == 4:
        return []
    if kind == 5:
        return {}
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))]
    if kind == 7:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randrange(1, 3)))
    return {rng.choice(STRINGS) + str(i): _value(rng, depth + 1) for i in range(rng.randrange(1, 4))}


def test_the_same_text_as_the_json_module() -> None:
    rng = random.Random(20)
    for _ in range(2000):
        value = _value(rng)
        for depth in (0, 1, 3):
            expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)
            assert indented_json(value, depth) == expected, value


def test_keys_that_are_not_strings_go_to_the_json_module() -> None:
    value = {"a": [1, {2: "two", "b": None}], "c": True}
    assert indented_json(value, 1) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
