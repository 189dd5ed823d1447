"""When an attribute's new reading is an event, sans I/O (protocol.md §6.9): the change and
archive criteria (``abs_change``, ``rel_change``, ``archive_*``), the periodic rule and the
property checks a subscription needs.

Rules (cppTango's ``detect_change`` and ``detect_and_push_*``):

- the first reading is always an event; an error is one when it differs from the previous
  error (reason and description), a recovery from an error always is;
- a quality change is an event; an INVALID reading has no value to compare;
- a change of size is an event; strings, booleans, states, enums and encoded values fire on
  any difference; numbers fire when one element moves by ``<= low`` or ``>= high`` of the
  absolute bounds, or of the relative bounds in percent of the previous value (100 % when
  the previous value was 0 and the value changed);
- a threshold ``"x"`` means bounds (-|x|, +|x|), ``"a,b"`` means (-|a|, +|b|); ``"Not
  specified"`` (or empty, or not a number) means unset;
- a periodic event is due once 98 % of its period has passed (cppTango's tolerance).

Nothing here reads a clock: callers pass elapsed times in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..giop._cdr import lazy_numpy
from ..idl._enums import AttrQuality, CmdArgType

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "Bounds",
    "Reading",
    "parse_bounds",
    "parse_period",
    "is_numeric",
    "change_properties_set",
    "archive_properties_set",
    "values_changed",
    "change_detected",
    "archive_detected",
    "periodic_due",
    "alarm_detected",
]

#: a periodic event is sent once this fraction of its period has passed
PERIOD_TOLERANCE = 0.98

_NUMERIC = frozenset(
    (
        CmdArgType.DevShort,
        CmdArgType.DevLong,
        CmdArgType.DevFloat,
        CmdArgType.DevDouble,
        CmdArgType.DevUShort,
        CmdArgType.DevULong,
        CmdArgType.DevLong64,
        CmdArgType.DevULong64,
        CmdArgType.DevUChar,
    )
)
_NUMERIC_CODES = frozenset(int(c) for c in _NUMERIC)
_ALARMING = frozenset((AttrQuality.ATTR_ALARM, AttrQuality.ATTR_WARNING))


@dataclass(frozen=True)
class Bounds:
    """A change threshold: an event when a difference is ``<= low`` or ``>= high``."""

    low: float
    high: float

    def crossed(self, delta: Any) -> bool:
        """True if a difference (a number or an array of them) crosses a bound."""
        if np.ndim(delta):
            return bool(np.any((delta <= self.low) | (delta >= self.high)))
        return bool(delta <= self.low or delta >= self.high)


def parse_bounds(text: str | None) -> Bounds | None:
    """``"x"`` -> (-|x|, |x|); ``"a,b"`` -> (-|a|, |b|); unset or unparsable -> None."""
    if text is None:
        return None
    parts = [p.strip() for p in str(text).split(",")]
    try:
        numbers = [abs(float(p)) for p in parts]
    except ValueError:
        return None
    if not 1 <= len(numbers) <= 2 or any(math.isnan(n) for n in numbers):
        return None
    low, high = numbers[0], numbers[-1]
    if low == 0 and high == 0:
        return None  # cppTango treats a zero threshold as not set
    return Bounds(-low, high)


def parse_period(text: str | None, default: int | None = None) -> int | None:
    """A period property (ms) -> a positive int, or ``default`` when unset or not positive."""
    try:
        value = int(float(str(text)))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def is_numeric(data_type: Any) -> bool:
    """True for the data types compared by thresholds (not bool, string, state, enum...)."""
    return int(data_type) in _NUMERIC_CODES


def change_properties_set(abs_change: str, rel_change: str) -> bool:
    """True if a numeric attribute may have change events detected (a threshold is set)."""
    return parse_bounds(abs_change) is not None or parse_bounds(rel_change) is not None


def archive_properties_set(abs_change: str, rel_change: str, period: str) -> bool:
    """True if a numeric attribute may have archive events detected."""
    return change_properties_set(abs_change, rel_change) or parse_period(period) is not None


@dataclass(frozen=True)
class Reading:
    """What the criteria compare of one reading: its read values (a flat sequence, a numpy
    array for numbers; None when it failed or is INVALID), quality and error stack (pairs of
    reason and description; empty when it succeeded)."""

    values: Any
    quality: AttrQuality = AttrQuality.ATTR_VALID
    errors: tuple[tuple[str, str], ...] = ()

    @classmethod
    def failed(cls, errors: Sequence[tuple[str, str]]) -> Reading:
        return cls(None, AttrQuality.ATTR_INVALID, tuple(errors))


def _size(values: Any) -> int:
    return int(values.size) if hasattr(values, "size") else len(values)


def values_changed(
    previous: Any,
    current: Any,
    numeric: bool,
    abs_bounds: Bounds | None,
    rel_bounds: Bounds | None,
) -> bool:
    """The value criteria alone (``previous`` and ``current`` flat sequences, not None)."""
    if _size(previous) != _size(current):
        return True
    if not numeric:
        if hasattr(current, "shape") or hasattr(previous, "shape"):
            return not bool(np.array_equal(np.asarray(previous), np.asarray(current)))
        return list(previous) != list(current)
    if not _size(current):
        return False
    old = np.asarray(previous, dtype=float)
    new = np.asarray(current, dtype=float)
    old_nan, new_nan = np.isnan(old), np.isnan(new)
    if np.any(old_nan != new_nan):
        return True  # a number became NaN or the reverse
    keep = ~new_nan
    old, new = old[keep], new[keep]
    delta = new - old
    if abs_bounds is not None and abs_bounds.crossed(delta):
        return True
    if rel_bounds is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(old == 0, np.where(delta == 0, 0.0, 100.0), delta * 100 / abs(old))
        if rel_bounds.crossed(relative):
            return True
    return False


def _state_changed(previous: Reading, current: Reading) -> bool | None:
    """The rules before the values: True/False when errors or quality decide, else None."""
    if current.errors or previous.errors:
        return current.errors != previous.errors
    if current.quality != previous.quality:
        return True
    if current.values is None or previous.values is None:
        return current.values is not previous.values
    return None


def change_detected(
    previous: Reading | None,
    current: Reading,
    numeric: bool,
    abs_change: str,
    rel_change: str,
) -> bool:
    """True if ``current`` is a change event after ``previous`` (None: nothing sent yet)."""
    if previous is None:
        return True
    decided = _state_changed(previous, current)
    if decided is not None:
        return decided
    return values_changed(
        previous.values,
        current.values,
        numeric,
        parse_bounds(abs_change),
        parse_bounds(rel_change),
    )


def archive_detected(
    previous: Reading | None,
    current: Reading,
    numeric: bool,
    abs_change: str,
    rel_change: str,
    period: str,
    elapsed_ms: float | None,
) -> bool:
    """True if ``current`` is an archive event: a change by the archive thresholds, or
    ``archive_period`` elapsed since the last archive event (``elapsed_ms``; None: none yet)."""
    every = parse_period(period)
    if every is not None and (elapsed_ms is None or periodic_due(elapsed_ms, every)):
        return True
    if previous is None:
        return True
    decided = _state_changed(previous, current)
    if decided is not None:
        return decided
    if numeric and not change_properties_set(abs_change, rel_change):
        return False  # only the period fires archive events of this attribute
    return values_changed(
        previous.values,
        current.values,
        numeric,
        parse_bounds(abs_change),
        parse_bounds(rel_change),
    )


def periodic_due(elapsed_ms: float | None, period_ms: int) -> bool:
    """True if a periodic event is due ``elapsed_ms`` after the last one (None: none yet)."""
    return elapsed_ms is None or elapsed_ms >= period_ms * PERIOD_TOLERANCE


def alarm_detected(previous: Reading | None, current: Reading) -> bool:
    """True if ``current`` is an alarm event: the first reading, an error change, or a
    quality change into or out of ALARM or WARNING."""
    if previous is None:
        return True
    if current.errors or previous.errors:
        return current.errors != previous.errors
    if current.quality == previous.quality:
        return False
    return current.quality in _ALARMING or previous.quality in _ALARMING
