"""PyTango's remaining public structures and sequences on the client side.

- the IDL attribute-configuration structs as PyTango exposes them (``AttributeConfig``,
  ``_2``, ``_3``, ``_5``, ``AttributeAlarm``, ``ChangeEventProp``, ``PeriodicEventProp``,
  ``ArchiveEventProp``, ``EventProperties``): the wire classes with PyTango's ``str``
  (one field a line) and ``repr``;
- ``DeviceAttributeConfig``, ``DevCommandInfo``, ``LockerInfo``, ``ClientAddr``;
- ``DeviceData``, a typed command argument (``insert``/``extract``);
- the sequence types PyTango's C++ binding gives (``StdStringVector``, ``DbDevInfos``,
  ``CommandInfoList`` ...): Python lists under PyTango's names.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._errors import WrongData, make_error
from .._pyvalues import any_to_python, argin_to_any
from ..idl import types as t
from ..idl._enums import AttrDataFormat, AttrWriteType, CmdArgType, ExtractAs, LockerLanguage
from ..idl._types import StructBase
from ._types import _Record, pretty

__all__ = [
    "AttributeConfig",
    "AttributeConfig_2",
    "AttributeConfig_3",
    "AttributeConfig_5",
    "AttributeAlarm",
    "ChangeEventProp",
    "PeriodicEventProp",
    "ArchiveEventProp",
    "EventProperties",
    "DeviceAttributeConfig",
    "DevCommandInfo",
    "LockerInfo",
    "ClientAddr",
    "DeviceData",
    "StdStringVector",
    "StdLongVector",
    "StdDoubleVector",
    "DbDevInfos",
    "DbDevExportInfos",
    "DbDevImportInfos",
    "DbHistoryList",
    "DeviceDataList",
    "DeviceDataHistoryList",
]


# -- the IDL configuration structs, with PyTango's str and repr --------------------------------


def _struct_str(obj: StructBase, indent: str = "") -> str:
    inner = indent + "    "
    lines = [f"{type(obj).__name__}["]
    for name in sorted(obj._fields):
        value = getattr(obj, name)
        if name == "data_type" and isinstance(value, int):
            value = CmdArgType.values.get(value, value)
        if isinstance(value, StructBase):
            text = _struct_str(value, inner)
        elif isinstance(value, str):
            text = f'"{value}"'
        else:
            text = repr(value)
        lines.append(f"{inner}{name} = {text}")
    lines.append(f"{indent}]")
    return "\n".join(lines)


#: wire class -> its public twin
_PUBLIC: dict[type, type] = {}


def _as_public(value: Any) -> Any:
    public = _PUBLIC.get(type(value))
    if public is None:
        return value
    twin: Any = object.__new__(public)
    for name in value._fields:
        object.__setattr__(twin, name, _as_public(getattr(value, name)))
    return twin


class _PyTangoStruct(StructBase):
    """Mixin of the public IDL structs: ``Name(field = value, ...)`` and the multi-line
    ``Name[ ... ]``, fields sorted, as PyTango prints them; nested structs are public
    ones too (so they print and pickle alike)."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self._fields:
            object.__setattr__(self, name, _as_public(getattr(self, name)))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f} = {getattr(self, f)!r}" for f in sorted(self._fields))
        return f"{type(self).__name__}({inner})"

    def __str__(self) -> str:
        return _struct_str(self)


def _public(struct: Any) -> Any:
    _PUBLIC[struct.cls] = public = type(
        struct.name,
        (struct.cls, _PyTangoStruct),
        {
            "__slots__": (),
            "__module__": __name__,
            "__doc__": f"Tango::{struct.name} (the IDL struct), as PyTango exposes it.",
        },
    )
    return public


AttributeConfig = _public(t.AttributeConfig)
AttributeConfig_2 = _public(t.AttributeConfig_2)
AttributeConfig_3 = _public(t.AttributeConfig_3)
AttributeConfig_5 = _public(t.AttributeConfig_5)
AttributeAlarm = _public(t.AttributeAlarm)
ChangeEventProp = _public(t.ChangeEventProp)
PeriodicEventProp = _public(t.PeriodicEventProp)
ArchiveEventProp = _public(t.ArchiveEventProp)
EventProperties = _public(t.EventProperties)


# -- records ---------------------------------------------------------------------------------

_CONFIG_STRINGS = (
    "description",
    "label",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
    "min_alarm",
    "max_alarm",
    "writable_attr_name",
)


class DeviceAttributeConfig(_Record):
    """An attribute's configuration as IDL 1 gave it (the base of ``AttributeInfo`` in
    PyTango)."""

    _fields = (
        "name",
        "writable",
        "data_format",
        "data_type",
        "max_dim_x",
        "max_dim_y",
        *_CONFIG_STRINGS,
        "extensions",
    )
    _defaults: ClassVar[dict[str, Any]] = {
        "name": "",
        "writable": AttrWriteType.READ,
        "data_format": AttrDataFormat.SCALAR,
        "data_type": CmdArgType.DevVoid,
        "max_dim_x": 0,
        "max_dim_y": 0,
        "extensions": list,
        **dict.fromkeys(_CONFIG_STRINGS, ""),
    }


