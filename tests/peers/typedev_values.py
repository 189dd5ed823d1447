"""Deterministic values served by the ``TypeDev`` test device (``typedev.py``).

Pure data plus numpy, no ``tango`` import: the device server *and* the tests import this
module, so every expected value is declared exactly once.

Conventions
-----------
* Attribute names are ``<type>_<format>_ro`` (READ) and ``<type>_<format>_rw`` (READ_WRITE),
  for every ``type`` in :data:`TYPES` and every format it supports (:data:`FORMATS_OF`).
* ``AttrValues.read`` is what ``_ro`` returns, and also the initial value of the read part
  of ``_rw``. ``AttrValues.setpoint`` is the initial set point (``w_value``) of ``_rw``; it is
  deliberately different from ``read`` (other shape for arrays) so that a decoder that mixes
  up the read and write parts is caught. ``AttrValues.write`` is the value tests write; after
  a write, both the read part and the set point of ``_rw`` equal the written value.
* Spectra are 1-D numpy arrays; images are 2-D numpy arrays of shape ``(dim_y, dim_x)`` with
  ``dim_x != dim_y`` (read images are 3 rows x 4 columns). String spectra/images are tuples
  of ``str`` (images: tuple of row tuples), which is what PyTango returns for them.
* DevState values are plain ints 0..13 (ON..UNKNOWN, see :data:`STATE_NAMES`); PyTango reads
  DevState spectra/images as ``uint32`` arrays. DevEnum values are ints indexing
  :data:`ENUM_LABELS`; PyTango reads DevEnum spectra/images as ``int16`` arrays.
* DevEncoded values are ``(format: str, data: bytes)``; Tango has DevEncoded scalars only.
* NaN is deliberately not used (it would defeat plain equality checks); +/-inf is used in
  read values only (cppTango rejects writing NaN/inf: API_WAttrOutsideLimit).
* PyTango 10.3.1 supports DevState and DevEnum attributes in all three formats, also as
  READ_WRITE, so nothing is skipped for attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- device names

DEVICE_CLASS = "TypeDev"
DEFAULT_DEVICES = ("test/type/1",)
DEVICE_STATE = 0  # DevState.ON
DEVICE_STATUS = "TypeDev is ready"

# ---------------------------------------------------------------------------- enumerations

STATE_NAMES = (
    "ON", "OFF", "CLOSE", "OPEN", "INSERT", "EXTRACT", "MOVING",
    "STANDBY", "FAULT", "INIT", "RUNNING", "ALARM", "DISABLE", "UNKNOWN",
)  # fmt: skip
ENUM_LABELS = ("ZERO", "ONE", "TWO", "THREE")

# ---------------------------------------------------------------------------- type tables

TYPES = (
    "boolean", "uchar", "short", "ushort", "long", "ulong", "long64", "ulong64",
    "float", "double", "string", "state", "enum", "encoded",
)  # fmt: skip
FORMATS = ("scalar", "spectrum", "image")

TANGO_TYPE_NAME = {
    "boolean": "DevBoolean",
    "uchar": "DevUChar",
    "short": "DevShort",
    "ushort": "DevUShort",
    "long": "DevLong",
    "ulong": "DevULong",
    "long64": "DevLong64",
    "ulong64": "DevULong64",
    "float": "DevFloat",
    "double": "DevDouble",
    "string": "DevString",
    "state": "DevState",
    "enum": "DevEnum",
    "encoded": "DevEncoded",
}

#: CmdArgType numbers (identical to the Tango IDL ``CmdArgType`` enum).
TANGO_TYPE_CODE = {
    "DevVoid": 0, "DevBoolean": 1, "DevShort": 2, "DevLong": 3, "DevFloat": 4,
    "DevDouble": 5, "DevUShort": 6, "DevULong": 7, "DevString": 8,
    "DevVarCharArray": 9, "DevVarShortArray": 10, "DevVarLongArray": 11,
    "DevVarFloatArray": 12, "DevVarDoubleArray": 13, "DevVarUShortArray": 14,
    "DevVarULongArray": 15, "DevVarStringArray": 16, "DevVarLongStringArray": 17,
    "DevVarDoubleStringArray": 18, "DevState": 19, "ConstDevString": 20,
    "DevVarBooleanArray": 21, "DevUChar": 22, "DevLong64": 23, "DevULong64": 24,
    "DevVarLong64Array": 25, "DevVarULong64Array": 26, "DevEncoded": 28, "DevEnum": 29,
    "DevVarStateArray": 31,
}  # fmt: skip

#: numpy dtype PyTango uses for spectra/images of each type (None: tuples of str / n.a.).
NUMPY_DTYPE: dict[str, type[np.generic] | None] = {
    "boolean": np.bool_,
    "uchar": np.uint8,
    "short": np.int16,
    "ushort": np.uint16,
    "long": np.int32,
    "ulong": np.uint32,
    "long64": np.int64,
    "ulong64": np.uint64,
    "float": np.float32,
    "double": np.float64,
    "string": None,
    "state": np.uint32,
    "enum": np.int16,
    "encoded": None,
}

#: Formats served for each type (Tango has no DevEncoded spectrum/image).
FORMATS_OF: dict[str, tuple[str, ...]] = {
    t: (("scalar",) if t == "encoded" else FORMATS) for t in TYPES
}

SPECTRUM_MAX_X = 256
IMAGE_MAX_X = 16
IMAGE_MAX_Y = 16


@dataclass(frozen=True)
class AttrValues:
    """Expected values of the ``<type>_<fmt>_ro`` / ``<type>_<fmt>_rw`` attribute pair."""

    type_key: str
    fmt: str
    read: Any
    setpoint: Any
    write: Any

    @property
    def ro_name(self) -> str:
        """Name of the read-only attribute."""
        return f"{self.type_key}_{self.fmt}_ro"

    @property
    def rw_name(self) -> str:
        """Name of the read-write attribute."""
        return f"{self.type_key}_{self.fmt}_rw"

    @property
    def tango_type(self) -> str:
        """Tango type name, e.g. ``DevDouble``."""
        return TANGO_TYPE_NAME[self.type_key]

    @property
    def max_dim_x(self) -> int:
        """``max_dim_x`` the attribute is declared with."""
        return {"scalar": 1, "spectrum": SPECTRUM_MAX_X, "image": IMAGE_MAX_X}[self.fmt]

    @property
    def max_dim_y(self) -> int:
        """``max_dim_y`` the attribute is declared with."""
        return IMAGE_MAX_Y if self.fmt == "image" else 0


# ------------------------------------------------------------------------- value builders


def _arr(values: Any, dtype: type[np.generic]) -> np.ndarray:
    """Build a read-only numpy array (so shared expected values cannot be mutated)."""
    out = np.array(values, dtype=dtype)
    out.setflags(write=False)
    return out


def _int_values(dtype: type[np.integer]) -> tuple[Any, ...]:
    """Scalar/spectrum/image (read, setpoint, write) triples for an integer type."""
    info = np.iinfo(dtype)
    lo, hi = int(info.min), int(info.max)
    signed = lo < 0
    scalar = (lo if signed else hi, 7, hi if signed else 0)
    if signed:
        spec_read = [lo, lo + 1, -1, 0, 1, hi - 1, hi]
        img = [lo, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, hi]
    else:
        spec_read = [0, 1, 127, 128, hi - 1, hi]
        img = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, hi]
    spectrum = (_arr(spec_read, dtype), _arr([1, 2, 3], dtype), _arr([hi, 0, lo, 42], dtype))
    image = (
        _arr(img, dtype).reshape(3, 4),
        _arr([10, 11, 12, 13, 14, 15], dtype).reshape(2, 3),
        _arr([hi, 1, 4, 7, 10, 13, 16, lo], dtype).reshape(4, 2),
    )
    return scalar, spectrum, image


def _float_values(dtype: type[np.floating]) -> tuple[Any, ...]:
    """Scalar/spectrum/image (read, setpoint, write) triples for a float type."""
    info = np.finfo(dtype)
    big, tiny = float(info.max), float(info.smallest_subnormal)
    inf = float("inf")
    if dtype is np.float32:
        scalar = (-2.5, 0.75, 1.0e10)  # all exact in float32
    else:
        scalar = (3.141592653589793, -0.5, 2.718281828459045)
    spectrum = (
        _arr([-big, -1.0, -0.0, tiny, 0.1, 1.0, big, inf, -inf], dtype),
        _arr([0.5, 1.5], dtype),
        _arr([1.25, -1.25e-3, big, 0.0], dtype),
    )
    image = (
        _arr([-big, -1.5, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, tiny, big], dtype).reshape(
            3, 4
        ),
        _arr([10.0, 10.5, 11.0, 11.5, 12.0, 12.5], dtype).reshape(2, 3),
        _arr([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -big], dtype).reshape(4, 2),
    )
    return scalar, spectrum, image


def _bool_values() -> tuple[Any, ...]:
    """(read, setpoint, write) triples for DevBoolean."""
    scalar = (True, False, False)
    spectrum = (
        _arr([True, False, True, True, False], np.bool_),
        _arr([False, True], np.bool_),
        _arr([False, False, True], np.bool_),
    )
    image = (
        _arr(
            [True, False, False, False, True, True, False, True, False, False, True, True], np.bool_
        ).reshape(3, 4),
        _arr([True, True, False, False, True, False], np.bool_).reshape(2, 3),
        _arr([False, True, True, False, False, False, True, True], np.bool_).reshape(4, 2),
    )
    return scalar, spectrum, image


def _string_values() -> tuple[Any, ...]:
    """(read, setpoint, write) triples for DevString (Latin-1 content, empty strings)."""
    scalar = ("Grüße aus dem Café: ÿ±µ", "initial set point", "written façade")
    spectrum = (
        ("", "a", "café", "with space", "ÿÿÿ", "x" * 40),
        ("sp0", "sp1"),
        ("naïve", "", "w"),
    )
    image = (
        (
            ("r0c0", "r0c1", "", "r0c3"),
            ("r1c0", "é", "r1c2", "r1c3"),
            ("r2c0", "r2c1", "r2c2", "ü"),
        ),
        (("s00", "s01", "s02"), ("s10", "s11", "s12")),
        (("w00", "w01"), ("w10", ""), ("w20", "w21"), ("w30", "ñ")),
    )
    return scalar, spectrum, image


def _state_values() -> tuple[Any, ...]:
    """(read, setpoint, write) triples for DevState (ints 0..13)."""
    u32 = np.uint32
    scalar = (6, 0, 8)  # MOVING, ON, FAULT
    spectrum = (_arr(list(range(14)), u32), _arr([0], u32), _arr([13, 0, 11], u32))
    image = (
        _arr([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13], u32).reshape(3, 4),
        _arr([0, 1, 0, 1, 0, 1], u32).reshape(2, 3),
        _arr([8, 8, 11, 11, 6, 6, 13, 0], u32).reshape(4, 2),
    )
    return scalar, spectrum, image


def _enum_values() -> tuple[Any, ...]:
    """(read, setpoint, write) triples for DevEnum (indices into ENUM_LABELS)."""
    i16 = np.int16
    scalar = (3, 1, 2)
    spectrum = (_arr([0, 1, 2, 3, 3, 0], i16), _arr([1], i16), _arr([2, 2, 0], i16))
    image = (
        _arr([0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 3, 3], i16).reshape(3, 4),
        _arr([1, 1, 1, 2, 2, 2], i16).reshape(2, 3),
        _arr([3, 0, 3, 0, 1, 2, 1, 2], i16).reshape(4, 2),
    )
    return scalar, spectrum, image


ENCODED_READ = ("TypeDev/raw", bytes([0, 1, 2, 127, 128, 254, 255]))
# PyTango cannot set a DevEncoded set point (set_write_value raises), so the initial set point
# is cppTango's placeholder.
ENCODED_SETPOINT = ("Not initialised", b"")
ENCODED_WRITE = ("json", b'{"k": [1, 2]}')


def _build() -> dict[str, AttrValues]:
    """Build the table of every typed attribute pair, keyed by ``<type>_<fmt>``."""
    triples: dict[str, tuple[Any, ...]] = {
        "boolean": _bool_values(),
        "string": _string_values(),
        "state": _state_values(),
        "enum": _enum_values(),
        "float": _float_values(np.float32),
        "double": _float_values(np.float64),
    }
    for key in ("uchar", "short", "ushort", "long", "ulong", "long64", "ulong64"):
        dtype = NUMPY_DTYPE[key]
        assert dtype is not None
        triples[key] = _int_values(dtype)  # type: ignore[arg-type]
    table: dict[str, AttrValues] = {}
    for key in TYPES:
        if key == "encoded":
            table["encoded_scalar"] = AttrValues(
                "encoded", "scalar", ENCODED_READ, ENCODED_SETPOINT, ENCODED_WRITE
            )
            continue
        for fmt, (read, setpoint, write) in zip(FORMATS, triples[key], strict=True):
            table[f"{key}_{fmt}"] = AttrValues(key, fmt, read, setpoint, write)
    return table


#: Every typed attribute pair, keyed by ``<type>_<fmt>`` (e.g. ``"double_image"``).
ATTRS: dict[str, AttrValues] = _build()


def typed_attr_names() -> list[str]:
    """All ``<type>_<fmt>_ro`` and ``_rw`` attribute names, in declaration order."""
    return [n for v in ATTRS.values() for n in (v.ro_name, v.rw_name)]


def by_attr_name(name: str) -> AttrValues:
    """Look up the :class:`AttrValues` of a ``<type>_<fmt>_ro|rw`` attribute name."""
    return ATTRS[name.rsplit("_", 1)[0]]


# ----------------------------------------------------------------------- extra attributes

FAILING_ATTR = "failing_attr"  # read raises ValueError(FAILING_ATTR_MESSAGE)
FAILING_ATTR_MESSAGE = "boom attr"
DEVFAILED_ATTR = "devfailed_attr"  # read raises DevFailed with the reason below
DEVFAILED_ATTR_REASON = "TypeDev_AttrFailure"
DEVFAILED_ATTR_DESC = "requested attribute failure"
SLOW_ATTR = "slow_attr"  # DevDouble, sleeps SLOW_ATTR_DELAY then returns SLOW_ATTR_VALUE
SLOW_ATTR_DELAY = 0.5
SLOW_ATTR_VALUE = 1.0
COUNTER_ATTR = "counter"  # DevLong64; the n-th read of a device (since start/Reset) returns n

CONFIGURED_ATTR = "configured_attr"  # DevDouble READ with the configuration below
CONFIGURED_VALUE = 1.25
CONFIGURED_CONFIG: dict[str, Any] = {
    "unit": "mm",
    "label": "Configured",
    "format": "%8.3f",
    "min_value": -10,
    "max_value": 10,
    "min_alarm": -5,
    "max_alarm": 5,
    "description": "An attribute with configuration",
}

BIG_SPECTRUM_ATTR = "double_big_spectrum_ro"  # DevDouble spectrum of BIG_SPECTRUM_LEN values
BIG_SPECTRUM_LEN = 200_000


@cache
def big_spectrum() -> np.ndarray:
    """Value of ``double_big_spectrum_ro``: ``i * 0.5 - 1000`` for i in 0..199999 (1.6 MB)."""
    out = np.arange(BIG_SPECTRUM_LEN, dtype=np.float64) * 0.5 - 1000.0
    out.setflags(write=False)
    return out


EXTRA_ATTRS = (
    FAILING_ATTR, DEVFAILED_ATTR, SLOW_ATTR, COUNTER_ATTR, CONFIGURED_ATTR, BIG_SPECTRUM_ATTR,
)  # fmt: skip


def all_attr_names() -> list[str]:
    """Every attribute TypeDev declares (without the implicit ``State`` and ``Status``)."""
    return typed_attr_names() + list(EXTRA_ATTRS)


# ---------------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class EchoCommand:
    """``Echo<Type>``: takes and returns ``tango_type``; ``arg`` is a typical argument."""

    name: str
    tango_type: str
    arg: Any

    @property
    def type_code(self) -> int:
        """CmdArgType number of the argument and result."""
        return TANGO_TYPE_CODE[self.tango_type]


def _i(dtype: type[np.integer]) -> tuple[int, int]:
    """(min, max) of an integer dtype as Python ints."""
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


_S16, _S32, _S64 = _i(np.int16), _i(np.int32), _i(np.int64)
_U16, _U32, _U64 = _i(np.uint16), _i(np.uint32), _i(np.uint64)

#: Argument types of the Echo commands and a typical argument for each. Scalars are Python
#: values; numeric arrays are numpy arrays (what PyTango returns for them); string arrays are
#: lists; DevVarLongStringArray / DevVarDoubleStringArray are (numbers, strings) pairs;
#: DevState / DevEnum are ints; DevEncoded is (format, bytes).
#: Not included: DevUChar -- PyTango 10.3.1's server cannot convert a DevUChar command
#: argument (pybind11 "Unable to convert call argument '0' to Python object", the client gets
#: CORBA UNKNOWN); DevVarStateArray -- the PyTango client refuses to build the argument
#: (API_IncompatibleCmdArgumentType for lists, tuples and uint32 arrays alike).
_ECHO_ARGS: dict[str, Any] = {
    "DevVoid": None,
    "DevBoolean": True,
    "DevShort": -12345,
    "DevLong": _S32[0],
    "DevFloat": -2.5,
    "DevDouble": 3.141592653589793,
    "DevUShort": _U16[1],
    "DevULong": _U32[1],
    "DevString": "café ÿ",
    "DevVarCharArray": _arr([0, 1, 127, 128, 255], np.uint8),
    "DevVarShortArray": _arr([_S16[0], -1, 0, _S16[1]], np.int16),
    "DevVarLongArray": _arr([_S32[0], -1, 0, 1, _S32[1]], np.int32),
    "DevVarFloatArray": _arr([-1.5, 0.0, 3.25, float("inf")], np.float32),
    "DevVarDoubleArray": _arr([-1e300, 0.0, 2.5, 1e300, 5e-324], np.float64),
    "DevVarUShortArray": _arr([0, 1, _U16[1]], np.uint16),
    "DevVarULongArray": _arr([0, 1, _U32[1]], np.uint32),
    "DevVarStringArray": ["", "a", "café"],
    "DevVarLongStringArray": (_arr([_S32[0], 0, _S32[1]], np.int32), ["x", "", "café"]),
    "DevVarDoubleStringArray": (_arr([-1.5, 2.25], np.float64), ["y", "ñ"]),
    "DevState": 8,  # FAULT
    "DevVarBooleanArray": _arr([True, False, True], np.bool_),
    "DevLong64": _S64[0],
    "DevULong64": _U64[1],
    "DevVarLong64Array": _arr([_S64[0], -1, 0, _S64[1]], np.int64),
    "DevVarULong64Array": _arr([0, 1, _U64[1]], np.uint64),
    "DevEncoded": ("TypeDev/raw", bytes([0, 255, 1, 128, 10])),
    "DevEnum": 2,
}

#: Every Echo command, keyed by command name (``EchoDouble``, ``EchoVarLongStringArray``, ...).
ECHO_COMMANDS: dict[str, EchoCommand] = {
    "Echo" + t.removeprefix("Dev"): EchoCommand("Echo" + t.removeprefix("Dev"), t, a)
    for t, a in _ECHO_ARGS.items()
}

FAIL_COMMAND = "Fail"  # DevVoid -> raises DevFailed(FAIL_REASON, FAIL_DESC)
FAIL_REASON = "TypeDev_Failure"
FAIL_DESC = "requested failure"
PYERROR_COMMAND = "PyError"  # DevVoid -> raises ValueError(PYERROR_MESSAGE)
PYERROR_MESSAGE = "python boom"
SLEEP_COMMAND = "Sleep"  # DevDouble seconds -> DevVoid
GETPID_COMMAND = "GetPid"  # DevVoid -> DevLong (server process id)
RESET_COMMAND = "Reset"  # DevVoid -> DevVoid: restore initial values, set points, counter

OTHER_COMMANDS = (FAIL_COMMAND, PYERROR_COMMAND, SLEEP_COMMAND, GETPID_COMMAND, RESET_COMMAND)


def all_command_names() -> list[str]:
    """Every command TypeDev declares (without the implicit ``Init``, ``State``, ``Status``)."""
    return list(ECHO_COMMANDS) + list(OTHER_COMMANDS)


# ---------------------------------------------------------------------------------- helpers


def same_value(actual: Any, expected: Any, check_dtype: bool = True) -> bool:
    """Compare a value as read/returned by a Tango client with an expected value above.

    numpy arrays must match in shape and values (and dtype unless ``check_dtype=False``);
    tuples/lists are compared element-wise (a list equals a tuple); enums compare as ints;
    ``bytes`` and ``bytearray`` compare equal.
    """
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        if not (isinstance(expected, np.ndarray) and isinstance(actual, np.ndarray)):
            return False
        if check_dtype and actual.dtype != expected.dtype:
            return False
        return actual.shape == expected.shape and bool(np.array_equal(actual, expected))
    if isinstance(expected, tuple | list):
        if not isinstance(actual, tuple | list) or len(actual) != len(expected):
            return False
        return all(same_value(a, e, check_dtype) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, bytes | bytearray):
        return isinstance(actual, bytes | bytearray) and bytes(actual) == bytes(expected)
    return bool(actual == expected)
