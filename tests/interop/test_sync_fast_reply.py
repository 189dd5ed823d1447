"""The threaded transport's fast path against a real PyTango server: a caller alone on
its connection whose first ``recv`` brings exactly its plain reply takes it with
``GiopConnection.take_reply`` (no generic dispatch); a DevFailed, a CORBA system
exception, a reply larger than one read, and a late reply to a timed-out call go the
generic way, with the results and errors they always had.

``take_reply`` is observed through a spy that records what each call of it returned.

``ping``, ``state`` and ``read_attribute`` of a proxy without a Database, called
synchronously without ``wait`` or ``timeout``, run their plain twins (no generator, no
runner); every other call runs the generator operation as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer

import puretango as tango
from puretango.giop import GiopConnection, Reply

from .conftest import DEVICES

_take_reply = GiopConnection.take_reply


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Each take_reply's outcome while the test runs: True when it took the reply."""
    outcomes: list[bool] = []

    def spy(self: GiopConnection, request_id: int, nbytes: int) -> Reply | None:
        reply = _take_reply(self, request_id, nbytes)
        outcomes.append(reply is not None)
        return reply

    monkeypatch.setattr(GiopConnection, "take_reply", spy)
    yield outcomes


@pytest.fixture
def proxy(typedev: PyTangoServer) -> tango.DeviceProxy:
    proxy = tango.DeviceProxy(typedev.trl(DEVICES[1]))
    proxy.ping()
    return proxy


def test_ping_state_and_read_take_the_fast_path(
    proxy: tango.DeviceProxy, taken: list[bool]
) -> None:
    assert proxy.ping() >= 0
    assert proxy.state() == tango.DevState.ON
    assert proxy.status() == tv.DEVICE_STATUS
    first = proxy.read_attribute(tv.COUNTER_ATTR).value
    assert proxy.read_attribute(tv.COUNTER_ATTR).value == first + 1
    assert taken == [True] * 5


def test_a_devfailed_goes_the_generic_way(proxy: tango.DeviceProxy, taken: list[bool]) -> None:
    proxy.command_query(tv.FAIL_COMMAND)  # known from now on: Fail is one call
    taken.clear()
    with pytest.raises(tango.DevFailed) as failed:
        proxy.command_inout(tv.FAIL_COMMAND)
    assert failed.value.args[0].reason == tv.FAIL_REASON
    assert taken == [False]
    proxy.ping()
    assert taken == [False, True]


def test_a_system_exception_goes_the_generic_way(typedev: PyTangoServer, taken: list[bool]) -> None:
    with pytest.raises(tango.ConnectionFailed):
        tango.DeviceProxy(typedev.trl("no/such/device"))
    assert taken and taken[-1] is False


def test_a_reply_larger_than_one_read_goes_the_generic_way(
    proxy: tango.DeviceProxy, taken: list[bool]
) -> None:
    value = proxy.read_attribute(tv.BIG_SPECTRUM_ATTR).value
    assert (value == tv.big_spectrum()).all()
    assert taken == [False]


def test_a_late_reply_goes_the_generic_way(proxy: tango.DeviceProxy, taken: list[bool]) -> None:
    proxy.set_timeout_millis(200)
    try:
        with pytest.raises(tango.CommunicationFailed):
            proxy.command_inout(tv.SLEEP_COMMAND, 0.5)
    finally:
        proxy.set_timeout_millis(3000)
    # the next call's first read may bring the late reply: dropped, then its own comes
    assert proxy.state() == tango.DevState.ON
    assert proxy.read_attribute(tv.COUNTER_ATTR).value >= 1


@pytest.fixture
def generators(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The generator operations the proxies' green methods built while the test runs."""
    built: list[object] = []
    make_op = tango.DeviceProxy._op

    def spy(self: tango.DeviceProxy, make: Any) -> Any:
        op = make_op(self, make)
        built.append(op)
        return op

    monkeypatch.setattr(tango.DeviceProxy, "_op", spy)
    yield built


def test_plain_synchronous_calls_run_no_generator(
    proxy: tango.DeviceProxy, generators: list[object], taken: list[bool]
) -> None:
    assert proxy.ping() >= 0
    assert proxy.state(green_mode=tango.GreenMode.Synchronous) == tango.DevState.ON
    assert proxy.read_attribute(tv.COUNTER_ATTR).value >= 1
    with pytest.raises(tango.DevFailed) as failed:
        proxy.read_attribute(tv.DEVFAILED_ATTR)
    assert failed.value.args[0].reason == tv.DEVFAILED_ATTR_REASON
    assert generators == []
    assert taken == [True] * 4
    assert proxy.status() == tv.DEVICE_STATUS  # no plain twin
    assert len(generators) == 1


def test_calls_with_wait_or_timeout_run_the_generator(
    proxy: tango.DeviceProxy, generators: list[object]
) -> None:
    assert proxy.state(wait=True) == tango.DevState.ON
    assert proxy.read_attribute(tv.COUNTER_ATTR, wait=True).value >= 1
    with pytest.raises(ValueError):  # as PyTango: no timeout in synchronous mode
        proxy.ping(timeout=2)
    assert len(generators) == 3
