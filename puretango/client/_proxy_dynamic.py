"""The Python face of ``DeviceProxy``: the device's commands, attributes and pipes as Python
attributes (``proxy.State()``, ``proxy.voltage``, ``proxy.voltage = 3``), ``proxy[name]``,
``name in proxy``, ``dir(proxy)``, ``repr(proxy)``, and PyTango's freezable "dynamic
interface" (``freeze_dynamic_interface`` and friends).

As in PyTango, a proxy whose construction failed (it is still reachable from a traceback)
answers ``repr``/``str`` and refuses everything else with ``RuntimeError``.
"""

from __future__ import annotations

import enum
import warnings
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed
from ..idl._enums import AttrDataFormat, CmdArgType, DevState
from ._engine import Op
from ._modes import RUNNERS
from ._types import AttributeInfoEx, PyTangoUserWarning

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..idl._enums import GreenMode
    from ._types import CommandInfo, DeviceAttribute, DeviceInfo

__all__ = ["DynamicInterfaceMixin"]

_NOT_INITIALISED = "DeviceProxy object was not fully initialized."


class DynamicInterfaceMixin:
    """Commands and attributes as Python attributes; see the module docstring."""

    _cmd_cache: dict[str, Any]
    _attr_cache: dict[str, Any]
    _enum_classes: dict[Any, Any]
    _info: Any

    if TYPE_CHECKING:

        def command_list_query(self) -> Any: ...
        def attribute_list_query(self) -> Any: ...
        def get_attribute_list(self) -> list[str]: ...
        def command_inout(self, *args: Any, **kwargs: Any) -> Any: ...
        def read_attribute(self, *args: Any, **kwargs: Any) -> Any: ...
        def write_attribute(self, *args: Any, **kwargs: Any) -> Any: ...
        def info(self) -> DeviceInfo: ...
        def name(self) -> str: ...
        def get_green_mode(self) -> GreenMode: ...
        def _op(self, make: Callable[[], Op[Any]]) -> Op[Any]: ...
        def _g_read_attribute(self, attr_name: str) -> Op[DeviceAttribute]: ...
        def _find_pipe(self, name: str) -> tuple[str, str] | None: ...
        def read_pipe(self, *args: Any, **kwargs: Any) -> Any: ...
        def write_pipe(self, *args: Any, **kwargs: Any) -> Any: ...

    def _ready(self) -> None:
        if not self.__dict__.get("_initialised", False):
            raise RuntimeError(_NOT_INITIALISED)

    # -- the dynamic interface switch ----------------------------------------------------

    def freeze_dynamic_interface(self) -> None:
        """Refuse to set Python attributes that are neither Tango attributes nor already
        set on this proxy (the default)."""
        self.__dict__["_dynamic_interface_frozen"] = True

    def unfreeze_dynamic_interface(self) -> None:
        """Let any Python attribute be set on this proxy (warns, as PyTango does)."""
        warnings.warn(
            f"Dynamic interface unfrozen on DeviceProxy instance {self} id=0x{id(self):x} - "
            "arbitrary Python attributes can be set without raising an exception.",
            category=PyTangoUserWarning,
            stacklevel=2,
        )
        self.__dict__["_dynamic_interface_frozen"] = False

    def is_dynamic_interface_frozen(self) -> bool:
        return bool(self.__dict__.get("_dynamic_interface_frozen", True))

    # -- finding a name ----------------------------------------------------------------------

    def _lookup(self, name: str) -> tuple[str, Any] | None:
        key = name.lower()
        if key in self._cmd_cache:
            return "cmd", self._cmd_cache[key]
        if key in self._attr_cache:
            return "attr", self._attr_cache[key]
        return None

    def _refresh_interface(self) -> None:
        self._cmd_cache.clear()
        self._attr_cache.clear()  # a removed dynamic attribute goes away
        self.command_list_query()
        self.attribute_list_query()

    def _find(self, name: str) -> tuple[str, Any]:
        found = self._lookup(name)
        if found is None:
            try:
                self._refresh_interface()
            except DevFailed as exc:
                raise AttributeError(name) from exc
            found = self._lookup(name)
        if found is None:
            found = self._find_pipe(name)  # PyTango 9: proxy.<pipe> reads, assigning writes
        if found is None:
            raise AttributeError(name)
        return found

    # -- Python attributes -------------------------------------------------------------------

    # -- the attribute configuration cache (PyTango 10.3) -------------------------------------

    def set_attribute_config_cache(self, enabled: bool) -> None:
        """Keep (True, the default) or not the configuration ``proxy.<attr>`` reads use (the
        enum labels of a DevEnum attribute among others); without it every such read asks
        the device first."""
        self.__dict__["_config_cache_enabled"] = bool(enabled)

    def is_attribute_config_cache_enabled(self) -> bool:
        """Whether ``proxy.<attr>`` reads use cached attribute configurations."""
        return bool(self.__dict__.get("_config_cache_enabled", True))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "trait_names":
            raise AttributeError(name)
        self._ready()
        kind, info = self._find(name)
        if kind == "cmd":
            return self._command_function(info)
        if kind == "pipe":
            return self.read_pipe(info)
        try:
            return self._read_high_level(info)
        except DevFailed as exc:
            if exc.args[0].reason != "API_AttrNotFound":
                raise
        # the attribute went away (a dynamic attribute removed): look again
        kind, info = self._find_fresh(name)
        if kind == "cmd":
            return self._command_function(info)
        if kind == "pipe":
            return self.read_pipe(info)
        return self._read_high_level(info)

    def _find_fresh(self, name: str) -> tuple[str, Any]:
        try:
            self._refresh_interface()
        except DevFailed as exc:
            raise AttributeError(name) from exc
        found = self._lookup(name) or self._find_pipe(name)
        if found is None:
            raise AttributeError(name)
        return found

    def _command_function(self, info: CommandInfo) -> Callable[..., Any]:
        cmd_name = info.cmd_name

        def command(*args: Any, **kwargs: Any) -> Any:
            return self.command_inout(cmd_name, *args, **kwargs)

        command.__name__ = cmd_name
        command.__doc__ = (
            f"{cmd_name}({info.in_type}) -> {info.out_type}\n\n"
            f"{info.in_type_desc}\n{info.out_type_desc}"
        )
        return command

    def _read_high_level(self, info: AttributeInfoEx) -> Any:
        op = self._op(lambda: self._g_read_high_level(info))
        return RUNNERS[self.get_green_mode()](op, None, None)

    def _g_read_high_level(self, info: AttributeInfoEx) -> Op[Any]:
        value = (yield from self._g_read_attribute(info.name)).value
        if not self.is_attribute_config_cache_enabled():  # the device's configuration now
            info = (yield from self._g_attribute_configs([info.name]))[0]
        if info.data_type == CmdArgType.DevEnum and info.enum_labels:
            cls = self._enum_class(info)
            if isinstance(value, int):
                return cls(value)
            if value is not None and info.data_format == AttrDataFormat.SPECTRUM:
                return tuple(cls(int(v)) for v in value)
            if value is not None and info.data_format == AttrDataFormat.IMAGE:
                return tuple(tuple(cls(int(v)) for v in row) for row in value)
        if info.data_type == CmdArgType.DevState and value is not None:
            # as PyTango: DevState members, a tuple (of row tuples) for arrays
            if info.data_format == AttrDataFormat.SPECTRUM:
                return tuple(DevState(int(v)) for v in value)
            if info.data_format == AttrDataFormat.IMAGE:
                return tuple(tuple(DevState(int(v)) for v in row) for row in value)
        return value

    def _enum_class(self, info: AttributeInfoEx) -> Any:
        """The ``IntEnum`` class of a DevEnum attribute (one per set of labels)."""
        key = (info.name.lower(), tuple(info.enum_labels))
        cls = self._enum_classes.get(key)
        if cls is None:
            cls = self._enum_classes[key] = enum.IntEnum(
                info.name, [(label, i) for i, label in enumerate(info.enum_labels)]
            )
        return cls

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in type(self).__dict__:
            object.__setattr__(self, name, value)
            return
        self._ready()
        try:
            kind, info = self._find(name)
        except AttributeError:
            if name in self.__dict__ or not self.is_dynamic_interface_frozen():
                object.__setattr__(self, name, value)
                return
            raise AttributeError(
                f"Tried to set non-existent attr {name!r} to {value!r}.\n"
                "The DeviceProxy object interface is frozen and cannot be modified - "
                "see tango.DeviceProxy.freeze_dynamic_interface for details."
            ) from None
        if kind == "cmd":
            raise TypeError("Cannot set the value of a command")
        if kind == "pipe":
            self.write_pipe(info, value)
            return
        # as PyTango, a write asks the device for the configuration first (the attribute may
        # have been replaced); the cached one stays if the device no longer has it
        key = info.name.lower()
        self._attr_cache.pop(key, None)
        try:
            self.write_attribute(info.name, value)
        except DevFailed:
            self._attr_cache.setdefault(key, info)
            raise

    def __getitem__(self, name: str) -> DeviceAttribute:
        self._ready()
        return self.read_attribute(name)

    def __setitem__(self, name: str, value: Any) -> None:
        self._ready()
        self.write_attribute(name, value)

    def __contains__(self, name: str) -> bool:
        self._ready()
        return name.lower() in (a.lower() for a in self.get_attribute_list())

    def __dir__(self) -> list[str]:
        self._ready()
        extra: list[str] = []
        try:
            for c in self.command_list_query():
                extra += [c.cmd_name, c.cmd_name.lower()]
            for a in self.attribute_list_query():
                extra += [a.name, a.name.lower()]
        except DevFailed:
            pass
        return sorted(set(list(super().__dir__()) + extra))

    def __repr__(self) -> str:
        if not self.__dict__.get("_initialised", False):
            return "DeviceProxy<Unknown Device>(<object was not fully initialized>)"
        info = self._info
        if info is None:
            try:
                info = self.info()
            except Exception:  # noqa: BLE001 - as PyTango: a repr never fails
                return f"Device({self.name()})"
        return f"{info.dev_class}({self.name()})"

    __str__ = __repr__
