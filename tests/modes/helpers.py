"""Helpers for the green-mode tests: the package under test, thread and socket counting.

``IMPL`` is the package under test, ``puretango`` unless the environment variable
``PURETANGO_MODES_IMPL`` names another one. Setting it to ``tango`` runs the same suites
against PyTango, to check the tests themselves against the reference implementation (the
tests of native single-thread cooperation are expected to fail there: PyTango runs every
green call on a worker thread).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

IMPL_NAME = os.environ.get("PURETANGO_MODES_IMPL", "puretango")
IMPL: ModuleType = importlib.import_module(IMPL_NAME)

#: Upper bound, in seconds, for any single green call made by the suites (a hang fails fast).
CALL_LIMIT = 20.0

_TCP_ESTABLISHED = "01"


def impl_module(flavour: str) -> ModuleType:
    """``IMPL.futures``, ``IMPL.gevent`` or ``IMPL.asyncio`` (imported on demand)."""
    return importlib.import_module(f"{IMPL_NAME}.{flavour}")


def os_thread_count() -> int:
    """Number of OS threads of this process (Linux: entries of /proc/self/task)."""
    return len(os.listdir("/proc/self/task"))


def _socket_inodes() -> set[str]:
    """Inodes of the sockets this process holds open."""
    inodes: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def established_connections(port: int) -> int:
    """Number of ESTABLISHED TCP connections from this process to ``port`` (any address).

    Parses /proc/net/tcp and /proc/net/tcp6 and keeps the sockets whose inode is one of
    this process' file descriptors, so the server side of the same connections (held by
    the server subprocess) is not counted.
    """
    mine = _socket_inodes()
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            if (
                state == _TCP_ESTABLISHED
                and int(remote.rsplit(":", 1)[1], 16) == port
                and inode in mine
            ):
                count += 1
    return count


def proc_available() -> bool:
    """True where /proc gives the thread and socket information the tests need."""
    return os.path.isdir("/proc/self/task") and os.path.exists("/proc/net/tcp")
