"""CDR primitives, strings, sequences and encapsulations (puretango.giop._cdr).

The reference layout is computed here independently with :mod:`struct`: padding to
each value's size relative to ``base`` (the stream offset of the first byte).
"""

from __future__ import annotations

import struct
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.giop import (
    NATIVE_LITTLE,
    PRIMITIVES,
    CdrDecoder,
    CdrEncoder,
    LocalProtocolError,
    MarshalError,
)

from .strategies import FAST, SETTINGS, latin1, prim_arrays, prim_values

KINDS = sorted(PRIMITIVES)
NON_NATIVE = not NATIVE_LITTLE
bases = st.integers(0, 7)
orders = st.booleans()

items = st.sampled_from(KINDS).flatmap(lambda k: st.tuples(st.just(k), prim_values(k)))


def reference(values: list[tuple[str, object]], little: bool, base: int, pad: int) -> bytes:
    """Independent CDR layout of primitives, padding filled with byte ``pad``."""
    out = bytearray()
    for kind, value in values:
        code, size, _ = PRIMITIVES[kind]
        out += bytes([pad]) * (-(base + len(out)) % size)
        out += struct.pack(
            ("<" if little else ">") + code, int(value) if kind == "boolean" else value
        )
    return bytes(out)


def same_prim(kind: str, a: object, b: object) -> bool:
    if kind in ("float", "double"):
        return a == b or (a != a and b != b)
    return a == b


@SETTINGS
@given(values=st.lists(items, max_size=12), little=orders, base=bases, pad=st.integers(0, 255))
def test_primitives_roundtrip_with_garbage_padding(values, little, base, pad):
    enc = CdrEncoder(little, base)
    for kind, value in values:  # the named methods (char only has the generic one)
        getattr(enc, f"write_{kind}", lambda v, k=kind: enc.write_primitive(k, v))(value)
    assert enc.getvalue() == reference(values, little, base, 0)  # padding written as zeros
    assert enc.position == base + len(enc.buf)

    dec = CdrDecoder(reference(values, little, base, pad), little, base=base)  # garbage padding
    for kind, value in values:
        read = getattr(dec, f"read_{kind}", lambda k=kind: dec.read_primitive(k))
        assert same_prim(kind, value, read())
    assert dec.at_end()


@SETTINGS
@given(values=st.lists(items, max_size=8), little=orders, base=bases)
def test_write_read_primitive_by_name(values, little, base):
    enc = CdrEncoder(little, base)
    for kind, value in values:
        enc.write_primitive(kind, value)
    dec = CdrDecoder(enc.getvalue(), little, base=base)
    assert all(same_prim(k, v, dec.read_primitive(k)) for k, v in values)
    assert dec.at_end()


@SETTINGS
@given(values=st.lists(items, min_size=1, max_size=8), little=orders, base=bases, data=st.data())
def test_truncated_primitives_raise_marshal_error(values, little, base, data):
    raw = reference(values, little, base, 0)
    cut = data.draw(st.integers(0, len(raw) - 1))
    dec = CdrDecoder(raw[:cut], little, base=base)
    with pytest.raises(MarshalError):
        for kind, _ in values:
            dec.read_primitive(kind)


def test_alignment_is_relative_to_base():
    # a double after one octet: 7 pad bytes at base 0, 3 at base 4, none at base 7
    for base, pad in ((0, 7), (4, 3), (7, 0), (1, 6)):
        enc = CdrEncoder(True, base)
        enc.write_octet(1)
        enc.write_double(2.5)
        assert len(enc.buf) == 1 + pad + 8
        dec = CdrDecoder(bytes(enc.buf), True, base=base)
        assert (dec.read_octet(), dec.read_double()) == (1, 2.5)


