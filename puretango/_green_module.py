"""Shared body of :mod:`puretango.futures`, :mod:`puretango.gevent` and
:mod:`puretango.asyncio`: proxy and ``Database`` factories bound to one green mode."""

from __future__ import annotations

from typing import Any

from .client._attribute_proxy import AttributeProxy as _AttributeProxy
from .client._database import Database as _Database
from .client._modes import RUNNERS
from .client._proxy import DeviceProxy as _DeviceProxy
from .idl._enums import GreenMode

__all__ = ["factories", "green_database"]


def factories(mode: GreenMode) -> tuple[Any, Any]:
    """``(DeviceProxy, AttributeProxy)`` factories for ``mode``, honouring ``wait``/``timeout``."""

    def DeviceProxy(
        *args: Any, wait: bool | None = None, timeout: float | None = None, **kwargs: Any
    ) -> Any:  # noqa: N802
        kwargs.setdefault("green_mode", mode)
        proxy = _DeviceProxy(*args, _connect=False, **kwargs)
        return RUNNERS[mode](proxy._g_init(), wait, timeout)

    def AttributeProxy(
        *args: Any, wait: bool | None = None, timeout: float | None = None, **kwargs: Any
    ) -> Any:  # noqa: N802
        kwargs.setdefault("green_mode", mode)
        proxy = _AttributeProxy(*args, _connect=False, **kwargs)
        return RUNNERS[mode](proxy._g_init(), wait, timeout)

    DeviceProxy.__doc__ = (
        f"Create a DeviceProxy in {mode.name} mode (``wait``/``timeout`` as PyTango)."
    )
    AttributeProxy.__doc__ = (
        f"Create an AttributeProxy in {mode.name} mode (``wait``/``timeout`` as PyTango)."
    )
    return DeviceProxy, AttributeProxy


def green_database(mode: GreenMode) -> Any:
    """A ``Database`` factory for ``mode``: connects as the mode waits (asyncio: awaitable)."""

    def Database(  # noqa: N802
        *args: Any, wait: bool | None = None, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("green_mode", mode)
        db = _Database(*args, _connect=False, **kwargs)
        return RUNNERS[mode](db._g_init(), wait, timeout)

    Database.__doc__ = f"Create a Database client in {mode.name} mode (``wait``/``timeout``)."
    return Database
