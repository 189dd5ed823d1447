"""``tango.utils`` on puretango: PyTango's small public helpers (type predicates on
``CmdArgType``, string conversions, ``get_home``, version requirements, ``EventCallback``).
The PyTango helpers left out are listed by ``tests/compat/missing_names.py``."""

from __future__ import annotations

import datetime
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from puretango import (
    AttrConfEventData,
    AttrDataFormat,
    CmdArgType,
    DataReadyEventData,
    DbData,
    DbDatum,
    DbDevExportInfos,
    DbDevInfos,
    DevIntrChangeEventData,
    EventData,
    EventReason,
    StdDoubleVector,
    StdStringVector,
)
from puretango._omnithreads import PyTangoThread, PyTangoThreadPoolExecutor
from puretango._testhost import InvalidTangoHostTrlError
from puretango._testhost import (
    clear_test_context_tango_host_fqtrl as _clear_test_context_tango_host_fqtrl,
)
from puretango._testhost import (
    get_device_fqtrl_if_necessary as _get_device_fqtrl_if_necessary,
)
from puretango._testhost import (
    get_test_context_tango_host_fqtrl as _get_test_context_tango_host_fqtrl,
)
from puretango._testhost import (
    set_test_context_tango_host_fqtrl as _set_test_context_tango_host_fqtrl,
)

__all__ = [
    "EventCallback",
    "ensure_binary",
    "from_version_str_to_hex_str",
    "from_version_str_to_int",
    "get_home",
    "is_array_type",
    "is_binary_type",
    "is_bool_type",
    "is_float_type",
    "is_int_type",
    "is_integer",
    "is_non_str_seq",
    "is_number",
    "is_numerical_type",
    "is_pure_str",
    "is_scalar_type",
    "is_seq",
    "is_str_type",
    "obj_2_str",
    "requires_pytango",
    "requires_tango",
    "scalar_to_array_type",
    "seqStr_2_obj",
    "str_2_obj",
    "strtobool",
]

T = CmdArgType
_SCALAR_INT = frozenset({T.DevShort, T.DevUShort, T.DevLong, T.DevULong, T.DevLong64, T.DevULong64})
_SCALAR_FLOAT = frozenset({T.DevFloat, T.DevDouble})
_SCALAR_STR = frozenset({T.DevString, T.ConstDevString})
_SCALAR_BOOL = frozenset({T.DevBoolean})
_SCALAR = _SCALAR_INT | _SCALAR_FLOAT | _SCALAR_STR | _SCALAR_BOOL | {T.DevEncoded, T.DevUChar}
_ARRAY_OF = {
    T.DevBoolean: T.DevVarBooleanArray,
    T.DevUChar: T.DevVarCharArray,
    T.DevShort: T.DevVarShortArray,
    T.DevUShort: T.DevVarUShortArray,
    T.DevLong: T.DevVarLongArray,
    T.DevULong: T.DevVarULongArray,
    T.DevLong64: T.DevVarLong64Array,
    T.DevULong64: T.DevVarULong64Array,
    T.DevFloat: T.DevVarFloatArray,
    T.DevDouble: T.DevVarDoubleArray,
    T.DevString: T.DevVarStringArray,
    T.ConstDevString: T.DevVarStringArray,
}
_ARRAY_INT = frozenset(_ARRAY_OF[t] for t in _SCALAR_INT)
_ARRAY_FLOAT = frozenset(_ARRAY_OF[t] for t in _SCALAR_FLOAT)
_ARRAY_STR = frozenset({T.DevVarStringArray})
_ARRAY_BOOL = frozenset({T.DevVarBooleanArray})
_ARRAY = (
    _ARRAY_INT
    | _ARRAY_FLOAT
    | _ARRAY_STR
    | _ARRAY_BOOL
    | {T.DevVarCharArray, T.DevVarDoubleStringArray, T.DevVarLongStringArray}
)
_BINARY = frozenset({T.DevEncoded, T.DevVarCharArray})
#: the strings PyTango reads as "no value" for numerical types
_NO_VALUE = ("Not specified", "Not set")


