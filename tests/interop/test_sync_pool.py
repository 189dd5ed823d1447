"""The threaded transport's connections to one endpoint (a PyTango server): one while
calls are sequential, a few (up to ``_sync.MAX_CONNECTIONS``) when many threads have calls
in flight; and a call's first read bounded by the socket's receive timeout.

Connections are counted from the kernel's table (``/proc/net/tcp``): the established TCP
connections of this process to the server's port, less those open before the test (other
transports of the session, e.g. the futures I/O thread's, may keep one).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer

import puretango as tango
from puretango.client import _sync

from .conftest import DEVICES

_ESTABLISHED = "01"


def _connections_to(port: int) -> int:
    """Established TCP connections of this process to 127.0.0.1:``port``."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[3] == _ESTABLISHED and fields[9] in inodes:
                count += 1
    return count


class _Endpoint:
    """The server's port and the count of connections to it that the test did not open."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.others = _connections_to(port)

    def connections(self) -> int:
        """Connections the threaded transport opened to the server during the test."""
        return _connections_to(self.port) - self.others


@pytest.fixture
def fresh_endpoint(typedev: PyTangoServer) -> Iterator[_Endpoint]:
    """The server's endpoint, the threaded transport's connections to it closed first and
    after."""
    key = ("127.0.0.1", typedev.port)

    def close() -> None:
        endpoint = _sync._endpoints.pop(key, None)
        if endpoint is not None:
            endpoint.close()

    close()
    yield _Endpoint(typedev.port)
    close()


def test_sequential_calls_use_one_connection(
    fresh_endpoint: _Endpoint, typedev: PyTangoServer
) -> None:
    proxies = [tango.DeviceProxy(typedev.trl(d)) for d in DEVICES]
    for _ in range(20):
        for proxy in proxies:
            assert proxy.state() == tango.DevState.ON
            proxy.read_attribute("double_scalar_ro")
    assert fresh_endpoint.connections() == 1
    assert len(_sync._endpoints[("127.0.0.1", fresh_endpoint.port)].channels) == 1


def _run_threads(trl: str, n_threads: int, seconds: float) -> list[BaseException]:
    proxy = tango.DeviceProxy(trl)
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(10)
            proxy.command_inout("Sleep", seconds)
            assert (
                proxy.read_attribute("long_scalar_ro").value
                == tv.by_attr_name("long_scalar_ro").read
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_calls_open_a_few_connections(
    fresh_endpoint: _Endpoint, typedev: PyTangoServer
) -> None:
    errors = _run_threads(typedev.trl(DEVICES[0]), 20, 0.05)
    assert not errors, errors[:3]
    opened = fresh_endpoint.connections()
    assert 1 < opened <= _sync.MAX_CONNECTIONS
    assert opened == len(_sync._endpoints[("127.0.0.1", fresh_endpoint.port)].channels)


def test_the_connection_limit_can_be_set(
    fresh_endpoint: _Endpoint, typedev: PyTangoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sync, "MAX_CONNECTIONS", 2)
    errors = _run_threads(typedev.trl(DEVICES[1]), 12, 0.05)
    assert not errors, errors[:3]
    assert fresh_endpoint.connections() == 2


def test_a_lone_call_times_out_in_its_first_read(
    fresh_endpoint: _Endpoint, typedev: PyTangoServer
) -> None:
    proxy = tango.DeviceProxy(typedev.trl(DEVICES[0]))
    proxy.set_timeout_millis(200)
    with pytest.raises(tango.CommunicationFailed) as info:
        proxy.read_attribute(tv.SLOW_ATTR)
    assert info.value.args[-1].reason == "API_DeviceTimedOut"
    proxy.set_timeout_millis(3000)  # a new receive timeout: the late reply is dropped
    assert proxy.read_attribute(tv.SLOW_ATTR).value == tv.SLOW_ATTR_VALUE
    channel = _sync.get_channel("127.0.0.1", fresh_endpoint.port)
    assert channel._rcvtimeo[1] == 3.0
