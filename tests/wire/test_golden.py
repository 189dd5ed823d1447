"""Replay the golden captures (a real PyTango 10.3.1 client talking to a real PyTango server,
see ``golden/README.md``) through our sans-I/O core and IDL, and hold them to what PyTango saw.

1. framing: every captured byte becomes a complete message in our ``GiopConnection``, the
   request and reply ids pair up, GIOP versions and fragments are as captured;
2. decoding: every Request's arguments and every Reply's result (or DevFailed) decode with
   ``OPERATIONS`` and consume their whole body;
3. semantics: per client action (the marks), the decoded values converted by
   ``puretango.client._convert`` equal what PyTango returned;
4. re-encoding: writing the decoded values back gives the captured bytes (padding masked:
   omniORB leaves garbage there; fragmented 1.2 messages compare with their reassembly).
"""

from __future__ import annotations

import enum
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pytest

from puretango._pyvalues import any_to_python
from puretango.client._convert import (
    attribute_value_to_device_attribute,
    cmd_info_from_idl,
    config5_to_info,
    device_info_from_idl,
)
from puretango.giop import (
    CODE_SETS_CONTEXT,
    NEED_DATA,
    ConnectionClosed,
    GiopConnection,
    Reply,
    ReplyStatus,
    Request,
    Role,
    _cdr,
    _typecode,
    encode_message,
)
from puretango.giop import Any as CorbaAny
from puretango.idl import DEVFAILED_ID, OPERATIONS, CmdArgType, StructBase, UnionValue, types

from .golden_reader import (
    HEADER_SIZE,
    SESSIONS,
    BigArray,
    Exchange,
    WireMessage,
    from_json,
    load_session,
    read_marks,
)

EXPECTED_MINOR = {"typedev_client": 0, "typedev_client_giop12": 2}

# The client adds one error of its own to the stack it received (not on the wire).
CLIENT_ADDED_REASON = {
    "read_attribute": "API_AttributeFailed",
    "command_inout": "API_CommandFailed",
}


# -- decoding every exchange once per session ---------------------------------------------


@dataclass
class Decoded:
    exchange: Exchange
    args: list[Any] | None = None
    result: Any = None  # the NO_EXCEPTION value
    exception: tuple[str, list[Any]] | None = None  # (repository id, DevErrorList)
    problems: list[str] = field(default_factory=list)

    @property
    def request(self) -> Request:
        msg = self.exchange.request.decoded
        assert isinstance(msg, Request)
        return msg

    @property
    def reply(self) -> Reply:
        assert self.exchange.reply is not None
        msg = self.exchange.reply.decoded
        assert isinstance(msg, Reply)
        return msg


def _check_consumed(dec: Any, what: str, problems: list[str]) -> None:
    # only alignment padding (< 8 bytes) may be left after the last value
    if dec.remaining >= 8 or dec.remaining < 0:
        problems.append(
            f"{what}: {dec.remaining} bytes left after decoding (at body offset {dec.pos})"
        )


def _decode(ex: Exchange) -> Decoded:
    d = Decoded(ex)
    req = ex.request.decoded
    if not isinstance(req, Request):
        d.problems.append(f"{ex.request.describe()}: not a Request")
        return d
    op = OPERATIONS.get(req.operation)
    if op is None:
        d.problems.append(
            f"{ex.request.describe()}: operation {req.operation!r} is not in OPERATIONS"
        )
        return d
    dec = req.body.decoder()
    try:
        d.args = op.read_args(dec)
        _check_consumed(dec, ex.request.describe(), d.problems)
    except Exception as exc:  # noqa: BLE001 - reported
        d.problems.append(
            f"{ex.request.describe()}: arguments do not decode at body offset {dec.pos}: {exc!r}"
        )
    if ex.reply is None:
        return d
    rep = ex.reply.decoded
    if not isinstance(rep, Reply):
        d.problems.append(f"{ex.reply.describe()}: not a Reply")
        return d
    dec = rep.body.decoder()
    try:
        if rep.status is ReplyStatus.NO_EXCEPTION:
            d.result = op.result.read(dec)
        elif rep.status is ReplyStatus.USER_EXCEPTION:
            repo_id = dec.read_string()
            if repo_id != DEVFAILED_ID:
                d.problems.append(f"{ex.reply.describe()}: unexpected user exception {repo_id!r}")
                return d
            d.exception = (repo_id, types.DevErrorList.read(dec))
        else:
            d.problems.append(f"{ex.reply.describe()}: unexpected reply status {rep.status.name}")
            return d
        _check_consumed(dec, ex.reply.describe(), d.problems)
    except Exception as exc:  # noqa: BLE001 - reported
        d.problems.append(
            f"{ex.reply.describe()}: body does not decode at body offset {dec.pos}: {exc!r}"
        )
    return d


