"""Polling configured from device code (PyTango's ``DeviceImpl.poll_attribute``,
``stop_poll_attribute``, ``is_attribute_polled``, ``get_attribute_poll_period`` and their
command forms).

Once the server's :class:`._polling.Poller` has loaded the device, a change is made to it in
place, from whichever thread device code runs on, its tasks rescheduled and the polling
properties stored on the server's event loop. Before that (``init_device`` at start-up) the
device keeps its changes (:func:`with_device_overrides` applies them when the poller loads
it) and answers from them, else from the periods its attributes and commands declare.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["poll_object", "polled_period", "with_device_overrides"]

_OVERRIDES = "_puretango_poll_overrides"


def _loaded(device: Any) -> bool:
    poller = device._server.poller
    return bool(poller._started) and device.get_name().lower() in poller._stored


def _overrides(device: Any) -> dict[tuple[str, str], int | None]:
    found: dict[tuple[str, str], int | None] = device.__dict__.setdefault(_OVERRIDES, {})
    return found


def _declared(device: Any, kind: str, name: str) -> int | None:
    """The period the attribute or command declares (``polling_period=``), or None."""
    key = name.lower()
    if kind == "attribute":
        runtime = device._puretango_servant.attributes.get(key)
        options = runtime.decl.kwargs if runtime is not None else {}
    else:
        decl = type(device)._commands.get(key)
        options = decl.kwargs if decl is not None else {}
    period = options.get("polling_period")
    return int(period) if period else None


def polled_period(device: Any, kind: str, name: str) -> int | None:
    """The polling period (ms) of ``device``'s ``kind`` object ``name``; None if not polled."""
    if not _loaded(device):
        overrides = _overrides(device)
        if (kind, name.lower()) in overrides:
            return overrides[(kind, name.lower())]
        return _declared(device, kind, name)
    found = device._server.poller.find(device.get_name(), kind, name)
    return None if found is None else int(found.period)


def with_device_overrides(
    device: Any, wanted: list[tuple[str, str, int]]
) -> list[tuple[str, str, int]]:
    """``wanted`` (the poller's (kind, name, period) for ``device``) with the changes device
    code made before the poller loaded it."""
    overrides = device.__dict__.get(_OVERRIDES) or {}
    if not overrides:
        return wanted
    kept = [w for w in wanted if (w[0], w[1].lower()) not in overrides]
    return kept + [
        (kind, key, period) for (kind, key), period in overrides.items() if period is not None
    ]


def poll_object(device: Any, kind: str, name: str, period: int | None) -> None:
    """Poll ``device``'s ``kind`` object ``name`` every ``period`` ms (None: stop)."""
    if not _loaded(device):
        _overrides(device)[(kind, name.lower())] = None if period is None else int(period)
        return
    server = device._server
    poller = server.poller
    servant = device._puretango_servant
    dev = servant.name.lower()
    found = poller.find(servant.name, kind, name)
    if period is None:
        if found is None:
            return
        poller._objects.get(dev, []).remove(found)
        key, stored, kind = found.key, None, found.kind
    elif found is not None:
        found.period = int(period)
        key, stored, kind = found.key, str(int(period)), found.kind
    else:
        added = poller._add(servant, kind, name, int(period))
        key, stored, kind = added.key, str(added.period), added.kind
    loop: asyncio.AbstractEventLoop | None = server.loop
    if loop is None:
        return

    async def apply() -> None:
        await poller._store(servant.name, kind, key, stored)
        poller._schedule(dev)

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        running.create_task(apply())
    else:
        asyncio.run_coroutine_threadsafe(apply(), loop)
