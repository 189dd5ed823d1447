"""The classic server API: a ``DeviceClass`` (``class_property_list``,
``device_property_list``, ``cmd_list``, ``attr_list``, ``dyn_attr``) and its
``DeviceImpl`` (``class MyDev(LatestDeviceImpl)``) served by the same machinery as the
high-level :class:`._model.Device`.

:func:`classic_device_type` turns a (DeviceClass, DeviceImpl) pair into a ``Device``
subclass named after the Tango class: the implementation's methods first, then
:class:`ClassicDevice`, then ``Device``. Its declarations come from the DeviceClass's
lists: commands call the implementation's methods (``is_<cmd>_allowed(self)``),
attributes its ``read_<name>(self, attr)`` / ``write_<name>(self, attr)`` /
``is_<name>_allowed(self, req_type)``. The server creates a device with
``cls(name, properties, server=...)``; the class builds its DeviceClass object (one per
server) and calls the implementation's own constructor, ``MyDev(cl, name)``, which
initialises the device itself (the server does not call ``init_device`` on it).
:func:`device_type_of` accepts whatever PyTango's ``run`` and test contexts accept for a
class (a Device, a pair, dotted names).
"""

from __future__ import annotations

import copy
import importlib
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from .._errors import DevFailed, make_error
from ..idl._enums import AttrDataFormat, CmdArgType, DispLevel
from ._attrdata import AttrData
from ._attributes import _UNSET as UNSET
from ._attributes import attribute_object
from ._classic_attr import Attr, ImageAttr, SpectrumAttr
from ._classic_impl import DeviceImpl
from ._dtypes import SCALAR_TO_ARRAY
from ._model import Device, _from_text, attribute, class_property, command, device_property

__all__ = [
    "DeviceClass",
    "ClassicDevice",
    "classic_device_type",
    "device_type_of",
    "setup_classic_device",
    "device_class_object",
]

_ARRAY_TO_SCALAR = {array: scalar for scalar, array in SCALAR_TO_ARRAY.items()}


def _command_error(desc: str) -> DevFailed:
    return DevFailed(make_error("PyDs_WrongCommandDefinition", desc, "create_command()"))


class DeviceClass:
    """The classic description of a Tango class; subclasses set ``class_property_list``,
    ``device_property_list`` (``{name: [type, description, default]}``), ``cmd_list``
    (``{name: [[in_type, desc], [out_type, desc], {extra}]}``) and ``attr_list``
    (``{name: [[type, format, write_type, dims...], {extra}]}``)."""

    class_property_list: ClassVar[dict[str, Any]] = {}
    device_property_list: ClassVar[dict[str, Any]] = {}
    cmd_list: ClassVar[dict[str, Any]] = {}
    attr_list: ClassVar[dict[str, Any]] = {}

    def __init__(self, name: str) -> None:
        self._name = name
        self._type = name
        self._devices: list[Any] = []
        self.py_dev_list = self._devices
        self._wizard: dict[str, dict[str, tuple[str, Any]]] = {"class": {}, "device": {}}
        self._dyn_attr_done = False
        #: the Device subclass serving this class (set by the server)
        self._served_type: type | None = None
        for prop in self.class_property_list:
            if not hasattr(self, prop):
                setattr(self, prop, _property_value(self.class_property_list[prop], None))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name})"

    __str__ = __repr__

    def get_name(self) -> str:
        return self._name

    def get_type(self) -> str:
        return self._type

    def set_type(self, dev_type: str) -> None:
        self._type = dev_type

    def get_doc_url(self) -> str:
        return "Doc URL = http://www.tango-controls.org"

    def get_cvs_tag(self) -> str:
        return ""

    def get_cvs_location(self) -> str:
        return ""

    def get_device_list(self) -> list[Any]:
        """The devices of this class in this server."""
        return list(self._devices)

    def add_wiz_dev_prop(self, name: str, desc: str, default: Any = None) -> None:
        self._wizard["device"][name] = (desc, default)

    def add_wiz_class_prop(self, name: str, desc: str, default: Any = None) -> None:
        self._wizard["class"][name] = (desc, default)

    def get_class_attr(self) -> Any:
        """The attributes this class declares, as ``Attr`` objects in a
        ``MultiClassAttribute`` (the attribute objects' module)."""
        attributes = importlib.import_module(f"{__package__}._attributes")
        served: Any = self._served_type
        declared = [] if served is None else list(served._attributes.values())
        return attributes.MultiClassAttribute([attr_of(decl, served) for decl in declared])

    def dyn_attr(self, device_list: list[Any]) -> None:
        """Override to add dynamic attributes to the devices of this class (called once,
        when all of them exist)."""

    def device_name_factory(self, dev_name_list: list[str]) -> None:
        """Override to name the devices of a server started without Database."""

    def _register(self, device: Any) -> None:
        name = device.get_name().lower()
        self._devices[:] = [d for d in self._devices if d.get_name().lower() != name]
        self._devices.append(device)

    def _load_class_properties(self, raw: Mapping[str, Any]) -> None:
        values = {k.lower(): v for k, v in raw.items()}
        for prop, spec in self.class_property_list.items():
            found = values.get(prop.lower())
            if found is not None and _as_list(found):
                setattr(self, prop, _property_value(spec, found))