def _kind(scalars: frozenset[Any], arrays: frozenset[Any]) -> Any:
    def predicate(tg_type: Any, inc_array: bool = False) -> bool:
        return tg_type in scalars or (inc_array and tg_type in arrays)

    return predicate


is_int_type = _kind(_SCALAR_INT, _ARRAY_INT)
is_float_type = _kind(_SCALAR_FLOAT, _ARRAY_FLOAT)
is_numerical_type = _kind(_SCALAR_INT | _SCALAR_FLOAT, _ARRAY_INT | _ARRAY_FLOAT)
is_str_type = _kind(_SCALAR_STR, _ARRAY_STR)
is_bool_type = _kind(_SCALAR_BOOL, _ARRAY_BOOL)
for _name, _what in (
    ("is_int_type", "an integer"),
    ("is_float_type", "a floating point"),
    ("is_numerical_type", "a numerical"),
    ("is_str_type", "a string"),
    ("is_bool_type", "a boolean"),
):
    _func = globals()[_name]
    _func.__name__ = _func.__qualname__ = _name
    _func.__doc__ = f"True if ``tg_type`` is {_what} Tango type (arrays too with ``inc_array``)."


def is_scalar_type(tg_type: Any) -> bool:
    """True if ``tg_type`` is a scalar Tango type (``DevLong``, ``DevString``...)."""
    return tg_type in _SCALAR


def is_array_type(tg_type: Any) -> bool:
    """True if ``tg_type`` is an array Tango type (``DevVarLongArray``...)."""
    return tg_type in _ARRAY


def is_binary_type(tg_type: Any, inc_array: bool = False) -> bool:
    """True if ``tg_type`` is ``DevEncoded`` or ``DevVarCharArray``."""
    return tg_type in _BINARY


def scalar_to_array_type(tg_type: Any) -> CmdArgType:
    """The array type of a scalar Tango type (``DevLong`` -> ``DevVarLongArray``)."""
    try:
        return _ARRAY_OF[tg_type]
    except KeyError:
        raise ValueError(f"Invalid tango scalar type: {tg_type}") from None


def is_pure_str(obj: Any) -> bool:
    """True for ``str`` (and subclasses)."""
    return isinstance(obj, str)


def is_seq(obj: Any) -> bool:
    """True for sequences (strings and bytes included), bytearrays and numpy arrays."""
    return isinstance(obj, (Sequence, bytearray, *_numpy_types("ndarray")))


def is_non_str_seq(obj: Any) -> bool:
    """True for sequences other than ``str``."""
    return is_seq(obj) and not is_pure_str(obj)


def is_integer(obj: Any) -> bool:
    """True for ``int`` and numpy integers, not for ``bool``."""
    return isinstance(obj, (int, *_numpy_types("integer"))) and not isinstance(obj, bool)


def is_number(obj: Any) -> bool:
    """True for Python and numpy numbers."""
    import numbers

    return isinstance(obj, (numbers.Number, *_numpy_types("number")))


def strtobool(val: str) -> bool:
    """``"yes"``/``"true"``/``"on"``/``"1"``... -> True, ``"no"``/``"false"``/... -> False."""
    text = val.lower()
    if text in ("y", "yes", "t", "true", "on", "1"):
        return True
    if text in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(f"invalid truth value {val}")


def obj_2_str(obj: Any, tg_type: Any = None) -> Any:
    """A value as the string Tango properties hold (sequences: one item a line)."""
    if tg_type is None:
        return obj
    if tg_type in _SCALAR:
        if is_pure_str(obj):
            return obj
        if is_non_str_seq(obj):
            if not len(obj):
                return ""
            obj = obj[0]
        return str(obj)
    if obj is None:
        return ""
    return "\n".join(str(item) for item in obj)


def str_2_obj(obj_str: str, tg_type: Any = None) -> Any:
    """A string converted to the Python value of scalar type ``tg_type``."""
    if tg_type is None:
        return obj_str
    if tg_type in _SCALAR:
        if tg_type in _SCALAR_INT | _SCALAR_FLOAT and obj_str in _NO_VALUE:
            return None
        if tg_type in _SCALAR_INT:
            return int(obj_str)
        if tg_type in _SCALAR_FLOAT:
            return float(obj_str)
        if tg_type in _SCALAR_BOOL:
            return strtobool(obj_str)
    return str(obj_str)


