"""The GIOP port of a running device server, found from its process id
(:func:`get_server_port_via_pid`, PyTango's ``tango.test_context`` helper).

Linux only and without psutil: the process's listening TCP sockets are the socket inodes
among ``/proc/<pid>/fd`` matched against ``/proc/<pid>/net/tcp`` (and ``tcp6``). Each
candidate port is then probed: a ZeroMQ socket greets a new peer unasked (its signature
starts with ``0xff``), while a GIOP server answers a GIOP ``CloseConnection`` by closing.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

__all__ = ["get_server_port_via_pid", "listening_tcp_ports"]

#: ``st`` column value of a listening socket in ``/proc/net/tcp``
_TCP_LISTEN = "0A"
#: GIOP 1.2 header of a CloseConnection message (type 5), no body
_GIOP_CLOSE_CONNECTION = b"GIOP\x01\x02\x01\x05\x00\x00\x00\x00"
_ZMQ_SIGNATURE_START = b"\xff"


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:  # the fd closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def listening_tcp_ports(pid: int) -> list[int]:
    """The TCP ports process ``pid`` listens on (IPv4 and IPv6), sorted.

    Raises ``OSError`` when the process does not exist (or ``/proc`` is not there).
    """
    inodes = _socket_inodes(pid)
    ports = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            if len(fields) > 9 and fields[3] == _TCP_LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rpartition(":")[2], 16))
    return sorted(ports)


def _speaks_giop(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(0.05)
            try:
                if sock.recv(1).startswith(_ZMQ_SIGNATURE_START):
                    return False  # an unasked greeting: ZeroMQ
            except TimeoutError:
                pass  # silent until spoken to, as a GIOP server is
            sock.settimeout(timeout)
            sock.sendall(_GIOP_CLOSE_CONNECTION)
            return sock.recv(16) == b""
    except OSError:
        return False


def get_server_port_via_pid(pid: int, host: str, retries: int = 400, delay: float = 0.03) -> int:
    """The TCP port on which the device server process ``pid`` accepts GIOP (not its
    ZeroMQ event ports), as PyTango's ``tango.test_context.get_server_port_via_pid``.

    Connects to each port the process listens on (at ``host``), retrying ``retries``
    times ``delay`` seconds apart while the server starts. Raises ``RuntimeError`` when
    no GIOP port shows up in that time.
    """
    last_seen: list[int] = []
    for _ in range(max(1, retries)):
        try:
            last_seen = listening_tcp_ports(pid)
        except OSError as exc:
            raise RuntimeError(f"cannot read the sockets of process {pid}: {exc}") from exc
        for port in last_seen:
            if _speaks_giop(host, port, timeout=1.0):
                return port
        time.sleep(delay)
    raise RuntimeError(
        f"Failed to get GIOP TCP port of process {pid} within {retries * delay:.1f} sec "
        f"(listening ports: {last_seen})"
    )
