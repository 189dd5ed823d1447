"""The data classes of PyTango's Database API (``DbDatum``, ``DbData``, ``DbDevInfo``,
``DbDevExportInfo``, ``DbDevImportInfo``, ``DbDevFullInfo``, ``DbServerInfo``,
``DbHistory``) with PyTango's fields and reprs, and the normalisation of the property
arguments PyTango accepts (str, list, dict, ``DbDatum``, ``DbData``) into plain names and
``{name: [values]}`` mappings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from ._types import _Record, pretty

__all__ = [
    "DbDatum",
    "DbData",
    "DbDevInfo",
    "DbDevExportInfo",
    "DbDevImportInfo",
    "DbDevFullInfo",
    "DbServerInfo",
    "DbHistory",
    "property_names",
    "property_values",
    "attribute_property_values",
    "attribute_property_names",
]


class DbDatum:
    """A named list of strings: one property, or the result of a listing call."""

    def __init__(self, name: str = "", value_string: Iterable[Any] | None = None) -> None:
        self.name = str(name)
        self.value_string: list[str] = [str(v) for v in value_string or ()]

    def is_empty(self) -> bool:
        return not self.value_string

    def size(self) -> int:
        return len(self.value_string)

    def __len__(self) -> int:
        return len(self.value_string)

    def __iter__(self) -> Iterator[str]:
        return iter(self.value_string)

    def __getitem__(self, index: int) -> str:
        return self.value_string[index]

    def __setitem__(self, index: int, value: str) -> None:
        self.value_string[index] = str(value)

    def __delitem__(self, index: int) -> None:
        del self.value_string[index]

    def append(self, value: Any) -> None:
        self.value_string.append(str(value))

    def extend(self, values: Iterable[Any]) -> None:
        self.value_string.extend(str(v) for v in values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DbDatum):
            return NotImplemented
        return (self.name, self.value_string) == (other.name, other.value_string)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DbDatum(name = {self.name!r}, value_string = {self.value_string!r})"

    def __str__(self) -> str:
        return pretty(self, ("name", "value_string"))


class DbData(list[DbDatum]):
    """A list of ``DbDatum``."""


class DbDevInfo(_Record):
    """A device to register: ``name``, ``_class`` (also ``klass``), ``server``."""

    klass: str
    name: str
    server: str
    _fields: ClassVar[tuple[str, ...]] = ("klass", "name", "server")
    _defaults: ClassVar[dict[str, Any]] = {"klass": "", "name": "", "server": ""}

    @property
    def _class(self) -> str:
        return str(self.klass)

    @_class.setter
    def _class(self, value: str) -> None:
        self.klass = value


class DbDevExportInfo(_Record):
    """A device to export: ``name``, ``ior``, ``host``, ``pid``, ``version``."""

    host: str
    ior: str
    name: str
    pid: int
    version: str
    _fields: ClassVar[tuple[str, ...]] = ("host", "ior", "name", "pid", "version")
    _defaults: ClassVar[dict[str, Any]] = {
        "host": "", "ior": "", "name": "", "pid": 0, "version": ""
    }  # fmt: skip


class DbDevImportInfo(_Record):
    """Where a device is served: ``exported``, ``ior``, ``name``, ``version``."""

    exported: int
    ior: str
    name: str
    version: str
    _fields: ClassVar[tuple[str, ...]] = ("exported", "ior", "name", "version")
    _defaults: ClassVar[dict[str, Any]] = {"exported": 0, "ior": "", "name": "", "version": ""}


class DbDevFullInfo(DbDevImportInfo):
    """``DbGetDeviceInfo``: the import information, the class, server, host and dates."""

    class_name: str
    ds_full_name: str
    host: str
    pid: int
    started_date: str
    stopped_date: str
    _fields: ClassVar[tuple[str, ...]] = (
        "class_name", "ds_full_name", "exported", "host", "ior", "name", "pid",
        "started_date", "stopped_date", "version",
    )  # fmt: skip
    _defaults: ClassVar[dict[str, Any]] = {"exported": 0, "pid": 0}


class DbServerInfo(_Record):
    """A server's Starter information: ``name``, ``host``, ``mode``, ``level``."""

    host: str
    level: int
    mode: int
    name: str
    _fields: ClassVar[tuple[str, ...]] = ("host", "level", "mode", "name")
    _defaults: ClassVar[dict[str, Any]] = {"host": "", "level": 0, "mode": 0, "name": ""}


