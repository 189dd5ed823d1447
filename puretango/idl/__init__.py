"""The Tango IDL types, each declared once and marshalled both ways from that declaration."""

from . import _tango as types
from ._cmdargs import COMMAND_ARG_TYPES, command_typecode
from ._enums import *  # noqa: F403 - the enum module declares __all__
from ._enums import __all__ as _enum_names
from ._pipes import PIPE_OPERATIONS
from ._tango import DEVFAILED_ID, DEVICE_REPO_IDS, MULTIDEVFAILED_ID
from ._tango import OPERATIONS as _IDL_OPERATIONS
from ._types import IdlType, Operation, Struct, StructBase, UnionValue

#: every operation a client or server speaks: the IDL's and the pipe operations
OPERATIONS: dict[str, Operation] = {**_IDL_OPERATIONS, **PIPE_OPERATIONS}


def compile_codecs() -> int:
    """Make every IDL struct's reader and writer now (each is made on its first use, a pause
    of milliseconds that a long-running process would rather take at start-up); returns how
    many were made."""
    import sys

    made = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(__name__ + "."):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Struct) and not value.compiled:
                value.compile()
                made += 1
    return made


__all__ = [
    "types",
    "COMMAND_ARG_TYPES",
    "command_typecode",
    "compile_codecs",
    "DEVFAILED_ID",
    "DEVICE_REPO_IDS",
    "MULTIDEVFAILED_ID",
    "OPERATIONS",
    "PIPE_OPERATIONS",
    "IdlType",
    "Operation",
    "StructBase",
    "UnionValue",
    *_enum_names,
]
