"""Tango's file database (``-file=PATH``) as the Database of one device server:
:class:`FileDatabase` (a :class:`._database.DatabaseAccess`) over the file format of
:mod:`puretango._filedb` (which also gives :func:`write_file_database`).

Set points of memorized attributes written while serving are saved back to the file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence

from .._dbformat import DeviceExport, DeviceImport
from .._filedb import PropertyData, read_file_database, write_file_database

__all__ = ["FileDatabase", "PropertyData", "write_file_database"]


class FileDatabase:
    """:class:`._database.DatabaseAccess` over a file database (see the module)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._exported: dict[str, DeviceExport] = {}
        #: "exec/instance" (lower case) -> class -> devices; object (lower case) -> property
        #: -> values
        self.servers, self.properties = read_file_database(self.path)

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