@cache
def decoded(name: str) -> tuple[Decoded, ...]:
    return tuple(_decode(ex) for ex in load_session(name).exchanges)


def decoded_of(name: str, mark: str) -> list[Decoded]:
    session = load_session(name)
    return [d for d in decoded(name) if session.mark_of(d.exchange.t) == mark]


# -- 1. framing --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SESSIONS)
def test_framing(name: str) -> None:
    s = load_session(name)
    assert s.streams, "empty capture"
    assert not s.core_errors, f"GiopConnection raised: {s.core_errors}"
    for key, rest in s.leftovers.items():
        assert rest == b"", f"{key}: {len(rest)} bytes after the last complete message"
    for key, end in s.core_end.items():
        assert end == ConnectionClosed(clean=True), f"{key}: after EOF next_event gave {end!r}"
    for key, wms in s.streams.items():
        core = s.core_messages[key]
        assert len(core) == len(wms), (
            f"{key}: GiopConnection produced {len(core)} messages, the hand framing {len(wms)}"
        )
        want = Request if key[1] == "C2S" else Reply
        for wm in wms:
            msg = wm.decoded
            assert isinstance(msg, want), f"{wm.describe()}: decoded as {type(msg).__name__}"
            # the decoded body is exactly the tail of the (reassembled) message
            body = msg.body
            assert bytes(body.data) == wm.reassembled[body.offset :], (
                f"{wm.describe()}: body bytes differ"
            )
            assert body.little == wm.little
    # ids pair up: every Request answered, every Reply expected, in order (one call at a time)
    assert not s.unanswered, [wm.describe() for wm in s.unanswered]
    assert not s.orphan_replies, [wm.describe() for wm in s.orphan_replies]
    for ex in s.exchanges:
        assert ex.reply is not None
        assert ex.reply.index == ex.request.index, f"{ex.request.describe()} answered out of order"
        assert ex.reply.t >= ex.request.t
    ids = [ex.request.decoded.request_id for ex in s.exchanges]  # type: ignore[union-attr]
    assert len(set(ids)) == len(ids), "request ids reused on one connection"


@pytest.mark.parametrize("name", SESSIONS)
def test_framing_independent_of_tcp_reads(name: str) -> None:
    """Re-cut each stream (one byte at a time, odd sizes, all at once): same messages."""
    s = load_session(name)
    for key, wms in s.streams.items():
        data = b"".join(p.raw for wm in wms for p in wm.parts)
        sizes = [7, 4093, len(data)] + ([1] if len(data) < 300_000 else [])
        for size in sizes:
            conn = GiopConnection(Role.SERVER if key[1] == "C2S" else Role.CLIENT)
            conn.pending.update(
                m.request_id for m in s.core_messages[(key[0], "C2S")] if isinstance(m, Request)
            )
            out = []
            for i in range(0, len(data), size):
                conn.receive_data(data[i : i + size])
                while (ev := conn.next_event()) is not NEED_DATA:
                    out.append(ev)
            assert out == s.core_messages[key], f"{key} cut every {size} bytes"


