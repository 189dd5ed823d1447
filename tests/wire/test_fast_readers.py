"""``puretango.idl._fast``: the readers of the commonest reply bodies give what the generic
readers give, or ``NOT_SIMPLE``; never anything else, never an exception.

Evidence, in order: the replies a real PyTango (omniORB) server sent in the golden
sessions (``tests/wire/golden``: GIOP 1.0 and 1.2, every TypeDev attribute type); bodies
encoded by our generic writers from hypothesis values (both byte orders); and random,
truncated and altered bytes.
"""

from __future__ import annotations

import os
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puretango.client._convert import (
    attribute_value_to_device_attribute,
    scalar_read_to_device_attribute,
)
from puretango.giop import Body, CdrEncoder, Reply, ReplyStatus
from puretango.idl import OPERATIONS
from puretango.idl import types as t
from puretango.idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, CmdArgType
from puretango.idl._fast import NOT_SIMPLE, read_scalar_value_5, read_state, read_void
from puretango.idl._types import UnionValue
from puretango.idl._values import TimeVal

from .golden_reader import load_session

FAST = settings(
    max_examples=int(os.environ.get("FAST_READER_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
INTEGER_RANGES = {
    "short": (-(2**15), 2**15 - 1),
    "long": (-(2**31), 2**31 - 1),
    "longlong": (-(2**63), 2**63 - 1),
    "octet": (0, 2**8 - 1),
    "ushort": (0, 2**16 - 1),
    "ulong": (0, 2**32 - 1),
    "ulonglong": (0, 2**64 - 1),
}
READERS = {
    "read_attributes_5": read_scalar_value_5,
    "_get_state": read_state,
    "ping": read_void,
}
_A = AttributeDataType
#: numeric arm -> (IDL primitive name, data_type)
ARMS = {
    _A.ATT_BOOL: ("boolean", CmdArgType.DevBoolean),
    _A.ATT_SHORT: ("short", CmdArgType.DevShort),
    _A.ATT_LONG: ("long", CmdArgType.DevLong),
    _A.ATT_LONG64: ("longlong", CmdArgType.DevLong64),
    _A.ATT_FLOAT: ("float", CmdArgType.DevFloat),
    _A.ATT_DOUBLE: ("double", CmdArgType.DevDouble),
    _A.ATT_UCHAR: ("octet", CmdArgType.DevUChar),
    _A.ATT_USHORT: ("ushort", CmdArgType.DevUShort),
    _A.ATT_ULONG: ("ulong", CmdArgType.DevULong),
    _A.ATT_ULONG64: ("ulonglong", CmdArgType.DevULong64),
}


def _same_device_attribute(fast: Any, generic: Any) -> None:
    for name in (
        "name", "quality", "data_format", "type", "dim_x", "dim_y", "w_dim_x", "w_dim_y",
        "has_failed", "is_empty", "nb_read", "nb_written", "value", "w_value",
    ):  # fmt: skip
        a, b = getattr(fast, name), getattr(generic, name)
        assert type(a) is type(b) and (a == b or (a != a and b != b)), name
    assert type(fast.time) is type(generic.time)
    assert (fast.time.tv_sec, fast.time.tv_usec, fast.time.tv_nsec) == (
        generic.time.tv_sec,
        generic.time.tv_usec,
        generic.time.tv_nsec,
    )
    assert fast.get_err_stack() == generic.get_err_stack()


def _check(operation: str, body: Any, little: bool) -> bool:
    """Compare the fast reader with the generic one on ``body``; True if it was simple."""
    generic = OPERATIONS[operation].result.read(Body(body, 24, little).decoder())
    fast = READERS[operation](body, little)
    if fast is NOT_SIMPLE:
        return False
    if operation == "read_attributes_5":
        _same_device_attribute(
            scalar_read_to_device_attribute(fast), attribute_value_to_device_attribute(generic[0])
        )
    else:
        assert fast == generic and type(fast) is type(generic)
    return True


@pytest.mark.parametrize("session", ["typedev_client", "typedev_client_giop12"])
def test_real_replies_read_the_same(session: str) -> None:
    simple: dict[str, int] = dict.fromkeys(READERS, 0)
    seen: dict[str, int] = dict.fromkeys(READERS, 0)
    for exchange in load_session(session).exchanges:
        reply = exchange.reply.decoded if exchange.reply is not None else None
        if exchange.operation not in READERS or not isinstance(reply, Reply):
            continue
        if reply.status is not ReplyStatus.NO_EXCEPTION or not reply.service_contexts == ():
            continue
        body = reply.body
        assert isinstance(body, Body) and body.offset % 8 == 0
        seen[exchange.operation] += 1
        simple[exchange.operation] += _check(exchange.operation, body.data, body.little)
    assert seen["read_attributes_5"] >= 10 and simple["read_attributes_5"] >= 30, (seen, simple)
    assert simple["_get_state"] == seen["_get_state"]


def _attribute_body(
    arm: AttributeDataType,
    values: list[Any],
    little: bool,
    name: str = "scalar",
    data_format: AttrDataFormat = AttrDataFormat.SCALAR,
    errors: tuple[Any, ...] = (),
    w_dim_x: int = 1,
) -> bytes:
    kind, data_type = ARMS[arm]
    av = t.AttributeValue_5(
        value=UnionValue(arm, np.array(values, dtype=_DTYPES[kind])),
        quality=AttrQuality.ATTR_ALARM,
        data_format=data_format,
        data_type=int(data_type),
        time=TimeVal(1_700_000_000, 123_456, 789),
        name=name,
        r_dim=t.AttributeDim(dim_x=1, dim_y=0),
        w_dim=t.AttributeDim(dim_x=w_dim_x, dim_y=0),
        err_list=list(errors),
    )
    enc = CdrEncoder(little, 24)
    OPERATIONS["read_attributes_5"].result.write(enc, [av])
    return bytes(enc.buf)


_DTYPES = {
    "boolean": bool,
    "short": np.int16,
    "long": np.int32,
    "longlong": np.int64,
    "float": np.float32,
    "double": np.float64,
    "octet": np.uint8,
    "ushort": np.uint16,
    "ulong": np.uint32,
    "ulonglong": np.uint64,
}


@st.composite
def _scalar_reads(draw: st.DrawFn) -> tuple[AttributeDataType, list[Any], bool, str]:
    arm = draw(st.sampled_from(sorted(ARMS)))
    kind = ARMS[arm][0]
    if kind == "boolean":
        value = st.booleans()
    elif kind in ("float", "double"):
        value = st.floats(width=32 if kind == "float" else 64)
    else:
        low, high = INTEGER_RANGES[kind]
        value = st.integers(low, high)
    values = draw(st.lists(value, min_size=1, max_size=2))
    name = draw(st.text(st.characters(max_codepoint=255, exclude_characters="\0"), max_size=20))
    return arm, values, draw(st.booleans()), name


@FAST
@given(_scalar_reads())
def test_every_numeric_scalar_reads_the_same(case: tuple[Any, ...]) -> None:
    arm, values, little, name = case
    body = _attribute_body(arm, values, little, name=name)
    assert _check("read_attributes_5", body, little)


@pytest.mark.parametrize("little", [True, False])
def test_other_shapes_are_left_to_the_generic_reader(little: bool) -> None:
    error = t.DevError(reason="r", desc="d", origin="o")
    double = _A.ATT_DOUBLE
    assert _check("read_attributes_5", _attribute_body(double, [1.5, 2.5], little), little)
    assert _check("read_attributes_5", _attribute_body(double, [1.5], little, w_dim_x=0), little)
    for body in (
        _attribute_body(double, [1.5, 2.5, 3.5], little),  # a spectrum's count
        _attribute_body(double, [1.5], little, data_format=AttrDataFormat.SPECTRUM),
        _attribute_body(double, [1.5], little, errors=(error,)),
        _attribute_body(double, [1.5], little) + b"\0" * 4,  # bytes left over
    ):
        assert read_scalar_value_5(body, little) is NOT_SIMPLE
    pack = struct.Struct("<I" if little else ">I").pack
    assert read_state(pack(99), little) is NOT_SIMPLE  # not a DevState
    assert read_state(pack(0) + pack(0), little) is NOT_SIMPLE
    assert read_void(pack(0), little) is NOT_SIMPLE


@FAST
@given(st.binary(max_size=200), st.booleans(), st.sampled_from(sorted(READERS)))
def test_random_bytes_never_raise(data: bytes, little: bool, operation: str) -> None:
    READERS[operation](memoryview(data), little)


@FAST
@given(_scalar_reads(), st.data())
def test_truncated_and_altered_bodies_never_raise(case: tuple[Any, ...], data: Any) -> None:
    arm, values, little, name = case
    body = bytearray(_attribute_body(arm, values, little, name=name))
    cut = data.draw(st.integers(0, len(body)))
    assert read_scalar_value_5(memoryview(body)[:cut], little) is NOT_SIMPLE or cut == len(body)
    at = data.draw(st.integers(0, len(body) - 1))
    body[at] = data.draw(st.integers(0, 255))
    result = read_scalar_value_5(memoryview(body), little)
    if result is not NOT_SIMPLE:  # an altered value or time stamp: still the generic's reading
        _check("read_attributes_5", memoryview(body), little)
