"""The shared value conversions (:mod:`puretango._pyvalues`): the type table derived from
the IDL, both directions of the conversions, and the layering rule that puts them below
the client and the server."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from puretango import _pyvalues as pv
from puretango.giop._cdr import CdrDecoder, CdrEncoder
from puretango.giop._typecode import read_any, write_any
from puretango.idl import types as t
from puretango.idl._enums import (
    AttrDataFormat,
    AttributeDataType,
    CmdArgType,
    DevState,
    ExtractAs,
)

_C = CmdArgType
_A = AttributeDataType
ROOT = Path(__file__).resolve().parents[2]

# -- the type table -----------------------------------------------------------------------

#: what PyTango maps each attribute type to (written out once here, to check the derivation)
EXPECTED_ATTR_TYPES = {
    _C.DevBoolean: (_A.ATT_BOOL, "?"),
    _C.DevUChar: (_A.ATT_UCHAR, "u1"),
    _C.DevShort: (_A.ATT_SHORT, "i2"),
    _C.DevUShort: (_A.ATT_USHORT, "u2"),
    _C.DevLong: (_A.ATT_LONG, "i4"),
    _C.DevULong: (_A.ATT_ULONG, "u4"),
    _C.DevLong64: (_A.ATT_LONG64, "i8"),
    _C.DevULong64: (_A.ATT_ULONG64, "u8"),
    _C.DevFloat: (_A.ATT_FLOAT, "f4"),
    _C.DevDouble: (_A.ATT_DOUBLE, "f8"),
    _C.DevString: (_A.ATT_STRING, None),
    _C.DevState: (_A.ATT_STATE, "u4"),
    _C.DevEnum: (_A.ATT_SHORT, "i2"),
    _C.DevEncoded: (_A.ATT_ENCODED, None),
}


def test_attribute_types_are_derived_from_the_idl() -> None:
    assert pv.ATTR_TYPES == EXPECTED_ATTR_TYPES


def test_arm_types_invert_the_attribute_types() -> None:
    assert pv.ARM_TYPES[_A.ATT_SHORT] is _C.DevShort  # not DevEnum, which shares the arm
    assert pv.ARM_TYPES[_A.DEVICE_STATE] is _C.DevState
    for arm, tango in pv.ARM_TYPES.items():
        if arm is not _A.DEVICE_STATE:
            assert pv.ATTR_TYPES[tango][0] is arm
    assert pv.NUMERIC_ARMS == {
        arm for tango, (arm, dtype) in EXPECTED_ATTR_TYPES.items() if dtype and tango != _C.DevState
    }


def test_command_arrays_share_the_dtype_of_their_scalar() -> None:
    pairs = {
        _C.DevVarBooleanArray: _C.DevBoolean,
        _C.DevVarCharArray: _C.DevUChar,
        _C.DevVarShortArray: _C.DevShort,
        _C.DevVarLongArray: _C.DevLong,
        _C.DevVarFloatArray: _C.DevFloat,
        _C.DevVarDoubleArray: _C.DevDouble,
        _C.DevVarUShortArray: _C.DevUShort,
        _C.DevVarULongArray: _C.DevULong,
        _C.DevVarLong64Array: _C.DevLong64,
        _C.DevVarULong64Array: _C.DevULong64,
        _C.DevVarStringArray: _C.DevString,
        _C.DevVarStateArray: _C.DevState,
    }
    for array, scalar in pairs.items():
        a, s = pv.TYPES[array], pv.TYPES[scalar]
        assert a.is_array and not s.is_array
        assert (a.element, a.dtype, a.arm) == (s.element, s.dtype, s.arm)


def test_arm_sequence_types_are_the_union_arms() -> None:
    assert pv.ARM_SEQUENCE_TYPES[_A.ATT_DOUBLE] is t.DevVarDoubleArray
    assert pv.ARM_SEQUENCE_TYPES[_A.ATT_ENCODED] is t.DevVarEncodedArray
    assert _A.DEVICE_STATE not in pv.ARM_SEQUENCE_TYPES
    assert _A.ATT_NO_DATA not in pv.ARM_SEQUENCE_TYPES


# -- Python -> IDL -> Python ----------------------------------------------------------------


def _wire(union: object) -> object:
    enc = CdrEncoder()
    t.AttrValUnion.write(enc, union)
    return t.AttrValUnion.read(CdrDecoder(enc.getvalue()))


@pytest.mark.parametrize(
    "tango, value",
    [
        (_C.DevDouble, 2.5),
        (_C.DevLong64, -7),
        (_C.DevBoolean, True),
        (_C.DevString, "text"),
        (_C.DevState, DevState.ALARM),
        (_C.DevEncoded, ("json", b"{}")),
    ],
)
def test_scalar_round_trip(tango: CmdArgType, value: object) -> None:
    union, dims = pv.python_to_attr_union(value, tango, AttrDataFormat.SCALAR)
    assert dims == (1, 0)
    received = _wire(union)
    back = pv.flat_to_python(received.value, tango, AttrDataFormat.SCALAR, 1, 0)
    assert back == value
    assert type(back) is type(value)


def test_image_round_trip_numbers_and_strings() -> None:
    image = np.arange(6, dtype=np.int32).reshape(2, 3)
    union, dims = pv.python_to_attr_union(image, _C.DevLong, AttrDataFormat.IMAGE)
    assert dims == (3, 2)
    got = pv.flat_to_python(_wire(union).value, _C.DevLong, AttrDataFormat.IMAGE, 3, 2)
    assert got.dtype == np.int32 and np.array_equal(got, image)
    union, dims = pv.python_to_attr_union(
        [["a", "b"], ["c", "d"]], _C.DevString, AttrDataFormat.IMAGE
    )
    assert dims == (2, 2)
    flat = _wire(union).value
    assert pv.flat_to_python(flat, _C.DevString, AttrDataFormat.IMAGE, 2, 2) == (
        ("a", "b"),
        ("c", "d"),
    )
    listed = pv.flat_to_python(flat, _C.DevString, AttrDataFormat.IMAGE, 2, 2, ExtractAs.List)
    assert listed == [("a", "b"), ("c", "d")]
    assert pv.image_rows(list(flat), 2, 2) == [["a", "b"], ["c", "d"]]


def test_enum_labels_and_bad_values() -> None:
    union, _ = pv.python_to_attr_union("B", _C.DevEnum, AttrDataFormat.SCALAR, ["A", "B"])
    assert union.disc is _A.ATT_SHORT and union.value.tolist() == [1]
    with pytest.raises(AttributeError):
        pv.python_to_attr_union("C", _C.DevEnum, AttrDataFormat.SCALAR, ["A", "B"])
    with pytest.raises(OverflowError):
        pv.python_to_attr_union(300, _C.DevUChar, AttrDataFormat.SCALAR)
    with pytest.raises(TypeError):
        pv.python_to_attr_union(1.5, _C.DevLong, AttrDataFormat.SCALAR)
    with pytest.raises(TypeError):
        pv.python_to_attr_union(1, _C.DevVarLongArray, AttrDataFormat.SCALAR)


def test_encoded_pair_forms() -> None:
    # a str is sent as UTF-8, as PyTango 10.3's client and server encode it (checked)
    assert pv.encoded_pair(("f", "é")) == ("f", "é".encode())
    received = SimpleNamespace(encoded_format="f", encoded_data="é".encode())
    assert pv.encoded_to_python(received, ExtractAs.String) == ("f", "é")
    assert pv.encoded_pair(["f", np.array([1, 2], dtype=np.uint8)]) == ("f", b"\x01\x02")
    assert pv.encoded_pair(("f", memoryview(b"ab"))) == ("f", b"ab")
    with pytest.raises(TypeError):
        pv.encoded_pair(("f", 3))
    with pytest.raises(TypeError):
        pv.encoded_pair("fb")


@pytest.mark.parametrize(
    "tango, value, expected",
    [
        (_C.DevState, DevState.ON, DevState.ON),
        (_C.DevEncoded, ("f", b"ab"), ("f", b"ab")),
        (_C.DevVarLongStringArray, ([1, 2], ["a"]), None),
        (_C.DevVarStateArray, [DevState.ON, DevState.OFF], [DevState.ON, DevState.OFF]),
        (_C.DevVarStringArray, ["a", "b"], ["a", "b"]),
        (_C.DevShort, 3, 3),
        (_C.DevVoid, None, None),
    ],
)
def test_command_any_round_trip(tango: CmdArgType, value: object, expected: object) -> None:
    enc = CdrEncoder()
    write_any(enc, pv.argin_to_any(value, tango))
    back = pv.any_to_python(read_any(CdrDecoder(enc.getvalue())), tango)
    if tango is _C.DevVarLongStringArray:
        assert back[0].tolist() == [1, 2] and back[1] == ["a"]
    else:
        assert back == expected
        assert type(back) is type(expected)


# -- layering -------------------------------------------------------------------------------

_IMPORT = re.compile(r"^\s*(?:from|import)\s+([.\w]+)", re.M)


def _imports(path: Path) -> list[str]:
    return _IMPORT.findall(path.read_text())


def test_server_imports_nothing_from_the_client() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "puretango" / "server").rglob("*.py")
        for name in _imports(path)
        if re.match(r"(puretango|\.\.)\.?client\b", name)
    ]
    assert offenders == []


def test_shared_conversions_import_neither_client_nor_server() -> None:
    for module in ("_pyvalues.py", "_attrconfig.py"):
        names = _imports(ROOT / "puretango" / module)
        assert not [n for n in names if re.match(r"(puretango)?\.(client|server)\b", n)]
