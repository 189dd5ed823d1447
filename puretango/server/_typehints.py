"""Type hints as dtypes, by PyTango 10's rules: the annotations of an attribute's read method
(return) or write method (value), and of a command's argument and return, give the Tango
type, data format and, for fixed-length ``tuple[...]`` hints, the attribute's max dims.

Forms: a scalar type (``int``, ``float``, ``np.float32``, ``DevState``, an ``enum.Enum``);
``list[T]`` / ``tuple[T, ...]`` (SPECTRUM; ``tuple[T, T]`` also sets max_dim_x 2);
``list[list[T]]`` / ``tuple[tuple[T, T], ...]`` (IMAGE, attributes only);
``tuple[str, bytes]`` (DevEncoded); ``tuple[list[int], list[str]]`` and the float variant
(DevVarLongStringArray, DevVarDoubleStringArray); ``tuple[T, float, AttrQuality]`` (a read
with its time and quality: T); ``npt.NDArray[T]`` (attributes need ``dformat``; a command
argument is an array). String annotations (``from __future__ import annotations``) are
evaluated in the function's module. ``dtype=list[str]`` itself is refused, as by PyTango.
"""

from __future__ import annotations

import enum
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..idl._enums import AttrDataFormat, AttrQuality, DevState

__all__ = [
    "HintType",
    "parse_hint",
    "return_hint",
    "value_hint",
    "first_arg_hint",
    "class_hints",
    "property_dtype",
    "enum_dtype",
]

_SEQUENCES = (list, tuple)


@dataclass(frozen=True, slots=True)
class HintType:
    """What a hint declares: ``dtype`` in the ``attribute(dtype=...)`` vocabulary (a scalar
    type, or a Tango type name), its format (None: numpy array of unknown rank), and the
    max dims a fixed-length tuple gives (None if not fixed)."""

    dtype: Any
    dformat: AttrDataFormat | None
    max_x: int | None = None
    max_y: int | None = None


def _resolve(hint: Any, func: Callable[..., Any]) -> Any:
    """A string annotation evaluated in ``func``'s module (left as is if that fails)."""
    if not isinstance(hint, str):
        return hint
    module_globals = getattr(func, "__globals__", None)
    if module_globals is None:
        module = sys.modules.get(getattr(func, "__module__", "") or "")
        module_globals = vars(module) if module is not None else {}
    try:
        return eval(hint, dict(module_globals))  # noqa: S307 - the user's own annotation
    except Exception:  # noqa: BLE001 - an unresolvable hint is no hint
        return None


def _annotations(func: Callable[..., Any]) -> dict[str, Any]:
    target = getattr(func, "__func__", func)
    return dict(getattr(target, "__annotations__", None) or {})


def return_hint(func: Callable[..., Any] | None) -> Any:
    """The return annotation of ``func``, resolved; None if none."""
    if func is None:
        return None
    hint = _resolve(_annotations(func).get("return"), func)
    return None if hint is inspect.Signature.empty else hint


def value_hint(func: Callable[..., Any] | None) -> Any:
    """A write method's value annotation: its last non-return annotation, as PyTango takes."""
    if func is None:
        return None
    hints = _annotations(func)
    hints.pop("return", None)
    return _resolve(list(hints.values())[-1], func) if hints else None


def first_arg_hint(func: Callable[..., Any]) -> Any:
    """A command's argument annotation (the first parameter after ``self``); None if none."""
    params = list(inspect.signature(func).parameters.values())
    if not inspect.ismethod(func):  # a bound method (add_command) has no ``self`` left
        params = params[1:]
    if not params or params[0].annotation is inspect.Parameter.empty:
        return None
    return _resolve(params[0].annotation, func)


def class_hints(klass: type, wanted: Callable[[Any], bool]) -> dict[str, Any]:
    """The class-level annotations of ``klass`` itself (``voltage: float = attribute()``) of
    the members ``wanted`` accepts, string ones evaluated in its module; unresolvable ones
    left out."""
    members = vars(klass)
    raw = {
        name: hint
        for name, hint in (members.get("__annotations__", None) or {}).items()
        if wanted(members.get(name))
    }
    if not raw:
        return {}
    module = sys.modules.get(klass.__module__)
    namespace = {**(vars(module) if module is not None else {}), **vars(klass)}
    hints: dict[str, Any] = {}
    for name, hint in raw.items():
        if isinstance(hint, str):
            try:
                hint = eval(hint, namespace)  # noqa: S307 - the user's own annotation
            except Exception:  # noqa: BLE001 - an unresolvable hint is no hint
                continue
        hints[name] = hint
    return hints


