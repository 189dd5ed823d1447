"""Dynamic attributes and the attribute methods of PyTango's ``Device``
(:class:`AttributesMixin`, a base of ``Device``): ``add_attribute`` / ``remove_attribute``
(and their ``async_`` forms), ``get_device_attr``, ``get_attribute_config*``,
``set_attribute_config*``, ``fill_attr_polling_buffer`` (:mod:`._fill_history`) and the
polling configuration of ``poll_attribute`` and its kin (:mod:`._device_polling`).

A dynamic attribute belongs to one device: it joins that device's servant's attribute table
(copied on write, so readers on other threads never see it change under them), or waits on
the device until its servant exists (``add_attribute`` in ``__init__``). Its read, write and
is-allowed methods are called as PyTango calls them: with the server-side
:class:`._attributes.Attribute` (``read(self, attr)``, ``write(self, attr)``), as bound
methods of the device or as functions taking the device first. What a read method returns,
if it set no value, is the value (PyTango's high-level form).

It accepts a :class:`._model.attribute`, an :class:`._attrdata.AttrData`, or any object with
``to_attribute()`` returning an ``attribute`` (the classic ``Attr`` classes).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error
from ..idl import types as t
from ..idl._enums import AttrWriteType
from ._attributes import _UNSET, MultiAttribute, WAttribute, attribute_object
from ._device_polling import poll_object, polled_period
from ._typehints import return_hint, value_hint

if TYPE_CHECKING:
    from ._model import attribute
    from ._runtime import AttrRuntime

__all__ = ["AttributesMixin", "adopt_dynamic_attributes", "dynamic_runtime"]

_METHOD_KEYS = ("fget", "fset", "fread", "fwrite", "fisallowed")
_READABLE = (AttrWriteType.READ, AttrWriteType.READ_WRITE, AttrWriteType.READ_WITH_WRITE)
_WRITABLE = (AttrWriteType.WRITE, AttrWriteType.READ_WRITE, AttrWriteType.READ_WITH_WRITE)


class _Bare:
    """A class without methods: an AttrRuntime built against it finds none by name."""


def _method(device: Any, given: Any, default_name: str | None) -> Callable[..., Any] | None:
    """A method given as a callable or a name, else the device's ``default_name``."""
    if isinstance(given, str):
        found: Callable[..., Any] = getattr(device, given)
        return found
    if given is not None:
        return given
    return getattr(device, default_name, None) if default_name else None


def _bound_to(device: Any, func: Callable[..., Any]) -> bool:
    return inspect.ismethod(func) and func.__self__ is device


def _caller(device: Any, func: Callable[..., Any]) -> Callable[[Any], Any]:
    """``func(x)`` for a method of ``device``, else ``func(device, x)``, as PyTango calls."""
    if _bound_to(device, func):
        return func
    return lambda arg: func(device, arg)


def _read_wrapper(device: Any, func: Callable[..., Any], runtime: AttrRuntime) -> Any:
    call = _caller(device, func)

    if inspect.iscoroutinefunction(func):

        async def read_async(dev: Any) -> Any:
            attr = attribute_object(runtime, device)
            attr.reset_value()
            return attr.take_reading(await call(attr))

        return read_async

    def read(dev: Any) -> Any:
        attr = attribute_object(runtime, device)
        attr.reset_value()
        return attr.take_reading(call(attr))

    read.__wrapped__ = func  # type: ignore[attr-defined]  # the device code it runs
    return read


def _write_wrapper(device: Any, func: Callable[..., Any], runtime: AttrRuntime) -> Any:
    call = _caller(device, func)

    def begin(value: Any) -> WAttribute:
        attr = attribute_object(runtime, device)
        assert isinstance(attr, WAttribute)
        attr.pending = value
        return attr

    if inspect.iscoroutinefunction(func):

        async def write_async(dev: Any, value: Any) -> Any:
            attr = begin(value)
            try:
                return await call(attr)
            finally:
                attr.pending = _UNSET

        return write_async

    def write(dev: Any, value: Any) -> Any:
        attr = begin(value)
        try:
            return call(attr)
        finally:
            attr.pending = _UNSET

    write.__wrapped__ = func  # type: ignore[attr-defined]  # the device code it runs
    return write


def _allowed_wrapper(device: Any, func: Callable[..., Any]) -> Any:
    call = _caller(device, func)
    if inspect.iscoroutinefunction(func):

        async def allowed_async(dev: Any, req_type: Any) -> Any:
            return await call(req_type)

        return allowed_async

    def allowed(dev: Any, req_type: Any) -> Any:
        return call(req_type)

    allowed.__wrapped__ = func  # type: ignore[attr-defined]  # the device code it runs

    return allowed


