"""A device as a CORBA servant: :class:`DeviceServant` answers the Tango IDL operations
for one device declared with :mod:`._model`.

Rule 1: the servant is reached through one table, :data:`._handlers.HANDLERS` (GIOP
operation name -> :class:`._handlers.Handler`, a record carrying the operation's flags);
:meth:`DeviceServant.invoke` runs the handler it is given; there is no if/elif dispatch.

Rule 2: device code runs through the device's :class:`._bridge.UserCodeBridge`
(:attr:`DeviceServant.user_call`): how and where it runs, and how requests to a device are
serialised, is decided there, never here. Two shortcuts do what the bridge would do, for
the hot path: an asyncio device's ``async def`` methods are awaited on the spot, and the
base class's state and no-op hooks run no device code at all.

Rule 3: failures of device code never escape as Python exceptions: reads carry them in
the value (:func:`._runtime.failed_value`), other operations raise DevFailed, and writes
raise :class:`MultiDevFailed` (one error per failed attribute).
"""

from __future__ import annotations

import collections
import datetime
import inspect
import socket
import time
import traceback
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Protocol

from .._attrconfig import AttrConfig
from .._errors import DevFailed, make_error
from ..giop._cdr import lazy_numpy
from ..idl import DEVICE_REPO_IDS, UnionValue
from ..idl import types as t
from ..idl._enums import (
    AttrDataFormat,
    AttReqType,
    AttributeDataType,
    AttrQuality,
    CmdArgType,
    DevState,
    GreenMode,
)
from ..idl._values import DevError, TimeVal
from ._bridge import UserCodeBridge, on_worker_thread
from ._classic_commands import adopt_pending_commands
from ._clientinfo import ClientInfo
from ._downgrade import cmd_info_1, downgrade
from ._dynamic import adopt_dynamic_attributes
from ._locking import CALLER, DeviceLock, refuse_if_locked
from ._model import Device
from ._runtime import (
    AttrRuntime,
    CmdRuntime,
    attach_setpoint,
    check_write_limits,
    default_setpoint,
    failed_value,
    is_coroutine_function,
    new_value,
    quality_alarms,
    shared_dim,
)
from ._startup import reload_device_properties
from ._values import (
    any_to_argin,
    no_data_value,
    read_value_to_union,
    result_to_any,
    union_to_written_value,
)

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np

    from ._handlers import Handler
else:
    np = lazy_numpy.bind(globals())

__all__ = ["DeviceServant", "ServerContext", "ClientInfo", "MultiDevFailed", "python_error"]

_ALL_ATTRIBUTES = ("all attributes", "all attributes_3")
_STATE_CONFIG = AttrConfig.builtin("State")
_STATUS_CONFIG = AttrConfig.builtin("Status")
_OBJECT_REPO_ID = "IDL:omg.org/CORBA/Object:1.0"


class ServerContext(Protocol):
    """What a servant uses of the server that serves it (a :class:`._server.DeviceServer`)."""

    @property
    def server_name(self) -> str: ...

    @property
    def instance(self) -> str: ...

    @property
    def admin_name(self) -> str: ...

    @property
    def executor(self) -> Executor: ...

    def memorize(self, device: str, attribute: str, value: Any) -> None:
        """Store a memorized attribute's new set point (blocking)."""


def python_error(exc: BaseException) -> DevError:
    """A Python exception as PyTango reports it (reason ``PyDs_PythonError``)."""
    desc = f"{type(exc).__name__}: {exc}\n"
    origin = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return DevError("PyDs_PythonError", 1, desc, origin)


def _as_devfailed(exc: BaseException) -> DevFailed:
    return exc if isinstance(exc, DevFailed) else DevFailed(python_error(exc))


