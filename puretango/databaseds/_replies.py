"""The DataBase device's replies in wire form, and the cache of its read replies.

Rule 1: a reply is an :class:`EncodedReply`: the command's ``any`` (TypeCode, then value)
encoded once per byte order and alignment, then copied into every reply that sends it. The
values are encoded with the CDR primitives (no conversion to arrays: the Database server
never needs numpy).

Rule 2: :class:`ReplyCache` keeps read replies by (command, argument) for one generation of
the store (:meth:`~._store.Store.generation`); a reply is kept only when no write started
or ended while it was computed, and the whole cache is dropped when the generation moves.
Every read therefore sees every write that had answered before it began.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ..giop import CdrEncoder, write_typecode
from ..idl._cmdargs import command_typecode
from ..idl._enums import CmdArgType
from ..server._values import PreparedReply

__all__ = [
    "EncodedReply",
    "ReplyCache",
    "string_reply",
    "strings_reply",
    "long_strings_reply",
    "wire_text",
]

_STRING = command_typecode(CmdArgType.DevString)
_STRINGS = command_typecode(CmdArgType.DevVarStringArray)
_LONG_STRINGS = command_typecode(CmdArgType.DevVarLongStringArray)


class EncodedReply(PreparedReply):
    """A command result encoded by ``encode(enc, value)``, kept per (byte order, position
    modulo 8) so that the bytes are exactly what encoding in place would give."""

    __slots__ = ("value", "size", "_encode", "_wire")

    def __init__(self, encode: Callable[[CdrEncoder, Any], None], value: Any, size: int) -> None:
        self.value = value
        #: about how many bytes the value and one encoding of it take
        self.size = size
        self._encode = encode
        self._wire: dict[tuple[bool, int], bytes] = {}

    def write(self, enc: CdrEncoder) -> None:
        key = (enc.little, enc.position & 7)
        data = self._wire.get(key)
        if data is None:
            inner = CdrEncoder(enc.little, base=key[1])
            self._encode(inner, self.value)
            data = self._wire[key] = bytes(inner.buf)
        enc.write_raw(data)


def _write_string(enc: CdrEncoder, value: str) -> None:
    write_typecode(enc, _STRING)
    enc.write_string(value)


def _write_strings(enc: CdrEncoder, values: Sequence[str]) -> None:
    write_typecode(enc, _STRINGS)
    enc.write_string_sequence(values)


def _write_long_strings(enc: CdrEncoder, value: tuple[Sequence[int], Sequence[str]]) -> None:
    longs, strings = value
    write_typecode(enc, _LONG_STRINGS)
    enc.write_ulong(len(longs))
    for number in longs:
        enc.write_long(number)
    enc.write_string_sequence(strings)


def wire_text(value: str) -> str:
    """``value`` as a Tango string can carry it: characters outside Latin-1 (an emoji
    written into the tables by SQL) become ``?``, as MariaDB converts them for a latin-1
    client, instead of failing the whole reply."""
    if value.isascii():
        return value
    return value.encode("latin-1", "replace").decode("latin-1")


def _size(strings: Sequence[str]) -> int:
    return 2 * sum(len(v) + 60 for v in strings) + 200


def string_reply(value: str) -> EncodedReply:
    """A ``DevString`` result."""
    value = wire_text(value)
    return EncodedReply(_write_string, value, _size([value]))


def strings_reply(values: Sequence[str]) -> EncodedReply:
    """A ``DevVarStringArray`` result."""
    values = [wire_text(v) for v in values]
    return EncodedReply(_write_strings, values, _size(values))


def long_strings_reply(longs: Sequence[int], strings: Sequence[str]) -> EncodedReply:
    """A ``DevVarLongStringArray`` result."""
    strings = [wire_text(v) for v in strings]
    return EncodedReply(_write_long_strings, (list(longs), strings), _size(strings) + len(longs))


class ReplyCache:
    """Read replies by (command, argument), valid for one store generation (Rule 2), at
    most ``budget`` bytes of them (about); a reply above ``budget // 16`` is not kept."""

    def __init__(self, budget: int = 8 << 20) -> None:
        self.budget = budget
        self._used = 0
        self._generation: int | None = None
        self._entries: dict[Hashable, EncodedReply] = {}

    def get(self, generation: int, key: Hashable) -> EncodedReply | None:
        if generation != self._generation:
            self._clear()
            self._generation = generation
            return None
        return self._entries.get(key)

    def put(self, generation: int, key: Hashable, reply: EncodedReply) -> None:
        if generation != self._generation or reply.size > self.budget // 16:
            return
        if self._used + reply.size > self.budget:
            self._clear()
        old = self._entries.pop(key, None)
        self._used += reply.size - (old.size if old is not None else 0)
        self._entries[key] = reply

    def _clear(self) -> None:
        self._entries.clear()
        self._used = 0
