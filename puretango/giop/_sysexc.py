"""CORBA system exceptions as they travel in a SYSTEM_EXCEPTION reply.

Body: ``string exception_id; ulong minor; ulong completion_status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ._cdr import CdrDecoder, CdrEncoder

__all__ = ["CompletionStatus", "SystemException", "MINOR"]


class CompletionStatus(IntEnum):
    COMPLETED_YES = 0
    COMPLETED_NO = 1
    COMPLETED_MAYBE = 2


#: Minor codes omniORB uses in the cases a Tango server needs (omniORB's minorCode.h).
MINOR = {
    "OBJECT_NOT_EXIST": 0x4F4D0001,
    "BAD_OPERATION": 0x41540026,
    "MARSHAL": 0x4154000A,
    "UNKNOWN": 0x4F4D0001,
}

_PREFIX = "IDL:omg.org/CORBA/"


@dataclass(frozen=True, slots=True)
class SystemException:
    """A CORBA system exception such as ``TRANSIENT`` or ``OBJECT_NOT_EXIST``."""

    name: str
    minor: int = 0
    completed: CompletionStatus = CompletionStatus.COMPLETED_NO

    @property
    def repo_id(self) -> str:
        return f"{_PREFIX}{self.name}:1.0"

    def encode_into(self, enc: CdrEncoder) -> None:
        enc.write_string(self.repo_id)
        enc.write_ulong(self.minor)
        enc.write_ulong(self.completed)

    @classmethod
    def decode_from(cls, dec: CdrDecoder) -> SystemException:
        repo_id = dec.read_string()
        minor = dec.read_ulong()
        completed = dec.read_ulong()
        name = repo_id
        if name.startswith(_PREFIX):
            name = name[len(_PREFIX) :]
        name = name.rsplit(":", 1)[0]
        try:
            status = CompletionStatus(completed)
        except ValueError:
            status = CompletionStatus.COMPLETED_MAYBE
        return cls(name, minor, status)

    def __str__(self) -> str:
        return (
            f"CORBA system exception {self.name} (minor 0x{self.minor:08x}, {self.completed.name})"
        )
