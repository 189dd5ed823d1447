"""Pipes of our TangoTest held against the C++ TangoTest of cppTango 9.3, both read by
puretango's client (PyTango 10 has no pipes): the pipe list and configurations, the values,
the errors, and the very bytes of the ``read_pipe_5`` replies (time stamp aside); then our
client against the C++ pipe, and our ``generic_blob_rw`` (which the 9.3 device lacks)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from peers.launch import HOST, TANGOTEST_DEVICE, TangoTestServer

import puretango as tango
from puretango.giop import HEADER_SIZE, Request, decode_message, encode_message, parse_header
from puretango.idl import OPERATIONS, UnionValue
from puretango.idl._enums import CmdArgType, LockerLanguage

#: pipes the newer TangoTest (ours follows it) adds to the 9.3 one
ADDED_PIPES = {"generic_blob_rw"}
_C = CmdArgType


@pytest.fixture(scope="module")
def our_tangotest() -> Iterator[str]:
    with TangoTestServer(instance="pipes") as server:
        yield server.trl(TANGOTEST_DEVICE)


def _fields(info: Any) -> tuple[Any, ...]:
    return tuple(getattr(info, f) for f in info.__slots__)


def _errors(call: Any, proxy: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(tango.DevFailed) as caught:
        call(proxy)
    return [(e.reason, e.desc, e.origin) for e in caught.value.args]


def test_pipe_list_and_configs_match_cpp(our_tangotest: str, cpp_tangotest: str) -> None:
    ours, cpp = tango.DeviceProxy(our_tangotest), tango.DeviceProxy(cpp_tangotest)
    assert cpp.get_pipe_list() == ["string_long_short_ro"]
    assert set(ours.get_pipe_list()) - set(cpp.get_pipe_list()) == ADDED_PIPES
    for name in cpp.get_pipe_list():
        assert _fields(ours.get_pipe_config(name)) == _fields(cpp.get_pipe_config(name))
    assert [_fields(i) for i in cpp.pipe_list_query()] == [
        _fields(i) for i in ours.pipe_list_query() if i.name not in ADDED_PIPES
    ]


def test_reads_match_cpp(our_tangotest: str, cpp_tangotest: str) -> None:
    ours, cpp = tango.DeviceProxy(our_tangotest), tango.DeviceProxy(cpp_tangotest)
    value = cpp.read_pipe("string_long_short_ro")
    assert value == (
        "",
        [
            {"name": "FirstDE", "dtype": _C.DevString, "value": "The string"},
            {"name": "SecondDE", "dtype": _C.DevLong, "value": 666},
            {"name": "ThirdDE", "dtype": _C.DevShort, "value": 12},
        ],
    )
    assert ours.read_pipe("STRING_LONG_SHORT_RO") == value
    assert cpp.string_long_short_ro == value  # a member of the proxy, as in PyTango 9


def test_errors_match_cpp(our_tangotest: str, cpp_tangotest: str) -> None:
    ours, cpp = tango.DeviceProxy(our_tangotest), tango.DeviceProxy(cpp_tangotest)
    blob = ("b", {"x": 1})
    for call in (
        lambda p: p.write_pipe("string_long_short_ro", blob),
        lambda p: p.read_pipe("no_such_pipe"),
        lambda p: p.write_pipe("no_such_pipe", blob),
        lambda p: p.get_pipe_config(["string_long_short_ro", "no_such_pipe"]),
    ):
        assert _errors(call, ours) == _errors(call, cpp)


def _read_pipe_reply_body(trl_port: int, pipe_name: str) -> Any:
    """The body of the Reply to a read_pipe_5 sent on a fresh connection."""
    op = OPERATIONS["read_pipe_5"]
    ident = UnionValue(LockerLanguage.CPP, os.getpid())
    request = Request(
        request_id=1,
        object_key=TANGOTEST_DEVICE.encode(),
        operation="read_pipe_5",
        body=lambda enc: op.write_args(enc, [pipe_name, ident]),
    )
    with socket.create_connection((HOST, trl_port), timeout=10) as sock:
        sock.sendall(bytes(encode_message(request, 2, True)))
        raw = b""
        while len(raw) < HEADER_SIZE or len(raw) < HEADER_SIZE + parse_header(raw).size:
            chunk = sock.recv(65536)
            assert chunk, "connection closed before the reply"
            raw += chunk
    return decode_message(raw).body


def _port(trl: str) -> int:
    return int(trl.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def _without_time(body: Any) -> bytes:
    """The body's bytes with DevPipeData's TimeVal zeroed (it follows the pipe name)."""
    dec = body.decoder()
    dec.read_string()
    dec.align(4)
    data = bytearray(body.data)
    data[dec.pos : dec.pos + 12] = bytes(12)
    return bytes(data)


def test_read_pipe_reply_bytes_match_cpp(our_tangotest: str, cpp_tangotest: str) -> None:
    ours = _read_pipe_reply_body(_port(our_tangotest), "string_long_short_ro")
    cpp = _read_pipe_reply_body(_port(cpp_tangotest), "string_long_short_ro")
    assert (ours.offset % 8, ours.little) == (cpp.offset % 8, cpp.little)
    assert _without_time(ours) == _without_time(cpp)
    assert len(cpp.data) > 100  # the three elements are there


def test_generic_blob_rw_echoes_what_was_written(our_tangotest: str) -> None:
    proxy = tango.DeviceProxy(our_tangotest)
    info = proxy.get_pipe_config("generic_blob_rw")
    assert (info.writable, info.description) == (
        tango.PipeWriteType.PIPE_READ_WRITE,
        "Pipe to write and read dynamic data structure",
    )
    assert proxy.read_pipe("generic_blob_rw") == (
        "",
        [{"name": "NO BLOB", "dtype": _C.DevLong, "value": 0}],
    )
    sent = (
        "mine",
        [
            {"name": "n", "value": 7, "dtype": _C.DevUShort},
            {"name": "a", "value": np.array([1.0, 2.0], np.float32)},
            {"name": "sub", "value": ("inner", {"s": ["x", "y"], "on": tango.DevState.ON})},
        ],
    )
    proxy.write_pipe("generic_blob_rw", sent)
    name, data = proxy.read_pipe("generic_blob_rw")
    assert name == "mine"
    assert [(e["name"], e["dtype"]) for e in data] == [
        ("n", _C.DevUShort),
        ("a", _C.DevVarFloatArray),
        ("sub", _C.DevPipeBlob),
    ]
    assert data[1]["value"].dtype == np.float32 and list(data[1]["value"]) == [1.0, 2.0]
    assert data[2]["value"] == (
        "inner",
        [
            {"name": "s", "dtype": _C.DevVarStringArray, "value": ["x", "y"]},
            {"name": "on", "dtype": _C.DevState, "value": tango.DevState.ON},
        ],
    )
