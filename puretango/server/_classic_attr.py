"""The classic API's attribute definitions: ``Attr``/``SpectrumAttr``/``ImageAttr`` (one
attribute's definition, as ``add_attribute`` and ``MultiClassAttribute`` take them), and the
reading of ``DeviceClass.attr_list`` entries (:class:`AttrData`, with the default
configuration in a :class:`UserDefaultAttrProp`).

An ``Attr`` turns into the high-level declaration the server serves with
``to_attribute()`` (a :class:`._model.attribute`); the methods that read and write it are
chosen by the caller (the device class in :mod:`._classic`, or ``add_attribute``). Its
default properties may be any object with ``as_keywords()``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import AttrDataFormat, AttrWriteType, CmdArgType, DispLevel
from ._model import attribute

__all__ = [
    "UserDefaultAttrProp",
    "UserDefaultFwdAttrProp",
    "Attr",
    "SpectrumAttr",
    "ImageAttr",
    "AttrData",
]

#: UserDefaultAttrProp field -> the keyword of ``attribute()`` it becomes
_PROP_KEYWORDS = {
    "label": "label",
    "description": "description",
    "unit": "unit",
    "standard_unit": "standard_unit",
    "display_unit": "display_unit",
    "format": "format",
    "min_value": "min_value",
    "max_value": "max_value",
    "min_alarm": "min_alarm",
    "max_alarm": "max_alarm",
    "min_warning": "min_warning",
    "max_warning": "max_warning",
    "delta_t": "delta_t",
    "delta_val": "delta_val",
    "event_period": "period",
    "archive_period": "archive_period",
    "rel_change": "rel_change",
    "abs_change": "abs_change",
    "archive_rel_change": "archive_rel_change",
    "archive_abs_change": "archive_abs_change",
}

#: setter names of cppTango that differ from the field they set
_SETTER_ALIASES = {
    "event_abs_change": "abs_change",
    "event_rel_change": "rel_change",
    "archive_event_abs_change": "archive_abs_change",
    "archive_event_rel_change": "archive_rel_change",
    "archive_event_period": "archive_period",
}


def _wrong_definition(desc: str, origin: str = "create_attribute()") -> DevFailed:
    return DevFailed(make_error("PyDs_WrongAttributeDefinition", desc, origin))


class UserDefaultAttrProp:
    """An attribute's default configuration (``set_label``, ``set_unit``, ...): each set
    field becomes the attribute's starting value of that field."""

    def __init__(self) -> None:
        self._fields: dict[str, str] = {}
        self.enum_labels = ""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("set_"):
            field = name[4:]
            field = _SETTER_ALIASES.get(field, field)
            if field in _PROP_KEYWORDS:
                return lambda value: self._fields.__setitem__(field, str(value))
        elif name in _PROP_KEYWORDS:
            return self._fields.get(name, "")
        raise AttributeError(name)

    def set_enum_labels(self, labels: Sequence[str]) -> None:
        self._labels = [str(label) for label in labels]
        self.enum_labels = ",".join(self._labels)

    def as_keywords(self) -> dict[str, Any]:
        """The ``attribute()`` keywords these defaults stand for."""
        result: dict[str, Any] = {_PROP_KEYWORDS[k]: v for k, v in self._fields.items()}
        if self.enum_labels:
            result["enum_labels"] = list(getattr(self, "_labels", self.enum_labels.split(",")))
        return result


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


def _default_props(extra: Mapping[str, Any]) -> UserDefaultAttrProp:
    """The UserDefaultAttrProp of an attribute description's extra information."""
    props = UserDefaultAttrProp()
    for key, value in extra.items():
        low = key.lower()
        setter = getattr(props, f"set_{low.replace(' ', '_')}", None) if low else None
        if low == "enum_labels":
            props.set_enum_labels(value)
        elif setter is not None:
            setter(str(value))
        elif key == "delta_time":
            props.set_delta_t(str(value))
        elif low not in ("display level", "polling period", "memorized"):
            raise _wrong_definition(
                "Wrong definition of attribute. The object extra information "
                f"'{key}' is not recognized!",
                "create_user_default_attr_prop()",
            )
    return props


