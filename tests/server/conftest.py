"""Fixtures for the server suites: TypeDev served by PyTango and by ``puretango.server``.

Both servers run the same device (``peers/typedev.py``; ``peers/typedev_pure.py`` executes
that file on puretango), each in its own subprocess, bound to 127.0.0.1 in ``-nodb`` mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("tango", reason="PyTango is the reference server and client")

from peers.launch import PEERS_DIR, PyTangoServer, typedev_server  # noqa: E402

PURE_TYPEDEV_SCRIPT = PEERS_DIR / "typedev_pure.py"
DEVICES = ["test/type/1", "test/type/2"]


def pure_typedev_server(
    devices: list[str] | None = None, instance: str = "test", port: int | None = None
) -> PyTangoServer:
    """A (not yet started) server process for ``typedev_pure.py`` (the launcher is generic)."""
    return PyTangoServer(PURE_TYPEDEV_SCRIPT, instance, devices or DEVICES[:1], port=port)


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
