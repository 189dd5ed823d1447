"""The green-mode plumbing of the proxies: the process-wide default mode
(``PYTANGO_GREEN_MODE``), and the decorators that turn a generator operation into a public
method with PyTango's ``green_mode=``, ``wait=`` and ``timeout=`` keywords."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

from ..idl._enums import GreenMode
from ._engine import Op
from ._modes import RUNNERS

__all__ = ["get_green_mode", "set_green_mode", "green", "sync_only"]

T = TypeVar("T")


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


def green(gen_method: Callable[..., Op[T]]) -> Callable[..., Any]:
    """Make a public method from a generator operation.

    The method gains the ``green_mode``, ``wait`` and ``timeout`` keywords.
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
        return RUNNERS[mode](gen_method(self, *args, **kwargs), wait, timeout)

    return method


def sync_only(gen_method: Callable[..., Op[T]]) -> Callable[..., T]:
    """A network method that PyTango keeps synchronous whatever the green mode."""

    @functools.wraps(gen_method)
    def method(self: Any, *args: Any, **kwargs: Any) -> T:
        return self._run_blocking(gen_method(self, *args, **kwargs))

    return method
