"""A small declarative IDL type system: each type is declared once, as data, and
both its CDR encoder and decoder (and its TypeCode) are derived from that declaration.

Rule 1: every :class:`IdlType` exposes ``read(dec) -> value``, ``write(enc, value)``
and ``typecode``. A struct's codecs are generated from its field list by
:mod:`._codegen` the first time the struct is read or written (importing the IDL
stays cheap); from then on decoding a struct costs one function call.

Rule 2: value mapping. Primitive sequences are 1-D numpy arrays, string sequences
are ``list[str]``, structs are instances of a generated slotted class, enums are the
``IntEnum`` members, unions are :class:`UnionValue` ``(discriminator, value)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from typing import Any as _AnyT

from ..giop._cdr import CdrDecoder, CdrEncoder, lazy_numpy, native_dtype
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

if TYPE_CHECKING:
    import numpy as np
else:
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
            return np.zeros(0, dtype=native_dtype(self.element.name))
        return []

    def __repr__(self) -> str:
        return f"sequence<{self.element!r}>"


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

    # properties, not copies: a struct's codecs are replaced when it compiles on first use
    @property
    def read(self) -> Callable[[CdrDecoder], _AnyT]:  # type: ignore[override]
        return self.content.read

    @property
    def write(self) -> Callable[[CdrEncoder, _AnyT], None]:  # type: ignore[override]
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
        return all(_equal(a, b) for a, b in zip(self._astuple(), other._astuple()))

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

    @property
    def compiled(self) -> bool:
        """Whether the reader and writer are made (they are on first use, or by ``compile``)."""
        return self.read != self._compile_then_read

    def compile(self) -> None:
        """Make the reader and writer now, for a process that must not pause on a first use."""
        if not self.compiled:
            self._compile()

    def _compile(self) -> None:
        from ._codegen import compile_struct  # the generator builds on the types above

        self.read, self.write = compile_struct(
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
