"""omniORB thread registration, as PyTango code sees it: ``EnsureOmniThread``,
``is_omni_thread``, ``PyTangoThread`` and ``PyTangoThreadPoolExecutor``.

In PyTango, a Python thread that calls into cppTango must first be known to omniORB. There
is no omniORB under puretango, so nothing needs registering: the marker is kept only so
that ``is_omni_thread()`` answers True inside ``EnsureOmniThread`` (and in the threads of
``PyTangoThread`` and ``PyTangoThreadPoolExecutor``), as PyTango's code expects.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

__all__ = ["EnsureOmniThread", "PyTangoThread", "PyTangoThreadPoolExecutor", "is_omni_thread"]

_marked = threading.local()


def is_omni_thread() -> bool:
    """Whether the calling thread is marked as an omniORB thread (see the module); the
    main thread always is, as PyTango registers it at import."""
    if threading.current_thread() is threading.main_thread():
        return True
    return getattr(_marked, "depth", 0) > 0


class EnsureOmniThread:
    """Context manager marking the calling thread as an omniORB thread while inside."""

    def __enter__(self) -> EnsureOmniThread:
        _marked.depth = getattr(_marked, "depth", 0) + 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _marked.depth -= 1


class PyTangoThread(threading.Thread):
    """A ``threading.Thread`` that runs inside :class:`EnsureOmniThread`."""

    def _bootstrap_inner(self) -> None:
        with EnsureOmniThread():
            super()._bootstrap_inner()  # type: ignore[misc]


def _mark_worker(initializer: Any, initargs: tuple[Any, ...]) -> None:
    EnsureOmniThread().__enter__()  # for the worker's lifetime
    if initializer is not None:
        initializer(*initargs)


class PyTangoThreadPoolExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` whose worker threads are marked as omniORB threads."""

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Any = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        super().__init__(
            max_workers, thread_name_prefix, _mark_worker, (initializer, tuple(initargs))
        )
