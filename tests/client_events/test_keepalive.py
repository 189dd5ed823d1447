"""Keep-alive against a PyTango server that stops and comes back on the same port: the lost
heartbeat is an ``API_EventTimeout`` error event, the subscription comes back by itself, and
a stateless subscription made while the server is down delivers error events until the
server is up, then events. Short periods through ``PURETANGO_EVENT_HEARTBEAT_TIMEOUT`` and
``PURETANGO_EVENT_RETRY_PERIOD``."""

from __future__ import annotations

from typing import Any

import pytest
from peers.launch import PyTangoServer

import puretango
from puretango import EventReason, EventType

from .conftest import EVENT_DEVICE, event_server, wait_for


def _values(events: list[Any]) -> list[Any]:
    return [e.attr_value.value for e in events if e.attr_value is not None]


def test_heartbeat_loss_and_resubscription_after_a_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", "3")
    monkeypatch.setenv("PURETANGO_EVENT_RETRY_PERIOD", "0.5")
    server = event_server().start()
    try:
        dev = puretango.DeviceProxy(server.trl(EVENT_DEVICE))
        seen: list[Any] = []
        dev.subscribe_event("pushed", EventType.CHANGE_EVENT, seen.append)
        wait_for(lambda: len(seen) == 1)
        assert seen[0].event_reason == EventReason.SubSuccess
        stopped_at = len(seen)
        server.stop()
        wait_for(
            lambda: any(
                e.err and e.errors[0].reason == "API_EventTimeout" for e in seen[stopped_at:]
            )
        )
        assert seen[-1].attr_value is None and seen[-1].event == "change"

        later: list[Any] = []
        dev.subscribe_event("pushed", EventType.USER_EVENT, later.append, stateless=True)
        wait_for(lambda: any(e.err for e in later))
        assert later[0].event_reason == EventReason.SubFail

        server.start()

        def resumed() -> bool:
            dev.PushChange(61.0)
            dev.PushUser(62.0)
            return 61.0 in _values(seen) and 62.0 in _values(later)

        wait_for(resumed, timeout=20, step=0.3)
    finally:
        server.stop()


def _timeout_after(events: list[Any], start: int) -> bool:
    return any(e.err and e.errors[0].reason == "API_EventTimeout" for e in events[start:])


def test_gevent_mode_resubscribes_after_a_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    import gevent

    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", "3")
    monkeypatch.setenv("PURETANGO_EVENT_RETRY_PERIOD", "0.5")

    def wait(predicate: Any, timeout: float = 10, step: float = 0.05) -> None:
        for _ in range(int(timeout / step)):
            if predicate():
                return
            gevent.sleep(step)
        pytest.fail(f"condition not met within {timeout} s")

    server = event_server().start()
    try:
        dev = puretango.DeviceProxy(server.trl(EVENT_DEVICE), green_mode=puretango.GreenMode.Gevent)
        seen: list[Any] = []
        dev.subscribe_event("pushed", EventType.CHANGE_EVENT, seen.append)
        wait(lambda: len(seen) == 1)
        server.stop()
        wait(lambda: _timeout_after(seen, 1))
        server.start()

        def resumed() -> bool:
            dev.PushChange(71.0)
            return 71.0 in _values(seen)

        wait(resumed, timeout=20, step=0.3)
    finally:
        server.stop()


def test_asyncio_mode_resubscribes_after_a_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from puretango.asyncio import DeviceProxy

    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", "3")
    monkeypatch.setenv("PURETANGO_EVENT_RETRY_PERIOD", "0.5")

    async def wait(predicate: Any, timeout: float = 10, step: float = 0.05) -> None:
        for _ in range(int(timeout / step)):
            if await predicate():
                return
            await asyncio.sleep(step)
        pytest.fail(f"condition not met within {timeout} s")

    async def main() -> None:
        dev = await DeviceProxy(server.trl(EVENT_DEVICE))
        seen: list[Any] = []

        async def callback(event: Any) -> None:
            seen.append(event)

        await dev.subscribe_event("pushed", EventType.CHANGE_EVENT, callback)

        async def first() -> bool:
            return len(seen) == 1

        async def timed_out() -> bool:
            return _timeout_after(seen, 1)

        async def resumed() -> bool:
            await dev.PushChange(81.0)
            return 81.0 in _values(seen)

        await wait(first)
        server.stop()
        await wait(timed_out)
        server.start()
        await wait(resumed, timeout=20, step=0.3)

    server = event_server().start()
    try:
        asyncio.run(main())
    finally:
        server.stop()


def test_subscriptions_are_confirmed(
    evserver: PyTangoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from puretango.client import _events

    monkeypatch.setenv("PURETANGO_EVENT_CONFIRM_PERIOD", "0.3")
    answers: list[Any] = []
    real = _events.g_confirm

    def recording(admin: Any, argin: list[str]) -> Any:
        answers.append(argin)
        answers.append((yield from admin._g_command_inout("EventConfirmSubscription", argin)))
        return (yield from real(admin, argin))

    monkeypatch.setattr(_events, "g_confirm", recording)
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    dev.subscribe_event("pushed", EventType.CHANGE_EVENT, lambda e: None)
    dev.subscribe_event("pushed", EventType.USER_EVENT, lambda e: None)
    wait_for(lambda: len(answers) >= 2)
    assert answers[0] == [
        EVENT_DEVICE,
        "pushed",
        "idl5_change",
        EVENT_DEVICE,
        "pushed",
        "idl5_user_event",
    ]
    assert answers[1] is None  # the server accepted the confirmation