def _seq_from_type(seq: Any, tg_type: Any) -> Any:
    if is_pure_str(seq):
        seq = (seq,)
    scalar_converters = {**dict.fromkeys(_SCALAR_INT, int), **dict.fromkeys(_SCALAR_FLOAT, float)}
    if tg_type in scalar_converters:
        return scalar_converters[tg_type](seq[0])
    if tg_type in _SCALAR_STR:
        return seq[0]
    if tg_type == T.DevBoolean:
        return strtobool(seq[0])
    if tg_type in (T.DevVarCharArray, T.DevVarStringArray):
        return seq
    if tg_type in _ARRAY_INT:
        return [int(x) for x in seq]
    if tg_type in _ARRAY_FLOAT:
        return [float(x) for x in seq]
    if tg_type == T.DevVarBooleanArray:
        return [strtobool(x) for x in seq]
    return []


def seqStr_2_obj(seq: Any, tg_type: Any, tg_format: Any = None) -> Any:  # noqa: N802
    """A sequence of strings (a property's value) converted to ``tg_type`` values;
    with ``tg_format`` SPECTRUM a list, IMAGE a list of lists."""
    if tg_format == AttrDataFormat.SPECTRUM:
        return _seq_from_type(seq, _ARRAY_OF[tg_type])
    if tg_format == AttrDataFormat.IMAGE:
        if tg_type in _SCALAR_INT:
            return [[int(y) for y in x] for x in seq]
        if tg_type in _SCALAR_FLOAT:
            return [[float(y) for y in x] for x in seq]
        if tg_type == T.DevString:
            return seq
    return _seq_from_type(seq, tg_type)


def get_home() -> str:
    """The user's home directory (``~``, else ``$HOME``, ``$USERPROFILE``, ``$TMP``)."""
    candidates = [os.path.expanduser("~")]
    candidates += [os.environ.get(name, "") for name in ("HOME", "USERPROFILE", "TMP")]
    for path in candidates:
        if path and os.path.isdir(path):
            return path
    raise RuntimeError("please define environment variable $HOME")


def _version_tuple(version: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(version))[:3])


def _require(
    what: str, current: str, min_version: Any, conflicts: Iterable[Any], software: str
) -> bool:
    have = _version_tuple(current)
    if min_version is not None and _version_tuple(min_version) > have:
        raise Exception(f"{software} requires {what} {min_version} but {current} installed")
    if any(_version_tuple(conflict) == have for conflict in conflicts):
        raise Exception(f"{software} cannot run with {what} {current}")
    return True


def requires_pytango(
    min_version: Any = None, conflicts: Iterable[Any] = (), software_name: str = "Software"
) -> bool:
    """Raise unless the PyTango API level (``tango.__version__``) meets the requirement."""
    import tango

    return _require("pytango", tango.__version__, min_version, conflicts, software_name)


def requires_tango(
    min_version: Any = None, conflicts: Iterable[Any] = (), software_name: str = "Software"
) -> bool:
    """Raise unless the Tango protocol level puretango speaks (IDL 6, Tango 10) suffices."""
    return _require("Tango", "10.0.0", min_version, conflicts, software_name)