# -- properties --------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _property_type(spec: Any) -> CmdArgType:
    try:
        return CmdArgType(spec[0])
    except (IndexError, TypeError, ValueError):
        return CmdArgType.DevVoid


def _property_value(spec: Any, raw: Any) -> Any:
    """A property's value, PyTango's way: ``raw`` (Database strings, or values given to a
    test context) converted to the declared type, else the declared default; an array
    type gives a list, a scalar type the first element."""
    tango_type = _property_type(spec)
    values: Any
    if raw is None or not _as_list(raw):
        values = spec[2] if len(spec) > 2 else []
        if isinstance(values, str):
            values = [values]
    else:
        scalar = _ARRAY_TO_SCALAR.get(tango_type, tango_type)
        if tango_type in (CmdArgType.DevVoid,):
            values = _as_list(raw)
        else:
            values = [_from_text(item, scalar) for item in _as_list(raw)]
    if tango_type in _ARRAY_TO_SCALAR:
        return list(values) if isinstance(values, (list, tuple)) else [values]
    if isinstance(values, (list, tuple)):
        return values[0] if values else []
    return values


def _tango_properties(specs: Mapping[str, Any], kind: type[Any]) -> dict[str, Any]:
    """Property declarations for the server's Database queries (names only matter)."""
    found = {}
    for name in specs:
        prop = kind()
        prop.name = name
        found[name] = prop
    return found


# -- classic read and write methods --------------------------------------------------------------


def _attribute_object(device: Any, name: str) -> Any:
    """The server-side Attribute (a WAttribute if writable) of ``device``'s attribute."""
    runtime = device._puretango_servant.attributes[name.lower()]
    return attribute_object(runtime, device)


def _reader(method_name: str, attr_name: str) -> Callable[[Any], Any]:
    """A read for the servant: ``read_<name>(self, attr)`` fills the Attribute."""

    def read(device: Any) -> Any:
        attr = _attribute_object(device, attr_name)
        attr.reset_value()
        return attr.take_reading(getattr(device, method_name)(attr))

    read.__name__ = method_name
    return read


def _writer(method_name: str, attr_name: str) -> Callable[[Any, Any], Any]:
    """A write for the servant: ``write_<name>(self, attr)`` reads ``get_write_value()``."""

    def write(device: Any, value: Any) -> Any:
        attr = _attribute_object(device, attr_name)
        attr.pending = value
        try:
            return getattr(device, method_name)(attr)
        finally:
            attr.pending = UNSET

    write.__name__ = method_name
    return write


# -- declarations from the DeviceClass's lists -------------------------------------------------


def _attribute_declarations(dc_type: type[DeviceClass], impl: type, name: str) -> dict[str, Any]:
    attrs: dict[str, attribute] = {}
    for attr_name, info in dc_type.attr_list.items():
        # an AttrData of any origin (it has ``attr_write``), else an attr_list entry
        data = info if hasattr(info, "attr_write") else AttrData(attr_name, name, info)
        methods: dict[str, Any] = {}
        access = data.attr_write
        attr_name = data.attr_name or attr_name
        read_name = data.read_method_name or f"read_{attr_name}"
        write_name = data.write_method_name or f"write_{attr_name}"
        if access != 2 and hasattr(impl, read_name):  # every access but WRITE reads
            methods["fget"] = _reader(read_name, attr_name)
        if access in (1, 2, 3) and hasattr(impl, write_name):  # R_WITH_W, WRITE, READ_WRITE
            methods["fset"] = _writer(write_name, attr_name)
        if data.is_allowed_name and hasattr(impl, data.is_allowed_name):
            methods["fisallowed"] = data.is_allowed_name
        decl = _declaration(data, methods)
        decl.kwargs["access"] = access
        attrs[attr_name.lower()] = decl
    return attrs


def _declaration(data: Any, methods: dict[str, Any]) -> attribute:
    """The declaration of an AttrData, served by the methods given."""
    if hasattr(data, "to_attribute"):
        decl: attribute = data.to_attribute(**methods)
        return decl
    decl = data.to_attribute_declaration()[0]
    for key, method in methods.items():
        setattr(decl, key, method)
    return decl


