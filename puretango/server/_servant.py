"""A device as a CORBA servant: the Tango IDL operations, implemented on top of the
declarative model of :mod:`._model`.

Rule 1: operations are looked up in one table (:data:`DeviceServant.OPERATIONS`,
GIOP operation name -> handler); there is no if/elif dispatch.

Rule 2: user code runs through :meth:`DeviceServant.user_call`: ``async def`` methods
on the server loop, plain methods on a worker thread, serialised per device (Tango's
default serialisation model) unless the request comes from this very process (a
device calling itself or a sibling through a DeviceProxy must not deadlock).
"""

from __future__ import annotations

import asyncio
import collections
import datetime
import inspect
import os
import socket
import threading
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

from .._errors import DevFailed, make_error
from ..idl import DEVICE_REPO_IDS, UnionValue
from ..idl import types as t
from ..idl._enums import (
    AttrDataFormat,
    AttReqType,
    AttributeDataType,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DevState,
    DispLevel,
    GreenMode,
    LockerLanguage,
)
from ..idl._values import DevError, TimeVal
from ._model import Device, attribute
from ._values import (
    any_to_argin,
    join_read_and_set_point,
    no_data_value,
    now,
    read_value_to_union,
    result_to_any,
    union_to_written_value,
)

__all__ = ["DeviceServant", "ClientInfo", "python_error"]

_NS = "Not specified"
_ALL_ATTRIBUTES = ("all attributes", "all attributes_3")
_OBJECT_REPO_ID = "IDL:omg.org/CORBA/Object:1.0"
_IDL_VERSION = "6.0.4"


class ClientInfo:
    """Who sent a request: the identity in its ClntIdent (if any) and its address."""

    __slots__ = ("pid", "language", "host")

    def __init__(
        self, pid: int | None = None, language: LockerLanguage | None = None, host: str = ""
    ) -> None:
        self.pid, self.language, self.host = pid, language, host

    @classmethod
    def from_ident(cls, ident: UnionValue, host: str) -> ClientInfo:
        if ident.disc in (LockerLanguage.CPP, LockerLanguage.CPP_6):
            pid = ident.value if ident.disc == LockerLanguage.CPP else ident.value.cpp_clnt
            return cls(int(pid), LockerLanguage(ident.disc), host)
        return cls(None, LockerLanguage(ident.disc), host)

    def describe(self) -> str:
        if self.pid is not None:
            return f"requested from {self.host} (CPP/Python client with PID {self.pid})"
        if self.language is not None:
            return f"requested from {self.host} (Java client)"
        return f"requested from {self.host}"


def python_error(exc: BaseException) -> DevError:
    """A Python exception as PyTango reports it (reason ``PyDs_PythonError``)."""
    desc = f"{type(exc).__name__}: {exc}\n"
    origin = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return DevError("PyDs_PythonError", 1, desc, origin)


def _as_devfailed(exc: BaseException) -> DevFailed:
    return exc if isinstance(exc, DevFailed) else DevFailed(python_error(exc))


