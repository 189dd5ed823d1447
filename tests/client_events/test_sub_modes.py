"""PyTango 10.3's subscription modes against a PyTango event server: ``Async`` and
``AsyncRead`` return at once and report the outcome as a ``SubSuccess``/``SubFail`` event;
an unsubscription comes after the events already received and releases the callback."""

from __future__ import annotations

import gc
from typing import Any

from peers.launch import PyTangoServer

import puretango
from puretango import EventReason, EventSubMode, EventType
from puretango._omnithreads import is_omni_thread

from .conftest import EVENT_DEVICE, wait_for


def test_async_subscription_reports_success_without_data(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []
    eid = dev.subscribe_event("pushed", EventType.CHANGE_EVENT, seen.append, EventSubMode.Async)
    assert isinstance(eid, int)
    wait_for(lambda: seen)
    assert seen[0].event_reason == EventReason.SubSuccess
    assert not seen[0].err and seen[0].attr_value is None
    dev.unsubscribe_event(eid)


def test_async_read_subscription_reports_success_with_the_value(evserver: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []
    eid = dev.subscribe_event(
        "pushed", EventType.CHANGE_EVENT, seen.append, sub_mode=EventSubMode.AsyncRead
    )
    wait_for(lambda: seen)
    assert seen[0].event_reason == EventReason.SubSuccess
    assert seen[0].attr_value is not None
    dev.unsubscribe_event(eid)


def test_async_subscription_to_a_missing_attribute_reports_failure(
    evserver: PyTangoServer,
) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []
    eid = dev.subscribe_event("nope", EventType.CHANGE_EVENT, seen.append, EventSubMode.Async)
    wait_for(lambda: seen)
    assert seen[0].event_reason == EventReason.SubFail
    assert seen[0].err and seen[0].errors and seen[0].attr_value is None
    dev.unsubscribe_event(eid)


def test_unsubscribe_after_the_first_event_and_releases_the_callback(
    evserver: PyTangoServer,
) -> None:
    dev = puretango.DeviceProxy(evserver.trl(EVENT_DEVICE))
    seen: list[Any] = []

    def callback(event: Any) -> None:
        seen.append(event)

    before = len(gc.get_referrers(callback))
    eid = dev.subscribe_event("pushed", EventType.CHANGE_EVENT, callback)
    dev.unsubscribe_event(eid)
    assert len(seen) == 1 and seen[0].event_reason == EventReason.SubSuccess
    assert len(gc.get_referrers(callback)) == before


def test_the_main_thread_is_an_omni_thread() -> None:
    assert is_omni_thread()
