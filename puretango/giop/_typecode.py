"""CORBA TypeCodes and ``any`` values.

Rule 1: a TypeCode is an immutable value (frozen dataclass); two TypeCodes compare
equal when they are identical, and :func:`equivalent` compares them structurally
with aliases stripped (what cppTango servers accept for command arguments).

Rule 2: values inside an ``any`` map to Python generically: primitives to Python
scalars, ``sequence<primitive>`` to 1-D numpy arrays, ``sequence<string>`` to
``list[str]``, structs to tuples of member values, enums to ``int``, unions to
``(discriminator, value)``, aliases to their content's value, nested ``any`` to
:class:`Any`. The Tango layer turns these into Tango types.

Rule 3: TypeCode indirections (kind 0xffffffff) are decoded; they are never emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any as _AnyT

from ._cdr import PRIMITIVES, CdrDecoder, CdrEncoder, lazy_numpy
from ._errors import LocalProtocolError, MarshalError

np = lazy_numpy.bind(globals())

__all__ = [
    "TCKind",
    "TypeCode",
    "PrimitiveTC",
    "StringTC",
    "SequenceTC",
    "ArrayTC",
    "AliasTC",
    "StructTC",
    "ExceptTC",
    "EnumTC",
    "UnionTC",
    "ObjrefTC",
    "Any",
    "TC_NULL",
    "TC_VOID",
    "TC_STRING",
    "tc_for_primitive",
    "equivalent",
    "strip_alias",
    "write_typecode",
    "read_typecode",
    "write_any",
    "read_any",
    "write_value",
    "read_value",
]

#: Nesting depth beyond which a TypeCode or value is refused (guards hostile input).
MAX_DEPTH = 64


class TCKind(IntEnum):
    tk_null = 0
    tk_void = 1
    tk_short = 2
    tk_long = 3
    tk_ushort = 4
    tk_ulong = 5
    tk_float = 6
    tk_double = 7
    tk_boolean = 8
    tk_char = 9
    tk_octet = 10
    tk_any = 11
    tk_TypeCode = 12
    tk_Principal = 13
    tk_objref = 14
    tk_struct = 15
    tk_union = 16
    tk_enum = 17
    tk_string = 18
    tk_sequence = 19
    tk_array = 20
    tk_alias = 21
    tk_except = 22
    tk_longlong = 23
    tk_ulonglong = 24


_PRIM_KIND_NAME = {
    TCKind.tk_short: "short",
    TCKind.tk_long: "long",
    TCKind.tk_ushort: "ushort",
    TCKind.tk_ulong: "ulong",
    TCKind.tk_float: "float",
    TCKind.tk_double: "double",
    TCKind.tk_boolean: "boolean",
    TCKind.tk_char: "char",
    TCKind.tk_octet: "octet",
    TCKind.tk_longlong: "longlong",
    TCKind.tk_ulonglong: "ulonglong",
}
_SIMPLE_KINDS = set(_PRIM_KIND_NAME) | {
    TCKind.tk_null,
    TCKind.tk_void,
    TCKind.tk_any,
    TCKind.tk_TypeCode,
}


class TypeCode:
    """Base of all TypeCodes."""

    __slots__ = ()
    kind: TCKind


@dataclass(frozen=True, slots=True)
class PrimitiveTC(TypeCode):
    kind: TCKind

    @property
    def primitive(self) -> str | None:
        """The CDR primitive name (``"double"`` ...) or None for null/void/any/TypeCode."""
        return _PRIM_KIND_NAME.get(self.kind)


@dataclass(frozen=True, slots=True)
class StringTC(TypeCode):
    bound: int = 0
    kind: TCKind = TCKind.tk_string


@dataclass(frozen=True, slots=True)
class SequenceTC(TypeCode):
    element: TypeCode
    bound: int = 0
    kind: TCKind = TCKind.tk_sequence


@dataclass(frozen=True, slots=True)
class ArrayTC(TypeCode):
    element: TypeCode
    length: int
    kind: TCKind = TCKind.tk_array


@dataclass(frozen=True, slots=True)
class AliasTC(TypeCode):
    repo_id: str
    name: str
    content: TypeCode
    kind: TCKind = TCKind.tk_alias


@dataclass(frozen=True, slots=True)
class StructTC(TypeCode):
    repo_id: str
    name: str
    members: tuple[tuple[str, TypeCode], ...]
    kind: TCKind = TCKind.tk_struct


@dataclass(frozen=True, slots=True)
class ExceptTC(TypeCode):
    repo_id: str
    name: str
    members: tuple[tuple[str, TypeCode], ...]
    kind: TCKind = TCKind.tk_except


@dataclass(frozen=True, slots=True)
class EnumTC(TypeCode):
    repo_id: str
    name: str
    labels: tuple[str, ...]
    kind: TCKind = TCKind.tk_enum


@dataclass(frozen=True, slots=True)
class UnionTC(TypeCode):
    repo_id: str
    name: str
    discriminator: TypeCode
    default_index: int
    #: (label value, member name, member type); the default member's label is ignored
    members: tuple[tuple[_AnyT, str, TypeCode], ...]
    kind: TCKind = TCKind.tk_union


@dataclass(frozen=True, slots=True)
class ObjrefTC(TypeCode):
    repo_id: str
    name: str
    kind: TCKind = TCKind.tk_objref


TC_NULL = PrimitiveTC(TCKind.tk_null)
TC_VOID = PrimitiveTC(TCKind.tk_void)
TC_STRING = StringTC(0)

_PRIM_TC = {name: PrimitiveTC(kind) for kind, name in _PRIM_KIND_NAME.items()}


def tc_for_primitive(name: str) -> PrimitiveTC:
    """The TypeCode of a CDR primitive (``"double"`` -> tk_double)."""
    return _PRIM_TC[name]


def strip_alias(tc: TypeCode) -> TypeCode:
    while isinstance(tc, AliasTC):
        tc = tc.content
    return tc


def equivalent(a: TypeCode, b: TypeCode) -> bool:
    """Structural equality ignoring aliases, repository ids and names."""
    a, b = strip_alias(a), strip_alias(b)
    if a.kind != b.kind:
        return False
    if isinstance(a, (SequenceTC, ArrayTC)):
        assert isinstance(b, (SequenceTC, ArrayTC))
        return equivalent(a.element, b.element)
    if isinstance(a, (StructTC, ExceptTC)):
        assert isinstance(b, (StructTC, ExceptTC))
        return len(a.members) == len(b.members) and all(
            equivalent(x[1], y[1]) for x, y in zip(a.members, b.members)
        )
    if isinstance(a, EnumTC):
        assert isinstance(b, EnumTC)
        return len(a.labels) == len(b.labels)
    if isinstance(a, UnionTC):
        assert isinstance(b, UnionTC)
        return len(a.members) == len(b.members) and all(
            x[0] == y[0] and equivalent(x[2], y[2]) for x, y in zip(a.members, b.members)
        )
    return True


@dataclass(frozen=True, slots=True)
class Any:
    """A CORBA ``any``: a TypeCode and a value of that type."""

    typecode: TypeCode
    value: _AnyT = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Any):
            return NotImplemented
        return self.typecode == other.typecode and _values_equal(self.value, other.value)

    def __hash__(self) -> int:
        return hash(self.typecode)


def _values_equal(a: _AnyT, b: _AnyT) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(
            np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f")
        )
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return bool(a == b)


# -- TypeCode encoding ------------------------------------------------------------


def write_typecode(enc: CdrEncoder, tc: TypeCode) -> None:
    enc.write_ulong(tc.kind)
    if tc.kind in _SIMPLE_KINDS:
        return
    if isinstance(tc, StringTC):
        enc.write_ulong(tc.bound)
        return
    # a complex TypeCode's parameters are an encapsulation: the same bytes wherever it is
    # written (its alignment starts with it), so they are encoded once per byte order
    key = (id(tc), enc.little)
    known = _PARAMS_WIRE.get(key)
    if known is None or known[0] is not tc:
        inner = CdrEncoder(enc.little, 0)
        inner.write_boolean(enc.little)
        _write_complex_params(inner, tc)
        if len(_PARAMS_WIRE) >= _PARAMS_WIRE_MAX:
            _PARAMS_WIRE.clear()
        known = _PARAMS_WIRE[key] = (tc, bytes(inner.buf))
    enc.write_octets(known[1])


#: encapsulated parameters of complex TypeCodes written, by (id, byte order); the TypeCode
#: is kept with its bytes, so that an id reused by another object is never taken for it
_PARAMS_WIRE: dict[tuple[int, bool], tuple[TypeCode, bytes]] = {}
_PARAMS_WIRE_MAX = 512


def _write_complex_params(enc: CdrEncoder, tc: TypeCode) -> None:
    if isinstance(tc, SequenceTC):
        write_typecode(enc, tc.element)
        enc.write_ulong(tc.bound)
    elif isinstance(tc, ArrayTC):
        write_typecode(enc, tc.element)
        enc.write_ulong(tc.length)
    elif isinstance(tc, AliasTC):
        enc.write_string(tc.repo_id)
        enc.write_string(tc.name)
        write_typecode(enc, tc.content)
    elif isinstance(tc, (StructTC, ExceptTC)):
        enc.write_string(tc.repo_id)
        enc.write_string(tc.name)
        enc.write_ulong(len(tc.members))
        for name, mtc in tc.members:
            enc.write_string(name)
            write_typecode(enc, mtc)
    elif isinstance(tc, EnumTC):
        enc.write_string(tc.repo_id)
        enc.write_string(tc.name)
        enc.write_string_sequence(tc.labels)
    elif isinstance(tc, UnionTC):
        enc.write_string(tc.repo_id)
        enc.write_string(tc.name)
        write_typecode(enc, tc.discriminator)
        enc.write_long(tc.default_index)
        enc.write_ulong(len(tc.members))
        for i, (label, name, mtc) in enumerate(tc.members):
            write_value(enc, tc.discriminator, 0 if i == tc.default_index else label)
            enc.write_string(name)
            write_typecode(enc, mtc)
    elif isinstance(tc, ObjrefTC):
        enc.write_string(tc.repo_id)
        enc.write_string(tc.name)
    else:  # pragma: no cover - every kind is handled above
        raise LocalProtocolError(f"cannot encode TypeCode {tc!r}")


def read_typecode(dec: CdrDecoder) -> TypeCode:
    return _read_tc(dec, {}, 0)


def _read_tc(dec: CdrDecoder, seen: dict[int, TypeCode], depth: int) -> TypeCode:
    if depth > MAX_DEPTH:
        raise MarshalError("TypeCode nested too deeply")
    dec.align(4)
    start = dec.pos  # index in the shared buffer: comparable across encapsulations
    kind = dec.read_ulong()
    if kind == 0xFFFFFFFF:
        offset_pos = dec.pos
        offset = dec.read_long()
        target = offset_pos + offset
        if target not in seen:
            raise MarshalError("TypeCode indirection to an unknown position")
        return seen[target]
    try:
        k = TCKind(kind)
    except ValueError:
        raise MarshalError(f"unknown TypeCode kind {kind}") from None
    if k in _SIMPLE_KINDS:
        tc: TypeCode = _PRIM_TC.get(_PRIM_KIND_NAME.get(k, ""), None) or PrimitiveTC(k)
        return tc
    if k is TCKind.tk_string:
        return StringTC(dec.read_ulong())
    if k is TCKind.tk_Principal:
        raise MarshalError("tk_Principal is not supported")
    encapsulation_start = dec.pos
    inner = dec.read_encapsulation()
    if depth == 0 and dec.pos - encapsulation_start <= _TOP_LEVEL_BYTES:
        # an any's type: the same few arrive again and again
        key = (kind, bytes(dec.data[encapsulation_start : dec.pos]))
        known = _TOP_LEVEL.get(key)
        if known is None:
            known = _read_complex(k, inner, seen, depth)
            if len(_TOP_LEVEL) >= _TOP_LEVEL_MAX:
                _TOP_LEVEL.clear()
            _TOP_LEVEL[key] = known
        seen[start] = known
        return known
    tc = _read_complex(k, inner, seen, depth)
    seen[start] = tc
    return tc


#: complex TypeCodes read at the top of an any, by their bytes: a TypeCode read at depth 0
#: depends on its encapsulation alone (an indirection in it can only point inside it), and
#: TypeCodes are immutable, so one object serves every later any of the same type
_TOP_LEVEL: dict[tuple[int, bytes], TypeCode] = {}
_TOP_LEVEL_MAX = 256
_TOP_LEVEL_BYTES = 2048


def _is_empty(tc: TypeCode) -> bool:
    """True for a type whose values take no bytes (null, void, an empty struct or array)."""
    tc = strip_alias(tc)
    if tc.kind in (TCKind.tk_null, TCKind.tk_void):
        return True
    if isinstance(tc, StructTC):  # an exception value starts with its repository id
        return not tc.members
    return isinstance(tc, ArrayTC) and tc.length == 0


def _read_member_tc(dec: CdrDecoder, seen: dict[int, TypeCode], depth: int) -> TypeCode:
    """A member or element TypeCode. Empty types are refused there: IDL cannot declare
    them, and sequences/arrays/structs of values that take no bytes would let a small
    message make the decoder build an unbounded number of values."""
    tc = _read_tc(dec, seen, depth)
    if _is_empty(tc):
        raise MarshalError(f"TypeCode kind {tc.kind.name} cannot be a member or element type")
    return tc


def _read_complex(k: TCKind, dec: CdrDecoder, seen: dict[int, TypeCode], depth: int) -> TypeCode:
    if k is TCKind.tk_sequence:
        return SequenceTC(_read_member_tc(dec, seen, depth + 1), dec.read_ulong())
    if k is TCKind.tk_array:
        return ArrayTC(_read_member_tc(dec, seen, depth + 1), dec.read_ulong())
    repo_id = dec.read_string()
    name = dec.read_string()
    if k is TCKind.tk_alias:
        return AliasTC(repo_id, name, _read_tc(dec, seen, depth + 1))
    if k in (TCKind.tk_struct, TCKind.tk_except):
        n = dec.read_count(9)
        members = tuple(
            (dec.read_string(), _read_member_tc(dec, seen, depth + 1)) for _ in range(n)
        )
        return (StructTC if k is TCKind.tk_struct else ExceptTC)(repo_id, name, members)
    if k is TCKind.tk_enum:
        return EnumTC(repo_id, name, tuple(dec.read_string_sequence()))
    if k is TCKind.tk_union:
        disc = _read_tc(dec, seen, depth + 1)
        default_index = dec.read_long()
        n = dec.read_count(9)
        umembers = []
        for _ in range(n):
            label = read_value(dec, disc, depth + 1)
            umembers.append((label, dec.read_string(), _read_member_tc(dec, seen, depth + 1)))
        return UnionTC(repo_id, name, disc, default_index, tuple(umembers))
    if k is TCKind.tk_objref:
        return ObjrefTC(repo_id, name)
    raise MarshalError(f"TypeCode kind {k.name} is not supported")


# -- values -----------------------------------------------------------------------


def write_any(enc: CdrEncoder, value: Any) -> None:
    write_typecode(enc, value.typecode)
    write_value(enc, value.typecode, value.value)


def read_any(dec: CdrDecoder, depth: int = 0) -> Any:
    """``depth`` is the nesting level of this any inside enclosing values."""
    tc = _read_tc(dec, {}, depth)
    return Any(tc, read_value(dec, tc, depth + 1))


def write_value(enc: CdrEncoder, tc: TypeCode, value: _AnyT, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise LocalProtocolError("value nested too deeply")
    kind = tc.kind
    if isinstance(tc, PrimitiveTC):
        prim = tc.primitive
        if prim is not None:
            enc.write_primitive(prim, value)
        elif kind is TCKind.tk_any:
            write_any(enc, value)
        elif kind is TCKind.tk_TypeCode:
            write_typecode(enc, value)
        return
    if isinstance(tc, StringTC):
        enc.write_string(value)
    elif isinstance(tc, AliasTC):
        write_value(enc, tc.content, value, depth + 1)
    elif isinstance(tc, SequenceTC):
        elem = strip_alias(tc.element)
        if isinstance(elem, PrimitiveTC) and elem.primitive is not None:
            if elem.primitive in ("octet", "char") and isinstance(
                value, (bytes, bytearray, memoryview)
            ):
                enc.write_octets(value)
            else:
                enc.write_primitive_sequence(elem.primitive, value)
        elif isinstance(elem, StringTC):
            enc.write_string_sequence(value)
        else:
            enc.write_ulong(len(value))
            for item in value:
                write_value(enc, elem, item, depth + 1)
    elif isinstance(tc, ArrayTC):
        if len(value) != tc.length:
            raise LocalProtocolError(f"array of length {tc.length} given {len(value)} values")
        for item in value:
            write_value(enc, tc.element, item, depth + 1)
    elif isinstance(tc, (StructTC, ExceptTC)):
        if isinstance(tc, ExceptTC):
            enc.write_string(tc.repo_id)
        if len(value) != len(tc.members):
            raise LocalProtocolError(f"{tc.name} has {len(tc.members)} members, given {len(value)}")
        for (_, mtc), item in zip(tc.members, value):
            write_value(enc, mtc, item, depth + 1)
    elif isinstance(tc, EnumTC):
        if not 0 <= int(value) < len(tc.labels):
            raise LocalProtocolError(f"{value!r} is not a valid {tc.name} ordinal")
        enc.write_ulong(int(value))
    elif isinstance(tc, UnionTC):
        disc, item = value
        write_value(enc, tc.discriminator, disc, depth + 1)
        write_value(enc, _union_member(tc, disc), item, depth + 1)
    else:
        raise LocalProtocolError(f"cannot encode a value of TypeCode kind {kind.name}")


def _union_member(tc: UnionTC, disc: _AnyT) -> TypeCode:
    for i, (label, _, mtc) in enumerate(tc.members):
        if i != tc.default_index and label == disc:
            return mtc
    if tc.default_index >= 0:
        return tc.members[tc.default_index][2]
    raise MarshalError(f"union {tc.name} has no member for discriminator {disc!r}")


def read_value(dec: CdrDecoder, tc: TypeCode, depth: int = 0) -> _AnyT:
    if depth > MAX_DEPTH:
        raise MarshalError("value nested too deeply")
    kind = tc.kind
    if isinstance(tc, PrimitiveTC):
        prim = tc.primitive
        if prim is not None:
            return dec.read_primitive(prim)
        if kind is TCKind.tk_any:
            return read_any(dec, depth + 1)
        if kind is TCKind.tk_TypeCode:
            return read_typecode(dec)
        return None
    if isinstance(tc, StringTC):
        return dec.read_string()
    if isinstance(tc, AliasTC):
        return read_value(dec, tc.content, depth + 1)
    if isinstance(tc, SequenceTC):
        elem = strip_alias(tc.element)
        if isinstance(elem, PrimitiveTC) and elem.primitive is not None:
            return dec.read_primitive_sequence(elem.primitive)
        if isinstance(elem, StringTC):
            return dec.read_string_sequence()
        n = dec.read_count(1)
        return [read_value(dec, elem, depth + 1) for _ in range(n)]
    if isinstance(tc, ArrayTC):
        if tc.length > dec.remaining:
            raise MarshalError("array longer than the message")
        return [read_value(dec, tc.element, depth + 1) for _ in range(tc.length)]
    if isinstance(tc, (StructTC, ExceptTC)):
        if isinstance(tc, ExceptTC):
            dec.read_string()
        return tuple(read_value(dec, mtc, depth + 1) for _, mtc in tc.members)
    if isinstance(tc, EnumTC):
        v = dec.read_ulong()
        if v >= len(tc.labels):
            raise MarshalError(f"{v} is not a valid {tc.name} ordinal")
        return v
    if isinstance(tc, UnionTC):
        disc = read_value(dec, tc.discriminator, depth + 1)
        return (disc, read_value(dec, _union_member(tc, disc), depth + 1))
    raise MarshalError(f"cannot decode a value of TypeCode kind {kind.name}")


assert set(PRIMITIVES) >= set(_PRIM_KIND_NAME.values())
