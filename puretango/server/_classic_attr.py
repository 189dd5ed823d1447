"""The classic API's attribute definitions: ``Attr``/``SpectrumAttr``/``ImageAttr`` (one
attribute's definition, as ``add_attribute`` and ``MultiClassAttribute`` take them).
``DeviceClass.attr_list`` entries are read by :class:`._attrdata.AttrData`, default
configurations kept in its :class:`._attrdata.UserDefaultAttrProp`.

An ``Attr`` turns into the high-level declaration the server serves with
``to_attribute()`` (a :class:`._model.attribute`); the methods that read and write it are
chosen by the caller (the device class in :mod:`._classic`, or ``add_attribute``). Its
default properties may be any object with ``as_keywords()``.
"""

from __future__ import annotations

from typing import Any

from ..idl._enums import AttrDataFormat, AttrWriteType, CmdArgType, DispLevel
from ._model import attribute

__all__ = [
    "UserDefaultFwdAttrProp",
    "Attr",
    "SpectrumAttr",
    "ImageAttr",
]


class UserDefaultFwdAttrProp:
    """A forwarded attribute's default configuration (its label only)."""

    def __init__(self) -> None:
        self.label = ""

    def set_label(self, label: str) -> None:
        self.label = str(label)


class Attr:
    """A scalar attribute's definition (PyTango's ``Attr``)."""

    _format = AttrDataFormat.SCALAR

    def __init__(
        self,
        name: str,
        data_type: Any,
        w_type: AttrWriteType = AttrWriteType.READ,
        assoc: str = "",
    ) -> None:
        self._name = name
        self._type = CmdArgType(data_type)
        self._writable = AttrWriteType(w_type)
        self._assoc = assoc
        self._max_x, self._max_y = 1, 0
        self._level = DispLevel.OPERATOR
        self._memorized = False
        self._memorized_init = True
        self._polling_period = -1
        self._props: Any = None
        self._events: dict[str, tuple[bool, bool]] = {}
        self._cl_name = ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name!r})"

    def get_name(self) -> str:
        return self._name

    def get_type(self) -> CmdArgType:
        return self._type

    def get_format(self) -> AttrDataFormat:
        return self._format

    def get_writable(self) -> AttrWriteType:
        return self._writable

    def get_assoc(self) -> str:
        return self._assoc

    def get_max_dim_x(self) -> int:
        return self._max_x

    def get_max_dim_y(self) -> int:
        return self._max_y

    def get_disp_level(self) -> DispLevel:
        return self._level

    def set_disp_level(self, level: DispLevel) -> None:
        self._level = DispLevel(level)

    def get_memorized(self) -> bool:
        return self._memorized

    def set_memorized(self) -> None:
        self._memorized = True

    def get_memorized_init(self) -> bool:
        return self._memorized_init

    def set_memorized_init(self, write_on_init: bool) -> None:
        self._memorized_init = bool(write_on_init)

    def get_polling_period(self) -> int:
        return self._polling_period

    def set_polling_period(self, period: int) -> None:
        self._polling_period = int(period)

    def set_default_properties(self, props: Any) -> None:
        """``props``: a UserDefaultAttrProp (anything with ``as_keywords()``)."""
        self._props = props

    def get_user_default_properties(self) -> Any:
        return self._props

    def get_cl_name(self) -> str:
        return self._cl_name

    def set_cl_name(self, name: str) -> None:
        self._cl_name = name

    def _set_event(self, kind: str, implemented: bool, detect: bool) -> None:
        self._events[kind] = (bool(implemented), bool(detect))

    def set_change_event(self, implemented: bool, detect: bool = True) -> None:
        self._set_event("change", implemented, detect)

    def set_archive_event(self, implemented: bool, detect: bool = True) -> None:
        self._set_event("archive", implemented, detect)

    def set_alarm_event(self, implemented: bool, detect: bool = True) -> None:
        self._set_event("alarm", implemented, detect)

    def set_data_ready_event(self, implemented: bool) -> None:
        self._set_event("data_ready", implemented, False)

    def is_change_event(self) -> bool:
        return self._events.get("change", (False, True))[0]

    def is_archive_event(self) -> bool:
        return self._events.get("archive", (False, True))[0]

    def is_alarm_event(self) -> bool:
        return self._events.get("alarm", (False, True))[0]

    def is_data_ready_event(self) -> bool:
        return self._events.get("data_ready", (False, False))[0]

    def is_check_change_criteria(self) -> bool:
        return self._events.get("change", (False, True))[1]

    def is_check_archive_criteria(self) -> bool:
        return self._events.get("archive", (False, True))[1]

    def to_attribute(self, **methods: Any) -> attribute:
        """The high-level declaration of this attribute; ``methods``: ``fget``, ``fset``,
        ``fisallowed`` (functions or method names) when the caller chooses them."""
        kwargs: dict[str, Any] = dict(self._props.as_keywords()) if self._props else {}
        kwargs.update(
            name=self._name,
            dtype=self._type,
            dformat=self._format,
            access=self._writable,
            display_level=self._level,
        )
        if self._format is not AttrDataFormat.SCALAR:
            kwargs.update(max_dim_x=self._max_x, max_dim_y=self._max_y)
        if self._memorized:
            kwargs.update(memorized=True, hw_memorized=self._memorized_init)
        if self._polling_period > 0:
            kwargs["polling_period"] = self._polling_period
        if self._writable is AttrWriteType.READ_WITH_WRITE and self._assoc:
            kwargs["writable_attr_name"] = self._assoc
        kwargs.update({k: v for k, v in methods.items() if v is not None})
        return attribute(**kwargs)


class SpectrumAttr(Attr):
    """A spectrum attribute's definition: ``SpectrumAttr(name, type, w_type, max_x)``."""

    _format = AttrDataFormat.SPECTRUM

    def __init__(self, name: str, data_type: Any, w_type: AttrWriteType, max_x: int) -> None:
        super().__init__(name, data_type, w_type)
        self._max_x = int(max_x)


class ImageAttr(Attr):
    """An image attribute's definition: ``ImageAttr(name, type, w_type, max_x, max_y)``."""

    _format = AttrDataFormat.IMAGE

    def __init__(
        self, name: str, data_type: Any, w_type: AttrWriteType, max_x: int, max_y: int
    ) -> None:
        super().__init__(name, data_type, w_type)
        self._max_x, self._max_y = int(max_x), int(max_y)
