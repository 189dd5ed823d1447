"""A TangoTest server of puretango (``python -m puretango.tangotest``) for the tests here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers.launch import HOST, PyTangoServer

DEVICE = "sys/tg_test/1"


class TangoTestServer(PyTangoServer):
    """``python -m puretango.tangotest INSTANCE -nodb -ORBendPoint ... -dlist ...``."""

    def __init__(self, instance: str = "test", devices: list[str] | None = None) -> None:
        super().__init__(Path("-m"), instance, devices or [DEVICE])

    def command_line(self) -> list[str]:
        return [
            sys.executable, "-m", "puretango.tangotest", self.instance, "-nodb",
            "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}", "-dlist", ",".join(self.devices),
        ]  # fmt: skip


@pytest.fixture(scope="module")
def tangotest_server() -> Iterator[TangoTestServer]:
    with TangoTestServer() as server:
        yield server
