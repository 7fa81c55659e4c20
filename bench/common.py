"""What every benchmark shares: timing, percentiles and the figures they report."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """One measured figure against its baseline (measured in the same run) and its target.

    ``value`` and ``baseline`` are in ``unit``; ``limit`` is the target's bound on ``value`` (or on
    the ratio when ``ratio_target`` is set); ``passed`` is None when there is no target.
    """

    name: str
    value: float
    unit: str = "s"
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        assert self.baseline is not None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def below(name: str, value: float, limit: float, unit: str = "s", **extra: Any) -> Figure:
    """A figure whose target is ``value < limit``."""
    shown = f"< {fmt(limit, unit)}"
    return Figure(name, value, unit, target=shown, passed=value < limit, **extra)


def within_ratio(name: str, value: float, baseline: float, factor: float, **extra: Any) -> Figure:
    """A figure whose target is ``value <= factor * baseline``."""
    figure = Figure(name, value, baseline=baseline, target=f"<= {factor:g}x baseline", **extra)
    figure.passed = value <= factor * baseline
    return figure


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g} {unit}".strip()


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def median_time(call: Callable[[], Any], runs: int) -> float:
    return statistics.median(timed(call)[0] for _ in range(runs))


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 for p95) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "baseline", "ratio", "target", "result")]
    for f in figures:
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        result = "-" if f.passed is None else ("PASS" if f.passed else "FAIL")
        base = fmt(f.baseline, f.unit) if f.baseline is not None else "-"
        rows.append((f.name, fmt(f.value, f.unit), base, ratio, f.target or "-", result))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(cells: tuple[str, ...]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    lines = [line(r) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
