"""A TangoTest server of puretango (``python -m puretango.tangotest``) for the tests here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from peers.launch import TANGOTEST_DEVICE as DEVICE
from peers.launch import TangoTestServer

__all__ = ["DEVICE", "TangoTestServer"]


@pytest.fixture(scope="module")
def tangotest_server() -> Iterator[TangoTestServer]:
    with TangoTestServer() as server:
        yield server
