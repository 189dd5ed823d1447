"""The fast read of a numeric scalar event payload gives what the generic decoding gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from puretango.client._eventdata import event_from_payload, scalar_event
from puretango.events import EventMessage, decode_payload, encode_payload, read_numeric_scalar
from puretango.idl import types as t
from puretango.idl._enums import AttrDataFormat, AttrQuality
from puretango.idl._enums import AttributeDataType as A
from puretango.idl._types import UnionValue
from puretango.idl._values import TimeVal

CASES = [
    (A.ATT_DOUBLE, np.array([7.5, 4.5]), 5, (1, 0)),
    (A.ATT_DOUBLE, np.array([7.5]), 5, (0, 0)),
    (A.ATT_DOUBLE, np.array([7.5]), 5, (1, 0)),
    (A.ATT_FLOAT, np.array([0.1], dtype="f4"), 4, (0, 0)),
    (A.ATT_BOOL, np.array([True, False]), 1, (1, 0)),
    (A.ATT_SHORT, np.array([3], dtype="i2"), 29, (0, 0)),  # DevEnum
    (A.ATT_LONG64, np.array([-(2**40)], dtype="i8"), 23, (0, 0)),
    (A.ATT_UCHAR, np.array([250, 3], dtype="u1"), 22, (1, 0)),
    (A.ATT_ULONG64, np.array([2**63 + 5], dtype="u8"), 24, (0, 0)),
]


def _value(arm: Any, values: Any, data_type: int, w_dim: Any, quality: Any, fmt: Any) -> Any:
    return t.AttributeValue_5(
        value=UnionValue(arm, values),
        quality=quality,
        data_format=fmt,
        data_type=data_type,
        time=TimeVal(12, 345, 6),
        name="Abc",
        r_dim=t.AttributeDim(len(values) if fmt else 1, 0),
        w_dim=t.AttributeDim(*w_dim),
        err_list=[],
    )


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("quality", [AttrQuality.ATTR_VALID, AttrQuality.ATTR_ALARM])
@pytest.mark.parametrize("case", CASES)
def test_fast_scalar_event_is_the_generic_one(case: Any, quality: Any, little: bool) -> None:
    av = _value(*case, quality, AttrDataFormat.SCALAR)
    payload = encode_payload(t.AttributeValue_5, av, little=little)
    scalar = read_numeric_scalar(payload, little)
    assert scalar is not None
    fast = scalar_event("change", "x/y/z/abc", None, scalar)
    message = EventMessage("x.idl5_change", 1, False, little, payload)
    slow = event_from_payload("change", "x/y/z/abc", None, decode_payload(message))
    for name in type(slow.attr_value).__slots__:
        mine, theirs = getattr(fast.attr_value, name), getattr(slow.attr_value, name)
        assert mine == theirs and type(mine) is type(theirs), name
    for name in slow._fields:
        if name not in ("attr_value", "reception_date"):
            assert getattr(fast, name) == getattr(slow, name), name
    assert repr(fast).split("reception_date")[0] == repr(slow).split("reception_date")[0]


def test_other_payloads_are_left_to_the_generic_decoding() -> None:
    spectrum = _value(A.ATT_DOUBLE, np.array([1.0, 2.0, 3.0]), 5, (0, 0), 0, 1)
    assert read_numeric_scalar(encode_payload(t.AttributeValue_5, spectrum), True) is None
    text = _value(A.ATT_STRING, ["a"], 8, (0, 0), 0, 0)
    assert read_numeric_scalar(encode_payload(t.AttributeValue_5, text), True) is None
    assert read_numeric_scalar(b"\xc0\xde\xc0\xde\x05\x00", True) is None  # truncated


@pytest.mark.parametrize("case", CASES)
def test_fast_scalar_payload_is_the_generic_one(case: Any) -> None:
    from puretango.server._events import _numeric_scalar_payload

    av = _value(*case, AttrQuality.ATTR_WARNING, AttrDataFormat.SCALAR)
    assert _numeric_scalar_payload(av) == encode_payload(t.AttributeValue_5, av)
    spectrum = _value(*case, AttrQuality.ATTR_VALID, AttrDataFormat.SPECTRUM)
    assert _numeric_scalar_payload(spectrum) is None