class DbHistory:
    """One entry of a property history: name, date, value, deleted or not."""

    def __init__(self, name: str, date: str, values: list[str], attribute_name: str = "") -> None:
        self._name, self._date, self._attr = name, date, attribute_name
        self._deleted = not values
        self._value = DbDatum(name, values)

    def get_name(self) -> str:
        return self._name

    def get_attribute_name(self) -> str:
        return self._attr

    def get_date(self) -> str:
        return self._date

    def get_value(self) -> DbDatum:
        return self._value

    def is_deleted(self) -> bool:
        return self._deleted

    def __repr__(self) -> str:
        return f"DbHistory({self._name!r}, {self._date!r}, {self._value.value_string!r})"


# -- property arguments ---------------------------------------------------------------------


def _text(value: Any) -> str:
    """One property value as sent: bytes are latin-1 text (as PyTango takes them)."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _values(value: Any) -> list[str]:
    if isinstance(value, DbDatum):
        return [_text(v) for v in value.value_string]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [_text(value)]
    return [_text(v) for v in value]


def property_names(value: Any) -> list[str]:
    """The property names of a Get or Delete argument (str, DbDatum, DbData, sequence, dict)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, DbDatum):
        return [value.name]
    if isinstance(value, Mapping):
        return [v.name if isinstance(v, DbDatum) else str(k) for k, v in value.items()]
    if isinstance(value, Iterable):
        return [v.name if isinstance(v, DbDatum) else str(v) for v in value]
    raise TypeError(
        "value must be a str, tango.DbDatum, tango.DbData, a sequence<DbDatum>, "
        "a sequence<str> or a dictionary"
    )


def property_values(value: Any) -> dict[str, list[str]]:
    """``{name: [values]}`` of a Put argument (DbDatum, DbData, sequence of DbDatum, dict)."""
    if isinstance(value, DbDatum):
        return {value.name: _values(value)}
    if isinstance(value, Mapping):
        out: dict[str, list[str]] = {}
        for k, v in value.items():
            if isinstance(v, DbDatum):
                out[v.name] = _values(v)
            else:
                out[str(k)] = _values(v)
        return out
    if isinstance(value, Iterable) and not isinstance(value, str):
        items = list(value)
        if all(isinstance(v, DbDatum) for v in items):
            return {v.name: _values(v) for v in items}
    raise TypeError(
        "value must be a tango.DbDatum, tango.DbData, a sequence<DbDatum> or a dictionary"
    )


def attribute_property_values(value: Any) -> dict[str, dict[str, list[str]]]:
    """``{attr: {prop: [values]}}`` of an attribute-property Put argument: a nested dict, or
    PyTango's flat DbData form (an attribute DbDatum holding the count of property datums
    that follow)."""
    if isinstance(value, Mapping):
        return {str(a): property_values(props) for a, props in value.items()}
    items = list(value)
    out: dict[str, dict[str, list[str]]] = {}
    i = 0
    while i < len(items):
        head = items[i]
        count = int(head.value_string[0]) if head.value_string else 0
        out[head.name] = {d.name: list(d.value_string) for d in items[i + 1 : i + 1 + count]}
        i += 1 + count
    return out


def attribute_property_names(value: Any) -> dict[str, list[str]]:
    """``{attr: [props]}`` of an attribute-property Delete argument (dict, or a flat
    sequence: the attribute first, then its property names)."""
    if isinstance(value, Mapping):
        return {str(a): property_names(props) for a, props in value.items()}
    names = property_names(value)
    return {names[0]: names[1:]} if names else {}
