"""The pipe side of ``DeviceProxy`` (Tango 9 pipes, which PyTango 10 dropped): ``read_pipe``,
``write_pipe``, ``write_read_pipe``, ``get_pipe_config``, ``set_pipe_config``,
``get_pipe_list``, ``pipe_query`` and ``pipe_list_query``, over the IDL 5 operations
``read_pipe_5``, ``write_pipe_5``, ``write_read_pipe_5``, ``get_pipe_config_5`` and
``set_pipe_config_5``; pipes as members of the proxy, as PyTango 9 has them (``proxy.<pipe>``
reads, assigning writes; commands and attributes are looked up first); and the client's pipe
types :class:`PipeInfo` and :class:`PipeConfig`.

Values have PyTango 9's shapes (see :mod:`puretango._pipevalues`). Failures carry cppTango's
``API_PipeFailed`` on top, as its ``DeviceProxy::read_pipe`` (...) re-throws them. The reads
and writes are green methods; the configuration calls are synchronous, as in PyTango 9.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._errors import CommunicationFailed, DevFailed, make_error
from .._pipevalues import Blob, blob_to_python, python_to_blob
from ..idl._enums import DispLevel, ExtractAs, PipeWriteType
from ..idl._pipes import DevPipeBlob, DevPipeData
from ..idl._tango import PipeConfig as _PipeConfigIdl
from ..idl._values import DevError, TimeVal
from ._engine import Call, Op
from ._green import green, sync_only

__all__ = ["PipeMixin", "PipeInfo", "PipeConfig", "ALL_PIPES"]

#: the name that asks ``get_pipe_config_5`` for every pipe (cppTango's ``AllPipe``)
ALL_PIPES = "All pipes"


class PipeInfo:
    """A pipe's configuration as a client sees it (PyTango 9's ``tango.PipeInfo``)."""

    __slots__ = ("name", "description", "label", "disp_level", "writable", "extensions")

    def __init__(
        self,
        name: str = "",
        description: str = "",
        label: str = "",
        disp_level: DispLevel = DispLevel.OPERATOR,
        writable: PipeWriteType = PipeWriteType.PIPE_READ,
        extensions: Sequence[str] = (),
    ) -> None:
        self.name, self.description, self.label = name, description, label
        self.disp_level = DispLevel(disp_level)
        self.writable = PipeWriteType(writable)
        self.extensions = list(extensions)

    @classmethod
    def from_idl(cls, conf: Any) -> PipeInfo:
        return cls(
            conf.name, conf.description, conf.label, conf.level, conf.writable, conf.extensions
        )

    def to_idl(self) -> Any:
        return _PipeConfigIdl(
            name=self.name,
            description=self.description,
            label=self.label,
            level=DispLevel(self.disp_level),
            writable=PipeWriteType(self.writable),
            extensions=list(self.extensions),
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{f} = {getattr(self, f)!r}" for f in self.__slots__)
        return f"PipeInfo({inner})"


class PipeConfig:
    """PyTango 9's ``tango.PipeConfig``: the IDL ``PipeConfig`` fields, plain."""

    def __init__(self) -> None:
        self.name = ""
        self.description = ""
        self.label = ""
        self.level = DispLevel.OPERATOR
        self.writable = PipeWriteType.PIPE_READ
        self.extensions: list[str] = []


