"""The pipe types and operations of the Tango IDL (Device_5, kept in IDL 6): the recursive
``DevPipeDataElt``, ``DevPipeBlob``, ``DevPipeData``, and the operations ``read_pipe_5``,
``write_pipe_5``, ``write_read_pipe_5`` and ``set_pipe_config_5`` (``get_pipe_config_5`` and
``PipeConfig`` are declared with the rest of the IDL in :mod:`._tango`).

Rule 1: ``DevPipeDataElt`` holds a ``sequence<DevPipeDataElt>``; its codecs are written by
hand here (the struct code generator has no recursion) and refuse nesting deeper than
:data:`MAX_BLOB_DEPTH` both ways, so a hostile reply cannot exhaust the stack.

Rule 2: the operations are in :data:`PIPE_OPERATIONS`; the package's ``OPERATIONS`` joins
them to :data:`._tango.OPERATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..giop._cdr import CdrDecoder, CdrEncoder
from ..giop._errors import LocalProtocolError, MarshalError
from ..giop._typecode import SequenceTC, TCKind, TypeCode
from . import _tango as _t
from ._types import STRING, IdlType, Operation, Seq, Struct

__all__ = [
    "MAX_BLOB_DEPTH",
    "DevVarPipeDataEltArray",
    "DevPipeDataElt",
    "DevPipeBlob",
    "DevPipeData",
    "PIPE_OPERATIONS",
]

#: the deepest nesting of blobs decoded or encoded (cppTango has no limit; 32 is generous)
MAX_BLOB_DEPTH = 32


@dataclass(frozen=True, slots=True)
class _RecursionTC(TypeCode):
    """The TypeCode of the recursive member: pipe values never travel inside an ``any``,
    so it marks the recursion and refuses to be encoded (see ``write_typecode``)."""

    repo_id: str
    kind: TCKind = TCKind.tk_struct


class _EltSequence(IdlType):
    """``sequence<DevPipeDataElt>``: reads and writes its elements at nesting ``depth``
    (0 for a pipe's top-level elements)."""

    def __init__(self) -> None:
        self.typecode = SequenceTC(_RecursionTC("IDL:Tango/DevPipeDataElt:1.0"), 0)

    def read(self, dec: CdrDecoder, depth: int = 0) -> list[Any]:
        count = dec.read_count(16)  # an element takes at least 16 bytes
        return [_read_elt(dec, depth) for _ in range(count)]

    def write(self, enc: CdrEncoder, value: Any, depth: int = 0) -> None:
        enc.write_ulong(len(value))
        for elt in value:
            _write_elt(enc, elt, depth)

    def default(self) -> list[Any]:
        return []

    def __repr__(self) -> str:
        return "sequence<DevPipeDataElt>"


DevVarPipeDataEltArray = _EltSequence()

DevPipeDataElt = Struct(
    "DevPipeDataElt",
    [
        ("name", STRING),
        ("value", _t.AttrValUnion),
        ("inner_blob", DevVarPipeDataEltArray),
        ("inner_blob_name", STRING),
    ],
)
_ELT_CLS: Any = DevPipeDataElt.cls
_read_value = _t.AttrValUnion.read
_write_value = _t.AttrValUnion.write


def _read_elt(dec: CdrDecoder, depth: int) -> Any:
    if depth > MAX_BLOB_DEPTH:
        raise MarshalError("pipe blobs nested too deeply")
    elt = object.__new__(_ELT_CLS)
    elt.name = dec.read_string()
    elt.value = _read_value(dec)
    elt.inner_blob = DevVarPipeDataEltArray.read(dec, depth + 1)
    elt.inner_blob_name = dec.read_string()
    return elt


def _write_elt(enc: CdrEncoder, elt: Any, depth: int) -> None:
    if depth > MAX_BLOB_DEPTH:
        raise LocalProtocolError("pipe blobs nested too deeply")
    enc.write_string(elt.name)
    _write_value(enc, elt.value)
    DevVarPipeDataEltArray.write(enc, elt.inner_blob, depth + 1)
    enc.write_string(elt.inner_blob_name)


DevPipeDataElt.read = lambda dec: _read_elt(dec, 0)
DevPipeDataElt.write = lambda enc, value: _write_elt(enc, value, 0)

DevPipeBlob = Struct("DevPipeBlob", [("name", STRING), ("blob_data", DevVarPipeDataEltArray)])
DevPipeData = Struct(
    "DevPipeData", [("name", STRING), ("time", _t.TimeVal), ("data_blob", DevPipeBlob)]
)

_CLIENT = ("cl_ident", _t.ClntIdent)
_OPS = [
    Operation("set_pipe_config_5", [("new_conf", Seq(_t.PipeConfig)), _CLIENT]),
    Operation("read_pipe_5", [("name", STRING), _CLIENT], DevPipeData),
    Operation("write_pipe_5", [("value", DevPipeData), _CLIENT]),
    Operation("write_read_pipe_5", [("value", DevPipeData), _CLIENT], DevPipeData),
]
#: GIOP operation name -> :class:`Operation`, for the pipe operations
PIPE_OPERATIONS: dict[str, Operation] = {op.name: op for op in _OPS}