class DeviceServant:
    """One device served over GIOP."""

    def __init__(
        self, device: Device, server: ServerContext, class_name: str | None = None
    ) -> None:
        self.device = device
        self.server = server
        self.class_name = class_name or type(device).__name__
        self.name = device.get_name()
        cls = type(device)
        self.attributes: dict[str, AttrRuntime] = {
            key: AttrRuntime(decl, cls) for key, decl in cls._attributes.items()
        }
        adopt_dynamic_attributes(self)  # the device's own attributes (add_attribute)
        self.commands: dict[str, CmdRuntime] = {}
        for key, decl in cls._commands.items():
            assert decl.func is not None  # Device._commands holds bound declarations only
            method = getattr(device, decl.func.__name__)  # bound
            self.commands[key] = CmdRuntime(
                decl.name, decl.in_type, decl.out_type, method, decl.allowed_method(cls),
                decl.doc_in, decl.doc_out, decl.display_level,
            )  # fmt: skip
        self.commands.setdefault(
            "init", CmdRuntime("Init", CmdArgType.DevVoid, CmdArgType.DevVoid, self._init_command)
        )
        void = CmdArgType.DevVoid
        state = CmdRuntime("State", void, CmdArgType.DevState, self._state, doc_out="Device state")
        status = CmdRuntime(
            "Status", void, CmdArgType.DevString, self._status, doc_out="Device status"
        )
        self.commands.setdefault("state", state)
        self.commands.setdefault("status", status)
        #: sync devices run each operation on a worker thread, serialised per device
        threaded = getattr(cls, "green_mode", None) != GreenMode.Asyncio
        self.bridge = UserCodeBridge(server.executor, threaded)
        #: run device code (the bridge's :meth:`~._bridge.UserCodeBridge.call`)
        self.user_call = self.bridge.call
        #: (time, operation, detail, client) of the last requests, newest first
        self.black_box: collections.deque[tuple[float, str, str, ClientInfo]] = collections.deque(
            maxlen=50
        )
        #: the device's lock, if a client holds one (see :mod:`._locking`)
        self.lock: DeviceLock | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def hook(self, name: str, *args: Any) -> None:
        """Call a lifecycle hook of the device, unless it is the base class's no-op."""
        if getattr(type(self.device), name) is not getattr(Device, name):
            await self.user_call(getattr(self.device, name), *args)

    def _overrides(self, name: str) -> bool:
        """The device's class has its own ``name`` (not the base class's no-op)."""
        return getattr(type(self.device), name) is not getattr(Device, name)

    async def _call_method(self, fn: Any, *args: Any) -> Any:
        """The bridge's ``call_method``; an asyncio device's ``async def`` method is awaited."""
        if not self.bridge.threaded and is_coroutine_function(fn):
            return await fn(*args)
        return await self.bridge.call_method(fn, *args)

    async def initialise(self) -> None:
        adopt_pending_commands(self)  # added by the device's constructor
        if getattr(self.device, "_classic_ready", False):  # its constructor initialised it
            return
        await self.user_call(self.device.init_device)

    async def _init_command(self) -> None:
        await self.user_call(self.device.delete_device)
        database = getattr(self.server, "database", None)
        if database is not None:  # Init re-reads the device properties, as cppTango does
            await self.user_call(reload_device_properties, database, self.device)
        await self.user_call(self.device.init_device)

    async def _state(self) -> DevState:
        cls = type(self.device)
        if cls.dev_state is Device.dev_state and cls.get_state is Device.get_state:
            state = DevState(self.device._state)  # the base class's: no user code to run
        else:
            state = DevState(await self.user_call(self.device.dev_state))
        if cls.dev_state is Device.dev_state and state is DevState.ON:
            # Tango's default state machine: ON becomes ALARM while an attribute is in alarm
            # (beyond its limits, or its last read returned an ALARM/WARNING quality); an
            # ALARM state the device set stays, as in PyTango
            alarms = await self._attribute_alarms() or quality_alarms(self.attributes.values())
            state = DevState.ALARM if alarms else state
        return state

    async def _status(self) -> str:
        if type(self.device).dev_status is Device.dev_status and self.device._status is None:
            state = await self._state()
            status = f"The device is in {state.name} state."
            for name, direction in await self._attribute_alarms():
                status += f"\nAlarm : Value too {direction} for {name}"
            for line in quality_alarms(self.attributes.values()):
                status += f"\n{line}"
            return status
        return str(await self.user_call(self.device.dev_status))

    async def _attribute_alarms(self) -> list[tuple[str, str]]:
        """(attribute, "high"/"low") for readable attributes beyond their alarm limits."""
        found: list[tuple[str, str]] = []
        watched = [
            attr
            for attr in self.attributes.values()
            if attr.config.alarm_limits[:2] != (None, None)
            and attr.readable
            and attr.read_method is not None
        ]
        if watched:  # read as cppTango's state does: the hardware first
            names = list(self.attributes)
            try:
                await self.hook(
                    "read_attr_hardware", [names.index(a.name.lower()) for a in watched]
                )
            except Exception:  # noqa: BLE001 - then no attribute is known to be in alarm
                return found
        for attr in watched:
            low, high = attr.config.alarm_limits[:2]
            read = attr.read_method
            assert read is not None  # watched attributes have one
            try:
                value = await self.user_call(read, self.device)
                values = np.asarray(value[0] if isinstance(value, tuple) else value, dtype=float)
            except Exception:  # noqa: BLE001 - an unreadable attribute is not in alarm
                continue
            if values.size and high is not None and values.max() > high:
                found.append((attr.name, "high"))
            elif values.size and low is not None and values.min() < low:
                found.append((attr.name, "low"))
        return found

    # -- dispatch ------------------------------------------------------------------------------

    def record(self, operation: str, client: ClientInfo, detail: str = "") -> None:
        """Note a request in the black box (formatted only when the black box is read)."""
        self.black_box.appendleft((time.time(), operation, detail, client))

    @staticmethod
    def _black_box_line(when: float, operation: str, detail: str, client: ClientInfo) -> str:
        stamp = datetime.datetime.fromtimestamp(when).strftime("%d/%m/%Y %H:%M:%S:%f")[:-4]
        extra = f" ({detail})" if detail else ""
        return f"{stamp} : Operation {operation}{extra} {client.describe()}"

    async def invoke(self, handler: Handler, args: list[Any], client: ClientInfo) -> Any:
        """Run one operation (its handler record from :data:`._handlers.HANDLERS`)."""
        if handler.black_box_name is not None:
            self.record(handler.black_box_name, client)
        CALLER.set(client)
        refuse_if_locked(self, handler.name, args, client)
        if handler.runs_user_code and self.bridge.threaded and not on_worker_thread():
            return await self.bridge.run_on_worker(
                _as_caller(client, handler.func(self, args, client))
            )
        return await handler.func(self, args, client)

    # -- CORBA pseudo-operations and simple attributes -----------------------------------------

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
        async with self.bridge.serialised(client.pid):
            return await self._state()

    async def _op_get_status(self, args: list[Any], client: ClientInfo) -> str:
        async with self.bridge.serialised(client.pid):
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
        entries = [self._black_box_line(*e) for e in list(self.black_box)[:n]]
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
        versions = self.device.get_version_info()
        return t.DevInfo_6(
            dev_type=self.class_name,
            version_info=[t.DevInfoVersion(key=k, value=v) for k, v in sorted(versions.items())],
            **self._info_fields(),
        )

    # -- commands ------------------------------------------------------------------------------

    def _command(self, name: str) -> CmdRuntime:
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
        return [c.info_2() for c in sorted(self.commands.values(), key=lambda c: c.name)]

    async def _op_command_list_query(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [cmd_info_1(i) for i in await self._op_command_list_query_2(args, client)]

    async def _op_command_query_2(self, args: list[Any], client: ClientInfo) -> Any:
        return self._command(args[0]).info_2()

    async def _op_command_query(self, args: list[Any], client: ClientInfo) -> Any:
        return cmd_info_1(self._command(args[0]).info_2())

    async def _op_command_inout(self, args: list[Any], client: ClientInfo) -> Any:
        name, argin = args[0], args[1]
        cmd = self._command(name)
        value = any_to_argin(argin, cmd.in_type)
        async with self.bridge.serialised(client.pid):
            try:
                if self._overrides("always_executed_hook"):
                    await self.hook("always_executed_hook")
                if cmd.allowed is not None:
                    allowed = await self._call_method(cmd.allowed, self.device)
                    if not allowed:
                        raise DevFailed(
                            make_error(
                                "API_CommandNotAllowed",
                                f"Command {cmd.name} not allowed when the device is in "
                                f"{self.device.get_state().name} state",
                                f"{self.class_name}::command_handler",
                            )
                        )
                result = await (
                    self._call_method(cmd.call)
                    if cmd.in_type is CmdArgType.DevVoid
                    else self._call_method(cmd.call, value)
                )
            except DevFailed as exc:
                if self.name == self.server.admin_name:  # a C++ DServer's errors, as they are
                    raise
                raise _unexpected(exc, self.class_name, cmd.name) from None
            except Exception as exc:  # user code: reported to the client, never fatal
                raise _unexpected(_as_devfailed(exc), self.class_name, cmd.name) from None
        return result_to_any(result, cmd.out_type)

    # -- attribute configuration ---------------------------------------------------------------

    def _attribute(self, name: str) -> AttrRuntime:
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

    def _configs(self, names: list[str], with_state_status: bool) -> list[AttrConfig]:
        """The configurations a get_attribute_config* names (``all attributes`` included)."""
        if len(names) == 1 and names[0].lower() in _ALL_ATTRIBUTES:
            configs = [a.config for a in self.attributes.values()]
            if with_state_status or names[0].lower() == "all attributes_3":
                configs += [_STATE_CONFIG, _STATUS_CONFIG]
            return configs
        result = []
        for name in names:
            key = name.lower()
            if key in ("state", "status"):
                result.append(_STATE_CONFIG if key == "state" else _STATUS_CONFIG)
            else:
                result.append(self._attribute(name).config)
        return result

    async def _op_get_attribute_config_5(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [c.to_idl(t.AttributeConfig_5) for c in self._configs(args[0], True)]

    async def _op_get_attribute_config_3(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [c.to_idl(t.AttributeConfig_3) for c in self._configs(args[0], True)]

    async def _op_get_attribute_config_2(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [c.to_idl(t.AttributeConfig_2) for c in self._configs(args[0], False)]

    async def _op_get_attribute_config(self, args: list[Any], client: ClientInfo) -> list[Any]:
        return [c.to_idl(t.AttributeConfig) for c in self._configs(args[0], False)]

    async def _op_set_attribute_config(self, args: list[Any], client: ClientInfo) -> None:
        for conf in args[0]:
            if conf.name.lower() in ("state", "status"):
                continue
            self._attribute(conf.name).apply_config(conf)
            self.device.push_att_conf_event(conf.name)

    # -- reading attributes --------------------------------------------------------------------

    async def _read_one(self, name: str, client: ClientInfo) -> Any:
        """One AttributeValue_5; failures are carried in it, never raised."""
        av = new_value(name)
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
                if not await self._call_method(
                    attr.allowed_method, self.device, AttReqType.READ_REQ
                ):
                    raise DevFailed(
                        make_error(
                            "API_AttrNotAllowed",
                            f"It is currently not allowed to read attribute {attr.name}",
                            f"{self.class_name}::read_attributes",
                        )
                    )
            av.data_format, av.data_type = attr.data_format, int(attr.data_type)
            value: Any = None  # WRITE attributes read back their set point
            readable = attr.readable
            if readable:
                if attr.read_method is None:  # declared READ without a read method
                    raise TypeError("'NoneType' object is not callable")
                value = await self._call_method(attr.read_method, self.device)
            quality = AttrQuality.ATTR_VALID
            if (
                isinstance(value, tuple)
                and (  # a DevEncoded value with its time and quality: ((format, data), t, q)
                    attr.data_type is not CmdArgType.DevEncoded
                    or isinstance(value[0], (tuple, list))
                )
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
            if readable and quality is AttrQuality.ATTR_INVALID:  # no value, as cppTango
                av.value, av.quality = no_data_value(), quality
                attr.last_quality = quality
                return av
            if value is None and readable:
                raise DevFailed(
                    make_error(
                        "API_AttrValueNotSet",
                        f"Value for attribute {attr.name} has not been updated",
                        f"{self.class_name}::read_attributes",
                    )
                )
            if value is None:  # a WRITE attribute: its set point (cppTango's before any write)
                default = None if attr.setpoint is not None else default_setpoint(attr)
                if attr.setpoint is not None:
                    union, dims = attr.setpoint, attr.setpoint_dims
                elif default is not None:
                    union, dims = default, (1, 0)
                else:
                    union, dims = no_data_value(), (0, 0)
            else:
                union, dims = read_value_to_union(
                    value, attr.data_type, attr.data_format, attr.enum_labels
                )
            av.quality = attr.last_quality = attr.quality_of(union, quality)
            av.r_dim = shared_dim(dims[0], dims[1])
            av.value = attach_setpoint(av, attr, union)
            return av
        except Exception as exc:  # user code: the failure travels in the value
            errors = _as_devfailed(exc).errors
            return failed_value(name, errors)

    async def _read_values(self, names: list[str], client: ClientInfo) -> list[Any]:
        if len(names) == 1 and names[0].lower() in _ALL_ATTRIBUTES:
            names = [a.name for a in self.attributes.values() if a.readable]
        async with self.bridge.serialised(client.pid):
            if self._overrides("always_executed_hook") or self._overrides("read_attr_hardware"):
                try:
                    await self.hook("always_executed_hook")
                    await self.hook("read_attr_hardware", list(range(len(names))))
                except Exception as exc:  # reported per attribute
                    errors = list(_as_devfailed(exc).errors)
                    return [failed_value(n, errors) for n in names]
            return [await self._read_one(n, client) for n in names]

    # -- writing attributes --------------------------------------------------------------------

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
            if not await self._call_method(attr.allowed_method, self.device, AttReqType.WRITE_REQ):
                raise DevFailed(
                    make_error(
                        "API_AttrNotAllowed",
                        f"It is currently not allowed to write attribute {attr.name}. "
                        f"The device state is {self.device.get_state().name}",
                        f"{self.class_name}::write_attributes",
                    )
                )
        dims = value.w_dim
        limits = (  # a scalar has no size to check
            ()
            if attr.data_format is AttrDataFormat.SCALAR
            else (("X", dims.dim_x, attr.decl.max_dim_x), ("Y", dims.dim_y, attr.decl.max_dim_y))
        )
        for axis, size, limit in limits:
            if size > limit:  # cppTango's message (sic)
                desc = f"{axis} dimesion is greater than the max defined for attribute {attr.name}"
                raise DevFailed(
                    make_error(
                        "API_WAttrOutsideLimit", desc, f"{self.class_name}::write_attributes"
                    )
                )
        python_value = union_to_written_value(value.value, dims, attr.data_type, attr.data_format)
        check_write_limits(attr, value.value)
        if attr.write_method is not None:
            await self._call_method(attr.write_method, self.device, python_value)
        attr.setpoint = value.value
        if attr.data_format is AttrDataFormat.SCALAR:
            attr.setpoint_dims = (1, 0)
        else:
            attr.setpoint_dims = (dims.dim_x, dims.dim_y)
        if attr.config.memorized:  # the set point survives a restart (in the Database)
            await self.user_call(self.server.memorize, self.name, attr.name, python_value)

    async def _write_values(self, values: list[Any], client: ClientInfo) -> None:
        failures = []
        async with self.bridge.serialised(client.pid):
            if self._overrides("always_executed_hook"):
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
            raise MultiDevFailed(failures)

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
            downgrade(v, t.AttributeValue_4)
            for v in await self._read_values([v.name for v in args[0]], client)
        ]


async def _as_caller(client: ClientInfo, operation: Any) -> Any:
    """``operation`` with :data:`CALLER` set where it runs (a worker thread's context)."""
    CALLER.set(client)
    return await operation


class MultiDevFailed(Exception):
    """Some attributes of a write failed: one ``NamedDevError`` each, in ``errors``."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(errors)
        self.errors = errors


def _unexpected(exc: DevFailed, class_name: str, command_name: str) -> DevFailed:
    """PyTango servers append PyDs_UnexpectedFailure to errors out of a command (not the
    admin device's: it is cppTango's in PyTango)."""
    if class_name == "DServer":
        return exc
    origin = f"puretango {class_name}.{command_name}"
    failure = DevError("PyDs_UnexpectedFailure", 1, "Cannot execute command", origin)
    return DevFailed(*exc.errors, failure)
