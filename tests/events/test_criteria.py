"""The change, archive, periodic and alarm rules of puretango.events._criteria (no I/O)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.events import (
    Bounds,
    Reading,
    alarm_detected,
    archive_detected,
    archive_properties_set,
    change_detected,
    change_properties_set,
    is_numeric,
    parse_bounds,
    parse_period,
    periodic_due,
    values_changed,
)
from puretango.idl._enums import AttrQuality, CmdArgType

VALID, ALARM, WARNING, INVALID = (
    AttrQuality.ATTR_VALID,
    AttrQuality.ATTR_ALARM,
    AttrQuality.ATTR_WARNING,
    AttrQuality.ATTR_INVALID,
)
NS = "Not specified"


def num(*values: float, quality: AttrQuality = VALID) -> Reading:
    return Reading(np.array(values, dtype=float), quality)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("1", Bounds(-1.0, 1.0)),
        ("-2.5", Bounds(-2.5, 2.5)),
        ("1,3", Bounds(-1.0, 3.0)),
        ("-1, 3", Bounds(-1.0, 3.0)),
        (" 0.5 ", Bounds(-0.5, 0.5)),
        (NS, None),
        ("", None),
        ("abc", None),
        ("1,2,3", None),
        ("0", None),
        ("nan", None),
        (None, None),
    ],
)
def test_parse_bounds(text: str | None, bounds: Bounds | None) -> None:
    assert parse_bounds(text) == bounds


def test_parse_period_and_property_checks() -> None:
    assert parse_period("1000") == 1000
    assert parse_period("250.0") == 250
    assert parse_period(NS) is None
    assert parse_period("0", 7) == 7
    assert parse_period("-5") is None
    assert change_properties_set("1", NS) and change_properties_set(NS, "5")
    assert not change_properties_set(NS, NS) and not change_properties_set("", "0")
    assert archive_properties_set(NS, NS, "3000")
    assert not archive_properties_set(NS, NS, NS)


def test_numeric_types() -> None:
    for kind in (CmdArgType.DevDouble, CmdArgType.DevLong64, CmdArgType.DevUChar, 5):
        assert is_numeric(kind)
    for kind in (
        CmdArgType.DevBoolean,
        CmdArgType.DevString,
        CmdArgType.DevState,
        CmdArgType.DevEnum,
        CmdArgType.DevEncoded,
    ):
        assert not is_numeric(kind)


def test_first_reading_is_an_event() -> None:
    assert change_detected(None, num(1.0), True, "1", NS)
    assert alarm_detected(None, num(1.0))


def test_absolute_thresholds_one_and_two_sided() -> None:
    assert not change_detected(num(10.0), num(10.9), True, "1", NS)
    assert change_detected(num(10.0), num(11.0), True, "1", NS)
    assert change_detected(num(10.0), num(9.0), True, "1", NS)
    # "1,3": down by 1 fires, up needs 3
    assert change_detected(num(10.0), num(9.0), True, "1,3", NS)
    assert not change_detected(num(10.0), num(12.0), True, "1,3", NS)
    assert change_detected(num(10.0), num(13.0), True, "1,3", NS)


def test_relative_thresholds() -> None:
    assert not change_detected(num(100.0), num(104.0), True, NS, "5")
    assert change_detected(num(100.0), num(105.0), True, NS, "5")
    assert change_detected(num(-100.0), num(-106.0), True, NS, "5")
    # from zero: any change is 100 %
    assert change_detected(num(0.0), num(1e-9), True, NS, "50")
    assert not change_detected(num(0.0), num(0.0), True, NS, "50")


def test_arrays_any_element_and_size() -> None:
    assert change_detected(num(1.0, 2.0, 3.0), num(1.0, 2.0, 4.5), True, "1", NS)
    assert not change_detected(num(1.0, 2.0, 3.0), num(1.5, 2.5, 3.5), True, "1", NS)
    assert change_detected(num(1.0, 2.0), num(1.0, 2.0, 3.0), True, "1", NS)
    assert not change_detected(num(), num(), True, "1", NS)


def test_nan_transitions() -> None:
    assert change_detected(num(1.0), num(math.nan), True, "1", NS)
    assert not change_detected(num(math.nan), num(math.nan), True, "1", NS)


@pytest.mark.parametrize(
    ("old", "new", "fired"),
    [
        (["a"], ["a"], False),
        (["a"], ["b"], True),
        ([True], [False], True),
        ([3], [3], False),
        ([b"x"], [b"y"], True),
    ],
)
def test_non_numeric_any_difference(old: list[object], new: list[object], fired: bool) -> None:
    assert change_detected(Reading(old), Reading(new), False, NS, NS) is fired


def test_quality_errors_and_recovery() -> None:
    assert change_detected(num(1.0), num(1.0, quality=ALARM), True, "1", NS)
    assert change_detected(num(1.0), Reading(None, INVALID), True, "1", NS)
    assert not change_detected(Reading(None, INVALID), Reading(None, INVALID), True, "1", NS)
    boom = Reading.failed([("PyDs_PythonError", "boom")])
    bang = Reading.failed([("PyDs_PythonError", "bang")])
    assert change_detected(num(1.0), boom, True, "1", NS)
    assert not change_detected(boom, Reading.failed([("PyDs_PythonError", "boom")]), True, "1", NS)
    assert change_detected(boom, bang, True, "1", NS)
    assert change_detected(boom, num(1.0), True, "1", NS)


def test_archive_by_threshold_and_period() -> None:
    assert archive_detected(None, num(1.0), True, "5", NS, NS, None)
    assert not archive_detected(num(1.0), num(2.0), True, "5", NS, NS, 10.0)
    assert archive_detected(num(1.0), num(7.0), True, "5", NS, NS, 10.0)
    # archive_period alone: only time fires
    assert not archive_detected(num(1.0), num(100.0), True, NS, NS, "1000", 10.0)
    assert archive_detected(num(1.0), num(1.0), True, NS, NS, "1000", 990.0)
    assert archive_detected(num(1.0), num(1.0), True, NS, NS, "1000", None)


def test_periodic_tolerance() -> None:
    assert periodic_due(None, 1000)
    assert periodic_due(980.0, 1000)
    assert not periodic_due(979.0, 1000)


def test_alarm_transitions() -> None:
    assert alarm_detected(num(1.0), num(1.0, quality=ALARM))
    assert alarm_detected(num(1.0, quality=WARNING), num(1.0))
    assert not alarm_detected(num(1.0), num(5.0))
    assert not alarm_detected(num(1.0), Reading(None, INVALID))
    assert alarm_detected(num(1.0), Reading.failed([("X", "y")]))


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=8), finite.filter(lambda x: abs(x) > 1e-3))
def test_abs_change_fires_exactly_beyond_the_threshold(values: list[float], step: float) -> None:
    """Moving one element by ``step`` fires ``abs_change=|step|`` but not a larger one."""
    old = np.array(values)
    new = old.copy()
    new[0] += step
    delta = new[0] - old[0]  # what float arithmetic really moved
    if delta == 0:
        return
    assert values_changed(old, new, True, Bounds(-abs(delta), abs(delta)), None)
    assert not values_changed(old, new, True, Bounds(-abs(delta) * 2, abs(delta) * 2), None)


@given(st.lists(finite, max_size=8))
def test_no_change_no_event(values: list[float]) -> None:
    """Identical readings never fire, whatever the thresholds."""
    reading = Reading(np.array(values))
    for abs_change, rel_change in (("1e-9", NS), (NS, "1e-9"), ("1,2", "3,4")):
        assert not change_detected(reading, Reading(np.array(values)), True, abs_change, rel_change)


@given(st.lists(st.text(max_size=3), max_size=5), st.lists(st.text(max_size=3), max_size=5))
def test_strings_fire_on_any_difference(old: list[str], new: list[str]) -> None:
    assert change_detected(Reading(old), Reading(new), False, NS, NS) is (old != new)
