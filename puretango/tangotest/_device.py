"""The ``TangoTest`` device class: declarations of its 68 attributes, 30 commands, 3
properties and 2 pipes, as the C++ reference device (tango-controls TangoTest) declares them.

Rule 1: this module only declares. Every attribute reads and writes through
:class:`._data.TestData`, by attribute name; the behaviour lives there.

Rule 2: the order of declaration, names, types, formats, maximum dimensions, access,
labels, descriptions and min/max values follow ``TangoTestClass.h`` / ``.cpp``; commands
follow ``command_factory()`` (argument descriptions and display levels included); pipes
follow ``pipe_factory()`` and their read/write methods (``string_long_short_ro`` is also in
the C++ TangoTest of cppTango 9.3; ``generic_blob_rw`` came later).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import AttrWriteType, CmdArgType, DevState, DispLevel, PipeWriteType
from ..server import Device, attribute, command, device_property, pipe
from ._data import IMAG_LEN, TestData

__all__ = ["TangoTest"]

_C = CmdArgType
_R, _W, _RW = AttrWriteType.READ, AttrWriteType.WRITE, AttrWriteType.READ_WRITE
_RWW = AttrWriteType.READ_WITH_WRITE
_ECHO = "Echo of the argin value"
_NOT_SET = "Uninitialised"  # what cppTango reports for an empty argument description

#: Tango type of each element kind (names as in the attribute names)
_TYPE = {
    "boolean": _C.DevBoolean,
    "double": _C.DevDouble,
    "float": _C.DevFloat,
    "long64": _C.DevLong64,
    "long": _C.DevLong,
    "short": _C.DevShort,
    "string": _C.DevString,
    "uchar": _C.DevUChar,
    "ulong64": _C.DevULong64,
    "ulong": _C.DevULong,
    "ushort": _C.DevUShort,
    "enum": _C.DevEnum,
}


def _reader(name: str) -> Callable[[Any], Any]:
    def read(device: TangoTest) -> Any:
        return device._data.read(name)

    read.__name__ = f"read_{name}"
    return read


def _writer(name: str) -> Callable[[Any, Any], None]:
    def write(device: TangoTest, value: Any) -> None:
        device._data.write(name, value)

    write.__name__ = f"write_{name}"
    return write


def _attr(
    name: str, kind: str, access: AttrWriteType, dims: tuple[int, ...] = (), **options: Any
) -> attribute:
    """One attribute: ``dims`` is () for a scalar, (max_x,) for a spectrum, (max_x, max_y)
    for an image."""
    tango_type = _TYPE[kind]
    dtype: Any = tango_type
    if len(dims) == 1:
        dtype, options["max_dim_x"] = (tango_type,), dims[0]
    elif len(dims) == 2:
        dtype, options["max_dim_x"], options["max_dim_y"] = ((tango_type,),), dims[0], dims[1]
    if access is not _W:
        options["fget"] = _reader(name)
    if access in (_W, _RW):
        options["fset"] = _writer(name)
    return attribute(name=name, dtype=dtype, access=access, **options)


def _read_no_value(device: TangoTest) -> None:
    return None  # no value: the client gets API_AttrValueNotSet


def _read_throw_exception(device: TangoTest) -> None:
    raise DevFailed(
        make_error(
            "exception test",
            "here is the exception you requested",
            "TangoTest::read_throw_exception",
        )
    )


def _labels(first: int) -> list[str]:
    return [f"LABEL{n}" for n in range(first, first + 3)]


_SPEC = (4096,)
_IMAGE = (IMAG_LEN, IMAG_LEN)
_0_255 = {"min_value": 0, "max_value": 255}


class TangoTest(Device):
    """A device to test generic clients. It offers a "echo" like command for
    each TANGO data type (i.e. each command returns an exact copy of <argin>)."""

    DEVICE_CLASS_DESCRIPTION = (
        'A device to test generic clients. It offers a "echo" like command for\n'
        "each TANGO data type (i.e. each command returns an exact copy of <argin>)."
    )

    # -- properties ------------------------------------------------------------------------
    Mthreaded_impl = device_property(
        dtype="int16", default_value=1, doc="Multi-threaded implementation (true/false)"
    )
    Sleep_period = device_property(
        dtype="int32", default_value=2000, doc="Data generation period (in ms)"
    )
    UShort_image_ro_size = device_property(
        dtype="int32", default_value=IMAG_LEN, doc="Size of the ushort_image_ro attribute"
    )

    # -- scalar attributes -----------------------------------------------------------------
    ampli = _attr("ampli", "double", _W)
    boolean_scalar = _attr(
        "boolean_scalar", "boolean", _RW, label="boolean_scalar", doc="A boolean scalar attribute"
    )
    double_scalar = _attr("double_scalar", "double", _RW)
    double_scalar_rww = _attr(
        "double_scalar_rww", "double", _RWW, writable_attr_name="double_scalar_w"
    )
    double_scalar_w = _attr("double_scalar_w", "double", _W)
    float_scalar = _attr(
        "float_scalar", "float", _RW, label="float_scalar", doc="A float attribute"
    )
    long64_scalar = _attr("long64_scalar", "long64", _RW)
    long_scalar = _attr("long_scalar", "long", _RW)
    long_scalar_rww = _attr("long_scalar_rww", "long", _RWW, writable_attr_name="long_scalar_w")
    long_scalar_w = _attr("long_scalar_w", "long", _W)
    no_value = attribute(name="no_value", dtype=_C.DevLong, fget=_read_no_value)
    short_scalar = _attr("short_scalar", "short", _RW)
    short_scalar_ro = _attr("short_scalar_ro", "short", _R)
    short_scalar_rww = _attr("short_scalar_rww", "short", _RWW, writable_attr_name="short_scalar_w")
    short_scalar_w = _attr("short_scalar_w", "short", _W)
    string_scalar = _attr("string_scalar", "string", _RW)
    throw_exception = attribute(
        name="throw_exception", dtype=_C.DevLong, fget=_read_throw_exception
    )
    uchar_scalar = _attr("uchar_scalar", "uchar", _RW, label="uchar_scalar")
    ulong64_scalar = _attr("ulong64_scalar", "ulong64", _RW)
    ushort_scalar = _attr("ushort_scalar", "ushort", _RW, label="ushort_scalar")
    ulong_scalar = _attr("ulong_scalar", "ulong", _RW)
    enum_scalar = _attr("enum_scalar", "enum", _RW, enum_labels=_labels(0))
    freq = _attr("freq", "double", _W)
    enum_scalar_ro = _attr("enum_scalar_ro", "enum", _R, enum_labels=_labels(3))
    echo_mode = _attr("echo_mode", "boolean", _RW)

    # -- spectrum attributes -----------------------------------------------------------------
    boolean_spectrum = _attr("boolean_spectrum", "boolean", _RW, _SPEC, label="boolean_spectrum")
    boolean_spectrum_ro = _attr("boolean_spectrum_ro", "boolean", _R, _SPEC)
    double_spectrum = _attr("double_spectrum", "double", _RW, _SPEC)
    double_spectrum_ro = _attr("double_spectrum_ro", "double", _R, _SPEC)
    float_spectrum = _attr(
        "float_spectrum",
        "float",
        _RW,
        _SPEC,
        label="float_spectrum",
        doc="A float spectrum attribute",
    )
    float_spectrum_ro = _attr("float_spectrum_ro", "float", _R, _SPEC)
    long64_spectrum_ro = _attr("long64_spectrum_ro", "long64", _R, _SPEC)
    long_spectrum = _attr("long_spectrum", "long", _RW, _SPEC)
    long_spectrum_ro = _attr("long_spectrum_ro", "long", _R, _SPEC)
    short_spectrum = _attr("short_spectrum", "short", _RW, _SPEC)
    short_spectrum_ro = _attr("short_spectrum_ro", "short", _R, _SPEC)
    string_spectrum = _attr("string_spectrum", "string", _RW, (256,))
    string_spectrum_ro = _attr("string_spectrum_ro", "string", _R, (256,))
    uchar_spectrum = _attr(
        "uchar_spectrum", "uchar", _RW, _SPEC, label="uchar_spectrum",
        doc="An unsigned char spectrum attribute", **_0_255,
    )  # fmt: skip
    uchar_spectrum_ro = _attr("uchar_spectrum_ro", "uchar", _R, _SPEC)
    ulong64_spectrum_ro = _attr("ulong64_spectrum_ro", "ulong64", _R, _SPEC)
    ulong_spectrum_ro = _attr("ulong_spectrum_ro", "ulong", _R, _SPEC)
    ushort_spectrum = _attr(
        "ushort_spectrum",
        "ushort",
        _RW,
        _SPEC,
        label="ushort_spectrum",
        doc="An unsigned short spectrum attribute",
    )
    ushort_spectrum_ro = _attr("ushort_spectrum_ro", "ushort", _R, _SPEC)
    wave = _attr("wave", "double", _R, _SPEC)
    enum_spectrum = _attr("enum_spectrum", "enum", _RW, _SPEC, enum_labels=_labels(6))
    enum_spectrum_ro = _attr("enum_spectrum_ro", "enum", _R, _SPEC, enum_labels=_labels(9))

    # -- image attributes --------------------------------------------------------------------
    boolean_image = _attr("boolean_image", "boolean", _RW, _IMAGE)
    boolean_image_ro = _attr("boolean_image_ro", "boolean", _R, _IMAGE, label="boolean_image")
    double_image = _attr("double_image", "double", _RW, _IMAGE)
    double_image_ro = _attr("double_image_ro", "double", _R, _IMAGE)
    float_image = _attr("float_image", "float", _RW, _IMAGE)
    float_image_ro = _attr(
        "float_image_ro",
        "float",
        _R,
        _IMAGE,
        label="float_image",
        doc="A float image attribute",
        **_0_255,
    )
    long64_image_ro = _attr("long64_image_ro", "long64", _R, _IMAGE)
    long_image = _attr("long_image", "long", _RW, _IMAGE)
    long_image_ro = _attr("long_image_ro", "long", _R, _IMAGE)
    short_image = _attr("short_image", "short", _RW, _IMAGE)
    short_image_ro = _attr("short_image_ro", "short", _R, _IMAGE)
    string_image = _attr("string_image", "string", _RW, (256, 256))
    string_image_ro = _attr("string_image_ro", "string", _R, (256, 256))
    uchar_image = _attr("uchar_image", "uchar", _RW, _IMAGE)
    uchar_image_ro = _attr(
        "uchar_image_ro",
        "uchar",
        _R,
        _IMAGE,
        label="uchar_image",
        doc="An unsigned char image attribute",
        **_0_255,
    )
    ulong64_image_ro = _attr("ulong64_image_ro", "ulong64", _R, _IMAGE)
    ulong_image_ro = _attr("ulong_image_ro", "ulong", _R, _IMAGE)
    ushort_image = _attr("ushort_image", "ushort", _RW, _IMAGE)
    ushort_image_ro = _attr(
        "ushort_image_ro", "ushort", _R, (8192, 8192), label="ushort_image_ro",
        doc="An unsigned short image attribute", **_0_255,
    )  # fmt: skip
    enum_image_ro = _attr("enum_image_ro", "enum", _R, _IMAGE, enum_labels=_labels(12))
    enum_image = _attr("enum_image", "enum", _RW, _IMAGE, enum_labels=_labels(15))

    # -- pipes ---------------------------------------------------------------------------------
    string_long_short_ro = pipe(doc="Pipe example")
    generic_blob_rw = pipe(
        access=PipeWriteType.PIPE_READ_WRITE, doc="Pipe to write and read dynamic data structure"
    )

    def read_string_long_short_ro(self) -> Any:
        # C++ never names the root blob
        return "", [
            {"name": "FirstDE", "value": "The string", "dtype": _C.DevString},
            {"name": "SecondDE", "value": 666, "dtype": _C.DevLong},
            {"name": "ThirdDE", "value": 12, "dtype": _C.DevShort},
        ]

    def read_generic_blob_rw(self) -> Any:
        written = getattr(self, "_generic_blob", None)
        if written is None:
            return "", [{"name": "NO BLOB", "value": 0, "dtype": _C.DevLong}]
        return written  # the data elements as written, with their types

    def write_generic_blob_rw(self, blob: Any) -> None:
        self._generic_blob = blob

    # -- lifecycle -----------------------------------------------------------------------------
    def init_device(self) -> None:
        super().init_device()
        previous = getattr(self, "_data", None)
        threaded = bool(self.Mthreaded_impl)
        self._data = TestData(
            threaded=threaded,
            period=self.Sleep_period / 1000.0,
            ushort_image_side=self.UShort_image_ro_size,
            start_k=previous.k if previous is not None else 0,  # a static counter in C++
        )
        if not threaded:
            return  # sic: the C++ device leaves the state alone in this mode
        self._data.start()
        self.set_state(DevState.RUNNING)

    def read_attr_hardware(self, attr_list: list[int]) -> None:
        self._data.tick()

    # -- commands: echo of each Tango type ---------------------------------------------------------
    @command(doc_in="N/A", doc_out="N/A")
    def DevVoid(self) -> None:  # noqa: N802 - Tango command names
        pass

    @command(
        dtype_in=_C.DevBoolean, dtype_out=_C.DevBoolean, doc_in="Any boolean value", doc_out=_ECHO
    )
    def DevBoolean(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevDouble, dtype_out=_C.DevDouble, doc_in="Any DevDouble value", doc_out=_ECHO
    )
    def DevDouble(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevFloat, dtype_out=_C.DevFloat, doc_in="Any DevFloat value", doc_out=_ECHO
    )
    def DevFloat(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevLong, dtype_out=_C.DevLong, doc_in="Any DevLong value", doc_out=_ECHO)
    def DevLong(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevLong64, dtype_out=_C.DevLong64, doc_in="Any DevLong64 value", doc_out=_ECHO
    )
    def DevLong64(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevShort, dtype_out=_C.DevShort, doc_in="Any DevShort value", doc_out=_ECHO
    )
    def DevShort(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevString, dtype_out=_C.DevString, doc_in="-", doc_out="-")
    def DevString(self, argin: str) -> str:  # noqa: N802
        return str(argin)

    @command(dtype_in=_C.DevULong, dtype_out=_C.DevULong, doc_in="Any DevULong", doc_out=_ECHO)
    def DevULong(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevULong64,
        dtype_out=_C.DevULong64,
        doc_in="Any DevULong64 value",
        doc_out=_ECHO,
    )
    def DevULong64(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevUShort, dtype_out=_C.DevUShort, doc_in="Any DevUShort value", doc_out=_ECHO
    )
    def DevUShort(self, argin: Any) -> Any:  # noqa: N802
        return argin

    # -- commands: echo of each array type -----------------------------------------------------
    @command(dtype_in=_C.DevVarCharArray, dtype_out=_C.DevVarCharArray, doc_in="-", doc_out="-")
    def DevVarCharArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevVarDoubleArray, dtype_out=_C.DevVarDoubleArray, doc_in="-", doc_out="-")
    def DevVarDoubleArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevVarDoubleStringArray,
        dtype_out=_C.DevVarDoubleStringArray,
        doc_in="-",
        doc_out="-",
    )
    def DevVarDoubleStringArray(self, argin: Any) -> Any:  # noqa: N802
        return [argin[0], list(argin[1])]

    @command(dtype_in=_C.DevVarFloatArray, dtype_out=_C.DevVarFloatArray, doc_in="-", doc_out="-")
    def DevVarFloatArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevVarLong64Array,
        dtype_out=_C.DevVarLong64Array,
        doc_in=_NOT_SET,
        doc_out=_NOT_SET,
    )
    def DevVarLong64Array(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevVarLongArray, dtype_out=_C.DevVarLongArray, doc_in="-", doc_out="-")
    def DevVarLongArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(
        dtype_in=_C.DevVarLongStringArray,
        dtype_out=_C.DevVarLongStringArray,
        doc_in="-",
        doc_out="-",
    )
    def DevVarLongStringArray(self, argin: Any) -> Any:  # noqa: N802
        return [argin[0], list(argin[1])]

    @command(dtype_in=_C.DevVarShortArray, dtype_out=_C.DevVarShortArray, doc_in="-", doc_out="-")
    def DevVarShortArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevVarStringArray, dtype_out=_C.DevVarStringArray, doc_in="-", doc_out="-")
    def DevVarStringArray(self, argin: Any) -> Any:  # noqa: N802
        return list(argin)

    @command(
        dtype_in=_C.DevVarULong64Array,
        dtype_out=_C.DevVarULong64Array,
        doc_in=_NOT_SET,
        doc_out=_NOT_SET,
    )
    def DevVarULong64Array(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevVarULongArray, dtype_out=_C.DevVarULongArray, doc_in="-", doc_out="-")
    def DevVarULongArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    @command(dtype_in=_C.DevVarUShortArray, dtype_out=_C.DevVarUShortArray, doc_in="-", doc_out="-")
    def DevVarUShortArray(self, argin: Any) -> Any:  # noqa: N802
        return argin

    # -- commands: state machine and diagnostics -------------------------------------------------
    @command(doc_in=_NOT_SET, doc_out=_NOT_SET)
    def SwitchStates(self) -> None:  # noqa: N802
        """RUNNING <-> FAULT (FAULT disables nothing: every command stays allowed)."""
        self.set_state(DevState.FAULT if self.get_state() is DevState.RUNNING else DevState.RUNNING)

    @command(display_level=DispLevel.EXPERT, doc_in=_NOT_SET, doc_out=_NOT_SET)
    def DumpExecutionState(self) -> None:  # noqa: N802
        self._no_crash_report()

    @command(display_level=DispLevel.EXPERT, doc_in=_NOT_SET, doc_out=_NOT_SET)
    def CrashFromDevelopperThread(self) -> None:  # noqa: N802
        self._no_crash_report()

    @command(display_level=DispLevel.EXPERT, doc_in=_NOT_SET, doc_out=_NOT_SET)
    def CrashFromOmniThread(self) -> None:  # noqa: N802
        self._no_crash_report()

    def _no_crash_report(self) -> None:
        # what the C++ device does when built without ENABLE_CRASH_REPORT (the usual build)
        self.error_stream("Crash report disabled [puretango's TangoTest has no crash reporting]")
