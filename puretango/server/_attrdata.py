"""PyTango's ``AttrData`` (an attribute described as one item of a classic
``DeviceClass.attr_list``, or by a dict) and ``UserDefaultAttrProp`` (an attribute's default
properties as strings).

``AttrData`` validates its description with PyTango's messages (``DevFailed``
``PyDs_WrongAttributeDefinition``) and turns into an :class:`._model.attribute` declaration
(:meth:`AttrData.to_attribute_declaration`, what ``Device.add_attribute`` uses) or, through
the classic ``Attr`` classes when they are available, into an ``Attr`` (:meth:`AttrData.to_attr`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import AttrDataFormat, AttrWriteType, CmdArgType, DispLevel

__all__ = ["AttrData", "UserDefaultAttrProp"]

_PROP_NAMES = (
    "label",
    "description",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
    "min_alarm",
    "max_alarm",
    "min_warning",
    "max_warning",
    "delta_val",
    "delta_t",
    "abs_change",
    "rel_change",
    "period",
    "archive_abs_change",
    "archive_rel_change",
    "archive_period",
)
#: the newer setter names -> the property they set
_ALIASES = {
    "event_abs_change": "abs_change",
    "event_rel_change": "rel_change",
    "event_period": "period",
    "archive_event_abs_change": "archive_abs_change",
    "archive_event_rel_change": "archive_rel_change",
    "archive_event_period": "archive_period",
}
#: UserDefaultAttrProp property -> attribute() keyword
_KEYWORDS = {"description": "doc", "delta_t": "delta_t"}
_EVENT_FLAGS = (
    ("alarm_event_implemented", False),
    ("alarm_event_detect", True),
    ("archive_event_implemented", False),
    ("archive_event_detect", True),
    ("change_event_implemented", False),
    ("change_event_detect", True),
    ("data_ready_event_implemented", False),
)


class UserDefaultAttrProp:
    """An attribute's default properties, as strings (set with ``set_<property>``)."""

    def __init__(self) -> None:
        for name in _PROP_NAMES:
            setattr(self, name, "")
        #: the enum labels, joined with commas as cppTango keeps them
        self.enum_labels = ""
        self.labels: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("set_"):
            prop = name[4:]
            prop = _ALIASES.get(prop, prop)
            if prop in _PROP_NAMES:
                return lambda value: setattr(self, prop, str(value))
        raise AttributeError(f"'UserDefaultAttrProp' object has no attribute '{name}'")

    def set_enum_labels(self, labels: Sequence[str]) -> None:
        self.labels = [str(label) for label in labels]
        self.enum_labels = ",".join(self.labels)

    def has(self, name: str) -> bool:
        return hasattr(self, f"set_{name.replace(' ', '_')}") or name == "enum_labels"

    def as_keywords(self) -> dict[str, Any]:
        """The properties set, as ``attribute(...)`` keywords."""
        found: dict[str, Any] = {
            _KEYWORDS.get(name, name): getattr(self, name)
            for name in _PROP_NAMES
            if getattr(self, name) != ""
        }
        if self.labels:
            found["enum_labels"] = list(self.labels)
        return found


def _wrong(msg: str, origin: str = "create_attribute()") -> DevFailed:
    return DevFailed(make_error("PyDs_WrongAttributeDefinition", msg, origin))


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _routine_name(given: Any) -> str | None:
    if isinstance(given, str):
        return given
    if inspect.isroutine(given):
        return str(given.__name__)
    return None


