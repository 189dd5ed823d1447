"""The declarative device model: ``attribute``, ``command``, ``device_property``,
``class_property`` and the ``Device`` base class, with PyTango's options and semantics.

Declarations are collected per class (inheritance included) by ``Device.__init_subclass__``;
nothing here knows about GIOP. The servant (:mod:`._servant`) turns these declarations
into Tango IDL answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import (
    AttrDataFormat,
    AttrWriteType,
    CmdArgType,
    DevState,
    DispLevel,
    GreenMode,
)
from ._classic_impl import LatestDeviceImpl
from ._device_events import EventsMixin
from ._dtypes import attribute_type, command_type, to_tango_type
from ._dynamic import AttributesMixin
from ._logging import DeviceLogger, DeviceLogging
from ._typehints import (
    class_hints,
    enum_dtype,
    first_arg_hint,
    parse_hint,
    property_dtype,
    return_hint,
    value_hint,
)

__all__ = ["attribute", "command", "device_property", "class_property", "Device"]

_NOT_SPECIFIED = "Not specified"


class attribute:  # noqa: N801 - PyTango's name
    """Declare a Tango attribute (class attribute or decorator on the read method)."""

    def __init__(self, fget: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        self.kwargs = dict(kwargs)
        #: labels given by the caller (PyTango refuses them beside an ``enum.Enum`` dtype)
        self._given_enum_labels = kwargs.get("enum_labels")
        #: an explicit ``name=`` wins; otherwise the class member's name (``__set_name__``),
        #: and the read method's name only until then (``@attribute`` on ``def voltage``)
        self._explicit_name = kwargs.get("name") is not None
        self.name: str | None = kwargs.get("name")
        self.fget = kwargs.get("fget") or kwargs.get("fread") or fget
        self.fset = kwargs.get("fset") or kwargs.get("fwrite")
        self.fisallowed = kwargs.get("fisallowed")
        if callable(self.fget) and self.name is None:
            self.name = self.fget.__name__
        if (
            fget is not None
            and "doc" not in kwargs
            and "description" not in kwargs
            and fget.__doc__
        ):
            self.kwargs["doc"] = inspect.cleandoc(fget.__doc__)
        self._resolve_type()

    def _resolve_type(self) -> None:
        kw = self.kwargs
        self._hint_dims: tuple[int | None, int | None] = (None, None)
        hint = return_hint(self.fget) if callable(self.fget) and "dtype" not in kw else None
        if hint is not None:
            self._apply_hint(hint)
            return
        self._set_type(kw.get("dtype", float), kw.get("dformat"))

    def _set_type(self, dtype: Any, dformat: Any) -> None:
        as_enum = enum_dtype(dtype)
        if as_enum is not None:
            if self._given_enum_labels:  # PyTango refuses both, in these words
                raise TypeError(
                    "For dtype of enum.Enum, (enum.Enum,) or ((enum.Enum,),) the enum_labels "
                    f"must not be specified - dtype: {dtype}, "
                    f"enum_labels: {self._given_enum_labels}."
                )
            dtype = as_enum[0]
            self.kwargs["enum_labels"] = list(as_enum[1])
        self.data_type, self.data_format = attribute_type(dtype, dformat)
        if self.data_type is CmdArgType.DevEnum and not self.kwargs.get("enum_labels"):
            raise TypeError(f"attribute {self.name!r}: DevEnum needs enum_labels")

    def _apply_hint(self, hint: Any) -> None:
        """The type (and fixed-length dims) a type hint declares, by PyTango's rules."""
        parsed = parse_hint(hint, "attribute")
        dformat = parsed.dformat
        if dformat is None:  # a numpy array hint: the format must be given
            dformat = self.kwargs.get("dformat")
            if dformat not in (AttrDataFormat.SPECTRUM, AttrDataFormat.IMAGE):
                raise RuntimeError("For numpy.ndarrays AttrDataFormat has to be specified")
        self._set_type(parsed.dtype, dformat)
        # PyTango's declaration defaults to max_dim_x 1 when no length is fixed
        self._hint_dims = (parsed.max_x or 1, parsed.max_y)

    def resolve_hints(self, device_cls: type, hint: Any = None) -> None:
        """Without ``dtype=``: the type from the class annotation ``hint`` if any, else the
        read method's return annotation, else the write method's value annotation (the
        class's ``read_<name>`` methods included)."""
        if "dtype" in self.kwargs:
            return
        if hint is not None:
            self._apply_hint(hint)
            return
        access = self.access(device_cls)
        if access in (AttrWriteType.READ, AttrWriteType.READ_WRITE):
            hint = return_hint(self.read_method(device_cls))
        if hint is None and access in (AttrWriteType.WRITE, AttrWriteType.READ_WRITE):
            hint = value_hint(self.write_method(device_cls))
        if hint is not None:
            self._apply_hint(hint)

    def __call__(self, fget: Callable[..., Any]) -> attribute:
        """``@attribute(...)`` used on the read method."""
        kwargs = dict(self.kwargs)
        if self._given_enum_labels is None:
            kwargs.pop("enum_labels", None)  # derived from an enum dtype, derived again
        return attribute(fget, **kwargs)

    def __set_name__(self, owner: type, name: str) -> None:
        # ``voltage = attribute(fget=read_v)`` is named "voltage", as in PyTango; the
        # first class member wins (``@voltage.write def set_voltage`` binds it twice)
        if "attr_name_in_class" in self.__dict__:
            return
        if not self._explicit_name:
            self.name = name
        self.attr_name_in_class = name

    # decorators ------------------------------------------------------------------------
    def write(self, fset: Callable[..., Any]) -> attribute:
        self.fset = fset
        return self

    setter = write

    def read(self, fget: Callable[..., Any]) -> attribute:
        self.fget = fget
        return self

    getter = read

    def is_allowed(self, fisallowed: Callable[..., Any]) -> attribute:
        self.fisallowed = fisallowed
        return self

    # resolved properties -----------------------------------------------------------------
    def access(self, device_cls: type) -> AttrWriteType:
        access = AttrWriteType(self.kwargs.get("access", AttrWriteType.READ))
        if access is AttrWriteType.READ and self.write_method(device_cls) is not None:
            access = (
                AttrWriteType.READ_WRITE
                if self.read_method(device_cls) is not None
                else AttrWriteType.WRITE
            )
        return access

    def read_method(self, device_cls: type) -> Callable[..., Any] | None:
        return _method(device_cls, self.fget) or getattr(device_cls, f"read_{self.name}", None)

    def write_method(self, device_cls: type) -> Callable[..., Any] | None:
        return _method(device_cls, self.fset) or getattr(device_cls, f"write_{self.name}", None)

    def allowed_method(self, device_cls: type) -> Callable[..., Any] | None:
        return _method(device_cls, self.fisallowed) or getattr(
            device_cls, f"is_{self.name}_allowed", None
        )

    def _sized(self) -> bool:
        return "max_dim_x" in self.kwargs or "max_dim_y" in self.kwargs

    @property
    def max_dim_x(self) -> int:
        default = 1 if self.data_format is AttrDataFormat.SCALAR else 0
        if not self._sized() and self._hint_dims[0]:
            return self._hint_dims[0]
        return int(self.kwargs.get("max_dim_x", default))

    @property
    def max_dim_y(self) -> int:
        if not self._sized() and self._hint_dims[1]:
            return self._hint_dims[1]
        return int(self.kwargs.get("max_dim_y", 0))

    def option(self, key: str, default: Any = _NOT_SPECIFIED) -> Any:
        value = self.kwargs.get(key)
        return default if value is None else value

    def text(self, key: str) -> str:
        """A numeric configuration option as Tango stores it: a string or "Not specified"."""
        value = self.kwargs.get(key)
        return _NOT_SPECIFIED if value is None else str(value)

    @property
    def display_level(self) -> DispLevel:
        return DispLevel(self.kwargs.get("display_level", DispLevel.OPERATOR))

    def __repr__(self) -> str:
        return f"attribute({self.name!r}, {self.data_type.name}, {self.data_format.name})"


