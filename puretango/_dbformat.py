"""The string-array layouts of the Tango Database commands, both directions.

The Database device (``sys/database/2``) passes properties, attribute properties and
import/export records as flat ``DevVarStringArray`` (or ``DevVarLongStringArray``) values.
This module packs and unpacks them once, for the three parties that speak them: the
Database server (:mod:`puretango.databaseds`), the client's ``Database`` and a device
server's start-up. Layouts are those of cppTango's ``DbApi`` and the C++ DataBaseds (see
the Tango Database's ``DataBase.cpp`` and cppTango's ``dbapi_base.cpp``):

* properties (``DbGet/PutDeviceProperty``, ``...ClassProperty``, ``...Property``):
  ``[object, n_props, name, n_values, value..., ...]``. In a *reply* to a Get, a property
  with no value is ``name, "0", " "``: one dummy element follows the zero count (cppTango
  skips exactly one); in a *Put* it is ``name, "0"``; and so it is in a reply to
  ``DbGetClassProperty``, which the C++ and PyTango Databases answer without the dummy
  (:func:`reply_marks_empty` says which replies have it).
* attribute properties, "2" form (``DbGet/PutDeviceAttributeProperty2``, class alike):
  ``[object, n_attrs, attr, n_props, prop, n_values, value..., ...]``; an attribute
  without properties is ``attr, "0"``.
* attribute properties, old form (``DbGet/PutDeviceAttributeProperty``): one value per
  property, ``[object, n_attrs, attr, n_props, prop, value, ...]``.

Decoders raise :class:`DbFormatError` (a ``ValueError``) naming what is wrong and where; they
never read past the end of the array nor trust a count beyond what the array holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DbFormatError",
    "pack_properties",
    "unpack_properties",
    "reply_marks_empty",
    "pack_attribute_properties",
    "unpack_attribute_properties",
    "pack_attribute_properties_1",
    "unpack_attribute_properties_1",
    "DeviceImport",
    "DeviceExport",
]

#: The element that follows a zero value count in a Get reply.
EMPTY_VALUE_MARK = " "


class DbFormatError(ValueError):
    """A Database argument or result array that does not follow its layout."""


class _Reader:
    """Reads a flat string array front to back, with counts checked against what is left."""

    __slots__ = ("data", "pos", "what")

    def __init__(self, data: Sequence[str], what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def string(self, field: str) -> str:
        if self.pos >= len(self.data):
            raise DbFormatError(f"{self.what}: array ends where {field} should be ({self.pos})")
        value = self.data[self.pos]
        self.pos += 1
        return str(value)

    def count(self, field: str, per_item: int = 1) -> int:
        text = self.string(field)
        try:
            n = int(text)
        except ValueError:
            raise DbFormatError(
                f"{self.what}: {field} at element {self.pos - 1} is {text!r}, not a number"
            ) from None
        if n < 0 or n * per_item > len(self.data) - self.pos:
            raise DbFormatError(
                f"{self.what}: {field} {n} at element {self.pos - 1} is more than the "
                f"{len(self.data) - self.pos} elements left"
            )
        return n

    def strings(self, n: int, field: str) -> list[str]:
        end = self.pos + n
        if end > len(self.data):
            raise DbFormatError(f"{self.what}: array ends inside the {field}")
        values = [str(v) for v in self.data[self.pos : end]]
        self.pos = end
        return values

    def skip_empty_mark(self) -> None:
        """Skip the one element that follows a zero count in a Get reply, whatever it is
        (cppTango does the same); tolerate its absence at the very end."""
        if self.pos < len(self.data):
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.data)


# -- properties ---------------------------------------------------------------------------


def pack_properties(obj: str, props: Mapping[str, Sequence[str]], *, reply: bool) -> list[str]:
    """``[obj, n, name, n_values, value..., ...]``; ``reply``: the layout of a Get reply."""
    out = [obj, str(len(props))]
    for name, values in props.items():
        out.append(name)
        out.append(str(len(values)))
        if values:
            out.extend(values)
        elif reply:
            out.append(EMPTY_VALUE_MARK)
    return out


def unpack_properties(data: Sequence[str], *, reply: bool) -> tuple[str, dict[str, list[str]]]:
    """``(obj, {name: values})`` from :func:`pack_properties`' layout."""
    r = _Reader(data, "property array")
    obj = r.string("the object name")
    props: dict[str, list[str]] = {}
    for _ in range(r.count("the property count", per_item=2)):
        name = r.string("a property name")
        n = r.count(f"the value count of {name!r}")
        props[name] = r.strings(n, f"values of {name!r}")
        if not n and reply:
            r.skip_empty_mark()
    return obj, props


