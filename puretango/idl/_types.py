"""A small declarative IDL type system: each type is declared once, as data, and
both its CDR encoder and decoder (and its TypeCode) are derived from that declaration.

Rule 1: every :class:`IdlType` exposes ``read(dec) -> value``, ``write(enc, value)``
and ``typecode``. Struct codecs are generated once at import time from the field
list (plain Python source built by :func:`_compile_struct`), so decoding a struct
costs one function call per field and nothing more.

Rule 2: value mapping. Primitive sequences are 1-D numpy arrays, string sequences
are ``list[str]``, structs are instances of a generated slotted class, enums are the
``IntEnum`` members, unions are :class:`UnionValue` ``(discriminator, value)``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any as _AnyT

from ..giop import _cdr as _cdr_module
from ..giop._cdr import CdrDecoder, CdrEncoder, lazy_numpy
from ..giop._errors import LocalProtocolError, MarshalError
from ..giop._typecode import (
    TC_STRING,
    AliasTC,
    Any,
    ArrayTC,
    EnumTC,
    ExceptTC,
    SequenceTC,
    StructTC,
    TCKind,
    TypeCode,
    UnionTC,
    read_any,
    tc_for_primitive,
    write_any,
)
from ..giop._typecode import PrimitiveTC as _PrimTC
from ._enums import TangoEnum

np = lazy_numpy.bind(globals())

__all__ = [
    "IdlType",
    "Prim",
    "String",
    "Seq",
    "Arr",
    "Alias",
    "Enum",
    "Struct",
    "Union",
    "UnionValue",
    "AnyType",
    "Operation",
    "BOOLEAN",
    "OCTET",
    "SHORT",
    "USHORT",
    "LONG",
    "ULONG",
    "LONGLONG",
    "ULONGLONG",
    "FLOAT",
    "DOUBLE",
    "STRING",
    "ANY",
    "VOID",
]

_NS = "IDL:Tango/"


class IdlType:
    """A type that can be written to and read from CDR."""

    typecode: TypeCode
    read: Callable[[CdrDecoder], _AnyT]
    write: Callable[[CdrEncoder, _AnyT], None]

    def default(self) -> _AnyT:
        """A neutral value of this type (used for struct field defaults)."""
        return None


class Prim(IdlType):
    def __init__(self, name: str) -> None:
        self.name = name
        self.typecode = tc_for_primitive(name)
        self.read = getattr(CdrDecoder, "read_" + name)
        self.write = getattr(CdrEncoder, "write_" + name)

    def default(self) -> _AnyT:
        return False if self.name == "boolean" else 0.0 if self.name in ("float", "double") else 0

    def __repr__(self) -> str:
        return self.name


class _StringType(IdlType):
    typecode = TC_STRING
    read = staticmethod(CdrDecoder.read_string)
    write = staticmethod(CdrEncoder.write_string)

    def default(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "string"


class _AnyType(IdlType):
    typecode = _PrimTC(TCKind.tk_any)
    read = staticmethod(read_any)
    write = staticmethod(write_any)

    def default(self) -> Any:
        return Any(_PrimTC(TCKind.tk_null), None)


class _VoidType(IdlType):
    typecode = _PrimTC(TCKind.tk_void)

    @staticmethod
    def read(dec: CdrDecoder) -> None:
        return None

    @staticmethod
    def write(enc: CdrEncoder, value: _AnyT) -> None:
        return None


BOOLEAN = Prim("boolean")
OCTET = Prim("octet")
SHORT = Prim("short")
USHORT = Prim("ushort")
LONG = Prim("long")
ULONG = Prim("ulong")
LONGLONG = Prim("longlong")
ULONGLONG = Prim("ulonglong")
FLOAT = Prim("float")
DOUBLE = Prim("double")
String = _StringType
STRING = _StringType()
ANY = _AnyType()
AnyType = _AnyType
VOID = _VoidType()


class Seq(IdlType):
    """``sequence<element>``."""

    def __init__(self, element: IdlType) -> None:
        self.element = element
        self.typecode = SequenceTC(element.typecode, 0)
        if isinstance(element, Prim):
            kind = element.name

            def read(dec: CdrDecoder) -> np.ndarray:
                return dec.read_primitive_sequence(kind)

            def write(enc: CdrEncoder, value: _AnyT) -> None:
                enc.write_primitive_sequence(kind, value)

        elif element is STRING:
            read = CdrDecoder.read_string_sequence  # type: ignore[assignment]
            write = CdrEncoder.write_string_sequence  # type: ignore[assignment]
        else:
            # the element's codec is looked up per call: struct codecs are compiled lazily

            def read(dec: CdrDecoder) -> list[_AnyT]:  # type: ignore[misc]
                n = dec.read_count(1)
                elem_read = element.read
                return [elem_read(dec) for _ in range(n)]

            def write(enc: CdrEncoder, value: _AnyT) -> None:
                enc.write_ulong(len(value))
                elem_write = element.write
                for item in value:
                    elem_write(enc, item)

        self.read = read
        self.write = write

    def default(self) -> _AnyT:
        if isinstance(self.element, Prim):
            return np.zeros(0, dtype=np.dtype(_PRIM_DTYPE[self.element.name]))
        return []

    def __repr__(self) -> str:
        return f"sequence<{self.element!r}>"


_PRIM_DTYPE = {
    "boolean": "?",
    "octet": "u1",
    "short": "i2",
    "ushort": "u2",
    "long": "i4",
    "ulong": "u4",
    "longlong": "i8",
    "ulonglong": "u8",
    "float": "f4",
    "double": "f8",
}


class Arr(IdlType):
    """Fixed-length array ``element[length]`` (a Python list)."""

    def __init__(self, element: IdlType, length: int) -> None:
        self.element, self.length = element, length
        self.typecode = ArrayTC(element.typecode, length)

        def read(dec: CdrDecoder) -> list[_AnyT]:
            elem_read = element.read
            return [elem_read(dec) for _ in range(length)]

        def write(enc: CdrEncoder, value: _AnyT) -> None:
            if len(value) != length:
                raise LocalProtocolError(f"array needs {length} values, got {len(value)}")
            elem_write = element.write
            for item in value:
                elem_write(enc, item)

        self.read, self.write = read, write

    def default(self) -> list[_AnyT]:
        return [self.element.default() for _ in range(self.length)]


class Alias(IdlType):
    """A named typedef: same codec as its content, an aliased TypeCode."""

    def __init__(self, name: str, content: IdlType) -> None:
        self.name, self.content = name, content
        self.typecode = AliasTC(f"{_NS}{name}:1.0", name, content.typecode)

    @property  # type: ignore[override]
    def read(self) -> Callable[[CdrDecoder], _AnyT]:
        return self.content.read

    @property  # type: ignore[override]
    def write(self) -> Callable[[CdrEncoder, _AnyT], None]:
        return self.content.write

    def default(self) -> _AnyT:
        return self.content.default()


class Enum(IdlType):
    """An IDL enum mapped to a :class:`TangoEnum`."""

    def __init__(self, enum_cls: type[TangoEnum], name: str | None = None) -> None:
        self.enum_cls = enum_cls
        self.name = name or enum_cls.__name__
        members = sorted(enum_cls, key=int)
        if [int(m) for m in members] != list(range(len(members))):
            raise ValueError(f"{enum_cls} is not a dense IDL enum")
        self.typecode = EnumTC(f"{_NS}{self.name}:1.0", self.name, tuple(m.name for m in members))
        table = tuple(members)
        count = len(table)

        def read(dec: CdrDecoder) -> TangoEnum:
            v = dec.read_ulong()
            if v >= count:
                raise MarshalError(f"{v} is not a valid {self.name}")
            return table[v]

        def write(enc: CdrEncoder, value: _AnyT) -> None:
            v = int(value)
            if not 0 <= v < count:
                raise LocalProtocolError(f"{value!r} is not a valid {self.name}")
            enc.write_ulong(v)

        self.read, self.write = read, write

    def default(self) -> TangoEnum:
        return self.enum_cls(0)


class StructBase:
    """Base of generated struct classes: keyword construction, equality, repr."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _defaults: tuple[Callable[[], _AnyT], ...] = ()

    def __init__(self, *args: _AnyT, **kwargs: _AnyT) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(
                f"{type(self).__name__} takes at most {len(fields)} positional arguments"
            )
        for name, value in zip(fields, args):
            object.__setattr__(self, name, value)
        for name, make in zip(fields[len(args) :], self._defaults[len(args) :]):
            object.__setattr__(self, name, kwargs.pop(name) if name in kwargs else make())
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field(s) {', '.join(kwargs)}")

    def _astuple(self) -> tuple[_AnyT, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_equal(a, b) for a, b in zip(self._astuple(), other._astuple()))  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"


