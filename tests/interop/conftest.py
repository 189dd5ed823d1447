"""Fixtures for the interop tests, both directions: a real PyTango ``TypeDev`` server driven
by our proxies, and the same TypeDev served by PyTango and by ``puretango.server`` side by
side for a real PyTango client (``peers/typedev_pure.py`` executes ``peers/typedev.py`` on
puretango), each in its own subprocess, bound to 127.0.0.1 in ``-nodb`` mode."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("tango", reason="PyTango is the interop reference peer")

from peers.launch import PyTangoServer, pure_typedev_server, typedev_server  # noqa: E402

import puretango  # noqa: E402

DEVICES = ["test/type/1", "test/type/2"]


@pytest.fixture(scope="session")
def typedev() -> Iterator[PyTangoServer]:
    """A PyTango server of two TypeDev devices, shared by the session."""
    server = typedev_server(DEVICES, instance="interop")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dev(typedev: PyTangoServer) -> Iterator[puretango.DeviceProxy]:
    """Our proxy to ``test/type/1``, with the device's values reset first."""
    proxy = puretango.DeviceProxy(typedev.trl(DEVICES[0]))
    proxy.command_inout("Reset")
    yield proxy


@pytest.fixture(scope="session")
def typedev_pair() -> Iterator[tuple[PyTangoServer, PyTangoServer]]:
    """(PyTango TypeDev, puretango TypeDev), started in parallel once per session."""
    servers = (typedev_server(DEVICES, instance="vs"), pure_typedev_server(DEVICES, instance="vs"))
    with ThreadPoolExecutor(2) as pool:
        started = [pool.submit(s.start) for s in servers]
        errors = [f.exception() for f in started]
    try:
        for error in errors:
            if error is not None:
                raise error
        yield servers
    finally:
        for server in servers:
            server.stop()
