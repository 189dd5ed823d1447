"""The logging side of ``DeviceProxy``: the device's logging level and targets, set and
read through its admin device (``AddLoggingTarget``, ``RemoveLoggingTarget``,
``GetLoggingTarget``, ``GetLoggingLevel``, ``SetLoggingLevel``), with the arguments
cppTango's client sends (the target lower-cased). Synchronous whatever the green mode, as
in PyTango; the admin device's proxy is the one of :class:`._proxy_poll.PollingMixin`.
"""

from __future__ import annotations

from typing import Any

from ._engine import Op
from ._green import sync_only

__all__ = ["LoggingMixin"]


class LoggingMixin:
    """Logging methods of ``DeviceProxy``."""

    _dev_name: str

    def _admin_command_op(self, command: str, argin: Any = None) -> Op[Any]:
        raise NotImplementedError  # pragma: no cover - PollingMixin's, in DeviceProxy

    @sync_only
    def add_logging_target(self, target_type_target_name: str) -> Op[None]:
        argin = [self._dev_name, target_type_target_name.lower()]
        yield from self._admin_command_op("AddLoggingTarget", argin)

    @sync_only
    def remove_logging_target(self, target_type_target_name: str) -> Op[None]:
        argin = [self._dev_name, target_type_target_name.lower()]
        yield from self._admin_command_op("RemoveLoggingTarget", argin)

    @sync_only
    def get_logging_target(self) -> Op[list[str]]:
        return list((yield from self._admin_command_op("GetLoggingTarget", self._dev_name)))

    @sync_only
    def get_logging_level(self) -> Op[int]:
        levels, _ = yield from self._admin_command_op("GetLoggingLevel", [self._dev_name])
        return int(levels[0]) if len(levels) else 0

    @sync_only
    def set_logging_level(self, level: int) -> Op[None]:
        yield from self._admin_command_op("SetLoggingLevel", [[int(level)], [self._dev_name]])