class _AttrRuntime:
    """An attribute of one device: its declaration and what changes at run time."""

    def __init__(self, decl: attribute, device_cls: type) -> None:
        self.decl = decl
        self.name: str = decl.name or ""
        self.data_type = decl.data_type
        self.data_format = decl.data_format
        self.access = decl.access(device_cls)
        self.read_method = decl.read_method(device_cls)
        self.write_method = decl.write_method(device_cls)
        self.allowed_method = decl.allowed_method(device_cls)
        self.setpoint: UnionValue | None = None
        self.setpoint_dims = (0, 0)
        self.enum_labels = list(decl.kwargs.get("enum_labels") or [])
        self.config = self._initial_config(decl)

    def _initial_config(self, decl: attribute) -> dict[str, Any]:
        integer = self.data_type in (
            CmdArgType.DevShort, CmdArgType.DevLong, CmdArgType.DevLong64, CmdArgType.DevUShort,
            CmdArgType.DevULong, CmdArgType.DevULong64, CmdArgType.DevUChar,
        )  # fmt: skip
        if self.data_type in (CmdArgType.DevString, CmdArgType.DevEnum):
            default_format = "%s"
        elif self.data_type in (CmdArgType.DevState, CmdArgType.DevBoolean, CmdArgType.DevEncoded):
            default_format = _NS  # as cppTango: no default format for these types
        elif integer:
            default_format = "%d"
        else:
            default_format = "%6.2f"
        fmt = decl.kwargs.get("format")
        if fmt and not str(fmt).startswith("%"):
            fmt = "%" + str(fmt)
        return {
            "description": decl.kwargs.get("doc")
            or decl.kwargs.get("description")
            or "No description",
            "label": decl.kwargs.get("label") or self.name,
            "unit": decl.kwargs.get("unit") or "",
            "standard_unit": decl.kwargs.get("standard_unit") or "No standard unit",
            "display_unit": decl.kwargs.get("display_unit") or "No display unit",
            "format": fmt or default_format,
            "min_value": decl.text("min_value"),
            "max_value": decl.text("max_value"),
            "min_alarm": decl.text("min_alarm"),
            "max_alarm": decl.text("max_alarm"),
            "min_warning": decl.text("min_warning"),
            "max_warning": decl.text("max_warning"),
            "delta_t": decl.text("delta_t"),
            "delta_val": decl.text("delta_val"),
            "rel_change": decl.text("rel_change"),
            "abs_change": decl.text("abs_change"),
            "period": str(decl.kwargs.get("period") or 1000),
            "archive_rel_change": decl.text("archive_rel_change"),
            "archive_abs_change": decl.text("archive_abs_change"),
            "archive_period": decl.text("archive_period"),
        }

    @property
    def readable(self) -> bool:
        return self.access is not AttrWriteType.WRITE

    @property
    def writable(self) -> bool:
        return self.access in (
            AttrWriteType.READ_WRITE,
            AttrWriteType.WRITE,
            AttrWriteType.READ_WITH_WRITE,
        )

    def limit(self, key: str) -> float | None:
        text = self.config[key]
        if text in (_NS, ""):
            return None
        try:
            return float(text)
        except ValueError:
            return None

    def quality_of(self, union: UnionValue, quality: AttrQuality) -> AttrQuality:
        """ALARM or WARNING when a numeric scalar/array crosses its limits."""
        if (
            quality is not AttrQuality.ATTR_VALID
            or not isinstance(union.value, np.ndarray)
            or not union.value.size
        ):
            return quality
        limits = self._alarm_limits
        if limits is None:
            limits = self._alarm_limits = tuple(
                self.limit(k) for k in ("min_alarm", "max_alarm", "min_warning", "max_warning")
            )
        if limits == (None, None, None, None):
            return quality
        low, high, low_warn, high_warn = limits
        values = union.value
        if (low is not None and values.min() < low) or (high is not None and values.max() > high):
            return AttrQuality.ATTR_ALARM
        if (low_warn is not None and values.min() < low_warn) or (
            high_warn is not None and values.max() > high_warn
        ):
            return AttrQuality.ATTR_WARNING
        return quality

    def to_config5(self) -> Any:
        c = self.config
        memorized = bool(self.decl.kwargs.get("memorized", False))
        return t.AttributeConfig_5(
            name=self.name,
            writable=self.access,
            data_format=self.data_format,
            data_type=int(self.data_type),
            memorized=memorized,
            mem_init=bool(self.decl.kwargs.get("hw_memorized", False))
            if memorized
            else self.writable,
            max_dim_x=self.decl.max_dim_x,
            max_dim_y=self.decl.max_dim_y,
            description=c["description"],
            label=c["label"],
            unit=c["unit"],
            standard_unit=c["standard_unit"],
            display_unit=c["display_unit"],
            format=c["format"],
            min_value=c["min_value"],
            max_value=c["max_value"],
            writable_attr_name=self.name if self.access is AttrWriteType.READ_WRITE else "None",
            level=self.decl.display_level,
            root_attr_name=_NS,
            enum_labels=list(self.enum_labels),
            att_alarm=t.AttributeAlarm(
                min_alarm=c["min_alarm"],
                max_alarm=c["max_alarm"],
                min_warning=c["min_warning"],
                max_warning=c["max_warning"],
                delta_t=c["delta_t"],
                delta_val=c["delta_val"],
                extensions=[],
            ),
            event_prop=t.EventProperties(
                ch_event=t.ChangeEventProp(
                    rel_change=c["rel_change"], abs_change=c["abs_change"], extensions=[]
                ),
                per_event=t.PeriodicEventProp(period=c["period"], extensions=[]),
                arch_event=t.ArchiveEventProp(
                    rel_change=c["archive_rel_change"],
                    abs_change=c["archive_abs_change"],
                    period=c["archive_period"],
                    extensions=[],
                ),
            ),
            extensions=[],
            sys_extensions=[],
        )

    _alarm_limits: tuple[float | None, ...] | None = None  # parsed lazily from config

    def apply_config(self, conf: Any) -> None:
        """Accept the user-settable fields of a config sent by a client."""
        c = self.config
        for key in (
            "description",
            "label",
            "unit",
            "standard_unit",
            "display_unit",
            "format",
            "min_value",
            "max_value",
        ):
            c[key] = getattr(conf, key)
        alarm = getattr(conf, "att_alarm", None)
        if alarm is not None:
            for key in (
                "min_alarm",
                "max_alarm",
                "min_warning",
                "max_warning",
                "delta_t",
                "delta_val",
            ):
                c[key] = getattr(alarm, key)
        events = getattr(conf, "event_prop", None)
        if events is not None:
            c["rel_change"], c["abs_change"] = (
                events.ch_event.rel_change,
                events.ch_event.abs_change,
            )
            c["period"] = events.per_event.period
            c["archive_rel_change"] = events.arch_event.rel_change
            c["archive_abs_change"] = events.arch_event.abs_change
            c["archive_period"] = events.arch_event.period
        labels = getattr(conf, "enum_labels", None)
        if labels and self.data_type is CmdArgType.DevEnum:
            self.enum_labels = list(labels)
        for key in c:
            if c[key] == "":
                c[key] = _NS if key not in ("unit", "label", "description", "format") else c[key]
        self._alarm_limits = None


class _CmdRuntime:
    def __init__(
        self,
        name: str,
        in_type: CmdArgType,
        out_type: CmdArgType,
        call: Callable[..., Any],
        allowed: Callable[..., Any] | None = None,
        doc_in: str = "Uninitialised",
        doc_out: str = "Uninitialised",
        level: DispLevel = DispLevel.OPERATOR,
    ) -> None:
        self.name, self.in_type, self.out_type = name, in_type, out_type
        self.call, self.allowed = call, allowed
        self.doc_in, self.doc_out, self.level = doc_in, doc_out, level

    def info_2(self) -> Any:
        return t.DevCmdInfo_2(
            cmd_name=self.name,
            level=self.level,
            cmd_tag=0,
            in_type=int(self.in_type),
            out_type=int(self.out_type),
            in_type_desc=self.doc_in,
            out_type_desc=self.doc_out,
        )


