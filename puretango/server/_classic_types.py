"""The type helpers PyTango's ``tango.utils`` gives device servers:
:func:`get_enum_labels` (the labels of a DevEnum's ``enum.Enum``), :func:`parse_type_hint`
and :func:`get_tango_type_format` (what a type hint and a ``dtype`` declare, with
PyTango's errors) and :func:`get_latest_device_class`. They answer with puretango's own
rules (:mod:`._typehints`, :mod:`._dtypes`)."""

from __future__ import annotations

import enum
import typing
from typing import Any

from ..idl._enums import AttrDataFormat, CmdArgType
from ._classic_impl import Device_6Impl
from ._dtypes import to_tango_type
from ._typehints import parse_hint

__all__ = [
    "EnumTypeError",
    "get_enum_labels",
    "get_latest_device_class",
    "get_tango_type_format",
    "parse_type_hint",
]


class EnumTypeError(Exception):
    """An ``enum.Enum`` that cannot be a DevEnum (values not 0, 1, 2... or not unique)."""


def get_enum_labels(enum_cls: Any) -> list[str]:
    """The labels of ``enum_cls``, whose values must be unique and count up from 0."""
    if not (isinstance(enum_cls, type) and issubclass(enum_cls, enum.Enum)):
        raise EnumTypeError(f"Input class '{enum_cls}' must be derived from enum.Enum")
    try:
        enum.unique(enum_cls)
    except ValueError as exc:
        raise EnumTypeError(f"Input class '{enum_cls}' must be unique - {exc}") from None
    members = list(enum_cls)
    if not members:
        raise EnumTypeError(f"Input class '{enum_cls}' has no members!")
    for expected, member in enumerate(members):
        if member.value != expected:
            raise EnumTypeError(
                f"Enum values for '{enum_cls}' must start at 0 and increment by 1: "
                f"'{member.name}' is {member.value!r}, expected {expected}"
            )
    return [member.name for member in members]


def get_latest_device_class() -> type:
    """The newest device implementation level (``Device_6Impl``)."""
    return Device_6Impl


def parse_type_hint(annotation: Any, caller: str) -> tuple[Any, Any, int | None, int | None]:
    """``(dtype, dformat, max_x, max_y)`` a type hint declares for ``caller``
    ("attribute", "command" or "property")."""
    if caller == "property" and typing.get_origin(annotation) in (tuple, list):
        first = (typing.get_args(annotation) or (None,))[0]
        if typing.get_origin(first) in (tuple, list):
            raise RuntimeError("Property does not support IMAGE type")
    parsed = parse_hint(annotation, "command" if caller == "command" else "attribute")
    return parsed.dtype, parsed.dformat, parsed.max_x, parsed.max_y


def get_tango_type_format(
    dtype: Any, dformat: AttrDataFormat | None = None, caller: str | None = None
) -> tuple[CmdArgType, AttrDataFormat]:
    """``(CmdArgType, AttrDataFormat)`` of a ``dtype`` (``(t,)`` a spectrum, ``((t,),)`` an
    image, unless ``dformat`` says)."""
    if dformat is None:
        dformat = AttrDataFormat.SCALAR
        for nested in (AttrDataFormat.SPECTRUM, AttrDataFormat.IMAGE):
            if not isinstance(dtype, (tuple, list)):
                break
            if not dtype:
                if caller == "attribute":
                    shape = "(<dtype>,)" if nested is AttrDataFormat.SPECTRUM else "((<dtype>,),)"
                    raise TypeError(
                        f"{nested.name.title()} attribute type must be specified as {shape}"
                    )
                break
            dtype, dformat = dtype[0], nested
    try:
        return to_tango_type(dtype), AttrDataFormat(dformat)
    except (TypeError, ValueError, KeyError):
        raise RuntimeError(
            f"Cannot translate {dtype!r} to TANGO type. See documentation for the allowed types"
        ) from None