def test_decoder_pos_and_base_inside_a_larger_buffer():
    # data[0] is at stream offset 12 (a GIOP body after the header); pos starts later
    enc = CdrEncoder(False, 12)
    enc.write_short(7)
    enc.write_longlong(-5)
    data = b"\xee" * 3 + bytes(enc.buf)
    dec = CdrDecoder(data, False, pos=3, base=9)  # data[3] is at offset 12
    assert (dec.read_short(), dec.read_longlong()) == (7, -5)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "boolean"])
def test_out_of_range_primitive_is_a_local_error(kind):
    big = 10**30 if kind not in ("float", "double") else 1e300
    with pytest.raises(LocalProtocolError):
        CdrEncoder().write_primitive(kind, big if kind != "double" else "x")


def test_float_overflow_is_a_local_error():
    # regression: struct raised OverflowError, which escaped the core
    with pytest.raises(LocalProtocolError):
        CdrEncoder().write_float(1e39)


# -- strings ---------------------------------------------------------------------------


@SETTINGS
@given(
    text=st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=40),
    lead=st.integers(0, 3),
    little=orders,
    base=bases,
)
def test_string_roundtrip_latin1(text, lead, little, base):
    enc = CdrEncoder(little, base)
    for _ in range(lead):
        enc.write_octet(0xAB)
    enc.write_string(text)
    enc.write_string(text.encode("latin-1"))  # bytes are accepted as is
    dec = CdrDecoder(enc.getvalue(), little, base=base)
    assert [dec.read_octet() for _ in range(lead)] == [0xAB] * lead
    assert dec.read_string() == text
    assert dec.read_string_bytes() == text.encode("latin-1")
    assert dec.at_end()


def test_string_layout():
    enc = CdrEncoder(True)
    enc.write_string("")
    enc.write_string("ab")
    assert enc.getvalue() == bytes.fromhex("01000000 00 000000 03000000 616200")


def test_zero_length_string_is_read_leniently():
    assert CdrDecoder(bytes(4)).read_string() == ""


def test_non_latin1_string_is_a_local_error():
    with pytest.raises(LocalProtocolError):
        CdrEncoder().write_string("\u20ac")
    with pytest.raises(LocalProtocolError):
        CdrEncoder().write_string(3)  # type: ignore[arg-type]


@SETTINGS
@given(values=st.lists(latin1, max_size=6), little=orders, base=bases)
def test_string_sequence_roundtrip(values, little, base):
    enc = CdrEncoder(little, base)
    enc.write_string_sequence(values)
    enc.write_string_sequence(iter(values))  # any iterable
    dec = CdrDecoder(enc.getvalue(), little, base=base)
    assert dec.read_string_sequence() == values
    assert dec.read_string_sequence() == values
    assert dec.at_end()


# -- octet and primitive sequences -------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=64), little=orders, base=bases)
def test_octet_sequence_roundtrip(data, little, base):
    enc = CdrEncoder(little, base)
    enc.write_octets(data)
    enc.write_octets(bytearray(data))
    enc.write_octets(memoryview(data))
    dec = CdrDecoder(enc.getvalue(), little, base=base)
    for _ in range(3):
        got = dec.read_octets()
        assert type(got) is bytes and got == data
    assert dec.at_end()


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data(), little=orders, base=bases)
def test_primitive_sequence_roundtrip(kind, data, little, base):
    arr = data.draw(prim_arrays(kind))
    enc = CdrEncoder(little, base)
    enc.write_octet(1)  # misalign on purpose
    enc.write_primitive_sequence(kind, arr)
    enc.write_primitive_sequence(kind, arr.tolist())  # plain Python numbers too
    enc.write_primitive_sequence(kind, arr.astype(arr.dtype.newbyteorder()))  # any byte order in
    dec = CdrDecoder(enc.getvalue(), little, base=base)
    dec.read_octet()
    for _ in range(3):
        got = dec.read_primitive_sequence(kind)
        assert got.dtype == np.dtype(PRIMITIVES[kind][2]) and got.dtype.isnative
        assert np.array_equal(got, arr, equal_nan=kind in ("float", "double"))
    assert dec.at_end()


