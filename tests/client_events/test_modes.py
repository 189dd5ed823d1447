"""Where callbacks run in each green mode, and the one-thread promise of gevent and asyncio
(100 subscriptions served without a thread of our own): a dispatch thread in synchronous
and futures modes, a greenlet of the hub in gevent mode, the running loop in asyncio mode
(coroutine callbacks awaited, plain ones called)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from peers.launch import PyTangoServer

import puretango
from puretango import EventType, GreenMode

from .conftest import EVENT_DEVICE, push_until, wait_for

PUSHED_KINDS = [
    EventType.CHANGE_EVENT,
    EventType.ARCHIVE_EVENT,
    EventType.USER_EVENT,
    EventType.DATA_READY_EVENT,
]


def _value(event: Any) -> Any:
    return None if event.attr_value is None else event.attr_value.value


def test_synchronous_callbacks_run_in_the_dispatch_thread(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[tuple[str, Any]] = []
    dev.subscribe_event(
        "pushed",
        EventType.CHANGE_EVENT,
        lambda e: seen.append((threading.current_thread().name, e)),
    )
    push_until(lambda: dev.PushChange(11.0), lambda: any(_value(e) == 11.0 for _, e in seen))
    assert {name for name, _ in seen} == {"puretango-events"}


def test_futures_callbacks_run_in_the_dispatch_thread(evserver: PyTangoServer) -> None:
    from puretango.futures import DeviceProxy

    dev = DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[tuple[str, Any]] = []

    class Callback:
        def push_event(self, event: Any) -> None:
            seen.append((threading.current_thread().name, event))

    event_id = dev.subscribe_event("pushed", EventType.CHANGE_EVENT, Callback())
    assert isinstance(event_id, int)
    push_until(lambda: dev.PushChange(12.0), lambda: any(_value(e) == 12.0 for _, e in seen))
    assert {name for name, _ in seen} == {"puretango-events"}


def test_gevent_callbacks_run_in_greenlets_100_subscriptions_one_thread(
    evserver: PyTangoServer,
) -> None:
    import gevent

    threads = threading.active_count()
    main = gevent.getcurrent()
    trl = evserver.trl(EVENT_DEVICE)
    proxies = [puretango.DeviceProxy(trl, green_mode=GreenMode.Gevent) for _ in range(25)]
    seen: list[tuple[Any, int, Any]] = []

    def callback(event: Any) -> None:
        seen.append((gevent.getcurrent(), threading.get_ident(), event))

    ids = [p.subscribe_event("pushed", kind, callback) for p in proxies for kind in PUSHED_KINDS]
    assert len(set(ids)) == 100
    proxies[0].PushChange(13.0)
    proxies[0].PushDataReady(13)

    def arrived() -> bool:
        gevent.sleep(0.02)
        changes = [e for _, _, e in seen if e.event == "change" and _value(e) == 13.0]
        ready = [e for _, _, e in seen if e.event == "data_ready" and e.ctr == 13]
        return len(changes) == 25 and len(ready) == 25

    wait_for(arrived, step=0)
    assert threading.active_count() == threads
    assert {ident for _, ident, _ in seen} == {threading.get_ident()}
    assert main not in {g for g, _, _ in seen}
    for p, event_id in zip([p for p in proxies for _ in PUSHED_KINDS], ids):
        p.unsubscribe_event(event_id)


def test_asyncio_callbacks_run_on_the_loop_100_subscriptions_one_thread(
    evserver: PyTangoServer,
) -> None:
    from puretango.asyncio import DeviceProxy

    threads = threading.active_count()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        trl = evserver.trl(EVENT_DEVICE)
        proxies = [await DeviceProxy(trl) for _ in range(25)]
        seen: list[tuple[Any, str, Any]] = []

        async def coroutine_callback(event: Any) -> None:
            await asyncio.sleep(0)
            seen.append((asyncio.get_running_loop(), "coroutine", event))

        def plain_callback(event: Any) -> None:
            seen.append((asyncio.get_running_loop(), "plain", event))

        ids = []
        for i, p in enumerate(proxies):
            for kind in PUSHED_KINDS:
                cb = coroutine_callback if i % 2 else plain_callback
                ids.append(await p.subscribe_event("pushed", kind, cb))
        assert len(set(ids)) == 100
        await proxies[0].PushChange(14.0)
        await proxies[0].PushDataReady(14)
        for _ in range(500):
            changes = [s for s in seen if s[2].event == "change" and _value(s[2]) == 14.0]
            if len(changes) == 25:
                break
            await asyncio.sleep(0.02)
        assert len(changes) == 25
        assert {kind for _, kind, _ in changes} == {"coroutine", "plain"}
        assert {lp for lp, _, _ in seen} == {loop}
        assert threading.active_count() == threads
        for p, event_id in zip([p for p in proxies for _ in PUSHED_KINDS], ids):
            await p.unsubscribe_event(event_id)

    asyncio.run(main())
