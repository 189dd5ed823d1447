"""What a device server needs of the Tango Database, and how it gets it without the client.

:class:`DatabaseAccess` is the small interface the start-up sequence, memorized attributes
and the unexport at exit are written against. :class:`CommandDatabase` implements it on a
bare ``command_inout(name, argin) -> result`` callable that runs one command of the Database
device (``sys/database/2``); the arrays are laid out by :mod:`puretango._dbformat`.

The server never imports the client: the package root registers a factory
(:mod:`puretango._wiring`, kept in :mod:`puretango._registry`) that :func:`run` calls when a
server starts without ``-nodb``; :func:`set_database_factory` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

from .. import _registry
from .._dbformat import (
    DeviceExport,
    DeviceImport,
    pack_attribute_properties,
    pack_properties,
    reply_marks_empty,
    unpack_attribute_properties,
    unpack_properties,
)
from .._errors import DevFailed, make_error

__all__ = [
    "CommandInout",
    "DatabaseAccess",
    "CommandDatabase",
    "set_database_factory",
    "database_factory",
]

#: ``command_inout(name, argin) -> result`` of the Database device: DevVarStringArray
#: arguments as lists of str; a DevVarLongStringArray result as ``(longs, strings)``;
#: failures raised as DevFailed (with the Database's reasons, e.g. DB_DeviceNotDefined).
CommandInout = Callable[[str, Any], Any]

AttributeProperties = dict[str, dict[str, list[str]]]


class DatabaseAccess(Protocol):
    """The Database as a device server uses it."""

    def get_device_list(self, server: str, class_name: str) -> list[str]:
        """Devices of class ``class_name`` in server ``exec/instance``."""
        ...

    def get_device_properties(self, device: str, names: Sequence[str]) -> dict[str, list[str]]:
        """The named properties that have a value (missing ones are left out)."""
        ...

    def get_class_properties(
        self, class_name: str, names: Sequence[str]
    ) -> dict[str, list[str]]: ...

    def get_device_attribute_properties(
        self, device: str, attributes: Sequence[str]
    ) -> AttributeProperties:
        """``{attribute: {property: values}}`` for the attributes that have some."""
        ...

    def get_class_attribute_properties(
        self, class_name: str, attributes: Sequence[str]
    ) -> AttributeProperties: ...

    def put_device_attribute_properties(
        self, device: str, properties: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None: ...

    def put_device_properties(self, device: str, properties: Mapping[str, Sequence[str]]) -> None:
        """Store device properties (the polling's ``polled_attr``, ``polled_cmd``)."""
        ...

    def delete_device_properties(self, device: str, names: Sequence[str]) -> None: ...

    def export_device(self, info: DeviceExport) -> None: ...

    def import_device(self, name: str) -> DeviceImport:
        """Where ``name`` is served; DevFailed ``DB_DeviceNotDefined`` if unknown."""
        ...

    def unexport_server(self, server: str) -> None:
        """Mark every device of server ``exec/instance`` not exported."""
        ...


class CommandDatabase:
    """:class:`DatabaseAccess` over the Database device's commands."""

    def __init__(self, command_inout: CommandInout) -> None:
        self.command_inout = command_inout

    def _strings(self, command: str, argin: Any) -> list[str]:
        return [str(s) for s in self.command_inout(command, argin) or ()]

    def get_device_list(self, server: str, class_name: str) -> list[str]:
        return self._strings("DbGetDeviceList", [server, class_name])

    def _properties(self, command: str, obj: str, names: Sequence[str]) -> dict[str, list[str]]:
        if not names:
            return {}
        strings = self._strings(command, [obj, *names])
        _, props = unpack_properties(strings, reply=reply_marks_empty(command))
        return {name: values for name, values in props.items() if values}

    def get_device_properties(self, device: str, names: Sequence[str]) -> dict[str, list[str]]:
        return self._properties("DbGetDeviceProperty", device, names)

    def get_class_properties(self, class_name: str, names: Sequence[str]) -> dict[str, list[str]]:
        return self._properties("DbGetClassProperty", class_name, names)

    def _attribute_properties(
        self, command: str, obj: str, attributes: Sequence[str]
    ) -> AttributeProperties:
        if not attributes:
            return {}
        _, attrs = unpack_attribute_properties(self._strings(command, [obj, *attributes]))
        return {name: props for name, props in attrs.items() if props}

    def get_device_attribute_properties(
        self, device: str, attributes: Sequence[str]
    ) -> AttributeProperties:
        return self._attribute_properties("DbGetDeviceAttributeProperty2", device, attributes)

    def get_class_attribute_properties(
        self, class_name: str, attributes: Sequence[str]
    ) -> AttributeProperties:
        return self._attribute_properties("DbGetClassAttributeProperty2", class_name, attributes)

    def put_device_attribute_properties(
        self, device: str, properties: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None:
        self.command_inout(
            "DbPutDeviceAttributeProperty2", pack_attribute_properties(device, properties)
        )

    def put_device_properties(self, device: str, properties: Mapping[str, Sequence[str]]) -> None:
        self.command_inout("DbPutDeviceProperty", pack_properties(device, properties, reply=False))

    def delete_device_properties(self, device: str, names: Sequence[str]) -> None:
        self.command_inout("DbDeleteDeviceProperty", [device, *names])

    def export_device(self, info: DeviceExport) -> None:
        self.command_inout("DbExportDevice", info.to_strings())

    def import_device(self, name: str) -> DeviceImport:
        result = self.command_inout("DbImportDevice", name)
        longs, strings = result[0], result[1]
        return DeviceImport.from_long_string([int(v) for v in longs], [str(s) for s in strings])

    def unexport_server(self, server: str) -> None:
        self.command_inout("DbUnExportServer", server)


def set_database_factory(factory: Callable[[], DatabaseAccess] | None) -> None:
    """Register how servers started without ``-nodb`` reach the Database (None: none).
    The factory is called once per server start, in the thread that starts it.
    ``import puretango`` registers the client's Database (:mod:`puretango._wiring`)."""
    _registry.database_factory = factory


def database_factory() -> DatabaseAccess:
    """A Database connection from the registered factory, or DevFailed if there is none."""
    factory = _registry.database_factory
    if factory is None:
        raise DevFailed(
            make_error(
                "API_DatabaseAccess",
                "no Database access is registered for this device server: start it with "
                "INSTANCE -nodb -port P -dlist domain/family/member, or register one with "
                "puretango.server.set_database_factory",
                "puretango.server.run",
            )
        )
    return cast(DatabaseAccess, factory())