@pytest.mark.parametrize("name", SESSIONS)
def test_giop_versions_and_fragments(name: str) -> None:
    s = load_session(name)
    minor = EXPECTED_MINOR[name]
    assert s.expected["meta"]["giop"] == f"1.{minor}"
    parts = [p for wm in s.messages() for p in wm.parts]
    assert {(p.raw[4], p.minor) for p in parts} == {(1, minor)}, "GIOP version"
    assert all(p.little for p in parts), "omniORB on x86 sends little-endian"
    fragmented = [wm for wm in s.messages() if wm.fragmented]
    if minor < 2:
        assert not fragmented
        assert not any(p.flags & 2 for p in parts)
        return
    # GIOP 1.2: fragments seen both ways and reassembled
    assert {wm.direction for wm in fragmented} == {"C2S", "S2C"}
    for wm in fragmented:
        first, rest = wm.parts[0], wm.parts[1:]
        assert first.more_fragments and first.msg_type in (0, 1)
        msg_id = wm.decoded.request_id  # type: ignore[union-attr]
        for i, p in enumerate(rest):
            assert p.msg_type == 7, f"{wm.describe()}: part {i + 1} is not a Fragment"
            assert p.more_fragments == (i < len(rest) - 1)
            frag_id = int.from_bytes(p.raw[HEADER_SIZE : HEADER_SIZE + 4], "little")
            assert frag_id == msg_id, f"{wm.describe()}: Fragment for request {frag_id}"
        for p in wm.parts[:-1]:  # payloads of non-final parts keep 8-byte alignment
            assert len(p.raw) % 8 == 0, f"{wm.describe()}: non-final part of {len(p.raw)} bytes"
        assert len(wm.reassembled) == len(first.raw) + sum(len(p.raw) - 16 for p in rest)
    marks = {s.mark_of(wm.t): len(wm.parts) for wm in fragmented if wm.direction == "S2C"}
    assert marks == {"command:EchoVarDoubleArray:large": 2, "get_attribute_list": 6}
    assert [s.mark_of(wm.t) for wm in fragmented if wm.direction == "C2S"] == [
        "command:EchoVarDoubleArray:large"
    ]
    # the CodeSets service context goes with the first GIOP 1.2 request only
    contexts = [ex.request.decoded.service_contexts for ex in s.exchanges]  # type: ignore[union-attr]
    assert contexts[0] == (CODE_SETS_CONTEXT,)
    assert all(c == () for c in contexts[1:])


# -- 2. decoding ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SESSIONS)
def test_decode_all_bodies(name: str) -> None:
    s = load_session(name)
    unknown = sorted({ex.operation for ex in s.exchanges} - set(OPERATIONS))
    assert not unknown, f"operations missing from OPERATIONS: {unknown}"
    problems = [p for d in decoded(name) for p in d.problems]
    assert not problems, "\n".join(problems)
    statuses = {d.reply.status for d in decoded(name)}
    assert statuses == {ReplyStatus.NO_EXCEPTION, ReplyStatus.USER_EXCEPTION}


def _expected_operations(mark: str, action: dict[str, Any], giop12: bool) -> list[str]:
    """The GIOP operations a PyTango client issues per action (README, observed)."""
    kind = mark.split(":")[0]
    if kind == "connect":
        return (["_is_a"] if not giop12 else []) + ["_non_existent", "info"]
    if kind == "command":
        # PyTango asks command_query_2 only when it has an argument to convert
        return (["command_query_2"] if len(action["args"]) > 1 else []) + ["command_inout_4"]
    table = {
        "state": ["_get_state"],
        "status": ["_get_status"],
        "description": ["_get_description"],
        "adm_name": ["_get_adm_name"],
        "ping": ["ping"],
        "info": ["info_6"],
        "read": ["read_attributes_5"],
        "reread": ["read_attributes_5"],
        "read_attributes": ["read_attributes_5"],
        "read_attributes_failing": ["read_attributes_5"],
        "write": ["get_attribute_config_5", "write_attributes_4"],
        "write_read": ["get_attribute_config_5", "write_read_attributes_5"],
        "command_query": ["command_query_2"],
        "get_attribute_config": ["get_attribute_config_5"],
        "get_attribute_config_after_set": ["get_attribute_config_5"],
        "get_attribute_list": ["get_attribute_config_5"],
        "command_list_query": ["command_list_query_2"],
        "black_box": ["black_box"],
        "set_attribute_config": ["set_attribute_config_5"],
        "disconnect": [],
    }
    return table[kind]


