"""``get_device_proxy`` and ``get_attribute_proxy``: PyTango's proxy factories, which make a
proxy the way its green mode waits (``await get_device_proxy(name, green_mode=Asyncio)``)."""

from __future__ import annotations

from typing import Any

from ..idl._enums import GreenMode
from ._attribute_proxy import AttributeProxy
from ._green import get_green_mode
from ._modes import RUNNERS
from ._proxy import DeviceProxy

__all__ = ["get_attribute_proxy", "get_device_proxy"]

_EXECUTOR_KEYWORDS = ("executor", "threadpool", "asyncio_executor")


def _mode(green_mode: GreenMode | None) -> GreenMode:
    return get_green_mode() if green_mode is None else GreenMode(green_mode)


def get_device_proxy(
    *args: Any,
    green_mode: GreenMode | None = None,
    wait: bool | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> Any:
    """A new ``DeviceProxy``, connected as ``green_mode`` (default: the global mode) waits:
    the proxy itself, a future, or an awaitable."""
    mode = _mode(green_mode)
    proxy = DeviceProxy(*args, green_mode=green_mode, _connect=False, **kwargs)
    return RUNNERS[mode](proxy._g_init(), wait, timeout)


def get_attribute_proxy(
    *args: Any,
    green_mode: GreenMode | None = None,
    wait: bool | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> Any:
    """A new ``AttributeProxy``, connected as ``green_mode`` waits (see
    :func:`get_device_proxy`)."""
    for keyword in _EXECUTOR_KEYWORDS:  # PyTango's executors: not needed here
        kwargs.pop(keyword, None)
    mode = _mode(green_mode)
    proxy = AttributeProxy(*args, green_mode=green_mode, _connect=False, **kwargs)
    return RUNNERS[mode](proxy._g_init(), wait, timeout)
