"""Tango values and failures as JSON for the page (the contract of ``puretango web``).

Rules: NaN and infinities become the strings ``"nan"``, ``"inf"``, ``"-inf"`` (JSON has no
such numbers); numpy arrays become (nested) lists, an IMAGE a list of rows; a ``DevState``
its name; a ``DevEnum`` ``{"label", "value"}``; ``DevEncoded`` a short description. Text
typed on the page is turned into a value of the attribute's or command's type by
:func:`parse_text`, which raises ``ValueError`` with a readable message.
"""

from __future__ import annotations

import ast
import enum
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..idl._enums import AttrDataFormat, CmdArgType, DevState

__all__ = ["dumps", "error_json", "value_json", "parse_text", "parse_argin", "json_safe"]

_C = CmdArgType

_FLOATS = frozenset({_C.DevFloat, _C.DevDouble})
_INTS = frozenset(
    {
        _C.DevShort,
        _C.DevLong,
        _C.DevUShort,
        _C.DevULong,
        _C.DevUChar,
        _C.DevLong64,
        _C.DevULong64,
        _C.DevEnum,
    }
)
#: command array types -> their element type
_ARRAYS = {
    _C.DevVarCharArray: _C.DevUChar,
    _C.DevVarShortArray: _C.DevShort,
    _C.DevVarLongArray: _C.DevLong,
    _C.DevVarFloatArray: _C.DevFloat,
    _C.DevVarDoubleArray: _C.DevDouble,
    _C.DevVarUShortArray: _C.DevUShort,
    _C.DevVarULongArray: _C.DevULong,
    _C.DevVarStringArray: _C.DevString,
    _C.DevVarBooleanArray: _C.DevBoolean,
    _C.DevVarLong64Array: _C.DevLong64,
    _C.DevVarULong64Array: _C.DevULong64,
}


def dumps(obj: Any) -> str:
    """Compact JSON of a value already made safe (:func:`json_safe`)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def json_safe(value: Any) -> Any:
    """Any Python or numpy value -> plain JSON types (NaN/inf as strings, enums by name)."""
    if value is None or (isinstance(value, (bool, str, int)) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return [json_safe(v) for v in value.tolist()]
        if value.dtype.kind in "biuf":
            return value.tolist()
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, (bytes, bytearray, memoryview)):
        return list(bytes(value))
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return str(value)


def value_json(value: Any, data_type: Any, labels: Sequence[str] = ()) -> Any:
    """An attribute or command value as JSON: ``DevEnum`` by label, ``DevEncoded`` described,
    the rest through :func:`json_safe`."""
    if data_type == _C.DevEnum and labels:
        if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
            return json_safe(value)  # enum arrays: the indexes (the labels come with describe)
        index = int(value)
        label = labels[index] if 0 <= index < len(labels) else str(index)
        return {"label": label, "value": index}
    if data_type == _C.DevEncoded:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            fmt, data = value
            size = len(data) if isinstance(data, (bytes, bytearray, str, np.ndarray)) else 0
            return f"<encoded: {fmt}, {size} bytes>"
        return "<encoded>"
    return json_safe(value)


def error_json(exc: BaseException) -> dict[str, str]:
    """The first ``DevError`` of a ``DevFailed`` (or of an error stack), else
    ``PyWeb_Error`` with the exception's text."""
    errors = getattr(exc, "args", ())
    first = errors[0] if errors else None
    if first is not None and hasattr(first, "reason") and hasattr(first, "desc"):
        return {
            "reason": str(first.reason),
            "desc": str(first.desc),
            "origin": str(getattr(first, "origin", "")),
        }
    text = " ".join(str(exc).split()) or type(exc).__name__
    return {"reason": "PyWeb_Error", "desc": text, "origin": "puretango.web"}


def stack_json(stack: Sequence[Any]) -> dict[str, str]:
    """The first ``DevError`` of an error stack (``DeviceAttribute.get_err_stack()``)."""
    if not stack:
        return {"reason": "PyWeb_Error", "desc": "unknown failure", "origin": "puretango.web"}
    first = stack[0]
    return {
        "reason": str(first.reason),
        "desc": str(first.desc),
        "origin": str(getattr(first, "origin", "")),
    }


