"""``TypeDev`` served by ``puretango.server``: the same device as ``typedev.py`` (PyTango).

Run: ``python tests/peers/typedev_pure.py INSTANCE -nodb -port P -dlist test/type/1[,...]``
(``-ORBendPoint giop:tcp:127.0.0.1:P`` instead of ``-port P`` binds loopback only).

There is no second copy of the device: the source of ``typedev.py`` is executed with a
small ``tango`` compatibility module standing in for PyTango (:func:`_tango_shim`), so
every attribute, command, value and behaviour is declared once, in ``typedev.py`` and
``typedev_values.py``. PyTango itself is never imported in this process.

The shim provides what ``typedev.py`` uses from PyTango: ``AttrWriteType``, ``CmdArgType``,
``DevState``, ``Except`` and ``tango.server.{Device, attribute, command, run}`` straight
from puretango, plus the one API puretango's ``Device`` lacks,
``get_device_attr().get_w_attr_by_name(name).set_write_value(value)`` (the initial set
point of READ_WRITE attributes), implemented here on top of the servant's attribute table.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import puretango
import puretango.server as pure_server
from puretango.server._values import read_value_to_union

PEERS_DIR = Path(__file__).resolve().parent
TYPEDEV_SOURCE = PEERS_DIR / "typedev.py"


class _WAttr:
    """The ``WAttribute`` of one attribute of one device (only ``set_write_value``)."""

    def __init__(self, device: Device, name: str) -> None:
        self._device, self._name = device, name

    def set_write_value(self, value: Any) -> None:
        """Record ``value`` as the set point; applied to the servant as soon as it exists."""
        self._device._pending_setpoints[self._name.lower()] = value
        self._device._apply_setpoints()


class _MultiAttr:
    """The ``MultiAttribute`` of a device (only ``get_w_attr_by_name``)."""

    def __init__(self, device: Device) -> None:
        self._device = device

    def get_w_attr_by_name(self, name: str) -> _WAttr:
        return _WAttr(self._device, name)


class Device(pure_server.Device):
    """puretango's ``Device`` plus ``get_device_attr()`` (set points of RW attributes).

    puretango keeps set points in the servant (one per device, created around the device,
    registered only after ``init_device`` returns); set points given before that are kept
    and applied by ``server_init_hook``, which runs once every servant is registered.
    (So after the admin command ``DevRestart``, which makes a new device but runs no
    ``server_init_hook``, the RW attributes have puretango's default set points.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending_setpoints: dict[str, Any] = {}

    def get_device_attr(self) -> _MultiAttr:
        return _MultiAttr(self)

    def _find_servant(self) -> Any:
        server = self._server
        for servant in getattr(server, "servants", {}).values():
            if servant.device is self:
                return servant
        return None

    def _apply_setpoints(self) -> None:
        servant = self._find_servant()
        if servant is None:
            return
        pending, self._pending_setpoints = self._pending_setpoints, {}
        for key, value in pending.items():
            attr = servant.attributes[key]
            union, dims = read_value_to_union(
                value, attr.data_type, attr.data_format, attr.enum_labels
            )
            attr.setpoint, attr.setpoint_dims = union, dims

    def server_init_hook(self) -> None:
        super().server_init_hook()
        self._apply_setpoints()


def _tango_shim() -> tuple[types.ModuleType, types.ModuleType]:
    """``tango`` and ``tango.server`` modules made of puretango (what typedev.py uses)."""
    tango = types.ModuleType("tango", "puretango standing in for PyTango (typedev_pure.py)")
    for name in ("AttrWriteType", "CmdArgType", "DevState", "DevFailed", "Except"):
        setattr(tango, name, getattr(puretango, name))
    server = types.ModuleType("tango.server")
    server.Device = Device  # type: ignore[attr-defined]
    server.attribute = pure_server.attribute  # type: ignore[attr-defined]
    server.command = pure_server.command  # type: ignore[attr-defined]
    server.run = pure_server.run  # type: ignore[attr-defined]
    tango.server = server  # type: ignore[attr-defined]
    return tango, server


def _load_typedev() -> types.ModuleType:
    """Execute typedev.py with the shim in place of PyTango; return the module."""
    tango, server = _tango_shim()
    saved = {name: sys.modules.get(name) for name in ("tango", "tango.server")}
    sys.modules["tango"], sys.modules["tango.server"] = tango, server
    try:
        spec = importlib.util.spec_from_file_location("typedev_on_puretango", TYPEDEV_SOURCE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
    return module


_typedev = _load_typedev()

#: The device class, built by typedev.py on puretango.
TypeDev: type[pure_server.Device] = _typedev.TypeDev


def main(args: list[str] | None = None) -> None:
    """Run the TypeDev server on puretango (PyTango command line)."""
    pure_server.run((TypeDev,), args=args)


if __name__ == "__main__":
    main()