class DeviceServant:
    """One device served over GIOP."""

    def __init__(self, device: Device, server: Any, class_name: str | None = None) -> None:
        self.device = device
        self.server = server
        self.class_name = class_name or type(device).__name__
        self.name = device.get_name()
        cls = type(device)
        self.attributes: dict[str, _AttrRuntime] = {
            key: _AttrRuntime(decl, cls) for key, decl in cls._attributes.items()
        }
        self.commands: dict[str, _CmdRuntime] = {}
        for key, decl in cls._commands.items():
            method = getattr(device, decl.func.__name__) if decl.func is not None else None  # bound
            self.commands[key] = _CmdRuntime(
                decl.name, decl.in_type, decl.out_type, method, decl.allowed_method(cls),
                decl.doc_in, decl.doc_out, decl.display_level,
            )  # fmt: skip
        self.commands.setdefault(
            "init", _CmdRuntime("Init", CmdArgType.DevVoid, CmdArgType.DevVoid, self._init_command)
        )
        self.commands.setdefault(
            "state",
            _CmdRuntime(
                "State",
                CmdArgType.DevVoid,
                CmdArgType.DevState,
                self._state,
                doc_out="Device state",
            ),
        )
        self.commands.setdefault(
            "status",
            _CmdRuntime(
                "Status",
                CmdArgType.DevVoid,
                CmdArgType.DevString,
                self._status,
                doc_out="Device status",
            ),
        )
        #: sync devices run each request on a worker thread, serialised by this lock
        self.threaded = getattr(cls, "green_mode", None) != GreenMode.Asyncio
        self.thread_lock = threading.Lock()
        self.black_box: collections.deque[str] = collections.deque(maxlen=50)

    # -- running user code ------------------------------------------------------------------

    async def user_call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run device code: coroutines on the loop, plain functions on a worker thread.

        Inside an operation already running on a worker thread (see :meth:`invoke`),
        plain functions are simply called, and coroutines are handed to the loop.
        """
        if _worker.active:
            if inspect.iscoroutinefunction(fn):
                return asyncio.run_coroutine_threadsafe(fn(*args), _worker.loop).result()
            result = fn(*args)
            if inspect.isawaitable(result):
                result = _complete(result)
            return result
        if inspect.iscoroutinefunction(fn):
            return await fn(*args)
        result = await asyncio.get_running_loop().run_in_executor(self.server.executor, fn, *args)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def hook(self, name: str, *args: Any) -> None:
        """Call a lifecycle hook of the device, unless it is the base class's no-op."""
        if getattr(type(self.device), name) is not getattr(Device, name):
            await self.user_call(getattr(self.device, name), *args)

    def _serialised(self, client: ClientInfo) -> Any:
        """The device lock (Tango's serialisation by device), or a no-op for asyncio devices
        and for requests made from inside this process (a device calling itself)."""
        if not self.threaded or client.pid == os.getpid():
            return _NoLock()
        return _ThreadLock(self.thread_lock)

    def _run_on_worker(self, coro: Any, loop: asyncio.AbstractEventLoop) -> Any:
        """Run a whole operation on this worker thread (one hop per request)."""
        _worker.active, _worker.loop = True, loop
        try:
            return _complete(coro)
        finally:
            _worker.active, _worker.loop = False, None

    # -- lifecycle --------------------------------------------------------------------------------

    async def initialise(self) -> None:
        await self.user_call(self.device.init_device)

    async def _init_command(self) -> None:
        await self.user_call(self.device.delete_device)
        await self.user_call(self.device.init_device)

    async def _state(self) -> DevState:
        state = DevState(await self.user_call(self.device.dev_state))
        if type(self.device).dev_state is Device.dev_state and state in (
            DevState.ON,
            DevState.ALARM,
        ):
            # Tango's default state machine: ON becomes ALARM while an attribute is in alarm
            alarms = await self._attribute_alarms()
            state = (
                DevState.ALARM if alarms else (DevState.ON if state is DevState.ALARM else state)
            )
        return state

    async def _status(self) -> str:
        if type(self.device).dev_status is Device.dev_status and self.device._status is None:
            state = await self._state()
            status = f"The device is in {state.name} state."
            for name, direction in await self._attribute_alarms():
                status += f"\nAlarm : Value too {direction} for {name}"
            return status
        return str(await self.user_call(self.device.dev_status))

    async def _attribute_alarms(self) -> list[tuple[str, str]]:
        """(attribute, "high"/"low") for readable attributes beyond their alarm limits."""
        found = []
        for attr in self.attributes.values():
            low, high = attr.limit("min_alarm"), attr.limit("max_alarm")
            if (low is None and high is None) or not attr.readable or attr.read_method is None:
                continue
            try:
                value = await self.user_call(attr.read_method, self.device)
                values = np.asarray(value[0] if isinstance(value, tuple) else value, dtype=float)
            except Exception:  # noqa: BLE001 - an unreadable attribute is not in alarm
                continue
            if values.size and high is not None and values.max() > high:
                found.append((attr.name, "high"))
            elif values.size and low is not None and values.min() < low:
                found.append((attr.name, "low"))
        return found

    # -- dispatch -------------------------------------------------------------------------------------

    def record(self, operation: str, client: ClientInfo, detail: str = "") -> None:
        stamp = datetime.datetime.now().strftime("%d/%m/%Y %H:%M:%S:%f")[:-4]
        extra = f" ({detail})" if detail else ""
        self.black_box.appendleft(f"{stamp} : Operation {operation}{extra} {client.describe()}")

    async def invoke(self, operation: str, args: list[Any], client: ClientInfo) -> Any:
        handler = self.HANDLERS[operation]
        if not operation.startswith("_"):
            self.record(operation, client)
        elif operation.startswith("_get_"):
            self.record(operation.replace("_get_", "Attribute ", 1), client)
        if self.threaded and operation in _USER_CODE_OPERATIONS:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self.server.executor, self._run_on_worker, handler(self, args, client), loop
            )
        return await handler(self, args, client)

    # -- CORBA pseudo-operations and simple attributes ----------------------------------------------

    async def _op_is_a(self, args: list[Any], client: ClientInfo) -> bool:
        return args[0] in DEVICE_REPO_IDS or args[0] == _OBJECT_REPO_ID

    async def _op_non_existent(self, args: list[Any], client: ClientInfo) -> bool:
        return False

    async def _op_get_name(self, args: list[Any], client: ClientInfo) -> str:
        return self.name

    async def _op_get_description(self, args: list[Any], client: ClientInfo) -> str:
        cls = type(self.device)
        return cls.DEVICE_CLASS_DESCRIPTION or (
            inspect.cleandoc(cls.__doc__) if cls.__doc__ else "A TANGO device"
        )

    async def _op_get_adm_name(self, args: list[Any], client: ClientInfo) -> str:
        return self.server.admin_name

    async def _op_get_state(self, args: list[Any], client: ClientInfo) -> DevState:
        async with self._serialised(client):
            return await self._state()

    async def _op_get_status(self, args: list[Any], client: ClientInfo) -> str:
        async with self._serialised(client):
            return await self._status()

    async def _op_ping(self, args: list[Any], client: ClientInfo) -> None:
        return None

    async def _op_black_box(self, args: list[Any], client: ClientInfo) -> list[str]:
        n = args[0]
        if n <= 0:
            raise DevFailed(
                make_error(
                    "API_BlackBoxArgument", f"Cannot get black box for {n} requests", "black_box"
                )
            )
        entries = list(self.black_box)[:n]
        if not entries:
            raise DevFailed(
                make_error("API_BlackBoxEmpty", "Nothing stored yet in black-box", "black_box")
            )
        return entries

    def _info_fields(self) -> dict[str, Any]:
        return {
            "dev_class": self.class_name,
            "server_id": f"{self.server.server_name}/{self.server.instance}",
            "server_host": socket.gethostname().split(".")[0],
            "server_version": 6,
            "doc_url": "Doc URL = http://www.tango-controls.org",
        }

    async def _op_info(self, args: list[Any], client: ClientInfo) -> Any:
        return t.DevInfo(**self._info_fields())

    async def _op_info_3(self, args: list[Any], client: ClientInfo) -> Any:
        return t.DevInfo_3(dev_type=self.class_name, **self._info_fields())

    async def _op_info_6(self, args: list[Any], client: ClientInfo) -> Any:
        from .. import __version__

        versions = {"puretango": __version__, "idl": _IDL_VERSION, "NumPy": np.__version__}
        return t.DevInfo_6(
            dev_type=self.class_name,
            version_info=[t.DevInfoVersion(key=k, value=v) for k, v in sorted(versions.items())],
            **self._info_fields(),
        )

    # -- commands --------------------------------------------------------------------------------------

    def _command(self, name: str) -> _CmdRuntime:
        cmd = self.commands.get(name.lower())
        if cmd is None:
            raise DevFailed(
                make_error(
                    "API_CommandNotFound",
                    f"Command {name} not found",
                    f"{self.class_name}::command_handler",
                )
            )
        return cmd

    async def _op_command_list_query_2(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [c.info_2() for c in sorted(self.commands.values(), key=lambda c: c.name.lower())]

    async def _op_command_list_query(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_cmd_info_1(i) for i in await self._op_command_list_query_2(args, client)]

    async def _op_command_query_2(self, args: list[Any], client: ClientInfo) -> Any:
        return self._command(args[0]).info_2()

    async def _op_command_query(self, args: list[Any], client: ClientInfo) -> Any:
        return _cmd_info_1(self._command(args[0]).info_2())

    async def _op_command_inout(self, args: list[Any], client: ClientInfo) -> Any:
        name, argin = args[0], args[1]
        cmd = self._command(name)
        value = any_to_argin(argin, cmd.in_type)
        async with self._serialised(client):
            try:
                await self.hook("always_executed_hook")
                if cmd.allowed is not None:
                    allowed = await self.user_call(cmd.allowed, self.device)
                    if not allowed:
                        raise DevFailed(
                            make_error(
                                "API_CommandNotAllowed",
                                f"Command {cmd.name} not allowed when the device is in {self.device.get_state().name} state",
                                f"{self.class_name}::command_handler",
                            )
                        )
                result = await (
                    self.user_call(cmd.call)
                    if cmd.in_type is CmdArgType.DevVoid
                    else self.user_call(cmd.call, value)
                )
            except DevFailed as exc:
                raise _unexpected(exc, self.class_name, cmd.name) from None
            except Exception as exc:  # user code: reported to the client, never fatal
                raise _unexpected(_as_devfailed(exc), self.class_name, cmd.name) from None
        return result_to_any(result, cmd.out_type)

    async def _op_command_inout_history(self, args: list[Any], client: ClientInfo) -> Any:
        raise DevFailed(
            make_error(
                "API_CmdNotPolled",
                f"Command {args[0]} not polled",
                f"{self.class_name}::command_inout_history",
            )
        )

    # -- attribute configuration -----------------------------------------------------------------------

    def _attribute(self, name: str) -> _AttrRuntime:
        attr = self.attributes.get(name.lower())
        if attr is None:
            raise DevFailed(
                make_error(
                    "API_AttrNotFound",
                    f"{name} attribute not found",
                    f"{self.class_name}::get_attribute",
                )
            )
        return attr

    def _config5_list(self, names: list[str], with_state_status: bool) -> list[Any]:
        if len(names) == 1 and names[0].lower() in _ALL_ATTRIBUTES:
            configs = [a.to_config5() for a in self.attributes.values()]
            if with_state_status or names[0].lower() == "all attributes_3":
                configs += [_builtin_config("State"), _builtin_config("Status")]
            return configs
        result = []
        for name in names:
            if name.lower() in ("state", "status"):
                result.append(_builtin_config("State" if name.lower() == "state" else "Status"))
            else:
                result.append(self._attribute(name).to_config5())
        return result

    async def _op_get_attribute_config_5(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return self._config5_list(args[0], True)

    async def _op_get_attribute_config_3(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_downgrade(c, t.AttributeConfig_3) for c in self._config5_list(args[0], True)]

    async def _op_get_attribute_config_2(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_config_1(c, t.AttributeConfig_2) for c in self._config5_list(args[0], False)]

    async def _op_get_attribute_config(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_config_1(c, t.AttributeConfig) for c in self._config5_list(args[0], False)]

    async def _op_set_attribute_config(self, args: list[Any], client: ClientInfo) -> None:
        for conf in args[0]:
            if conf.name.lower() in ("state", "status"):
                continue
            self._attribute(conf.name).apply_config(conf)

    # -- reading attributes -------------------------------------------------------------------------

    async def _read_one(self, name: str, client: ClientInfo) -> Any:
        """One AttributeValue_5; failures are carried in it, never raised."""
        av = _new_value(name)
        key = name.lower()
        try:
            if key == "state":
                state = await self._state()
                av.value, av.data_format, av.data_type = (
                    UnionValue(AttributeDataType.DEVICE_STATE, state),
                    AttrDataFormat.SCALAR,
                    int(CmdArgType.DevState),
                )
                av.name, av.r_dim = "State", t.AttributeDim(dim_x=1, dim_y=0)
                return av
            if key == "status":
                status = await self._status()
                av.value, av.data_format, av.data_type = (
                    UnionValue(AttributeDataType.ATT_STRING, [status]),
                    AttrDataFormat.SCALAR,
                    int(CmdArgType.DevString),
                )
                av.name, av.r_dim = "Status", t.AttributeDim(dim_x=1, dim_y=0)
                return av
            attr = self._attribute(name)
            av.name = attr.name
            if attr.allowed_method is not None:
                if not await self.user_call(attr.allowed_method, self.device, AttReqType.READ_REQ):
                    raise DevFailed(
                        make_error(
                            "API_AttrNotAllowed",
                            f"It is currently not allowed to read attribute {attr.name}",
                            f"{self.class_name}::read_attributes",
                        )
                    )
            av.data_format, av.data_type = attr.data_format, int(attr.data_type)
            if attr.readable:
                value = await self.user_call(attr.read_method, self.device)
            else:  # WRITE attributes read back their set point
                value = None
            quality = AttrQuality.ATTR_VALID
            if (
                isinstance(value, tuple)
                and attr.data_type is not CmdArgType.DevEncoded
                and len(value) == 3
                and (
                    isinstance(value[1], (int, float, TimeVal))
                    and isinstance(value[2], (AttrQuality, int))
                )
            ):
                value, stamp, quality = value
                av.time = stamp if isinstance(stamp, TimeVal) else TimeVal(float(stamp))
                quality = AttrQuality(quality)
            elif (
                isinstance(value, tuple)
                and attr.data_type is CmdArgType.DevEncoded
                and len(value) == 4
            ):
                value, av.time, quality = (
                    (value[0], value[1]),
                    TimeVal(float(value[2])),
                    AttrQuality(value[3]),
                )
            if value is None and attr.readable:
                if quality is AttrQuality.ATTR_INVALID:
                    av.value, av.quality = no_data_value(), quality
                    return av
                raise DevFailed(
                    make_error(
                        "API_AttrValueNotSet",
                        f"Value for attribute {attr.name} has not been updated",
                        f"{self.class_name}::read_attributes",
                    )
                )
            if (
                value is None
            ):  # a WRITE attribute: its set point (zero before any write, as cppTango)
                union = (
                    attr.setpoint
                    if attr.setpoint is not None
                    else (_default_setpoint(attr) or no_data_value())
                )
                dims = (
                    attr.setpoint_dims
                    if attr.setpoint is not None
                    else ((1, 0) if attr.data_format is AttrDataFormat.SCALAR else (0, 0))
                )
            else:
                union, dims = read_value_to_union(
                    value, attr.data_type, attr.data_format, attr.enum_labels
                )
            av.quality = attr.quality_of(union, quality)
            av.r_dim = _dim(dims[0], dims[1])
            if attr.writable:
                setpoint = attr.setpoint if attr.setpoint is not None else _default_setpoint(attr)
                sdims = (
                    attr.setpoint_dims
                    if attr.setpoint is not None
                    else ((1, 0) if setpoint is not None else (0, 0))
                )
                if attr.readable:
                    union = join_read_and_set_point(union, setpoint)
                av.w_dim = _dim(sdims[0], sdims[1])
            av.value = union
            return av
        except Exception as exc:  # user code: the failure travels in the value
            errors = _as_devfailed(exc).errors
            return _failed_value(name, errors)

    async def _read_values(self, names: list[str], client: ClientInfo) -> list[Any]:
        if len(names) == 1 and names[0].lower() in _ALL_ATTRIBUTES:
            names = [a.name for a in self.attributes.values() if a.readable]
        async with self._serialised(client):
            try:
                await self.hook("always_executed_hook")
                await self.hook("read_attr_hardware", list(range(len(names))))
            except Exception as exc:  # reported per attribute
                errors = list(_as_devfailed(exc).errors)
                return [_failed_value(n, errors) for n in names]
            return [await self._read_one(n, client) for n in names]

    async def _op_read_attributes_5(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return await self._read_values(args[0], client)

    async def _op_read_attributes_4(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_downgrade(v, t.AttributeValue_4) for v in await self._read_values(args[0], client)]

    async def _op_read_attributes_3(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [_value_3(v) for v in await self._read_values(args[0], client)]

    async def _op_read_attribute_history(self, args: list[Any], client: ClientInfo) -> Any:
        raise DevFailed(
            make_error(
                "API_AttrNotPolled",
                f"Attribute {args[0]} not polled",
                f"{self.class_name}::read_attribute_history",
            )
        )

    # -- writing attributes -----------------------------------------------------------------------------

    async def _write_one(self, value: Any, client: ClientInfo) -> None:
        attr = self._attribute(value.name)
        if not attr.writable:
            raise DevFailed(
                make_error(
                    "API_AttrNotWritable",
                    f"Attribute {attr.name} is not writable",
                    f"{self.class_name}::write_attributes",
                )
            )
        if attr.allowed_method is not None:
            if not await self.user_call(attr.allowed_method, self.device, AttReqType.WRITE_REQ):
                raise DevFailed(
                    make_error(
                        "API_AttrNotAllowed",
                        f"It is currently not allowed to write attribute {attr.name}",
                        f"{self.class_name}::write_attributes",
                    )
                )
        dims = value.w_dim
        for axis, size, limit in (
            ("X", dims.dim_x, attr.decl.max_dim_x),
            ("Y", dims.dim_y, attr.decl.max_dim_y),
        ):
            if (
                attr.data_format is not AttrDataFormat.SCALAR and size > limit
            ):  # cppTango's message (sic)
                desc = f"{axis} dimesion is greater than the max defined for attribute {attr.name}"
                raise DevFailed(
                    make_error(
                        "API_WAttrOutsideLimit", desc, f"{self.class_name}::write_attributes"
                    )
                )
        python_value = union_to_written_value(value.value, dims, attr.data_type, attr.data_format)
        _check_limits(attr, value.value)
        if attr.write_method is not None:
            await self.user_call(attr.write_method, self.device, python_value)
        attr.setpoint = value.value
        if attr.data_format is AttrDataFormat.SCALAR:
            attr.setpoint_dims = (1, 0)
        else:
            attr.setpoint_dims = (dims.dim_x, dims.dim_y)

    async def _write_values(self, values: list[Any], client: ClientInfo) -> None:
        failures = []
        async with self._serialised(client):
            try:
                await self.hook("always_executed_hook")
            except Exception as exc:
                raise _as_devfailed(exc) from None
            for index, value in enumerate(values):
                try:
                    await self._write_one(value, client)
                except Exception as exc:  # collected into MultiDevFailed
                    failures.append(
                        t.NamedDevError(
                            name=value.name,
                            index_in_call=index,
                            err_list=list(_as_devfailed(exc).errors),
                        )
                    )
        if failures:
            raise _MultiDevFailed(failures)

    async def _op_write_attributes_4(self, args: list[Any], client: ClientInfo) -> None:
        await self._write_values(args[0], client)

    async def _op_write_attributes(self, args: list[Any], client: ClientInfo) -> None:
        raise DevFailed(
            make_error(
                "API_NotSupported",
                "write_attributes from IDL 1-3 clients is not supported",
                self.class_name,
            )
        )

    async def _op_write_read_attributes_5(self, args: list[Any], client: ClientInfo) -> list[Any]:
        await self._write_values(args[0], client)
        return await self._read_values(args[1], client)

    async def _op_write_read_attributes_4(self, args: list[Any], client: ClientInfo) -> list[Any]:
        await self._write_values(args[0], client)
        return [
            _downgrade(v, t.AttributeValue_4)
            for v in await self._read_values([v.name for v in args[0]], client)
        ]

    async def _op_get_pipe_config_5(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return []

    HANDLERS: dict[str, Callable[[DeviceServant, list[Any], ClientInfo], Awaitable[Any]]] = {}


class _MultiDevFailed(Exception):
    def __init__(self, errors: list[Any]) -> None:
        super().__init__(errors)
        self.errors = errors


_USER_CODE_OPERATIONS = frozenset(
    {
        "_get_state", "_get_status", "command_inout", "command_inout_2", "command_inout_4",
        "read_attributes", "read_attributes_2", "read_attributes_3", "read_attributes_4", "read_attributes_5",
        "write_attributes", "write_attributes_3", "write_attributes_4",
        "write_read_attributes_4", "write_read_attributes_5",
    }
)  # fmt: skip


_DIM_NONE = t.AttributeDim(dim_x=0, dim_y=0)  # shared: never mutated
_VALUE5_FIELDS = tuple(name for name, _ in t.AttributeValue_5.fields)


_DIMS: dict[tuple[int, int], Any] = {}


def _dim(x: int, y: int) -> Any:
    """A shared AttributeDim (never mutated once sent)."""
    dim = _DIMS.get((x, y))
    if dim is None:
        if len(_DIMS) > 4096:
            _DIMS.clear()
        dim = _DIMS[(x, y)] = t.AttributeDim(dim_x=x, dim_y=y)
    return dim


def _new_value(name: str) -> Any:
    """A blank AttributeValue_5 for ``name``, without the keyword constructor's defaults."""
    av = object.__new__(t.AttributeValue_5.cls)
    av.value = None
    av.quality = AttrQuality.ATTR_VALID
    av.data_format = AttrDataFormat.SCALAR
    av.data_type = 0
    av.time = now()
    av.name = name
    av.r_dim = av.w_dim = _DIM_NONE
    av.err_list = []
    return av


def _failed_value(name: str, errors: Any) -> Any:
    """The AttributeValue_5 of a failed read: no data, INVALID, the error stack."""
    av = _new_value(name)
    av.value, av.quality, av.data_format = (
        no_data_value(),
        AttrQuality.ATTR_INVALID,
        AttrDataFormat.FMT_UNKNOWN,
    )
    av.err_list = list(errors)
    return av


class _WorkerState(threading.local):
    active = False
    loop: asyncio.AbstractEventLoop | None = None


_worker = _WorkerState()


def _complete(coro: Any) -> Any:
    """Run a coroutine that never suspends (device code on a worker thread) to its end."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise RuntimeError("an operation of a synchronous device waited on the event loop")


class _ThreadLock:
    """A threading lock used as an async context manager from a worker thread."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock

    async def __aenter__(self) -> None:
        self.lock.acquire()

    async def __aexit__(self, *exc: Any) -> None:
        self.lock.release()


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _unexpected(exc: DevFailed, class_name: str, command_name: str) -> DevFailed:
    """PyTango servers append PyDs_UnexpectedFailure to errors out of a command."""
    return DevFailed(
        *exc.errors,
        DevError(
            "PyDs_UnexpectedFailure",
            1,
            "Cannot execute command",
            f"puretango {class_name}.{command_name}",
        ),
    )


def _check_limits(attr: _AttrRuntime, union: UnionValue) -> None:
    values = union.value
    if not isinstance(values, np.ndarray) or not values.size or values.dtype.kind not in "iuf":
        return
    low, high = attr.limit("min_value"), attr.limit("max_value")
    if (low is not None and values.min() < low) or (high is not None and values.max() > high):
        raise DevFailed(
            make_error(
                "API_WAttrOutsideLimit",
                f"Set value for attribute {attr.name} is out of the limits [{attr.config['min_value']}, {attr.config['max_value']}]",
                "puretango.server.write_attribute",
            )
        )


def _default_setpoint(attr: _AttrRuntime) -> UnionValue | None:
    """The set point of a scalar never written yet (zero, empty, False); arrays have none."""
    if attr.data_format is not AttrDataFormat.SCALAR:
        return None
    defaults = {
        CmdArgType.DevString: "",
        CmdArgType.DevBoolean: False,
        CmdArgType.DevState: DevState.ON,
        CmdArgType.DevEncoded: ("Not initialised", b""),
    }
    try:
        union, _ = read_value_to_union(
            defaults.get(attr.data_type, 0), attr.data_type, attr.data_format, attr.enum_labels
        )
    except DevFailed:
        return None
    return union


def _builtin_config(name: str) -> Any:
    state = name == "State"
    return t.AttributeConfig_5(
        name=name,
        writable=AttrWriteType.READ,
        data_format=AttrDataFormat.SCALAR,
        data_type=int(CmdArgType.DevState if state else CmdArgType.DevString),
        memorized=False,
        mem_init=False,
        max_dim_x=1,
        max_dim_y=0,
        description="No description",
        label=name,
        unit="",
        standard_unit="No standard unit",
        display_unit="No display unit",
        format=_NS if state else "%s",
        min_value=_NS,
        max_value=_NS,
        writable_attr_name="None",
        level=DispLevel.OPERATOR,
        root_attr_name=_NS,
        enum_labels=[],
        att_alarm=t.AttributeAlarm(
            min_alarm=_NS,
            max_alarm=_NS,
            min_warning=_NS,
            max_warning=_NS,
            delta_t=_NS,
            delta_val=_NS,
            extensions=[],
        ),
        event_prop=t.EventProperties(
            ch_event=t.ChangeEventProp(rel_change=_NS, abs_change=_NS, extensions=[]),
            per_event=t.PeriodicEventProp(period="1000", extensions=[]),
            arch_event=t.ArchiveEventProp(
                rel_change=_NS, abs_change=_NS, period=_NS, extensions=[]
            ),
        ),
        extensions=[],
        sys_extensions=[],
    )


def _downgrade(value: Any, target: Any) -> Any:
    """Copy the fields an older struct shares with a newer one."""
    return target(**{name: getattr(value, name) for name, _ in target.fields})


def _config_1(c: Any, target: Any) -> Any:
    fields = {name: getattr(c, name) for name, _ in target.fields if hasattr(c, name)}
    fields["min_alarm"], fields["max_alarm"] = c.att_alarm.min_alarm, c.att_alarm.max_alarm
    return target(**fields)


_ARRAY_ALIAS = {
    AttributeDataType.ATT_BOOL: t.DevVarBooleanArray,
    AttributeDataType.ATT_SHORT: t.DevVarShortArray,
    AttributeDataType.ATT_LONG: t.DevVarLongArray,
    AttributeDataType.ATT_LONG64: t.DevVarLong64Array,
    AttributeDataType.ATT_FLOAT: t.DevVarFloatArray,
    AttributeDataType.ATT_DOUBLE: t.DevVarDoubleArray,
    AttributeDataType.ATT_UCHAR: t.DevVarCharArray,
    AttributeDataType.ATT_USHORT: t.DevVarUShortArray,
    AttributeDataType.ATT_ULONG: t.DevVarULongArray,
    AttributeDataType.ATT_ULONG64: t.DevVarULong64Array,
    AttributeDataType.ATT_STRING: t.DevVarStringArray,
    AttributeDataType.ATT_STATE: t.DevVarStateArray,
    AttributeDataType.ATT_ENCODED: t.DevVarEncodedArray,
}


def _value_3(v: Any) -> Any:
    from ..giop._typecode import TC_NULL
    from ..giop._typecode import Any as CorbaAny

    union = v.value
    if union.disc == AttributeDataType.DEVICE_STATE:
        value = CorbaAny(t.DevStateT.typecode, union.value)
    elif union.disc in _ARRAY_ALIAS:
        value = CorbaAny(_ARRAY_ALIAS[union.disc].typecode, union.value)
    else:
        value = CorbaAny(TC_NULL, None)
    return t.AttributeValue_3(
        value=value,
        quality=v.quality,
        time=v.time,
        name=v.name,
        r_dim=v.r_dim,
        w_dim=v.w_dim,
        err_list=v.err_list,
    )


def _cmd_info_1(info: Any) -> Any:
    return t.DevCmdInfo(
        cmd_name=info.cmd_name,
        cmd_tag=info.cmd_tag,
        in_type=info.in_type,
        out_type=info.out_type,
        in_type_desc=info.in_type_desc,
        out_type_desc=info.out_type_desc,
    )


DeviceServant.HANDLERS = {
    "_is_a": DeviceServant._op_is_a,
    "_non_existent": DeviceServant._op_non_existent,
    "_not_existent": DeviceServant._op_non_existent,
    "_get_name": DeviceServant._op_get_name,
    "_get_description": DeviceServant._op_get_description,
    "_get_adm_name": DeviceServant._op_get_adm_name,
    "_get_state": DeviceServant._op_get_state,
    "_get_status": DeviceServant._op_get_status,
    "ping": DeviceServant._op_ping,
    "black_box": DeviceServant._op_black_box,
    "info": DeviceServant._op_info,
    "info_3": DeviceServant._op_info_3,
    "info_6": DeviceServant._op_info_6,
    "command_list_query": DeviceServant._op_command_list_query,
    "command_list_query_2": DeviceServant._op_command_list_query_2,
    "command_query": DeviceServant._op_command_query,
    "command_query_2": DeviceServant._op_command_query_2,
    "command_inout": DeviceServant._op_command_inout,
    "command_inout_2": DeviceServant._op_command_inout,
    "command_inout_4": DeviceServant._op_command_inout,
    "command_inout_history_2": DeviceServant._op_command_inout_history,
    "command_inout_history_4": DeviceServant._op_command_inout_history,
    "get_attribute_config": DeviceServant._op_get_attribute_config,
    "get_attribute_config_2": DeviceServant._op_get_attribute_config_2,
    "get_attribute_config_3": DeviceServant._op_get_attribute_config_3,
    "get_attribute_config_5": DeviceServant._op_get_attribute_config_5,
    "set_attribute_config": DeviceServant._op_set_attribute_config,
    "set_attribute_config_3": DeviceServant._op_set_attribute_config,
    "set_attribute_config_4": DeviceServant._op_set_attribute_config,
    "set_attribute_config_5": DeviceServant._op_set_attribute_config,
    "read_attributes_3": DeviceServant._op_read_attributes_3,
    "read_attributes_4": DeviceServant._op_read_attributes_4,
    "read_attributes_5": DeviceServant._op_read_attributes_5,
    "write_attributes": DeviceServant._op_write_attributes,
    "write_attributes_3": DeviceServant._op_write_attributes,
    "write_attributes_4": DeviceServant._op_write_attributes_4,
    "write_read_attributes_4": DeviceServant._op_write_read_attributes_4,
    "write_read_attributes_5": DeviceServant._op_write_read_attributes_5,
    "read_attribute_history_2": DeviceServant._op_read_attribute_history,
    "read_attribute_history_3": DeviceServant._op_read_attribute_history,
    "read_attribute_history_4": DeviceServant._op_read_attribute_history,
    "read_attribute_history_5": DeviceServant._op_read_attribute_history,
    "get_pipe_config_5": DeviceServant._op_get_pipe_config_5,
}
