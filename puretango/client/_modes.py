"""Green-mode runners: how each flavour waits for a client operation.

The engine (:mod:`._engine`) is written once; a runner only decides where the
operation's I/O happens and what the caller gets back:

* Synchronous: the calling thread does the I/O (threaded transport).
* Futures: one process-wide I/O thread runs an asyncio loop; calls become
  ``concurrent.futures.Future`` objects completed from that thread. Submitted operations
  wait in a queue that the loop drains once per burst (one wake-up of the loop, not one
  per call) and run there without a task (:func:`._asyncio.start_op`).
* Gevent: the calling greenlet does the I/O on its hub (:func:`run_sync` with the gevent
  invoke); ``wait=False`` returns a ``gevent.event.AsyncResult`` of the operation driven by
  reply callbacks in the hub (:func:`._gevent.start_op`, no greenlet per call).
* Asyncio: the running loop does the I/O; calls are ``asyncio.Future`` objects, their
  operation started at once and driven by reply callbacks (no task per call). Outside
  a running loop, as in PyTango, a call without ``wait`` starts at once (on the futures I/O
  thread) and returns a future of the thread's event loop, which ``wait=True`` calls run.

Each runner has the signature ``runner(op, wait, timeout)`` and follows PyTango's
rules for ``wait`` (per-mode default) and ``timeout`` (seconds, only when waiting).
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..idl._enums import GreenMode
from . import _sync
from ._engine import Op, run_sync

__all__ = ["RUNNERS", "run_synchronous", "run_futures", "run_asyncio", "run_gevent_mode", "io_loop"]

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


def run_synchronous(op: Op[T], wait: bool | None, timeout: float | None) -> T:
    if wait is False or timeout:
        op.close()
        raise ValueError("Not supported in synchronous mode")
    return run_sync(op, _sync.invoke)


# -- futures: one I/O thread ----------------------------------------------------------

_io_lock = threading.Lock()
_io_loop: asyncio.AbstractEventLoop | None = None


def io_loop() -> asyncio.AbstractEventLoop:
    """The event loop of the process-wide I/O thread (started on first use)."""
    import asyncio

    global _io_loop
    loop = _io_loop
    if loop is None or loop.is_closed():
        with _io_lock:
            loop = _io_loop
            if loop is None or loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="puretango-io", daemon=True)
                thread.start()
                _io_loop = loop
    return loop


# Calls submitted from other threads, drained by the I/O thread: one wake-up of its loop
# per burst of submissions, not one per call.
_submitted: collections.deque[tuple[Op[Any], concurrent.futures.Future[Any]]] = collections.deque()
_drain_pending = False


def submit(op: Op[T]) -> concurrent.futures.Future[T]:
    """Run ``op`` on the I/O thread; the future completes from that thread."""
    global _drain_pending
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    _submitted.append((op, future))
    if not _drain_pending:
        _drain_pending = True
        io_loop().call_soon_threadsafe(_drain, _submitted)
    return future


def _drain(submitted: collections.deque[tuple[Op[Any], concurrent.futures.Future[Any]]]) -> None:
    """On the I/O thread: start every operation submitted since the last drain."""
    global _drain_pending
    from ._asyncio import start_op

    _drain_pending = False  # before taking any: a later submit wakes the loop again
    loop = io_loop()
    popleft = submitted.popleft
    while submitted:
        op, future = popleft()
        if future.set_running_or_notify_cancel():
            start_op(op, loop, _completer(future))
        else:
            op.close()


def _completer(
    future: concurrent.futures.Future[Any],
) -> Callable[[Any, BaseException | None], None]:
    def finish(result: Any, error: BaseException | None) -> None:
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    return finish


def _forget_io_thread() -> None:
    """In a forked child: the I/O thread did not survive; the next call starts another."""
    global _io_loop, _io_lock, _drain_pending, _submitted
    _io_loop = None
    _io_lock = threading.Lock()
    _drain_pending = False
    _submitted = collections.deque()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_io_thread)


def run_futures(op: Op[T], wait: bool | None, timeout: float | None) -> Any:
    future = submit(op)
    if wait is False:
        return future
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        raise TimeoutError(f"no result within {timeout} s") from None


# -- asyncio ---------------------------------------------------------------------------------


def run_asyncio(op: Op[T], wait: bool | None, timeout: float | None) -> Any:
    import asyncio

    from ._asyncio import op_future

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if not wait:
        if loop is None:
            # as PyTango outside a loop: the call starts now (on the I/O thread) and the
            # caller gets a future of this thread's event loop (set if there is none)
            return asyncio.wrap_future(submit(op), loop=_current_loop())
        return op_future(op, loop)
    if loop is not None:
        op.close()
        raise RuntimeError("wait=True is not possible inside a running event loop: use await")
    return _current_loop().run_until_complete(_with_timeout(op, timeout))


async def _with_timeout(op: Op[T], timeout: float | None) -> T:
    import asyncio

    from ._asyncio import run_async

    if timeout is None:
        return await run_async(op)
    return await asyncio.wait_for(run_async(op), timeout)


_local = threading.local()


def _current_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop (asyncio's current one; made and set if there is none)."""
    import asyncio
    import warnings

    loop = getattr(_local, "loop", None)
    if loop is not None and not loop.is_closed():
        return loop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            loop = None
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    _local.loop = loop
    return loop


# -- gevent --------------------------------------------------------------------------------------


def run_gevent_mode(op: Op[T], wait: bool | None, timeout: float | None) -> Any:
    gevent_api = _gevent_api or _load_gevent_api()
    if wait is False:
        result = gevent_api.AsyncResult()

        def finish(value: Any, error: BaseException | None) -> None:
            if error is None:
                result.set(value)
            else:
                result.set_exception(error)

        gevent_api.start_op(op, finish)
        return result
    if timeout is None:
        return run_sync(op, gevent_api.invoke)
    with gevent_api.Timeout(timeout):
        return run_sync(op, gevent_api.invoke)


class _GeventApi:
    """What gevent mode uses of gevent, imported on its first call (not per call)."""

    def __init__(self) -> None:
        from gevent import Timeout
        from gevent.event import AsyncResult

        from ._gevent import invoke_gevent, start_op

        self.Timeout, self.AsyncResult = Timeout, AsyncResult
        self.invoke, self.start_op = invoke_gevent, start_op


_gevent_api: _GeventApi | None = None


def _load_gevent_api() -> _GeventApi:
    global _gevent_api
    _gevent_api = _GeventApi()
    return _gevent_api


RUNNERS = {
    GreenMode.Synchronous: run_synchronous,
    GreenMode.Futures: run_futures,
    GreenMode.Gevent: run_gevent_mode,
    GreenMode.Asyncio: run_asyncio,
}
