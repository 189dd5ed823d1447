"""PyTango's green executors (``tango.green``, ``tango.asyncio_executor``,
``tango.gevent_executor``) and the device server's worker (``tango.device_server``).

An executor runs a callable the way one green mode wants it run: :class:`SynchronousExecutor`
calls it, :class:`AsyncioExecutor` hands it to an asyncio loop, :class:`GeventExecutor` to a
gevent hub. :func:`get_executor` gives the process-wide one of a mode;
:func:`switch_existing_global_executors_to_thread` makes new ones for the calling thread when
the existing ones belong to another thread. :func:`get_device_proxy` and
:func:`get_attribute_proxy` make proxies in a given green mode. :func:`get_worker` is the
executor of the green mode the last :func:`puretango.server.run` resolved for its device
classes (our servers run device code on their own loop and worker threads: the worker only
reports the mode).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import os
import threading
from collections.abc import Callable
from typing import Any

from .client._green import get_green_mode, set_green_mode
from .idl._enums import GreenMode

__all__ = [
    "AbstractExecutor",
    "AsyncioExecutor",
    "GeventExecutor",
    "SynchronousExecutor",
    "get_attribute_proxy",
    "get_device_proxy",
    "get_executor",
    "get_green_mode",
    "get_object_executor",
    "get_worker",
    "set_green_mode",
    "set_worker",
    "switch_existing_global_executors_to_thread",
]


class AbstractExecutor:
    """Runs callables for one green mode; remembers the thread (and process) it belongs to."""

    asynchronous = False
    default_wait = True

    def __init__(self) -> None:
        self.subexecutor: Any = None
        self.ident = threading.get_ident(), os.getpid()

    def get_ident(self) -> tuple[int, int]:
        return self.ident

    def in_executor_context(self) -> bool:
        """True when called from the thread (of the process) the executor belongs to."""
        return self.ident == (threading.get_ident(), os.getpid())

    def delegate(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Start ``fn`` and return an accessor of its result (green modes only)."""
        raise ValueError("Not supported in synchronous mode")

    def access(self, accessor: Any, timeout: float | None = None) -> Any:
        """The result an accessor of :meth:`delegate` stands for (green modes only)."""
        raise ValueError("Not supported in synchronous mode")

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Start ``fn`` (synchronous mode: run it)."""
        return fn(*args, **kwargs)

    def execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` to its end and return its result."""
        return fn(*args, **kwargs)

    def run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Run ``fn``: at once outside the executor's context, else delegated (and, with
        ``wait``, waited for)."""
        kwargs = kwargs or {}
        wait = self.default_wait if wait is None else wait
        if not self.asynchronous and (not wait or timeout):
            raise ValueError("Not supported in synchronous mode")
        if not self.asynchronous or not self.in_executor_context():
            return fn(*args, **kwargs)
        accessor = self.delegate(fn, *args, **kwargs)
        return self.access(accessor, timeout=timeout) if wait else accessor


class SynchronousExecutor(AbstractExecutor):
    """Calls everything at once, in the calling thread."""


class AsyncioExecutor(AbstractExecutor):
    """Runs callables on an asyncio loop (the calling thread's, or a new one)."""

    asynchronous = True
    default_wait = False

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None, subexecutor: Any = None):
        super().__init__()
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = asyncio.new_event_loop()
        self.loop = loop
        self.subexecutor = subexecutor or concurrent.futures.ThreadPoolExecutor(
            thread_name_prefix="puretango-asyncio-executor"
        )

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if inspect.iscoroutinefunction(fn):
            return await fn(*args, **kwargs)
        result = await self.loop.run_in_executor(self.subexecutor, lambda: fn(*args, **kwargs))
        return await result if inspect.isawaitable(result) else result

    def delegate(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """An asyncio future of ``fn``'s result, on the executor's loop."""
        return asyncio.ensure_future(self._call(fn, *args, **kwargs), loop=self.loop)

    def access(self, accessor: Any, timeout: float | None = None) -> Any:
        if self.loop.is_running():
            raise RuntimeError("Loop is already running")
        return self.loop.run_until_complete(asyncio.wait_for(accessor, timeout))

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A concurrent future of ``fn``'s result, run on the executor's (running) loop."""
        return asyncio.run_coroutine_threadsafe(self._call(fn, *args, **kwargs), self.loop)

    def execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn``'s result: run on the loop (from its thread when it is not running)."""
        if self.loop.is_running():
            if self.in_executor_context():
                result = fn(*args, **kwargs)
                if inspect.isawaitable(result):
                    raise RuntimeError("cannot wait on a coroutine inside the running loop")
                return result
            return self.submit(fn, *args, **kwargs).result()
        return self.loop.run_until_complete(self._call(fn, *args, **kwargs))


class GeventExecutor(AbstractExecutor):
    """Runs callables in greenlets of the calling thread's gevent hub (needs gevent)."""

    asynchronous = True
    default_wait = False

    def __init__(self, loop: Any = None, subexecutor: Any = None) -> None:
        import gevent

        super().__init__()
        self.loop = loop if loop is not None else gevent.get_hub().loop
        self.subexecutor = subexecutor

    def delegate(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A greenlet running ``fn`` (its ``get()`` gives the result)."""
        import gevent

        return gevent.spawn(fn, *args, **kwargs)

    def access(self, accessor: Any, timeout: float | None = None) -> Any:
        return accessor.get(timeout=timeout)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.delegate(fn, *args, **kwargs)

    def execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.in_executor_context():
            return fn(*args, **kwargs)
        return self.delegate(fn, *args, **kwargs).get()


_SYNCHRONOUS = SynchronousExecutor()
#: the process-wide executors of the green modes, made on first use
_GLOBAL: dict[GreenMode, AbstractExecutor] = {}
_MAKERS: dict[GreenMode, Callable[[], AbstractExecutor]] = {
    GreenMode.Asyncio: AsyncioExecutor,
    GreenMode.Gevent: GeventExecutor,
    GreenMode.Futures: SynchronousExecutor,
}


def get_executor(green_mode: GreenMode | None = None) -> AbstractExecutor:
    """The process-wide executor of ``green_mode`` (default: the global green mode)."""
    mode = get_green_mode() if green_mode is None else green_mode
    if mode == GreenMode.Synchronous:
        return _SYNCHRONOUS
    try:
        maker = _MAKERS[GreenMode(mode)]
    except (KeyError, ValueError):
        raise TypeError("Not a valid green mode") from None
    executor = _GLOBAL.get(mode)
    if executor is None:
        executor = _GLOBAL[mode] = maker()
    return executor


def get_object_executor(obj: Any, green_mode: GreenMode | None = None) -> AbstractExecutor:
    """The executor for ``obj``: its own for the mode, else the process-wide one."""
    if green_mode is None:
        getter = getattr(obj, "get_green_mode", None)
        green_mode = getter() if getter is not None else get_green_mode()
    executor = getattr(obj, "_executors", {}).get(green_mode)
    return executor if executor is not None else get_executor(green_mode)


def switch_existing_global_executors_to_thread() -> None:
    """Replace the existing process-wide green executors that belong to another thread
    by new ones for the calling thread."""
    for mode, executor in list(_GLOBAL.items()):
        if not executor.in_executor_context():
            _GLOBAL[mode] = _MAKERS[mode]()


_worker: list[AbstractExecutor | None] = [None]


def set_worker(worker: AbstractExecutor | None) -> None:
    """Set the device server's worker (None: the executor of the last server's mode)."""
    _worker[0] = worker


def get_worker() -> AbstractExecutor:
    """The worker set by :func:`set_worker`, else the executor of the green mode of the
    device server :func:`puretango.server.run` started last in this process."""
    from .server._cli import server_green_mode

    worker = _worker[0]
    return worker if worker is not None else get_executor(server_green_mode())


def _green_factory(which: int, args: Any, green_mode: Any, kwargs: dict[str, Any]) -> Any:
    from ._green_module import factories

    mode = get_green_mode() if green_mode is None else GreenMode(green_mode)
    return factories(mode)[which](*args, **kwargs)


def get_device_proxy(*args: Any, green_mode: GreenMode | None = None, **kwargs: Any) -> Any:
    """A ``DeviceProxy`` made in ``green_mode`` (default: the global mode), with PyTango's
    ``wait``/``timeout``: a proxy, or a future (Futures), an ``AsyncResult`` (Gevent) or
    an awaitable ``asyncio.Future`` (Asyncio) of one."""
    return _green_factory(0, args, green_mode, kwargs)


def get_attribute_proxy(*args: Any, green_mode: GreenMode | None = None, **kwargs: Any) -> Any:
    """An ``AttributeProxy`` made in ``green_mode``, as :func:`get_device_proxy`."""
    return _green_factory(1, args, green_mode, kwargs)
