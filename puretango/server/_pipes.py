"""Pipes on the server side (Tango 9; PyTango 9's ``tango.server.pipe``): the ``pipe``
declaration, the pipes of a device class, and the IDL 5 operations that serve them
(``read_pipe_5``, ``write_pipe_5``, ``write_read_pipe_5``, ``get_pipe_config_5``,
``set_pipe_config_5``), as cppTango's ``Device_5Impl`` answers them.

Rule 1: declarations. ``name = pipe(...)`` in a ``Device`` (or ``@pipe`` on the read method)
declares a pipe; its read method is ``fget``/``fread`` or ``read_<name>`` and returns a blob
``(blob_name, data)`` (a read method taking ``(self, pipe)`` calls ``pipe.set_value`` instead);
its write method is ``fset``/``fwrite`` or ``write_<name>`` and receives the blob as PyTango 9
gives it (see :mod:`puretango._pipevalues`); ``is_<name>_allowed(self, req_type)`` or
``fisallowed`` gates both. The access is ``access=`` (or ``pipe_write=``), else PIPE_READ_WRITE
when both ``fget`` and ``fset`` are given or ``.write`` decorates a method, else PIPE_READ.

Rule 2: the label and description are the pipe's configuration: the declaration's (or
cppTango's defaults: the pipe's name, "No description"), changed by ``set_pipe_config_5``
with cppTango's rules ("" the declared default, "NaN" and "Not specified" the library's).
They live in the servant (per device) and are not stored in the Database.

Rule 3: the classic API's ``DeviceClass.pipe_list`` entries become declarations with
:meth:`pipe.from_pipe_info`, attached to a device class by :func:`add_class_pipes`; their
write methods receive the pipe object (``pipe.get_value()``), as classic PyTango 9 ones do.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._errors import DevFailed, make_error
from .._pipevalues import Blob, blob_to_python, python_to_blob
from ..idl import types as t
from ..idl._enums import AttReqType, DispLevel, PipeWriteType
from ..idl._pipes import DevPipeBlob, DevPipeData
from ..idl._values import TimeVal
from ._servant import ClientInfo, DeviceServant, python_error

__all__ = [
    "pipe",
    "PipeHandle",
    "device_pipes",
    "add_class_pipes",
    "ALL_PIPES",
    "op_get_pipe_config_5",
    "op_set_pipe_config_5",
    "op_read_pipe_5",
    "op_write_pipe_5",
    "op_write_read_pipe_5",
]

#: the name that asks ``get_pipe_config_5`` for every pipe (cppTango's ``AllPipe``)
ALL_PIPES = "All pipes"
_NO_DESCRIPTION = "No description"  # cppTango's DescNotSpec
_LIBRARY_DEFAULT = ("nan", "not specified")


class pipe:  # noqa: N801 - PyTango's name
    """Declare a Tango pipe in a ``Device`` (class attribute, or decorator on the read method)."""

    def __init__(self, fget: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        self.kwargs = dict(kwargs)
        self._explicit_name = kwargs.get("name") is not None
        self.name: str | None = kwargs.get("name")
        self.fget = kwargs.get("fget") or kwargs.get("fread") or fget
        self.fset = kwargs.get("fset") or kwargs.get("fwrite")
        self.fisallowed = kwargs.get("fisallowed")
        if callable(self.fget) and self.name is None:
            self.name = self.fget.__name__
        if fget is not None and "doc" not in kwargs and "description" not in kwargs:
            if fget.__doc__:
                self.kwargs["doc"] = inspect.cleandoc(fget.__doc__)
        access = kwargs.get("access", kwargs.get("pipe_write"))
        if access is None:
            both = self.fget is not None and self.fset is not None
            access = PipeWriteType.PIPE_READ_WRITE if both else PipeWriteType.PIPE_READ
        self.access = PipeWriteType(access)
        self.display_level = DispLevel(kwargs.get("display_level", DispLevel.OPERATOR))
        #: the write method takes the pipe object (classic API), not the blob
        self.classic = bool(kwargs.get("classic", False))

    @classmethod
    def from_pipe_info(cls, name: str, pipe_info: Sequence[Any]) -> pipe:
        """A pipe from a classic ``pipe_list`` entry: ``[PipeWriteType]`` or ``[PipeWriteType,
        {"label": ..., "description": ..., "display level": ...}]`` (keys in any case)."""
        if not isinstance(pipe_info, (list, tuple)) or not 1 <= len(pipe_info) <= 2:
            raise _wrong_definition(
                f"Wrong data type for value for describing pipe {name}\n"
                "Must be a sequence with 1 or 2 elements"
            )
        extra = {
            str(k).lower(): v for k, v in (pipe_info[1] if len(pipe_info) == 2 else {}).items()
        }
        try:
            access = PipeWriteType(pipe_info[0])
            level = DispLevel(extra.pop("display level", DispLevel.OPERATOR))
        except (TypeError, ValueError):
            desc = f"Wrong pipe write type or display level for pipe {name}"
            raise _wrong_definition(desc) from None
        kwargs: dict[str, Any] = {"name": name, "access": access, "display_level": level}
        for key, value in extra.items():
            if key not in ("label", "description", "doc"):
                raise _wrong_definition(
                    f"Wrong definition of pipe. The object extra information '{key}' "
                    "is not recognized!"
                )
            kwargs[key] = str(value)
        return cls(classic=True, **kwargs)

    def __call__(self, fget: Callable[..., Any]) -> pipe:
        """``@pipe(...)`` used on the read method."""
        return pipe(fget, **self.kwargs)

    def __set_name__(self, owner: type, name: str) -> None:
        if not self._explicit_name:
            self.name = name

    # decorators --------------------------------------------------------------------------
    def write(self, fset: Callable[..., Any]) -> pipe:
        """Declare the write method (the pipe becomes PIPE_READ_WRITE)."""
        self.fset = fset
        self.access = PipeWriteType.PIPE_READ_WRITE
        return self

    setter = write

    def read(self, fget: Callable[..., Any]) -> pipe:
        self.fget = fget
        return self

    getter = read

    def is_allowed(self, fisallowed: Callable[..., Any]) -> pipe:
        self.fisallowed = fisallowed
        return self

    # resolved against a device class -------------------------------------------------------
    def _method(self, cls: type, given: Any, default_name: str) -> Callable[..., Any] | None:
        if isinstance(given, str):
            found: Callable[..., Any] = getattr(cls, given)
            return found
        return given or getattr(cls, default_name, None)

    def read_method(self, cls: type) -> Callable[..., Any] | None:
        return self._method(cls, self.fget, f"read_{self.name}")

    def write_method(self, cls: type) -> Callable[..., Any] | None:
        return self._method(cls, self.fset, f"write_{self.name}")

    def allowed_method(self, cls: type) -> Callable[..., Any] | None:
        return self._method(cls, self.fisallowed, f"is_{self.name}_allowed")

    @property
    def default_label(self) -> str:
        label = self.kwargs.get("label")
        return str(label) if label else str(self.name)

    @property
    def default_description(self) -> str:
        doc = self.kwargs.get("doc", self.kwargs.get("description"))
        return str(doc) if doc else _NO_DESCRIPTION

    def __repr__(self) -> str:
        return f"pipe({self.name!r}, {self.access.name})"


_CLASS_PIPES: weakref.WeakKeyDictionary[type, dict[str, pipe]] = weakref.WeakKeyDictionary()


def _wrong_definition(desc: str) -> DevFailed:
    return DevFailed(make_error("PyDs_WrongPipeDefinition", desc, "create_pipe()"))


def add_class_pipes(cls: type, pipes: Iterable[pipe]) -> None:
    """Give device class ``cls`` pipes that are not class members (classic ``pipe_list``)."""
    found = dict(device_pipes(cls))
    for decl in pipes:
        found[str(decl.name).lower()] = decl
    _CLASS_PIPES[cls] = found


def device_pipes(cls: type) -> dict[str, pipe]:
    """The pipes a device class declares (inherited ones included): lower-case name -> pipe,
    in declaration order."""
    found = _CLASS_PIPES.get(cls)
    if found is None:
        found = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, pipe) and value.name:
                    found[value.name.lower()] = value
        _CLASS_PIPES[cls] = found
    return found


class PipeHandle:
    """The ``pipe`` argument of a read method written as ``read_<name>(self, pipe)``."""

    def __init__(self, name: str, value: Any = None) -> None:
        self.name = name
        self.value: Any = value
        self.value_set = False

    def get_name(self) -> str:
        return self.name

    def set_value(self, value: Any) -> None:
        self.value, self.value_set = value, True

    def get_value(self) -> Any:
        return self.value


class _PipeState:
    """One device's pipe: its declaration, methods and current label and description."""

    def __init__(self, decl: pipe, cls: type) -> None:
        self.decl = decl
        self.name = str(decl.name)
        self.read_method = decl.read_method(cls)
        self.write_method = decl.write_method(cls)
        self.allowed_method = decl.allowed_method(cls)
        self.label = decl.default_label
        self.description = decl.default_description

    def config(self) -> Any:
        return t.PipeConfig(
            name=self.name,
            description=self.description,
            label=self.label,
            level=self.decl.display_level,
            writable=self.decl.access,
            extensions=[],
        )

    def configure(self, conf: Any) -> None:
        if PipeWriteType(conf.writable) != self.decl.access:
            raise DevFailed(
                make_error(
                    "API_AttrNotAllowed",
                    "Pipe writable property is not changeable at run time",
                    "Pipe::set_properties()",
                )
            )
        self.description = _new_text(conf.description, self.decl, "doc", _NO_DESCRIPTION)
        self.label = _new_text(conf.label, self.decl, "label", self.name)


