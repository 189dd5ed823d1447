"""The admin device of a device server (``dserver/<server>/<instance>``): the Tango
commands a server answers about itself (its classes and devices, restart and kill,
logging levels and targets through :mod:`._logging`, polling through the server's
:class:`._polling.Poller`, event subscriptions through its :class:`._events.EventSupplier`,
device locking through :mod:`._locking`).

Rule: the admin device reaches its server only through ``self._server`` (set by
:class:`._server.DeviceServer`); it imports nothing of the server protocol.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import CmdArgType, DevState, GreenMode
from . import _locking, _logging
from ._model import Device, command

__all__ = ["DServer"]


class DServer(Device):
    """The admin device of a server (``dserver/<server>/<instance>``)."""

    DEVICE_CLASS_DESCRIPTION = "The administration device of a device server"
    green_mode = GreenMode.Asyncio  # its commands are quick or need the server's loop

    def init_device(self) -> None:
        self.set_state(DevState.ON)
        self.set_status("The device is ON\nThe polling is ON")  # cppTango's DServer status

    @command(dtype_out=(str,))
    def QueryClass(self) -> list[str]:  # noqa: N802 - Tango command names
        return list(self._server.class_names())

    @command(dtype_out=(str,))
    def QueryDevice(self) -> list[str]:  # noqa: N802
        return [f"{s.class_name}::{s.name}" for s in self._server.device_servants()]

    @command(dtype_out=(str,))
    def QuerySubDevice(self) -> list[str]:  # noqa: N802
        return []

    @command(dtype_in=str, dtype_out=(str,))
    def QueryWizardClassProperty(self, class_name: str) -> list[str]:  # noqa: N802
        cls = self._server.device_class(class_name)
        return _wizard(cls._class_properties)

    @command(dtype_in=str, dtype_out=(str,))
    def QueryWizardDevProperty(self, class_name: str) -> list[str]:  # noqa: N802
        cls = self._server.device_class(class_name)
        return _wizard(cls._device_properties)

    @command
    async def Kill(self) -> None:  # noqa: N802
        self._server.request_stop()

    @command(dtype_in=str)
    async def DevRestart(self, name: str) -> None:  # noqa: N802
        await self._server.restart_device(name)
        self._server.events.interface_changed(name)

    @command
    async def RestartServer(self) -> None:  # noqa: N802
        for servant in self._server.device_servants():
            await self._server.restart_device(servant.name)
            self._server.events.interface_changed(servant.name)

    # -- logging (the work is :mod:`._logging`'s) ----------------------------------------------
    def _loggers(self) -> list[tuple[str, Any]]:
        devices = [(s.name, s.device.get_logger()) for s in self._server.device_servants()]
        return [*devices, (self.get_name(), self.get_logger())]

    @command(dtype_in=(str,), dtype_out=CmdArgType.DevVarLongStringArray)
    def GetLoggingLevel(self, devices: list[str]) -> Any:  # noqa: N802
        return _logging.get_levels(self._loggers(), list(devices))

    @command(dtype_in=CmdArgType.DevVarLongStringArray)
    def SetLoggingLevel(self, levels: Any) -> None:  # noqa: N802
        _logging.set_levels(self._loggers(), levels)

    @command(dtype_in=str, dtype_out=(str,))
    def GetLoggingTarget(self, device: str) -> list[str]:  # noqa: N802
        return _logging.get_targets(self._loggers(), device)

    @command(dtype_in=(str,))
    async def AddLoggingTarget(self, pairs: list[str]) -> None:  # noqa: N802
        # a device target connects to its consumer, maybe in this very server: not on the loop
        root = os.environ.get("TANGO_LOG_PATH") or f"/tmp/tango-{getpass.getuser()}"  # noqa: S108
        log_dir = os.path.join(root, self._server.server_name, self._server.instance)
        await asyncio.to_thread(_logging.add_targets, self._loggers(), list(pairs), log_dir)

    @command(dtype_in=(str,))
    def RemoveLoggingTarget(self, pairs: list[str]) -> None:  # noqa: N802
        _logging.remove_targets(self._loggers(), list(pairs))

    @command
    def StartLogging(self) -> None:  # noqa: N802
        for _, logger in self._loggers():
            logger.start()

    @command
    def StopLogging(self) -> None:  # noqa: N802
        for _, logger in self._loggers():
            logger.stop()

    # -- polling ---------------------------------------------------------------------------
    @command(dtype_in=CmdArgType.DevVarLongStringArray)
    async def AddObjPolling(self, arg: Any) -> None:  # noqa: N802
        await self._server.poller.add_polling(list(arg[0]), list(arg[1]))

    @command(dtype_in=CmdArgType.DevVarLongStringArray)
    async def UpdObjPollingPeriod(self, arg: Any) -> None:  # noqa: N802
        await self._server.poller.update_period(list(arg[0]), list(arg[1]))

    @command(dtype_in=(str,))
    async def RemObjPolling(self, arg: Any) -> None:  # noqa: N802
        await self._server.poller.remove_polling(list(arg))

    @command
    def StartPolling(self) -> None:  # noqa: N802
        self._server.poller.running = True
        self.set_status("The device is ON\nThe polling is ON")

    @command
    def StopPolling(self) -> None:  # noqa: N802
        self._server.poller.running = False
        self.set_status("The device is ON\nThe polling is OFF")

    @command(dtype_out=(str,))
    def PolledDevice(self) -> list[str]:  # noqa: N802
        return self._server.poller.polled_devices()

    @command(dtype_in=str, dtype_out=(str,))
    def DevPollStatus(self, device: str) -> list[str]:  # noqa: N802
        return self._server.poller.status(device)

    # -- locking ---------------------------------------------------------------------------
    def _locked_servant(self, device: str) -> Any:
        for servant in self._server.device_servants():
            if servant.name.lower() == device.lower():
                return servant
        raise DevFailed(
            make_error(
                "API_DeviceNotFound",
                f"Device {device} is not defined in this server",
                "DServer::lock_device()",
            )
        )

    @command(dtype_in=CmdArgType.DevVarLongStringArray)
    async def LockDevice(self, arg: Any) -> None:  # noqa: N802
        lvalue, svalue = arg
        validity = int(lvalue[0]) if len(lvalue) else 10
        _locking.lock(self._locked_servant(svalue[0]), _locking.CALLER.get(), validity)

    @command(dtype_in=CmdArgType.DevVarLongStringArray, dtype_out=CmdArgType.DevLong)
    async def UnLockDevice(self, arg: Any) -> int:  # noqa: N802
        lvalue, svalue = arg
        force = bool(lvalue[0]) if len(lvalue) else False
        left = 0
        for device in svalue:
            left = _locking.unlock(self._locked_servant(device), _locking.CALLER.get(), force)
        return left

    @command(dtype_in=(str,))
    async def ReLockDevices(self, arg: Any) -> None:  # noqa: N802
        for device in arg:
            _locking.relock(self._locked_servant(device), _locking.CALLER.get())

    @command(dtype_in=str, dtype_out=CmdArgType.DevVarLongStringArray)
    async def DevLockStatus(self, device: str) -> Any:  # noqa: N802
        return _locking.lock_status(self._locked_servant(device), device)

    # -- events ----------------------------------------------------------------------------
    @command(dtype_in=(str,), dtype_out=CmdArgType.DevVarLongStringArray)
    def ZmqEventSubscriptionChange(self, arg: Any) -> Any:  # noqa: N802
        return self._server.events.subscribe(list(arg))

    @command(dtype_in=(str,))
    def EventConfirmSubscription(self, arg: Any) -> None:  # noqa: N802
        self._server.events.confirm(list(arg))

    @command(dtype_in=(str,), dtype_out=CmdArgType.DevLong)
    def EventSubscriptionChange(self, arg: Any) -> int:  # noqa: N802
        """The notifd-era subscription: checked like a ZeroMQ one, answers the release."""
        lvalue, _ = self._server.events.subscribe(list(arg))
        return int(lvalue[0])

    @command(dtype_in=bool)
    def EnableEventSystemPerfMon(self, enabled: bool) -> None:  # noqa: N802
        pass

    @command(dtype_out=str)
    def QueryEventSystem(self) -> str:  # noqa: N802
        return str(self._server.events.query())


def _wizard(props: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name, prop in props.items():
        default = prop.default_value
        out += [name, prop.doc or "", "" if default is None else str(default)]
    return out
