"""The table of what a device server answers: one :class:`Handler` record per GIOP
operation, carrying the IDL signature, the servant's method and the operation's flags.

Rule 1: :data:`HANDLERS` is the only list of operations. An operation without a record
is answered BAD_OPERATION; the server protocol and the servant read every flag from the
record, so a request costs one dict lookup.

Rule 2: every record names an operation of the IDL (:data:`puretango.idl.OPERATIONS`),
once: a name missing there, or given twice, fails at import.

Rule 3: a client repeats the same request bodies (the same names to read, the same
scalar argument): :meth:`Handler.decode_args` keeps the arguments decoded from a short
body (:data:`MAX_REUSED_BODY` bytes) and hands out a copy of the list for the same bytes
again, for the operations whose arguments no one changes (names, enums, identities, a
scalar command argument; never values to write, never arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from ..giop import Body
from ..giop._typecode import Any as CorbaAny
from ..idl import OPERATIONS, Operation, UnionValue
from . import _history as _h
from . import _pipes as _p
from ._servant import ClientInfo, DeviceServant

__all__ = ["Handler", "HANDLERS", "MAX_REUSED_BODY"]

#: bodies up to this size may have their decoded arguments kept (Rule 3)
MAX_REUSED_BODY = 512
#: decoded bodies kept per operation (all are dropped when full)
_MAX_KEPT = 256
#: argument values that are never changed in place: a decoded body holding only these
#: (and lists of strings, enums, ClntIdents) may be reused
_IMMUTABLE = (str, int, float, bool, type(None), bytes)

HandlerFunc = Callable[[DeviceServant, list[Any], ClientInfo], Coroutine[Any, Any, Any]]


@dataclass(frozen=True, slots=True)
class Handler:
    """How a device answers one GIOP operation."""

    #: the GIOP operation name
    name: str
    #: the IDL operation: argument decoders and result encoder
    operation: Operation
    #: the servant's method: ``await func(servant, args, client)``
    func: HandlerFunc
    #: calls device code: a synchronous device runs it whole on a worker thread
    runs_user_code: bool
    #: per-attribute failures are reported as MultiDevFailed (else the first as DevFailed)
    multi_errors: bool
    #: the last argument is the client's identity (``ClntIdent``)
    takes_client_ident: bool
    #: the operation's name in the device's black box (None: not recorded)
    black_box_name: str | None
    #: the decoded arguments may be kept and reused for the same body (Rule 3)
    reuse_args: bool = False
    #: (byte order, alignment, body bytes) -> decoded arguments (with ``reuse_args``)
    decoded: dict[tuple[bool, int, bytes], list[Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def decode_args(self, body: Body) -> list[Any]:
        """The operation's arguments in ``body`` (a list the caller may change)."""
        if not self.reuse_args or len(body.data) > MAX_REUSED_BODY:
            return self.operation.read_args(body.decoder())
        key = (body.little, body.offset & 7, bytes(body.data))
        args = self.decoded.get(key)
        if args is None:
            args = self.operation.read_args(body.decoder())
            if not all(_unchangeable(arg) for arg in args):
                return args
            if len(self.decoded) >= _MAX_KEPT:
                self.decoded.clear()
            self.decoded[key] = args
        return list(args)


def _unchangeable(arg: Any) -> bool:
    """A decoded argument that no handler changes in place (Rule 3)."""
    if isinstance(arg, _IMMUTABLE):  # enums are ints
        return True
    if isinstance(arg, CorbaAny):
        return isinstance(arg.value, _IMMUTABLE)
    if isinstance(arg, list):
        return all(isinstance(item, str) for item in arg)
    if isinstance(arg, UnionValue):  # a ClntIdent: a pid, or a C++ identity struct
        return isinstance(arg.value, _IMMUTABLE) or hasattr(arg.value, "cpp_clnt")
    return False


def _handler(
    name: str,
    func: HandlerFunc,
    *,
    user_code: bool = False,
    multi_errors: bool = False,
    reuse_args: bool = False,
) -> Handler:
    operation = OPERATIONS[name]
    if not name.startswith("_"):
        black_box_name: str | None = name
    elif name.startswith("_get_"):  # an IDL attribute: "_get_state" is "Attribute state"
        black_box_name = name.replace("_get_", "Attribute ", 1)
    else:
        black_box_name = None
    return Handler(
        name=name,
        operation=operation,
        func=func,
        runs_user_code=user_code,
        multi_errors=multi_errors,
        takes_client_ident=bool(operation.params) and operation.params[-1][0] == "cl_ident",
        black_box_name=black_box_name,
        reuse_args=reuse_args,
    )


