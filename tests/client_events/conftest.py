"""Fixtures of the client event tests: the PyTango event peer (``peers/eventdev.py``), a
wait helper, and a clean slate of subscriptions after each test (the consumers are
per process, hub or loop; a test's leftovers must not keep re-subscribing to stopped
servers)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peers.launch import PEERS_DIR, PyTangoServer

from puretango.client import _events, _tangohost

EVENT_DEVICE = "test/ev/1"
#: the devices of :func:`event_server`: a test that needs a device in its initial state takes
#: one of the others
EVENT_DEVICES = [EVENT_DEVICE, "test/ev/2", "test/ev/3"]


@pytest.fixture(autouse=True)
def _no_tango_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TANGO_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(_tangohost, "SYSTEM_TANGORC", tmp_path / "no-tangorc")


@pytest.fixture(autouse=True)
def _forget_subscriptions() -> Iterator[None]:
    yield
    for consumer in list(_events._consumers):
        for sub_id in list(consumer.state.subscriptions):
            consumer.remove(sub_id)


def event_server(port: int | None = None) -> PyTangoServer:
    """A (not started) PyTango server of ``EventDev`` serving :data:`EVENT_DEVICES`."""
    return PyTangoServer(PEERS_DIR / "eventdev.py", "test", EVENT_DEVICES, port=port)


@pytest.fixture(scope="module")
def evserver() -> Iterator[PyTangoServer]:
    with event_server() as server:
        yield server


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.02) -> None:
    """Poll ``predicate`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(step)


def push_until(
    push: Callable[[], object], predicate: Callable[[], object], timeout: float = 10.0
) -> None:
    """Call ``push`` (make the server send an event) until ``predicate`` holds: the first
    event after a subscription may be sent before the server's PUB socket has the topic's
    subscription (ZeroMQ's slow-joiner window, worst on a loaded machine)."""
    deadline = time.monotonic() + timeout
    while True:
        push()
        for _ in range(10):
            if predicate():
                return
            time.sleep(0.03)
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
