"""``DeviceProxy`` with PyTango's API.

Every network method is written once, as a generator operation (``_g_*``, see
:mod:`._engine`); :func:`._green.green` turns it into the public method with PyTango's
``green_mode=``, ``wait=`` and ``timeout=`` keywords, and the runner of each flavour
(:data:`._modes.RUNNERS`) drives it. The hottest ones (``ping``, ``state``,
``read_attribute``) also have a plain synchronous twin (``_*_sync``), which the public
method runs for a synchronous call without ``wait``/``timeout`` on a proxy without a
Database or whose device is imported (``_direct_sync``): the same call and result handling,
with no generator on the way (a failure to connect still re-imports a device that moved).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from .._errors import (
    CommunicationFailed,
    DevFailed,
    NamedDevFailedList,
    NonSupportedFeature,
    make_error,
)
from .._pyvalues import any_to_python, argin_to_any, python_to_attr_union
from ..idl import DEVICE_REPO_IDS, OPERATIONS
from ..idl import types as t
from ..idl._enums import (
    AttrDataFormat,
    AttrQuality,
    CmdArgType,
    DevSource,
    DevState,
    ExtractAs,
    GreenMode,
)
from ..idl._fast import read_scalar_value_5, read_state, read_void
from ..idl._values import DevError, TimeVal
from . import _sync
from ._convert import (
    attribute_value_to_device_attribute,
    cmd_info_from_idl,
    config5_to_info,
    device_info_from_idl,
    info_to_config5,
    scalar_read_to_device_attribute,
)
from ._engine import Call, Op, client_ident
from ._green import get_green_mode, green, run_blocking, sync_only
from ._names import TangoName, parse_device_name, with_test_context_host
from ._proxy_asynch import AsynchMixin
from ._proxy_db import DatabaseNamedMixin
from ._proxy_dynamic import DynamicInterfaceMixin
from ._proxy_events import EventsMixin
from ._proxy_lock import LockingMixin
from ._proxy_logging import LoggingMixin
from ._proxy_pipe import PipeMixin
from ._proxy_poll import PollingMixin
from ._types import (
    AttributeInfo,
    AttributeInfoEx,
    AttributeInfoList,
    AttributeInfoListEx,
    CommandInfo,
    CommandInfoList,
    DeviceAttribute,
    DeviceInfo,
)

__all__ = ["DeviceProxy", "endpoint_proxy"]

T = TypeVar("T")

_ALL_ATTRIBUTES_3 = "All attributes_3"
_ZERO_TIME = TimeVal()  # the time stamp a client sends with written values (never mutated)

# -- DeviceProxy -------------------------------------------------------------------------------


_SYNCHRONOUS = GreenMode.Synchronous


class DeviceProxy(
    DynamicInterfaceMixin,
    DatabaseNamedMixin,
    PollingMixin,
    EventsMixin,
    AsynchMixin,
    LockingMixin,
    LoggingMixin,
    PipeMixin,
):
    """A client of one Tango device (PyTango's ``tango.DeviceProxy``)."""

    _initialised = False
    _direct_sync = False  # see _setup

    def __init__(
        self,
        dev_name: str | DeviceProxy,
        need_check_acc: bool = True,
        *,
        green_mode: GreenMode | None = None,
        _connect: bool = True,
        **_executors: Any,
    ) -> None:
        if isinstance(dev_name, DeviceProxy):
            dev_name = dev_name._name.fqtrl
        assert isinstance(dev_name, str)
        resolved = with_test_context_host(dev_name)  # [context] short names in test contexts
        self._setup(parse_device_name(resolved), green_mode)
        if _connect:  # the constructor itself is synchronous, as in PyTango
            try:
                self._run_blocking(self._g_connect())
            except DevFailed:
                if resolved == dev_name:
                    raise
                self._setup(parse_device_name(dev_name), green_mode)  # maybe a real device
                self._run_blocking(self._g_connect())

    def _setup(self, name: TangoName, green_mode: GreenMode | None) -> None:
        d = self.__dict__
        d["_name"] = name
        d["_green_mode"] = None if green_mode is None else GreenMode(green_mode)
        d["_timeout"] = 3.0
        d["_source"] = DevSource.CACHE_DEV
        d["_idl_version"] = 0
        d["_server_version"] = 0
        d["_ident"] = None
        d["_info"] = None
        d["_cmd_cache"] = {}
        d["_attr_cache"] = {}
        d["_enum_classes"] = {}
        #: the plain synchronous twins may run (see _green): without a Database at once,
        #: else once the device is imported (_aim)
        d["_direct_sync"] = not name.dbase
        if name.dbase:
            self._setup_database(name)  # where the device is: known once imported
        else:
            assert name.host is not None and name.port is not None
            d["_db_addresses"] = None
            d["_dev_name"] = name.device
            d["_host"], d["_port"] = name.host, name.port
            d["_key"] = name.device.encode("latin-1")

    def _run_blocking(self, op: Op[T]) -> T:
        """Run a non-green operation to completion (see :func:`._green.run_blocking`)."""
        return run_blocking(op, self.get_green_mode())

    def _g_init(self) -> Op[DeviceProxy]:
        """Connect, then return the proxy: the body of the green-mode factories."""
        yield from self._g_connect()
        return self

    # -- calls --------------------------------------------------------------------

    def _call(self, operation: str, *args: Any, cache_key: Any = None) -> Call:
        return Call(
            self._host,
            self._port,
            self._key,
            OPERATIONS[operation],
            args,
            self._timeout,
            self._dev_name,
            () if not args else cache_key,
        )

    def _g_connect(self) -> Op[None]:
        if self._db_addresses is not None:
            yield from self._g_import()
            if not self._exported():  # PyTango makes the proxy; its first call fails
                self.__dict__["_initialised"] = True
                return
        version = 0
        for idl, repo_id in zip((6, 5, 4, 3, 2, 1), DEVICE_REPO_IDS):
            if (yield self._call("_is_a", repo_id)):
                version = idl
                break
        if not version:
            raise DevFailed(
                make_error(
                    "API_CantConnectToDevice",
                    f"{self._dev_name} is not a Tango device",
                    "DeviceProxy",
                )
            )
        yield self._call("_non_existent")
        info = yield self._call("info")
        d = self.__dict__
        d["_idl_version"] = version
        d["_server_version"] = info.server_version
        d["_ident"] = client_ident(min(version, info.server_version))
        d["_initialised"] = True

    def _require(self, version: int, what: str) -> None:
        if self._idl_version < version:
            raise NonSupportedFeature(
                make_error(
                    "API_UnsupportedFeature",
                    f"{what} needs a device of IDL {version} or more; "
                    f"{self._dev_name} is IDL {self._idl_version}",
                    "DeviceProxy",
                )
            )

    # -- green mode ------------------------------------------------------------------

    def get_green_mode(self) -> GreenMode:
        return self._green_mode if self._green_mode is not None else get_green_mode()

    def set_green_mode(self, green_mode: GreenMode | None = None) -> None:
        self.__dict__["_green_mode"] = None if green_mode is None else GreenMode(green_mode)

    # -- identity -----------------------------------------------------------------------

    def name(self) -> str:
        return self._dev_name  # lower-cased, as cppTango parses it

    def dev_name(self) -> str:
        return self.name()

    def get_idl_version(self) -> int:
        return self._idl_version

    def get_dev_host(self) -> str:
        return "IOR" if self._db_addresses is not None else self._host

    def get_dev_port(self) -> int | str:
        return "IOR" if self._db_addresses is not None else self._port

    def is_dbase_used(self) -> bool:
        return self._name.dbase

    def get_timeout_millis(self) -> int:
        return int(round(self._timeout * 1000))

    def set_timeout_millis(self, millis: int) -> None:
        if millis < 0:
            raise ValueError("timeout must be positive")
        self.__dict__["_timeout"] = millis / 1000.0

    def get_source(self) -> DevSource:
        return self._source

    def set_source(self, source: DevSource) -> None:
        self.__dict__["_source"] = DevSource(source)

    # -- simple remote calls ------------------------------------------------------------

    def _g_state(self) -> Op[DevState]:
        state = yield self._call("_get_state")
        return state if type(state) is DevState else DevState(state)

    def _state_sync(self) -> DevState:
        state = _sync.invoke(self._call("_get_state"), read_state)
        return state if type(state) is DevState else DevState(state)

    def _g_status(self) -> Op[str]:
        return (yield self._call("_get_status"))

    def _g_ping(self) -> Op[int]:
        start = time.perf_counter()
        yield self._call("ping")
        return int((time.perf_counter() - start) * 1e6)

    def _ping_sync(self) -> int:
        start = time.perf_counter()
        _sync.invoke(self._call("ping"), read_void)
        return int((time.perf_counter() - start) * 1e6)

    state = green(_g_state, _state_sync)
    status = green(_g_status)
    ping = green(_g_ping, _ping_sync)

    @sync_only
    def description(self) -> Op[str]:
        return (yield self._call("_get_description"))

    @sync_only
    def adm_name(self) -> Op[str]:
        adm = yield self._call("_get_adm_name")
        if self._db_addresses is not None:
            return self._db_prefix() + str(adm)
        return f"tango://{self._host}:{self._port}/{adm}#dbase=no"

    @sync_only
    def info(self) -> Op[DeviceInfo]:
        if self._idl_version >= 6:
            raw = yield self._call("info_6")
        elif self._idl_version >= 3:
            raw = yield self._call("info_3")
        else:
            raw = yield self._call("info")
        info = device_info_from_idl(raw)
        self.__dict__["_info"] = info
        return info

    @sync_only
    def black_box(self, n: int) -> Op[list[str]]:
        return list((yield self._call("black_box", int(n))))

    # -- commands ----------------------------------------------------------------------------

    def _g_command_info(self, name: str) -> Op[CommandInfo]:
        key = name.lower()
        info = self._cmd_cache.get(key)
        if info is None:
            if self._idl_version >= 2:
                raw = yield self._call("command_query_2", name)
            else:
                raw = yield self._call("command_query", name)
            info = self._cmd_cache[key] = cmd_info_from_idl(raw)
        return info

    def _g_command_inout(self, cmd_name: str, cmd_param: Any = None) -> Op[Any]:
        try:
            info = yield from self._g_command_info(cmd_name)
        except DevFailed as exc:
            raise self._command_failed(exc, cmd_name) from None
        in_type = CmdArgType(info.in_type)
        try:
            argin = argin_to_any(cmd_param, in_type)
        except DevFailed as exc:
            raise self._command_failed(exc, cmd_name) from None
        except (TypeError, ValueError, OverflowError) as err:
            raise TypeError(
                f"Invalid input argument for command {cmd_name}: {cmd_param!r} cannot be "
                f"converted to type {in_type}"
            ) from err
        try:
            if self._idl_version >= 4:
                result = yield self._call(
                    "command_inout_4", cmd_name, argin, self._source, self._ident
                )
            elif self._idl_version >= 2:
                result = yield self._call("command_inout_2", cmd_name, argin, self._source)
            else:
                result = yield self._call("command_inout", cmd_name, argin)
        except CommunicationFailed:
            raise
        except DevFailed as exc:
            raise self._command_failed(exc, cmd_name) from None
        return any_to_python(
            result, CmdArgType(info.out_type) if info.out_type in CmdArgType.values else None
        )

    command_inout = green(_g_command_inout)

    def _command_failed(self, exc: DevFailed, cmd_name: str) -> DevFailed:
        """``exc`` with cppTango's API_CommandFailed on top, as PyTango raises it."""
        return _rethrow(
            exc,
            "API_CommandFailed",
            f"Failed to execute command_inout on device {self._dev_name}, command {cmd_name}",
            "Connection::command_inout()",
        )

    @sync_only
    def command_query(self, cmd_name: str) -> Op[CommandInfo]:
        return (yield from self._g_command_info(cmd_name))

    def _g_command_list(self) -> Op[CommandInfoList]:
        if self._idl_version >= 2:
            raw = yield self._call("command_list_query_2")
        else:
            raw = yield self._call("command_list_query")
        infos = CommandInfoList(cmd_info_from_idl(c) for c in raw)
        for info in infos:
            self._cmd_cache[info.cmd_name.lower()] = info
        return infos

    command_list_query = sync_only(_g_command_list)

    def get_command_list(self) -> list[str]:
        return [c.cmd_name for c in self.command_list_query()]

    def _g_command_config(self, names: Any = None) -> Op[Any]:
        if names is None:
            return (yield from self._g_command_list())
        if isinstance(names, str):
            return (yield from self._g_command_info(names))
        infos = CommandInfoList()
        for n in names:
            infos.append((yield from self._g_command_info(n)))
        return infos

    get_command_config = green(_g_command_config)

    # -- attribute configuration ----------------------------------------------------------------

    def _g_attribute_configs(self, names: Sequence[str]) -> Op[AttributeInfoListEx]:
        if self._idl_version >= 5:
            raw = yield self._call("get_attribute_config_5", list(names))
        elif self._idl_version >= 3:
            raw = yield self._call("get_attribute_config_3", list(names))
        else:
            self._require(3, "attribute configuration")
            raw = []
        infos = AttributeInfoListEx(config5_to_info(c) for c in raw)
        for info in infos:
            self._attr_cache[info.name.lower()] = info
        return infos

    def _g_get_attribute_config(self, value: Any) -> Op[Any]:
        """One name: its ``AttributeInfoEx``; names: an ``AttributeInfoList`` (as PyTango)."""
        if isinstance(value, str):
            infos = yield from self._g_attribute_configs([value])
            return infos[0]
        if not isinstance(value, Sequence):
            raise TypeError("value must be a string or a sequence<string>")
        infos = yield from self._g_attribute_configs(list(value))
        return AttributeInfoList(_plain_info(i) for i in infos)

    get_attribute_config = green(_g_get_attribute_config)

    def _g_get_attribute_config_ex(self, value: Any) -> Op[AttributeInfoListEx]:
        names = [value] if isinstance(value, str) else list(value)
        return (yield from self._g_attribute_configs(names))

    get_attribute_config_ex = green(_g_get_attribute_config_ex)

    @sync_only
    def attribute_query(self, attr_name: str) -> Op[AttributeInfoEx]:
        infos = yield from self._g_attribute_configs([attr_name])
        return infos[0]

    @sync_only
    def attribute_list_query(self) -> Op[AttributeInfoList]:
        infos = yield from self._g_attribute_configs([_ALL_ATTRIBUTES_3])
        return AttributeInfoList(_plain_info(i) for i in infos)

    @sync_only
    def attribute_list_query_ex(self) -> Op[AttributeInfoListEx]:
        return (yield from self._g_attribute_configs([_ALL_ATTRIBUTES_3]))

    def get_attribute_list(self) -> list[str]:
        return [a.name for a in self.attribute_list_query()]

    def _g_set_attribute_config(self, value: Any) -> Op[None]:
        infos = _config_list(value)
        if not infos:
            return
        self._require(5, "set_attribute_config")
        full = []
        for info in infos:
            if not isinstance(info, AttributeInfoEx):  # its fields over the current config
                current = (yield from self._g_attribute_configs([info.name]))[0]
                info = _overlay(current, info)
            full.append(info)
        yield self._call("set_attribute_config_5", [info_to_config5(i) for i in full], self._ident)
        for info in full:
            self._attr_cache.pop(info.name.lower(), None)

    set_attribute_config = green(_g_set_attribute_config)

    def _g_attr_info(self, name: str) -> Op[AttributeInfoEx]:
        info = self._attr_cache.get(name.lower())
        if info is None:
            infos = yield from self._g_attribute_configs([name])
            info = infos[0]
        return info

    def invalidate_attribute_config_cache(self) -> None:
        self._attr_cache.clear()

    # -- reading ----------------------------------------------------------------------------------

    def _g_read_values(self, names: Sequence[str]) -> Op[list[Any]]:
        key = (tuple(names), self._source, self._ident.disc)
        if self._idl_version >= 5:
            return (
                yield self._call(
                    "read_attributes_5", list(names), self._source, self._ident, cache_key=key
                )
            )
        if self._idl_version == 4:
            return (
                yield self._call(
                    "read_attributes_4", list(names), self._source, self._ident, cache_key=key
                )
            )
        self._require(4, "read_attributes")
        return []

    def _g_read_attributes(
        self, attr_names: Sequence[str], extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[list[DeviceAttribute]]:
        if isinstance(attr_names, str):
            attr_names = [attr_names]
        values = yield from self._g_read_values(attr_names)
        return [attribute_value_to_device_attribute(v, extract_as) for v in values]

    def _g_read_attribute(
        self, attr_name: str, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[DeviceAttribute]:
        if self._idl_version >= 5:  # the common case, without the nested operation
            values = yield self._read_attribute_5(attr_name)
        else:
            values = yield from self._g_read_values([attr_name])
        return self._read_attribute_result(values, attr_name, extract_as)

    def _read_attribute_sync(
        self, attr_name: str, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> DeviceAttribute:
        if self._idl_version < 5:
            return run_blocking(self._g_read_attribute(attr_name, extract_as), _SYNCHRONOUS)
        if extract_as is ExtractAs.Nothing:
            values = _sync.invoke(self._read_attribute_5(attr_name))
        else:  # one numeric scalar: read straight from the reply (idl._fast)
            values = _sync.invoke(self._read_attribute_5(attr_name), read_scalar_value_5)
            if type(values) is tuple:
                return scalar_read_to_device_attribute(values)
        return self._read_attribute_result(values, attr_name, extract_as)

    def _read_attribute_5(self, attr_name: str) -> Call:
        key = ((attr_name,), self._source, self._ident.disc)
        return self._call(
            "read_attributes_5", [attr_name], self._source, self._ident, cache_key=key
        )

    def _read_attribute_result(
        self, values: list[Any], attr_name: str, extract_as: ExtractAs
    ) -> DeviceAttribute:
        da = attribute_value_to_device_attribute(values[0], extract_as)
        if da.has_failed:
            raise _attribute_failed(da.get_err_stack(), "read_attribute", self._dev_name, attr_name)
        return da

    read_attribute = green(_g_read_attribute, _read_attribute_sync)
    read_attributes = green(_g_read_attributes)

    # -- writing -----------------------------------------------------------------------------------

    def _g_attribute_value_4(self, attr: Any, value: Any) -> Op[Any]:
        if isinstance(attr, AttributeInfoEx):
            info = attr  # no query: the caller gave the configuration
        else:
            name = attr.name if isinstance(attr, AttributeInfo) else attr
            info = yield from self._g_attr_info(name)
        union, (dim_x, dim_y) = python_to_attr_union(
            value, CmdArgType(info.data_type), AttrDataFormat(info.data_format), info.enum_labels
        )
        # built field by field: this is on the path of every write
        av: Any = object.__new__(t.AttributeValue_4.cls)
        dims: Any = object.__new__(t.AttributeDim.cls)
        dims.dim_x, dims.dim_y = dim_x, dim_y
        av.value, av.quality, av.data_format = (
            union,
            AttrQuality.ATTR_VALID,
            AttrDataFormat.FMT_UNKNOWN,
        )
        av.time, av.name, av.r_dim, av.w_dim, av.err_list = _ZERO_TIME, info.name, dims, dims, []
        return av

    def _g_write_attributes(self, name_val: Iterable[tuple[Any, Any]]) -> Op[None]:
        self._require(4, "write_attributes")
        values = []
        for attr, value in name_val:
            values.append((yield from self._g_attribute_value_4(attr, value)))
        yield self._call("write_attributes_4", values, self._ident)

    def _g_write_attribute(self, attr: Any, value: Any) -> Op[None]:
        name = attr.name if isinstance(attr, AttributeInfo) else attr
        try:
            yield from self._g_write_attributes([(attr, value)])
        except NamedDevFailedList as exc:
            errs = exc.err_list[0].err_stack if exc.err_list else exc.args
            raise _attribute_failed(errs, "write_attribute", self._dev_name, name) from None

    write_attribute = green(_g_write_attribute)
    write_attributes = green(_g_write_attributes)

    def _g_write_read_attributes(
        self,
        name_val: Iterable[tuple[Any, Any]],
        attr_read_names: Sequence[str] | None = None,
        extract_as: ExtractAs = ExtractAs.Numpy,
    ) -> Op[list[DeviceAttribute]]:
        self._require(5, "write_read_attributes")
        pairs = list(name_val)
        values = []
        for attr, value in pairs:
            values.append((yield from self._g_attribute_value_4(attr, value)))
        if attr_read_names is None:
            attr_read_names = [v.name for v in values]
        raw = yield self._call(
            "write_read_attributes_5", values, list(attr_read_names), self._ident
        )
        return [attribute_value_to_device_attribute(v, extract_as) for v in raw]

    def _g_write_read_attribute(
        self, attr: Any, value: Any, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[DeviceAttribute]:
        name = attr.name if isinstance(attr, AttributeInfo) else attr
        try:
            result = yield from self._g_write_read_attributes([(attr, value)], [name], extract_as)
        except NamedDevFailedList as exc:
            errs = exc.err_list[0].err_stack if exc.err_list else exc.args
            raise _attribute_failed(errs, "write_read_attribute", self._dev_name, name) from None
        da = result[0]
        if da.has_failed:
            raise _attribute_failed(
                da.get_err_stack(), "write_read_attribute", self._dev_name, name
            )
        return da

    write_read_attribute = green(_g_write_read_attribute)
    write_read_attributes = green(_g_write_read_attributes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceProxy):
            return NotImplemented
        return (self._host, self._port, self._key) == (other._host, other._port, other._key)

    def __hash__(self) -> int:
        return hash((self._host, self._port, self._key))


_CONFIG_TYPES_ERROR = (
    "Value must be a AttributeInfo, AttributeInfoEx, sequence<AttributeInfo> or "
    "sequence<AttributeInfoEx>"
)


def _config_list(value: Any) -> list[AttributeInfo]:
    """What ``set_attribute_config`` accepts, as a list (PyTango's TypeError otherwise)."""
    if isinstance(value, AttributeInfo):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(isinstance(v, AttributeInfo) for v in value):
            return list(value)
    raise TypeError(_CONFIG_TYPES_ERROR)


def _plain_info(info: AttributeInfoEx) -> AttributeInfo:
    """The ``AttributeInfo`` part of ``info`` (what PyTango's list queries give)."""
    return AttributeInfo(**{f: getattr(info, f) for f in AttributeInfo._fields})


def _overlay(current: AttributeInfoEx, info: AttributeInfo) -> AttributeInfoEx:
    """``current`` with the fields of ``info`` (an ``AttributeInfo`` knows no warning levels,
    events...: those stay as they are, as cppTango's IDL 1 ``set_attribute_config`` does)."""
    merged = copy.deepcopy(current)
    for f in AttributeInfo._fields:
        object.__setattr__(merged, f, getattr(info, f))
    merged.alarms.min_alarm, merged.alarms.max_alarm = info.min_alarm, info.max_alarm
    return merged


def _rethrow(exc: DevFailed, reason: str, desc: str, origin: str) -> DevFailed:
    return type(exc)(*exc.args, DevError(reason, 1, desc, origin))


def _attribute_failed(errors: Iterable[DevError], what: str, device: str, attr: str) -> DevFailed:
    return DevFailed(
        *errors,
        make_error(
            "API_AttributeFailed",
            f"Failed to {what}, attribute {attr} on device {device}",
            f"DeviceProxy::{what}()",
        ),
    )


def endpoint_proxy(host: str, port: int, key: bytes, device: str) -> DeviceProxy:
    """A proxy (not connected yet) to the object ``key`` at ``host:port``, named ``device``:
    the Database device (key ``database``) is reached this way."""
    proxy = object.__new__(DeviceProxy)
    proxy._setup(TangoName(device, device, host, port, False), None)
    proxy.__dict__["_key"] = key
    return proxy
