"""Warnings given once per key (PyTango's ``tango._warnings.warn_once``), shared by the
client and the server so that both fill one registry of keys already warned,
:data:`already_warned_keys` (tests clear it), and PyTango's deprecation of plain (not
``async``) functions that Asyncio mode calls (:func:`warn_sync_function`)."""

from __future__ import annotations

import warnings
from collections.abc import Hashable

__all__ = ["already_warned_keys", "warn_once", "warn_sync_function"]

already_warned_keys: set[Hashable] = set()


def warn_once(
    message: str, key: Hashable, category: type[Warning] = Warning, stacklevel: int = 1
) -> bool:
    """Warn unless ``key`` was warned already; True when it warned now."""
    if key in already_warned_keys:
        return False
    already_warned_keys.add(key)
    warnings.warn(message, category=category, stacklevel=stacklevel + 1)
    return True


def warn_sync_function(function: object) -> None:
    """A plain function called in Asyncio mode (a client callback, or a device's attribute
    or command method): deprecated, as PyTango says (once per function name)."""
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    name = name or str(function)
    warn_once(
        f"Sync {name} function called: support of sync functions in PyTango's Asyncio mode "
        "is deprecated. Use 'async def' instead of 'def'.",
        key=f"deprecated:tango.asyncio_executor:sync_function:{name}",
        category=DeprecationWarning,
    )
