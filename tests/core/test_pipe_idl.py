"""The pipe IDL types (recursive ``DevPipeDataElt``, ``DevPipeBlob``, ``DevPipeData``) and the
pipe operations round-trip, their decoders survive hostile input, nesting is bounded both
ways, and Python blobs survive the trip through the IDL values (``puretango._pipevalues``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango._pipevalues import ARRAY_PIPE, SCALAR_PIPE, blob_to_python, python_to_blob
from puretango.giop import (
    CdrDecoder,
    CdrEncoder,
    LocalProtocolError,
    MarshalError,
    Reply,
    Request,
    decode_message,
    encode_message,
)
from puretango.idl import OPERATIONS, PIPE_OPERATIONS, UnionValue
from puretango.idl import types as t
from puretango.idl._enums import AttributeDataType, CmdArgType, DevState
from puretango.idl._pipes import MAX_BLOB_DEPTH, DevPipeBlob, DevPipeData, DevPipeDataElt

from .strategies import FAST, idl_same, idl_strategy, latin1
from .test_fuzz import decode_safely, mutated

# -- strategies and comparison -----------------------------------------------------------

_leaf = st.builds(
    DevPipeDataElt.cls,
    name=latin1,
    value=idl_strategy(t.AttrValUnion),
    inner_blob=st.just([]),
    inner_blob_name=st.sampled_from([SCALAR_PIPE, ARRAY_PIPE, ""]),
)


def _with_children(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        DevPipeDataElt.cls,
        name=latin1,
        value=st.just(UnionValue(AttributeDataType.ATT_NO_DATA, True)),
        inner_blob=st.lists(children, min_size=1, max_size=3),
        inner_blob_name=latin1,
    )


elements = st.recursive(_leaf, _with_children, max_leaves=8)
blobs = st.builds(DevPipeBlob.cls, name=latin1, blob_data=st.lists(elements, max_size=4))
pipe_datas = st.builds(DevPipeData.cls, name=latin1, time=idl_strategy(t.TimeVal), data_blob=blobs)
PIPE_TYPES = {"DevPipeDataElt": elements, "DevPipeBlob": blobs, "DevPipeData": pipe_datas}
_DECLS = {"DevPipeDataElt": DevPipeDataElt, "DevPipeBlob": DevPipeBlob, "DevPipeData": DevPipeData}


def same_elt(a, b) -> bool:
    return (
        type(b) is DevPipeDataElt.cls
        and a.name == b.name
        and idl_same(t.AttrValUnion, a.value, b.value)
        and len(a.inner_blob) == len(b.inner_blob)
        and all(same_elt(x, y) for x, y in zip(a.inner_blob, b.inner_blob))
        and a.inner_blob_name == b.inner_blob_name
    )


def same(name: str, a, b) -> bool:
    if name == "DevPipeDataElt":
        return same_elt(a, b)
    if name == "DevPipeBlob":
        return (
            a.name == b.name
            and len(a.blob_data) == len(b.blob_data)
            and all(same_elt(x, y) for x, y in zip(a.blob_data, b.blob_data))
        )
    return a.name == b.name and a.time == b.time and same("DevPipeBlob", a.data_blob, b.data_blob)


def _encoded(decl, value, little: bool, base: int = 0) -> bytes:
    enc = CdrEncoder(little, base)
    decl.write(enc, value)
    return enc.getvalue()


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PIPE_TYPES))
@FAST
@given(data=st.data())
def test_pipe_type_roundtrip(name, data):
    decl, value = _DECLS[name], data.draw(PIPE_TYPES[name], label=name)
    for little in (True, False):
        for base in range(8):
            raw = _encoded(decl, value, little, base)
            dec = CdrDecoder(raw, little, base=base)
            got = decl.read(dec)
            assert dec.at_end() and same(name, value, got)
            assert _encoded(decl, got, little, base) == raw


def test_the_pipe_operations_are_the_idl_ones():
    assert sorted(PIPE_OPERATIONS) == [
        "read_pipe_5",
        "set_pipe_config_5",
        "write_pipe_5",
        "write_read_pipe_5",
    ]
    assert all(OPERATIONS[name] is op for name, op in PIPE_OPERATIONS.items())
    assert "get_pipe_config_5" in OPERATIONS
    assert [p for p, _ in OPERATIONS["write_read_pipe_5"].params] == ["value", "cl_ident"]


def _strategy(decl):
    return pipe_datas if decl is DevPipeData else idl_strategy(decl)


@pytest.mark.parametrize("name", sorted(PIPE_OPERATIONS))
@FAST
@given(data=st.data(), minor=st.sampled_from([0, 1, 2]), little=st.booleans())
def test_pipe_operation_roundtrip(name, data, minor, little):
    op = OPERATIONS[name]
    args = [data.draw(_strategy(decl), label=p) for p, decl in op.params]
    request = Request(
        request_id=3, object_key=b"a/b/c", operation=name, body=lambda enc: op.write_args(enc, args)
    )
    dec = decode_message(encode_message(request, minor, little)).body.decoder()
    got = op.read_args(dec)
    assert dec.at_end()
    for (_, decl), a, g in zip(op.params, args, got):
        assert same("DevPipeData", a, g) if decl is DevPipeData else idl_same(decl, a, g)
    if op.result is DevPipeData:
        result = data.draw(pipe_datas, label="result")
        reply = Reply(request_id=3, body=lambda enc: op.result.write(enc, result))
        dec = decode_message(encode_message(reply, minor, little)).body.decoder()
        assert same("DevPipeData", result, op.result.read(dec)) and dec.at_end()


# -- hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PIPE_TYPES))
@FAST
@given(data=st.data(), little=st.booleans(), base=st.integers(0, 7))
def test_pipe_decoders_raise_only_protocol_errors(name, data, little, base):
    decl = _DECLS[name]
    raw = data.draw(
        st.one_of(
            st.binary(max_size=96),
            PIPE_TYPES[name].map(lambda v: _encoded(decl, v, little)).flatmap(mutated),
        )
    )
    decode_safely(decl.read, CdrDecoder(raw, little, base=base))


def _nested(depth: int):
    elt = DevPipeDataElt(
        name="leaf", value=UnionValue(AttributeDataType.ATT_LONG, np.array([1], np.int32))
    )
    for level in range(depth):
        elt = DevPipeDataElt(
            name=f"b{level}",
            value=UnionValue(AttributeDataType.ATT_NO_DATA, True),
            inner_blob=[elt],
            inner_blob_name=f"blob{level}",
        )
    return elt


def test_nesting_is_bounded_both_ways():
    deep_ok = _nested(MAX_BLOB_DEPTH)
    raw = _encoded(DevPipeDataElt, deep_ok, True)
    assert same_elt(deep_ok, DevPipeDataElt.read(CdrDecoder(raw, True)))
    with pytest.raises(LocalProtocolError):
        _encoded(DevPipeDataElt, _nested(MAX_BLOB_DEPTH + 1), True)
    # a peer's reply nested beyond the bound: built by hand, refused on decoding
    level = _encoded(DevPipeDataElt, _nested(MAX_BLOB_DEPTH), True)
    enc = CdrEncoder(True)
    enc.write_string("top")
    t.AttrValUnion.write(enc, UnionValue(AttributeDataType.ATT_NO_DATA, True))
    enc.write_ulong(1)
    head = enc.getvalue()
    tail = CdrEncoder(True, len(head) + len(level))
    tail.write_string("deep")
    raw = head + level + tail.getvalue()
    with pytest.raises(MarshalError):
        DevPipeDataElt.read(CdrDecoder(raw, True))


def test_a_huge_element_count_is_refused_without_allocating():
    enc = CdrEncoder(True)
    enc.write_string("blob")
    enc.write_ulong(0xFFFFFFF0)
    with pytest.raises(MarshalError):
        DevPipeBlob.read(CdrDecoder(enc.getvalue(), True))


# -- Python values through the IDL -----------------------------------------------------------

_scalars = st.one_of(
    latin1.map(lambda s: (s, CmdArgType.DevString)),
    st.booleans().map(lambda b: (b, CmdArgType.DevBoolean)),
    st.integers(-(2**63), 2**63 - 1).map(lambda i: (i, CmdArgType.DevLong64)),
    st.floats(allow_nan=False).map(lambda f: (f, CmdArgType.DevDouble)),
    st.sampled_from(list(DevState)).map(lambda s: (s, CmdArgType.DevState)),
)
_arrays = st.one_of(
    st.lists(latin1, min_size=1, max_size=4).map(lambda v: (v, CmdArgType.DevVarStringArray)),
    st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=4).map(
        lambda v: (v, CmdArgType.DevVarLong64Array)
    ),
    st.lists(st.floats(allow_nan=False), min_size=1, max_size=4).map(
        lambda v: (v, CmdArgType.DevVarDoubleArray)
    ),
)
_names = st.text(alphabet="abcdefgh", min_size=1, max_size=6)


def _python_blobs(leaves):
    return st.tuples(_names, st.dictionaries(_names, leaves, min_size=1, max_size=4))


_typed_leaves = st.one_of(_scalars, _arrays)
_typed_blobs = st.recursive(
    _python_blobs(_typed_leaves),
    lambda inner: _python_blobs(st.one_of(_typed_leaves, inner.map(lambda b: (b, "blob")))),
    max_leaves=10,
)


def _plain(blob):
    """The value to send (types left to inference) from a drawn (value, type) tree."""
    name, items = blob
    return name, {k: _plain(v) if kind == "blob" else v for k, (v, kind) in items.items()}


def _check(sent, received):
    name, items = sent
    assert received[0] == name and [e["name"] for e in received[1]] == list(items)
    for got, (value, kind) in zip(received[1], items.values()):
        if kind == "blob":
            assert got["dtype"] is CmdArgType.DevPipeBlob
            _check(value, got["value"])
            continue
        assert got["dtype"] is kind
        if isinstance(value, list) and kind is not CmdArgType.DevVarStringArray:
            assert list(got["value"]) == value
        else:
            assert got["value"] == value


@FAST
@given(blob=_typed_blobs, little=st.booleans())
def test_python_blobs_survive_the_wire(blob, little):
    name, elts = python_to_blob(_plain(blob))
    sent = DevPipeBlob(name=name, blob_data=elts)
    received = DevPipeBlob.read(CdrDecoder(_encoded(DevPipeBlob, sent, little), little))
    _check(blob, blob_to_python(received.name, received.blob_data))