def _new_text(value: str, decl: pipe, key: str, library: str) -> str:
    """A label or description after ``set_pipe_config_5``, by cppTango's rules."""
    declared = decl.kwargs.get(key) or (decl.kwargs.get("description") if key == "doc" else None)
    if value.lower() in _LIBRARY_DEFAULT:
        return declared if value.lower() == "nan" and declared else library
    if not value:
        return str(declared) if declared else library
    return value


def _states(servant: DeviceServant) -> dict[str, _PipeState]:
    states: dict[str, _PipeState] | None = servant.__dict__.get("_pipe_states")
    if states is None:
        cls = type(servant.device)
        states = {key: _PipeState(decl, cls) for key, decl in device_pipes(cls).items()}
        servant.__dict__["_pipe_states"] = states
    return states


def _find(servant: DeviceServant, name: str) -> _PipeState:
    found = _states(servant).get(name.lower())
    if found is None:
        raise DevFailed(
            make_error(
                "API_PipeNotFound", f"{name} pipe not found", "DeviceClass::get_pipe_by_name"
            )
        )
    return found


def _as_devfailed(exc: BaseException) -> DevFailed:
    return exc if isinstance(exc, DevFailed) else DevFailed(python_error(exc))


async def _check_allowed(servant: DeviceServant, state: _PipeState, req: AttReqType) -> None:
    if state.allowed_method is None:
        return
    if not await servant.user_call(state.allowed_method, servant.device, req):
        verb = "read" if req is AttReqType.READ_REQ else "write"
        raise DevFailed(
            make_error(
                "API_PipeNotAllowed",
                f"It is currently not allowed to {verb} pipe {state.name}",
                f"Device_5Impl::{verb}_pipe_5",
            )
        )


