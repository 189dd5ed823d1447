"""A device server's start-up with the Database (protocol.md §7.5), written against
:class:`._database.DatabaseAccess`.

Before serving (:func:`database_server`, blocking): the "already running" check on the
admin device, the device list of each class, device and class properties (Database value
over default; the Init command reads the device properties again). While starting (called
by :class:`._server.DeviceServer`): attribute properties applied to each attribute's
configuration (:func:`configure_attributes`, class values then device values), memorized
set points restored (:func:`restore_memorized`: ``hw_memorized`` calls the write method,
``memorized`` alone sets the set point), every device then the admin device exported
(:func:`export_devices`). On each write of a memorized attribute the set point is stored
as its ``__value`` property (:func:`memorized_strings`). The server unexports itself at
exit.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._attrconfig import AttrConfig
from .._dbformat import DeviceExport
from .._errors import DevFailed, make_error
from ..giop import IOR, NEED_DATA, GiopConnection, LocateReply, LocateRequest, LocateStatus, Role
from ..giop._cdr import lazy_numpy
from ..idl._enums import AttrDataFormat, CmdArgType
from ._database import DatabaseAccess
from ._model import Device, _from_text
from ._runtime import AttrRuntime
from ._values import read_value_to_union

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np

    from ._servant import DeviceServant
    from ._server import DeviceServer
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "MEMORIZED_PROPERTY",
    "check_not_running",
    "configure_attributes",
    "database_devices",
    "database_server",
    "export_devices",
    "memorized_strings",
    "reload_device_properties",
    "restore_memorized",
]

#: the attribute property holding a memorized set point
MEMORIZED_PROPERTY = "__value"

#: Database attribute property -> AttrConfig field (same name unless listed)
_CONFIG_FIELDS = {
    "event_period": "period",
    **{
        name: name
        for name in (
            "label", "unit", "standard_unit", "display_unit", "format", "description",
            "min_value", "max_value", "min_alarm", "max_alarm", "min_warning", "max_warning",
            "delta_t", "delta_val", "rel_change", "abs_change", "archive_rel_change",
            "archive_abs_change", "archive_period",
        )
    },
}  # fmt: skip

#: how long the "already running" check waits for the registered address to answer
PROBE_TIMEOUT = 2.0


def check_not_running(db: DatabaseAccess, server: str) -> None:
    """Refuse to start (DevFailed, PyTango's words) when ``exec/instance`` is not in the
    Database, or when its admin device is exported and still answers at its address."""
    admin = f"dserver/{server}"
    try:
        info = db.import_device(admin)
    except DevFailed as exc:
        if exc.errors and exc.errors[0].reason == "DB_DeviceNotDefined":
            raise DevFailed(
                make_error(
                    "API_ServerNotDefined",
                    f"The device server {server} is not defined in database. Exiting!",
                    "puretango.server.run",
                )
            ) from None
        raise
    if info.exported and _answers(info.ior, admin):
        raise DevFailed(
            make_error(
                "API_ServerAlreadyRunning",
                "This server is already running, exiting!",
                "puretango.server.run",
            )
        )


def _answers(ior_text: str, name: str) -> bool:
    """Whether the object of ``ior_text`` is served at its address (a GIOP LocateRequest)."""
    try:
        profile = IOR.from_string(ior_text).iiop()
    except Exception:  # noqa: BLE001 - "nada" or garbage: nobody there
        return False
    conn = GiopConnection(Role.CLIENT)
    try:
        with socket.create_connection((profile.host, profile.port), PROBE_TIMEOUT) as sock:
            sock.settimeout(PROBE_TIMEOUT)
            sock.sendall(conn.send(LocateRequest(request_id=1, object_key=profile.object_key)))
            while True:
                data = sock.recv(4096)
                if not data:
                    return False
                conn.receive_data(data)
                event = conn.next_event()
                if event is not NEED_DATA:
                    return isinstance(event, LocateReply) and event.status in (
                        LocateStatus.OBJECT_HERE,
                        LocateStatus.OBJECT_FORWARD,
                    )
    except OSError:  # refused, unreachable, timed out: not running
        return False


def database_devices(
    db: DatabaseAccess, server: str, classes: Sequence[type[Device]]
) -> list[tuple[type[Device], str, dict[str, Any] | None]]:
    """(class, device name, Database properties) of every device of ``server``."""
    specs: list[tuple[type[Device], str, dict[str, Any] | None]] = []
    for cls in classes:
        names = list(cls._device_properties)
        for device in db.get_device_list(server, cls.__name__):
            specs.append((cls, device, dict(db.get_device_properties(device, names))))
    return specs


def reload_device_properties(db: DatabaseAccess, device: Device) -> None:
    """Read ``device``'s properties from the Database again (the Init command)."""
    names = list(type(device)._device_properties)
    found = db.get_device_properties(device.get_name(), names)
    device._raw_properties = {k.lower(): v for k, v in found.items()}


def database_server(
    classes: Sequence[type[Device]],
    server_name: str,
    instance: str,
    db: DatabaseAccess,
    host: str = "0.0.0.0",
    port: int = 0,
    **options: Any,
) -> DeviceServer:
    """A :class:`._server.DeviceServer` for ``server_name/instance`` as the Database defines
    it (blocking calls to the Database; the server exports itself when started)."""
    from ._server import DeviceServer

    full_name = f"{server_name}/{instance}"
    check_not_running(db, full_name)
    specs = database_devices(db, full_name, classes)
    class_properties = {
        cls.__name__: db.get_class_properties(cls.__name__, list(cls._class_properties))
        for cls in classes
    }
    server = DeviceServer(server_name, instance, specs, host, port, database=db, **options)
    server.class_properties = class_properties
    for cls in classes:
        server.classes.setdefault(cls.__name__, cls)
    return server


def config_with_properties(config: AttrConfig, props: Mapping[str, Sequence[str]]) -> AttrConfig:
    """``config`` with the Database's attribute properties (label, unit, limits, ...)."""
    values: dict[str, Any] = {}
    for name, strings in props.items():
        key = name.lower()
        if key == "enum_labels" and strings:
            values["enum_labels"] = tuple(strings)
        elif key in _CONFIG_FIELDS and strings:
            values[_CONFIG_FIELDS[key]] = ",".join(strings)
    return dataclasses.replace(config, **values) if values else config


def configure_attributes(db: DatabaseAccess, servant: DeviceServant) -> dict[str, list[str]]:
    """Apply the class's then the device's attribute properties to ``servant``'s
    attributes (blocking); return the memorized set points found (attribute -> strings)."""
    attrs = servant.attributes
    names = [a.name for a in attrs.values()]
    if not names:
        return {}
    merged: dict[str, dict[str, list[str]]] = {}
    for found in (
        db.get_class_attribute_properties(servant.class_name, names),
        db.get_device_attribute_properties(servant.name, names),
    ):
        for attr_name, props in found.items():
            merged.setdefault(attr_name.lower(), {}).update(props)
    memorized: dict[str, list[str]] = {}
    for key, props in merged.items():
        attr = attrs.get(key)
        if attr is None:
            continue
        attr.config = config_with_properties(attr.config, props)
        value = props.get(MEMORIZED_PROPERTY)
        if value and attr.config.memorized and attr.writable:
            memorized[key] = value
    return memorized


def _value_from_strings(attr: AttrRuntime, strings: Sequence[str]) -> Any:
    scalar_type = attr.data_type
    if scalar_type is CmdArgType.DevEnum:
        scalar_type = CmdArgType.DevShort
    values = [_from_text(s, scalar_type) for s in strings]
    return values[0] if attr.data_format is AttrDataFormat.SCALAR else values


async def restore_memorized(servant: DeviceServant, memorized: Mapping[str, Sequence[str]]) -> None:
    """Write the memorized set points back: through the write method for ``hw_memorized``
    attributes, as the set point only for ``memorized`` ones (as PyTango does)."""
    for key, strings in memorized.items():
        attr = servant.attributes[key]
        try:
            value = _value_from_strings(attr, strings)
            union, dims = read_value_to_union(
                value, attr.data_type, attr.data_format, attr.enum_labels
            )
            if attr.config.mem_init and attr.write_method is not None:
                await servant.user_call(attr.write_method, servant.device, value)
        except Exception:  # noqa: BLE001 - a bad stored value must not stop the server
            servant.device.get_logger().exception("cannot restore memorized %s", attr.name)
            continue
        attr.setpoint, attr.setpoint_dims = union, dims


def memorized_strings(value: Any) -> list[str]:
    """A written value as the Database stores a memorized set point."""
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    return [_text(v) for v in items]


def _text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):  # enums included
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def export_devices(db: DatabaseAccess, server: DeviceServer, names: Iterable[str]) -> None:
    """``DbExportDevice`` for each device named (IOR, host, pid, version "6")."""
    host = socket.gethostname()
    for name in names:
        db.export_device(DeviceExport(name, server.ior(name), host, str(os.getpid()), "6"))
