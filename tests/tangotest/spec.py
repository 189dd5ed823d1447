"""What the C++ TangoTest declares (``TangoTestClass.h`` / ``.cpp``), as test data.

Each attribute: (Tango type, data format, access, max_dim_x, max_dim_y). Each command:
(argin type, argout type, display level). Plus the sample values written and echoed by
the tests.
"""

from __future__ import annotations

from typing import Any

S, SP, IM = "SCALAR", "SPECTRUM", "IMAGE"
R, W, RW, RWW = "READ", "WRITE", "READ_WRITE", "READ_WITH_WRITE"

ATTRIBUTES: dict[str, tuple[str, str, str, int, int]] = {
    "ampli": ("DevDouble", S, W, 1, 0),
    "boolean_scalar": ("DevBoolean", S, RW, 1, 0),
    "double_scalar": ("DevDouble", S, RW, 1, 0),
    "double_scalar_rww": ("DevDouble", S, RWW, 1, 0),
    "double_scalar_w": ("DevDouble", S, W, 1, 0),
    "float_scalar": ("DevFloat", S, RW, 1, 0),
    "long64_scalar": ("DevLong64", S, RW, 1, 0),
    "long_scalar": ("DevLong", S, RW, 1, 0),
    "long_scalar_rww": ("DevLong", S, RWW, 1, 0),
    "long_scalar_w": ("DevLong", S, W, 1, 0),
    "no_value": ("DevLong", S, R, 1, 0),
    "short_scalar": ("DevShort", S, RW, 1, 0),
    "short_scalar_ro": ("DevShort", S, R, 1, 0),
    "short_scalar_rww": ("DevShort", S, RWW, 1, 0),
    "short_scalar_w": ("DevShort", S, W, 1, 0),
    "string_scalar": ("DevString", S, RW, 1, 0),
    "throw_exception": ("DevLong", S, R, 1, 0),
    "uchar_scalar": ("DevUChar", S, RW, 1, 0),
    "ulong64_scalar": ("DevULong64", S, RW, 1, 0),
    "ushort_scalar": ("DevUShort", S, RW, 1, 0),
    "ulong_scalar": ("DevULong", S, RW, 1, 0),
    "enum_scalar": ("DevEnum", S, RW, 1, 0),
    "freq": ("DevDouble", S, W, 1, 0),
    "enum_scalar_ro": ("DevEnum", S, R, 1, 0),
    "echo_mode": ("DevBoolean", S, RW, 1, 0),
    "boolean_spectrum": ("DevBoolean", SP, RW, 4096, 0),
    "boolean_spectrum_ro": ("DevBoolean", SP, R, 4096, 0),
    "double_spectrum": ("DevDouble", SP, RW, 4096, 0),
    "double_spectrum_ro": ("DevDouble", SP, R, 4096, 0),
    "float_spectrum": ("DevFloat", SP, RW, 4096, 0),
    "float_spectrum_ro": ("DevFloat", SP, R, 4096, 0),
    "long64_spectrum_ro": ("DevLong64", SP, R, 4096, 0),
    "long_spectrum": ("DevLong", SP, RW, 4096, 0),
    "long_spectrum_ro": ("DevLong", SP, R, 4096, 0),
    "short_spectrum": ("DevShort", SP, RW, 4096, 0),
    "short_spectrum_ro": ("DevShort", SP, R, 4096, 0),
    "string_spectrum": ("DevString", SP, RW, 256, 0),
    "string_spectrum_ro": ("DevString", SP, R, 256, 0),
    "uchar_spectrum": ("DevUChar", SP, RW, 4096, 0),
    "uchar_spectrum_ro": ("DevUChar", SP, R, 4096, 0),
    "ulong64_spectrum_ro": ("DevULong64", SP, R, 4096, 0),
    "ulong_spectrum_ro": ("DevULong", SP, R, 4096, 0),
    "ushort_spectrum": ("DevUShort", SP, RW, 4096, 0),
    "ushort_spectrum_ro": ("DevUShort", SP, R, 4096, 0),
    "wave": ("DevDouble", SP, R, 4096, 0),
    "enum_spectrum": ("DevEnum", SP, RW, 4096, 0),
    "enum_spectrum_ro": ("DevEnum", SP, R, 4096, 0),
    "boolean_image": ("DevBoolean", IM, RW, 251, 251),
    "boolean_image_ro": ("DevBoolean", IM, R, 251, 251),
    "double_image": ("DevDouble", IM, RW, 251, 251),
    "double_image_ro": ("DevDouble", IM, R, 251, 251),
    "float_image": ("DevFloat", IM, RW, 251, 251),
    "float_image_ro": ("DevFloat", IM, R, 251, 251),
    "long64_image_ro": ("DevLong64", IM, R, 251, 251),
    "long_image": ("DevLong", IM, RW, 251, 251),
    "long_image_ro": ("DevLong", IM, R, 251, 251),
    "short_image": ("DevShort", IM, RW, 251, 251),
    "short_image_ro": ("DevShort", IM, R, 251, 251),
    "string_image": ("DevString", IM, RW, 256, 256),
    "string_image_ro": ("DevString", IM, R, 256, 256),
    "uchar_image": ("DevUChar", IM, RW, 251, 251),
    "uchar_image_ro": ("DevUChar", IM, R, 251, 251),
    "ulong64_image_ro": ("DevULong64", IM, R, 251, 251),
    "ulong_image_ro": ("DevULong", IM, R, 251, 251),
    "ushort_image": ("DevUShort", IM, RW, 251, 251),
    "ushort_image_ro": ("DevUShort", IM, R, 8192, 8192),
    "enum_image_ro": ("DevEnum", IM, R, 251, 251),
    "enum_image": ("DevEnum", IM, RW, 251, 251),
}
assert len(ATTRIBUTES) == 68

