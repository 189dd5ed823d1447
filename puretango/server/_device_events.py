"""PyTango's event API of a device (:class:`EventsMixin`, a base of ``Device``):
``set_change_event`` and its kin declare which events device code pushes, and
``push_change_event``, ``push_archive_event``, ``push_alarm_event``, ``push_event`` (user
events), ``push_data_ready_event`` and ``push_att_conf_event`` hand them to the server's
:class:`._events.EventSupplier`, from any thread.

A device declares events as PyTango does, in code or with ``attribute(...)`` options
(``change_event_implemented``, ``change_event_detect``, ``archive_event_*``,
``alarm_event_*``, ``data_ready_event_implemented``); code wins over the declaration.
"""

from __future__ import annotations

import numbers
from typing import Any

from .._errors import Except
from ..events import EVENT_NAMES
from ..idl._enums import AttrQuality, EventType

__all__ = ["EventsMixin"]

_NO_DIMS = "dim_x and dim_y arguments are no longer supported"


def check_push_args(attr_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """PyTango's checks of a push's arguments: no ``dim_x``/``dim_y`` (removed in PyTango
    10.1), and data unless the attribute is State or Status."""
    if "dim_x" in kwargs or "dim_y" in kwargs:
        raise TypeError(_NO_DIMS)
    if kwargs:
        raise TypeError(f"unexpected keyword arguments: {sorted(kwargs)}")
    if not args:
        if attr_name.lower() not in ("state", "status"):
            desc = (
                f"Cannot push event for attribute {attr_name.lower()} without data. "
                "Pushing event without data parameter is only allowed for State and Status "
                "attributes."
            )
            Except.throw_exception("PyDs_InvalidCall", desc, "PyDeviceImpl::generic_push_event")
        return
    if len(args) < 2:
        return
    if len(args) > 4:
        raise TypeError(f"Too many arguments. Note, that {_NO_DIMS}.")
    last = args[-1]
    if isinstance(last, numbers.Number) and not isinstance(last, AttrQuality):
        hint = (
            "For DevEncoded attribute it must one of str, bytes, bytearray. "
            if len(args) == 2
            else "It must be of type AttrQuality. "
        )
        raise TypeError(
            f"Last argument, {last}, has the incorrect type: {type(last)}. {hint}"
            f"Note, that {_NO_DIMS}."
        )


class EventsMixin:
    """The event methods of PyTango's ``Device``."""

    _server: Any
    _attributes: dict[str, Any]

    def get_name(self) -> str:
        raise NotImplementedError

    def _puretango_event_flags(self) -> dict[tuple[str, str], tuple[bool, bool]]:
        table: dict[tuple[str, str], tuple[bool, bool]] | None = self.__dict__.get("_event_flags")
        if table is None:
            table = self.__dict__["_event_flags"] = {}
        return table

    def event_flags(self, attr_name: str, event: str) -> tuple[bool, bool]:
        """(implemented, detect) of ``event`` (``change``, ``archive``, ``alarm``,
        ``data_ready``) on an attribute: does device code push it, and are the criteria
        checked on each push."""
        found = self._puretango_event_flags().get((attr_name.lower(), event))
        if found is not None:
            return found
        runtime = getattr(getattr(self, "_puretango_servant", None), "attributes", {}).get(
            attr_name.lower()
        )
        decl = (
            runtime.decl if runtime is not None else type(self)._attributes.get(attr_name.lower())
        )
        options = decl.kwargs if decl is not None else {}
        return (
            bool(options.get(f"{event}_event_implemented", False)),
            bool(options.get(f"{event}_event_detect", True)),
        )

    def _puretango_set_event_flags(
        self, attr_name: str, event: str, implemented: bool, detect: bool
    ) -> None:
        self._puretango_event_flags()[(attr_name.lower(), event)] = (
            bool(implemented),
            bool(detect),
        )

    def set_change_event(self, attr_name: str, implemented: bool, detect: bool = True) -> None:
        """Device code pushes change events of ``attr_name`` (``detect``: only those the
        ``abs_change``/``rel_change`` criteria accept)."""
        self._puretango_set_event_flags(attr_name, "change", implemented, detect)

    def set_archive_event(self, attr_name: str, implemented: bool, detect: bool = True) -> None:
        self._puretango_set_event_flags(attr_name, "archive", implemented, detect)

    def set_alarm_event(self, attr_name: str, implemented: bool, detect: bool = True) -> None:
        self._puretango_set_event_flags(attr_name, "alarm", implemented, detect)

    def set_data_ready_event(self, attr_name: str, implemented: bool) -> None:
        self._puretango_set_event_flags(attr_name, "data_ready", implemented, False)

    def is_change_event(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "change")[0]

    def is_check_change_criteria(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "change")[1]

    def is_archive_event(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "archive")[0]

    def is_check_archive_criteria(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "archive")[1]

    def is_alarm_event(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "alarm")[0]

    def is_data_ready_event(self, attr_name: str) -> bool:
        return self.event_flags(attr_name, "data_ready")[0]

    # -- pushing ---------------------------------------------------------------------------
    def _puretango_supplier(self) -> Any:
        return getattr(self._server, "events", None)

    def _puretango_push_event(
        self,
        event: str,
        attr_name: str,
        args: tuple[Any, ...],
        detect: bool,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        kwargs = dict(kwargs or {})
        if "except" in kwargs:
            args = (kwargs.pop("except"), *args)
        check_push_args(attr_name, args, kwargs)
        supplier = self._puretango_supplier()
        if supplier is not None:
            supplier.push_value(self.get_name(), attr_name, event, args, detect)

    def push_change_event(self, attr_name: str, *args: Any, **kwargs: Any) -> None:
        """``(attr, value[, time, quality])``, ``(attr, exception)``, or for DevEncoded
        ``(attr, format, data[, time, quality])``."""
        self._puretango_push_event(
            "change", attr_name, args, self.event_flags(attr_name, "change")[1], kwargs
        )

    def push_archive_event(self, attr_name: str, *args: Any, **kwargs: Any) -> None:
        self._puretango_push_event(
            "archive", attr_name, args, self.event_flags(attr_name, "archive")[1], kwargs
        )

    def push_alarm_event(self, attr_name: str, *args: Any, **kwargs: Any) -> None:
        self._puretango_push_event(
            "alarm", attr_name, args, self.event_flags(attr_name, "alarm")[1], kwargs
        )

    def push_event(
        self, attr_name: str, filt_names: Any, filt_vals: Any, *args: Any, **kwargs: Any
    ) -> None:
        """A user event (the filter lists are unused, as in PyTango)."""
        self._puretango_push_event("user_event", attr_name, args, False, kwargs)

    def push_data_ready_event(self, attr_name: str, counter: int = 0) -> None:
        supplier = self._puretango_supplier()
        if supplier is not None:
            supplier.push_data_ready(self.get_name(), attr_name, counter)

    def push_att_conf_event(self, attr: Any) -> None:
        """An attribute-configuration event (``attr``: a name or an object with
        ``get_name()``)."""
        supplier = self._puretango_supplier()
        if supplier is not None:
            name = attr if isinstance(attr, str) else attr.get_name()
            supplier.push_config(self.get_name(), name)

    def is_there_subscriber(self, attr_name: str, event_type: Any) -> bool:
        """True if a client subscribed to ``event_type`` of ``attr_name`` recently."""
        supplier = self._puretango_supplier()
        if supplier is None:
            return False
        event = EVENT_NAMES.get(EventType(int(event_type)), str(event_type))
        return bool(supplier.has_subscriber(self.get_name(), attr_name, event))
