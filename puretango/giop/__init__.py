"""Sans-I/O CORBA core: CDR, GIOP messages, IORs, TypeCodes and ``any``.

Nothing in this package touches a socket, a thread, an event loop or a clock.
"""

from ._cdr import NATIVE_LITTLE, PRIMITIVES, CdrDecoder, CdrEncoder
from ._connection import (
    DEFAULT_MAX_MESSAGE_SIZE,
    NEED_DATA,
    ConnectionClosed,
    ConnectionState,
    GiopConnection,
    Role,
)
from ._errors import LocalProtocolError, MarshalError, ProtocolError, RemoteProtocolError
from ._ior import (
    DEFAULT_COMPONENTS,
    IOR,
    Corbaloc,
    IIOPProfile,
    TaggedComponent,
    TaggedProfile,
    parse_corbaloc,
)
from ._messages import (
    CODE_SETS_CONTEXT,
    EMPTY_BODY,
    HEADER_SIZE,
    MESSAGE_CLASSES,
    Body,
    BodyWriter,
    CancelRequest,
    CloseConnection,
    LocateReply,
    LocateRequest,
    LocateStatus,
    Message,
    MessageError,
    MsgType,
    Reply,
    ReplyStatus,
    Request,
    ServiceContext,
    decode_message,
    encode_message,
    fragment_message,
    parse_header,
)
from ._sysexc import MINOR, CompletionStatus, SystemException
from ._typecode import (
    TC_NULL,
    TC_STRING,
    TC_VOID,
    AliasTC,
    Any,
    ArrayTC,
    EnumTC,
    ExceptTC,
    ObjrefTC,
    PrimitiveTC,
    SequenceTC,
    StringTC,
    StructTC,
    TCKind,
    TypeCode,
    UnionTC,
    equivalent,
    read_any,
    read_typecode,
    read_value,
    strip_alias,
    tc_for_primitive,
    write_any,
    write_typecode,
    write_value,
)

__all__ = [
    "NATIVE_LITTLE", "PRIMITIVES", "CdrDecoder", "CdrEncoder",
    "DEFAULT_MAX_MESSAGE_SIZE", "NEED_DATA", "ConnectionClosed", "ConnectionState", "GiopConnection", "Role",
    "LocalProtocolError", "MarshalError", "ProtocolError", "RemoteProtocolError",
    "DEFAULT_COMPONENTS", "IOR", "Corbaloc", "IIOPProfile", "TaggedComponent", "TaggedProfile", "parse_corbaloc",
    "CODE_SETS_CONTEXT", "EMPTY_BODY", "HEADER_SIZE", "MESSAGE_CLASSES", "Body", "BodyWriter", "CancelRequest",
    "CloseConnection", "LocateReply", "LocateRequest", "LocateStatus", "Message", "MessageError", "MsgType",
    "Reply", "ReplyStatus", "Request", "ServiceContext", "decode_message", "encode_message", "fragment_message", "parse_header",
    "MINOR", "CompletionStatus", "SystemException",
    "TC_NULL", "TC_STRING", "TC_VOID", "AliasTC", "Any", "ArrayTC", "EnumTC", "ExceptTC", "ObjrefTC",
    "PrimitiveTC", "SequenceTC", "StringTC", "StructTC", "TCKind", "TypeCode", "UnionTC", "equivalent",
    "read_any", "read_typecode", "read_value", "strip_alias", "tc_for_primitive", "write_any",
    "write_typecode", "write_value",
]