class EventCallback:
    """An event callback for tests and consoles: keeps the last ``max_buf`` events
    (``get_events()``) and prints one formatted line per event to ``fd``."""

    def __init__(
        self,
        format: str = "{date} {dev_name} {name} {type} {reason} {value}",  # noqa: A002
        fd: TextIO = sys.stdout,
        max_buf: int = 100,
    ) -> None:
        self._format = format
        self._fd = fd
        self._max_buf = max_buf
        self._events: list[Any] = []

    def get_events(self) -> list[Any]:
        """The events received so far (at most ``max_buf``, oldest first)."""
        return self._events

    def push_event(self, evt: Any) -> None:
        """Record and print ``evt``; a failure to format it is printed, never raised."""
        self._events.append(evt)
        del self._events[: -self._max_buf]
        try:
            print(self._format.format(**self._fields(evt)), file=self._fd)
        except Exception as exc:
            print(f"Unexpected error in callback for {evt}: {exc}", file=self._fd)

    @staticmethod
    def _fields(evt: Any) -> dict[str, Any]:
        now = datetime.datetime.now()

        def field(read: Any, default: Any) -> Any:
            try:
                return read()
            except Exception:
                return default

        attr_name = getattr(evt, "attr_name", None)
        return {
            "date": field(lambda: _event_date(evt), now),
            "reception_date": field(lambda: evt.reception_date.todatetime(), now),
            "type": field(lambda: evt.event.upper(), "<UNKNOWN>"),
            "reason": field(lambda: str(evt.event_reason).upper(), "<UNKNOWN>"),
            "dev_name": field(lambda: evt.device.dev_name().upper(), "<UNKNOWN>"),
            "name": "<N/A>"
            if attr_name is None
            else attr_name.split("/")[-1].upper().removesuffix("#DBASE=NO"),
            "value": field(lambda: _event_value(evt), "<UNKNOWN>"),
        }


def _event_date(evt: Any) -> Any:
    if isinstance(evt, EventData):
        return evt.attr_value.time.todatetime()
    return evt.get_date().todatetime()


def _event_value(evt: Any) -> str:
    """The value part of the line, spelled per event kind as PyTango spells it."""
    if evt.err:
        return f"[{evt.errors[0].reason}] {evt.errors[0].desc}"
    if isinstance(evt, EventData):
        if evt.attr_value is None and evt.event_reason == EventReason.SubSuccess:
            return "<N/A>"
        return f"[{evt.attr_value.quality}] {evt.attr_value.value}"
    if isinstance(evt, AttrConfEventData):
        return f"label='{evt.attr_conf.label}'; unit='{evt.attr_conf.unit}'"
    if isinstance(evt, DataReadyEventData):
        return f"ctr={evt.ctr}"
    if isinstance(evt, DevIntrChangeEventData):
        counts = f"{len(evt.cmd_list)} commands; {len(evt.att_list)} attrs"
        return f"dev_started={evt.dev_started}; {counts}"
    return "<UNKNOWN>"


