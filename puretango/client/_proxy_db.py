"""What a ``DeviceProxy`` does through the Tango Database: resolution of its name
(``DbImportDevice``, then the IOR's host, port and object key), the re-import when the
connection to the device fails (its server restarted elsewhere), and the device's
properties, alias and import information.

A mixin of :class:`._proxy.DeviceProxy`; a device named without a Database
(``#dbase=no``) has ``_db_addresses = None`` and none of this applies to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .._errors import CommunicationFailed, ConnectionFailed, DevFailed, NonDbDevice, make_error
from ..giop import IOR, ProtocolError
from ..idl._enums import GreenMode
from . import _sync
from ._dbtypes import DbDatum, DbDevImportInfo, property_names, property_values
from ._engine import Op, run_sync
from ._green import green, run_blocking
from ._names import TangoName
from ._tangohost import DbAddress, tango_host_addresses

if TYPE_CHECKING:
    from .._dbformat import DeviceImport
    from ._database import Database

__all__ = ["DatabaseNamedMixin"]

T = TypeVar("T")


class DatabaseNamedMixin:
    """The Database side of ``DeviceProxy`` (see the module docstring)."""

    _name: TangoName
    _db_addresses: tuple[DbAddress, ...] | None
    _dev_name: str
    _import: DeviceImport | None
    _host: str
    _port: int
    _key: bytes

    def get_green_mode(self) -> GreenMode:
        raise NotImplementedError

    def _g_connect(self) -> Op[None]:
        raise NotImplementedError

    # -- resolution ----------------------------------------------------------------------

    def _setup_database(self, name: TangoName) -> None:
        """Remember which Database resolves ``name``: its own ``host:port`` or, read now,
        ``TANGO_HOST``."""
        d = self.__dict__
        if name.host is not None and name.port is not None:
            d["_db_addresses"] = ((name.host, name.port),)
        else:
            d["_db_addresses"] = tango_host_addresses()
        d["_host"], d["_port"], d["_key"] = "", 0, b""
        d["_dev_name"] = name.device
        d["_import"] = None

    def _database(self) -> Database:
        from ._database import shared_database

        assert self._db_addresses is not None
        return shared_database(self._db_addresses)

    def _db_prefix(self) -> str:
        """``tango://host:port/`` when the name gave its Database, else nothing (as PyTango)."""
        if self._name.host is None or self._db_addresses is None:
            return ""
        host, port = self._db_addresses[0]
        return f"tango://{host}:{port}/"

    def _g_import(self) -> Op[None]:
        """Import the device from the Database and aim the proxy at its IOR."""
        db = self._database()
        name = self._name.device
        try:
            imp = yield from db._op(lambda: db._g_import_raw(name))
        except (ConnectionFailed, CommunicationFailed):
            raise
        except DevFailed as exc:
            raise DevFailed(
                *exc.args,
                make_error(
                    "API_DeviceNotDefined",
                    f"Can't connect to device {name}",
                    "DeviceProxy::DeviceProxy()",
                ),
            ) from None
        real = name
        if "/" not in name:  # an alias: the Database knows its device
            real = str((yield from db._g_command("DbGetAliasDevice", name))).lower()
        self._aim(imp, real)

    def _exported(self) -> bool:
        return self._import is not None and self._import.exported

    def _not_exported(self) -> ConnectionFailed:
        return ConnectionFailed(
            make_error(
                "API_DeviceNotExported",
                f"Device {self._dev_name} is not exported (hint: try starting the device server)",
                "DeviceProxy::get_corba_name()",
            )
        )

    def _aim(self, imp: DeviceImport, device: str) -> None:
        """Aim the proxy at the IOR of ``imp`` (if the device is exported)."""
        d = self.__dict__
        #: an exported device: the plain synchronous twins may run (see _green)
        d["_direct_sync"] = imp.exported
        if not imp.exported:
            d["_import"], d["_dev_name"] = imp, device
            return
        try:
            profile = IOR.from_string(imp.ior).iiop()
        except ProtocolError as exc:
            raise ConnectionFailed(
                make_error(
                    "API_CorbaException",
                    f"The IOR of device {device} in the Database cannot be used: {exc}",
                    "DeviceProxy::get_corba_name()",
                )
            ) from None
        d["_host"], d["_port"], d["_key"] = profile.host, profile.port, profile.object_key
        d["_import"], d["_dev_name"] = imp, device

    def _op(self, make: Callable[[], Op[T]]) -> Op[T]:
        """``make()``, re-imported once if the device moved (see :meth:`_g_reimporting`)."""
        if self._db_addresses is None:
            return make()
        return self._g_reimporting(make)

    def _g_reimporting(self, make: Callable[[], Op[T]]) -> Op[T]:
        """Run ``make()``; when the connection to the device fails and the Database now
        gives it another IOR (a restarted server), connect there and run it once more. A
        device not exported when the proxy was made is imported again first."""
        if not self._exported():
            yield from self._g_connect()
            if not self._exported():
                raise self._not_exported()
        known = self._import
        assert known is not None
        try:
            return (yield from make())
        except ConnectionFailed as exc:
            yield from self._g_follow_move(exc, known)
        return (yield from make())

    def _g_follow_move(self, failure: ConnectionFailed, known: DeviceImport) -> Op[None]:
        """After ``failure`` to reach the device imported as ``known``: aim the proxy at the
        IOR the Database now gives it, or raise ``failure`` if it has none other."""
        db = self._database()
        try:
            imp = yield from db._op(lambda: db._g_import_raw(self._dev_name))
        except DevFailed:
            raise failure from None
        if not imp.exported or imp.ior == known.ior:
            raise failure
        yield from self._g_connect()

    def _follow_move_sync(self, failure: ConnectionFailed) -> None:
        """The direct synchronous route's :meth:`_g_follow_move` (see ``_green``): a proxy
        without a Database, or not imported, just raises ``failure``."""
        known = self._import
        if self._db_addresses is None or known is None:
            raise failure
        run_sync(self._g_follow_move(failure, known), _sync.invoke)

    # -- identity through the Database ------------------------------------------------------

    def _require_db(self, what: str) -> Database:
        if self._db_addresses is None:
            raise NonDbDevice(
                make_error(
                    "API_NonDatabaseDevice",
                    f"Method {what} is not supported for device {self._name.device} "
                    "which does not use the database",
                    f"DeviceProxy::{what}",
                )
            )
        return self._database()

    def import_info(self) -> DbDevImportInfo:
        self._require_db("import_info")
        imp = self._import
        assert imp is not None
        return DbDevImportInfo(
            exported=int(imp.exported), ior=imp.ior, name=self._dev_name, version=imp.version
        )

    def alias(self) -> str:
        db = self._require_db("alias")
        op = db._op(lambda: db._g_string("DbGetDeviceAlias", self._dev_name))
        return run_blocking(op, self.get_green_mode())

    def get_device_db(self) -> Database:
        db = self._require_db("get_device_db")
        if db._proxy is None:
            run_blocking(db._g_connect(), self.get_green_mode())
        return db

    def get_db_host(self) -> str:
        self._require_db("get_db_host")
        assert self._db_addresses is not None
        return self._db_addresses[0][0]

    def get_db_port(self) -> str:
        return str(self.get_db_port_num())

    def get_db_port_num(self) -> int:
        self._require_db("get_db_port")
        assert self._db_addresses is not None
        return self._db_addresses[0][1]

    # -- device properties ---------------------------------------------------------------------

    def _g_get_property(self, propname: Any, value: Any = None) -> Op[dict[str, list[str]]]:
        db = self._require_db("get_property")
        names = property_names(propname)
        command, device = "DbGetDeviceProperty", self._dev_name
        found = yield from db._op(lambda: db._g_get_props(command, device, names))
        if value is not None:  # PyTango also fills the DbData given
            value.extend(DbDatum(name, values) for name, values in found.items())
        return found

    def _g_put_property(self, value: Any) -> Op[None]:
        db = self._require_db("put_property")
        property_values(value)  # a bad argument fails here, before any call
        yield from db._op(lambda: db._g_put("DbPutDeviceProperty", self._dev_name, value))

    def _g_delete_property(self, value: Any) -> Op[None]:
        db = self._require_db("delete_property")
        yield from db._op(lambda: db._g_delete("DbDeleteDeviceProperty", self._dev_name, value))

    def _g_get_property_list(self, filter: str, array: Any = None) -> Op[Any]:
        db = self._require_db("get_property_list")
        arg = [self._dev_name, filter]
        names = yield from db._op(lambda: db._g_command("DbGetDevicePropertyList", arg))
        if array is None:
            return list(names)
        for name in names:
            array.append(name)
        return array

    get_property = green(_g_get_property)
    put_property = green(_g_put_property)
    delete_property = green(_g_delete_property)
    get_property_list = green(_g_get_property_list)
