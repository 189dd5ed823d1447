"""``AttributeProxy`` with PyTango's API: one attribute of a device, through a
:class:`~._proxy.DeviceProxy` of its own; an attribute alias is looked up in the Database
(``TANGO_HOST``) when the proxy is made (by the green factories: when it connects)."""

from __future__ import annotations

from typing import Any

from ..idl._enums import GreenMode
from ._dbtypes import property_names, property_values
from ._engine import Op
from ._green import get_green_mode, run_blocking
from ._names import TangoName, parse_attribute_name
from ._proxy import DeviceProxy
from ._tangohost import DbAddress, tango_host_addresses
from ._types import AttributeInfoEx

__all__ = ["AttributeProxy"]


class AttributeProxy:
    """A client of one attribute (PyTango's ``tango.AttributeProxy``)."""

    _alias: tuple[str, tuple[DbAddress, ...], GreenMode] | None = None

    def __init__(
        self, *args: Any, green_mode: GreenMode | None = None, _connect: bool = True
    ) -> None:
        if len(args) == 2 and isinstance(args[0], DeviceProxy):
            self._device, self._attr = args[0], str(args[1])
        elif len(args) == 1 and isinstance(args[0], str):
            # PyTango freezes the global mode at construction when none is given
            mode = get_green_mode() if green_mode is None else GreenMode(green_mode)
            name = args[0]
            if "/" not in name:  # an attribute alias: the Database knows the attribute
                self._alias = (name, tango_host_addresses(), mode)
                if not _connect:
                    return  # a green factory: _g_init looks the alias up
                name = run_blocking(self._g_alias_name(), mode)
            self._aim(name, mode, _connect)
        else:
            raise TypeError(
                "AttributeProxy(full_attr_name) or AttributeProxy(device_proxy, attr_name)"
            )

    def _aim(self, full_name: str, mode: GreenMode, connect: bool) -> None:
        parsed: TangoName = parse_attribute_name(full_name)
        prefix = f"tango://{parsed.host}:{parsed.port}/" if parsed.host else ""
        suffix = "" if parsed.dbase else "#dbase=no"
        self._device = DeviceProxy(
            f"{prefix}{parsed.given}{suffix}", green_mode=mode, _connect=connect
        )
        assert parsed.attribute is not None
        self._attr = parsed.attribute

    def _g_alias_name(self) -> Op[str]:
        """The full name of the attribute this proxy's alias stands for."""
        from ._database import shared_database

        assert self._alias is not None
        alias, addresses, _ = self._alias
        db = shared_database(addresses)
        return (yield from db._op(lambda: db._g_string("DbGetAttributeAlias", alias)))

    def _g_init(self) -> Op[AttributeProxy]:
        if "_device" not in self.__dict__:
            assert self._alias is not None
            self._aim((yield from self._g_alias_name()), self._alias[2], False)
        if not self._device.__dict__.get("_initialised", False):
            yield from self._device._g_connect()
        return self

    def name(self) -> str:
        return self._attr

    def get_device_proxy(self) -> DeviceProxy:
        return self._device

    def read(self, *args: Any, **kwargs: Any) -> Any:
        return self._device.read_attribute(self._attr, *args, **kwargs)

    def write(self, value: Any, **kwargs: Any) -> Any:
        return self._device.write_attribute(self._attr, value, **kwargs)

    def write_read(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._device.write_read_attribute(self._attr, value, *args, **kwargs)

    def get_config(self, **kwargs: Any) -> Any:
        return self._device.get_attribute_config(self._attr, **kwargs)

    def set_config(self, info: AttributeInfoEx, **kwargs: Any) -> Any:
        return self._device.set_attribute_config(info, **kwargs)

    def state(self, **kwargs: Any) -> Any:
        return self._device.state(**kwargs)

    def status(self, **kwargs: Any) -> Any:
        return self._device.status(**kwargs)

    def ping(self, **kwargs: Any) -> Any:
        return self._device.ping(**kwargs)

    # -- asynchronous calls (the device's, for this attribute) --------------------------------

    def read_asynch(self, *args: Any, **kwargs: Any) -> Any:
        return self._device.read_attribute_asynch(self._attr, *args, **kwargs)

    def read_reply(self, *args: Any, **kwargs: Any) -> Any:
        return self._device.read_attribute_reply(*args, **kwargs)

    def write_asynch(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._device.write_attribute_asynch(self._attr, value, *args, **kwargs)

    def write_reply(self, *args: Any, **kwargs: Any) -> Any:
        return self._device.write_attribute_reply(*args, **kwargs)

    # -- polling (the device's, for this attribute) ------------------------------------------

    def history(self, depth: int, *args: Any, **kwargs: Any) -> Any:
        return self._device.attribute_history(self._attr, depth, *args, **kwargs)

    def poll(self, period: int) -> None:
        self._device.poll_attribute(self._attr, period)

    def get_poll_period(self) -> int:
        return int(self._device.get_attribute_poll_period(self._attr))

    def is_polled(self) -> bool:
        return bool(self._device.is_attribute_polled(self._attr))

    def stop_poll(self) -> None:
        self._device.stop_poll_attribute(self._attr)

    # -- events (the device's, for this attribute) --------------------------------------------

    def subscribe_event(self, event_type: Any, *args: Any, **kwargs: Any) -> Any:
        """``subscribe_event(event_type, cb_or_queuesize, ...)``: the device's
        ``subscribe_event`` for this attribute (PyTango's overloads after the event type)."""
        return self._device.subscribe_event(self._attr, event_type, *args, **kwargs)

    def unsubscribe_event(self, event_id: int, **kwargs: Any) -> Any:
        return self._device.unsubscribe_event(event_id, **kwargs)

    def get_events(self, event_id: int, *args: Any, **kwargs: Any) -> Any:
        return self._device.get_events(event_id, *args, **kwargs)

    def event_queue_size(self, event_id: int) -> int:
        return int(self._device.event_queue_size(event_id))

    def get_last_event_date(self, event_id: int) -> Any:
        return self._device.get_last_event_date(event_id)

    def is_event_queue_empty(self, event_id: int) -> bool:
        return bool(self._device.is_event_queue_empty(event_id))

    # -- attribute properties in the Database (synchronous, as in PyTango) -------------------

    def _db_run(self, what: str, make: Any) -> Any:
        db = self._device._require_db(what)
        return run_blocking(db._op(make), self.get_green_mode())

    def get_property(self, propname: Any, value: Any = None) -> dict[str, list[str]]:
        """``{property: [values]}`` of this attribute (empty list: not defined)."""
        names = property_names(propname)
        dev, attr = self._device._dev_name, self._attr
        found = self._db_run(
            "get_property",
            lambda: self._device._database()._g_get_attr(
                "DbGetDeviceAttributeProperty2", dev, [attr]
            ),
        )
        props: dict[str, list[str]] = next(iter(found.values()), {}) if found else {}
        lowered = {k.lower(): v for k, v in props.items()}
        return {n: lowered.get(n.lower(), []) for n in names}

    def put_property(self, value: Any) -> None:
        attrs = {self._attr: property_values(value)}
        dev = self._device._dev_name
        self._db_run(
            "put_property",
            lambda: self._device._database()._g_put_attr(
                "DbPutDeviceAttributeProperty2", dev, attrs
            ),
        )

    def delete_property(self, value: Any) -> None:
        names = {self._attr: property_names(value)}
        dev = self._device._dev_name
        self._db_run(
            "delete_property",
            lambda: self._device._database()._g_delete_attr(
                "DbDeleteDeviceAttributeProperty", dev, names
            ),
        )

    def get_green_mode(self) -> GreenMode:
        return self._device.get_green_mode()

    def set_green_mode(self, green_mode: GreenMode | None = None) -> None:
        self._device.set_green_mode(green_mode)

    def __repr__(self) -> str:
        device = self.__dict__.get("_device")
        if device is None or not device.__dict__.get("_initialised", False):
            return "AttributeProxy(<Unknown: object was not fully initialized>)"
        return f"AttributeProxy({self._attr})"

    __str__ = __repr__