def _method_name(given: Any) -> str | None:
    if isinstance(given, str):
        return given
    if inspect.isroutine(given):
        return str(given.__name__)
    return None


class AttrData:
    """One attribute described the classic way: ``AttrData(name, class_name, attr_info)``
    with ``attr_info`` as in ``DeviceClass.attr_list`` (``[[type, format, write, dims...],
    {extra}]``), or ``AttrData.from_dict({...})`` with ``attribute()``'s keywords."""

    def __init__(self, name: str | None, class_name: str | None, attr_info: Any = None) -> None:
        self.class_name = class_name
        self.attr_name = name
        self.attr_type = CmdArgType.DevVoid
        self.attr_format = AttrDataFormat.SCALAR
        self.attr_write = AttrWriteType.READ
        self.dim_x, self.dim_y = 1, 0
        self.display_level = DispLevel.OPERATOR
        self.polling_period = -1
        self.memorized = self.hw_memorized = False
        self.alarm_event_implemented = self.archive_event_implemented = False
        self.change_event_implemented = self.data_ready_event_implemented = False
        self.alarm_event_detect = self.archive_event_detect = self.change_event_detect = True
        named = name is not None
        self.read_method_name = f"read_{name}" if named else None
        self.write_method_name = f"write_{name}" if named else None
        self.is_allowed_name = f"is_{name}_allowed" if named else None
        self.attr_class: Any = None
        self.attr_args: list[Any] | None = None
        self.att_prop: Any = None
        self.forward = False
        self.has_dtype_kword = self.has_size_kword = False
        self.enum_labels: Any = None
        if attr_info is not None:
            self.from_attr_info(attr_info)

    @classmethod
    def from_dict(cls, attr_dict: Mapping[str, Any]) -> AttrData:
        values = dict(attr_dict)
        self = cls(values.pop("name", None), values.pop("class_name", None))
        return self.build_from_dict(values)

    def build_from_dict(self, values: dict[str, Any]) -> AttrData:
        self.forward = bool(values.pop("forwarded", False))
        if self.forward:
            self.attr_args = [self.attr_name]
        else:
            self.has_dtype_kword = "dtype" in values
            self.attr_type = values.pop("dtype", CmdArgType.DevDouble)
            self.attr_format = values.pop("dformat", AttrDataFormat.SCALAR)
            self.has_size_kword = "max_dim_x" in values or "max_dim_y" in values
            self.dim_x = values.pop("max_dim_x", 1)
            self.dim_y = values.pop("max_dim_y", 0)
            self.display_level = values.pop("display_level", DispLevel.OPERATOR)
            self.polling_period = values.pop("polling_period", -1)
            self.memorized = values.pop("memorized", False)
            self.hw_memorized = values.pop("hw_memorized", False)
            if "access" in values:
                self.attr_write = values.pop("access")
            else:
                reads = "fread" in values or "fget" in values
                writes = "fwrite" in values or "fset" in values
                self.attr_write = (
                    AttrWriteType.READ_WRITE
                    if reads and writes
                    else (AttrWriteType.WRITE if writes else AttrWriteType.READ)
                )
            for keys, field in (
                (("fget", "fread"), "read_method_name"),
                (("fset", "fwrite"), "write_method_name"),
                (("fisallowed",), "is_allowed_name"),
            ):
                given = None
                for key in keys:
                    found = values.pop(key, None)
                    given = given if found is None else found
                if _method_name(given) is not None:
                    setattr(self, field, _method_name(given))
            self.attr_class = values.pop("klass", None)
        for kind in ("alarm", "archive", "change"):
            implemented = values.pop(f"{kind}_event_implemented", False)
            setattr(self, f"{kind}_event_implemented", implemented)
            setattr(self, f"{kind}_event_detect", values.pop(f"{kind}_event_detect", True))
        self.data_ready_event_implemented = values.pop("data_ready_event_implemented", False)
        if self.forward:
            self.att_prop = UserDefaultFwdAttrProp()
            if "label" in values:
                self.att_prop.set_label(values["label"])
        elif values:
            doc = values.pop("doc", None)
            if doc is not None:
                values["description"] = doc
            self.att_prop = _default_props(values)
        return self

    def _set_name(self, name: str) -> None:
        old, self.attr_name = self.attr_name, name
        if self.attr_args is None:
            self.attr_args = [name]
        else:
            self.attr_args[0] = name
        if old is None:
            self.read_method_name = self.read_method_name or f"read_{name}"
            self.write_method_name = self.write_method_name or f"write_{name}"
            self.is_allowed_name = self.is_allowed_name or f"is_{name}_allowed"

    def from_attr_info(self, attr_info: Any) -> None:
        """Read an ``attr_list`` entry, with PyTango's checks and messages."""
        self.has_dtype_kword = self.has_size_kword = True
        where = f"attribute {self.attr_name} in class {self.class_name}"
        if not _is_sequence(attr_info):
            raise _wrong_definition(
                f"Wrong data type for value for describing {where}\n"
                "Must be a sequence with 1 or 2 elements"
            )
        if not 1 <= len(attr_info) <= 2:
            raise _wrong_definition(
                f"Wrong number of argument for describing {where}\n"
                "Must be a sequence with 1 or 2 elements"
            )
        extra = {k.lower(): v for k, v in (attr_info[1] if len(attr_info) == 2 else {}).items()}
        info = attr_info[0]
        if not _is_sequence(info) or not 3 <= len(info) <= 5:
            raise _wrong_definition(
                "Wrong data type for describing mandatory information for "
                f"{where}\nMust be a sequence with 3, 4 or 5 elements"
            )
        try:
            self.attr_type = CmdArgType(info[0])
        except ValueError:
            raise _wrong_definition(
                f"Wrong data type in attribute argument for {where}\nAttribute data type "
                "(first element in first sequence) must be a tango.CmdArgType"
            ) from None
        try:
            self.attr_format = AttrDataFormat(info[1])
        except ValueError:
            raise _wrong_definition(
                f"Wrong data format in attribute argument for {where}\nAttribute data "
                "format (second element in first sequence) must be a tango.AttrDataFormat"
            ) from None
        expected = {AttrDataFormat.SCALAR: 3, AttrDataFormat.SPECTRUM: 4, AttrDataFormat.IMAGE: 5}
        wanted = expected.get(self.attr_format, 3)
        if len(info) != wanted:
            kind = self.attr_format.name.lower()
            raise _wrong_definition(
                f"Wrong data type in attribute argument for {where}\nSequence describing "
                f"mandatory attribute parameters for {kind} attribute must have "
                f"{wanted} elements"
            )
        kind = self.attr_format.name.lower()
        for index, (ordinal, axis) in enumerate((("4th", "dim_x"), ("5th", "dim_y")), 3):
            if wanted <= index:
                break
            try:
                setattr(self, axis, int(info[index]))
            except (TypeError, ValueError):
                raise _wrong_definition(
                    f"Wrong data type in attribute argument for {where}\n{ordinal} element "
                    f"in sequence describing mandatory {axis} attribute parameter for {kind} "
                    "attribute must be an integer"
                ) from None
        try:
            self.attr_write = AttrWriteType(info[2])
        except ValueError:
            raise _wrong_definition(
                f"Wrong data write type in attribute argument for {where}\nAttribute "
                "write type (third element in first sequence) must be a tango.AttrWriteType"
            ) from None
        try:
            self.display_level = DispLevel(extra.get("display level", DispLevel.OPERATOR))
        except (TypeError, ValueError):
            raise _wrong_definition(
                f"Wrong display level in attribute information for {where}\nAttribute "
                "information for display level is not a tango.DispLevel"
            ) from None
        try:
            self.polling_period = int(extra.get("polling period", -1))
        except (TypeError, ValueError):
            raise _wrong_definition(
                f"Wrong polling period in attribute information for {where}\nAttribute "
                "information for polling period is not an integer"
            ) from None
        memorized = str(extra.get("memorized", "false")).lower()
        if memorized not in ("true", "true_without_hard_applied", "false"):
            raise _wrong_definition(
                f"Wrong memorized value for {where}.Allowed valued are the strings "
                '"true", "false" and "true_without_hard_applied" (case insensitive)'
            )
        self.memorized = memorized != "false"
        self.hw_memorized = memorized == "true"
        for kind in ("alarm", "archive", "change"):
            implemented = extra.get(f"{kind}_event_implemented", False)
            setattr(self, f"{kind}_event_implemented", implemented)
            setattr(self, f"{kind}_event_detect", extra.get(f"{kind}_event_detect", True))
        self.data_ready_event_implemented = extra.get("data_ready_event_implemented", False)
        if self.attr_type is CmdArgType.DevEnum:
            if "enum_labels" not in extra:
                raise _wrong_definition(
                    "Missing 'enum_labels' key in attr_list definition for enum attribute "
                    f"{self.attr_name} in class {self.class_name}"
                )
            self.enum_labels = extra["enum_labels"]
        self.attr_class = extra.pop("klass", None)
        self.att_prop = _default_props(extra) if extra else None

    def set_enum_labels_to_attr_prop(self, enum_labels: Sequence[str]) -> None:
        if self.att_prop is None:
            self.att_prop = UserDefaultAttrProp()
        self.att_prop.set_enum_labels(enum_labels)

    def to_attr(self) -> Attr:
        """The ``Attr`` (or ``SpectrumAttr``, ``ImageAttr``) this description defines."""
        if self.attr_args is not None:
            args = list(self.attr_args)
        else:
            args = [self.attr_name, self.attr_type, self.attr_write]
            if self.attr_format is not AttrDataFormat.SCALAR:
                args.append(self.dim_x)
            if self.attr_format is AttrDataFormat.IMAGE:
                args.append(self.dim_y)
        klass = (
            self.attr_class
            or {
                AttrDataFormat.SCALAR: Attr,
                AttrDataFormat.SPECTRUM: SpectrumAttr,
                AttrDataFormat.IMAGE: ImageAttr,
            }[AttrDataFormat(self.attr_format)]
        )
        attr: Attr = klass(*args)
        if isinstance(self.att_prop, UserDefaultAttrProp):
            attr.set_default_properties(self.att_prop)
        attr.set_disp_level(self.display_level)
        if self.memorized:
            attr.set_memorized()
            attr.set_memorized_init(bool(self.hw_memorized))
        if self.polling_period and int(self.polling_period) > 0:
            attr.set_polling_period(int(self.polling_period))
        return attr

    def to_attribute(self, **methods: Any) -> attribute:
        """The high-level declaration; the read/write/is-allowed methods are those named
        here unless ``methods`` (``fget``, ``fset``, ``fisallowed``) gives others."""
        name = self.attr_name
        defaults = {"fget": f"read_{name}", "fset": f"write_{name}"}
        defaults["fisallowed"] = f"is_{name}_allowed"
        given = {
            "fget": self.read_method_name,
            "fset": self.write_method_name,
            "fisallowed": self.is_allowed_name,
        }
        # the default names are the declaration's own fall-backs (and may not exist)
        named = {k: v for k, v in given.items() if v and v != defaults[k]}
        named.update({k: v for k, v in methods.items() if v is not None})
        decl = self.to_attr().to_attribute(**named)
        if self.enum_labels and "enum_labels" not in decl.kwargs:
            decl.kwargs["enum_labels"] = list(self.enum_labels)
        return decl


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))
