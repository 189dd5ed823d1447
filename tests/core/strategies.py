"""Hypothesis strategies and comparisons for the core tests, derived from declarations.

Rule 1: strategies are built from the declarations themselves (IDL types in
``puretango.idl._types``, TypeCodes in ``puretango.giop._typecode``), dispatching on the
*exact* class through a table. A class that has no entry raises
:class:`MissingStrategy`, so a new kind of type cannot be silently left untested.

Rule 2: comparisons are driven by the same declarations (``idl_same``, ``tc_same``):
numpy arrays must have the native dtype the decoder promises, enums must come back as
their enum class, NaN equals NaN.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any as AnyT

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from puretango.giop import Any
from puretango.giop import _typecode as tcm
from puretango.idl import _types as T
from puretango.idl._cmdargs import COMMAND_ARG_TYPES, command_typecode
from puretango.idl._enums import CmdArgType

__all__ = [
    "SETTINGS",
    "FAST",
    "MissingStrategy",
    "PRIM_RANGES",
    "latin1",
    "prim_values",
    "prim_arrays",
    "idl_strategy",
    "idl_same",
    "tc_values",
    "tc_same",
    "command_anys",
]

#: Modest budgets: the whole tests/core folder must run in well under a minute.
#: ``PURETANGO_HYPOTHESIS_SCALE=40`` multiplies every budget for a deep (slow) run.
SCALE = float(os.environ.get("PURETANGO_HYPOTHESIS_SCALE", "1"))
SETTINGS = settings(
    max_examples=max(1, int(25 * SCALE)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FAST = settings(SETTINGS, max_examples=max(1, int(10 * SCALE)))


class MissingStrategy(LookupError):
    """A declaration class has no strategy or comparison: add one to the tables below."""


PRIM_RANGES: dict[str, tuple[int, int]] = {
    "octet": (0, 2**8 - 1),
    "char": (0, 2**8 - 1),
    "short": (-(2**15), 2**15 - 1),
    "ushort": (0, 2**16 - 1),
    "long": (-(2**31), 2**31 - 1),
    "ulong": (0, 2**32 - 1),
    "longlong": (-(2**63), 2**63 - 1),
    "ulonglong": (0, 2**64 - 1),
}
_DTYPES = {
    "boolean": "?",
    "octet": "u1",
    "char": "u1",
    "short": "i2",
    "ushort": "u2",
    "long": "i4",
    "ulong": "u4",
    "longlong": "i8",
    "ulonglong": "u8",
    "float": "f4",
    "double": "f8",
}

#: Latin-1 text (Tango strings); NUL excluded, CORBA strings cannot hold it.
latin1 = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=255), max_size=12)


def prim_values(name: str) -> st.SearchStrategy[AnyT]:
    if name == "boolean":
        return st.booleans()
    if name == "float":
        return st.floats(width=32)
    if name == "double":
        return st.floats()
    lo, hi = PRIM_RANGES[name]
    return st.integers(lo, hi)


def prim_arrays(name: str, max_size: int = 8) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.dtype(_DTYPES[name]), st.integers(0, max_size))


def _float_same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _array_same(a: AnyT, b: AnyT, dtype: str) -> bool:
    if not isinstance(b, np.ndarray) or b.dtype != np.dtype(dtype) or b.ndim != 1:
        return False
    a = np.asarray(a, dtype=dtype)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=dtype[0] == "f"))


def _prim_same(name: str, a: AnyT, b: AnyT) -> bool:
    if name == "boolean":
        return isinstance(b, bool) and b == bool(a)
    if name in ("float", "double"):
        return isinstance(b, float) and _float_same(float(a), b)
    return isinstance(b, int) and a == b


# -- IDL declarations (puretango.idl._types) -------------------------------------------

_IDL_CACHE: dict[int, st.SearchStrategy[AnyT]] = {}


def _union_arms(t: T.Union) -> st.SearchStrategy[AnyT]:
    arms = []
    for disc, (_, arm) in sorted(t.arms.items()):
        member = t.discriminator.enum_cls(disc)
        arms.append(idl_strategy(arm).map(lambda v, m=member: T.UnionValue(m, v)))
    return st.one_of(arms)


def _struct_values(t: T.Struct) -> st.SearchStrategy[AnyT]:
    # keyword construction, as user code builds them
    return st.builds(t.cls, **{name: idl_strategy(ft) for name, ft in t.fields})


_IDL_STRATEGIES: dict[type, Callable[[AnyT], st.SearchStrategy[AnyT]]] = {
    T.Prim: lambda t: prim_values(t.name),
    T._StringType: lambda t: latin1,
    T._VoidType: lambda t: st.none(),
    T._AnyType: lambda t: command_anys(),
    T.Alias: lambda t: idl_strategy(t.content),
    T.Enum: lambda t: st.sampled_from(sorted(t.enum_cls, key=int)),
    T.Seq: lambda t: (
        prim_arrays(t.element.name)
        if isinstance(t.element, T.Prim)
        else st.lists(idl_strategy(t.element), max_size=3)
    ),
    T.Arr: lambda t: st.lists(idl_strategy(t.element), min_size=t.length, max_size=t.length),
    T.Struct: _struct_values,
    T.Union: _union_arms,
}


def idl_strategy(t: T.IdlType) -> st.SearchStrategy[AnyT]:
    """Values of IDL type ``t``, built recursively from its declaration."""
    cached = _IDL_CACHE.get(id(t))
    if cached is None:
        make = _IDL_STRATEGIES.get(type(t))
        if make is None:
            raise MissingStrategy(
                f"no hypothesis strategy for IDL declaration class {type(t).__name__} ({t!r})"
            )
        # built eagerly, so a missing nested strategy fails here and not at draw time
        cached = _IDL_CACHE[id(t)] = make(t)
    return cached


def idl_same(t: T.IdlType, a: AnyT, b: AnyT) -> bool:
    """``b`` (decoded) is the value ``a`` (sent) of IDL type ``t``."""
    cls = type(t)
    if cls is T.Alias:
        return idl_same(t.content, a, b)
    if cls is T.Prim:
        return _prim_same(t.name, a, b)
    if cls is T._StringType:
        return isinstance(b, str) and a == b
    if cls is T._VoidType:
        return a is None and b is None
    if cls is T._AnyType:
        return isinstance(b, Any) and tc_same(a.typecode, a.value, b.value) and a == b
    if cls is T.Enum:
        return isinstance(b, t.enum_cls) and a == b
    if cls is T.Seq:
        if isinstance(t.element, T.Prim):
            return _array_same(a, b, _DTYPES[t.element.name])
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(idl_same(t.element, x, y) for x, y in zip(a, b))
        )
    if cls is T.Arr:
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(idl_same(t.element, x, y) for x, y in zip(a, b))
        )
    if cls is T.Struct:
        return type(b) is t.cls and all(
            idl_same(ft, getattr(a, n), getattr(b, n)) for n, ft in t.fields
        )
    if cls is T.Union:
        if not isinstance(b, T.UnionValue) or int(a.disc) != int(b.disc):
            return False
        if not isinstance(b.disc, t.discriminator.enum_cls):
            return False
        return idl_same(t.arms[int(a.disc)][1], a.value, b.value)
    raise MissingStrategy(f"no comparison for IDL declaration class {cls.__name__}")


# -- TypeCodes and the generic values of an any ------------------------------------------


def tc_values(tc: tcm.TypeCode) -> st.SearchStrategy[AnyT]:
    """Generic values (typecode Rule 2) of a TypeCode."""
    if isinstance(tc, tcm.PrimitiveTC):
        if tc.primitive is not None:
            return prim_values(tc.primitive)
        if tc.kind in (tcm.TCKind.tk_null, tcm.TCKind.tk_void):
            return st.none()
    elif isinstance(tc, tcm.StringTC):
        return latin1
    elif isinstance(tc, tcm.AliasTC):
        return tc_values(tc.content)
    elif isinstance(tc, tcm.SequenceTC):
        elem = tcm.strip_alias(tc.element)
        if isinstance(elem, tcm.PrimitiveTC) and elem.primitive is not None:
            return prim_arrays(elem.primitive)
        return st.lists(tc_values(elem), max_size=4)
    elif isinstance(tc, tcm.ArrayTC):
        return st.lists(tc_values(tc.element), min_size=tc.length, max_size=tc.length)
    elif isinstance(tc, tcm.StructTC):
        return st.tuples(*(tc_values(m) for _, m in tc.members))
    elif isinstance(tc, tcm.EnumTC):
        return st.integers(0, len(tc.labels) - 1)
    elif isinstance(tc, tcm.UnionTC):
        return st.one_of(
            [tc_values(m).map(lambda v, label=label: (label, v)) for label, _, m in tc.members]
        )
    raise MissingStrategy(f"no value strategy for TypeCode {tc!r}")


def tc_same(tc: tcm.TypeCode, a: AnyT, b: AnyT) -> bool:
    """``b`` (decoded) is the generic value ``a`` (sent) of TypeCode ``tc``."""
    if isinstance(tc, tcm.PrimitiveTC):
        if tc.primitive is not None:
            return _prim_same(tc.primitive, a, b)
        return a is None and b is None
    if isinstance(tc, tcm.StringTC):
        return isinstance(b, str) and a == b
    if isinstance(tc, tcm.AliasTC):
        return tc_same(tc.content, a, b)
    if isinstance(tc, (tcm.SequenceTC, tcm.ArrayTC)):
        elem = tcm.strip_alias(tc.element)
        if isinstance(tc, tcm.SequenceTC) and isinstance(elem, tcm.PrimitiveTC) and elem.primitive:
            return _array_same(a, b, _DTYPES[elem.primitive])
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(tc_same(elem, x, y) for x, y in zip(a, b))
        )
    if isinstance(tc, tcm.StructTC):
        return (
            isinstance(b, tuple)
            and len(b) == len(tc.members)
            and all(tc_same(m, x, y) for (_, m), x, y in zip(tc.members, a, b))
        )
    if isinstance(tc, tcm.EnumTC):
        return isinstance(b, int) and a == b
    if isinstance(tc, tcm.UnionTC):
        member = next(m for label, _, m in tc.members if label == a[0])
        return a[0] == b[0] and tc_same(member, a[1], b[1])
    raise MissingStrategy(f"no comparison for TypeCode {tc!r}")


def command_anys() -> st.SearchStrategy[Any]:
    """An ``any`` as Tango puts in ``command_inout``: a CmdArgType TypeCode and a value."""

    def of_type(arg_type: CmdArgType) -> st.SearchStrategy[Any]:
        tc = command_typecode(arg_type)
        return tc_values(tc).map(lambda v: Any(tc, v))

    return st.sampled_from(sorted(COMMAND_ARG_TYPES, key=int)).flatmap(of_type)