class DevCommandInfo(_Record):
    """A command's name, tag and argument types (the base of ``CommandInfo`` in PyTango)."""

    _fields = ("cmd_name", "cmd_tag", "in_type", "in_type_desc", "out_type", "out_type_desc")
    _defaults: ClassVar[dict[str, Any]] = {
        "cmd_name": "",
        "cmd_tag": 0,
        "in_type": CmdArgType.DevVoid,
        "in_type_desc": "",
        "out_type": CmdArgType.DevVoid,
        "out_type_desc": "",
    }


class LockerInfo(_Record):
    """Who holds a device's lock: process id (``li``), language, host and class."""

    _fields = ("li", "ll", "locker_class", "locker_host")
    _defaults: ClassVar[dict[str, Any]] = {
        "li": 0,
        "ll": LockerLanguage.CPP,
        "locker_class": "",
        "locker_host": "",
    }


class ClientAddr(_Record):
    """The identity of a client calling a device (PyTango's ``ClientAddr``)."""

    client_ident: bool
    client_ip: str
    client_lang: LockerLanguage
    client_pid: int
    java_ident: tuple[int, int]
    java_main_class: str

    _fields = (
        "client_ident",
        "client_ip",
        "client_lang",
        "client_pid",
        "java_ident",
        "java_main_class",
    )
    _defaults: ClassVar[dict[str, Any]] = {
        "client_ident": False,
        "client_ip": "",
        "client_lang": LockerLanguage.CPP,
        "client_pid": 0,
        "java_ident": (1, 0),
        "java_main_class": "",
    }

    def __init__(self, client_ip: str = "", **kwargs: Any) -> None:
        super().__init__(client_ip=client_ip, **kwargs)

    def get_client_hostname(self) -> str:
        """The client's address as a host name (its IP when it does not resolve)."""
        import socket

        try:
            return socket.gethostbyaddr(self.client_ip)[0]
        except OSError:
            return self.client_ip

    def __str__(self) -> str:
        if not self.client_ident:
            return "Client identification not available"
        return pretty(self, sorted(self._fields))


# -- DeviceData ------------------------------------------------------------------------------


def _empty() -> WrongData:
    return WrongData(
        make_error(
            "API_EmptyDeviceData",
            "Cannot extract, no data in DeviceData object",
            "DeviceData::any_is_null",
        )
    )


class DeviceData:
    """A typed command argument or result: ``insert(data_type, value)`` then
    ``extract()``; asking an empty one raises ``WrongData`` (API_EmptyDeviceData)."""

    __slots__ = ("_type", "_value")

    def __init__(self) -> None:
        self._type: CmdArgType | None = None
        self._value: Any = None

    def insert(self, data_type: Any, value: Any) -> None:
        """Hold ``value`` as a Tango ``data_type`` (checked and converted as
        ``command_inout`` converts an argument)."""
        arg_type = CmdArgType(int(data_type))
        self._value = any_to_python(argin_to_any(value, arg_type), arg_type)
        self._type = arg_type

    def extract(self, extract_as: ExtractAs = ExtractAs.Numpy) -> Any:
        """The value held; arrays as numpy arrays, or lists/tuples as ``extract_as`` says."""
        if self._type is None:
            raise _empty()
        value = self._value
        if extract_as in (ExtractAs.List, ExtractAs.Tuple) and hasattr(value, "tolist"):
            value = value.tolist()
            return tuple(value) if extract_as == ExtractAs.Tuple else value
        return value

    def get_type(self) -> CmdArgType:
        """The Tango type of the value held."""
        if self._type is None:
            raise _empty()
        return self._type

    def is_empty(self) -> bool:
        """False once a value was inserted (an empty one raises, as cppTango's)."""
        if self._type is None:
            raise _empty()
        return False

    def __repr__(self) -> str:
        return "DeviceData()"

    def __str__(self) -> str:
        return "DeviceData[\n]"


# -- sequences -------------------------------------------------------------------------------


class StdStringVector(list[str]):
    """A list of strings (C++ ``std::vector<std::string>`` in PyTango)."""


class StdLongVector(list[int]):
    """A list of integers (C++ ``std::vector<long>`` in PyTango)."""


class StdDoubleVector(list[float]):
    """A list of floats (C++ ``std::vector<double>`` in PyTango)."""


class DbDevInfos(list[Any]):
    """A list of ``DbDevInfo``."""


class DbDevExportInfos(list[Any]):
    """A list of ``DbDevExportInfo``."""


class DbDevImportInfos(list[Any]):
    """A list of ``DbDevImportInfo``."""


class DbHistoryList(list[Any]):
    """A list of ``DbHistory``."""


class DeviceDataList(list[Any]):
    """A list of ``DeviceData``."""


class DeviceDataHistoryList(list[Any]):
    """A list of ``DeviceDataHistory``."""
