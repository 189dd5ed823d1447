"""The bridge between the server's event loop and device code: where user code runs, and
how requests to one device are serialised.

Rule 1: device code is called through :meth:`UserCodeBridge.call`: ``async def`` methods
on the server loop, plain methods on a worker thread of the server's executor.

Rule 2: a synchronous device runs each whole operation that calls device code on one
thread off the loop: the connection's own thread of the threaded transport
(:mod:`._threaded`, no hop at all), else a worker thread of the executor
(:meth:`UserCodeBridge.run_on_worker`: one hop per request). Such a thread is a *worker
thread* (:func:`bind_worker_thread`); on it plain methods are simply called and coroutines
are handed back to the loop.

Rule 3: in an Asyncio device, a plain (not ``async``) attribute or command method of the
device's own code is deprecated, as PyTango warns when it runs
(:meth:`UserCodeBridge.call_method`).

Rule 4: requests to a synchronous device are serialised by a lock per device (Tango's
default serialisation model) unless they come from this very process: a device calling
itself or a sibling through a DeviceProxy must not deadlock.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from .._warnonce import warn_sync_function

__all__ = ["UserCodeBridge", "bind_worker_thread", "on_worker_thread", "run_to_end"]

_T = TypeVar("_T")


class _WorkerState(threading.local):
    """The server loop, on a worker thread while it runs a whole operation (else None)."""

    loop: asyncio.AbstractEventLoop | None = None


_worker = _WorkerState()


class _Process:
    """This process's id, kept (``os.getpid`` is a system call per request otherwise)."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


os.register_at_fork(after_in_child=_Process.forked)


def bind_worker_thread(loop: asyncio.AbstractEventLoop | None) -> None:
    """Make the calling thread a worker thread of the server ``loop`` for good (a connection
    thread of :mod:`._threaded`); None undoes it."""
    _worker.loop = loop


def on_worker_thread() -> bool:
    """True on a thread that runs whole operations off the loop (see Rule 2)."""
    return _worker.loop is not None


def run_to_end(coro: Any) -> Any:
    """Run a coroutine that never suspends to its end on this thread (RuntimeError if it
    waits on the event loop)."""
    return _complete(coro)


def _complete(coro: Any) -> Any:
    """Run a coroutine (or any awaitable, such as the base class's completed hooks) that
    never suspends (device code on a worker thread) to its end."""
    steps = coro if hasattr(coro, "send") else coro.__await__()
    try:
        steps.send(None) if hasattr(steps, "send") else next(steps)
    except StopIteration as stop:
        return stop.value
    if hasattr(steps, "close"):
        steps.close()
    raise RuntimeError("an operation of a synchronous device waited on the event loop")


def _run_operation(coro: Coroutine[Any, Any, _T], loop: asyncio.AbstractEventLoop) -> _T:
    """Run a whole operation on this worker thread."""
    _worker.loop = loop
    try:
        return _complete(coro)
    finally:
        _worker.loop = None


def _is_async(fn: Callable[..., Any]) -> bool:
    """An ``async def`` function, or an object whose ``__call__`` is one."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


def _user_function(fn: Callable[..., Any]) -> Callable[..., Any] | None:
    """The device code behind ``fn`` (through the ``__wrapped__`` of puretango's wrappers),
    or None when ``fn`` is puretango's own."""
    target = inspect.unwrap(getattr(fn, "__func__", fn))
    target = getattr(target, "__func__", target)
    while isinstance(target, functools.partial):
        target = target.func
    if inspect.isfunction(target) or inspect.ismethod(target):
        module = getattr(target, "__module__", None) or ""
    else:  # a callable object: its class's code
        module = type(target).__module__
    if module == "puretango" or module.startswith("puretango."):
        return None
    return target


class _ThreadLock:
    """A threading lock used as an async context manager from a worker thread."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock

    async def __aenter__(self) -> None:
        self.lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.lock.release()


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


class UserCodeBridge:
    """Runs the code of one device for the server loop (see the module's rules)."""

    __slots__ = ("executor", "threaded", "_lock")

    def __init__(self, executor: Executor, threaded: bool) -> None:
        self.executor = executor
        #: a synchronous device: operations run on a worker thread, serialised by a lock
        self.threaded = threaded
        self._lock = _ThreadLock(threading.Lock())

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run device code: coroutines on the loop, plain functions on a worker thread.

        Inside an operation already running on a worker thread (:meth:`run_on_worker`),
        plain functions are simply called, and coroutines are handed to the loop.
        """
        loop = _worker.loop
        if loop is not None:
            if inspect.iscoroutinefunction(fn):
                return asyncio.run_coroutine_threadsafe(fn(*args), loop).result()
            result = fn(*args)
            if inspect.isawaitable(result):
                result = _complete(result)
            return result
        if inspect.iscoroutinefunction(fn):
            return await fn(*args)
        result = await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def call_method(self, fn: Callable[..., Any], *args: Any) -> Any:
        """:meth:`call` for an attribute's or command's method (read, write, is allowed,
        command): in an Asyncio device, a plain method of the device's code (not one of
        puretango's) is reported as deprecated (once per name), as PyTango does."""
        if not self.threaded and not _is_async(fn):
            user_function = _user_function(fn)
            if user_function is not None and not _is_async(user_function):
                warn_sync_function(user_function)
        return await self.call(fn, *args)

    def serialised(self, client_pid: int | None) -> AbstractAsyncContextManager[None]:
        """The device lock (Tango's serialisation by device), or a no-op for asyncio devices
        and for requests made from inside this process (a device calling itself)."""
        if not self.threaded or client_pid == _Process.pid:
            return _NO_LOCK
        return self._lock

    def run_on_worker(self, operation: Coroutine[Any, Any, _T]) -> asyncio.Future[_T]:
        """Run a whole operation on a worker thread (one hop per request)."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.executor, _run_operation, operation, loop)
