"""The storage interface of the Database server: the operations its commands need, in
Python terms (names, lists, dicts), never SQL. :mod:`._sqlite` implements it on SQLite; a
MariaDB/MySQL back-end on the same Tango schema would implement the same Protocol.

Rules every implementation keeps:

* one call is one transaction: it is committed whole or not at all;
* names are matched case-insensitively and returned with their stored case;
* a ``pattern`` is a Tango wildcard filter (``*`` = any run of characters; every other
  character, ``%`` and ``_`` included, matches itself);
* failures are :class:`~puretango._errors.DevFailed` with the C++ DataBaseds' reasons
  (:data:`DEVICE_NOT_DEFINED`, ...), built by :func:`db_error`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from .._dbformat import DeviceExport, DeviceImport
from .._errors import DevFailed, make_error

__all__ = [
    "Store",
    "PropertyKind",
    "AttributeKind",
    "DeviceInfo",
    "ServerInfo",
    "HistoryEntry",
    "db_error",
    "DEVICE_NOT_DEFINED",
    "INCORRECT_ARGUMENTS",
    "INCORRECT_DEVICE_NAME",
    "INCORRECT_SERVER_NAME",
    "SQL_ERROR",
    "ALIAS_NOT_DEFINED",
]

DEVICE_NOT_DEFINED = "DB_DeviceNotDefined"
INCORRECT_ARGUMENTS = "DB_IncorrectArguments"
INCORRECT_DEVICE_NAME = "DB_IncorrectDeviceName"
INCORRECT_SERVER_NAME = "DB_IncorrectServerName"
SQL_ERROR = "DB_SQLError"
ALIAS_NOT_DEFINED = "DB_AliasNotDefined"

#: whose properties: a device's, a class's, or a free object's
PropertyKind = Literal["device", "class", "object"]
#: whose attribute (or pipe) properties: a device's or a class's attributes, or pipes
AttributeKind = Literal["device", "class", "device_pipe", "class_pipe"]


def db_error(reason: str, desc: str, origin: str) -> DevFailed:
    """A DevFailed as the C++ DataBaseds raises it."""
    return DevFailed(make_error(reason, desc, origin))


@dataclass(frozen=True)
class DeviceInfo:
    """``DbGetDeviceInfo``: the import record plus the start and stop dates."""

    record: DeviceImport
    started: str
    stopped: str


@dataclass(frozen=True)
class ServerInfo:
    """Starter information of a server (``DbGetServerInfo``)."""

    name: str
    host: str
    mode: str
    level: str


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a property: values ``[]`` and ``deleted`` for a deletion."""

    attribute: str
    name: str
    date: str
    values: list[str]
    deleted: bool


