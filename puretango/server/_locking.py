"""Device locking on the server side, as cppTango's ``DeviceImpl`` does it.

A device's lock (:class:`DeviceLock`, kept on its servant as ``servant.lock``) names the
client that holds it (ClntIdent pid/language and address), its validity and expiry, and a
counter (a client may lock again). The admin device's ``LockDevice``, ``UnLockDevice``,
``ReLockDevices`` and ``DevLockStatus`` call :func:`lock`, :func:`unlock`, :func:`relock` and
:func:`lock_status`; :func:`refuse_if_locked` is the servant's check, before a command,
a write or a configuration change, that the caller holds the lock (``API_DeviceLocked``
otherwise). :data:`CALLER` is the client of the request being served (set by the servant).
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error

if TYPE_CHECKING:
    from ._servant import ClientInfo

__all__ = ["CALLER", "DeviceLock", "lock", "unlock", "relock", "lock_status", "refuse_if_locked"]

#: The client of the request being served (for the admin device's lock commands).
CALLER: contextvars.ContextVar[ClientInfo | None] = contextvars.ContextVar(
    "puretango_caller", default=None
)

#: Operation -> the origin cppTango gives its API_DeviceLocked refusal.
_CHECKED = {
    "command_inout": "Device_Impl::command_inout",
    "command_inout_2": "Device_Impl::command_inout_2",
    "command_inout_4": "Device_Impl::command_inout4",
    "write_attributes": "Device_Impl::write_attributes",
    "write_attributes_3": "Device_Impl::write_attributes_3",
    "write_attributes_4": "Device_Impl::write_attributes_4",
    "write_read_attributes_4": "Device_Impl::write_read_attributes_4",
    "write_read_attributes_5": "Device_Impl::write_read_attributes_5",
    "set_attribute_config": "Device_Impl::set_attribute_config",
    "set_attribute_config_3": "Device_Impl::set_attribute_config_3",
    "set_attribute_config_4": "Device_Impl::set_attribute_config_4",
    "set_attribute_config_5": "Device_Impl::set_attribute_config_5",
    "set_pipe_config_5": "Device_Impl::set_pipe_config_5",
    "write_pipe_5": "Device_Impl::write_pipe_5",
    "write_read_pipe_5": "Device_Impl::write_read_pipe_5",
}
_ALWAYS_ALLOWED_COMMANDS = ("state", "status")


def _identity(client: ClientInfo | None) -> tuple[Any, ...]:
    if client is None:
        return (None, None, "")
    return (client.pid, client.language, client.host)


@dataclass
class DeviceLock:
    """Who holds a device's lock, until when, and how many times."""

    holder: ClientInfo
    validity: float
    expires: float
    count: int = 1

    def active(self) -> bool:
        return time.monotonic() < self.expires

    def held_by(self, client: ClientInfo | None) -> bool:
        return _identity(self.holder) == _identity(client)


def _current(servant: Any) -> DeviceLock | None:
    held: DeviceLock | None = getattr(servant, "lock", None)
    if held is not None and not held.active():
        servant.lock = held = None
    return held


def lock(servant: Any, client: ClientInfo | None, validity: int) -> None:
    """``LockDevice``: lock ``servant`` for ``client`` (again, if it holds the lock)."""
    held = _current(servant)
    now = time.monotonic()
    if held is None:
        assert client is not None
        servant.lock = DeviceLock(client, float(validity), now + validity)
        return
    if not held.held_by(client):
        raise DevFailed(
            make_error(
                "API_DeviceLocked",
                f"Device {servant.name} is already locked by another client",
                "DeviceImpl::lock()",
            )
        )
    held.count += 1
    held.validity = float(validity)
    held.expires = now + validity


def unlock(servant: Any, client: ClientInfo | None, force: bool) -> int:
    """``UnLockDevice``: the lock counter left (0: the device is free)."""
    held = _current(servant)
    if held is None:
        return 0
    if force:
        servant.lock = None
        return 0
    if not held.held_by(client):
        raise DevFailed(
            make_error(
                "API_DeviceLocked",
                f"Device {servant.name} is locked by another client, can't unlock it",
                "DeviceImpl::unlock()",
            )
        )
    held.count -= 1
    if held.count <= 0:
        servant.lock = None
        return 0
    return held.count


def relock(servant: Any, client: ClientInfo | None) -> None:
    """``ReLockDevices``: a new validity period for the holder's lock."""
    held = _current(servant)
    if held is None or not held.held_by(client):
        raise DevFailed(
            make_error(
                "API_DeviceNotLocked" if held is None else "API_DeviceLocked",
                f"Device {servant.name} is not locked by you",
                "DeviceImpl::relock()",
            )
        )
    held.expires = time.monotonic() + held.validity


def lock_status(servant: Any, device: str) -> list[Any]:
    """``DevLockStatus``: [[locked, pid, 0 x 4], [message, host, Java class]]."""
    held = _current(servant)
    if held is None:
        return [
            [0, 0, 0, 0, 0, 0],
            [f"Device {device} is not locked", "Not defined", "Not defined"],
        ]
    holder = held.holder
    if holder.pid is not None:
        who = f"CPP or Python client with PID {holder.pid}"
    else:
        who = "Java client"
    return [
        [1, holder.pid or 0, 0, 0, 0, 0],
        [f"Device {device} is locked by {who} from host {holder.host}", holder.host, "Not defined"],
    ]


def refuse_if_locked(servant: Any, operation: str, args: list[Any], client: ClientInfo) -> None:
    """Raise ``API_DeviceLocked`` if ``operation`` changes a device another client locked."""
    origin = _CHECKED.get(operation)
    if origin is None or getattr(servant, "lock", None) is None:
        return
    if operation.startswith("command_inout") and str(args[0]).lower() in _ALWAYS_ALLOWED_COMMANDS:
        return
    held = _current(servant)
    if held is None or held.held_by(client):
        return
    raise DevFailed(
        make_error("API_DeviceLocked", f"Device {servant.name} is locked by another client", origin)
    )
