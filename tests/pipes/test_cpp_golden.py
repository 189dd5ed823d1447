"""The pipe replies of the C++ TangoTest of cppTango 9.3, captured once
(``cpp_replies.json``; ``tests/cpptangotest/test_pipes_vs_cpp.py`` compares live): our IDL
decodes them whole, our client's conversion gives PyTango 9's values, and encoding what our
TangoTest's pipe returns gives the very same bytes (no peer needed)."""

from __future__ import annotations

import json
from pathlib import Path

from puretango._pipevalues import blob_to_python, python_to_blob
from puretango.client._proxy_pipe import PipeInfo
from puretango.giop import Body, Reply, ReplyStatus, decode_message, encode_message
from puretango.idl import OPERATIONS
from puretango.idl._enums import CmdArgType, DispLevel, PipeWriteType
from puretango.idl._pipes import DevPipeBlob, DevPipeData
from puretango.tangotest import TangoTest

REPLIES = json.loads((Path(__file__).resolve().parent / "cpp_replies.json").read_text())


def _reply(operation: str) -> tuple[bytes, object]:
    raw = bytes.fromhex(REPLIES[operation])
    reply = decode_message(raw)
    assert isinstance(reply, Reply) and reply.status is ReplyStatus.NO_EXCEPTION
    dec = reply.body.decoder()
    result = OPERATIONS[operation].result.read(dec)
    assert dec.at_end()
    return raw, result


def _encoded(operation: str, result: object) -> bytes:
    body = Body.build(lambda enc: OPERATIONS[operation].result.write(enc, result), True, 24)
    return bytes(encode_message(Reply(request_id=1, body=body), 2, True))


def test_the_read_pipe_reply_decodes_to_pytango_9_values() -> None:
    raw, data = _reply("read_pipe_5")
    assert data.name == "string_long_short_ro" and data.data_blob.name == ""
    assert [e.inner_blob_name for e in data.data_blob.blob_data] == ["Scalar"] * 3
    assert blob_to_python(data.data_blob.name, data.data_blob.blob_data) == (
        "",
        [
            {"name": "FirstDE", "dtype": CmdArgType.DevString, "value": "The string"},
            {"name": "SecondDE", "dtype": CmdArgType.DevLong, "value": 666},
            {"name": "ThirdDE", "dtype": CmdArgType.DevShort, "value": 12},
        ],
    )
    assert _encoded("read_pipe_5", data) == raw


def test_our_tangotest_pipe_encodes_to_the_cpp_bytes() -> None:
    raw, data = _reply("read_pipe_5")
    value = TangoTest.read_string_long_short_ro(None)  # the method uses no device state
    blob_name, elements = python_to_blob(value)
    ours = DevPipeData(
        name=data.name, time=data.time, data_blob=DevPipeBlob(name=blob_name, blob_data=elements)
    )
    assert _encoded("read_pipe_5", ours) == raw


def test_the_pipe_config_reply() -> None:
    raw, configs = _reply("get_pipe_config_5")
    info = PipeInfo.from_idl(configs[0])
    assert (info.name, info.description, info.label, info.disp_level, info.writable) == (
        "string_long_short_ro",
        "Pipe example",
        "string_long_short_ro",
        DispLevel.OPERATOR,
        PipeWriteType.PIPE_READ,
    )
    assert _encoded("get_pipe_config_5", [info.to_idl()]) == raw