def _method(device_cls: type, given: Any) -> Callable[..., Any] | None:
    """A method given as a function or, as PyTango allows, by its name in the class."""
    if isinstance(given, str):
        found: Callable[..., Any] = getattr(device_cls, given)
        return found
    return given


def _no_enum(dtype: Any) -> Any:
    """An ``enum.Enum`` command dtype is a DevEnum (its labels stay with the caller)."""
    as_enum = enum_dtype(dtype)
    return dtype if as_enum is None else as_enum[0]


class command:  # noqa: N801 - PyTango's name
    """Declare a Tango command (decorator on the method; bare ``@command`` is void -> void)."""

    def __init__(self, f: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.func: Callable[..., Any] | None = None
        if f is not None:
            self._bind(f)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.func is None and len(args) == 1 and callable(args[0]) and not kwargs:
            self._bind(args[0])
            return self
        if self.func is None:
            raise TypeError("a command is called through the device, not directly")
        # a decorator above @command (functools.wraps) calls the declaration with the device
        return self.func(*args, **kwargs)

    def _bind(self, f: Callable[..., Any]) -> None:
        self.func = f
        self.name = self.kwargs.get("name") or f.__name__
        kw = self.kwargs
        params = list(inspect.signature(f).parameters.values())
        if not inspect.ismethod(f):  # a bound method (add_command) has no ``self`` left
            params = params[1:]
        # as PyTango: hints only when no dtype is given (an explicit None is DevVoid)
        dtype_in, dformat_in = kw.get("dtype_in"), kw.get("dformat_in")
        if "dtype_in" not in kw:
            hint = first_arg_hint(f)
            if hint is not None:
                parsed = parse_hint(hint, "command")
                dtype_in, dformat_in = parsed.dtype, parsed.dformat
        dtype_out, dformat_out = kw.get("dtype_out"), kw.get("dformat_out")
        if "dtype_out" not in kw:
            hint = return_hint(f)
            if hint is not None:
                parsed = parse_hint(hint, "command")
                dtype_out, dformat_out = parsed.dtype, parsed.dformat
        self.in_type = command_type(_no_enum(dtype_in), dformat_in)
        self.out_type = command_type(_no_enum(dtype_out), dformat_out)
        if self.in_type is not CmdArgType.DevVoid and not params:
            raise TypeError(f"command {self.name!r} declares an argument but its method takes none")
        # PyTango's generated descriptions when none is given
        if kw.get("doc_in"):
            self.doc_in = kw["doc_in"]
        elif self.in_type is CmdArgType.DevVoid:
            self.doc_in = "No input parameter (DevVoid)"
        else:
            arg = params[0].name
            self.doc_in = f":param {arg}: (not documented)\n:type {arg}: {self.in_type.name}"
        if kw.get("doc_out"):
            self.doc_out = kw["doc_out"]
        elif self.out_type is CmdArgType.DevVoid:
            self.doc_out = "No output parameter (DevVoid)"
        else:
            self.doc_out = f":return: (not documented)\n:rtype: {self.out_type.name}"
        self.display_level = DispLevel(kw.get("display_level") or DispLevel.OPERATOR)
        self.fisallowed = kw.get("fisallowed")

    def allowed_method(self, device_cls: type) -> Callable[..., Any] | None:
        if isinstance(self.fisallowed, str):
            return getattr(device_cls, self.fisallowed)
        return self.fisallowed or getattr(device_cls, f"is_{self.name}_allowed", None)

    def __set_name__(self, owner: type, name: str) -> None:
        pass

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        # accessing the command on an instance gives the bound method, as in PyTango
        if obj is None or self.func is None:
            return self
        return self.func.__get__(obj, objtype)

    def __repr__(self) -> str:
        return (
            f"command({getattr(self, 'name', '?')!r}, {self.in_type.name} -> {self.out_type.name})"
        )


class _Property:
    def __init__(
        self,
        dtype: Any = None,
        doc: str = "",
        default_value: Any = None,
        mandatory: bool = False,
        update_db: bool = False,
    ) -> None:
        if mandatory and default_value is not None:
            raise ValueError("a mandatory property cannot have a default value")
        self.dtype = dtype
        self.doc = doc
        self.default_value = default_value
        self.mandatory = mandatory
        self.update_db = update_db
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._property_values.get(self.name, self.default_value)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._property_values[self.name] = value

    def convert(self, raw: Sequence[str]) -> Any:
        """A property's value from the strings the Database (or test context) holds."""
        if isinstance(self.dtype, (tuple, list)):
            scalar = to_tango_type(self.dtype[0])
            return [_from_text(s, scalar) for s in raw]
        return _from_text(raw[0], to_tango_type(self.dtype)) if raw else self.default_value


def _from_text(text: Any, tango_type: CmdArgType) -> Any:
    if not isinstance(text, str):
        return text
    if tango_type in (CmdArgType.DevDouble, CmdArgType.DevFloat):
        return float(text)
    if tango_type is CmdArgType.DevBoolean:  # PyTango's strtobool
        if text.lower() in ("y", "yes", "t", "true", "on", "1"):
            return True
        if text.lower() in ("n", "no", "f", "false", "off", "0"):
            return False
        raise ValueError(f"invalid truth value {text}")
    if tango_type is CmdArgType.DevString:
        return text
    return int(text)


def _as_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


class device_property(_Property):  # noqa: N801 - PyTango's name
    """A device property (value from the Database or the test context, else the default)."""


class class_property(_Property):  # noqa: N801 - PyTango's name
    """A class property."""


class _Done:
    """An awaitable that is already complete (and harmless when ignored)."""

    def __await__(self) -> Any:
        return iter(())


_DONE = _Done()


def _wrapped_command(value: Any) -> command | None:
    """The bound ``command`` a ``functools.wraps`` chain ends at (None if it does not)."""
    seen = 0
    while callable(value) and hasattr(value, "__wrapped__") and seen < 16:
        value, seen = value.__wrapped__, seen + 1
        if isinstance(value, command):
            return value if value.func is not None else None
    return None


class Device(EventsMixin, AttributesMixin, DeviceLogging, LatestDeviceImpl):
    """Base class of a Tango device implemented in Python (PyTango's ``tango.server.Device``;
    its event methods come from :class:`._device_events.EventsMixin`, its attribute methods
    from :class:`._dynamic.AttributesMixin`, its logging from :class:`._logging.DeviceLogging`)."""

    green_mode: GreenMode | None = None
    DEVICE_CLASS_INITIAL_STATE = DevState.UNKNOWN
    DEVICE_CLASS_INITIAL_STATUS: str | None = None
    DEVICE_CLASS_DESCRIPTION: str | None = None

    #: filled per subclass: name (lower-case) -> declaration
    _attributes: dict[str, attribute] = {}
    _commands: dict[str, command] = {}
    _device_properties: dict[str, _Property] = {}
    _class_properties: dict[str, _Property] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        attrs: dict[str, attribute] = {}
        cmds: dict[str, command] = {}
        dprops: dict[str, _Property] = {}
        cprops: dict[str, _Property] = {}
        for klass in reversed(cls.__mro__):
            hints = class_hints(klass, lambda m: isinstance(m, (attribute, _Property)))
            for key, value in vars(klass).items():
                if isinstance(value, attribute):
                    assert value.name is not None
                    value.resolve_hints(cls, hints.get(key))
                    attrs[value.name.lower()] = value
                elif isinstance(value, command) and value.func is not None:
                    cmds[value.name.lower()] = value
                elif isinstance(_wrapped_command(value), command):
                    # ``@decorator @command() def f``: the decorator's function is the
                    # method (``getattr(device, name)``), the declaration it wraps says how
                    decl = _wrapped_command(value)
                    assert decl is not None
                    cmds[decl.name.lower()] = decl
                elif isinstance(value, _Property):
                    if value.dtype is None and key in hints:
                        value.dtype = property_dtype(hints[key])
                    if isinstance(value, device_property):
                        dprops[key] = value
                    elif isinstance(value, class_property):
                        cprops[key] = value
        cls._attributes, cls._commands = attrs, cmds
        cls._device_properties, cls._class_properties = dprops, cprops

    def __init__(
        self, name: str, properties: dict[str, Any] | None = None, server: Any = None
    ) -> None:
        self._name = name
        self._server = server
        self._raw_properties = {k.lower(): v for k, v in (properties or {}).items()}
        class_values = getattr(server, "class_properties", None) or {}
        self._raw_class_properties = {
            k.lower(): v for k, v in class_values.get(type(self).__name__, {}).items()
        }
        self._property_values: dict[str, Any] = {}
        self._state = DevState(self.DEVICE_CLASS_INITIAL_STATE)
        self._status = self.DEVICE_CLASS_INITIAL_STATUS
        self._prev_state = self._state
        self._logger = DeviceLogger(
            name, getattr(server, "trace_level", 0), admin=name.lower().startswith("dserver/")
        )

    # -- lifecycle (users override) --------------------------------------------------------
    # The base hooks return an already-completed awaitable, so both ``super().init_device()``
    # (sync devices) and ``await super().init_device()`` (asyncio devices) work.
    def init_device(self) -> Any:
        """Load device properties; subclasses call ``super().init_device()`` first."""
        self.get_device_properties()
        return _DONE

    def delete_device(self) -> Any:
        return _DONE

    def always_executed_hook(self) -> Any:
        return _DONE

    def read_attr_hardware(self, attr_list: list[int]) -> Any:
        return _DONE

    def server_init_hook(self) -> Any:
        return _DONE

    def initialize_dynamic_attributes(self) -> Any:
        return _DONE

    def get_device_properties(self, ds_class: Any = None) -> None:
        """Device and class properties: the Database's (or test context's) value, else the
        default."""
        for name, prop in type(self)._class_properties.items():
            raw = self._raw_class_properties.get(name.lower())
            self._property_values[name] = (
                prop.default_value
                if raw is None
                else self._converted(prop, _as_list(raw), name, f"class '{type(self).__name__}'")
            )
        for name, prop in type(self)._device_properties.items():
            raw = self._raw_properties.get(name.lower())
            if raw is None:
                if prop.mandatory:
                    raise DevFailed(
                        make_error(
                            "PyDs_MissingDeviceProperty",
                            f"Device property {name} is mandatory but has no value",
                            f"{type(self).__name__}::init_device",
                        )
                    )
                self._property_values[name] = prop.default_value
            else:
                if isinstance(raw, str):
                    raw = [raw]
                elif not isinstance(raw, (list, tuple)):
                    raw = [raw]
                where = f"device '{self._name}'"
                self._property_values[name] = self._converted(prop, list(raw), name, where)

    @staticmethod
    def _converted(prop: _Property, raw: list[Any], name: str, where: str) -> Any:
        try:
            return prop.convert(raw)
        except (TypeError, ValueError) as exc:  # PyTango's words, as the server reports them
            text = (
                f"Failed to convert property '{name}' of {where} (value={raw!r}) to type "
                f"{prop.dtype}: {exc}"
            )
            raise DevFailed(
                make_error("PyDs_PythonError", f"ValueError: {text}\n", "get_device_properties")
            ) from exc

    # -- state and status ----------------------------------------------------------------------
    def get_name(self) -> str:
        return self._name

    def set_state(self, state: DevState) -> None:
        self._prev_state = self._state
        self._state = DevState(state)

    def get_state(self) -> DevState:
        return self._state

    def get_prev_state(self) -> DevState:
        return self._prev_state

    def set_status(self, status: str) -> None:
        self._status = str(status)

    def append_status(self, status: str, new_line: bool = False) -> None:
        self._status = (self._status or "") + ("\n" if new_line else "") + status

    def get_status(self) -> str:
        if self._status is None:
            return f"The device is in {self._state.name} state."
        return self._status

    def dev_state(self) -> DevState:
        return self.get_state()

    def dev_status(self) -> str:
        return self.get_status()

    @classmethod
    def run_server(cls, args: Sequence[str] | None = None, **kwargs: Any) -> Any:
        """Run a server of this class only (``python myserver.py instance [options]``)."""
        import sys

        from ._cli import run

        argv = [cls.__name__] + list(sys.argv[1:] if args is None else args)
        return run((cls,), args=argv, **kwargs)