def reply_marks_empty(command: str) -> bool:
    """Whether the reply of the property Get ``command`` puts the empty-value mark after a
    zero value count: ``DbGetDeviceProperty`` and ``DbGetProperty`` do,
    ``DbGetClassProperty`` does not (the C++ and PyTango Databases alike)."""
    return command != "DbGetClassProperty"


# -- attribute properties -------------------------------------------------------------------


def pack_attribute_properties(
    obj: str, attrs: Mapping[str, Mapping[str, Sequence[str]]]
) -> list[str]:
    """The "2" form: ``[obj, n_attrs, attr, n_props, prop, n_values, value..., ...]``."""
    out = [obj, str(len(attrs))]
    for attr, props in attrs.items():
        out.append(attr)
        out.append(str(len(props)))
        for name, values in props.items():
            out.append(name)
            out.append(str(len(values)))
            out.extend(values)
    return out


def unpack_attribute_properties(
    data: Sequence[str],
) -> tuple[str, dict[str, dict[str, list[str]]]]:
    """``(obj, {attr: {prop: values}})`` from the "2" form."""
    r = _Reader(data, "attribute property array")
    obj = r.string("the object name")
    attrs: dict[str, dict[str, list[str]]] = {}
    for _ in range(r.count("the attribute count", per_item=2)):
        attr = r.string("an attribute name")
        props = attrs.setdefault(attr, {})
        for _ in range(r.count(f"the property count of {attr!r}", per_item=2)):
            name = r.string(f"a property name of {attr!r}")
            n = r.count(f"the value count of {attr}.{name}")
            props[name] = r.strings(n, f"values of {attr}.{name}")
    return obj, attrs


def pack_attribute_properties_1(obj: str, attrs: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The old form, one value per property: ``[obj, n_attrs, attr, n_props, prop, value,
    ...]``."""
    out = [obj, str(len(attrs))]
    for attr, props in attrs.items():
        out.append(attr)
        out.append(str(len(props)))
        for name, value in props.items():
            out.append(name)
            out.append(value)
    return out


def unpack_attribute_properties_1(data: Sequence[str]) -> tuple[str, dict[str, dict[str, str]]]:
    """``(obj, {attr: {prop: value}})`` from the old form."""
    r = _Reader(data, "attribute property array")
    obj = r.string("the object name")
    attrs: dict[str, dict[str, str]] = {}
    for _ in range(r.count("the attribute count", per_item=2)):
        attr = r.string("an attribute name")
        props = attrs.setdefault(attr, {})
        for _ in range(r.count(f"the property count of {attr!r}", per_item=2)):
            name = r.string(f"a property name of {attr!r}")
            props[name] = r.string(f"the value of {attr}.{name}")
    return obj, attrs


# -- import and export records -----------------------------------------------------------------


@dataclass(frozen=True)
class DeviceImport:
    """The reply of ``DbImportDevice``: where a device is served, if it is."""

    name: str
    ior: str
    version: str
    server: str
    host: str
    class_name: str
    exported: bool
    pid: int

    def to_long_string(self) -> tuple[list[int], list[str]]:
        """``([exported, pid], [name, ior, version, server, host, class])``."""
        strings = [self.name, self.ior, self.version, self.server, self.host, self.class_name]
        return [int(self.exported), self.pid], strings

    @classmethod
    def from_long_string(cls, longs: Sequence[int], strings: Sequence[str]) -> DeviceImport:
        if len(longs) < 2 or len(strings) < 6:
            raise DbFormatError(
                f"DbImportDevice reply: {len(longs)} numbers and {len(strings)} strings, "
                "expected 2 and 6"
            )
        name, ior, version, server, host, class_name = (str(s) for s in strings[:6])
        return cls(name, ior, version, server, host, class_name, bool(longs[0]), int(longs[1]))


@dataclass(frozen=True)
class DeviceExport:
    """The argument of ``DbExportDevice``: ``[name, IOR, host, pid or "null", version]``."""

    name: str
    ior: str
    host: str
    pid: str
    version: str

    def to_strings(self) -> list[str]:
        return [self.name, self.ior, self.host, self.pid, self.version]

    @classmethod
    def from_strings(cls, data: Sequence[str]) -> DeviceExport:
        if len(data) < 5:
            raise DbFormatError(
                f"DbExportDevice argument: {len(data)} strings, expected 5 "
                "(name, IOR, host, pid, version)"
            )
        name, ior, host, pid, version = (str(s) for s in data[:5])
        return cls(name, ior, host, pid, version)