def _equal(a: _AnyT, b: _AnyT) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f")
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return bool(a == b)


_UNPACK_CODES = "BhHiIqQfd"
_UNPACKERS = {
    little: tuple(struct.Struct(("<" if little else ">") + c).unpack_from for c in _UNPACK_CODES)
    for little in (True, False)
}
_PRIM_CODE = {
    "boolean": ("B", 1),
    "octet": ("B", 1),
    "char": ("B", 1),
    "short": ("h", 2),
    "ushort": ("H", 2),
    "long": ("i", 4),
    "ulong": ("I", 4),
    "longlong": ("q", 8),
    "ulonglong": ("Q", 8),
    "float": ("f", 4),
    "double": ("d", 8),
}


class _ReadGen:
    """Emits straight-line decoding code: primitives, strings, enums and nested structs
    are read inline from ``data`` at local position ``p``; anything else is a call to
    its own reader with ``dec.pos`` synchronised around it."""

    def __init__(self, env: dict[str, _AnyT]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.counter = 0
        #: alignment of ``base + p`` known at this point of the generated code
        self.known = 1

    def name(self, prefix: str, value: _AnyT) -> str:
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
            code, size = _PRIM_CODE[typ.name]
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


def _compile_struct(
    cls: type, fields: Sequence[tuple[str, IdlType]], exception_id: str | None
) -> tuple[Callable, Callable]:
    """Generate straight-line read/write functions for a struct declaration.

    The reader decodes primitives and nested structs inline; malformed input
    (out-of-range enum, truncated buffer) surfaces as :class:`MarshalError`.
    """
    env: dict[str, _AnyT] = {
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
    wgen.emit("pass", 2)
    wgen.emit(
        "except (StructError, TypeError, ValueError, OverflowError, AttributeError, KeyError) as exc:",
        1,
    )
    wgen.emit(
        "raise LocalProtocolError(f'cannot encode ' + cls.__name__ + f': {exc}') from None", 2
    )
    exec("\n".join(gen.lines), env)  # noqa: S102 - our own generated code
    exec("\n".join(wgen.lines), wgen.env)  # noqa: S102
    return env["read"], wgen.env["write"]


_PACKERS = {
    little: tuple(struct.Struct(("<" if little else ">") + c).pack for c in _UNPACK_CODES)
    for little in (True, False)
}


class _WriteGen(_ReadGen):
    """Emits straight-line encoding code, the mirror of :class:`_ReadGen`: primitives,
    strings, enums, unions and nested structs are appended to ``buf`` inline."""

    def align(self, size: int, indent: int) -> None:
        if size > self.known:
            self.emit(f"pad = -(base + len(buf)) & {size - 1}", indent)
            self.emit("if pad:", indent)
            self.emit("buf += cdr._ZEROS[:pad]", indent + 1)  # the core's one padding constant
            self.known = size

    def write(self, typ: IdlType, expr: str, indent: int) -> None:
        while isinstance(typ, Alias):
            typ = typ.content
        if isinstance(typ, Prim):
            code, size = _PRIM_CODE[typ.name]
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
        elif isinstance(typ, Enum):
            count = len(typ.enum_cls)
            self.align(4, indent)
            self.emit(f"e = int({expr})", indent)
            self.emit(f"if not 0 <= e < {count}:", indent)
            self.emit(f"raise ValueError(f'{{e}} is not a valid {typ.name}')", indent + 1)
            self.emit("buf += p_I(e)", indent)
            self.advanced(4)
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
        else:
            writer = self.name("t", typ)
            self.emit(f"{writer}.write(enc, {expr})", indent)
            self.advanced(None)


class Struct(IdlType):
    """An IDL struct (or exception, with ``exception=True``)."""

    def __init__(
        self,
        name: str,
        fields: Sequence[tuple[str, IdlType]],
        *,
        exception: bool = False,
        cls: type | None = None,
    ) -> None:
        """``cls``, if given, is a hand-written class with a slot per field to use
        instead of a generated one (for public types such as ``DevError``)."""
        self.name = name
        self.exception = exception
        self.fields = tuple(fields)
        self.repo_id = f"{_NS}{name}:1.0"
        tc_cls = ExceptTC if exception else StructTC
        self.typecode = tc_cls(self.repo_id, name, tuple((n, t.typecode) for n, t in self.fields))
        field_names = tuple(n for n, _ in self.fields)
        self.cls: type = cls or type(
            name,
            (StructBase,),
            {
                "__slots__": field_names,
                "_fields": field_names,
                "_defaults": tuple(t.default for _, t in self.fields),
                "__module__": "puretango.idl",
                "__doc__": f"IDL {'exception' if exception else 'struct'} Tango::{name}.",
            },
        )
        # compiled on first use: importing the IDL stays cheap
        self.read = self._compile_then_read
        self.write = self._compile_then_write

    def _compile(self) -> None:
        self.read, self.write = _compile_struct(
            self.cls, self.fields, self.repo_id if self.exception else None
        )

    def _compile_then_read(self, dec: CdrDecoder) -> _AnyT:
        self._compile()
        return self.read(dec)

    def _compile_then_write(self, enc: CdrEncoder, value: _AnyT) -> None:
        self._compile()
        self.write(enc, value)

    def __call__(self, *args: _AnyT, **kwargs: _AnyT) -> _AnyT:
        return self.cls(*args, **kwargs)

    def default(self) -> _AnyT:
        return self.cls()

    def __repr__(self) -> str:
        return f"Struct({self.name})"


class UnionValue:
    """The value of an IDL union: the discriminator and the selected member's value."""

    __slots__ = ("disc", "value")

    def __init__(self, disc: _AnyT, value: _AnyT) -> None:
        self.disc = disc
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnionValue):
            return NotImplemented
        return self.disc == other.disc and _equal(self.value, other.value)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"UnionValue({self.disc!r}, {self.value!r})"


class Union(IdlType):
    """An IDL union with an enum discriminator; arms map discriminator -> (name, type)."""

    def __init__(
        self, name: str, discriminator: Enum, arms: Sequence[tuple[TangoEnum, str, IdlType]]
    ) -> None:
        self.name = name
        self.discriminator = discriminator
        self.arms = {int(d): (n, t) for d, n, t in arms}
        self.typecode = UnionTC(
            f"{_NS}{name}:1.0",
            name,
            discriminator.typecode,
            -1,
            tuple((int(d), n, t.typecode) for d, n, t in arms),
        )
        #: discriminator -> type of the arm (generated struct codecs use its read/write)
        self.arm_types: dict[int, IdlType] = {int(d): t for d, _, t in arms}
        types = self.arm_types
        disc_read, disc_write = discriminator.read, discriminator.write

        def read(dec: CdrDecoder) -> UnionValue:
            d = disc_read(dec)
            typ = types.get(d)
            if typ is None:
                raise MarshalError(f"union {name} has no arm for {d!r}")
            return UnionValue(d, typ.read(dec))

        def write(enc: CdrEncoder, value: UnionValue) -> None:
            typ = types.get(int(value.disc))
            if typ is None:
                raise LocalProtocolError(f"union {name} has no arm for {value.disc!r}")
            disc_write(enc, value.disc)
            typ.write(enc, value.value)

        self.read, self.write = read, write

    def default(self) -> UnionValue:
        d = min(self.arms)
        return UnionValue(self.discriminator.enum_cls(d), self.arms[d][1].default())


class Operation:
    """One IDL operation: its GIOP name, ``in`` parameters and return type."""

    def __init__(
        self,
        name: str,
        params: Sequence[tuple[str, IdlType]] = (),
        result: IdlType = VOID,
        oneway: bool = False,
    ) -> None:
        self.name = name
        self.params = tuple(params)
        self.result = result
        self.oneway = oneway
        self._types = tuple(t for _, t in self.params)

    def write_args(self, enc: CdrEncoder, args: Sequence[_AnyT]) -> None:
        if len(args) != len(self._types):
            raise LocalProtocolError(
                f"{self.name} takes {len(self._types)} arguments, got {len(args)}"
            )
        for typ, arg in zip(self._types, args):
            typ.write(enc, arg)

    def read_args(self, dec: CdrDecoder) -> list[_AnyT]:
        return [typ.read(dec) for typ in self._types]

    def __repr__(self) -> str:
        return f"Operation({self.name})"
