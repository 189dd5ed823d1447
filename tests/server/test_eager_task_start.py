"""The asyncio server runs each request's first step at once, inside the request's own
task (:func:`puretango.server._eager_task.start_task_now`): device code sees its task
(``asyncio.current_task()``, ``asyncio.timeout()``), runs within the read callback of the
connection (no extra loop iteration), and a request still waiting when its connection is
lost is cancelled."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from puretango import DeviceProxy
from puretango.giop import CODE_SETS_CONTEXT, Request, encode_message
from puretango.giop import Any as CorbaAny
from puretango.giop._typecode import tc_for_primitive
from puretango.idl import OPERATIONS
from puretango.idl._enums import GreenMode
from puretango.server import Device, DeviceServer, command
from puretango.server._eager_task import start_task_now
from puretango.server._server import server_in_thread


def _stack_names() -> set[str]:
    frame = sys._getframe(1)
    names = set()
    while frame is not None:
        names.add(frame.f_code.co_name)
        frame = frame.f_back  # type: ignore[assignment]
    return names


class TaskDev(Device):
    green_mode = GreenMode.Asyncio

    def init_device(self) -> None:
        super().init_device()
        self.cancelled = asyncio.Event()
        self.started = 0

    @command(dtype_out=(str,))
    async def WhereAmI(self) -> list[str]:  # noqa: N802 - a Tango command name
        task = asyncio.current_task()
        coro = task.get_coro() if task is not None else None
        in_read_callback = "buffer_updated" in _stack_names()
        return [
            getattr(coro, "__name__", "no task"),
            "in read callback" if in_read_callback else "next loop iteration",
        ]

    @command(dtype_in=float, dtype_out=float)
    async def Bounded(self, seconds: float) -> float:  # noqa: N802
        try:
            async with _timeout(0.05):
                await asyncio.sleep(seconds)
        except TimeoutError:
            return -1.0
        return seconds

    @command(dtype_in=float)
    async def Sleep(self, seconds: float) -> None:  # noqa: N802
        self.started += 1
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise

    @command(dtype_out=bool)
    async def WasCancelled(self) -> bool:  # noqa: N802
        return self.cancelled.is_set()


def _timeout(seconds: float) -> Any:
    if sys.version_info >= (3, 11):
        return asyncio.timeout(seconds)
    return _WaitFor(seconds)  # pragma: no cover - 3.10


class _WaitFor:
    """``asyncio.timeout`` for 3.10 (cancels the current task after ``seconds``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handle = asyncio.get_running_loop().call_later(self.seconds, task.cancel)

    async def __aexit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        self.handle.cancel()
        if kind is asyncio.CancelledError:
            raise TimeoutError
        return False


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[DeviceServer, DeviceProxy]]:
    server = DeviceServer("TaskDev", "t", [(TaskDev, "test/task/1", None)], host="127.0.0.1")
    thread, _ = server_in_thread(server)
    try:
        yield server, DeviceProxy(f"tango://127.0.0.1:{server.port}/test/task/1#dbase=no")
    finally:
        server.request_stop()
        thread.join(10)


def test_device_code_runs_in_its_task_within_the_read_callback(
    served: tuple[DeviceServer, DeviceProxy],
) -> None:
    _, proxy = served
    assert list(proxy.command_inout("WhereAmI")) == ["_respond", "in read callback"]


def test_timeouts_work_in_device_code(served: tuple[DeviceServer, DeviceProxy]) -> None:
    _, proxy = served
    assert proxy.command_inout("Bounded", 5.0) == -1.0
    assert proxy.command_inout("Bounded", 0.001) == 0.001


def test_a_waiting_request_is_cancelled_when_its_connection_is_lost(
    served: tuple[DeviceServer, DeviceProxy],
) -> None:
    server, proxy = served
    op = OPERATIONS["command_inout"]
    seconds = CorbaAny(tc_for_primitive("double"), 30.0)
    message = Request(
        request_id=1,
        object_key=b"test/task/1",
        operation="command_inout",
        service_contexts=(CODE_SETS_CONTEXT,),
        body=lambda enc: op.write_args(enc, ["Sleep", seconds]),
    )
    device = server.servants[b"test/task/1"].device
    assert isinstance(device, TaskDev)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(bytes(encode_message(message)))
        deadline = time.monotonic() + 5
        while device.started == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert device.started == 1
    deadline = time.monotonic() + 5
    while not proxy.command_inout("WasCancelled") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proxy.command_inout("WasCancelled")


def test_start_task_now_runs_the_first_step_in_the_task_on_an_idle_loop() -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        log: list[Any] = []
        tasks: list[asyncio.Task[None]] = []
        fired = asyncio.Event()

        async def request(tag: str) -> None:
            log.append((tag, "first step", asyncio.current_task() is not None))
            await asyncio.sleep(0)
            log.append((tag, "resumed"))

        def from_a_timer() -> None:  # nothing else is ready: the loop is idle
            done_at_once = start_task_now(loop, _returns_at_once())
            log.append(("never waits", done_at_once.done()))
            tasks.append(start_task_now(loop, request("idle loop")))
            log.append(("idle loop", "started", tasks[-1].done(), "call_soon" in vars(loop)))
            # the first request's resumption is queued now: the loop is busy
            tasks.append(start_task_now(loop, request("busy loop")))
            log.append(("busy loop", "started", tasks[-1].done()))
            fired.set()

        loop.call_later(0.01, from_a_timer)
        await fired.wait()
        await asyncio.gather(*tasks)
        return log

    assert asyncio.run(main()) == [
        ("never waits", True),
        ("idle loop", "first step", True),
        ("idle loop", "started", False, False),
        ("busy loop", "started", False),
        ("idle loop", "resumed"),
        ("busy loop", "first step", True),
        ("busy loop", "resumed"),
    ]


async def _returns_at_once() -> None:
    return None
