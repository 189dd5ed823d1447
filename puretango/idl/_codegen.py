"""The codec generator: straight-line CDR reader and writer functions for an IDL struct,
built as Python source from the struct's field list and compiled on the struct's first use.

Rule 1: the generated code is ours and equivalent to the generic codecs in :mod:`._types`:
primitives, strings, enums, unions and nested structs are read from (or appended to) the
buffer inline, with alignment tracked at generation time, so decoding a struct costs one
function call per field that is not inlined and nothing more; anything else calls the
field type's own ``read``/``write``.

Rule 2: malformed input surfaces as :class:`MarshalError` (decoding) or
:class:`LocalProtocolError` (encoding), never as a bare ``struct.error``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from ..giop import _cdr as _cdr_module
from ..giop._cdr import PRIMITIVES, CdrDecoder, CdrEncoder
from ..giop._errors import LocalProtocolError, MarshalError
from ._types import STRING, Alias, Enum, IdlType, Prim, Seq, Struct, Union, UnionValue, _StringType

__all__ = ["compile_struct"]

#: the distinct ``struct`` codes of the CDR primitives, in a fixed order (locals ``u_<code>``)
_UNPACK_CODES = "".join(dict.fromkeys(code for code, _, _ in PRIMITIVES.values()))
_UNPACKERS = {
    little: tuple(struct.Struct(("<" if little else ">") + c).unpack_from for c in _UNPACK_CODES)
    for little in (True, False)
}
_PACKERS = {
    little: tuple(struct.Struct(("<" if little else ">") + c).pack for c in _UNPACK_CODES)
    for little in (True, False)
}


class _ReadGen:
    """Emits straight-line decoding code: primitives, strings, enums and nested structs
    are read inline from ``data`` at local position ``p``; anything else is a call to
    its own reader with ``dec.pos`` synchronised around it."""

    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.counter = 0
        #: alignment of ``base + p`` known at this point of the generated code
        self.known = 1

    def name(self, prefix: str, value: Any) -> str:
        self.counter += 1
        key = f"{prefix}{self.counter}"
        self.env[key] = value
        return key

    def emit(self, line: str, indent: int) -> None:
        self.lines.append("    " * indent + line)

    def align(self, size: int, indent: int) -> None:
        if size > self.known:
            self.emit(f"p += -(base + p) & {size - 1}", indent)
            self.known = size

    def advanced(self, size: int | None) -> None:
        """``p`` moved by ``size`` bytes (None: by an unknown amount)."""
        self.known = 1 if size is None else min(self.known, size & -size if size else self.known)

    def read(self, typ: IdlType, target: str, indent: int) -> None:
        while isinstance(typ, Alias):
            typ = typ.content
        if isinstance(typ, Prim):
            code, size, _ = PRIMITIVES[typ.name]
            self.align(size, indent)
            expr = f"u_{code}(data, p)[0]"
            if typ.name == "boolean":
                expr = f"{expr} != 0"
            self.emit(f"{target} = {expr}", indent)
            self.emit(f"p += {size}", indent)
            self.advanced(size)
        elif isinstance(typ, _StringType):
            self.align(4, indent)
            self.emit("n = u_I(data, p)[0]", indent)
            self.emit(f"{target} = str(data[p + 4:p + 3 + n], 'latin-1') if n else ''", indent)
            self.emit("p += 4 + n", indent)
            self.advanced(None)
        elif isinstance(typ, Enum):
            table = self.name("enum", tuple(sorted(typ.enum_cls, key=int)))
            self.align(4, indent)
            self.emit(f"{target} = {table}[u_I(data, p)[0]]", indent)
            self.emit("p += 4", indent)
            self.advanced(4)
        elif isinstance(typ, Seq) and not isinstance(typ.element, Prim):
            # most such sequences (error lists, extensions) are empty: read the count
            # inline and call the reader only when there is something to read
            reader = self.name("t", typ)
            self.align(4, indent)
            self.emit("if u_I(data, p)[0]:", indent)
            self.emit("dec.pos = p", indent + 1)
            self.emit(f"{target} = {reader}.read(dec)", indent + 1)
            self.emit("p = dec.pos", indent + 1)
            self.emit("else:", indent)
            self.emit(f"{target} = []", indent + 1)
            self.emit("p += 4", indent + 1)
            self.advanced(None)
        elif isinstance(typ, Union):
            table = self.name("enum", tuple(sorted(typ.discriminator.enum_cls, key=int)))
            readers = self.name("arms", typ.arm_types)
            self.align(4, indent)
            self.emit(f"d = {table}[u_I(data, p)[0]]", indent)
            self.emit("dec.pos = p + 4", indent)
            self.emit("u = new(UnionValue)", indent)
            self.emit("u.disc = d", indent)
            self.emit(f"u.value = {readers}[d].read(dec)", indent)
            self.emit(f"{target} = u", indent)
            self.emit("p = dec.pos", indent)
            self.advanced(None)
        elif isinstance(typ, Struct) and not typ.exception:
            cls = self.name("cls", typ.cls)
            obj = f"o{self.counter}"
            self.emit(f"{obj} = new({cls})", indent)
            for fname, ftype in typ.fields:
                self.read(ftype, f"{obj}.{fname}", indent)
            self.emit(f"{target} = {obj}", indent)
        else:
            reader = self.name("t", typ)
            self.emit("dec.pos = p", indent)
            self.emit(f"{target} = {reader}.read(dec)", indent)
            self.emit("p = dec.pos", indent)
            self.advanced(None)


def compile_struct(
    cls: type, fields: Sequence[tuple[str, IdlType]], exception_id: str | None
) -> tuple[Callable[[CdrDecoder], Any], Callable[[CdrEncoder, Any], None]]:
    """Generate straight-line read/write functions for a struct declaration.

    The reader decodes primitives and nested structs inline; malformed input
    (out-of-range enum, truncated buffer) surfaces as :class:`MarshalError`.
    """
    env: dict[str, Any] = {
        "cls": cls,
        "new": object.__new__,
        "UNPACKERS": _UNPACKERS,
        "MarshalError": MarshalError,
        "StructError": struct.error,
        "UnionValue": UnionValue,
        "PACKERS": _PACKERS,
        "cdr": _cdr_module,
        "LocalProtocolError": LocalProtocolError,
    }
    gen = _ReadGen(env)
    gen.emit("def read(dec):", 0)
    gen.emit("data = dec.data", 1)
    gen.emit("p = dec.pos", 1)
    gen.emit("base = dec.base", 1)
    gen.emit(f"{', '.join('u_' + c for c in _UNPACK_CODES)} = UNPACKERS[dec.little]", 1)
    gen.emit("try:", 1)
    gen.emit("o = new(cls)", 2)
    if exception_id is not None:
        gen.read(STRING, "_exc_id", 2)
    for name, typ in fields:
        gen.read(typ, f"o.{name}", 2)
    gen.emit("except (StructError, IndexError, KeyError) as exc:", 1)
    gen.emit("raise MarshalError(f'cannot decode ' + cls.__name__ + f': {exc}') from None", 2)
    gen.emit("if p > dec.end:", 1)
    gen.emit("raise MarshalError('message ended inside ' + cls.__name__)", 2)
    gen.emit("dec.pos = p", 1)
    gen.emit("return o", 1)

    wgen = _WriteGen(dict(env))  # its own namespace: generated names must not collide
    wgen.emit("def write(enc, v):", 0)
    wgen.emit("buf = enc.buf", 1)
    wgen.emit("base = enc.base", 1)
    wgen.emit(f"{', '.join('p_' + c for c in _UNPACK_CODES)} = PACKERS[enc.little]", 1)
    wgen.emit("try:", 1)
    if exception_id is not None:
        wgen.env["exc_id"] = exception_id
        wgen.write(STRING, "exc_id", 2)
    for name, typ in fields:
        wgen.write(typ, f"v.{name}", 2)
    wgen.flush(2)
    wgen.emit("pass", 2)
    wgen.emit(
        "except (StructError, TypeError, ValueError, OverflowError, AttributeError, KeyError)"
        " as exc:",
        1,
    )
    wgen.emit(
        "raise LocalProtocolError(f'cannot encode ' + cls.__name__ + f': {exc}') from None", 2
    )
    exec("\n".join(gen.lines), env)  # noqa: S102 - our own generated code
    exec("\n".join(wgen.lines), wgen.env)  # noqa: S102
    return env["read"], wgen.env["write"]


class _WriteGen(_ReadGen):
    """Emits straight-line encoding code, the mirror of :class:`_ReadGen`: primitives,
    strings, enums, unions and nested structs are appended to ``buf`` inline; a run of
    4-byte fields (longs, floats, enums, in nested structs too) is packed by one call, and
    an empty sequence of structs or strings is written inline."""

    def __init__(self, env: dict[str, Any]) -> None:
        super().__init__(env)
        #: (struct code, value expression) of the 4-byte fields not appended yet
        self.pending: list[tuple[str, str]] = []

    def flush(self, indent: int) -> None:
        """Append the pending run of 4-byte fields."""
        run, self.pending = self.pending, []
        if len(run) == 1:
            self.emit(f"buf += p_{run[0][0]}({run[0][1]})", indent)
        elif run:
            fmt = "".join(code for code, _ in run)
            packers = {
                little: struct.Struct(("<" if little else ">") + fmt).pack
                for little in (True, False)
            }
            pack = self.name("pack", packers)
            self.emit(f"buf += {pack}[enc.little]({', '.join(value for _, value in run)})", indent)

    def _four_bytes(self, typ: IdlType, expr: str, indent: int) -> bool:
        """Queue ``typ`` into the pending run if it is a 4-byte primitive or an enum."""
        if isinstance(typ, Prim):
            code, size, _ = PRIMITIVES[typ.name]
            if size != 4 or typ.name == "boolean":
                return False
            value = expr
        elif isinstance(typ, Enum):
            code = "I"
            self.counter += 1
            value = f"e{self.counter}"
            self.emit(f"{value} = int({expr})", indent)
            self.emit(f"if not 0 <= {value} < {len(typ.enum_cls)}:", indent)
            self.emit(f"raise ValueError(f'{{{value}}} is not a valid {typ.name}')", indent + 1)
        else:
            return False
        if not self.pending:
            self.align(4, indent)
        self.pending.append((code, value))
        self.advanced(4)
        return True

    def align(self, size: int, indent: int) -> None:
        if size > self.known:
            self.emit(f"pad = -(base + len(buf)) & {size - 1}", indent)
            self.emit("if pad:", indent)
            self.emit("buf += cdr._ZEROS[:pad]", indent + 1)  # the core's one padding constant
            self.known = size

    def write(self, typ: IdlType, expr: str, indent: int) -> None:
        while isinstance(typ, Alias):
            typ = typ.content
        if self._four_bytes(typ, expr, indent):
            return
        if not isinstance(typ, Struct) or typ.exception:  # a struct's fields may join the run
            self.flush(indent)
        if isinstance(typ, Prim):
            code, size, _ = PRIMITIVES[typ.name]
            self.align(size, indent)
            value = f"1 if {expr} else 0" if typ.name == "boolean" else expr
            self.emit(f"buf += p_{code}({value})", indent)
            self.advanced(size)
        elif isinstance(typ, _StringType):
            self.align(4, indent)
            self.emit(f"s = {expr}", indent)
            self.emit("s = s.encode('latin-1') if isinstance(s, str) else bytes(s)", indent)
            self.emit("buf += p_I(len(s) + 1)", indent)
            self.emit("buf += s", indent)
            self.emit("buf.append(0)", indent)
            self.advanced(None)
        elif isinstance(typ, Union):
            writers = self.name("warms", typ.arm_types)
            self.align(4, indent)
            self.emit(f"u = {expr}", indent)
            self.emit("d = int(u.disc)", indent)
            self.emit("buf += p_I(d)", indent)
            self.emit(f"{writers}[d].write(enc, u.value)", indent)
            self.advanced(None)
        elif isinstance(typ, Struct) and not typ.exception:
            self.counter += 1
            var = f"s{self.counter}"
            self.emit(f"{var} = {expr}", indent)
            for fname, ftype in typ.fields:
                self.write(ftype, f"{var}.{fname}", indent)
        elif isinstance(typ, Seq) and not isinstance(typ.element, Prim):
            # most such sequences (error lists, extensions) are empty: count 0, inline
            writer = self.name("t", typ)
            self.counter += 1
            var = f"q{self.counter}"
            self.emit(f"{var} = {expr}", indent)
            self.emit(f"if {var}:", indent)
            self.emit(f"{writer}.write(enc, {var})", indent + 1)
            self.emit("else:", indent)
            if self.known < 4:
                self.emit("pad = -(base + len(buf)) & 3", indent + 1)
                self.emit("if pad:", indent + 1)
                self.emit("buf += cdr._ZEROS[:pad]", indent + 2)
            self.emit("buf += p_I(0)", indent + 1)
            self.advanced(None)
        else:
            writer = self.name("t", typ)
            self.emit(f"{writer}.write(enc, {expr})", indent)
            self.advanced(None)