#: labels, descriptions and limits set by the C++ attribute factory
CONFIG: dict[str, dict[str, str]] = {
    "boolean_scalar": {"description": "A boolean scalar attribute"},
    "float_scalar": {"description": "A float attribute"},
    "float_spectrum": {"description": "A float spectrum attribute"},
    "uchar_spectrum": {
        "description": "An unsigned char spectrum attribute",
        "min_value": "0",
        "max_value": "255",
    },
    "ushort_spectrum": {"description": "An unsigned short spectrum attribute"},
    "boolean_image_ro": {"label": "boolean_image"},
    "float_image_ro": {
        "label": "float_image",
        "description": "A float image attribute",
        "min_value": "0",
        "max_value": "255",
    },
    "uchar_image_ro": {
        "label": "uchar_image",
        "description": "An unsigned char image attribute",
        "min_value": "0",
        "max_value": "255",
    },
    "ushort_image_ro": {
        "description": "An unsigned short image attribute",
        "min_value": "0",
        "max_value": "255",
    },
}

ENUM_LABELS = {
    "enum_scalar": ["LABEL0", "LABEL1", "LABEL2"],
    "enum_scalar_ro": ["LABEL3", "LABEL4", "LABEL5"],
    "enum_spectrum": ["LABEL6", "LABEL7", "LABEL8"],
    "enum_spectrum_ro": ["LABEL9", "LABEL10", "LABEL11"],
    "enum_image_ro": ["LABEL12", "LABEL13", "LABEL14"],
    "enum_image": ["LABEL15", "LABEL16", "LABEL17"],
}

#: the kinds of *_spectrum_ro attributes holding random integers in [0, 256)
RANDOM_SPECTRA = (
    "short",
    "long",
    "ulong",
    "long64",
    "ulong64",
    "double",
    "ushort",
    "uchar",
    "float",
)