@pytest.mark.parametrize("kind", [k for k in KINDS if PRIMITIVES[k][1] > 1])
def test_native_order_sequence_is_zero_copy(kind):
    enc = CdrEncoder(NATIVE_LITTLE, 12)
    enc.write_primitive_sequence(kind, np.arange(5).astype(PRIMITIVES[kind][2]))
    message = enc.getvalue()
    arr = CdrDecoder(message, NATIVE_LITTLE, base=12).read_primitive_sequence(kind)
    assert arr.base is message  # a view on the message buffer, no copy
    mv = memoryview(bytearray(message))
    arr = CdrDecoder(mv, NATIVE_LITTLE, base=12).read_primitive_sequence(kind)
    assert np.shares_memory(arr, np.frombuffer(mv, np.uint8))
    # the foreign byte order must be converted (a copy with the native dtype)
    enc = CdrEncoder(NON_NATIVE, 12)
    enc.write_primitive_sequence(kind, np.arange(5))
    other = CdrDecoder(enc.getvalue(), NON_NATIVE, base=12).read_primitive_sequence(kind)
    assert other.dtype.isnative and other.tolist() == list(range(5))


def test_octet_sequence_array_is_zero_copy():
    message = bytes([3, 0, 0, 0, 7, 8, 9])
    arr = CdrDecoder(message).read_primitive_sequence("octet")
    assert arr.base is message and arr.tolist() == [7, 8, 9]


def test_boolean_sequence_reads_any_nonzero_as_true():
    arr = CdrDecoder(bytes([3, 0, 0, 0, 0, 1, 0x80])).read_primitive_sequence("boolean")
    assert arr.dtype == np.dtype(bool) and arr.tolist() == [False, True, True]


def test_primitive_sequence_layout_pads_after_count():
    enc = CdrEncoder(False)
    enc.write_primitive_sequence("double", [0.0, 1.0])
    assert enc.getvalue() == bytes.fromhex("00000002 00000000 0000000000000000 3ff0000000000000")
    enc = CdrEncoder(True)
    enc.write_primitive_sequence("double", [])
    assert enc.getvalue() == bytes(4)  # empty: no padding


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("short", [2**15]),
        ("octet", [-1]),
        ("ulong", [2**32]),
        ("long", [1.5]),
        ("double", ["a"]),
        ("ulonglong", [2**70]),
    ],
)
def test_unencodable_sequence_is_a_local_error(kind, values):
    with pytest.raises(LocalProtocolError):
        CdrEncoder().write_primitive_sequence(kind, values)


# -- encapsulations ------------------------------------------------------------------------


@SETTINGS
@given(
    outer=orders, inner=orders, base=bases, lead=st.integers(0, 7), value=st.floats(), text=latin1
)
def test_encapsulation_roundtrip_restarts_alignment(outer, inner, base, lead, value, text):
    def build(enc: CdrEncoder) -> None:
        enc.write_octet(9)
        enc.write_double(value)  # aligned relative to the byte-order octet
        enc.write_string(text)

    enc = CdrEncoder(outer, base)
    enc.write_raw(b"\x55" * lead)
    enc.write_encapsulation(build, little=inner)
    enc.write_ulong(0xDEADBEEF)
    raw = enc.getvalue()

    dec = CdrDecoder(raw, outer, base=base)
    dec.read_raw(lead)
    capsule = dec.read_encapsulation()
    assert capsule.little is inner
    assert capsule.read_octet() == 9
    got = capsule.read_double()
    assert got == value or (got != got and value != value)
    assert capsule.read_string() == text
    assert capsule.at_end()
    assert dec.read_ulong() == 0xDEADBEEF and dec.at_end()
    # the double sits 8 bytes after the byte-order octet, whatever the outer alignment
    start = lead + (-(base + lead) % 4) + 4  # after the aligned length
    assert raw[start : start + 2] == bytes([1 if inner else 0, 9])
    assert raw[start + 8 : start + 16] == struct.pack("<d" if inner else ">d", value)


