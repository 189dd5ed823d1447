"""``MultiAttrProp``'s ``str`` is PyTango's: one field a line in name order, strings in
double quotes, between ``MultiAttrProp[`` and ``]``; its ``repr`` stays on one line. Both
compared with what PyTango prints for the same values."""

from __future__ import annotations

import json

import pytest
from peers.launch import run_pytango_client

from puretango.server._attributes import MultiAttrProp

pytest.importorskip("tango")

_PYTANGO = """
import json, tango
prop = tango.MultiAttrProp()
prop.label, prop.unit, prop.max_value = 'a"b', "mm", "10"
print(json.dumps([str(prop), repr(prop)]))
"""


def test_str_and_repr_as_pytango() -> None:
    expected_str, expected_repr = json.loads(run_pytango_client(_PYTANGO).strip().splitlines()[-1])
    prop = MultiAttrProp()
    prop.label, prop.unit, prop.max_value = 'a"b', "mm", "10"
    assert str(prop) == expected_str
    assert "\n" in str(prop)
    assert repr(prop) == expected_repr
