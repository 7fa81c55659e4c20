"""The test folders have no __init__.py, so pytest imports each test module by its file name: two
modules with the same name in different folders stop a whole run at collection ("import file
mismatch"). This fails first, with the names, when that happens."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_name() -> None:
    names = Counter(path.name for path in TESTS.rglob("*.py") if path.name != "__init__.py")
    shared = sorted(name for name, count in names.items() if count > 1 and name != "conftest.py")
    assert shared == [], f"rename one of each: {shared}"
