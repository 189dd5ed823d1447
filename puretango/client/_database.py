"""``Database``: the client of the Tango Database device (PyTango's ``tango.Database``).

The Database device ``sys/database/2`` is served on the CORBA object key ``database`` at
each ``host:port`` of ``TANGO_HOST`` (tried in order: fail-over). Every method is a
generator operation (see :mod:`._engine`) made public by :func:`._green.green`, so it runs
in every green mode with ``wait=``/``timeout=``, like ``DeviceProxy``'s; the array layouts
of the commands come from :mod:`puretango._dbformat`.

This module also keeps the process-wide :func:`shared_database` per list of addresses,
through which ``DeviceProxy`` resolves names (``DbImportDevice``).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .._dbformat import (
    DeviceImport,
    pack_attribute_properties,
    pack_properties,
    reply_marks_empty,
    unpack_attribute_properties,
    unpack_properties,
)
from .._errors import CommunicationFailed, ConnectionFailed, DevFailed, make_error
from .._filedb import FileDatabaseCommands
from .._pyvalues import any_to_python, argin_to_any
from ..idl._enums import CmdArgType, DevSource, GreenMode
from ._dbtypes import (
    DbDatum,
    DbDevExportInfo,
    DbDevFullInfo,
    DbDevImportInfo,
    DbDevInfo,
    DbHistory,
    DbServerInfo,
    attribute_property_names,
    attribute_property_values,
    property_names,
    property_values,
)
from ._engine import Op
from ._green import get_green_mode, green
from ._proxy import DeviceProxy, _rethrow, endpoint_proxy, run_blocking
from ._tangohost import DbAddress, parse_tango_host, tango_host_addresses

__all__ = ["Database", "shared_database", "DATABASE_KEY", "DATABASE_DEVICE"]

T = TypeVar("T")

#: The object key of the Database device, and its device name.
DATABASE_KEY = b"database"
DATABASE_DEVICE = "sys/database/2"

_C = CmdArgType


def _listing(name: str, values: Any) -> DbDatum:
    return DbDatum(name, list(values))


class Database:
    """A client of the Tango Database (PyTango's ``tango.Database``).

    ``Database()`` (``TANGO_HOST``), ``Database(host, port)``, ``Database("host:port")``
    (or a comma-separated list, or ``tango://host:port``), ``Database(other_database)``,
    ``Database(filename)`` (a file database: the property commands are answered from the
    file, which every Put and Delete writes back).
    """

    def __init__(
        self,
        *args: Any,
        green_mode: GreenMode | None = None,
        _connect: bool = True,
    ) -> None:
        self._file = _file_of(args)
        self._addresses = _addresses_of(args) if self._file is None else ()
        self._green_mode = None if green_mode is None else GreenMode(green_mode)
        self._proxy: DeviceProxy | None = None
        self._timeout = 3.0
        self._access_checked = False
        if _connect and self._file is None:  # the constructor is synchronous, as in PyTango
            run_blocking(self._g_connect(), self.get_green_mode())

    def _g_init(self) -> Op[Database]:
        if self._file is None:
            yield from self._g_connect()
        return self

    # -- connection and commands ---------------------------------------------------------

    def _g_connect(self) -> Op[DeviceProxy]:
        """Connect to the first Database server of the list that answers."""
        failure: tuple[DbAddress, DevFailed] | None = None
        for host, port in self._addresses:
            proxy = endpoint_proxy(host, port, DATABASE_KEY, DATABASE_DEVICE)
            proxy.set_timeout_millis(int(self._timeout * 1000))
            try:
                yield from proxy._g_connect()
            except (ConnectionFailed, CommunicationFailed) as exc:
                failure = ((host, port), exc)
                continue
            self._proxy = proxy
            return proxy
        assert failure is not None
        (host, port), error = failure
        raise ConnectionFailed(
            error.args[0],
            make_error(
                "API_CantConnectToDatabase",
                f"Failed to connect to database on host {host} with port {port}",
                "Connection::connect()",
            ),
        ) from None

    def _op(self, make: Callable[[], Op[T]]) -> Op[T]:
        """The operation ``make()`` gives; when the connection to the Database server in
        use fails, connected again (to the first server of the list that answers) and run
        once more."""
        had_connection = self._proxy is not None
        try:
            return (yield from make())
        except ConnectionFailed:
            if not had_connection:
                raise
            self._proxy = None
            return (yield from make())

    def _g_command(self, command: str, arg: Any = None) -> Op[Any]:
        if self._file is not None:
            args = [] if arg is None else [arg] if isinstance(arg, str) else list(arg)
            return self._file.command(command, [str(a) for a in args])
        proxy = self._proxy
        if proxy is None:
            proxy = yield from self._g_connect()
        if arg is None:
            argin = argin_to_any(None, _C.DevVoid)
        elif isinstance(arg, str):
            argin = argin_to_any(arg, _C.DevString)
        else:
            argin = argin_to_any([str(a) for a in arg], _C.DevVarStringArray)
        try:
            if proxy._idl_version >= 4:
                call = proxy._call(
                    "command_inout_4", command, argin, DevSource.CACHE_DEV, proxy._ident
                )
            else:
                call = proxy._call("command_inout_2", command, argin, DevSource.CACHE_DEV)
            result = yield call
        except (ConnectionFailed, CommunicationFailed):
            raise
        except DevFailed as exc:
            raise _rethrow(
                exc,
                "API_CommandFailed",
                f"Failed to execute command_inout on device {DATABASE_DEVICE}, command {command}",
                "Connection::command_inout()",
            ) from None
        return any_to_python(result)

    def _g_command_inout(self, cmd_name: str, cmd_param: Any = None) -> Op[Any]:
        return (yield from self._g_command(cmd_name, cmd_param))

    command_inout = green(_g_command_inout)

    # -- identity ----------------------------------------------------------------------------

    def get_green_mode(self) -> GreenMode:
        return self._green_mode if self._green_mode is not None else get_green_mode()

    def set_green_mode(self, green_mode: GreenMode | None = None) -> None:
        self._green_mode = None if green_mode is None else GreenMode(green_mode)

    def get_db_host(self) -> str:
        return self._addresses[0][0] if self._addresses else ""

    def get_db_port(self) -> str:
        return str(self._addresses[0][1]) if self._addresses else ""

    def get_db_port_num(self) -> int:
        return self._addresses[0][1] if self._addresses else 0

    def is_multi_tango_host(self) -> bool:
        return len(self._addresses) > 1

    def get_file_name(self) -> str:
        return "" if self._file is None else self._file.path

    def dev_name(self) -> str:
        return DATABASE_DEVICE

    def get_timeout_millis(self) -> int:
        return int(round(self._timeout * 1000))

    def set_timeout_millis(self, millis: int) -> None:
        self._timeout = millis / 1000.0
        if self._proxy is not None:
            self._proxy.set_timeout_millis(millis)

    def get_server_release(self) -> int:
        return 400

    @staticmethod
    def check_tango_host(tango_host_env: str) -> None:
        """Raise ``ConnectionFailed`` (``API_TangoHostNotSet``) if the value is malformed."""
        parse_tango_host(tango_host_env)

    def is_control_access_checked(self) -> bool:
        return self._access_checked

    def set_access_checked(self, val: bool) -> None:
        self._access_checked = bool(val)

    def __repr__(self) -> str:
        return f"Database({self.get_db_host()}, {self.get_db_port()})"

    __str__ = __repr__

    # -- general -------------------------------------------------------------------------------

    def _g_get_info(self) -> Op[str]:
        lines = yield from self._g_command("DbInfo")
        return "".join(f"{line}\n" for line in lines)

    get_info = green(_g_get_info)

    def _g_get_services(self, serv_name: str, inst_name: str) -> Op[DbDatum]:
        props = yield from self._g_get_props("DbGetProperty", "CtrlSystem", ["Services"])
        prefix = f"{serv_name}/{inst_name}:".lower()
        found = [
            s.split(":", 1)[1] for s in props.get("Services", []) if s.lower().startswith(prefix)
        ]
        return DbDatum("services", found)

    get_services = green(_g_get_services)

    def _g_register_service(self, serv_name: str, inst_name: str, dev_name: str) -> Op[None]:
        props = yield from self._g_get_props("DbGetProperty", "CtrlSystem", ["Services"])
        prefix = f"{serv_name}/{inst_name}:".lower()
        kept = [s for s in props.get("Services", []) if not s.lower().startswith(prefix)]
        services = {"Services": [*kept, f"{serv_name}/{inst_name}:{dev_name}"]}
        yield from self._g_put("DbPutProperty", "CtrlSystem", services)

    register_service = green(_g_register_service)

    def _g_unregister_service(self, serv_name: str, inst_name: str) -> Op[None]:
        props = yield from self._g_get_props("DbGetProperty", "CtrlSystem", ["Services"])
        prefix = f"{serv_name}/{inst_name}:".lower()
        kept = [s for s in props.get("Services", []) if not s.lower().startswith(prefix)]
        yield from self._g_put("DbPutProperty", "CtrlSystem", {"Services": kept})

    unregister_service = green(_g_unregister_service)

    def _g_get_service_list(self, filter: str = ".*") -> Op[dict[str, str]]:
        props = yield from self._g_get_props("DbGetProperty", "CtrlSystem", ["Services"])
        pattern = re.compile(filter)
        found = {}
        for entry in props.get("Services", []):
            service, _, device = entry.partition(":")
            if pattern.match(service):
                found[service] = device
        return found

    get_service_list = green(_g_get_service_list)

    # -- devices ----------------------------------------------------------------------------------

    def _g_import_raw(self, dev_name: str) -> Op[DeviceImport]:
        longs, strings = yield from self._g_command("DbImportDevice", dev_name)
        return DeviceImport.from_long_string([int(v) for v in longs], strings)

    def _g_import_device(self, dev_name: str) -> Op[DbDevImportInfo]:
        imp = yield from self._g_import_raw(dev_name)
        return DbDevImportInfo(
            exported=int(imp.exported), ior=imp.ior, name=imp.name, version=imp.version
        )

    import_device = green(_g_import_device)

    def _g_export_device(self, info: DbDevExportInfo) -> Op[None]:
        yield from self._g_command(
            "DbExportDevice",
            [info.name, info.ior, info.host, str(info.pid), str(info.version)],
        )

    export_device = green(_g_export_device)

    def _g_export_server(self, infos: Any) -> Op[None]:
        for info in [infos] if isinstance(infos, DbDevExportInfo) else list(infos):
            yield from self._g_export_device(info)

    export_server = green(_g_export_server)

    def _g_get_device_info(self, dev_name: str) -> Op[DbDevFullInfo]:
        longs, s = yield from self._g_command("DbGetDeviceInfo", dev_name)
        s = list(s) + [""] * (8 - len(s))
        return DbDevFullInfo(
            name=s[0], ior=s[1], version=s[2], ds_full_name=s[3], host=s[4],
            started_date="" if s[5] == "?" else s[5],
            stopped_date="" if s[6] == "?" else s[6],
            class_name=s[7], exported=int(longs[0]), pid=int(longs[1]),
        )  # fmt: skip

    get_device_info = green(_g_get_device_info)

    def _g_add_device(self, info: DbDevInfo) -> Op[None]:
        yield from self._g_command("DbAddDevice", [info.server, info.name, info.klass])

    add_device = green(_g_add_device)

    def _g_add_server(self, servname: str, dev_info: Any, with_dserver: bool = False) -> Op[None]:
        infos = [dev_info] if isinstance(dev_info, DbDevInfo) else list(dev_info)
        if with_dserver and infos and not any(i.klass == "DServer" for i in infos):
            infos.append(
                DbDevInfo(
                    name=f"dserver/{infos[0].server}", klass="DServer", server=infos[0].server
                )
            )
        arg = [servname]
        for info in infos:
            arg += [info.name, info.klass]
        yield from self._g_command("DbAddServer", arg)

    add_server = green(_g_add_server)

    def _g_void(self, command: str, arg: Any) -> Op[None]:
        yield from self._g_command(command, arg)

    def _g_string(self, command: str, arg: Any) -> Op[str]:
        return str((yield from self._g_command(command, arg)))

    def _g_list(self, name: str | None, command: str, arg: Any) -> Op[DbDatum]:
        values = yield from self._g_command(command, arg)
        return _listing(arg if name is None else name, values)

    delete_device = green(lambda self, name: self._g_void("DbDeleteDevice", name))
    delete_server = green(lambda self, name: self._g_void("DbDeleteServer", name))
    unexport_device = green(lambda self, name: self._g_void("DbUnExportDevice", name))
    unexport_server = green(lambda self, name: self._g_void("DbUnExportServer", name))
    unexport_event = green(lambda self, name: self._g_void("DbUnExportEvent", name))
    rename_server = green(lambda self, old, new: self._g_void("DbRenameServer", [old, new]))
    delete_server_info = green(lambda self, name: self._g_void("DbDeleteServerInfo", name))
    get_class_for_device = green(lambda self, dev: self._g_string("DbGetClassForDevice", dev))
    get_class_inheritance_for_device = green(
        lambda self, dev: self._g_list("class", "DbGetClassInheritanceForDevice", dev)
    )
    get_device_exported = green(
        lambda self, filter: self._g_list(None, "DbGetDeviceExportedList", filter)
    )
    get_device_exported_for_class = green(
        lambda self, klass: self._g_list("device", "DbGetExportdDeviceListForClass", klass)
    )
    get_device_domain = green(lambda self, w: self._g_list(None, "DbGetDeviceDomainList", w))
    get_device_family = green(lambda self, w: self._g_list(None, "DbGetDeviceFamilyList", w))
    get_device_member = green(lambda self, w: self._g_list(None, "DbGetDeviceMemberList", w))
    get_server_list = green(
        lambda self, filter="*": self._g_list("server", "DbGetServerList", filter)
    )
    get_server_name_list = green(lambda self: self._g_list("server", "DbGetServerNameList", "*"))
    get_instance_name_list = green(
        lambda self, server: self._g_list(None, "DbGetInstanceNameList", server)
    )

    def _g_get_server_class_list(self, server: str) -> Op[DbDatum]:
        classes = yield from self._g_command("DbGetDeviceServerClassList", server)
        return DbDatum(server, [c for c in classes if c.lower() != "dserver"])

    get_server_class_list = green(_g_get_server_class_list)
    get_device_class_list = green(
        lambda self, server: self._g_list("server", "DbGetDeviceClassList", server)
    )
    get_class_list = green(lambda self, filter: self._g_list("class", "DbGetClassList", filter))
    get_host_list = green(lambda self, filter="*": self._g_list("host", "DbGetHostList", filter))
    get_host_server_list = green(
        lambda self, host: self._g_list("server", "DbGetHostServerList", host)
    )
    get_object_list = green(lambda self, w: self._g_list("object", "DbGetObjectList", w))
    get_object_property_list = green(
        lambda self, obj, w: self._g_list("object", "DbGetPropertyList", [obj, w])
    )
    get_class_attribute_list = green(
        lambda self, klass, wildcard: self._g_list(
            "class", "DbGetClassAttributeList", [klass, wildcard]
        )
    )
    get_class_property_list = green(
        lambda self, klass: self._g_list(None, "DbGetClassPropertyList", klass)
    )
    get_device_alias_list = green(
        lambda self, filter: self._g_list(None, "DbGetDeviceAliasList", filter)
    )
    get_attribute_alias_list = green(
        lambda self, filter: self._g_list(None, "DbGetAttributeAliasList", filter)
    )

    def _g_get_device_name(self, serv_name: str, class_name: str) -> Op[DbDatum]:
        values = yield from self._g_command("DbGetDeviceList", [serv_name, class_name])
        return DbDatum(serv_name, values)

    get_device_name = green(_g_get_device_name)

    def _g_get_device_property_list(
        self, dev_name: str, wildcard: str, array: Any = None
    ) -> Op[Any]:
        values = yield from self._g_command("DbGetDevicePropertyList", [dev_name, wildcard])
        if array is None:
            return DbDatum(dev_name, values)
        for value in values:
            array.append(value)
        return array

    get_device_property_list = green(_g_get_device_property_list)

    def _g_get_device_attribute_list(self, dev_name: str, att_list: Any) -> Op[Any]:
        for name in (yield from self._g_command("DbGetDeviceAttributeList", [dev_name, "*"])):
            att_list.append(name)
        return att_list

    get_device_attribute_list = green(_g_get_device_attribute_list)

    # -- servers ------------------------------------------------------------------------------

    def _g_get_server_info(self, server: str) -> Op[DbServerInfo]:
        s = list((yield from self._g_command("DbGetServerInfo", server)))
        s += [""] * (4 - len(s))
        return DbServerInfo(name=s[0], host=s[1], mode=_int(s[2]), level=_int(s[3]))

    get_server_info = green(_g_get_server_info)

    def _g_put_server_info(self, info: DbServerInfo) -> Op[None]:
        yield from self._g_command(
            "DbPutServerInfo", [info.name, info.host, str(info.mode), str(info.level)]
        )

    put_server_info = green(_g_put_server_info)

    # -- aliases --------------------------------------------------------------------------------

    get_device_alias = green(lambda self, alias: self._g_string("DbGetAliasDevice", alias))
    get_device_from_alias = get_device_alias
    get_alias_from_device = green(lambda self, dev: self._g_string("DbGetDeviceAlias", dev))
    get_alias = get_alias_from_device
    put_device_alias = green(
        lambda self, dev, alias: self._g_void("DbPutDeviceAlias", [dev, alias])
    )
    delete_device_alias = green(lambda self, alias: self._g_void("DbDeleteDeviceAlias", alias))
    get_attribute_alias = green(lambda self, alias: self._g_string("DbGetAttributeAlias", alias))
    get_attribute_from_alias = get_attribute_alias
    get_alias_from_attribute = green(
        lambda self, attr: self._g_string("DbGetAttributeAlias2", attr)
    )
    put_attribute_alias = green(
        lambda self, attr, alias: self._g_void("DbPutAttributeAlias", [attr, alias])
    )
    delete_attribute_alias = green(
        lambda self, alias: self._g_void("DbDeleteAttributeAlias", alias)
    )

    # -- properties -------------------------------------------------------------------------------

    def _g_get_props(
        self, command: str, obj: str, names: Sequence[str]
    ) -> Op[dict[str, list[str]]]:
        if not names:
            return {}
        reply = yield from self._g_command(command, [obj, *names])
        return unpack_properties(list(reply), reply=reply_marks_empty(command))[1]

    def _g_get(self, command: str, obj: str, value: Any) -> Op[dict[str, list[str]]]:
        props = yield from self._g_get_props(command, obj, property_names(value))
        if isinstance(value, dict):  # PyTango fills the caller's dict
            value.update(props)
        return props

    def _g_put(self, command: str, obj: str, value: Any) -> Op[None]:
        props = property_values(value)
        if props:
            yield from self._g_command(command, pack_properties(obj, props, reply=False))

    def _g_delete(self, command: str, obj: str, value: Any) -> Op[None]:
        names = property_names(value)
        if names:
            yield from self._g_command(command, [obj, *names])

    get_device_property = green(
        lambda self, dev, value: self._g_get("DbGetDeviceProperty", dev, value)
    )
    put_device_property = green(
        lambda self, dev, value: self._g_put("DbPutDeviceProperty", dev, value)
    )
    delete_device_property = green(
        lambda self, dev, value: self._g_delete("DbDeleteDeviceProperty", dev, value)
    )
    get_class_property = green(
        lambda self, klass, value: self._g_get("DbGetClassProperty", klass, value)
    )
    put_class_property = green(
        lambda self, klass, value: self._g_put("DbPutClassProperty", klass, value)
    )
    delete_class_property = green(
        lambda self, klass, value: self._g_delete("DbDeleteClassProperty", klass, value)
    )
    get_property = green(lambda self, obj, value: self._g_get("DbGetProperty", obj, value))
    get_property_forced = get_property
    put_property = green(lambda self, obj, value: self._g_put("DbPutProperty", obj, value))
    delete_property = green(lambda self, obj, value: self._g_delete("DbDeleteProperty", obj, value))

    def _g_get_attr(
        self, command: str, obj: str, value: Any
    ) -> Op[dict[str, dict[str, list[str]]]]:
        names = property_names(value)
        if not names:
            return {}
        reply = yield from self._g_command(command, [obj, *names])
        attrs = unpack_attribute_properties(list(reply))[1]
        if isinstance(value, dict):
            value.update(attrs)
        return attrs

    def _g_put_attr(self, command: str, obj: str, value: Any) -> Op[None]:
        attrs = attribute_property_values(value)
        if attrs:
            yield from self._g_command(command, pack_attribute_properties(obj, attrs))

    def _g_delete_attr(self, command: str, obj: str, value: Any) -> Op[None]:
        for attr, props in attribute_property_names(value).items():
            yield from self._g_command(command, [obj, attr, *props])

    get_device_attribute_property = green(
        lambda self, dev, value: self._g_get_attr("DbGetDeviceAttributeProperty2", dev, value)
    )
    put_device_attribute_property = green(
        lambda self, dev, value: self._g_put_attr("DbPutDeviceAttributeProperty2", dev, value)
    )
    delete_device_attribute_property = green(
        lambda self, dev, value: self._g_delete_attr("DbDeleteDeviceAttributeProperty", dev, value)
    )
    get_class_attribute_property = green(
        lambda self, klass, value: self._g_get_attr("DbGetClassAttributeProperty2", klass, value)
    )
    put_class_attribute_property = green(
        lambda self, klass, value: self._g_put_attr("DbPutClassAttributeProperty2", klass, value)
    )
    delete_class_attribute_property = green(
        lambda self, klass, value: self._g_delete_attr(
            "DbDeleteClassAttributeProperty", klass, value
        )
    )

    def _g_history(self, command: str, arg: list[str], with_attr: bool) -> Op[list[DbHistory]]:
        data = list((yield from self._g_command(command, arg)))
        out, i = [], 0
        while i < len(data):
            attr = ""
            if with_attr:
                attr, i = data[i], i + 1
            name, date, count = data[i], data[i + 1], _int(data[i + 2])
            values = data[i + 3 : i + 3 + count]
            i += 3 + count
            out.append(DbHistory(name, date, values, attr))
        return out

    get_device_property_history = green(
        lambda self, dev, prop: self._g_history("DbGetDevicePropertyHist", [dev, prop], False)
    )
    get_class_property_history = green(
        lambda self, klass, prop: self._g_history("DbGetClassPropertyHist", [klass, prop], False)
    )
    get_property_history = green(
        lambda self, obj, prop: self._g_history("DbGetPropertyHist", [obj, prop], False)
    )
    get_device_attribute_property_history = green(
        lambda self, dev, attr, prop: self._g_history(
            "DbGetDeviceAttributePropertyHist", [dev, attr, prop], True
        )
    )
    get_class_attribute_property_history = green(
        lambda self, klass, attr, prop: self._g_history(
            "DbGetClassAttributePropertyHist", [klass, attr, prop], True
        )
    )


# the methods made from lambdas above take the names they are published under
for _attr, _member in list(vars(Database).items()):
    if getattr(_member, "__name__", "") == "<lambda>":
        _member.__name__, _member.__qualname__ = _attr, f"Database.{_attr}"


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _file_of(args: tuple[Any, ...]) -> FileDatabaseCommands | None:
    """The file database of ``Database(filename)`` or of a copy of a file ``Database``."""
    if len(args) == 1 and isinstance(args[0], Database):
        return args[0]._file
    if len(args) == 1 and isinstance(args[0], (str, os.PathLike)) and os.path.isfile(args[0]):
        return FileDatabaseCommands(args[0])
    return None


def _addresses_of(args: tuple[Any, ...]) -> tuple[DbAddress, ...]:
    if not args:
        return tango_host_addresses()
    if len(args) == 1 and isinstance(args[0], Database):
        return args[0]._addresses
    if len(args) == 2:
        return parse_tango_host(f"{args[0]}:{int(args[1])}")
    if len(args) == 1 and isinstance(args[0], str):
        text = args[0].strip()
        if text.lower().startswith("tango://"):
            text = text[8:].split("/", 1)[0]
        return parse_tango_host(text)
    raise TypeError("Database(), Database(host, port) or Database('host:port')")


_shared: dict[tuple[DbAddress, ...], Database] = {}
_shared_lock = threading.Lock()


def shared_database(addresses: tuple[DbAddress, ...]) -> Database:
    """The process-wide (not yet necessarily connected) ``Database`` of ``addresses``."""
    db = _shared.get(addresses)
    if db is None:
        with _shared_lock:
            db = _shared.get(addresses)
            if db is None:
                db = _shared[addresses] = Database(
                    *(f"{h}:{p}" for h, p in addresses[:1]), _connect=False
                )
                db._addresses = addresses
    return db
