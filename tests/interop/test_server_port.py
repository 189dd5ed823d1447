"""``get_server_port_via_pid`` finds the GIOP port of a running server process, not its
ZeroMQ event ports: of a PyTango server (which binds its ZeroMQ ports at start-up) and of
a puretango server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from peers.launch import HOST, PyTangoServer

from puretango._server_port import get_server_port_via_pid, listening_tcp_ports

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc")


def test_finds_the_giop_port_of_a_pytango_server(typedev: PyTangoServer) -> None:
    assert typedev.pid is not None
    ports = listening_tcp_ports(typedev.pid)
    assert typedev.port in ports
    assert len(ports) > 1  # the ZeroMQ ports are there too, and are told apart
    assert get_server_port_via_pid(typedev.pid, HOST) == typedev.port


def test_finds_the_giop_port_of_a_puretango_server(
    typedev_pair: tuple[PyTangoServer, PyTangoServer],
) -> None:
    _, pure = typedev_pair
    assert pure.pid is not None
    assert get_server_port_via_pid(pure.pid, HOST) == pure.port


_SILENT_LISTENER = (
    "import socket, time\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', 0))\n"
    "s.listen()\n"
    "print(s.getsockname()[1], flush=True)\n"
    "time.sleep(60)\n"
)


def test_a_process_without_a_giop_port_is_reported() -> None:
    listener = subprocess.Popen(
        [sys.executable, "-c", _SILENT_LISTENER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert listener.stdout is not None
        port = int(listener.stdout.readline())
        assert listening_tcp_ports(listener.pid) == [port]
        with pytest.raises(RuntimeError, match="GIOP TCP port"):
            get_server_port_via_pid(listener.pid, HOST, retries=2, delay=0.01)
    finally:
        listener.kill()
        listener.wait()


def test_a_missing_process_is_reported() -> None:
    with pytest.raises(RuntimeError, match="cannot read the sockets"):
        get_server_port_via_pid(2**22 + 7, HOST, retries=2, delay=0.01)