class AttrData:
    """An attribute described as in a classic ``attr_list`` (PyTango's ``AttrData``)."""

    def __init__(self, name: str | None, class_name: str | None, attr_info: Any = None) -> None:
        self.class_name = class_name
        self.attr_name = name
        self.attr_type: Any = CmdArgType.DevVoid
        self.attr_format = AttrDataFormat.SCALAR
        self.attr_write = AttrWriteType.READ
        self.dim_x, self.dim_y = 1, 0
        self.display_level = DispLevel.OPERATOR
        self.polling_period = -1
        self.memorized = self.hw_memorized = False
        for flag, default in _EVENT_FLAGS:
            setattr(self, flag, default)
        self.read_method_name = None if name is None else f"read_{name}"
        self.write_method_name = None if name is None else f"write_{name}"
        self.is_allowed_name = None if name is None else f"is_{name}_allowed"
        self.attr_class: Any = None
        self.attr_args: list[Any] | None = None
        self.att_prop: UserDefaultAttrProp | None = None
        self.forward = False
        self.has_dtype_kword = self.has_size_kword = False
        #: callables given in a dict (fget, fset, fisallowed), used as given
        self.methods: dict[str, Any] = {}
        if attr_info is not None:
            self.from_attr_info(attr_info)

    # -- from a dict (the keywords of attribute()) -------------------------------------------
    @classmethod
    def from_dict(cls, attr_dict: Mapping[str, Any]) -> AttrData:
        values = dict(attr_dict)
        self = cls(values.pop("name", None), values.pop("class_name", None))
        return self.build_from_dict(values)

    def build_from_dict(self, values: dict[str, Any]) -> AttrData:
        self.forward = bool(values.pop("forwarded", False))
        if not self.forward:
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
                readable = "fread" in values or "fget" in values
                writable = "fwrite" in values or "fset" in values
                self.attr_write = (
                    AttrWriteType.READ_WRITE
                    if readable and writable
                    else (AttrWriteType.WRITE if writable else AttrWriteType.READ)
                )
            for key, aliases, attr in (
                ("fget", ("fget", "fread"), "read_method_name"),
                ("fset", ("fset", "fwrite"), "write_method_name"),
                ("fisallowed", ("fisallowed",), "is_allowed_name"),
            ):
                given = None
                for alias in aliases:
                    given = values.pop(alias, None) if given is None else given
                    values.pop(alias, None)
                name = _routine_name(given)
                if name is not None:
                    setattr(self, attr, name)
                if given is not None and not isinstance(given, str):
                    self.methods[key] = given
            self.attr_class = values.pop("klass", None)
        else:
            self.attr_args = [self.attr_name]
        for flag, default in _EVENT_FLAGS:
            setattr(self, flag, values.pop(flag, default))
        if self.forward:
            self.att_prop = UserDefaultAttrProp()
            if "label" in values:
                self.att_prop.set_label(values["label"])
        elif values:
            self.att_prop = self._default_props(values)
        return self

    def _default_props(self, extra: dict[str, Any]) -> UserDefaultAttrProp:
        props = UserDefaultAttrProp()
        extra = dict(extra)
        doc = extra.pop("doc", None)
        if doc is not None:
            extra["description"] = doc
        for key, value in extra.items():
            lower = key.lower()
            if lower == "enum_labels":
                props.set_enum_labels(value)
            elif props.has(lower):
                getattr(props, f"set_{lower.replace(' ', '_')}")(str(value))
            elif key == "delta_time":
                props.set_delta_t(str(value))
            elif lower not in ("display level", "polling period", "memorized", "klass"):
                raise _wrong(
                    "Wrong definition of attribute. The object extra information "
                    f"'{key}' is not recognized!",
                    "create_user_default_attr_prop()",
                )
        return props

    # -- from a classic attr_list item ---------------------------------------------------------
    def from_attr_info(self, attr_info: Any) -> None:
        self.has_dtype_kword = self.has_size_kword = True
        where = f"attribute {self.attr_name} in class {self.class_name}"
        if not _is_sequence(attr_info):
            raise _wrong(
                f"Wrong data type for value for describing {where}\n"
                "Must be a sequence with 1 or 2 elements"
            )
        if not 1 <= len(attr_info) <= 2:
            raise _wrong(
                f"Wrong number of argument for describing {where}\n"
                "Must be a sequence with 1 or 2 elements"
            )
        extra = {k.lower(): v for k, v in attr_info[1].items()} if len(attr_info) == 2 else {}
        info = attr_info[0]
        if not _is_sequence(info) or not 3 <= len(info) <= 5:
            raise _wrong(
                f"Wrong data type for describing mandatory information for {where}\n"
                "Must be a sequence with 3, 4 or 5 elements"
            )
        prefix = f"Wrong data type in attribute argument for {where}\n"
        try:
            self.attr_type = CmdArgType(info[0])
        except (ValueError, TypeError):
            raise _wrong(
                f"{prefix}Attribute data type (first element in first sequence) must be a "
                "tango.CmdArgType"
            ) from None
        try:
            self.attr_format = AttrDataFormat(info[1])
        except (ValueError, TypeError):
            raise _wrong(
                f"Wrong data format in attribute argument for {where}\nAttribute data format "
                "(second element in first sequence) must be a tango.AttrDataFormat"
            ) from None
        sizes = {AttrDataFormat.SCALAR: 3, AttrDataFormat.SPECTRUM: 4, AttrDataFormat.IMAGE: 5}
        kind = self.attr_format.name.lower()
        if len(info) != sizes[self.attr_format]:
            raise _wrong(
                f"{prefix}Sequence describing mandatory attribute parameters for {kind} "
                f"attribute must have {sizes[self.attr_format]} elements"
            )
        if self.attr_format is not AttrDataFormat.SCALAR:
            self.dim_x = self._dim(info[3], "4th", "dim_x", kind, prefix)
        if self.attr_format is AttrDataFormat.IMAGE:
            self.dim_y = self._dim(info[4], "5th", "dim_y", kind, prefix)
        try:
            self.attr_write = AttrWriteType(info[2])
        except (ValueError, TypeError):
            raise _wrong(
                f"Wrong data write type in attribute argument for {where}\nAttribute write "
                "type (third element in first sequence) must be a tango.AttrWriteType"
            ) from None
        try:
            self.display_level = DispLevel(extra.get("display level", DispLevel.OPERATOR))
        except (ValueError, TypeError):
            raise _wrong(
                f"Wrong display level in attribute information for {where}\nAttribute "
                "information for display level is not a tango.DispLevel"
            ) from None
        try:
            self.polling_period = int(extra.get("polling period", -1))
        except (ValueError, TypeError):
            raise _wrong(
                f"Wrong polling period in attribute information for {where}\nAttribute "
                "information for polling period is not an integer"
            ) from None
        memorized = str(extra.get("memorized", "false")).lower()
        if memorized not in ("true", "true_without_hard_applied", "false"):
            raise _wrong(
                f"Wrong memorized value for {where}. Allowed valued are the strings "
                '"true", "false" and "true_without_hard_applied" (case insensitive)'
            )
        self.memorized = memorized != "false"
        self.hw_memorized = memorized == "true"
        for flag, default in _EVENT_FLAGS:
            setattr(self, flag, extra.get(flag, default))
        if self.attr_type is CmdArgType.DevEnum:
            if "enum_labels" not in extra:
                raise _wrong(f"Missing 'enum_labels' key in attr_list definition for enum {where}")
            self.enum_labels = extra["enum_labels"]
        self.attr_class = extra.get("klass")
        self.att_prop = self._default_props(extra) if extra else None

    @staticmethod
    def _dim(value: Any, nth: str, dim: str, kind: str, prefix: str) -> int:
        try:
            return int(value)
        except (ValueError, TypeError):
            raise _wrong(
                f"{prefix}{nth} element in sequence describing mandatory {dim} attribute "
                f"parameter for {kind} attribute must be an integer"
            ) from None

    def set_enum_labels_to_attr_prop(self, enum_labels: Sequence[str]) -> None:
        if self.att_prop is None:
            self.att_prop = UserDefaultAttrProp()
        self.att_prop.set_enum_labels(enum_labels)

    # -- conversions ---------------------------------------------------------------------------
    def to_attribute_declaration(self) -> tuple[Any, dict[str, Any]]:
        """An ``attribute`` declaring this, and what ``add_attribute`` needs to find its
        methods (names, callables, whether the type was given)."""
        from ._model import attribute

        kwargs: dict[str, Any] = {
            "name": self.attr_name,
            "dtype": self.attr_type,
            "dformat": self.attr_format,
            "access": self.attr_write,
            "display_level": self.display_level,
        }
        if self.attr_format is not AttrDataFormat.SCALAR or self.has_size_kword:
            kwargs["max_dim_x"] = self.dim_x
            kwargs["max_dim_y"] = self.dim_y
        if self.polling_period and self.polling_period > 0:
            kwargs["polling_period"] = self.polling_period
        if self.memorized:
            kwargs["memorized"] = True
            kwargs["hw_memorized"] = self.hw_memorized
        for flag, _ in _EVENT_FLAGS:
            kwargs[flag] = getattr(self, flag)
        if self.att_prop is not None:
            kwargs.update(self.att_prop.as_keywords())
        labels = getattr(self, "enum_labels", None)
        if labels and "enum_labels" not in kwargs:
            kwargs["enum_labels"] = list(labels)
        if self.attr_type is CmdArgType.DevVoid:
            kwargs["dtype"] = CmdArgType.DevDouble
        given: dict[str, Any] = {
            "access": self.attr_write,
            "read_name": self.read_method_name,
            "write_name": self.write_method_name,
            "allowed_name": self.is_allowed_name,
            "has_dtype": self.has_dtype_kword,
            **self.methods,
        }
        return attribute(**kwargs), given

    def to_attr(self) -> Any:
        """The classic ``Attr`` (``SpectrumAttr``, ``ImageAttr``) this describes."""
        from .. import server

        if self.attr_args is not None:
            args = self.attr_args
        else:
            args = [self.attr_name, self.attr_type, self.attr_write]
            if self.attr_format is not AttrDataFormat.SCALAR:
                args.append(self.dim_x)
                if self.attr_format is AttrDataFormat.IMAGE:
                    args.append(self.dim_y)
        default = {
            AttrDataFormat.SCALAR: "Attr",
            AttrDataFormat.SPECTRUM: "SpectrumAttr",
            AttrDataFormat.IMAGE: "ImageAttr",
        }[self.attr_format]
        klass = self.attr_class or getattr(server, default, None)
        if klass is None:
            raise NotImplementedError(f"AttrData.to_attr needs the classic {default} class")
        attr = klass(*args)
        if self.att_prop is not None and hasattr(attr, "set_default_properties"):
            attr.set_default_properties(self.att_prop)
        if hasattr(attr, "set_disp_level"):
            attr.set_disp_level(self.display_level)
        if self.memorized and hasattr(attr, "set_memorized"):
            attr.set_memorized()
            attr.set_memorized_init(self.hw_memorized)
        if self.polling_period > 0 and hasattr(attr, "set_polling_period"):
            attr.set_polling_period(self.polling_period)
        return attr