def _command_declarations(dc_type: type[DeviceClass], impl: type, name: str) -> dict[str, Any]:
    cmds: dict[str, command] = {}
    for cmd_name, info in dc_type.cmd_list.items():
        if not isinstance(info, Sequence) or not 2 <= len(info) <= 3:
            raise _command_error(
                f"Wrong number of argument for describing command {cmd_name} in class "
                f"{name}\nMust be a sequence with 2 or 3 elements"
            )
        (in_type, in_desc), (out_type, out_desc) = (_arg_info(part) for part in info[:2])
        extra = {str(k).lower(): v for k, v in (info[2] if len(info) == 3 else {}).items()}
        method = getattr(impl, cmd_name, None)
        if not callable(method):
            raise _command_error(
                f"Wrong definition of command {cmd_name} in class {name}\n"
                "The command method does not exist!"
            )
        allowed = extra.get("is allowed") or f"is_{cmd_name}_allowed"
        kwargs: dict[str, Any] = {
            "name": cmd_name,
            "dtype_in": in_type,
            "dtype_out": out_type,
            # cppTango's text for a command described with no words
            "doc_in": in_desc or "Uninitialised",
            "doc_out": out_desc or "Uninitialised",
            "display_level": DispLevel(extra.get("display level", DispLevel.OPERATOR)),
        }
        if callable(getattr(impl, allowed, None)):
            kwargs["fisallowed"] = allowed
        if int(extra.get("polling period", -1)) > 0:
            kwargs["polling_period"] = int(extra["polling period"])
        cmds[cmd_name.lower()] = command(method, **kwargs)
    return cmds


def _arg_info(part: Any) -> tuple[CmdArgType, str]:
    if not isinstance(part, Sequence) or not 1 <= len(part) <= 2:
        raise _command_error("a command's parameter and result are [type] or [type, desc]")
    try:
        arg_type = CmdArgType(part[0])
    except ValueError:
        raise _command_error("a command's argument type must be a tango.CmdArgType") from None
    return arg_type, str(part[1]) if len(part) > 1 else ""


# -- the served device -------------------------------------------------------------------------

#: server -> {generated device class: its DeviceClass object}
_DEVICE_CLASSES: weakref.WeakKeyDictionary[Any, dict[type, DeviceClass]] = (
    weakref.WeakKeyDictionary()
)
_NO_SERVER_CLASSES: dict[type, DeviceClass] = {}


def attr_of(decl: attribute, device_type: type) -> Attr:
    """The classic ``Attr`` (``SpectrumAttr``, ``ImageAttr``) of an attribute declaration."""
    access = decl.access(device_type)
    if decl.data_format is AttrDataFormat.IMAGE:
        return ImageAttr(decl.name or "", decl.data_type, access, decl.max_dim_x, decl.max_dim_y)
    if decl.data_format is AttrDataFormat.SPECTRUM:
        return SpectrumAttr(decl.name or "", decl.data_type, access, decl.max_dim_x)
    return Attr(decl.name or "", decl.data_type, access)


def _class_object(
    server: Any, cls: type, factory: Callable[[str], DeviceClass], name: str
) -> DeviceClass:
    try:
        known = _DEVICE_CLASSES.setdefault(server, {}) if server else _NO_SERVER_CLASSES
    except TypeError:  # a server that cannot be weakly referenced
        known = _NO_SERVER_CLASSES
    found = known.get(cls)
    if found is None:
        found = known[cls] = factory(name)
        found._served_type = cls
        raw = (getattr(server, "class_properties", None) or {}).get(cls.__name__, {})
        found._load_class_properties(raw)
    return found


def device_class_object(device: Any) -> DeviceClass:
    """The DeviceClass object of a served device (a plain one for a high-level class)."""
    found = device.__dict__.get("_device_class_instance")
    if found is None:
        cls = type(device)
        found = _class_object(device._server, cls, DeviceClass, cls.__name__)
        device._device_class_instance = found
        found._register(device)
    return found


def setup_classic_device(device: Any, cl: Any, name: str) -> None:
    """Set up a device whose classic constructor ``MyDev(cl, name)`` runs (once)."""
    state = device.__dict__
    if state.get("_classic_ready"):
        return
    properties, server = state.pop("_classic_pending", (None, None))
    Device.__init__(device, name, properties, server)
    device._device_class_instance = cl
    if isinstance(cl, DeviceClass):
        cl._register(device)
    state["_classic_ready"] = True