class Store(Protocol):
    """What the DataBase device asks of its storage."""

    #: True when read-only calls are fast and never block for long (an embedded file, a
    #: MariaDB on this machine), so the server may make them on its event loop; False: always
    #: on worker threads
    inline_reads: bool
    #: how many calls that write may usefully run at once (the server's worker threads)
    writer_threads: int

    def close(self) -> None: ...

    def generation(self) -> int | None:
        """A number that changes whenever the stored data may change: every write
        transaction moves it on at its start and at its end. None while a write is in
        progress, and always None where writers other than this store exist: a read reply
        computed under one generation may be served again while it is unchanged."""
        ...

    # -- servers and devices -----------------------------------------------------------------
    def add_server(self, server: str, devices: Sequence[tuple[str, str]]) -> None: ...
    def add_device(self, server: str, device: str, class_name: str) -> None: ...
    def delete_server(self, server: str) -> None: ...
    def delete_device(self, device: str) -> None: ...
    def rename_server(self, old: str, new: str) -> None: ...
    def export_device(self, export: DeviceExport) -> None: ...
    def unexport_device(self, device: str) -> None: ...
    def unexport_server(self, server: str) -> None: ...
    def import_device(self, name: str) -> DeviceImport: ...
    def device_info(self, name: str) -> DeviceInfo: ...
    def device_class(self, device: str) -> str: ...

    # -- lists --------------------------------------------------------------------------------
    def devices(self, pattern: str, *, exported_only: bool = False) -> list[str]: ...
    def devices_of(self, server_pattern: str, class_pattern: str) -> list[str]: ...
    def exported_devices_of_class(self, class_name: str) -> list[str]: ...
    def device_classes_of(self, server: str) -> list[tuple[str, str]]: ...
    def name_parts(self, part: Literal["domain", "family", "member"], pattern: str) -> list[str]:
        """Distinct domains, families or members of the devices whose name matches."""
        ...

    def servers(self, pattern: str) -> list[str]: ...
    def classes(self, pattern: str) -> list[str]: ...
    def hosts(self, pattern: str) -> list[str]: ...
    def host_servers(self, host_pattern: str) -> list[str]: ...
    def objects(self, pattern: str) -> list[str]: ...

    # -- properties ----------------------------------------------------------------------------
    def get_properties(
        self, kind: PropertyKind, obj: str, names: Sequence[str]
    ) -> list[tuple[str, list[str]]]:
        """Each asked name (wildcards allowed) with the values stored for it (may be [])."""
        ...

    def put_properties(
        self, kind: PropertyKind, obj: str, props: Mapping[str, Sequence[str]]
    ) -> None: ...
    def delete_properties(self, kind: PropertyKind, obj: str, names: Sequence[str]) -> None: ...
    def property_names(self, kind: PropertyKind, obj: str, pattern: str) -> list[str]: ...
    def property_history(
        self, kind: PropertyKind, obj: str, pattern: str
    ) -> list[HistoryEntry]: ...

    # -- attribute properties ------------------------------------------------------------------
    def get_attribute_properties(
        self, kind: AttributeKind, obj: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]: ...
    def put_attribute_properties(
        self, kind: AttributeKind, obj: str, attrs: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None: ...
    def delete_attribute_properties(
        self, kind: AttributeKind, obj: str, attribute: str, names: Sequence[str]
    ) -> None:
        """Delete the named properties of one attribute; no names: all of them."""
        ...

    def delete_attributes(
        self, kind: AttributeKind, obj: str, attributes: Sequence[str], *, history: bool = False
    ) -> None:
        """Delete every property of these attributes (no names: of every attribute); with
        ``history``, each deletion is recorded (``DbDeleteAll*Property``), else not
        (``DbDelete*Attribute``, ``DbDelete*Pipe``), as the C++ DataBaseds does."""
        ...

    def attribute_names(self, kind: AttributeKind, obj: str, pattern: str) -> list[str]: ...
    def attribute_property_history(
        self, kind: AttributeKind, obj: str, attribute: str, pattern: str
    ) -> list[HistoryEntry]: ...

    # -- aliases -----------------------------------------------------------------------------
    def put_device_alias(self, device: str, alias: str) -> None: ...
    def delete_device_alias(self, alias: str) -> None: ...
    def alias_device(self, alias: str) -> str: ...
    def device_alias(self, device: str) -> str: ...
    def device_aliases(self, pattern: str) -> list[str]: ...
    def put_attribute_alias(self, attribute: str, alias: str) -> None: ...
    def delete_attribute_alias(self, alias: str) -> None: ...
    def alias_attribute(self, alias: str) -> str: ...
    def attribute_alias(self, attribute: str) -> str: ...
    def attribute_aliases(self, pattern: str) -> list[str]: ...

    # -- event channels (notifd, before Tango 8): kept and read back as the C++ Database does
    def export_event(self, name: str, ior: str, host: str, pid: str, version: str) -> None: ...
    def unexport_event(self, name: str) -> None: ...
    def import_event(self, name: str) -> tuple[list[int], list[str]]:
        """``([exported, pid], [name, ior, version, host])``."""
        ...

    # -- server (Starter) information and statistics -------------------------------------------
    def get_server_info(self, server: str) -> ServerInfo: ...
    def put_server_info(self, info: ServerInfo) -> None: ...
    def delete_server_info(self, server: str) -> None: ...
    def host_servers_info(self, host: str) -> list[ServerInfo]: ...
    def counts(self) -> dict[str, int]:
        """Row counts for ``DbInfo`` (keys: devices, exported, servers, ..., *_hist)."""
        ...