#: numpy dtype of the elements PyTango returns, by Tango type
NUMPY = {
    "DevBoolean": "bool",
    "DevDouble": "float64",
    "DevFloat": "float32",
    "DevLong64": "int64",
    "DevLong": "int32",
    "DevShort": "int16",
    "DevUChar": "uint8",
    "DevULong64": "uint64",
    "DevULong": "uint32",
    "DevUShort": "uint16",
    "DevEnum": "int16",
}

#: Python type of a scalar read by PyTango, by Tango type
PYTHON_SCALAR = {
    "DevBoolean": "bool",
    "DevDouble": "float",
    "DevFloat": "float",
    "DevString": "str",
}


def read_shape(name: str) -> tuple[int, ...]:
    """The shape a fresh device reads (images: (dim_y, dim_x))."""
    fmt = ATTRIBUTES[name][1]
    if fmt == S:
        return ()
    if fmt == SP:
        return (256,)
    return (251, 251)


#: a value to write to each writable attribute (JSON-able)
WRITES: dict[str, Any] = {
    "ampli": 2.5,
    "boolean_scalar": False,
    "double_scalar": 12.5,
    "double_scalar_w": 100.0,
    "float_scalar": 7.0,
    "long64_scalar": -(2**40),
    "long_scalar": 42,
    "long_scalar_w": 17,
    "short_scalar": -300,
    "short_scalar_w": 12,
    "string_scalar": "a new string",
    "uchar_scalar": 200,
    "ulong64_scalar": 2**63 + 5,
    "ushort_scalar": 65000,
    "ulong_scalar": 4_000_000_000,
    "enum_scalar": 2,
    "freq": 5.0,
    "echo_mode": False,
    "boolean_spectrum": [True, False, True],
    "double_spectrum": [1.5, -2.5, 1e300],
    "float_spectrum": [0.5, -1.25, 3.0],
    "long_spectrum": [-(2**31), 0, 2**31 - 1],
    "short_spectrum": [-32768, 1, 32767],
    "string_spectrum": ["one", "two", "three"],
    "uchar_spectrum": [0, 128, 255],
    "ushort_spectrum": [0, 1, 65535],
    "enum_spectrum": [1, 0, 2],
    "boolean_image": [[True, False, True], [False, True, False]],
    "double_image": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]],
    "float_image": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]],
    "long_image": [[1, -2, 3], [4, 5, 2**31 - 1]],
    "short_image": [[1, -2, 3], [4, 5, 32767]],
    "string_image": [["a", "b", "c"], ["d", "e", "f"]],
    "uchar_image": [[1, 2, 3], [4, 5, 255]],
    "ushort_image": [[1, 2, 3], [4, 5, 65535]],
    "enum_image": [[1, 0], [2, 1], [0, 0]],
}
assert set(WRITES) == {n for n, spec in ATTRIBUTES.items() if spec[2] in (W, RW)}

#: attributes whose read value is the last written value (until data are generated again)
READS_WHAT_WAS_WRITTEN = {
    "ampli", "double_scalar_w", "long_scalar_w", "short_scalar_w", "freq", "boolean_scalar",
    "string_scalar", "echo_mode", "boolean_spectrum", "double_spectrum", "float_spectrum",
    "long_spectrum", "short_spectrum", "string_spectrum", "uchar_spectrum", "ushort_spectrum",
    "boolean_image", "double_image", "float_image", "short_image", "string_image", "uchar_image",
    "ushort_image",
}  # fmt: skip

