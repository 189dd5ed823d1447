"""PyTango 10's checks of a server's push arguments, on our server, seen by a PyTango client:
no data is allowed for State and Status only, and the removed ``dim_x``/``dim_y``
arguments raise ``TypeError`` with PyTango's message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from peers.launch import HOST, free_port, run_pytango_client

from puretango.server import Device, attribute, command
from puretango.server._server import DeviceServer, server_in_thread

pytest.importorskip("tango", reason="PyTango is the reference client")

DEVICE = "ev/push/1"


class PushDev(Device):
    @attribute(dtype=float)
    def attr(self) -> float:
        return 1.0

    @command(dtype_in=str)
    def PushNoData(self, name: str) -> None:
        self.push_change_event(name)

    @command(dtype_out=str)
    def PushWithDims(self) -> str:
        try:
            self.push_change_event("attr", 1.0, 1)
        except TypeError as exc:
            return str(exc)
        return "accepted"


@pytest.fixture(scope="module")
def server() -> Iterator[DeviceServer]:
    srv = DeviceServer("PushDev", "t", [(PushDev, DEVICE, None)], host=HOST, port=free_port())
    thread, _ = server_in_thread(srv)
    try:
        yield srv
    finally:
        srv.request_stop()
        thread.join(10)


def test_push_checks_as_pytango(server: DeviceServer) -> None:
    code = f"""
import tango
dev = tango.DeviceProxy("tango://{HOST}:{server.port}/{DEVICE}#dbase=no")
dev.PushNoData("STaTe")
dev.PushNoData("status")
try:
    dev.PushNoData("attr")
except tango.DevFailed as exc:
    print(exc.args[0].desc)
print(dev.PushWithDims())
"""
    lines = run_pytango_client(code).strip().splitlines()
    assert lines[-2] == (
        "Cannot push event for attribute attr without data. Pushing event without data "
        "parameter is only allowed for State and Status attributes."
    )
    assert "dim_x and dim_y arguments are no longer supported" in lines[-1]
