"""Commands added to and removed from running devices (``DeviceImpl.add_command`` and
``remove_command``, PyTango's dynamic commands), and a command's polling buffer filled by
device code (``fill_cmd_polling_buffer`` with ``TimedCmdData`` records).

A command declared with ``command(f=...)`` (a bound method, a function taking the device,
or a method name of the device's class) becomes a :class:`._runtime.CmdRuntime` of the
device's servant, or of every device of its class (``device_level=False``). Added before
the device is served (in its constructor), it waits in the device until the servant
adopts it (:func:`adopt_pending_commands`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._errors import DevFailed, make_error
from ._model import command
from ._runtime import CmdRuntime

__all__ = ["add_command", "remove_command", "adopt_pending_commands", "fill_cmd_polling_buffer"]

_PENDING = "_pending_commands"


def _bound(device: Any, func: Any) -> Callable[..., Any]:
    """``func`` as a callable of the command's argument only."""
    if isinstance(func, str):
        found: Callable[..., Any] = getattr(device, func)
        return found
    if inspect.ismethod(func):
        return func
    return func.__get__(device, type(device))


def _allowed(device: Any, cmd: command) -> Callable[..., Any] | None:
    """The is-allowed check, as the servant calls it: ``check(device)``."""
    given = cmd.fisallowed
    if given is None:
        given = getattr(type(device), f"is_{cmd.name}_allowed", None)
    elif isinstance(given, str):
        given = getattr(type(device), given)
    if given is None:
        return None
    if inspect.ismethod(given):  # bound already: drop the device the servant passes
        bound = given
        if inspect.iscoroutinefunction(bound):

            async def check_async(_device: Any) -> Any:
                return await bound()

            return check_async

        def check(_device: Any) -> Any:
            return bound()

        check.__wrapped__ = bound  # type: ignore[attr-defined]  # the device code it runs
        return check
    return given


def _runtime(device: Any, cmd: command) -> CmdRuntime:
    return CmdRuntime(
        cmd.name, cmd.in_type, cmd.out_type, _bound(device, cmd.func), _allowed(device, cmd),
        cmd.doc_in, cmd.doc_out, cmd.display_level,
    )  # fmt: skip


def _servants(device: Any, device_level: bool) -> list[Any]:
    server = getattr(device, "_server", None)
    servants = getattr(server, "servants", None) or {}
    own = [s for s in servants.values() if s.device is device]
    if device_level or not own:
        return own
    return [s for s in servants.values() if s.class_name == own[0].class_name]


def _changed(device: Any, servant: Any) -> None:
    events = getattr(getattr(device, "_server", None), "events", None)
    if events is not None and servant.server is not None:
        try:
            events.interface_changed(servant.name)
        except Exception:  # noqa: BLE001 - no event channel yet: nobody to tell
            pass


def add_command(device: Any, cmd: command, device_level: bool = True) -> command:
    """Add ``cmd`` to ``device`` (or to all devices of its class)."""
    if not isinstance(cmd, command) or cmd.func is None:
        raise TypeError("add_command needs a command(f=...) declaration")
    servants = _servants(device, device_level)
    if not servants:
        device.__dict__.setdefault(_PENDING, []).append(cmd)
        return cmd
    for servant in servants:
        servant.commands = {**servant.commands, cmd.name.lower(): _runtime(servant.device, cmd)}
        _changed(device, servant)
    return cmd


def remove_command(device: Any, cmd_name: str) -> None:
    """Remove the command ``cmd_name`` from ``device``."""
    for servant in _servants(device, True):
        if cmd_name.lower() not in servant.commands:
            raise DevFailed(
                make_error(
                    "API_CommandNotFound",
                    f"Command {cmd_name} not found",
                    "DeviceImpl::remove_command",
                )
            )
        servant.commands = {k: v for k, v in servant.commands.items() if k != cmd_name.lower()}
        _changed(device, servant)
    pending = device.__dict__.get(_PENDING, [])
    pending[:] = [c for c in pending if c.name.lower() != cmd_name.lower()]


def adopt_pending_commands(servant: Any) -> None:
    """Give ``servant`` the commands its device added before it was served."""
    for cmd in servant.device.__dict__.pop(_PENDING, []):
        servant.commands = {**servant.commands, cmd.name.lower(): _runtime(servant.device, cmd)}


def fill_cmd_polling_buffer(device: Any, cmd_name: str, records: Any) -> None:
    """Push ``records`` (TimedCmdData, or a list of them) into the polling buffer of
    ``device``'s command ``cmd_name`` (which must be polled, usually with period 0): each
    becomes what a polled execution stores, its result or its error."""
    import time

    from ._polling import PollRecord
    from ._servant import python_error
    from ._values import result_to_any

    servant = device._puretango_servant
    cmd = servant._command(cmd_name)
    polled = device._server.poller.find(device.get_name(), "command", cmd_name)
    if polled is None:
        raise DevFailed(
            make_error(
                "API_CmdNotPolled",
                f"Command {cmd_name} is not polled",
                "DeviceImpl::fill_cmd_polling_buffer",
            )
        )
    for data in records if isinstance(records, (list, tuple)) else [records]:
        when = time.time() if data.time_stamp is None else float(data.time_stamp)
        if data.error is not None:
            error = data.error
            errors = error.errors if isinstance(error, DevFailed) else [python_error(error)]
            polled.push(PollRecord(when, None, errors), 0.0)
        else:
            polled.push(PollRecord(when, result_to_any(data.value, cmd.out_type), ()), 0.0)
