"""PyTango's device implementation levels: ``DeviceImpl``, ``Device_2Impl`` ..
``Device_6Impl`` and ``LatestDeviceImpl``, the bases of every device (the high-level
:class:`._model.Device` derives from ``LatestDeviceImpl``, as in PyTango).

What lives here is what a device has whichever API declared it: its device class object
(:meth:`DeviceImpl.get_device_class`) and its version information. A classic device
class (``class MyDev(LatestDeviceImpl)``, declared by a ``DeviceClass``) becomes a served
:class:`._model.Device` in :mod:`._classic`; its constructor ``MyDev(cl, name)`` reaches
:meth:`DeviceImpl.__init__`, which sets the device up through that module. This module
imports nothing of the server (``_model`` imports it).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from .._version import __version__

__all__ = [
    "DeviceImpl",
    "Device_2Impl",
    "Device_3Impl",
    "Device_4Impl",
    "Device_5Impl",
    "Device_6Impl",
    "LatestDeviceImpl",
    "EXTRA_VERSION_INFO",
]

#: version entries every device reports besides its own (the drop-in adds "PyTango")
EXTRA_VERSION_INFO: dict[str, str] = {}

_IDL_VERSION = "6.0.4"


def _numpy_version() -> str:
    from ._dtypes import numpy_version

    return numpy_version()


class DeviceImpl:
    """The base of every Tango device (PyTango's ``DeviceImpl``)."""

    #: the device class object (a ``DeviceClass``), set when the server creates devices
    _device_class_instance: Any = None

    def __init__(self, cl: Any, name: str, *args: Any) -> None:
        """A classic device's constructor: ``MyDev(cl, name)`` as its DeviceClass calls it
        (``LatestDeviceImpl.__init__(self, cl, name)`` in user code)."""
        from ._classic import setup_classic_device

        setup_classic_device(self, cl, name)

    def get_device_class(self) -> Any:
        """The device class object of this device (a ``DeviceClass``)."""
        if self._device_class_instance is None and hasattr(self, "_server"):
            from ._classic import device_class_object

            return device_class_object(self)
        return self._device_class_instance

    def _versions(self) -> dict[str, str]:
        versions: dict[str, str] | None = self.__dict__.get("_version_info")
        if versions is None:
            versions = {"puretango": __version__, "idl": _IDL_VERSION, "NumPy": _numpy_version()}
            versions.update(EXTRA_VERSION_INFO)
            self.__dict__["_version_info"] = versions
        return versions

    def get_version_info(self) -> dict[str, str]:
        """The version information the device reports in ``info().version_info``."""
        return dict(self._versions())

    def add_version_info(self, key: str, value: str) -> None:
        """Add (or replace) one entry of the device's version information."""
        self._versions()[str(key)] = str(value)

    def add_command(self, cmd: Any, device_level: bool = True) -> Any:
        """Add a command (``command(f=...)``) to this device, or to all devices of its
        class (``device_level=False``)."""
        from ._classic_commands import add_command

        return add_command(self, cmd, device_level)

    def remove_command(self, cmd_name: str, free_it: bool = False, clean_db: bool = True) -> None:
        """Remove a command added with :meth:`add_command`."""
        from ._classic_commands import remove_command

        remove_command(self, cmd_name)

    def fill_cmd_polling_buffer(self, cmd_name: str, records: Any) -> None:
        """Put ``records`` (``TimedCmdData``) in the polling buffer of a polled command."""
        from ._classic_commands import fill_cmd_polling_buffer

        fill_cmd_polling_buffer(self, cmd_name, records)

    # -- the device's own polling (see _classic_polling) ---------------------------------------
    def poll_attribute(self, attr_name: str, period: int) -> None:
        """Poll an attribute every ``period`` ms."""
        from ._classic_polling import set_polling

        set_polling(self, "attribute", attr_name, int(period))

    def poll_command(self, cmd_name: str, period: int) -> None:
        """Poll a command every ``period`` ms."""
        from ._classic_polling import set_polling

        set_polling(self, "command", cmd_name, int(period))

    def stop_poll_attribute(self, attr_name: str) -> None:
        from ._classic_polling import set_polling

        set_polling(self, "attribute", attr_name, None)

    def stop_poll_command(self, cmd_name: str) -> None:
        from ._classic_polling import set_polling

        set_polling(self, "command", cmd_name, None)

    def is_attribute_polled(self, attr_name: str) -> bool:
        from ._classic_polling import polling_period

        return polling_period(self, "attribute", attr_name) is not None

    def is_command_polled(self, cmd_name: str) -> bool:
        from ._classic_polling import polling_period

        return polling_period(self, "command", cmd_name) is not None

    def get_attribute_poll_period(self, attr_name: str) -> int:
        from ._classic_polling import polling_period

        return polling_period(self, "attribute", attr_name) or 0

    def get_command_poll_period(self, cmd_name: str) -> int:
        from ._classic_polling import polling_period

        return polling_period(self, "command", cmd_name) or 0

    def get_client_ident(self) -> Any:
        """Who sent the request being served (a :class:`ClientAddr`), as cppTango knows it
        in synchronous servers only: None for asyncio and gevent devices, or outside a
        request."""
        from ..idl._enums import GreenMode
        from ._locking import CALLER

        if getattr(self, "green_mode", None) in (GreenMode.Asyncio, GreenMode.Gevent):
            return None
        client = CALLER.get()
        if client is None or client.pid is None:
            return None
        return ClientAddr.of(client)

    def get_dev_idl_version(self) -> int:
        return 6


@dataclasses.dataclass(frozen=True)
class ClientAddr:
    """A client's identity (PyTango's ``ClientAddr``)."""

    client_ident: bool
    client_lang: Any
    client_pid: int
    client_ip: str
    java_main_class: str = ""
    java_ident: tuple[int, ...] = ()

    @classmethod
    def of(cls, client: Any) -> ClientAddr:
        collocated = client.pid == os.getpid()  # a client of this very process
        where = "collocated client (c++ to c++ call)" if collocated else f"giop:tcp:{client.host}"
        return cls(True, client.language, int(client.pid), where)


class Device_2Impl(DeviceImpl):  # noqa: N801 - PyTango's name
    """PyTango's IDL 2 device level."""


class Device_3Impl(Device_2Impl):  # noqa: N801
    """PyTango's IDL 3 device level."""


class Device_4Impl(Device_3Impl):  # noqa: N801
    """PyTango's IDL 4 device level."""


class Device_5Impl(Device_4Impl):  # noqa: N801
    """PyTango's IDL 5 device level."""


class Device_6Impl(Device_5Impl):  # noqa: N801
    """PyTango's IDL 6 device level (the latest)."""


class LatestDeviceImpl(Device_6Impl):
    """The latest device implementation level (PyTango's alias of ``Device_6Impl``)."""
