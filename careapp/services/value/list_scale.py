"""The RFM scale the customer list scores its Segment column by, kept in the database.

Making the shop's scale reads every purchase (about 1 s at 100,000 customers, in a new process); the
list's first page must not wait for it at every start. What scoring needs of a scale is small: on each
axis the score is ``1 + 5 * below // n`` (:func:`careapp.domain.value.quintile`), which reaches ``s``
exactly when the value is above the ``ceil((s - 1) * n / 5)``-th smallest value. So five cut values
per axis score anyone exactly as the whole scale does, and fifteen numbers are stored (a setting), with
the ``customers`` change counter they were made at: a start reads them with one SELECT, and the scale is
made again (behind the window, :meth:`ValueService.update_list_scale`) only when the counter moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from careapp.domain.value import CustomerTotals, RfmScale, RfmScore, segment_for
from careapp.services.shop.settings import read_setting, write_setting

LIST_SCALE_KEY = "value.list_scale"
_SCORES = range(2, 7)  # a score of 6 is what quintile gives a value above every customer's


def _cuts(ordered: Sequence[int]) -> tuple[int, ...]:
    """For each score s of 2..6, the value a customer must be above to score at least s."""
    n = len(ordered)
    return tuple(ordered[-(-(s - 1) * n // 5) - 1] for s in _SCORES) if n else ()


def _score(cuts: tuple[int, ...], value: int) -> int:
    return 1 + sum(value > cut for cut in cuts)


@dataclass(frozen=True)
class ListScale:
    """An RFM scale reduced to its cuts: scores exactly as the :class:`RfmScale` it was made from.

    ``counter``: the ``customers`` change counter when that scale's purchases were read."""

    counter: int
    buyers: int
    recency: tuple[int, ...]
    frequency: tuple[int, ...]
    monetary: tuple[int, ...]

    @classmethod
    def of(cls, scale: RfmScale, counter: int) -> ListScale:
        return cls(counter, scale.customers, _cuts(scale.last_days), _cuts(scale.counts), _cuts(scale.spent))

    def score(self, totals: CustomerTotals) -> RfmScore | None:
        """As :meth:`RfmScale.score`: None for a customer without a purchase."""
        if totals.last_day is None or not self.buyers:
            return None
        r = _score(self.recency, totals.last_day.toordinal())
        f = _score(self.frequency, totals.purchases)
        m = _score(self.monetary, totals.spent_cents)
        return RfmScore(r, f, m, segment_for(r, f, m))

    def scores_as(self, other: ListScale | None) -> bool:
        """True if both score every customer the same (whenever their data was read)."""
        return other is not None and (self.buyers, self.recency, self.frequency, self.monetary) == (
            other.buyers,
            other.recency,
            other.frequency,
            other.monetary,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "counter": self.counter,
            "buyers": self.buyers,
            "recency": list(self.recency),
            "frequency": list(self.frequency),
            "monetary": list(self.monetary),
        }

    @classmethod
    def from_json(cls, value: Any) -> ListScale | None:
        """None for anything that is not a stored scale (never stored, or written by another version)."""
        try:
            axes = [tuple(int(v) for v in value[name]) for name in ("recency", "frequency", "monetary")]
            if any(len(axis) not in (0, len(_SCORES)) for axis in axes):
                return None
            return cls(int(value["counter"]), int(value["buyers"]), *axes)
        except (KeyError, TypeError, ValueError):
            return None


def read_list_scale(session: Session) -> ListScale | None:
    return ListScale.from_json(read_setting(session, LIST_SCALE_KEY))


def write_list_scale(session: Session, scale: ListScale) -> None:
    write_setting(session, LIST_SCALE_KEY, scale.as_json())
