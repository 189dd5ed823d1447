"""Tango's file database, the part both sides share: the text format (read by
:func:`read_file_database`, written by :func:`write_file_database`) and
:class:`FileDatabaseCommands`, which answers the Database commands on properties from such a
file in the Database device's array layouts (the client's ``Database(filename)`` uses it; the
device server's ``-file=PATH`` reads the file through :mod:`.server._filedb`).

One statement a line, a value list continued on the next line after a trailing ``\\``::

    Server/instance/DEVICE/Class: dom/fam/1, dom/fam/2
    dom/fam/1->speed: 3.5
    dom/fam/1->names: "a b", c
    CLASS/Class->limit: 7
    dom/fam/1/position->__value: 12

Values are separated by commas; a value with a comma, a quote or surrounding spaces is
quoted with ``"`` (``\\"`` and ``\\\\`` inside).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from ._dbformat import (
    pack_attribute_properties,
    pack_properties,
    unpack_attribute_properties,
    unpack_properties,
)
from ._errors import DevFailed, make_error

__all__ = [
    "FileDatabaseCommands",
    "PropertyData",
    "read_file_database",
    "write_file_database",
]

#: the content of a file database: server -> class -> devices, and the properties of
#: devices, classes, device attributes and class attributes (name -> values)
PropertyData = dict[str, dict[str, list[str]]]


def _quote(value: str) -> str:
    if value and value.strip() == value and not any(c in value for c in ',"\\\n'):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _split_values(text: str) -> list[str]:
    """The comma-separated (possibly quoted) values of one statement."""
    values: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            chars = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                    chars.append("\n" if text[i] == "n" else text[i])
                else:
                    chars.append(text[i])
                i += 1
            values.append("".join(chars))
            i += 1
            while i < n and text[i] != ",":
                i += 1
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            values.append(text[i:end].strip())
            i = end
        i += 1  # the comma
    return values


def _statements(text: str) -> list[tuple[str, list[str]]]:
    """(key, values) of each statement of a file database's text."""
    result: list[tuple[str, list[str]]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1].rstrip().removesuffix(",") + ","
            continue
        line, pending = pending + line, ""
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        values = _split_values(rest)
        while values and values[-1] == "" and rest.rstrip().endswith(","):
            values.pop()
        result.append((key.strip(), values))
    return result


def read_file_database(path: str | os.PathLike[str]) -> tuple[PropertyData, PropertyData]:
    """``(servers, properties)`` of a file database: ``servers`` is ``{"exec/instance"
    (lower case): {class: [devices]}}``, ``properties`` ``{object (lower case): {name:
    [values]}}``; DevFailed ``API_DatabaseFileError`` when the file cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise DevFailed(
            make_error("API_DatabaseFileError", f"cannot read {os.fspath(path)}: {exc}", "FileDb")
        ) from None
    servers: PropertyData = {}
    properties: PropertyData = {}
    for key, values in _statements(text):
        if "->" in key:
            obj, _, name = key.partition("->")
            properties.setdefault(obj.strip().lower(), {})[name.strip()] = values
        elif key.count("/") == 3 and key.split("/")[2].upper() == "DEVICE":
            exe, inst, _, class_name = key.split("/")
            devices = servers.setdefault(f"{exe}/{inst}".lower(), {})
            devices.setdefault(class_name, []).extend(v for v in values if v)
    return servers, properties


def write_file_database(
    path: str | os.PathLike[str],
    servers: Mapping[str, Mapping[str, Sequence[str]]],
    properties: Mapping[str, Mapping[str, Sequence[str]]],
    append: bool = False,
) -> None:
    """Write a file database: ``servers`` is ``{"exec/instance": {class: [devices]}}``,
    ``properties`` ``{object: {name: [values]}}`` where an object is a device name, a
    device attribute (``dom/fam/mem/attr``) or ``CLASS/name`` (``CLASS/name/attr``)."""
    lines = []
    for server, classes in servers.items():
        for class_name, devices in classes.items():
            lines.append(f"{server}/DEVICE/{class_name}: {', '.join(devices)}")
    for obj, props in properties.items():
        for name, values in props.items():
            quoted = [_quote(str(v)) for v in values]
            lines.append(f"{obj}->{name}: " + ", \\\n    ".join(quoted))
    with open(path, "a" if append else "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


_DEVICE_COMMANDS = ("Device", "Class")


class FileDatabaseCommands:
    """The Database commands on device and class properties (and attribute properties)
    answered from a file database, as cppTango's file database does for a client's
    ``Database(filename)``: every Put and Delete writes the file back. Commands take and
    answer the string arrays of the Database device (:mod:`._dbformat`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.servers, self.properties = read_file_database(self.path)

    def command(self, name: str, args: Sequence[str]) -> list[str]:
        """The reply of Database command ``name`` with the argument array ``args``."""
        for kind in _DEVICE_COMMANDS:
            prefix = "CLASS/" if kind == "Class" else ""
            if name == f"DbGet{kind}AttributeProperty2":
                return self._get_attribute(prefix, args)
            if name == f"DbPut{kind}AttributeProperty2":
                self._put_attribute(prefix, args)
                return []
            if name == f"DbDelete{kind}AttributeProperty":
                self._delete(f"{prefix}{args[0]}/{args[1]}", args[2:])
                return []
            if name == f"DbGet{kind}Property":
                return self._get(prefix, args, marks_empty=kind == "Device")
            if name == f"DbPut{kind}Property":
                obj, props = unpack_properties(args, reply=False)
                self._store({f"{prefix}{obj}": props})
                return []
            if name == f"DbDelete{kind}Property":
                self._delete(f"{prefix}{args[0]}", args[1:])
                return []
        raise DevFailed(
            make_error(
                "API_NotSupported",
                f"The file database does not support the command {name}",
                "FileDatabase::command_inout()",
            )
        )

    def _stored(self, obj: str) -> dict[str, list[str]]:
        return self.properties.get(obj.lower(), {})

    def _lookup(self, obj: str, name: str) -> list[str]:
        for key, values in self._stored(obj).items():
            if key.lower() == name.lower():
                return list(values)
        return []

    def _get(self, prefix: str, args: Sequence[str], marks_empty: bool) -> list[str]:
        obj, names = args[0], args[1:]
        found = {name: self._lookup(f"{prefix}{obj}", name) for name in names}
        return pack_properties(obj, found, reply=marks_empty)

    def _get_attribute(self, prefix: str, args: Sequence[str]) -> list[str]:
        obj, attrs = args[0], args[1:]
        found = {a: self._stored(f"{prefix}{obj}/{a}") for a in attrs}
        return pack_attribute_properties(obj, found)

    def _put_attribute(self, prefix: str, args: Sequence[str]) -> None:
        obj, attrs = unpack_attribute_properties(args)
        self._store({f"{prefix}{obj}/{attr}": props for attr, props in attrs.items()})

    def _store(self, objects: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        for obj, props in objects.items():
            stored = self.properties.setdefault(obj.lower(), {})
            for name, values in props.items():
                for key in [k for k in stored if k.lower() == name.lower()]:
                    del stored[key]
                stored[name] = [str(v) for v in values]
        self._save()

    def _delete(self, obj: str, names: Sequence[str]) -> None:
        stored = self._stored(obj)
        for name in names:
            for key in [k for k in stored if k.lower() == name.lower()]:
                del stored[key]
        self._save()

    def _save(self) -> None:
        write_file_database(self.path, self.servers, self.properties)