def test_encapsulation_inner_padding_is_not_checked():
    capsule = bytes([1, 0xAA, 0xBB, 0xCC]) + struct.pack("<I", 77)
    raw = struct.pack(">I", len(capsule)) + capsule
    inner = CdrDecoder(raw, False).read_encapsulation()
    assert inner.read_ulong() == 77


def test_empty_encapsulation_is_refused():
    with pytest.raises(MarshalError):
        CdrDecoder(bytes(4)).read_encapsulation()


# -- hostile lengths --------------------------------------------------------------------------

HUGE = struct.pack("<I", 0xFFFFFFF0)


@pytest.mark.parametrize(
    "read",
    [
        lambda d: d.read_octets(),
        lambda d: d.read_string(),
        lambda d: d.read_string_sequence(),
        lambda d: d.read_encapsulation(),
        *(lambda d, k=k: d.read_primitive_sequence(k) for k in KINDS),
    ],
)
def test_huge_declared_length_is_refused_without_allocating(read):
    tracemalloc.start()
    try:
        with pytest.raises(MarshalError):
            read(CdrDecoder(HUGE + bytes(64)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_count_larger_than_remaining_is_refused():
    dec = CdrDecoder(struct.pack("<I", 3) + bytes(11))
    with pytest.raises(MarshalError):
        dec.read_primitive_sequence("long")  # 3 longs need 12 bytes, 11 left
    assert CdrDecoder(struct.pack("<I", 3) + bytes(12)).read_primitive_sequence(
        "long"
    ).tolist() == [0, 0, 0]


def test_truncated_string_and_padding_raise_marshal_error():
    with pytest.raises(MarshalError):
        CdrDecoder(struct.pack("<I", 5) + b"abc").read_string()
    dec = CdrDecoder(b"\x01\x00", base=0)
    dec.read_octet()
    with pytest.raises(MarshalError):
        dec.align(8)


@pytest.mark.parametrize("little", [True, False])
def test_python_ints_straddling_int64_encode_exactly(little):
    # regression: numpy infers float64 for [0, 2**63], which was refused as "float values"
    values = [0, 2**63, 2**64 - 1, 2**63 + 1]
    enc = CdrEncoder(little)
    enc.write_primitive_sequence("ulonglong", values)
    enc.write_primitive_sequence("ulonglong", [[1, 2**63]])  # nested (image) input is flattened
    dec = CdrDecoder(enc.getvalue(), little)
    assert dec.read_primitive_sequence("ulonglong").tolist() == values
    assert dec.read_primitive_sequence("ulonglong").tolist() == [1, 2**63]
    for bad in ([0, 2**64], [-1, 2**63], [0.5, 2**63]):
        with pytest.raises(LocalProtocolError):
            CdrEncoder(little).write_primitive_sequence("ulonglong", bad)
    with pytest.raises(LocalProtocolError):
        CdrEncoder(little).write_primitive_sequence("longlong", [0, 2**63])


@pytest.mark.parametrize("kind", ["octet", "char"])
def test_octet_sequence_from_bytes(kind):
    for data in (b"\x00\xffab", bytearray(b"xy"), memoryview(b"z")):
        enc = CdrEncoder(False, 3)
        enc.write_primitive_sequence(kind, data)
        assert CdrDecoder(enc.getvalue(), False, base=3).read_primitive_sequence(
            kind
        ).tobytes() == bytes(data)


@pytest.mark.parametrize("values", [["a", "b"], [b"x"], [None, 1], [object()]])
def test_non_numeric_sequence_is_a_local_error(values):
    for kind in ("long", "double", "ulonglong"):
        with pytest.raises(LocalProtocolError):
            CdrEncoder().write_primitive_sequence(kind, values)
