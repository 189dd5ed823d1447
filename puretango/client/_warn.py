"""Warnings given once per key, for the client: the shared registry and functions of
:mod:`puretango._warnonce` (PyTango's ``tango._warnings``) under the client's names."""

from __future__ import annotations

from .._warnonce import already_warned_keys, warn_once
from .._warnonce import warn_sync_function as warn_sync_callback

__all__ = ["already_warned_keys", "warn_once", "warn_sync_callback"]