#: command -> (argin type, argout type, display level)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "CrashFromDevelopperThread": ("DevVoid", "DevVoid", "EXPERT"),
    "CrashFromOmniThread": ("DevVoid", "DevVoid", "EXPERT"),
    "DevBoolean": ("DevBoolean", "DevBoolean", "OPERATOR"),
    "DevDouble": ("DevDouble", "DevDouble", "OPERATOR"),
    "DevFloat": ("DevFloat", "DevFloat", "OPERATOR"),
    "DevLong": ("DevLong", "DevLong", "OPERATOR"),
    "DevLong64": ("DevLong64", "DevLong64", "OPERATOR"),
    "DevShort": ("DevShort", "DevShort", "OPERATOR"),
    "DevString": ("DevString", "DevString", "OPERATOR"),
    "DevULong": ("DevULong", "DevULong", "OPERATOR"),
    "DevULong64": ("DevULong64", "DevULong64", "OPERATOR"),
    "DevUShort": ("DevUShort", "DevUShort", "OPERATOR"),
    "DevVarCharArray": ("DevVarCharArray", "DevVarCharArray", "OPERATOR"),
    "DevVarDoubleArray": ("DevVarDoubleArray", "DevVarDoubleArray", "OPERATOR"),
    "DevVarDoubleStringArray": ("DevVarDoubleStringArray", "DevVarDoubleStringArray", "OPERATOR"),
    "DevVarFloatArray": ("DevVarFloatArray", "DevVarFloatArray", "OPERATOR"),
    "DevVarLong64Array": ("DevVarLong64Array", "DevVarLong64Array", "OPERATOR"),
    "DevVarLongArray": ("DevVarLongArray", "DevVarLongArray", "OPERATOR"),
    "DevVarLongStringArray": ("DevVarLongStringArray", "DevVarLongStringArray", "OPERATOR"),
    "DevVarShortArray": ("DevVarShortArray", "DevVarShortArray", "OPERATOR"),
    "DevVarStringArray": ("DevVarStringArray", "DevVarStringArray", "OPERATOR"),
    "DevVarULong64Array": ("DevVarULong64Array", "DevVarULong64Array", "OPERATOR"),
    "DevVarULongArray": ("DevVarULongArray", "DevVarULongArray", "OPERATOR"),
    "DevVarUShortArray": ("DevVarUShortArray", "DevVarUShortArray", "OPERATOR"),
    "DevVoid": ("DevVoid", "DevVoid", "OPERATOR"),
    "DumpExecutionState": ("DevVoid", "DevVoid", "EXPERT"),
    "SwitchStates": ("DevVoid", "DevVoid", "OPERATOR"),
    "Init": ("DevVoid", "DevVoid", "OPERATOR"),
    "State": ("DevVoid", "DevState", "OPERATOR"),
    "Status": ("DevVoid", "DevString", "OPERATOR"),
}

#: argument of each echo command -> (JSON-able argin, expected numpy dtype of the result or None)
ECHOES: dict[str, tuple[Any, str | None]] = {
    "DevBoolean": (True, None),
    "DevDouble": (3.141592653589793, None),
    "DevFloat": (1.5, None),
    "DevLong": (-(2**31), None),
    "DevLong64": (-(2**63), None),
    "DevShort": (-32768, None),
    "DevString": ("h\u00e9llo world", None),
    "DevULong": (2**32 - 1, None),
    "DevULong64": (2**64 - 1, None),
    "DevUShort": (65535, None),
    "DevVarCharArray": ([0, 1, 255], "uint8"),
    "DevVarDoubleArray": ([1.0, -2.5, 1e300], "float64"),
    "DevVarFloatArray": ([1.5, -2.25], "float32"),
    "DevVarLong64Array": ([-(2**63), 2**63 - 1], "int64"),
    "DevVarLongArray": ([-(2**31), 2**31 - 1], "int32"),
    "DevVarShortArray": ([-32768, 32767], "int16"),
    "DevVarULong64Array": ([0, 2**64 - 1], "uint64"),
    "DevVarULongArray": ([0, 2**32 - 1], "uint32"),
    "DevVarUShortArray": ([0, 65535], "uint16"),
    "DevVarStringArray": (["a", "bc", ""], None),
    "DevVarLongStringArray": ([[1, -2], ["a", "b"]], "int32"),
    "DevVarDoubleStringArray": ([[1.5, -2.0], ["x"]], "float64"),
}