@pytest.mark.parametrize("name", SESSIONS)
def test_operations_per_mark(name: str) -> None:
    s = load_session(name)
    actions = s.actions
    assert [m for _, m in s.marks][:-1] == [a["mark"] for a in s.expected["actions"]]
    assert s.marks[-1][1] == "disconnect"
    assert all(ex.t >= s.marks[0][0] for ex in s.exchanges), "traffic before the first mark"
    split = [
        ex.request.describe() for ex in s.exchanges if s.mark_of(ex.reply.t) != s.mark_of(ex.t)
    ]  # type: ignore[union-attr]
    assert not split, f"replies after the next mark: {split}"
    wrong = []
    for _, mark in s.marks:
        got = [ex.operation for ex in s.exchanges_of(mark)]
        want = _expected_operations(mark, actions.get(mark, {}), name.endswith("giop12"))
        if got != want:
            wrong.append(f"{mark}: {got} != {want}")
    assert not wrong, "\n".join(wrong)


# -- comparing our values with the capture tool's JSON ------------------------------------


def _le_bytes(arr: np.ndarray) -> bytes:
    a = np.ascontiguousarray(arr)
    if a.dtype.byteorder == ">" or (a.dtype.byteorder == "=" and not _cdr.NATIVE_LITTLE):
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.tobytes()


def compare(got: Any, exp: Any, path: str = "") -> list[str]:
    """Differences between our value and PyTango's (decoded by ``from_json``), strictly typed."""
    where = path or "value"
    if exp is None:
        return [] if got is None else [f"{where}: {got!r} != None"]
    if isinstance(exp, tuple) and len(exp) == 4 and exp[0] == "enum":
        _, cls, name, value = exp
        if not isinstance(got, enum.Enum):
            return [f"{where}: {got!r} is not an enum ({cls}.{name})"]
        if (type(got).__name__, got.name, int(got.value)) != (cls, name, value):
            return [
                f"{where}: {type(got).__name__}.{got.name}={int(got.value)} != {cls}.{name}={value}"
            ]
        return []
    if isinstance(exp, BigArray):
        if not isinstance(got, np.ndarray):
            return [f"{where}: {type(got).__name__} is not an ndarray"]
        out = []
        if str(got.dtype) != exp.dtype or got.shape != exp.shape:
            out.append(f"{where}: {got.dtype}{got.shape} != {exp.dtype}{exp.shape}")
        elif hashlib.sha256(_le_bytes(got)).hexdigest() != exp.sha256:
            out.append(
                f"{where}: sha256 differs (head {got.reshape(-1)[:5].tolist()} vs {exp.head})"
            )
        return out
    if isinstance(exp, np.ndarray):
        if not isinstance(got, np.ndarray):
            return [
                f"{where}: {type(got).__name__} {got!r} is not an ndarray ({exp.dtype}{exp.shape})"
            ]
        if got.dtype != exp.dtype or got.shape != exp.shape:
            return [f"{where}: {got.dtype}{got.shape} != {exp.dtype}{exp.shape}"]
        if not np.array_equal(got, exp, equal_nan=exp.dtype.kind == "f"):
            return [f"{where}: {got.tolist()!r} != {exp.tolist()!r}"]
        return []
    if isinstance(exp, dict) and "__devfailed__" in exp:
        return compare(got, exp["__devfailed__"], path)
    if isinstance(exp, dict) and "__struct__" in exp:
        out = []
        for key, value in exp.items():
            if key == "__struct__":
                continue
            if not hasattr(got, key):
                out.append(f"{where}.{key}: missing on {type(got).__name__}")
                continue
            out += compare(getattr(got, key), value, f"{where}.{key}")
        return out
    if isinstance(exp, dict):
        if not isinstance(got, Mapping):
            return [f"{where}: {type(got).__name__} is not a mapping"]
        if set(got) != set(exp):
            return [f"{where}: keys {sorted(got)} != {sorted(exp)}"]
        return [d for k in exp for d in compare(got[k], exp[k], f"{where}[{k!r}]")]
    if isinstance(exp, list):
        if not isinstance(got, (list, tuple)):
            return [f"{where}: {type(got).__name__} {got!r} is not a sequence"]
        if len(got) != len(exp):
            return [f"{where}: {len(got)} items != {len(exp)}: {got!r} vs {exp!r}"]
        return [d for i, (g, e) in enumerate(zip(got, exp)) for d in compare(g, e, f"{where}[{i}]")]
    if isinstance(exp, bytes):
        ok = isinstance(got, (bytes, bytearray)) and bytes(got) == exp
        return [] if ok else [f"{where}: {got!r} != {exp!r}"]
    if isinstance(exp, bool):
        ok = isinstance(got, (bool, np.bool_)) and bool(got) == exp
        return [] if ok else [f"{where}: {got!r} ({type(got).__name__}) != {exp!r}"]
    if isinstance(exp, int):
        ok = isinstance(got, int) and not isinstance(got, bool) and got == exp
        return [] if ok else [f"{where}: {got!r} ({type(got).__name__}) != {exp!r}"]
    if isinstance(exp, float):
        ok = isinstance(got, float) and (got == exp or (math.isnan(got) and math.isnan(exp)))
        return [] if ok else [f"{where}: {got!r} ({type(got).__name__}) != {exp!r}"]
    if isinstance(exp, str):
        return [] if isinstance(got, str) and got == exp else [f"{where}: {got!r} != {exp!r}"]
    return [f"{where}: cannot compare with {exp!r}"]


