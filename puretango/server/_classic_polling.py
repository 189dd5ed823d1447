"""A device's own polling configuration (PyTango's ``DeviceImpl.poll_attribute``,
``poll_command``, ``stop_poll_attribute``, ``stop_poll_command``, ``is_attribute_polled``,
``is_command_polled``, ``get_attribute_poll_period``, ``get_command_poll_period``).

Before the server's :class:`._polling.Poller` has started (in ``init_device``), the changes
wait in the device over what its declarations say (``polling_period=``), and
:func:`apply_pending_polling` gives them to the poller once it runs; afterwards they go to
the poller at once (on its event loop). Polling set this way is not stored in the Database.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from .._errors import DevFailed, make_error

__all__ = ["set_polling", "polling_period", "apply_pending_polling"]

_PENDING = "_pending_polling"


def _declared(device: Any, kind: str, name: str) -> int | None:
    """The period the device's declarations give ``name`` (None: not polled)."""
    servant = getattr(device, "_puretango_servant", None)
    decl = None
    if kind == "attribute" and servant is not None:
        runtime = servant.attributes.get(name.lower())
        decl = None if runtime is None else runtime.decl
    elif kind == "attribute":
        decl = type(device)._attributes.get(name.lower())
    else:
        decl = type(device)._commands.get(name.lower())
    period = None if decl is None else decl.kwargs.get("polling_period")
    return int(period) if period else None


def _poller(device: Any) -> Any:
    poller = getattr(getattr(device, "_server", None), "poller", None)
    return poller if poller is not None and poller._started else None


def polling_period(device: Any, kind: str, name: str) -> int | None:
    """The polling period of ``name`` in ms, None when it is not polled."""
    poller = _poller(device)
    if poller is not None:
        found = poller.period_of(device.get_name(), kind, name)
        return None if found is None else int(found)
    pending = device.__dict__.get(_PENDING, {})
    key = (kind, name.lower())
    if key in pending:
        return None if pending[key] is None else int(pending[key])
    return _declared(device, kind, name)


def _apply(poller: Any, servant: Any, kind: str, name: str, period: int | None) -> None:
    """Make the poller poll ``name`` every ``period`` ms (None: stop) now (its loop)."""
    found = poller.find(servant.name, kind, name)
    if period is None:
        if found is not None:
            poller._objects[servant.name.lower()].remove(found)
    elif found is not None:
        found.period = int(period)
    else:
        poller._add(servant, kind, name, int(period))
    poller._schedule(servant.name.lower())


def set_polling(device: Any, kind: str, name: str, period: int | None) -> None:
    """Poll ``name`` every ``period`` ms, or stop polling it (``period`` None)."""
    if period is not None and int(period) < 0:
        raise DevFailed(
            make_error("API_NotSupported", "The polling period must be >= 0", "poll_object")
        )
    poller = _poller(device)
    if poller is None:
        device.__dict__.setdefault(_PENDING, {})[(kind, name.lower())] = period
        return
    servant = device._puretango_servant
    loop = device._server.loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:  # a worker thread
        running = None
    if loop is None or running is loop:
        _apply(poller, servant, kind, name, period)
        return
    done: concurrent.futures.Future[None] = concurrent.futures.Future()

    def run() -> None:
        try:
            _apply(poller, servant, kind, name, period)
            done.set_result(None)
        except BaseException as exc:  # handed to the device's thread
            done.set_exception(exc)

    loop.call_soon_threadsafe(run)
    done.result(timeout=30)


def apply_pending_polling(server: Any) -> None:
    """Give the started poller what the devices set before it ran (on its loop)."""
    poller = server.poller
    for servant in server.device_servants():
        for (kind, name), period in servant.device.__dict__.pop(_PENDING, {}).items():
            try:
                _apply(poller, servant, kind, name, period)
            except DevFailed:
                continue
