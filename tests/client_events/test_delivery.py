"""Delivery rules: a raising callback does not stop delivery, unsubscribing from inside a
callback works, dropping (or unsubscribing) one proxy never ends another proxy's
subscription to the same attribute, the pull model (queue size instead of a callback), a
slow callback never blocks the socket (bounded dispatch queue, dropped events counted),
and a refused subscription raises as PyTango's does."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import pytest
from peers.launch import PyTangoServer

import puretango
from puretango import DevFailed, EventType, TimeVal
from puretango.client._events import dropped_event_count

from .conftest import EVENT_DEVICE, push_until, wait_for


def _values(events: list[Any]) -> list[Any]:
    return [e.attr_value.value for e in events if e.attr_value is not None]


def test_a_raising_callback_does_not_stop_delivery(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []

    def callback(event: Any) -> None:
        seen.append(event)
        raise RuntimeError("callback failure")

    dev.subscribe_event("pushed", EventType.USER_EVENT, callback)
    push_until(lambda: dev.PushUser(21.0), lambda: 21.0 in _values(seen))
    dev.PushUser(22.0)
    wait_for(lambda: _values(seen)[-2:] == [21.0, 22.0])


def test_unsubscribe_inside_the_callback(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []
    ids: list[int] = []

    def callback(event: Any) -> None:
        seen.append(event)
        if _values([event]) == [31.0]:
            dev.unsubscribe_event(ids[0])

    ids.append(dev.subscribe_event("pushed", EventType.USER_EVENT, callback))
    push_until(lambda: dev.PushUser(31.0), lambda: 31.0 in _values(seen))
    with pytest.raises(KeyError):
        dev.unsubscribe_event(ids[0])
    dev.PushUser(32.0)
    time.sleep(0.3)
    assert 32.0 not in _values(seen)


def test_dropping_one_proxy_keeps_the_other_subscribed(evserver: PyTangoServer) -> None:
    trl = evserver.trl(EVENT_DEVICE)
    first, second, third = (puretango.DeviceProxy(trl) for _ in range(3))
    kept: list[Any] = []
    first.subscribe_event("pushed", EventType.CHANGE_EVENT, lambda e: None)
    gone = second.subscribe_event("pushed", EventType.CHANGE_EVENT, lambda e: None)
    third.subscribe_event("pushed", EventType.CHANGE_EVENT, kept.append)
    del first
    gc.collect()
    second.unsubscribe_event(gone)
    push_until(lambda: second.PushChange(41.0), lambda: 41.0 in _values(kept))


def test_pull_model(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    event_id = dev.subscribe_event("pushed", EventType.USER_EVENT, 3)
    wait_for(lambda: dev.get_event_number(event_id) == 1)  # the subscription's read
    push_until(lambda: dev.PushUser(50.0), lambda: dev.get_event_number(event_id) > 1)
    for value in (51.0, 52.0, 53.0, 54.0):
        dev.PushUser(value)
    wait_for(lambda: _values(list(dev._event_subs()[event_id].find(event_id).queue))[-1] == 54.0)
    assert not dev.is_event_queue_empty(event_id)
    assert isinstance(dev.get_last_event_date(event_id), TimeVal)
    assert dev.get_last_event_date(event_id).totime() > time.time() - 60
    assert _values(dev.get_events(event_id)) == [52.0, 53.0, 54.0]  # the ring keeps 3
    assert dev.is_event_queue_empty(event_id)
    dev.PushUser(55.0)
    wait_for(lambda: dev.event_queue_size(event_id) == 1)
    pulled: list[Any] = []
    dev.get_events(event_id, pulled.append)
    assert _values(pulled) == [55.0]


def test_a_slow_callback_does_not_block_the_socket(
    evserver: PyTangoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PURETANGO_EVENT_DISPATCH_QUEUE", "2")
    from puretango.asyncio import DeviceProxy

    async def main() -> None:
        dev = await DeviceProxy(evserver.trl(EVENT_DEVICE))
        slow_seen: list[Any] = []

        async def slow(event: Any) -> None:
            slow_seen.append(event)
            await asyncio.sleep(0.3)

        dropped = dropped_event_count()
        await dev.subscribe_event("pushed", EventType.USER_EVENT, slow)
        pull = await dev.subscribe_event("pushed", EventType.USER_EVENT, 100)
        for value in range(10):
            await dev.PushUser(float(value))
        for _ in range(250):
            if _values(list(dev._event_subs()[pull].find(pull).queue))[-1:] == [9.0]:
                break
            await asyncio.sleep(0.02)
        # all ten reached the socket reader while the slow callback was still busy
        assert _values(dev.get_events(pull))[-10:] == [float(v) for v in range(10)]
        assert len(slow_seen) < 5
        assert dropped_event_count() > dropped

    asyncio.run(main())


def test_a_refused_subscription_raises_as_pytango(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    with pytest.raises(DevFailed) as info:  # "polled" has no archive criteria set
        dev.subscribe_event("polled", EventType.ARCHIVE_EVENT, lambda e: None)
    reasons = [e.reason for e in info.value.args]
    assert reasons[-2:] == ["API_CommandFailed", "API_DSFailedRegisteringEvent"]
    assert dev._event_subs() == {}