def flatten(value: Any) -> list[Any]:
    """Loose view of a value as a flat list of Python scalars (for what the client sent)."""
    if isinstance(value, CorbaAny):
        return flatten(value.value)
    if isinstance(value, UnionValue):
        return flatten(value.value)
    if isinstance(value, StructBase):
        return flatten(list(value._astuple()))
    if isinstance(value, BigArray):
        return [value]
    if isinstance(value, np.ndarray):
        return value.reshape(-1).tolist()
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, (list, tuple)) and not (len(value) == 4 and value[0] == "enum"):
        return [x for v in value for x in flatten(v)]
    if isinstance(value, tuple):  # a JSON enum
        return [value[3]]
    if isinstance(value, enum.Enum):
        return [int(value.value)]
    if isinstance(value, np.generic):
        return [value.item()]
    return [value]


def same_flat(got: Any, exp: Any) -> bool:
    g, e = flatten(got), flatten(exp)
    if len(e) == 1 and isinstance(e[0], BigArray):
        arr = np.asarray(g, dtype=e[0].dtype)
        return (
            arr.size == math.prod(e[0].shape)
            and hashlib.sha256(_le_bytes(arr)).hexdigest() == e[0].sha256
        )
    return len(g) == len(e) and all(
        x == y
        or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(g, e)
    )


# -- 3. semantics, per mark --------------------------------------------------------------

DEVICE_ATTRIBUTE_FIELDS = (
    "name",
    "value",
    "w_value",
    "type",
    "data_format",
    "quality",
    "time",
    "dim_x",
    "dim_y",
    "w_dim_x",
    "w_dim_y",
    "r_dimension",
    "w_dimension",
    "nb_read",
    "nb_written",
    "is_empty",
    "has_failed",
)


def _compare_device_attribute(av: Any, exp: dict[str, Any], where: str) -> list[str]:
    da = attribute_value_to_device_attribute(av)
    return [
        d for f in DEVICE_ATTRIBUTE_FIELDS for d in compare(getattr(da, f), exp[f], f"{where}.{f}")
    ]


def _only(ds: list[Decoded], op: str) -> Decoded:
    found = [d for d in ds if d.exchange.operation == op]
    assert len(found) == 1, f"expected one {op}, got {[d.exchange.operation for d in ds]}"
    assert not found[0].problems, found[0].problems
    return found[0]


def _check_wire_errors(errors: list[Any], action: dict[str, Any]) -> list[str]:
    """The wire's DevError stack is PyTango's minus the one error its client appended."""
    exp = from_json(action["error"])["__devfailed__"]
    added = CLIENT_ADDED_REASON[action["action"]]
    out = []
    if exp[-1]["reason"] != added:
        out.append(f"PyTango's last error is {exp[-1]['reason']}, not {added}")
    return out + compare(list(errors), exp[:-1], "errors")


