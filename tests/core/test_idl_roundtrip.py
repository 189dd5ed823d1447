"""Every Tango IDL type and operation round-trips, driven by the declarations themselves.

The registry is the module: every attribute of ``puretango.idl._tango`` that is an
``IdlType`` is tested, with a strategy derived from its declaration. A declaration
class without a strategy makes these tests fail (see ``strategies.MissingStrategy``).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.giop import (
    Any,
    Body,
    CdrDecoder,
    CdrEncoder,
    Reply,
    Request,
    decode_message,
    encode_message,
    tc_for_primitive,
)
from puretango.idl import _tango
from puretango.idl._types import IdlType, UnionValue
from puretango.idl._values import TimeVal

from .strategies import FAST, MissingStrategy, idl_same, idl_strategy

REGISTRY: dict[str, IdlType] = {
    name: obj for name, obj in vars(_tango).items() if isinstance(obj, IdlType)
}
OPERATIONS = _tango.OPERATIONS


def test_registry_walk_finds_the_declarations():
    assert len(REGISTRY) >= 90
    for name in (
        "DevFailed",
        "AttrValUnion",
        "ClntIdent",
        "JavaUUID",
        "AttributeValue_5",
        "ANY",
        "DevStateT",
    ):
        assert name in REGISTRY


def test_every_declaration_has_a_strategy():
    missing = []
    for name, t in REGISTRY.items():
        try:
            idl_strategy(t)
        except MissingStrategy as exc:
            missing.append(f"{name}: {exc}")
    for op in OPERATIONS.values():
        for pname, t in (*op.params, ("<result>", op.result)):
            try:
                idl_strategy(t)
            except MissingStrategy as exc:
                missing.append(f"{op.name}.{pname}: {exc}")
    assert not missing, "declarations without a hypothesis strategy:\n" + "\n".join(missing)


def test_an_unknown_declaration_class_fails():
    class Novel(IdlType):
        pass

    with pytest.raises(MissingStrategy):
        idl_strategy(Novel())


def roundtrip(t: IdlType, value, little: bool, base: int) -> None:
    enc = CdrEncoder(little, base)
    t.write(enc, value)
    raw = enc.getvalue()
    dec = CdrDecoder(raw, little, base=base)
    got = t.read(dec)
    assert dec.at_end(), f"{len(raw) - dec.pos} bytes left unread"
    assert idl_same(t, value, got), (value, got)
    again = CdrEncoder(little, base)
    t.write(again, got)
    assert again.getvalue() == raw  # what we decode, we re-encode identically


@pytest.mark.parametrize("name", sorted(REGISTRY))
@FAST
@given(data=st.data())
def test_idl_type_roundtrip(name, data):
    t = REGISTRY[name]
    value = data.draw(idl_strategy(t), label=name)
    for little in (True, False):
        for base in range(8):
            roundtrip(t, value, little, base)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@FAST
@given(data=st.data(), minor=st.sampled_from([0, 1, 2]), little=st.booleans())
def test_operation_roundtrip(name, data, minor, little):
    op = OPERATIONS[name]
    args = [data.draw(idl_strategy(t), label=pname) for pname, t in op.params]
    result = data.draw(idl_strategy(op.result), label="result")
    for base in range(8):
        enc = CdrEncoder(little, base)
        op.write_args(enc, args)
        dec = CdrDecoder(enc.getvalue(), little, base=base)
        got = op.read_args(dec)
        assert dec.at_end()
        assert all(idl_same(t, a, g) for (_, t), a, g in zip(op.params, args, got))
        enc = CdrEncoder(little, base)
        op.result.write(enc, result)
        dec = CdrDecoder(enc.getvalue(), little, base=base)
        assert idl_same(op.result, result, op.result.read(dec)) and dec.at_end()

    # and inside real GIOP messages, where the body offset depends on the header fields
    request = Request(
        request_id=6, object_key=b"a/b/c", operation=name, body=lambda enc: op.write_args(enc, args)
    )
    decoded = decode_message(encode_message(request, minor, little))
    dec = decoded.body.decoder()
    got = op.read_args(dec)
    assert dec.at_end() and all(idl_same(t, a, g) for (_, t), a, g in zip(op.params, args, got))
    reply = Reply(request_id=6, body=lambda enc: op.result.write(enc, result))
    decoded = decode_message(encode_message(reply, minor, little))
    dec = decoded.body.decoder()
    assert idl_same(op.result, result, op.result.read(dec)) and dec.at_end()


def test_operation_arity_is_checked():
    from puretango.giop import LocalProtocolError

    with pytest.raises(LocalProtocolError):
        OPERATIONS["command_inout_4"].write_args(CdrEncoder(), ["x"])


def test_exceptions_carry_their_repository_id():
    enc = CdrEncoder()
    _tango.DevFailed.write(enc, _tango.DevFailed(errors=[]))
    dec = CdrDecoder(enc.getvalue())
    assert dec.read_string() == "IDL:Tango/DevFailed:1.0" and dec.read_ulong() == 0 and dec.at_end()


# -- observed bytes (protocol.md §1.9 c, d): a sanity check, pad bytes masked ------------------


def masked_equal(ours: bytes, observed: list[tuple[str, bool]]) -> bool:
    raw = b"".join(bytes.fromhex(h) for h, _ in observed)
    mask = b"".join((b"\0" if pad else b"\xff") * len(bytes.fromhex(h)) for h, pad in observed)
    return len(ours) == len(raw) and bytes(a & m for a, m in zip(ours, mask)) == bytes(
        a & m for a, m in zip(raw, mask)
    )


# (c) command_inout_4("Double", any(double 2.5), CACHE_DEV, ClntIdent), body at 0x3c, GIOP 1.0
OBSERVED_C = [
    ("07000000 446f75626c6500", False),
    ("00", True),
    ("07000000", False),
    ("63680072", True),
    ("00000000 00000440", False),
    ("02000000", False),
    ("02000000 a61c0000", False),
    ("00000000 01000000 00", False),
    ("000000", True),
    ("01000000 00", False),
]


def test_observed_command_inout_4_arguments():
    from puretango.idl import DevSource, LockerLanguage, TraceContextFormat

    op = OPERATIONS["command_inout_4"]
    ident = UnionValue(
        LockerLanguage.CPP_6,
        _tango.CppClntIdent_6(
            cpp_clnt=7334,
            trace_context=UnionValue(
                TraceContextFormat.W3C_TC_V0,
                _tango.W3CTraceContextV0(trace_parent="", trace_state=""),
            ),
        ),
    )
    args = ["Double", Any(tc_for_primitive("double"), 2.5), DevSource.CACHE_DEV, ident]
    enc = CdrEncoder(True, 0x3C)
    op.write_args(enc, args)
    assert masked_equal(enc.getvalue(), OBSERVED_C)

    observed = b"".join(bytes.fromhex(h) for h, _ in OBSERVED_C)
    dec = CdrDecoder(observed, True, base=0x3C)
    got = op.read_args(dec)
    assert dec.at_end()
    assert all(idl_same(t, a, g) for (_, t), a, g in zip(op.params, args, got))
    # reply body at 0x18: tk_double, 4 garbage pad bytes, 5.0
    reply = CdrDecoder(bytes.fromhex("07000000 446f7562 00000000 00001440"), True, base=0x18)
    assert op.result.read(reply) == Any(tc_for_primitive("double"), 5.0)


# (d) read_attributes_5 reply, GIOP 1.2, whole message
OBSERVED_D = [
    ("47494f50 01020101 60000000 08000000 00000000 00000000", False),
    ("01000000 05000000 02000000", False),
    ("0d000000", True),
    ("00000000 0000f83f 00000000 00000000", False),
    ("00000000 00000000 05000000", False),
    ("2bcc066b 8b1f0f00 d8030000", False),
    ("04000000 64626c00 01000000 00000000 01000000 00000000 00000000", False),
]


def test_observed_read_attributes_5_reply():
    from puretango.idl import AttrDataFormat, AttributeDataType, AttrQuality

    raw = b"".join(bytes.fromhex(h) for h, _ in OBSERVED_D)
    msg = decode_message(raw)
    assert isinstance(msg, Reply) and msg.request_id == 8 and msg.body.offset == 0x18
    result_type = OPERATIONS["read_attributes_5"].result
    dec = msg.body.decoder()
    (value,) = result_type.read(dec)
    assert dec.at_end()
    assert value.value.disc is AttributeDataType.ATT_DOUBLE
    assert value.value.value.tolist() == [1.5, 0.0]
    assert value.quality is AttrQuality.ATTR_VALID and value.data_format is AttrDataFormat.SCALAR
    assert value.data_type == 5 and value.name == "dbl"
    assert value.time == TimeVal(0x6B06CC2B, 0x0F1F8B, 0x3D8)
    assert (value.r_dim.dim_x, value.r_dim.dim_y, value.w_dim.dim_x, value.err_list) == (
        1,
        0,
        1,
        [],
    )

    ours = encode_message(
        Reply(
            request_id=8, body=Body.build(lambda enc: result_type.write(enc, [value]), True, 0x18)
        ),
        2,
        True,
    )
    assert masked_equal(bytes(ours), OBSERVED_D)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_default_value_roundtrips(name):
    """``default()`` (used for struct fields left out) is a valid value of the type."""
    t = REGISTRY[name]
    for little in (True, False):
        roundtrip(t, t.default(), little, 5)


def test_struct_construction_and_equality():
    dim = _tango.AttributeDim(3, dim_y=4)
    assert (dim.dim_x, dim.dim_y) == (3, 4)
    assert _tango.AttributeDim() == _tango.AttributeDim(0, 0)
    assert dim == _tango.AttributeDim(dim_x=3, dim_y=4) and dim != _tango.AttributeDim(3, 5)
    assert dim != _tango.EltInArray(3, 4)  # same layout, another type
    assert "dim_x=3" in repr(dim)
    with pytest.raises(TypeError):
        _tango.AttributeDim(1, 2, 3)
    with pytest.raises(TypeError):
        _tango.AttributeDim(nope=1)
    enc_a = _tango.DevEncoded(encoded_format="raw", encoded_data=[1.0, float("nan")])
    enc_b = _tango.DevEncoded(encoded_format="raw", encoded_data=[1.0, float("nan")])
    assert enc_a == enc_b  # NaN equals NaN inside values


def test_union_value_equality():
    from puretango.idl import AttributeDataType

    a = UnionValue(AttributeDataType.ATT_DOUBLE, [1.0, 2.0])
    assert (
        a == UnionValue(5, [1.0, 2.0])
        and a != UnionValue(5, [1.0])
        and a != UnionValue(4, [1.0, 2.0])
    )
    assert a.__eq__(object()) is NotImplemented and "UnionValue" in repr(a)


def test_encoding_invalid_idl_values_is_a_local_error():
    from puretango.giop import LocalProtocolError

    for t, value in (
        (_tango.JavaUUID, [1]),
        (_tango.DevStateT, 14),
        (_tango.AttrValUnion, UnionValue(99, None)),
        (_tango.DevVarLongArray, [2**31]),
    ):
        with pytest.raises(LocalProtocolError):
            t.write(CdrEncoder(), value)