def ensure_binary(s: str | bytes, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """``str`` encoded to ``bytes``; ``bytes`` as they are."""
    if isinstance(s, str):
        return s.encode(encoding, errors)
    if isinstance(s, bytes):
        return s
    raise TypeError(f"not expecting type '{type(s)}'")


def from_version_str_to_hex_str(version_str: str) -> str:
    """``"9.3.4"`` -> ``"0x09030400"`` (Tango's hexadecimal version spelling)."""
    major, minor, patch = (int(part) for part in version_str.split(".")[:3])
    return f"0x{major:02x}{minor:02x}{patch:02x}00"


def from_version_str_to_int(version_str: str) -> int:
    """``"9.3.4"`` -> ``0x09030400``."""
    return int(from_version_str_to_hex_str(version_str), 16)


# --- [ns] the rest of PyTango's helpers -----------------------------------------------------

__all__ += [
    "TO_TANGO_TYPE",  # noqa: F822 - loaded on first use (__getattr__)
    "AsyncEventCallback",
    "InvalidTangoHostTrlError",
    "PyTangoThread",
    "PyTangoThreadPoolExecutor",
    "StdStringVector_2_seq",
    "_clear_test_context_tango_host_fqtrl",
    "_get_device_fqtrl_if_necessary",
    "_get_test_context_tango_host_fqtrl",
    "_set_test_context_tango_host_fqtrl",
    "parse_type_hint",  # noqa: F822 - loaded on first use (__getattr__)
    "seq_2_StdStringVector",
]
#: PyTango's type helpers (some outside its ``__all__``), from :mod:`puretango._typeinfo`,
#: loaded on first use: they bring numpy and the server's type rules
_TYPE_HELPERS = (
    "FROM_TANGO_TO_NUMPY_TYPE",
    "TO_TANGO_TYPE",  # noqa: F822 - loaded on first use (__getattr__)
    "EnumTypeError",
    "get_enum_labels",
    "get_tango_type",
    "get_tango_type_format",
    "parse_type_hint",  # noqa: F822 - loaded on first use (__getattr__)
)


def __getattr__(name: str) -> Any:
    if name not in _TYPE_HELPERS:
        raise AttributeError(f"module 'tango.utils' has no attribute {name!r}")
    from puretango import _typeinfo

    value = getattr(_typeinfo, name)
    globals()[name] = value
    return value


def _numpy_types(*names: str) -> tuple[type, ...]:
    """numpy's types of these names, or none when numpy is not loaded (then no value can be
    a numpy one, and ``import tango`` need not load numpy)."""
    numpy = sys.modules.get("numpy")
    return tuple(getattr(numpy, name) for name in names) if numpy is not None else ()


class AsyncEventCallback(EventCallback):
    """:class:`EventCallback` for asyncio proxies: ``push_event`` is a coroutine."""

    async def push_event(self, evt: Any) -> None:  # type: ignore[override]
        EventCallback.push_event(self, evt)


def get_latest_device_class() -> type:
    """The newest classic device implementation class (``tango.LatestDeviceImpl``)."""
    import tango

    return tango.LatestDeviceImpl  # type: ignore[no-any-return]


def _fill(kind: type, seq: Any, vec: Any, convert: Any = None) -> Any:
    if vec is None:
        if isinstance(seq, kind):
            return seq
        vec = kind()
    if not isinstance(vec, kind):
        raise TypeError(f"vec must be a tango.{kind.__name__}")
    vec.extend(seq if convert is None else (convert(item) for item in seq))
    return vec


def _unfill(kind: type, vec: Any, seq: Any, convert: Any) -> list[Any]:
    if seq is None:
        seq = []
    if not isinstance(vec, kind):
        raise TypeError(f"vec must be a tango.{kind.__name__}")
    seq.extend(convert(item) for item in vec)
    return seq  # type: ignore[no-any-return]


def seq_2_StdStringVector(seq: Any, vec: Any = None) -> Any:  # noqa: N802
    """``seq`` as (or appended to ``vec``, a) ``StdStringVector`` of ``str``."""
    return _fill(StdStringVector, seq, vec, str)


def StdStringVector_2_seq(vec: Any, seq: Any = None) -> list[Any]:  # noqa: N802
    """The strings of a ``StdStringVector`` as (or appended to ``seq``, a) list."""
    return _unfill(StdStringVector, vec, seq, str)


def seq_2_StdDoubleVector(seq: Any, vec: Any = None) -> Any:  # noqa: N802
    """``seq`` as (or appended to ``vec``, a) ``StdDoubleVector`` of ``float``."""
    return _fill(StdDoubleVector, seq, vec, float)


def StdDoubleVector_2_seq(vec: Any, seq: Any = None) -> list[Any]:  # noqa: N802
    """The floats of a ``StdDoubleVector`` as (or appended to ``seq``, a) list."""
    return _unfill(StdDoubleVector, vec, seq, float)


def seq_2_DbDevInfos(seq: Any, vec: Any = None) -> Any:  # noqa: N802
    """``seq`` of ``DbDevInfo`` as (or appended to ``vec``, a) ``DbDevInfos``."""
    return _fill(DbDevInfos, seq, vec)


def seq_2_DbDevExportInfos(seq: Any, vec: Any = None) -> Any:  # noqa: N802
    """``seq`` of ``DbDevExportInfo`` as (or appended to ``vec``, a) ``DbDevExportInfos``."""
    return _fill(DbDevExportInfos, seq, vec)


def seq_2_DbData(seq: Any, vec: Any = None) -> Any:  # noqa: N802
    """``seq`` of ``DbDatum`` (or of names, each made a ``DbDatum``) as (or appended to
    ``vec``, a) ``DbData``."""
    return _fill(
        DbData, seq, vec, lambda e: e if isinstance(e, DbDatum) else DbDatum(_latin1_str(e))
    )


def _latin1_str(value: Any) -> str:
    """``bytes`` decoded as latin-1; anything else as ``str``."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)
