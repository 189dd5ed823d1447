"""Tango's file database (``-file=PATH``): a text file standing for the Database of one
device server, read by :class:`FileDatabase` (a :class:`._database.DatabaseAccess`) and
written by :func:`write_file_database`.

One statement a line, a value list continued on the next line after a trailing ``\\``::

    Server/instance/DEVICE/Class: dom/fam/1, dom/fam/2
    dom/fam/1->speed: 3.5
    dom/fam/1->names: "a b", c
    CLASS/Class->limit: 7
    dom/fam/1/position->__value: 12

Values are separated by commas; a value with a comma, a quote or surrounding spaces is
quoted with ``"`` (``\\"`` and ``\\\\`` inside). Set points of memorized attributes written
while serving are saved back to the file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence

from .._dbformat import DeviceExport, DeviceImport
from .._errors import DevFailed, make_error

__all__ = ["FileDatabase", "PropertyData", "write_file_database"]

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
        values = [v for v in _split_values(rest)]
        while values and values[-1] == "" and rest.rstrip().endswith(","):
            values.pop()
        result.append((key.strip(), values))
    return result


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


class FileDatabase:
    """:class:`._database.DatabaseAccess` over a file database (see the module)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        #: "exec/instance" (lower case) -> class -> devices
        self.servers: dict[str, dict[str, list[str]]] = {}
        #: object (lower case) -> property -> values
        self.properties: dict[str, dict[str, list[str]]] = {}
        self._exported: dict[str, DeviceExport] = {}
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            raise DevFailed(
                make_error("API_DatabaseFileError", f"cannot read {self.path}: {exc}", "FileDb")
            ) from None
        for key, values in _statements(text):
            if "->" in key:
                obj, _, name = key.partition("->")
                self.properties.setdefault(obj.strip().lower(), {})[name.strip()] = values
            elif key.count("/") == 3 and key.split("/")[2].upper() == "DEVICE":
                exe, inst, _, class_name = key.split("/")
                devices = self.servers.setdefault(f"{exe}/{inst}".lower(), {})
                devices.setdefault(class_name, []).extend(v for v in values if v)

    # -- reads -------------------------------------------------------------------------------
    def _get(self, obj: str, names: Sequence[str]) -> dict[str, list[str]]:
        stored = {k.lower(): (k, v) for k, v in self.properties.get(obj.lower(), {}).items()}
        found = {}
        for name in names:
            item = stored.get(name.lower())
            if item is not None and item[1]:
                found[name] = list(item[1])
        return found

    def get_device_list(self, server: str, class_name: str) -> list[str]:
        classes = self.servers.get(server.lower(), {})
        for name, devices in classes.items():
            if name.lower() == class_name.lower():
                return list(devices)
        return []

    def get_device_properties(self, device: str, names: Sequence[str]) -> dict[str, list[str]]:
        return self._get(device, names)

    def get_class_properties(self, class_name: str, names: Sequence[str]) -> dict[str, list[str]]:
        return self._get(f"CLASS/{class_name}", names)

    def _attribute_properties(
        self, prefix: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        result = {}
        for attribute in attributes:
            props = self.properties.get(f"{prefix}/{attribute}".lower(), {})
            if props:
                result[attribute] = {k: list(v) for k, v in props.items() if v}
        return result

    def get_device_attribute_properties(
        self, device: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        return self._attribute_properties(device, attributes)

    def get_class_attribute_properties(
        self, class_name: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        return self._attribute_properties(f"CLASS/{class_name}", attributes)

    def import_device(self, name: str) -> DeviceImport:
        info = self._exported.get(name.lower())
        if info is None:
            return DeviceImport(name, "", "0", "", "", "", False, 0)
        return DeviceImport(name, info.ior, info.version, "", info.host, "", True, int(info.pid))

    # -- writes (kept in the file) ------------------------------------------------------------
    def _put(self, obj: str, properties: Mapping[str, Sequence[str]]) -> None:
        with self._lock:
            stored = self.properties.setdefault(obj.lower(), {})
            for name, values in properties.items():
                stored[name] = [str(v) for v in values]
            self._save()

    def put_device_attribute_properties(
        self, device: str, properties: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None:
        for attribute, props in properties.items():
            self._put(f"{device}/{attribute}", props)

    def put_device_properties(self, device: str, properties: Mapping[str, Sequence[str]]) -> None:
        self._put(device, properties)

    def delete_device_properties(self, device: str, names: Sequence[str]) -> None:
        with self._lock:
            stored = self.properties.get(device.lower(), {})
            for name in names:
                for key in [k for k in stored if k.lower() == name.lower()]:
                    del stored[key]
            self._save()

    def export_device(self, info: DeviceExport) -> None:
        self._exported[info.name.lower()] = info

    def unexport_server(self, server: str) -> None:
        self._exported.clear()

    def _save(self) -> None:
        servers: dict[str, dict[str, list[str]]] = dict(self.servers)
        try:
            write_file_database(self.path, servers, self.properties)
        except OSError:  # a read-only file: the values stay in memory
            pass