def _declaration(device: Any, attr: Any) -> tuple[attribute, dict[str, Any]]:
    """The ``attribute`` declaring ``attr`` and the method names/callables it gives."""
    from ._attrdata import AttrData
    from ._model import attribute

    if isinstance(attr, AttrData):
        return attr.to_attribute_declaration()
    if not isinstance(attr, attribute) and hasattr(attr, "to_attribute"):
        attr = attr.to_attribute()
    if not isinstance(attr, attribute):
        raise TypeError(f"add_attribute: cannot add {attr!r} (not an attribute)")
    given = {
        "fget": attr.kwargs.get("fget") or attr.kwargs.get("fread") or attr.fget,
        "fset": attr.kwargs.get("fset") or attr.kwargs.get("fwrite") or attr.fset,
        "fisallowed": attr.fisallowed,
    }
    if "access" not in attr.kwargs:
        readable, writable = given["fget"] is not None, given["fset"] is not None
        given["access"] = (
            AttrWriteType.READ_WRITE
            if readable and writable
            else (AttrWriteType.WRITE if writable else AttrWriteType.READ)
        )
    return attr, given


def dynamic_runtime(
    device: Any,
    attr: Any,
    r_meth: Callable[..., Any] | None = None,
    w_meth: Callable[..., Any] | None = None,
    is_allo_meth: Callable[..., Any] | None = None,
) -> AttrRuntime:
    """The run-time attribute of ``device`` that ``add_attribute`` adds."""
    from ._runtime import AttrRuntime

    decl, given = _declaration(device, attr)
    name = decl.name
    if not name:
        raise TypeError("add_attribute: the attribute has no name")
    access = AttrWriteType(given.get("access", decl.kwargs.get("access", AttrWriteType.READ)))
    read = r_meth or _method(device, given.get("fget"), given.get("read_name", f"read_{name}"))
    write = w_meth or _method(device, given.get("fset"), given.get("write_name", f"write_{name}"))
    allowed = is_allo_meth or _method(
        device, given.get("fisallowed"), given.get("allowed_name", f"is_{name}_allowed")
    )
    bare = copy.copy(decl)
    bare.kwargs = {k: v for k, v in decl.kwargs.items() if k not in _METHOD_KEYS}
    bare.kwargs["access"] = access
    bare.kwargs["name"] = name
    bare.fget = bare.fset = bare.fisallowed = None
    if not given.get("has_dtype", "dtype" in decl.kwargs):
        hint = return_hint(read) if access in _READABLE and read is not None else None
        if hint is None and access in _WRITABLE and write is not None:
            hint = value_hint(write)
        if hint is not None:
            bare._apply_hint(hint)
    runtime = AttrRuntime(bare, _Bare)
    runtime.read_method = (
        _read_wrapper(device, read, runtime) if read is not None and access in _READABLE else None
    )
    runtime.write_method = (
        _write_wrapper(device, write, runtime)
        if write is not None and access in _WRITABLE
        else None
    )
    runtime.allowed_method = _allowed_wrapper(device, allowed) if allowed is not None else None
    return runtime


def _not_found(name: str) -> DevFailed:
    """cppTango's error for removing an attribute a device does not have."""
    return DevFailed(
        make_error(
            "API_AttrOptProp",
            f"Attribute {name} not found in class attribute(s)",
            "MultiClassAttribute::get_attr",
        )
    )


def adopt_dynamic_attributes(servant: Any) -> None:
    """Bind ``servant`` to its device and add the attributes the device added before."""
    device = servant.device
    device._puretango_servant = servant
    pending = device.__dict__.pop("_puretango_pending_attributes", None)
    if pending:
        servant.attributes = {**servant.attributes, **pending}