def _table(*handlers: Handler) -> dict[str, Handler]:
    table = {handler.name: handler for handler in handlers}
    if len(table) != len(handlers):
        raise ValueError("an operation has two handler records")
    return table


_S = DeviceServant

#: GIOP operation name -> its handler record
HANDLERS: dict[str, Handler] = _table(
    # CORBA pseudo-operations and IDL attributes
    _handler("_is_a", _S._op_is_a),
    _handler("_non_existent", _S._op_non_existent),
    _handler("_not_existent", _S._op_non_existent),
    _handler("_get_name", _S._op_get_name),
    _handler("_get_description", _S._op_get_description),
    _handler("_get_adm_name", _S._op_get_adm_name),
    _handler("_get_state", _S._op_get_state, user_code=True),
    _handler("_get_status", _S._op_get_status, user_code=True),
    # device information
    _handler("ping", _S._op_ping),
    _handler("black_box", _S._op_black_box),
    _handler("info", _S._op_info),
    _handler("info_3", _S._op_info_3),
    _handler("info_6", _S._op_info_6),
    # commands
    _handler("command_list_query", _S._op_command_list_query),
    _handler("command_list_query_2", _S._op_command_list_query_2),
    _handler("command_query", _S._op_command_query),
    _handler("command_query_2", _S._op_command_query_2),
    _handler("command_inout", _h.op_command_inout, user_code=True, reuse_args=True),
    _handler("command_inout_2", _h.op_command_inout, user_code=True, reuse_args=True),
    _handler("command_inout_4", _h.op_command_inout, user_code=True, reuse_args=True),
    _handler("command_inout_history_2", _h.op_command_inout_history_2),
    _handler("command_inout_history_4", _h.op_command_inout_history_4),
    # attribute configuration
    _handler("get_attribute_config", _S._op_get_attribute_config),
    _handler("get_attribute_config_2", _S._op_get_attribute_config_2),
    _handler("get_attribute_config_3", _S._op_get_attribute_config_3),
    _handler("get_attribute_config_5", _S._op_get_attribute_config_5),
    _handler("set_attribute_config", _S._op_set_attribute_config),
    _handler("set_attribute_config_3", _S._op_set_attribute_config),
    _handler("set_attribute_config_4", _S._op_set_attribute_config),
    _handler("set_attribute_config_5", _S._op_set_attribute_config),
    # reading and writing attributes
    _handler("read_attributes_3", _h.op_read_attributes_3, user_code=True, reuse_args=True),
    _handler("read_attributes_4", _h.op_read_attributes_4, user_code=True, reuse_args=True),
    _handler("read_attributes_5", _h.op_read_attributes_5, user_code=True, reuse_args=True),
    # IDL 1-3 writes are refused (API_NotSupported); flagged as their IDL operations are
    _handler("write_attributes", _S._op_write_attributes, user_code=True),
    _handler("write_attributes_3", _S._op_write_attributes, user_code=True, multi_errors=True),
    _handler("write_attributes_4", _S._op_write_attributes_4, user_code=True, multi_errors=True),
    _handler(
        "write_read_attributes_4", _S._op_write_read_attributes_4, user_code=True, multi_errors=True
    ),
    _handler(
        "write_read_attributes_5", _S._op_write_read_attributes_5, user_code=True, multi_errors=True
    ),
    # polling history (the poller's ring buffers)
    _handler("read_attribute_history_2", _h.op_read_attribute_history_2),
    _handler("read_attribute_history_3", _h.op_read_attribute_history_3),
    _handler("read_attribute_history_4", _h.op_read_attribute_history_4),
    _handler("read_attribute_history_5", _h.op_read_attribute_history_5),
    # pipes (Tango 9)
    _handler("get_pipe_config_5", _p.op_get_pipe_config_5),
    _handler("set_pipe_config_5", _p.op_set_pipe_config_5),
    _handler("read_pipe_5", _p.op_read_pipe_5, user_code=True),
    _handler("write_pipe_5", _p.op_write_pipe_5, user_code=True),
    _handler("write_read_pipe_5", _p.op_write_read_pipe_5, user_code=True),
)
