"""PyTango's ``get_device_proxy`` and ``get_attribute_proxy``: a proxy in the green mode
asked for (default: the process's current one), created the way that mode waits (with
Asyncio, an awaitable unless ``wait=True``)."""

from __future__ import annotations

from typing import Any

from ._green_module import factories
from .client._green import get_green_mode
from .idl._enums import GreenMode

__all__ = ["get_attribute_proxy", "get_device_proxy"]


def _factory(which: int, args: tuple[Any, ...], green_mode: Any, kwargs: dict[str, Any]) -> Any:
    for unused in ("executor", "threadpool", "asyncio_executor"):  # PyTango's own runners
        kwargs.pop(unused, None)
    mode = get_green_mode() if green_mode is None else GreenMode(green_mode)
    return factories(mode)[which](*args, **kwargs)


def get_device_proxy(*args: Any, green_mode: Any = None, **kwargs: Any) -> Any:
    """A ``DeviceProxy(*args)`` in ``green_mode``; ``wait`` and ``timeout`` as PyTango."""
    return _factory(0, args, green_mode, kwargs)


def get_attribute_proxy(*args: Any, green_mode: Any = None, **kwargs: Any) -> Any:
    """An ``AttributeProxy(*args)`` in ``green_mode``; ``wait`` and ``timeout`` as PyTango."""
    return _factory(1, args, green_mode, kwargs)