# -- configuration -------------------------------------------------------------------------


async def op_get_pipe_config_5(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    names = list(args[0])
    if len(names) == 1 and names[0] == ALL_PIPES:
        return [state.config() for state in _states(servant).values()]
    return [_find(servant, name).config() for name in names]


async def op_set_pipe_config_5(servant: DeviceServant, args: list[Any], client: ClientInfo) -> None:
    if not _states(servant):
        raise DevFailed(
            make_error(
                "API_PipeNotFound",
                "The device does not have any pipe",
                "Device_5Impl::set_pipe_config_5",
            )
        )
    for conf in args[0]:
        _find(servant, conf.name).configure(conf)


# -- values --------------------------------------------------------------------------------


async def _read(servant: DeviceServant, name: str, client: ClientInfo) -> Any:
    state = _find(servant, name)
    async with servant.bridge.serialised(client.pid):
        try:
            await servant.hook("always_executed_hook")
            await _check_allowed(servant, state, AttReqType.READ_REQ)
            value = await _call_read(servant, state)
        except Exception as exc:
            raise _as_devfailed(exc) from None
    try:
        blob_name, elements = python_to_blob(value)
    except (TypeError, ValueError) as exc:
        raise DevFailed(
            make_error(
                "PyDs_WrongPythonDataTypeForPipe",
                f"Wrong Python type for pipe {state.name}: {exc}",
                "puretango::read_pipe",
            )
        ) from None
    return DevPipeData(
        name=name,
        time=TimeVal.now(),
        data_blob=DevPipeBlob(name=blob_name, blob_data=elements),
    )


async def _call_read(servant: DeviceServant, state: _PipeState) -> Any:
    method = state.read_method
    if method is None:
        raise DevFailed(
            make_error(
                "PyTango_ReadPipeMethodNotFound",
                f"read_{state.name} method not found for {state.name}",
                "PyTango::Pipe::read",
            )
        )
    if _takes_pipe(method):
        handle = PipeHandle(state.name)
        value = await servant.user_call(method, servant.device, handle)
        if handle.value_set:
            value = handle.value
    else:
        value = await servant.user_call(method, servant.device)
    if value is None:
        raise DevFailed(
            make_error(
                "API_PipeValueNotSet",
                f"Value for pipe {state.name} has not been updated",
                "Device_5Impl::read_pipe_5",
            )
        )
    return value


def _takes_pipe(method: Callable[..., Any]) -> bool:
    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


async def _write(servant: DeviceServant, data: Any, client: ClientInfo) -> None:
    state = _find(servant, data.name)
    if state.decl.access is not PipeWriteType.PIPE_READ_WRITE:
        raise DevFailed(
            make_error(
                "API_PipeNotWritable",
                f"Pipe {data.name} is not writable",
                "Device_5Impl::write_pipe_5",
            )
        )
    value: Blob = blob_to_python(data.data_blob.name, data.data_blob.blob_data)
    async with servant.bridge.serialised(client.pid):
        try:
            await servant.hook("always_executed_hook")
            await _check_allowed(servant, state, AttReqType.WRITE_REQ)
            if state.write_method is None:
                raise DevFailed(
                    make_error(
                        "PyTango_WritePipeMethodNotFound",
                        f"write_{state.name} method not found for {state.name}",
                        "PyTango::Pipe::write",
                    )
                )
            arg = PipeHandle(state.name, value) if state.decl.classic else value
            await servant.user_call(state.write_method, servant.device, arg)
        except Exception as exc:
            raise _as_devfailed(exc) from None


async def op_read_pipe_5(servant: DeviceServant, args: list[Any], client: ClientInfo) -> Any:
    return await _read(servant, args[0], client)


async def op_write_pipe_5(servant: DeviceServant, args: list[Any], client: ClientInfo) -> None:
    await _write(servant, args[0], client)


async def op_write_read_pipe_5(servant: DeviceServant, args: list[Any], client: ClientInfo) -> Any:
    await _write(servant, args[0], client)
    return await _read(servant, args[0].name, client)