class ClassicDevice(Device):
    """What a classic implementation class is served as (behind its own methods)."""

    #: filled per generated class by :func:`classic_device_type`
    _classic_class: ClassVar[type[DeviceClass]] = DeviceClass
    _tango_class_name: ClassVar[str] = "DeviceClass"

    def __init__(self, cl: Any, name: str, *args: Any) -> None:
        setup_classic_device(self, cl, name)

    @classmethod
    def _device_class_object(cls, server: Any) -> DeviceClass:
        """This class's DeviceClass object in ``server`` (made when first needed)."""
        return _class_object(server, cls, cls._classic_class, cls._tango_class_name)

    def init_device(self) -> None:
        """A classic device without ``init_device`` does nothing on Init."""

    def get_device_properties(self, ds_class: Any = None) -> None:
        """Set the class and device properties as members of the device, the Database's
        (or test context's) value over the class's, over the declared default."""
        dc = ds_class if ds_class is not None else self.get_device_class()
        if dc is None:
            return
        class_specs = dc.class_property_list
        for prop in class_specs:
            setattr(self, prop, getattr(dc, prop, _property_value(class_specs[prop], None)))
        self.device_property_list = copy.deepcopy(dc.device_property_list)
        for prop, spec in self.device_property_list.items():
            raw = self._raw_properties.get(prop.lower())
            if (raw is None or not _as_list(raw)) and prop in class_specs:
                value = getattr(dc, prop, None)
                raw = None if value is None else value
            value = _property_value(spec, raw)
            if isinstance(spec, list) and len(spec) > 2:
                spec[2] = value
            setattr(self, prop, value)

    def initialize_dynamic_attributes(self) -> None:
        dc = self.get_device_class()
        if isinstance(dc, DeviceClass) and not dc._dyn_attr_done:
            dc._dyn_attr_done = True
            dc.dyn_attr(dc.get_device_list())


def _served_init(generated: Any) -> Callable[..., None]:
    def __init__(self: Any, name: str, properties: Any = None, server: Any = None) -> None:
        self.__dict__["_classic_pending"] = (properties, server)
        cl = generated._device_class_object(server)
        super(generated, self).__init__(cl, name)
        setup_classic_device(self, cl, name)  # a constructor that did not call its base

    return __init__


def classic_device_type(
    device_class: type[DeviceClass], impl: type, tango_class_name: str | None = None
) -> type[Device]:
    """The ``Device`` subclass serving ``impl`` as the Tango class ``tango_class_name``
    (default: the implementation's name) declared by ``device_class``."""
    name: str = tango_class_name or impl.__name__
    if isinstance(impl, type) and issubclass(impl, Device):  # high-level already
        return impl
    if not (isinstance(impl, type) and issubclass(impl, DeviceImpl)):
        raise TypeError(f"{impl!r} is not a DeviceImpl class")
    attrs = _attribute_declarations(device_class, impl, name)
    cmds = _command_declarations(device_class, impl, name)
    namespace: dict[str, Any] = {"__module__": impl.__module__, "__qualname__": impl.__qualname__}
    namespace["__doc__"] = impl.__doc__
    namespace["_classic_class"] = device_class
    namespace["_tango_class_name"] = name
    generated: Any = type(name, (impl, ClassicDevice), namespace)
    generated.__init__ = _served_init(generated)
    generated._attributes, generated._commands = attrs, cmds
    generated._device_properties = _tango_properties(
        device_class.device_property_list, device_property
    )
    generated._class_properties = _tango_properties(
        device_class.class_property_list, class_property
    )
    return generated


def _resolve(item: Any) -> Any:
    """A class given by its dotted name (``"package.module.Class"``)."""
    if isinstance(item, str):
        module, _, attr = item.rpartition(".")
        return getattr(importlib.import_module(module), attr)
    return item


def device_type_of(spec: Any, name: str | None = None) -> type[Device]:
    """The ``Device`` subclass to serve for what PyTango accepts as a class: a Device
    class, a ``(DeviceClass, DeviceImpl)`` pair (or ``(DeviceClass, DeviceImpl, name)``),
    either given by dotted names; ``name``: the Tango class name (default: the
    implementation's)."""
    if isinstance(spec, (tuple, list)):
        parts = [_resolve(p) for p in spec]
        if len(parts) == 3 and isinstance(parts[2], str):
            name = parts[2]
        if len(parts) == 1:
            return device_type_of(parts[0], name)
        return classic_device_type(parts[0], parts[1], name)
    cls = _resolve(spec)
    if isinstance(cls, type) and issubclass(cls, DeviceImpl) and not issubclass(cls, Device):
        raise TypeError(f"{cls.__name__} is a classic DeviceImpl: give it with its DeviceClass")
    return cls