# -- text typed on the page -> values -----------------------------------------------------------


def _scalar(text: str, data_type: Any, labels: Sequence[str] = ()) -> Any:
    t = text.strip()
    if data_type == _C.DevString:
        return text
    if data_type == _C.DevBoolean:
        low = t.lower()
        if low in ("true", "1", "on", "yes"):
            return True
        if low in ("false", "0", "off", "no"):
            return False
        raise ValueError(f"{text!r} is not a boolean (true or false)")
    if data_type == _C.DevEnum and labels:
        for index, label in enumerate(labels):
            if label == t:
                return index
        try:
            index = int(t)
        except ValueError:
            raise ValueError(f"{text!r} is not one of {', '.join(labels)}") from None
        return index
    if data_type in _FLOATS:
        try:
            return float(t)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if data_type in _INTS:
        try:
            return int(t, 0) if t.lower().startswith(("0x", "-0x")) else int(t)
        except ValueError:
            try:
                f = float(t)
            except ValueError:
                raise ValueError(f"{text!r} is not an integer") from None
            if not f.is_integer():
                raise ValueError(f"{text!r} is not an integer") from None
            return int(f)
    if data_type == _C.DevState:
        try:
            return DevState[t.upper()]
        except KeyError:
            raise ValueError(f"{text!r} is not a state name") from None
    raise ValueError(f"values of type {getattr(data_type, 'name', data_type)} cannot be typed")


def _items(text: str) -> list[Any]:
    """``[1, 2, 3]``, ``1, 2, 3`` or ``1 2 3`` -> items (strings, or nested lists)."""
    t = text.strip()
    if t.startswith("["):
        try:
            parsed = ast.literal_eval(t)
        except (ValueError, SyntaxError):
            t = t.strip("[]")
        else:
            if isinstance(parsed, (list, tuple)):
                return list(parsed)
            return [parsed]
    if not t:
        return []
    parts = t.split(",") if "," in t else t.split()
    return [p.strip() for p in parts]


def _element(item: Any, data_type: Any, labels: Sequence[str]) -> Any:
    """One item of an array (text, or a number already parsed) -> a value of ``data_type``."""
    return _scalar(item if isinstance(item, str) else str(item), data_type, labels)


def parse_text(text: str, data_type: Any, data_format: Any, labels: Sequence[str] = ()) -> Any:
    """Text typed for an attribute -> a value for ``write_attribute``."""
    if data_format == AttrDataFormat.SCALAR:
        return _scalar(text, data_type, labels)
    if data_format == AttrDataFormat.SPECTRUM:
        items = _items(text)
        if data_type == _C.DevString and not text.strip().startswith("["):
            items = [p.strip() for p in text.split(",")] if text.strip() else []
        return [_element(i, data_type, labels) for i in items]
    if data_format == AttrDataFormat.IMAGE:
        rows = _items(text)
        if not all(isinstance(r, (list, tuple)) for r in rows):
            raise ValueError("an IMAGE is written as a list of rows, [[1, 2], [3, 4]]")
        return [[_element(i, data_type, labels) for i in row] for row in rows]
    raise ValueError(f"attribute format {data_format} cannot be written")


def parse_argin(text: str, in_type: Any) -> Any:
    """Text typed for a command argument -> a value for ``command_inout`` (None for DevVoid)."""
    if in_type == _C.DevVoid:
        return None
    element = _ARRAYS.get(in_type)
    if element is not None:
        if element == _C.DevString and not text.strip().startswith("["):
            return [p.strip() for p in text.split(",")] if text.strip() else []
        return [_element(i, element, ()) for i in _items(text)]
    if in_type in (_C.DevVarLongStringArray, _C.DevVarDoubleStringArray):
        try:
            parsed = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            parsed = None
        if not (isinstance(parsed, (list, tuple)) and len(parsed) == 2):
            raise ValueError('give two lists: [numbers], ["strings"]')
        numbers, strings = parsed
        kind = _C.DevLong if in_type == _C.DevVarLongStringArray else _C.DevDouble
        return [[_element(n, kind, ()) for n in numbers], [str(s) for s in strings]]
    if in_type == _C.ConstDevString:
        return text
    return _scalar(text, in_type)
