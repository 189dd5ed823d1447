"""The polling side of ``DeviceProxy``: polling configuration through the device's admin
device (``DevPollStatus``, ``AddObjPolling``, ``UpdObjPollingPeriod``, ``RemObjPolling``,
as cppTango's client calls them and parses their answers) and the polling history
(``read_attribute_history_5``/``_4``, ``command_inout_history_4``).

PyTango keeps every one of these methods synchronous whatever the green mode (they are
plain bindings of cppTango's client), so they are :func:`._green.sync_only` here too. The
helper operations (``*_op``) go through the admin device's proxy; their tests are the peer
tests of ``tests/polling``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..idl._enums import ExtractAs
from ._engine import Op
from ._green import sync_only
from ._history import (
    DeviceAttributeHistory,
    DeviceDataHistory,
    attribute_history_from_idl,
    command_history_from_idl,
)

if TYPE_CHECKING:
    from ._engine import Call

__all__ = ["PollingMixin"]


def _is_polled(status: list[str], kind: str, name: str) -> int | None:
    """The period of ``kind`` ``name`` in DevPollStatus texts (0: externally triggered),
    or None; parsed as cppTango's ``DeviceProxy::is_polled`` parses them."""
    wanted = name.lower()
    for text in status:
        head = text.split("\n", 1)[0]  # "Polled attribute name = x"
        words = head.split(" ")
        obj_type = words[1] if len(words) > 1 else ""
        if obj_type == "command" and kind == "attribute":
            continue
        if obj_type == "attribute" and kind == "command" and wanted not in ("state", "status"):
            continue
        if head.partition("= ")[2].lower() != wanted:
            continue
        second = text.split("\n")[1] if "\n" in text else ""
        if "triggered" in second:
            return 0
        try:
            return int(second.partition("= ")[2])
        except ValueError:
            return 0
    return None


class PollingMixin:
    """Polling and history methods of ``DeviceProxy``."""

    _dev_name: str
    _idl_version: int

    def _call(self, operation: str, *args: Any, cache_key: Any = None) -> Call:
        raise NotImplementedError

    def _admin_command_op(self, command: str, argin: Any = None) -> Op[Any]:
        """Run ``command`` on the device's admin device (its proxy made once)."""
        admin: Any = self.__dict__.get("_admin_proxy")
        if admin is None:
            name = yield from self._admin_name_op()
            admin = type(self)(name, _connect=False)  # type: ignore[call-arg]
            yield from admin._g_connect()
            self.__dict__["_admin_proxy"] = admin
        return (yield from admin._g_command_inout(command, argin))

    def _admin_name_op(self) -> Op[str]:
        adm = str((yield self._call("_get_adm_name")))
        proxy: Any = self
        if proxy._db_addresses is not None:
            return str(proxy._db_prefix() + adm)
        return f"tango://{proxy._host}:{proxy._port}/{adm}#dbase=no"

    def _polling_status_op(self) -> Op[list[str]]:
        return list((yield from self._admin_command_op("DevPollStatus", self._dev_name)))

    polling_status = sync_only(_polling_status_op)

    def _period_op(self, kind: str, name: str) -> Op[int | None]:
        status = yield from self._polling_status_op()
        return _is_polled(status, kind, name)

    @sync_only
    def get_attribute_poll_period(self, attr_name: str) -> Op[int]:
        return (yield from self._period_op("attribute", attr_name)) or 0

    @sync_only
    def get_command_poll_period(self, cmd_name: str) -> Op[int]:
        return (yield from self._period_op("command", cmd_name)) or 0

    @sync_only
    def is_attribute_polled(self, attr_name: str) -> Op[bool]:
        return (yield from self._period_op("attribute", attr_name)) is not None

    @sync_only
    def is_command_polled(self, cmd_name: str) -> Op[bool]:
        return (yield from self._period_op("command", cmd_name)) is not None

    def _poll_op(self, kind: str, name: str, period: int) -> Op[None]:
        current = yield from self._period_op(kind, name)
        argin = [[int(period)], [self._dev_name, kind, name]]
        if current is None:
            yield from self._admin_command_op("AddObjPolling", argin)
        elif current not in (int(period), 0):
            yield from self._admin_command_op("UpdObjPollingPeriod", argin)

    @sync_only
    def poll_attribute(self, attr_name: str, period: int) -> Op[None]:
        yield from self._poll_op("attribute", attr_name, period)

    @sync_only
    def poll_command(self, cmd_name: str, period: int) -> Op[None]:
        yield from self._poll_op("command", cmd_name, period)

    @sync_only
    def stop_poll_attribute(self, attr_name: str) -> Op[None]:
        yield from self._admin_command_op("RemObjPolling", [self._dev_name, "attribute", attr_name])

    @sync_only
    def stop_poll_command(self, cmd_name: str) -> Op[None]:
        yield from self._admin_command_op("RemObjPolling", [self._dev_name, "command", cmd_name])

    @sync_only
    def attribute_history(
        self, attr_name: str, depth: int, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[list[DeviceAttributeHistory]]:
        operation = (
            "read_attribute_history_5" if self._idl_version >= 5 else ("read_attribute_history_4")
        )
        hist = yield self._call(operation, attr_name, int(depth))
        return attribute_history_from_idl(hist, ExtractAs(extract_as))

    @sync_only
    def command_history(self, cmd_name: str, depth: int) -> Op[list[DeviceDataHistory]]:
        hist = yield self._call("command_inout_history_4", cmd_name, int(depth))
        return command_history_from_idl(hist)
