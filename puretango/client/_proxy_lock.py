"""Device locking from the client side: ``DeviceProxy.lock``, ``unlock``, ``is_locked``,
``is_locked_by_me``, ``locking_status`` (through the admin device's ``LockDevice``,
``UnLockDevice`` and ``DevLockStatus``, as cppTango's client calls them), and the process's
re-lock thread, which sends ``ReLockDevices`` to each admin device every
(smallest validity - 0.5 s) while this process holds locks there.

The re-lock thread is an OS thread on the threaded transport: it never runs on an asyncio
loop or a gevent hub, so it keeps the locks alive whatever the green mode of the proxies.
As in PyTango these methods are synchronous whatever the green mode.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .._errors import DevFailed, NonDbDevice, make_error
from ..idl._enums import GreenMode
from ._engine import Op
from ._green import sync_only

__all__ = ["LockingMixin", "RELOCKER"]

_DEFAULT_VALIDITY = 10  # s, cppTango's DEFAULT_LOCK_VALIDITY


class _Relocker:
    """The process-wide re-lock thread: admin device name -> {device: validity}."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._held: dict[str, dict[str, int]] = {}
        self._thread: threading.Thread | None = None

    def add(self, admin: str, device: str, validity: int) -> None:
        with self._lock:
            self._held.setdefault(admin, {})[device] = validity
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="puretango-relock", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def remove(self, admin: str, device: str) -> None:
        with self._lock:
            devices = self._held.get(admin, {})
            devices.pop(device, None)
            if not devices:
                self._held.pop(admin, None)

    def _period(self) -> float | None:
        validities = [v for devices in self._held.values() for v in devices.values()]
        return max(min(validities) - 0.5, 0.5) if validities else None

    def _run(self) -> None:
        from ._proxy import DeviceProxy

        admins: dict[str, Any] = {}
        while True:
            with self._lock:
                self._wake.wait(self._period())
                held = {admin: sorted(devices) for admin, devices in self._held.items()}
            for admin, devices in held.items():
                try:
                    proxy = admins.get(admin)
                    if proxy is None:
                        proxy = admins[admin] = DeviceProxy(admin, green_mode=GreenMode.Synchronous)
                    proxy.command_inout("ReLockDevices", devices)
                except DevFailed:
                    admins.pop(admin, None)  # retried at the next period


RELOCKER = _Relocker()


class LockingMixin:
    """Locking methods of ``DeviceProxy`` (see the module docstring)."""

    _dev_name: str
    _db_addresses: Any

    def _admin_command_op(self, command: str, argin: Any = None) -> Op[Any]:
        raise NotImplementedError

    def _admin_name_op(self) -> Op[str]:
        raise NotImplementedError

    def _require_database(self, method: str) -> None:
        if self._db_addresses is None:
            raise NonDbDevice(
                make_error(
                    "API_NonDatabaseDevice",
                    f"Feature not available for device {self._dev_name} which is a non "
                    "database device",
                    f"DeviceProxy::{method}()",
                )
            )

    def _locks(self) -> tuple[int, int]:
        """(lock counter, validity) of this proxy."""
        return self.__dict__.get("_lock_state", (0, _DEFAULT_VALIDITY))

    @sync_only
    def lock(self, lock_validity: int = _DEFAULT_VALIDITY) -> Op[None]:
        self._require_database("lock")
        validity = int(lock_validity)
        if validity < 2:
            raise DevFailed(
                make_error(
                    "API_MethodArgument",
                    "Lock validity can not be lower than 2 seconds",
                    "DeviceProxy::lock()",
                )
            )
        count, held_validity = self._locks()
        if count and validity != held_validity:
            raise DevFailed(
                make_error(
                    "API_MethodArgument",
                    f"Device {self._dev_name} is already locked with another lock validity "
                    f"({held_validity} sec)",
                    "DeviceProxy::lock()",
                )
            )
        yield from self._admin_command_op("LockDevice", [[validity], [self._dev_name]])
        self.__dict__["_lock_state"] = (count + 1, validity)
        RELOCKER.add((yield from self._admin_name_op()), self._dev_name, validity)

    @sync_only
    def unlock(self, force: bool = False) -> Op[None]:
        self._require_database("unlock")
        yield from self._admin_command_op("UnLockDevice", [[int(bool(force))], [self._dev_name]])
        count, validity = self._locks()
        count = 0 if force else max(count - 1, 0)
        self.__dict__["_lock_state"] = (count, validity)
        if not count:
            RELOCKER.remove((yield from self._admin_name_op()), self._dev_name)

    def _lock_status_op(self) -> Op[tuple[list[int], list[str]]]:
        self._require_database("ask_locking_status")
        lvalue, svalue = yield from self._admin_command_op("DevLockStatus", self._dev_name)
        return [int(v) for v in lvalue], [str(s) for s in svalue]

    @sync_only
    def locking_status(self) -> Op[str]:
        _, svalue = yield from self._lock_status_op()
        return svalue[0]

    @sync_only
    def is_locked(self) -> Op[bool]:
        lvalue, _ = yield from self._lock_status_op()
        return bool(lvalue[0])

    @sync_only
    def is_locked_by_me(self) -> Op[bool]:
        lvalue, _ = yield from self._lock_status_op()
        return bool(lvalue[0]) and lvalue[1] == os.getpid()