def check_read(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "read_attributes_5")
    names, _source, _client = d.args  # type: ignore[misc]
    exp_names = action["args"][0] if action["action"] == "read_attributes" else [action["args"][0]]
    out = compare(list(names), exp_names, "request names")
    assert d.exception is None
    if "error" in action:
        (av,) = d.result
        da = attribute_value_to_device_attribute(av)
        if not da.has_failed:
            out.append("DeviceAttribute.has_failed is False for a failed read")
        return out + _check_wire_errors(av.err_list, action)
    exp = from_json(action["result"])
    exps = exp if isinstance(exp, list) else [exp]
    if len(d.result) != len(exps):
        return out + [f"{len(d.result)} AttributeValue_5 != {len(exps)} expected"]
    for i, (av, e) in enumerate(zip(d.result, exps)):
        out += _compare_device_attribute(av, e, f"[{i}]")
    return out


def check_write(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    conf = _only(ds, "get_attribute_config_5")
    out = compare(conf.args[0], [action["args"][0]], "get_attribute_config_5 names")  # type: ignore[index]
    d = _only(ds, "write_attributes_4")
    values, _client = d.args  # type: ignore[misc]
    (av4,) = values
    out += compare(av4.name, action["args"][0], "written name")
    if not same_flat(av4.value, from_json(action["args"][1])):
        out.append(f"written value {flatten(av4.value)} != {flatten(from_json(action['args'][1]))}")
    if d.exception is not None or d.result is not None:
        out.append(f"write reply: {d.exception or d.result!r}")
    return out


def check_write_read(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    _only(ds, "get_attribute_config_5")
    d = _only(ds, "write_read_attributes_5")
    values, r_names, _client = d.args  # type: ignore[misc]
    out = compare(list(r_names), [action["args"][0]], "r_names")
    if not same_flat(values[0].value, from_json(action["args"][1])):
        out.append(f"written value {flatten(values[0].value)} != {action['args'][1]}")
    (av,) = d.result
    return out + _compare_device_attribute(av, from_json(action["result"]), "")


def check_command(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "command_inout_4")
    cmd_name, argin, _source, _client = d.args  # type: ignore[misc]
    out = compare(cmd_name, action["args"][0], "command name")
    out_type = None
    if len(action["args"]) > 1:
        q = _only(ds, "command_query_2")
        out += compare(q.result.cmd_name, action["args"][0], "queried command")
        out_type = CmdArgType(q.result.out_type)
        if not same_flat(argin, from_json(action["args"][1])):
            out.append(f"argin {flatten(argin)} != {flatten(from_json(action['args'][1]))}")
    elif argin.value is not None:
        out.append(f"argin {argin!r} for a command called without argument")
    if "error" in action:
        if d.exception is None:
            return out + ["no DevFailed on the wire"]
        return out + _check_wire_errors(d.exception[1], action)
    if d.exception is not None:
        return out + [f"unexpected DevFailed {d.exception}"]
    return out + compare(any_to_python(d.result, out_type), from_json(action["result"]), "result")


def check_command_query(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "command_query_2")
    return compare(d.args[0], action["args"][0], "query") + compare(  # type: ignore[index]
        cmd_info_from_idl(d.result), from_json(action["result"]), "CommandInfo"
    )


def check_attribute_config(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "get_attribute_config_5")
    out = compare(list(d.args[0]), [action["args"][0]], "names")  # type: ignore[index]
    (conf,) = d.result
    return out + compare(config5_to_info(conf), from_json(action["result"]), "AttributeInfoEx")


def check_set_attribute_config(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "set_attribute_config_5")
    new_conf, _client = d.args  # type: ignore[misc]
    (conf,) = new_conf
    return compare(config5_to_info(conf), from_json(action["args"][0]), "sent AttributeInfoEx")


def check_attribute_list(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "get_attribute_config_5")
    return compare(list(d.args[0]), ["All attributes_3"], "names") + compare(  # type: ignore[index]
        [c.name for c in d.result], action["result"], "attribute names"
    )


def _simple(op: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable[..., list[str]]:
    def check(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
        d = _only(ds, op)
        return compare(convert(d.result), from_json(action["result"]), op)

    return check


def check_adm_name(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    # PyTango prefixes the wire name with tango://host:port/ (and #dbase=no) when it has no DB
    d = _only(ds, "_get_adm_name")
    full = action["result"]
    ok = full == d.result or (full.startswith("tango://") and f"/{d.result}" in full)
    return [] if ok else [f"adm name {d.result!r} vs {full!r}"]


def check_connect(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    out = []
    for d in ds:
        if d.exchange.operation == "_is_a":
            out += compare(d.args, ["IDL:Tango/Device_6:1.0"], "_is_a") + compare(
                d.result, True, "_is_a"
            )
    out += compare(_only(ds, "_non_existent").result, False, "_non_existent")
    info = _only(ds, "info").result
    return out + compare(info.dev_class, "TypeDev", "info.dev_class")


def check_ping(ds: list[Decoded], action: dict[str, Any]) -> list[str]:
    d = _only(ds, "ping")
    return compare(d.args, [], "ping args") + compare(d.result, None, "ping result")


CHECKS: dict[str, Callable[[list[Decoded], dict[str, Any]], list[str]]] = {
    "connect": check_connect,
    "state": _simple("_get_state"),
    "status": _simple("_get_status"),
    "description": _simple("_get_description"),
    "adm_name": check_adm_name,
    "ping": check_ping,
    "info": _simple("info_6", device_info_from_idl),
    "read": check_read,
    "reread": check_read,
    "read_attributes": check_read,
    "read_attributes_failing": check_read,
    "write": check_write,
    "write_read": check_write_read,
    "command": check_command,
    "command_query": check_command_query,
    "get_attribute_config": check_attribute_config,
    "get_attribute_config_after_set": check_attribute_config,
    "get_attribute_list": check_attribute_list,
    "black_box": lambda ds, a: compare(_only(ds, "black_box").result, a["result"], "black_box"),
    "set_attribute_config": check_set_attribute_config,
}

# Known bugs, by (session or "*", mark): reason.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _mark_params() -> list[Any]:
    params = []
    for name in SESSIONS:
        for _, mark in read_marks(name):
            kind = mark.split(":")[0]
            if kind not in CHECKS:
                continue  # command_list_query (PyTango's JSON holds nothing), disconnect
            reason = KNOWN_BUGS.get((name, mark)) or KNOWN_BUGS.get(("*", mark))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(name, mark, id=f"{name}-{mark}", marks=marks))
    return params


@pytest.mark.parametrize(("name", "mark"), _mark_params())
def test_mark_semantics(name: str, mark: str) -> None:
    action = load_session(name).actions[mark]
    ds = decoded_of(name, mark)
    diffs = CHECKS[mark.split(":")[0]](ds, action)
    assert not diffs, f"{name} {mark}:\n" + "\n".join(diffs)


# -- 4. re-encoding ----------------------------------------------------------------------


def encode_with_padding_mask(msg: Any, minor: int, little: bool) -> tuple[bytes, np.ndarray]:
    """Encode ``msg`` and find which bytes are alignment padding.

    The message is encoded twice, padding filled with 0x00 then 0xff (``_cdr._ZEROS`` is
    what every ``align`` and aligned primitive write pads with, nested encapsulations
    included); the bytes that differ are padding. The TypeCode bytes kept from earlier
    encodings are dropped before each, so that their padding is written afresh.
    """
    saved = _cdr._ZEROS
    try:
        _cdr._ZEROS = b"\x00" * 8
        _typecode._PARAMS_WIRE.clear()
        zeros = bytes(encode_message(msg, minor, little))
        _cdr._ZEROS = b"\xff" * 8
        _typecode._PARAMS_WIRE.clear()
        ones = bytes(encode_message(msg, minor, little))
    finally:
        _cdr._ZEROS = saved
        _typecode._PARAMS_WIRE.clear()
    assert len(zeros) == len(ones)
    pad = np.frombuffer(zeros, np.uint8) != np.frombuffer(ones, np.uint8)
    return zeros, pad


def _writer(d: Decoded, request: bool) -> Callable[[Any], None]:
    op = OPERATIONS[d.exchange.operation]
    if request:
        return lambda enc: op.write_args(enc, d.args)  # type: ignore[arg-type]
    if d.exception is not None:
        repo_id, errors = d.exception

        def write_exc(enc: Any) -> None:
            enc.write_string(repo_id)
            types.DevErrorList.write(enc, errors)

        return write_exc
    return lambda enc: op.result.write(enc, d.result)


def reencode_diffs(
    wm: WireMessage, msg: Any, writer: Callable[[Any], None]
) -> tuple[list[str], int]:
    """Differences between the captured message and our re-encoding; and the garbage count."""
    ours, pad = encode_with_padding_mask(replace(msg, body=writer), wm.minor, wm.little)
    raw = wm.reassembled
    where = wm.describe()
    if len(ours) != len(raw):
        return [f"{where}: re-encoded to {len(ours)} bytes, captured {len(raw)}"], 0
    out = []
    flags_mask = 0xFF & ~0x02 if wm.fragmented else 0xFF
    if ours[:6] != raw[:6] or ours[7] != raw[7] or ours[6] != raw[6] & flags_mask:
        out.append(f"{where}: header {ours[:8].hex()} != {raw[:8].hex()}")
    if wm.fragmented:
        size = int.from_bytes(ours[8:12], "little" if wm.little else "big")
        if size != len(raw) - HEADER_SIZE:
            out.append(f"{where}: merged size {size} != {len(raw) - HEADER_SIZE}")
    elif ours[8:12] != raw[8:12]:
        out.append(f"{where}: size {ours[8:12].hex()} != {raw[8:12].hex()}")
    a, b = np.frombuffer(ours, np.uint8), np.frombuffer(raw, np.uint8)
    if pad[:HEADER_SIZE].any():
        out.append(f"{where}: padding inside the GIOP header")
    differ = np.nonzero((a != b) & ~pad)[0]
    differ = differ[differ >= HEADER_SIZE]
    if differ.size:
        i = int(differ[0])
        out.append(
            f"{where}: {differ.size} bytes differ, first at message offset {i}: "
            f"ours ...{ours[max(i - 8, 0) : i + 8].hex()} "
            f"captured ...{raw[max(i - 8, 0) : i + 8].hex()}"
        )
    garbage = int(np.count_nonzero(pad & (b != 0)))
    return out, garbage


@pytest.mark.parametrize("name", SESSIONS)
def test_reencode(name: str) -> None:
    diffs: list[str] = []
    garbage = total = 0
    for d in decoded(name):
        assert not d.problems, d.problems
        ex = d.exchange
        pairs = [(ex.request, d.request, _writer(d, True))]
        if ex.reply is not None:
            pairs.append((ex.reply, d.reply, _writer(d, False)))
        for wm, msg, writer in pairs:
            out, g = reencode_diffs(wm, msg, writer)
            diffs += out
            garbage += g
            total += len(wm.reassembled)
    assert not diffs, "\n".join(diffs[:20])
    assert total > 0
    if EXPECTED_MINOR[name] == 0:
        # omniORB's GIOP 1.0 request headers carry garbage in their padding: the mask matters
        assert garbage > 0


def test_padding_mask_is_padding_only() -> None:
    """The mask of the first captured message is exactly its padding (where omniORB left
    garbage)."""
    s = load_session("typedev_client")
    first = s.exchanges[0].request
    msg = first.decoded
    assert isinstance(msg, Request) and msg.operation == "_is_a"
    op = OPERATIONS["_is_a"]
    ours, pad = encode_with_padding_mask(
        replace(msg, body=lambda enc: op.write_args(enc, ["IDL:Tango/Device_6:1.0"])), 0, True
    )
    # after response_expected (3), after the object key (1), after the operation name (2)
    assert np.nonzero(pad)[0].tolist() == [21, 22, 23, 39, 50, 51]
    raw = first.reassembled
    assert raw[21:24] + raw[39:40] + raw[50:52] == b"daeulo"  # omniORB's garbage
    assert ours[21:24] + ours[39:40] + ours[50:52] == bytes(6)
    keep = ~pad
    assert bytes(np.frombuffer(ours, np.uint8)[keep]) == bytes(np.frombuffer(raw, np.uint8)[keep])
    assert _cdr._ZEROS == bytes(8)
