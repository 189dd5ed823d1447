"""The Database start-up's pure parts: attribute properties into a configuration, and
memorized set points to and from the Database's strings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from puretango.server import AttrWriteType, Device, attribute
from puretango.server._runtime import AttrRuntime
from puretango.server._startup import (
    _value_from_strings,
    config_with_properties,
    memorized_strings,
)


class Kinds(Device):
    flag = attribute(dtype=bool, access=AttrWriteType.READ_WRITE, memorized=True)
    count = attribute(dtype=int, access=AttrWriteType.READ_WRITE, memorized=True)
    text = attribute(dtype=str, access=AttrWriteType.READ_WRITE, memorized=True)
    level = attribute(dtype=float, access=AttrWriteType.READ_WRITE, memorized=True)
    curve = attribute(dtype=(float,), max_dim_x=10, access=AttrWriteType.READ_WRITE, memorized=True)


@pytest.mark.parametrize(
    ("name", "value", "strings"),
    [
        ("flag", True, ["true"]),
        ("flag", False, ["false"]),
        ("count", np.int32(-4), ["-4"]),
        ("text", "hé llo", ["hé llo"]),
        ("level", 1.0 / 3, [repr(1.0 / 3)]),
        ("curve", np.array([1.5, 2.0]), ["1.5", "2.0"]),
    ],
)
def test_memorized_round_trip(name: str, value: Any, strings: list[str]) -> None:
    assert memorized_strings(value) == strings
    attr = AttrRuntime(Kinds._attributes[name], Kinds)
    back = _value_from_strings(attr, strings)
    assert np.array_equal(back, value) if name == "curve" else back == value


def test_attribute_properties_into_config() -> None:
    attr = AttrRuntime(Kinds._attributes["level"], Kinds)
    config = config_with_properties(
        attr.config,
        {
            "label": ["Level"],
            "unit": ["mm"],
            "min_alarm": ["-1"],
            "max_alarm": ["5"],
            "rel_change": ["-1", "2"],
            "event_period": ["250"],
            "__value": ["3.0"],
            "unknown": ["x"],
        },
    )
    assert (config.label, config.unit, config.rel_change, config.period) == (
        "Level",
        "mm",
        "-1,2",
        "250",
    )
    assert config.alarm_limits[:2] == (-1.0, 5.0)
    assert config.memorized