class PipeMixin:
    """Pipe methods of ``DeviceProxy`` (see the module docstring)."""

    _dev_name: str
    _idl_version: int
    _ident: Any

    def _call(self, operation: str, *args: Any, cache_key: Any = None) -> Call:
        raise NotImplementedError

    def _need_idl5(self, method: str) -> None:
        if 0 < self._idl_version < 5:
            raise DevFailed(
                make_error(
                    "API_UnsupportedFeature",
                    f"Device {self._dev_name} too old to use {method}() call. "
                    "Please upgrade to Tango 9/IDL5",
                    f"DeviceProxy::{method}()",
                )
            )

    def _pipe_failed(self, exc: DevFailed, method: str, pipe_name: str) -> DevFailed:
        if isinstance(exc, CommunicationFailed):
            return exc
        top = DevError(
            "API_PipeFailed",
            1,
            f"Failed to {method} on device {self._dev_name}, pipe {pipe_name}",
            f"DeviceProxy::{method}()",
        )
        return type(exc)(*exc.args, top)

    def _pipe_data(self, pipe_name: str, value: Any) -> Any:
        blob_name, elements = python_to_blob(value)
        if not elements:
            raise DevFailed(
                make_error("API_PipeNoDataElement", "No data in pipe!", "DeviceProxy::write_pipe()")
            )
        return DevPipeData(
            name=pipe_name,
            time=TimeVal(),
            data_blob=DevPipeBlob(name=blob_name, blob_data=elements),
        )

    # -- values ------------------------------------------------------------------------

    def _g_read_pipe(self, pipe_name: str, extract_as: ExtractAs = ExtractAs.Numpy) -> Op[Blob]:
        self._need_idl5("read_pipe")
        try:
            raw = yield self._call("read_pipe_5", pipe_name, self._ident)
        except DevFailed as exc:
            raise self._pipe_failed(exc, "read_pipe", pipe_name) from None
        return blob_to_python(raw.data_blob.name, raw.data_blob.blob_data, extract_as)

    def _g_write_pipe(self, pipe_name: str, value: Any) -> Op[None]:
        self._need_idl5("write_pipe")
        data = self._pipe_data(pipe_name, value)
        try:
            yield self._call("write_pipe_5", data, self._ident)
        except DevFailed as exc:
            raise self._pipe_failed(exc, "write_pipe", pipe_name) from None

    def _g_write_read_pipe(
        self, pipe_name: str, value: Any, extract_as: ExtractAs = ExtractAs.Numpy
    ) -> Op[Blob]:
        self._need_idl5("write_read_pipe")
        data = self._pipe_data(pipe_name, value)
        try:
            raw = yield self._call("write_read_pipe_5", data, self._ident)
        except DevFailed as exc:
            raise self._pipe_failed(exc, "write_read_pipe", pipe_name) from None
        return blob_to_python(raw.data_blob.name, raw.data_blob.blob_data, extract_as)

    read_pipe = green(_g_read_pipe)
    write_pipe = green(_g_write_pipe)
    write_read_pipe = green(_g_write_read_pipe)

    # -- pipes as members of the proxy (PyTango 9) -------------------------------------------

    def _find_pipe(self, name: str) -> tuple[str, str] | None:
        """``("pipe", its name)`` if the device has a pipe ``name`` (any case), else None;
        the pipe list is fetched again on each name not found in the last one."""
        key = name.lower()
        names: dict[str, str] | None = self.__dict__.get("_pipe_names")
        if (names is None or key not in names) and self._idl_version >= 5:
            try:
                listed = self.get_pipe_list()
            except DevFailed:
                listed = []
            names = self.__dict__["_pipe_names"] = {n.lower(): n for n in listed}
        found = (names or {}).get(key)
        return None if found is None else ("pipe", found)

    # -- configuration --------------------------------------------------------------------

    def _g_pipe_configs(self, names: Sequence[str]) -> Op[list[PipeInfo]]:
        self._need_idl5("get_pipe_config")
        raw = yield self._call("get_pipe_config_5", list(names))
        return [PipeInfo.from_idl(conf) for conf in raw]

    @sync_only
    def get_pipe_config(self, value: Any = None) -> Op[Any]:
        """All pipes' configurations (no argument), one pipe's (a name), or a list's."""
        if value is None:
            return (yield from self._g_pipe_configs([ALL_PIPES]))
        if isinstance(value, str):
            return (yield from self._g_pipe_configs([value]))[0]
        return (yield from self._g_pipe_configs(list(value)))

    @sync_only
    def set_pipe_config(self, value: Any) -> Op[None]:
        """Change the label and description of one pipe (a PipeInfo) or several."""
        self._need_idl5("set_pipe_config")
        infos = [value] if isinstance(value, (PipeInfo, PipeConfig)) else list(value)
        if not infos or not all(isinstance(i, (PipeInfo, PipeConfig)) for i in infos):
            raise TypeError("Value must be a PipeInfo or a sequence<PipeInfo>")
        yield self._call("set_pipe_config_5", [_as_idl(i) for i in infos], self._ident)

    @sync_only
    def pipe_query(self, pipe_name: str) -> Op[PipeInfo]:
        return (yield from self._g_pipe_configs([pipe_name]))[0]

    @sync_only
    def pipe_list_query(self) -> Op[list[PipeInfo]]:
        return (yield from self._g_pipe_configs([ALL_PIPES]))

    @sync_only
    def get_pipe_list(self) -> Op[list[str]]:
        return [info.name for info in (yield from self._g_pipe_configs([ALL_PIPES]))]


def _as_idl(info: PipeInfo | PipeConfig) -> Any:
    if isinstance(info, PipeInfo):
        return info.to_idl()
    return PipeInfo(
        info.name, info.description, info.label, info.level, info.writable, info.extensions
    ).to_idl()