def property_dtype(hint: Any) -> Any:
    """A property's dtype from its class annotation: ``list[int]`` -> ``(int,)``."""
    parsed = parse_hint(hint, "command")
    if parsed.dformat is AttrDataFormat.SPECTRUM and not isinstance(parsed.dtype, tuple):
        return (parsed.dtype,)
    return parsed.dtype


def enum_dtype(dtype: Any) -> tuple[Any, tuple[str, ...]] | None:
    """``(SomeEnum,)``-style dtypes -> (the same nesting of ``"DevEnum"``, its labels)."""
    depth, inner = 0, dtype
    while isinstance(inner, (tuple, list)) and len(inner) == 1:
        depth, inner = depth + 1, inner[0]
    if not (isinstance(inner, type) and issubclass(inner, enum.Enum)) or inner is DevState:
        return None
    values = [int(member.value) for member in inner]
    if values != list(range(len(values))):
        raise TypeError(f"enum {inner.__name__} values must be 0, 1, 2...")
    wrapped: Any = "DevEnum"
    for _ in range(depth):
        wrapped = (wrapped,)
    return wrapped, tuple(member.name for member in inner)


def _has_ellipsis(hint: Any) -> bool:
    return Ellipsis in typing.get_args(hint)


def _uniform(hint: Any) -> bool:
    """All element types of a sequence hint the same, nested sequences included."""
    args = [a for a in typing.get_args(hint) if a is not Ellipsis]
    if len(set(args)) > 1:
        return False
    return all(_uniform(a) for a in typing.get_args(hint) if typing.get_origin(a) in _SEQUENCES)


def _special_pair(args: tuple[Any, ...]) -> str | None:
    """The Tango types PyTango spells as a 2- (or 4-) element tuple hint."""
    if len(args) not in (2, 4):
        return None
    first, second = args[0], args[1]
    if first is str and second in (bytes, bytearray):
        return "DevEncoded"
    if first in (tuple[int], list[int]) and second in (tuple[str], list[str]):
        return "DevVarLongStringArray"
    if first in (tuple[float], list[float]) and second in (tuple[str], list[str]):
        return "DevVarDoubleStringArray"
    return None


def _numpy_element(hint: Any) -> Any | None:
    """The element type of ``npt.NDArray[T]`` / ``np.ndarray[Any, np.dtype[T]]``, else None."""
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    origin = typing.get_origin(hint)
    if origin is numpy.ndarray:
        return typing.get_args(typing.get_args(hint)[1])[0]
    return None


def parse_hint(hint: Any, caller: str) -> HintType:
    """An annotation -> :class:`HintType`; ``caller`` is "attribute" or "command"."""
    dtype = hint
    if typing.get_origin(dtype) in _SEQUENCES:
        args = typing.get_args(dtype)
        special = _special_pair(args)
        if special is not None:
            return HintType(special, AttrDataFormat.SCALAR)
        if len(args) == 3 and args[1] is float and args[2] == AttrQuality:
            dtype = args[0]
    dformat: AttrDataFormat | None = AttrDataFormat.SCALAR
    element = _numpy_element(dtype)
    if element is not None:
        dtype, dformat = element, None
        if caller == "command":
            return HintType((dtype,), AttrDataFormat.SPECTRUM)
    max_x = max_y = None
    if typing.get_origin(dtype) in _SEQUENCES:
        if not _has_ellipsis(dtype):
            max_x = len(typing.get_args(dtype))
        uniform = _uniform(dtype)
        dtype = typing.get_args(dtype)[0]
        image = typing.get_origin(dtype) in _SEQUENCES
        dformat = AttrDataFormat.IMAGE if image else AttrDataFormat.SPECTRUM
        if image and caller == "command":
            raise RuntimeError("Command does not support IMAGE type")
        if not uniform:
            kind = "IMAGE attributes" if image else f"SPECTRUM {caller}"
            raise RuntimeError(f"PyTango does not support mixed types in {kind}")
        if image:
            max_y = max_x
            max_x = None if _has_ellipsis(dtype) else len(typing.get_args(dtype))
            dtype = typing.get_args(dtype)[0]
    return HintType(dtype, dformat, max_x, max_y)
