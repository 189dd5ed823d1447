"""A plain (not ``async def``) event callback in Asyncio mode still gets its events and is
reported once per function as deprecated, with PyTango's DeprecationWarning and key (the
registry ``tango._warnings._already_warned_keys`` clears it)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from peers.launch import PyTangoServer

from puretango import EventType
from puretango.client._warn import already_warned_keys

from .conftest import EVENT_DEVICE


def test_plain_callback_in_asyncio_mode_warns_once(evserver: PyTangoServer) -> None:
    from puretango.asyncio import DeviceProxy

    seen: list[Any] = []

    def plain_callback(event: Any) -> None:
        seen.append(event)

    async def main() -> None:
        dev = await DeviceProxy(evserver.trl(EVENT_DEVICE))
        event_id = await dev.subscribe_event("pushed", EventType.CHANGE_EVENT, plain_callback)
        for _ in range(250):
            if len(seen) >= 2:
                break
            await dev.PushChange(21.0)
            await asyncio.sleep(0.02)
        await dev.unsubscribe_event(event_id)

    already_warned_keys.clear()
    with pytest.warns(DeprecationWarning, match="Sync .*plain_callback function called") as rec:
        asyncio.run(main())
    assert len(seen) >= 2
    assert len([w for w in rec if "plain_callback" in str(w.message)]) == 1
    assert any("plain_callback" in str(k) for k in already_warned_keys)
