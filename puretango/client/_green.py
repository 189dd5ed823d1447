"""The green-mode plumbing of the proxies: the process-wide default mode
(``PYTANGO_GREEN_MODE``), the decorators that turn a generator operation into a public
method with PyTango's ``green_mode=``, ``wait=`` and ``timeout=`` keywords, and
:func:`run_blocking` for the calls PyTango keeps synchronous.

An object with green methods has ``get_green_mode()`` and ``_op(make)``: ``make()`` builds
the operation, and ``_op`` may wrap it (a Database-named ``DeviceProxy`` re-imports its
device once when the connection fails; a ``Database`` fails over to its next server). An
object whose methods have a plain synchronous twin (``green(..., sync=...)``) also has
``_direct_sync``: true when its ``_op`` adds nothing but the re-import after a
``ConnectionFailed``, so the twin may run instead, with ``_follow_move_sync(failure)`` doing
that re-import (or re-raising) before the twin runs once more.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

from .._errors import ConnectionFailed
from ..idl._enums import GreenMode
from . import _sync
from ._engine import Op, run_sync
from ._modes import RUNNERS

__all__ = ["get_green_mode", "set_green_mode", "green", "sync_only", "run_blocking"]

T = TypeVar("T")

_SYNCHRONOUS = GreenMode.Synchronous


def _mode_from_env() -> GreenMode:
    name = os.environ.get("PYTANGO_GREEN_MODE", "").strip().capitalize()
    return GreenMode.names.get(name, GreenMode.Synchronous)


_default_green_mode = _mode_from_env()


def get_green_mode() -> GreenMode:
    """The process-wide default green mode (``PYTANGO_GREEN_MODE`` or Synchronous)."""
    return _default_green_mode


def set_green_mode(green_mode: GreenMode | None = None) -> None:
    """Set the process-wide default green mode (``None`` means Synchronous).

    Gevent mode needs gevent installed (``ImportError`` otherwise).
    """
    global _default_green_mode
    mode = GreenMode.Synchronous if green_mode is None else GreenMode(green_mode)
    if mode is GreenMode.Gevent:
        import gevent  # noqa: F401 - fail now, as PyTango does, if gevent is missing
    _default_green_mode = mode


def green(
    gen_method: Callable[..., Op[T]], sync: Callable[..., T] | None = None
) -> Callable[..., Any]:
    """Make a public method from a generator operation.

    The method gains the ``green_mode``, ``wait`` and ``timeout`` keywords. ``sync``: the
    same operation as a plain function calling ``_sync.invoke`` itself, for the common
    case (synchronous, no ``wait`` or ``timeout``, on an object whose ``_direct_sync`` is
    true: its ``_op`` adds nothing): no generator, no runner on the way to the socket.
    """

    @functools.wraps(gen_method)
    def method(
        self: Any,
        *args: Any,
        green_mode: GreenMode | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        mode = green_mode if green_mode is not None else self.get_green_mode()
        if mode is _SYNCHRONOUS and wait is None and timeout is None:
            if sync is not None and self._direct_sync:
                try:
                    return sync(self, *args, **kwargs)
                except ConnectionFailed as failure:
                    self._follow_move_sync(failure)  # re-raises unless the device moved
                return sync(self, *args, **kwargs)
            op = self._op(lambda: gen_method(self, *args, **kwargs))
            return run_sync(op, _sync.invoke)  # the common case, without the runner's layer
        return RUNNERS[mode](self._op(lambda: gen_method(self, *args, **kwargs)), wait, timeout)

    return method


def sync_only(gen_method: Callable[..., Op[T]]) -> Callable[..., T]:
    """A network method that PyTango keeps synchronous whatever the green mode."""

    @functools.wraps(gen_method)
    def method(self: Any, *args: Any, **kwargs: Any) -> T:
        return run_blocking(
            self._op(lambda: gen_method(self, *args, **kwargs)), self.get_green_mode()
        )

    return method


def run_blocking(op: Op[T], mode: GreenMode) -> T:
    """Run a non-green operation to completion: cooperatively in gevent mode, on the
    calling thread otherwise (as PyTango does)."""
    if mode is GreenMode.Gevent:
        return RUNNERS[GreenMode.Gevent](op, True, None)
    return run_sync(op, _sync.invoke)
