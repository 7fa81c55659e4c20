"""Counts and ranges in words for the command line and the services' sentences (the Qt layer has
careapp.ui.formatting.counted for translated text): "1 customer", "3 customers", "line 9",
"lines 9–12"; never "customer(s)" or "lines 9–9"."""

from __future__ import annotations


def counted(count: int, one: str, many: str | None = None) -> str:
    """``count`` with ``one`` or ``many`` (``one`` + "s" unless given): "1 row", "2 rows"."""
    noun = one if count == 1 else (many if many is not None else one + "s")
    return f"{count} {noun}"


def line_range(start: int, end: int) -> str:
    """"line 9" or "lines 9–12"."""
    return f"line {start}" if end <= start else f"lines {start}–{end}"