class AttributesMixin:
    """The attribute methods of PyTango's ``Device`` (see the module docstring)."""

    _puretango_servant: Any = None
    _server: Any

    def get_name(self) -> str:
        raise NotImplementedError

    # -- the attribute objects ---------------------------------------------------------------
    def get_device_attr(self) -> MultiAttribute:
        if self._puretango_servant is None:
            raise DevFailed(
                make_error("API_DeviceNotReady", "The device is not served yet", "get_device_attr")
            )
        return MultiAttribute(self._puretango_servant)

    # -- dynamic attributes ------------------------------------------------------------------
    def add_attribute(
        self,
        attr: Any,
        r_meth: Callable[..., Any] | None = None,
        w_meth: Callable[..., Any] | None = None,
        is_allo_meth: Callable[..., Any] | None = None,
    ) -> Any:
        """Add an attribute to this device (a ``server.attribute``, ``AttrData`` or ``Attr``)."""
        runtime = dynamic_runtime(self, attr, r_meth, w_meth, is_allo_meth)
        key = runtime.name.lower()
        servant = self._puretango_servant
        if servant is None:
            pending = self.__dict__.setdefault("_puretango_pending_attributes", {})
            pending.setdefault(key, runtime)
            return attr
        if key in servant.attributes:  # as cppTango: an attribute already there stays
            return attr
        servant.attributes = {**servant.attributes, key: runtime}
        self._interface_changed()
        return attr

    async def async_add_attribute(
        self,
        attr: Any,
        r_meth: Callable[..., Any] | None = None,
        w_meth: Callable[..., Any] | None = None,
        is_allo_meth: Callable[..., Any] | None = None,
    ) -> Any:
        return self.add_attribute(attr, r_meth, w_meth, is_allo_meth)

    def remove_attribute(
        self, attr_name: str, free_it: bool = False, clean_db: bool = True
    ) -> None:
        """Remove an attribute from this device."""
        key = attr_name.lower()
        servant = self._puretango_servant
        if servant is None:
            pending = self.__dict__.get("_puretango_pending_attributes", {})
            if pending.pop(key, None) is None:
                raise _not_found(attr_name)
            return
        if key not in servant.attributes:
            raise _not_found(attr_name)
        servant.attributes = {k: v for k, v in servant.attributes.items() if k != key}
        self._stop_polling(attr_name)
        self._interface_changed()

    def _stop_polling(self, attr_name: str) -> None:
        """A removed attribute is no longer polled (as cppTango)."""
        server: Any = getattr(self, "_server", None)
        poller: Any = getattr(server, "poller", None)
        if poller is None or server.loop is None:
            return
        polled = poller.find(self.get_name(), "attribute", attr_name)
        if polled is None:
            return
        objects = poller._objects.get(self.get_name().lower(), [])

        def forget() -> None:
            if polled in objects:
                objects.remove(polled)

        server.loop.call_soon_threadsafe(forget)

    async def async_remove_attribute(
        self, attr_name: str, free_it: bool = False, clean_db: bool = True
    ) -> None:
        self.remove_attribute(attr_name, free_it, clean_db)

    def _interface_changed(self) -> None:
        server = getattr(self, "_server", None)
        events = getattr(server, "events", None)
        servants = getattr(server, "servants", {})
        if events is None or self.get_name().lower().encode("latin-1") not in servants:
            return
        try:
            events.interface_changed(self.get_name(), False)
        except Exception:  # noqa: BLE001 - an event is best effort
            pass

    # -- configuration from device code ------------------------------------------------------
    def _configs(self, attr_names: Any, struct: Any) -> list[Any]:
        names = [attr_names] if isinstance(attr_names, str) else list(attr_names)
        return [
            c.to_idl(struct)
            for c in self._puretango_servant._configs(names, struct is not t.AttributeConfig)
        ]

    def get_attribute_config(self, attr_names: Any) -> list[Any]:
        return self._configs(attr_names, t.AttributeConfig)

    def get_attribute_config_2(self, attr_names: Any) -> list[Any]:
        return self._configs(attr_names, t.AttributeConfig_2)

    def get_attribute_config_3(self, attr_names: Any) -> list[Any]:
        return self._configs(attr_names, t.AttributeConfig_3)

    def set_attribute_config(self, new_conf: Any) -> None:
        import dataclasses

        confs = new_conf if isinstance(new_conf, (list, tuple)) else [new_conf]
        for conf in confs:
            if conf.name.lower() in ("state", "status"):
                continue
            runtime = self._puretango_servant._attribute(conf.name)
            runtime.apply_config(conf)
            if not hasattr(conf, "att_alarm"):  # the oldest form carries two alarm limits
                limits = {
                    key: getattr(conf, key) or "Not specified" for key in ("min_alarm", "max_alarm")
                }
                runtime.config = dataclasses.replace(runtime.config, **limits)
            push = getattr(self, "push_att_conf_event", None)
            if push is not None:
                try:
                    push(conf.name)
                except Exception:  # noqa: BLE001 - an event is best effort
                    pass

    set_attribute_config_3 = set_attribute_config

    # -- polling from device code (see ._device_polling) -------------------------------------
    def poll_attribute(self, attr_name: str, period_ms: int) -> None:
        poll_object(self, "attribute", attr_name, period_ms)

    def stop_poll_attribute(self, attr_name: str) -> None:
        poll_object(self, "attribute", attr_name, None)

    def is_attribute_polled(self, attr_name: str) -> bool:
        return polled_period(self, "attribute", attr_name) is not None

    def get_attribute_poll_period(self, attr_name: str) -> int:
        return polled_period(self, "attribute", attr_name) or 0

    def poll_command(self, cmd_name: str, period_ms: int) -> None:
        poll_object(self, "command", cmd_name, period_ms)

    def stop_poll_command(self, cmd_name: str) -> None:
        poll_object(self, "command", cmd_name, None)

    def is_command_polled(self, cmd_name: str) -> bool:
        return polled_period(self, "command", cmd_name) is not None

    def get_command_poll_period(self, cmd_name: str) -> int:
        return polled_period(self, "command", cmd_name) or 0

    def fill_attr_polling_buffer(self, attribute_name: str, attr_history_stack: Any) -> None:
        """Push records (TimedAttrData) into an attribute's polling buffer."""
        from ._fill_history import fill_attr_polling_buffer

        fill_attr_polling_buffer(self, attribute_name, attr_history_stack)
