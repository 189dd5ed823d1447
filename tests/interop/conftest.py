"""Fixtures for interop tests: a real PyTango ``TypeDev`` server and our proxies to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("tango", reason="PyTango is the interop reference peer")

from peers.launch import PyTangoServer, typedev_server  # noqa: E402

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
