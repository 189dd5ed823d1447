"""Every client operation of the engine, without a server: milliseconds, no sockets.

The ``_g_*`` operations of ``DeviceProxy`` and ``AttributeProxy`` run under ``run_sync``
with a scripted transport. :class:`ScriptedServer` records each :class:`Call` and answers
it with a GIOP Reply encoded from a scripted value (or a ``DevFailed``, ``MultiDevFailed``
or CORBA system exception reply), or raises a scripted failure (a timeout, a dropped
connection). The retry-once rule (``invoke_retrying``) and reply decoding
(``reply_result``) are the real ones, so the requests each operation yields and the
mapping of every failure to its ``DevFailed`` are checked end to end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from puretango import (
    AttrDataFormat,
    AttributeInfoEx,
    AttributeProxy,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    CommunicationFailed,
    ConnectionFailed,
    DevFailed,
    DeviceProxy,
    DevSource,
    DevState,
    NonSupportedFeature,
)
from puretango._pipevalues import python_to_blob
from puretango._pyvalues import argin_to_any
from puretango.client._channel import ConnectionDropped, invoke_retrying
from puretango.client._engine import Call, run_sync, timeout_error
from puretango.giop import Body, CdrEncoder, Reply, ReplyStatus, SystemException
from puretango.idl import DEVICE_REPO_IDS, AttributeDataType, UnionValue
from puretango.idl import types as t
from puretango.idl._enums import LockerLanguage
from puretango.idl._pipes import DevPipeBlob, DevPipeData

TRL = "tango://127.0.0.1:10000/test/dev/1#dbase=no"
KEY = b"test/dev/1"
IDL_OF_REPO_ID = dict(zip(DEVICE_REPO_IDS, (6, 5, 4, 3, 2, 1)))


# -- the scripted transport --------------------------------------------------------------


def _reply(status: ReplyStatus, write: Callable[[CdrEncoder], None]) -> Reply:
    enc = CdrEncoder(True, 0)
    write(enc)
    return Reply(request_id=2, status=status, body=Body(bytes(enc.buf), 0, True))


def dev_failed(*reasons: str) -> Reply:
    """A reply carrying ``DevFailed`` with one DevError per reason."""
    errors = [t.DevError(reason=r, severity=0, desc=f"{r} happened", origin="srv") for r in reasons]

    def write(enc: CdrEncoder) -> None:
        enc.write_string(t.DevFailed.repo_id)
        t.DevErrorList.write(enc, errors)

    return _reply(ReplyStatus.USER_EXCEPTION, write)


def multi_dev_failed(name: str, reason: str) -> Reply:
    named = [
        t.NamedDevError(
            name=name,
            index_in_call=0,
            err_list=[t.DevError(reason=reason, severity=0, desc="bad", origin="srv")],
        )
    ]

    def write(enc: CdrEncoder) -> None:
        enc.write_string(t.MultiDevFailed.repo_id)
        t.MultiDevFailed.fields[0][1].write(enc, named)

    return _reply(ReplyStatus.USER_EXCEPTION, write)


def system_exception(name: str) -> Reply:
    return _reply(ReplyStatus.SYSTEM_EXCEPTION, SystemException(name).encode_into)


def _cmd(name: str, in_type: CmdArgType, out_type: CmdArgType) -> Any:
    return t.DevCmdInfo_2(cmd_name=name, cmd_tag=0, in_type=int(in_type), out_type=int(out_type))


def _config(name: str, data_type: CmdArgType = CmdArgType.DevDouble, **kw: Any) -> Any:
    kw.setdefault("writable", AttrWriteType.READ_WRITE)
    kw.setdefault("data_format", AttrDataFormat.SCALAR)
    return t.AttributeConfig_5(name=name, data_type=int(data_type), max_dim_x=1, **kw)


def _value(name: str, *numbers: float, errors: tuple[str, ...] = ()) -> Any:
    err_list = [t.DevError(reason=r, severity=0, desc=r, origin="srv") for r in errors]
    union = (
        UnionValue(AttributeDataType.ATT_NO_DATA, False)
        if errors
        else UnionValue(AttributeDataType.ATT_DOUBLE, np.array(numbers, dtype=np.float64))
    )
    return t.AttributeValue_5(
        value=union,
        quality=AttrQuality.ATTR_INVALID if errors else AttrQuality.ATTR_VALID,
        data_format=AttrDataFormat.SCALAR,
        data_type=int(CmdArgType.DevDouble),
        name=name,
        r_dim=t.AttributeDim(dim_x=0 if errors else 1, dim_y=0),
        w_dim=t.AttributeDim(dim_x=1 if len(numbers) > 1 else 0, dim_y=0),
        err_list=err_list,
    )


def _enum_value(name: str, index: int) -> Any:
    return t.AttributeValue_5(
        value=UnionValue(AttributeDataType.ATT_SHORT, np.array([index], dtype=np.int16)),
        quality=AttrQuality.ATTR_VALID,
        data_format=AttrDataFormat.SCALAR,
        data_type=int(CmdArgType.DevEnum),
        name=name,
        r_dim=t.AttributeDim(dim_x=1, dim_y=0),
        w_dim=t.AttributeDim(dim_x=0, dim_y=0),
    )


class ScriptedServer:
    """Answers calls by operation name; records every call."""

    def __init__(self, idl: int = 6) -> None:
        self.idl = idl
        self.calls: list[Call] = []
        #: raised, in order, by the next roundtrips (before any answer)
        self.failures: list[BaseException] = []
        self.answers: dict[str, Any] = {
            "_is_a": lambda call: IDL_OF_REPO_ID[call.args[0]] == self.idl,
            "_non_existent": False,
            "info": t.DevInfo(dev_class="Scripted", server_version=self.idl),
            "info_3": t.DevInfo_3(dev_class="Scripted", server_version=self.idl),
            "info_6": t.DevInfo_6(dev_class="Scripted", server_version=self.idl),
            "_get_state": DevState.ON,
            "_get_status": "The device is in ON state.",
            "_get_description": "A scripted device",
            "_get_adm_name": "dserver/scripted/1",
            "ping": None,
            "black_box": ["one", "two"],
        }
        for name in ("command_query_2", "command_query"):
            self.answers[name] = lambda call: _cmd(
                call.args[0], CmdArgType.DevDouble, CmdArgType.DevDouble
            )
        for name in ("command_list_query_2", "command_list_query"):
            self.answers[name] = [
                _cmd("Cmd", CmdArgType.DevDouble, CmdArgType.DevDouble),
                _cmd("Init", CmdArgType.DevVoid, CmdArgType.DevVoid),
            ]
        for name in ("command_inout_4", "command_inout_2", "command_inout"):
            self.answers[name] = lambda call: argin_to_any(
                2 * call.args[1].value, CmdArgType.DevDouble
            )
        for name in ("get_attribute_config_5", "get_attribute_config_3"):
            self.answers[name] = lambda call: [
                _config("scalar" if n == "All attributes_3" else n) for n in call.args[0]
            ]
        for name in ("read_attributes_5", "read_attributes_4"):
            self.answers[name] = lambda call: [_value(n, 1.5, 2.5) for n in call.args[0]]
        self.answers["write_attributes_4"] = None
        self.answers["set_attribute_config_5"] = None
        self.answers["write_read_attributes_5"] = lambda call: [
            _value(n, 3.5, 3.5) for n in call.args[1]
        ]

    def roundtrip(self, call: Call) -> Reply:
        self.calls.append(call)
        if self.failures:
            raise self.failures.pop(0)
        answer = self.answers[call.operation.name]
        if callable(answer):
            answer = answer(call)
        if isinstance(answer, Reply):
            return answer
        return _reply(
            ReplyStatus.NO_EXCEPTION, lambda enc: call.operation.result.write(enc, answer)
        )

    def invoke(self, call: Call, read: Any = None) -> Any:
        """``_sync.invoke``'s stand-in: ``read`` (a fast reader) is left to the generic path."""
        return invoke_retrying(self.roundtrip, call)

    def run(self, op: Any) -> Any:
        return run_sync(op, self.invoke)

    def operations(self) -> list[str]:
        return [c.operation.name for c in self.calls]


def connected(idl: int = 6) -> tuple[DeviceProxy, ScriptedServer]:
    server = ScriptedServer(idl)
    proxy = DeviceProxy(TRL, _connect=False)
    assert server.run(proxy._g_init()) is proxy
    server.calls.clear()
    return proxy, server


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> tuple[DeviceProxy, ScriptedServer]:
    """A connected IDL 6 proxy whose synchronous methods also use the scripted server."""
    proxy, server = connected()
    monkeypatch.setattr("puretango.client._sync.invoke", server.invoke)
    return proxy, server


# -- connecting --------------------------------------------------------------------------


@pytest.mark.parametrize("idl", [6, 5, 4, 3, 2, 1])
def test_connect_finds_the_idl_version(idl):
    server = ScriptedServer(idl)
    proxy = DeviceProxy(TRL, _connect=False)
    server.run(proxy._g_connect())
    ops = server.operations()
    assert ops == ["_is_a"] * (7 - idl) + ["_non_existent", "info"]
    assert [c.args[0] for c in server.calls[: 7 - idl]] == list(DEVICE_REPO_IDS[: 7 - idl])
    for call in server.calls:
        assert (call.host, call.port, call.object_key) == ("127.0.0.1", 10000, KEY)
        assert call.timeout == 3.0 and call.device == "test/dev/1"
    assert proxy.get_idl_version() == idl
    language = LockerLanguage.CPP_6 if idl >= 6 else LockerLanguage.CPP
    assert proxy._ident.disc == language


def test_connect_to_something_that_is_not_a_device():
    server = ScriptedServer()
    server.answers["_is_a"] = False
    with pytest.raises(DevFailed) as info:
        server.run(DeviceProxy(TRL, _connect=False)._g_connect())
    assert info.value.args[0].reason == "API_CantConnectToDevice"
    assert server.operations() == ["_is_a"] * 6


def test_timeout_of_a_call_follows_the_proxy():
    proxy, server = connected()
    proxy.set_timeout_millis(250)
    server.run(proxy._g_state())
    assert server.calls[0].timeout == 0.25


# -- simple calls ----------------------------------------------------------------------------


def test_state_status_ping():
    proxy, server = connected()
    assert server.run(proxy._g_state()) is DevState.ON
    assert server.run(proxy._g_status()) == "The device is in ON state."
    assert server.run(proxy._g_ping()) >= 0
    assert server.operations() == ["_get_state", "_get_status", "ping"]
    assert all(c.args == () and c.cache_key == () for c in server.calls)


def test_synchronous_only_methods(scripted):
    proxy, server = scripted
    assert proxy.description() == "A scripted device"
    assert proxy.adm_name() == "tango://127.0.0.1:10000/dserver/scripted/1#dbase=no"
    assert proxy.info().dev_class == "Scripted"
    assert proxy.black_box(2) == ["one", "two"]
    assert server.operations() == ["_get_description", "_get_adm_name", "info_6", "black_box"]
    assert server.calls[-1].args == (2,)


# -- commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("idl", "query", "inout"),
    [(6, "command_query_2", "command_inout_4"), (2, "command_query_2", "command_inout_2")],
)
def test_command_inout(idl, query, inout):
    proxy, server = connected(idl)
    assert server.run(proxy._g_command_inout("Cmd", 1.25)) == 2.5
    assert server.run(proxy._g_command_inout("Cmd", 2.0)) == 4.0  # the query is cached
    assert server.operations() == [query, inout, inout]
    call = server.calls[1]
    assert call.args[0] == "Cmd" and call.args[1].value == 1.25
    if idl >= 4:
        assert call.args[2:] == (DevSource.CACHE_DEV, proxy._ident)
    assert call.cache_key is None  # the body changes with the argument


def test_command_inout_on_idl_1():
    proxy, server = connected(1)
    assert server.run(proxy._g_command_inout("Cmd", 1.0)) == 2.0
    assert server.operations() == ["command_query", "command_inout"]


def test_command_failure_adds_the_client_error():
    proxy, server = connected()
    server.answers["command_inout_4"] = dev_failed("DeviceBroken")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_command_inout("Cmd", 1.0))
    assert [e.reason for e in info.value.args] == ["DeviceBroken", "API_CommandFailed"]
    assert type(info.value) is DevFailed


def test_unknown_command():
    proxy, server = connected()
    server.answers["command_query_2"] = dev_failed("API_CommandNotFound")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_command_inout("Nope"))
    assert [e.reason for e in info.value.args] == ["API_CommandNotFound", "API_CommandFailed"]


def test_command_timeout_is_not_wrapped():
    proxy, server = connected()
    server.run(proxy._g_command_info("Cmd"))
    server.answers["command_inout_4"] = lambda call: (_ for _ in ()).throw(timeout_error(call))
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_command_inout("Cmd", 1.0))
    assert info.value.args[-1].reason == "API_DeviceTimedOut"


def test_command_list_and_config():
    proxy, server = connected()
    names = [c.cmd_name for c in server.run(proxy._g_command_list())]
    assert names == ["Cmd", "Init"]
    assert (
        server.run(proxy._g_command_config()) and server.operations()[-1] == "command_list_query_2"
    )
    server.calls.clear()
    assert server.run(proxy._g_command_config("Cmd")).cmd_name == "Cmd"
    assert [c.cmd_name for c in server.run(proxy._g_command_config(["Cmd", "Init"]))] == [
        "Cmd",
        "Init",
    ]
    assert server.calls == []  # filled by the list query


def test_command_list_on_idl_1():
    proxy, server = connected(1)
    server.run(proxy._g_command_list())
    assert server.operations() == ["command_list_query"]


# -- attribute configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("idl", "operation"), [(6, "get_attribute_config_5"), (3, "get_attribute_config_3")]
)
def test_attribute_config(idl, operation):
    proxy, server = connected(idl)
    info = server.run(proxy._g_get_attribute_config("scalar"))
    assert isinstance(info, AttributeInfoEx) and info.name == "scalar"
    infos = server.run(proxy._g_get_attribute_config(["a", "b"]))
    assert [i.name for i in infos] == ["a", "b"]
    assert [i.name for i in server.run(proxy._g_get_attribute_config_ex("c"))] == ["c"]
    assert server.operations() == [operation] * 3
    assert [c.args[0] for c in server.calls] == [["scalar"], ["a", "b"], ["c"]]
    assert server.run(proxy._g_attr_info("SCALAR")).name == "scalar"  # cached
    assert len(server.calls) == 3


def test_attribute_config_needs_idl_3():
    proxy, server = connected(2)
    with pytest.raises(NonSupportedFeature):
        server.run(proxy._g_get_attribute_config("scalar"))
    assert server.calls == []


def test_set_attribute_config():
    proxy, server = connected()
    info = server.run(proxy._g_get_attribute_config("scalar"))
    server.run(proxy._g_set_attribute_config(info))
    call = server.calls[-1]
    assert call.operation.name == "set_attribute_config_5"
    assert [c.name for c in call.args[0]] == ["scalar"] and call.args[1] == proxy._ident
    assert "scalar" not in proxy._attr_cache  # forgotten after a change
    proxy_4, server_4 = connected(4)
    with pytest.raises(NonSupportedFeature):
        server_4.run(proxy_4._g_set_attribute_config(info))


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("idl", "operation"), [(6, "read_attributes_5"), (4, "read_attributes_4")])
def test_read_attribute(idl, operation):
    proxy, server = connected(idl)
    da = server.run(proxy._g_read_attribute("scalar"))
    assert (da.name, da.value, da.w_value) == ("scalar", 1.5, 2.5)
    values = server.run(proxy._g_read_attributes(["a", "b"]))
    assert [v.name for v in values] == ["a", "b"]
    assert [v.name for v in server.run(proxy._g_read_attributes("c"))] == ["c"]
    assert server.operations() == [operation] * 3
    call = server.calls[0]
    assert call.args == (["scalar"], DevSource.CACHE_DEV, proxy._ident)
    assert call.cache_key == (("scalar",), DevSource.CACHE_DEV, proxy._ident.disc)


def test_read_needs_idl_4():
    proxy, server = connected(3)
    with pytest.raises(NonSupportedFeature):
        server.run(proxy._g_read_attribute("scalar"))


def test_read_of_a_failed_attribute():
    proxy, server = connected()
    server.answers["read_attributes_5"] = lambda call: [_value("scalar", errors=("Broken",))]
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_read_attribute("scalar"))
    assert [e.reason for e in info.value.args] == ["Broken", "API_AttributeFailed"]
    values = server.run(proxy._g_read_attributes(["scalar"]))  # no raise for the plural
    assert values[0].has_failed


def test_read_of_an_enum_attribute_gives_its_label():
    proxy, server = connected()
    server.answers["read_attributes_5"] = lambda call: [_enum_value("mode", 1)]
    info = _config("mode", CmdArgType.DevEnum, enum_labels=["OFF", "AUTO"])
    from puretango.client._convert import config5_to_info

    value = server.run(proxy._g_read_high_level(config5_to_info(info)))
    assert value.name == "AUTO" and value == 1


# -- writing ------------------------------------------------------------------------------------


def test_write_attribute():
    proxy, server = connected()
    server.run(proxy._g_write_attribute("scalar", 4.5))
    assert server.operations() == ["get_attribute_config_5", "write_attributes_4"]
    values, ident = server.calls[1].args
    assert ident == proxy._ident
    (av,) = values
    assert av.name == "scalar" and list(av.value.value) == [4.5]
    server.run(proxy._g_write_attributes([("scalar", 5.5), ("scalar", 6.5)]))  # config cached
    assert server.operations()[2:] == ["write_attributes_4"]
    assert [list(v.value.value) for v in server.calls[2].args[0]] == [[5.5], [6.5]]


def test_write_with_an_attribute_info_asks_no_configuration():
    proxy, server = connected()
    from puretango.client._convert import config5_to_info

    server.run(proxy._g_write_attribute(config5_to_info(_config("other")), 1.0))
    assert server.operations() == ["write_attributes_4"]


def test_write_failure_names_the_attribute():
    proxy, server = connected()
    server.answers["write_attributes_4"] = multi_dev_failed("scalar", "OutOfRange")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_write_attribute("scalar", 4.5))
    assert [e.reason for e in info.value.args] == ["OutOfRange", "API_AttributeFailed"]


def test_write_needs_idl_4():
    proxy, server = connected(3)
    with pytest.raises(NonSupportedFeature):
        server.run(proxy._g_write_attribute("scalar", 1.0))


def test_write_read_attribute():
    proxy, server = connected()
    da = server.run(proxy._g_write_read_attribute("scalar", 3.5))
    assert (da.name, da.value) == ("scalar", 3.5)
    call = server.calls[-1]
    assert call.operation.name == "write_read_attributes_5"
    assert call.args[1] == ["scalar"] and call.args[2] == proxy._ident
    values = server.run(proxy._g_write_read_attributes([("scalar", 1.0)], ["a", "b"]))
    assert [v.name for v in values] == ["a", "b"]


def test_write_read_failures():
    proxy, server = connected()
    server.answers["write_read_attributes_5"] = multi_dev_failed("scalar", "OutOfRange")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_write_read_attribute("scalar", 1.0))
    assert [e.reason for e in info.value.args] == ["OutOfRange", "API_AttributeFailed"]
    server.answers["write_read_attributes_5"] = lambda call: [
        _value("scalar", errors=("ReadBack",))
    ]
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_write_read_attribute("scalar", 1.0))
    assert [e.reason for e in info.value.args] == ["ReadBack", "API_AttributeFailed"]
    proxy_4, server_4 = connected(4)
    with pytest.raises(NonSupportedFeature):
        server_4.run(proxy_4._g_write_read_attribute("scalar", 1.0))


# -- AttributeProxy ----------------------------------------------------------------------------


def test_attribute_proxy_init_connects_its_device_once():
    server = ScriptedServer()
    attr = AttributeProxy("tango://127.0.0.1:10000/test/dev/1/scalar#dbase=no", _connect=False)
    assert server.run(attr._g_init()) is attr
    assert server.operations() == ["_is_a", "_non_existent", "info"]
    server.calls.clear()
    assert server.run(attr._g_init()) is attr
    assert server.calls == []
    proxy, _ = connected()
    assert server.run(AttributeProxy(proxy, "scalar")._g_init()).name() == "scalar"
    assert server.calls == []


# -- error mapping -----------------------------------------------------------------------------


def test_a_dropped_connection_is_retried_once():
    proxy, server = connected()
    server.failures = [ConnectionDropped("idle close")]
    assert server.run(proxy._g_state()) is DevState.ON
    assert server.operations() == ["_get_state", "_get_state"]
    assert server.calls[0] is server.calls[1]


def test_a_second_drop_is_connection_lost():
    proxy, server = connected()
    server.failures = [ConnectionDropped("first"), ConnectionDropped("second")]
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_status())
    assert len(server.calls) == 2
    first, last = info.value.args
    assert first.reason == "API_CorbaException" and "COMM_FAILURE" in first.desc
    assert "second" in first.desc
    assert last.reason == "API_CommunicationFailed"


def test_a_timeout_is_not_retried():
    proxy, server = connected()
    server.failures = [timeout_error(proxy._call("_get_state"))]
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_state())
    assert len(server.calls) == 1
    assert [e.reason for e in info.value.args] == ["API_CorbaException", "API_DeviceTimedOut"]
    assert "3000 mS" in info.value.args[-1].desc


@pytest.mark.parametrize(
    ("name", "error", "reason"),
    [
        ("OBJECT_NOT_EXIST", ConnectionFailed, "API_DeviceNotDefined"),
        ("TRANSIENT", CommunicationFailed, "API_CommunicationFailed"),
        ("COMM_FAILURE", CommunicationFailed, "API_CommunicationFailed"),
        ("BAD_OPERATION", CommunicationFailed, "API_CommunicationFailed"),
    ],
)
def test_system_exceptions(name, error, reason):
    proxy, server = connected()
    server.answers["_get_state"] = system_exception(name)
    with pytest.raises(error) as info:
        server.run(proxy._g_state())
    assert type(info.value) is error
    assert info.value.args[0].reason == "API_CorbaException" and name in info.value.args[0].desc
    assert info.value.args[-1].reason == reason


def test_a_dev_failed_reply():
    proxy, server = connected()
    server.answers["_get_status"] = dev_failed("First", "Second")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_status())
    assert type(info.value) is DevFailed
    assert [e.reason for e in info.value.args] == ["First", "Second"]


def test_an_unexpected_user_exception():
    proxy, server = connected()
    server.answers["_get_status"] = _reply(
        ReplyStatus.USER_EXCEPTION, lambda enc: enc.write_string("IDL:Other/Thing:1.0")
    )
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_status())
    assert "IDL:Other/Thing:1.0" in info.value.args[0].desc


def test_an_undecodable_reply():
    proxy, server = connected()
    server.answers["_get_status"] = _reply(ReplyStatus.NO_EXCEPTION, lambda enc: None)
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_status())
    assert info.value.args[0].reason == "API_MarshallingError"


def test_an_unsupported_reply_status():
    proxy, server = connected()
    server.answers["_get_status"] = _reply(ReplyStatus.LOCATION_FORWARD, lambda enc: None)
    with pytest.raises(CommunicationFailed) as info:
        server.run(proxy._g_status())
    assert "LOCATION_FORWARD" in info.value.args[0].desc


# -- pipes -------------------------------------------------------------------------------


def _pipe_reply(call: Call) -> Any:
    """The pipe named in the call, holding the blob ``("root", {"x": 2.5})``."""
    name = call.args[0] if isinstance(call.args[0], str) else call.args[0].name
    blob_name, elements = python_to_blob(("root", {"x": 2.5}))
    return DevPipeData(name=name, time=t.TimeVal(), data_blob=DevPipeBlob(blob_name, elements))


def test_pipe_reads_and_writes():
    proxy, server = connected()
    server.answers["read_pipe_5"] = _pipe_reply
    server.answers["write_read_pipe_5"] = _pipe_reply
    server.answers["write_pipe_5"] = None
    expected = ("root", [{"name": "x", "dtype": CmdArgType.DevDouble, "value": 2.5}])
    assert server.run(proxy._g_read_pipe("p")) == expected
    assert server.calls[-1].args == ("p", proxy._ident)
    assert server.run(proxy._g_write_pipe("p", ("b", {"y": 1}))) is None
    sent = server.calls[-1].args[0]
    assert (sent.name, sent.data_blob.name, sent.data_blob.blob_data[0].name) == ("p", "b", "y")
    assert server.run(proxy._g_write_read_pipe("p", ("b", {"y": 1}))) == expected
    assert server.operations() == ["read_pipe_5", "write_pipe_5", "write_read_pipe_5"]


def test_pipe_configs_and_failures():
    proxy, server = connected()
    server.answers["get_pipe_config_5"] = lambda call: [
        t.PipeConfig(name=n, label=n, description="d") for n in call.args[0]
    ]
    assert [i.name for i in server.run(proxy._g_pipe_configs(["a", "b"]))] == ["a", "b"]
    server.answers["read_pipe_5"] = dev_failed("API_PipeNotFound")
    with pytest.raises(DevFailed) as info:
        server.run(proxy._g_read_pipe("nope"))
    assert [e.reason for e in info.value.args] == ["API_PipeNotFound", "API_PipeFailed"]
    old, old_server = connected(idl=4)
    with pytest.raises(DevFailed) as info:
        old_server.run(old._g_read_pipe("p"))
    assert info.value.args[0].reason == "API_UnsupportedFeature" and not old_server.calls


def test_every_engine_operation_is_covered():
    """A new ``_g_*`` operation must get a test here."""
    import re
    from pathlib import Path

    source = Path(__file__).read_text()
    client_dir = Path(__file__).parents[2] / "puretango/client"
    proxy_source = "".join(path.read_text() for path in client_dir.glob("*.py"))
    operations = set(re.findall(r"def (_g_\w+)\(", proxy_source))
    assert operations
    missing = sorted(op for op in operations if f"._{op[1:]}(" not in source)
    indirect = {"_g_attribute_configs", "_g_attribute_value_4", "_g_read_values", "_g_command_info"}
    assert not [op for op in missing if op not in indirect]


# -- the Database, and devices named through it ---------------------------------------------

from puretango import Database, DbDatum, DbDevExportInfo, DbDevInfo, DbServerInfo  # noqa: E402
from puretango._errors import make_error  # noqa: E402
from puretango.client import _database  # noqa: E402
from puretango.giop import IOR  # noqa: E402

IOR_A = IOR.for_object("IDL:Tango/Device_6:1.0", "127.0.0.1", 10001, b"key-a").to_string()
IOR_B = IOR.for_object("IDL:Tango/Device_6:1.0", "127.0.0.1", 10002, b"key-b").to_string()
_S = CmdArgType.DevVarStringArray


def _any(value: Any) -> Any:
    if value is None:
        return argin_to_any(None, CmdArgType.DevVoid)
    if isinstance(value, str):
        return argin_to_any(value, CmdArgType.DevString)
    if isinstance(value, tuple):
        return argin_to_any(list(value), CmdArgType.DevVarLongStringArray)
    return argin_to_any(list(value), _S)


def imported(ior: str = IOR_A, exported: int = 1, name: str = "test/dev/1") -> Any:
    return ([exported, 42], [name, ior, "6", "Dev/1", "host", "Dev"])


class ScriptedDatabase(ScriptedServer):
    """A scripted Database device (object key ``database``) and the devices it exports:
    ``db[command]`` is the answer to a Database command (a value, a Reply, or a function
    of the argument)."""

    def __init__(self) -> None:
        super().__init__()
        self.db: dict[str, Any] = {"DbImportDevice": imported()}
        device_inout = self.answers["command_inout_4"]

        def inout(call: Call) -> Any:
            if call.object_key != b"database":
                return device_inout(call)
            answer = self.db[call.args[0]]
            if callable(answer):
                answer = answer(call.args[1].value)
            return answer if isinstance(answer, Reply) else _any(answer)

        for name in ("command_inout_4", "command_inout_2"):
            self.answers[name] = inout

    def commands(self) -> list[tuple[str, Any]]:
        """``(command, argument)`` of each Database command called."""
        return [
            (c.args[0], c.args[1].value)
            for c in self.calls
            if c.object_key == b"database" and c.operation.name.startswith("command_inout")
        ]


@pytest.fixture
def scripted_db(monkeypatch: pytest.MonkeyPatch) -> tuple[Database, ScriptedDatabase]:
    """A connected ``Database`` (its synchronous methods use the scripted server too)."""
    monkeypatch.setattr(_database, "_shared", {})
    server = ScriptedDatabase()
    monkeypatch.setattr("puretango.client._sync.invoke", server.invoke)
    db = Database("127.0.0.1", 10000, _connect=False)
    assert server.run(db._g_init()) is db
    server.calls.clear()
    return db, server


def test_database_is_reached_on_the_database_key(monkeypatch):
    monkeypatch.setenv("TANGO_HOST", "dbhost:10000")
    server = ScriptedDatabase()
    db = Database(_connect=False)
    server.run(db._g_connect())
    assert server.operations() == ["_is_a", "_non_existent", "info"]
    for call in server.calls:
        assert (call.host, call.port, call.object_key) == ("dbhost", 10000, b"database")
        assert call.device == "sys/database/2"
    assert repr(db) == "Database(dbhost, 10000)" and db.get_db_port() == "10000"


def test_database_fails_over_to_the_next_host():
    server = ScriptedDatabase()
    down = ConnectionFailed(make_error("API_CorbaException", "TRANSIENT_ConnectFailed", "x"))
    db = Database("h1:1,h2:2", _connect=False)
    server.failures = [down]
    server.run(db._g_connect())
    assert [c.host for c in server.calls] == ["h1", "h2", "h2", "h2"]
    assert db.is_multi_tango_host()
    server.failures = [down, down]
    with pytest.raises(ConnectionFailed) as info:
        server.run(Database("h1:1,h2:2", _connect=False)._g_connect())
    assert [e.reason for e in info.value.args] == [
        "API_CorbaException",
        "API_CantConnectToDatabase",
    ]
    assert info.value.args[1].desc == "Failed to connect to database on host h2 with port 2"


def test_database_reconnects_once_when_its_connection_fails(scripted_db):
    db, server = scripted_db
    server.db["DbGetClassForDevice"] = "Dev"
    down = ConnectionFailed(make_error("API_CorbaException", "TRANSIENT_ConnectFailed", "x"))
    server.failures = [down]
    assert server.run(db._op(lambda: db._g_string("DbGetClassForDevice", "a/b/c"))) == "Dev"
    assert server.operations()[1:4] == ["_is_a", "_non_existent", "info"]


def test_database_command_failure_names_the_command(scripted_db):
    db, server = scripted_db
    server.db["DbDeleteDevice"] = dev_failed("DB_DeviceNotDefined")
    with pytest.raises(DevFailed) as info:
        server.run(db._g_void("DbDeleteDevice", "a/b/c"))
    assert [e.reason for e in info.value.args] == ["DB_DeviceNotDefined", "API_CommandFailed"]
    assert "command DbDeleteDevice" in info.value.args[1].desc


@pytest.mark.parametrize(
    ("method", "args", "command", "argin", "answer", "result"),
    [
        ("get_server_list", (), "DbGetServerList", "*", ["S/1"], DbDatum("server", ["S/1"])),
        ("get_device_exported", ("a/*",), "DbGetDeviceExportedList", "a/*", ["a/b/c"],
         DbDatum("a/*", ["a/b/c"])),
        ("get_device_name", ("S/1", "C"), "DbGetDeviceList", ["S/1", "C"], ["a/b/c"],
         DbDatum("S/1", ["a/b/c"])),
        ("get_device_property_list", ("a/b/c", "*"), "DbGetDevicePropertyList",
         ["a/b/c", "*"], ["p"], DbDatum("a/b/c", ["p"])),
        ("get_device_alias", ("al",), "DbGetAliasDevice", "al", "a/b/c", "a/b/c"),
        ("get_class_attribute_list", ("C", "*"), "DbGetClassAttributeList", ["C", "*"], ["x"],
         DbDatum("class", ["x"])),
        ("get_alias_from_device", ("a/b/c",), "DbGetDeviceAlias", "a/b/c", "al", "al"),
        ("put_device_alias", ("a/b/c", "al"), "DbPutDeviceAlias", ["a/b/c", "al"], None, None),
        ("delete_device", ("a/b/c",), "DbDeleteDevice", "a/b/c", None, None),
        ("unexport_server", ("S/1",), "DbUnExportServer", "S/1", None, None),
        ("get_info", (), "DbInfo", None, ["line 1", "line 2"], "line 1\nline 2\n"),
        ("add_device", (DbDevInfo(name="a/b/c", klass="C", server="S/1"),), "DbAddDevice",
         ["S/1", "a/b/c", "C"], None, None),
        ("export_device", (DbDevExportInfo(name="a/b/c", ior="IOR:00", host="h", pid=7,
                                           version="6"),),
         "DbExportDevice", ["a/b/c", "IOR:00", "h", "7", "6"], None, None),
        ("put_server_info", (DbServerInfo(name="S/1", host="h", mode=1, level=3),),
         "DbPutServerInfo", ["S/1", "h", "1", "3"], None, None),
        ("get_server_info", ("S/1",), "DbGetServerInfo", "S/1", ["S/1", "h", "1", "3"],
         DbServerInfo(name="S/1", host="h", mode=1, level=3)),
    ],
)  # fmt: skip
def test_database_methods(scripted_db, method, args, command, argin, answer, result):
    db, server = scripted_db
    server.db[command] = answer
    assert getattr(db, method)(*args) == result
    assert server.commands() == [(command, argin)]


def test_database_operations_one_by_one(scripted_db):
    db, server = scripted_db
    server.db.update({"DbGetHostList": ["h"], "DbDeleteServer": None, "DbAddServer": None})
    assert server.run(db._g_list("host", "DbGetHostList", "*")) == DbDatum("host", ["h"])
    server.run(db._g_void("DbDeleteServer", "S/1"))
    info = DbDevInfo(name="a/b/c", klass="C", server="S/1")
    server.run(db._g_add_server("S/1", info, with_dserver=True))
    assert server.commands()[-1] == ("DbAddServer", ["S/1", "a/b/c", "C", "dserver/S/1", "DServer"])
    server.db["DbExportDevice"] = None
    server.run(db._g_export_server([DbDevExportInfo(name="a/b/c"), DbDevExportInfo(name="d/e/f")]))
    assert [a[0] for c, a in server.commands()[-2:]] == ["a/b/c", "d/e/f"]
    server.db["DbGetDeviceServerClassList"] = ["DServer", "C"]
    assert server.run(db._g_get_server_class_list("S/1")) == DbDatum("S/1", ["C"])
    server.db["DbGetDeviceList"] = ["a/b/c"]
    assert server.run(db._g_get_device_name("S/1", "C")).value_string == ["a/b/c"]
    server.db["DbGetDevicePropertyList"] = ["p", "q"]
    assert server.run(db._g_get_device_property_list("a/b/c", "*", [])) == ["p", "q"]
    server.db["DbInfo"] = ["x"]
    assert server.run(db._g_get_info()) == "x\n"
    server.db["DbGetServerInfo"] = ["S/1", " ", " ", " "]
    assert server.run(db._g_get_server_info("S/1")).mode == 0
    server.db["DbPutServerInfo"] = None
    server.run(db._g_put_server_info(DbServerInfo(name="S/1")))
    server.db.update({"DbAddDevice": None, "DbGetCSDbServerList": ["h:1"]})
    server.run(db._g_add_device(info))
    server.run(db._g_export_device(DbDevExportInfo(name="a/b/c", pid=3)))
    assert server.commands()[-1] == ("DbExportDevice", ["a/b/c", "", "", "3", ""])
    assert server.run(db._g_command("DbGetCSDbServerList")) == ["h:1"]
    server.db["DbGetProperty"] = ["CtrlSystem", "1", "Services", "2", "S/i:x", "T/j:y"]
    assert server.run(db._g_get_services("s", "i")) == DbDatum("services", ["x"])
    assert server.run(db._g_get_service_list("T.*")) == {"T/j": "y"}
    server.db["DbPutProperty"] = None
    server.run(db._g_register_service("S", "i", "new/dev/1"))
    assert server.commands()[-1][1] == [
        "CtrlSystem",
        "1",
        "Services",
        "2",
        "T/j:y",
        "S/i:new/dev/1",
    ]
    server.run(db._g_unregister_service("T", "j"))
    assert server.commands()[-1][1] == ["CtrlSystem", "1", "Services", "1", "S/i:x"]
    server.db["DbGetDeviceAttributeList"] = ["a1", "a2"]
    assert server.run(db._g_get_device_attribute_list("a/b/c", [])) == ["a1", "a2"]
    assert Database.get_server_list.__name__ == "get_server_list"


def test_database_import_and_device_info(scripted_db):
    db, server = scripted_db
    info = server.run(db._g_import_device("test/dev/1"))
    assert repr(info) == (
        f"DbDevImportInfo(exported = 1, ior = {IOR_A!r}, name = 'test/dev/1', version = '6')"
    )
    assert server.run(db._g_import_raw("test/dev/1")).server == "Dev/1"
    server.db["DbGetDeviceInfo"] = (
        [1, 42],
        ["test/dev/1", "IOR:00", "6", "Dev/1", "host", "1-1-2026 at 10:00:00", "?", "Dev"],
    )
    full = server.run(db._g_get_device_info("test/dev/1"))
    assert (full.class_name, full.ds_full_name, full.pid, full.stopped_date) == (
        "Dev", "Dev/1", 42, ""
    )  # fmt: skip


def test_database_properties(scripted_db):
    db, server = scripted_db
    server.db["DbGetDeviceProperty"] = ["a/b/c", "2", "p", "2", "x", "y", "q", "0", " "]
    asked = {"p": None, "q": None}
    assert server.run(db._g_get("DbGetDeviceProperty", "a/b/c", asked)) == {
        "p": ["x", "y"],
        "q": [],
    }
    assert asked == {"p": ["x", "y"], "q": []}  # PyTango fills the caller's dict
    assert server.run(db._g_get_props("DbGetDeviceProperty", "a/b/c", [])) == {}
    server.db["DbPutDeviceProperty"] = None
    server.run(db._g_put("DbPutDeviceProperty", "a/b/c", {"p": ["x", "y"], "n": 3}))
    assert server.commands()[-1][1] == ["a/b/c", "2", "p", "2", "x", "y", "n", "1", "3"]
    server.db["DbDeleteDeviceProperty"] = None
    server.run(db._g_delete("DbDeleteDeviceProperty", "a/b/c", ["p", DbDatum("n")]))
    assert server.commands()[-1][1] == ["a/b/c", "p", "n"]
    db.put_device_property("a/b/c", DbDatum("z", ["1"]))
    assert server.commands()[-1][1] == ["a/b/c", "1", "z", "1", "1"]
    with pytest.raises(TypeError):
        db.put_device_property("a/b/c", 3)


def test_database_attribute_properties(scripted_db):
    db, server = scripted_db
    server.db["DbGetDeviceAttributeProperty2"] = [
        "a/b/c",
        "2",
        "x",
        "1",
        "label",
        "1",
        "X",
        "y",
        "0",
    ]
    assert server.run(db._g_get_attr("DbGetDeviceAttributeProperty2", "a/b/c", ["x", "y"])) == {
        "x": {"label": ["X"]},
        "y": {},
    }
    server.db["DbPutDeviceAttributeProperty2"] = None
    server.run(db._g_put_attr("DbPutDeviceAttributeProperty2", "a/b/c", {"x": {"l": ["1", "2"]}}))
    assert server.commands()[-1][1] == ["a/b/c", "1", "x", "1", "l", "2", "1", "2"]
    server.db["DbDeleteDeviceAttributeProperty"] = None
    server.run(db._g_delete_attr("DbDeleteDeviceAttributeProperty", "a/b/c", {"x": ["l", "m"]}))
    assert server.commands()[-1][1] == ["a/b/c", "x", "l", "m"]
    db.delete_device_attribute_property("a/b/c", ["y", "u"])
    assert server.commands()[-1][1] == ["a/b/c", "y", "u"]


def test_database_history(scripted_db):
    db, server = scripted_db
    server.db["DbGetDevicePropertyHist"] = ["p", "d1", "2", "a", "b", "p", "d2", "0"]
    history = server.run(db._g_history("DbGetDevicePropertyHist", ["a/b/c", "p"], False))
    assert [(h.get_name(), h.get_date(), h.is_deleted()) for h in history] == [
        ("p", "d1", False), ("p", "d2", True)
    ]  # fmt: skip
    assert history[0].get_value().value_string == ["a", "b"]
    server.db["DbGetDeviceAttributePropertyHist"] = ["x", "label", "d1", "1", "L"]
    (entry,) = db.get_device_attribute_property_history("a/b/c", "x", "label")
    assert (entry.get_attribute_name(), entry.get_value().value_string) == ("x", ["L"])


@pytest.fixture
def db_named(monkeypatch: pytest.MonkeyPatch) -> tuple[DeviceProxy, ScriptedDatabase]:
    """A proxy to ``test/dev/1`` resolved through a scripted Database (TANGO_HOST)."""
    monkeypatch.setattr(_database, "_shared", {})
    monkeypatch.setenv("TANGO_HOST", "dbhost:10000")
    server = ScriptedDatabase()
    monkeypatch.setattr("puretango.client._sync.invoke", server.invoke)
    proxy = DeviceProxy("test/dev/1", _connect=False)
    server.run(proxy._g_connect())
    return proxy, server


def test_a_name_is_resolved_through_the_database(db_named):
    proxy, server = db_named
    assert server.commands() == [("DbImportDevice", "test/dev/1")]
    device_calls = [c for c in server.calls if c.object_key != b"database"]
    assert [c.operation.name for c in device_calls] == ["_is_a", "_non_existent", "info"]
    assert {(c.host, c.port, c.object_key) for c in device_calls} == {
        ("127.0.0.1", 10001, b"key-a")
    }
    assert proxy.dev_name() == "test/dev/1" and proxy.is_dbase_used()
    assert (proxy.get_db_host(), proxy.get_db_port(), proxy.get_dev_host()) == (
        "dbhost", "10000", "IOR"
    )  # fmt: skip
    assert proxy.import_info().ior == IOR_A
    assert proxy.adm_name() == "dserver/scripted/1"


def test_tango_host_is_read_at_each_resolution(monkeypatch, db_named):
    proxy, server = db_named
    monkeypatch.setenv("TANGO_HOST", "otherhost:20000")
    other = DeviceProxy("test/dev/1", _connect=False)
    assert other.get_db_host() == "otherhost" and proxy.get_db_host() == "dbhost"


def test_an_alias_is_resolved_to_its_device(monkeypatch, db_named):
    _, server = db_named
    server.calls.clear()
    server.db["DbImportDevice"] = imported(name="myalias")
    server.db["DbGetAliasDevice"] = "Test/Dev/1"
    proxy = DeviceProxy("MyAlias", _connect=False)
    server.run(proxy._g_import())
    assert server.commands() == [("DbImportDevice", "myalias"), ("DbGetAliasDevice", "myalias")]
    assert proxy.name() == "test/dev/1"


def test_undefined_and_unexported_devices(db_named):
    _, server = db_named
    server.db["DbImportDevice"] = dev_failed("DB_DeviceNotDefined")
    with pytest.raises(DevFailed) as info:
        server.run(DeviceProxy("a/b/c", _connect=False)._g_connect())
    assert [e.reason for e in info.value.args] == [
        "DB_DeviceNotDefined", "API_CommandFailed", "API_DeviceNotDefined"
    ]  # fmt: skip
    assert info.value.args[-1].desc == "Can't connect to device a/b/c"
    server.db["DbImportDevice"] = imported(exported=0, name="a/b/c")
    proxy = DeviceProxy("a/b/c", _connect=False)
    server.run(proxy._g_connect())  # made, as PyTango makes it; its calls fail
    with pytest.raises(ConnectionFailed) as info2:
        server.run(proxy._op(lambda: proxy._g_state()))
    assert info2.value.args[0].reason == "API_DeviceNotExported"
    assert info2.value.args[0].desc == (
        "Device a/b/c is not exported (hint: try starting the device server)"
    )
    server.db["DbImportDevice"] = imported(name="a/b/c")  # its server has started
    assert server.run(proxy._op(lambda: proxy._g_state())) is DevState.ON


def test_a_moved_device_is_imported_again(db_named):
    proxy, server = db_named
    server.calls.clear()
    gone = ConnectionFailed(make_error("API_CantConnectToDevice", "refused", "x"))
    server.failures = [gone]
    server.db["DbImportDevice"] = imported(IOR_B)
    assert server.run(proxy._g_reimporting(lambda: proxy._g_state())) is DevState.ON
    assert server.calls[-1].port == 10002 and server.calls[-1].object_key == b"key-b"
    assert proxy.import_info().ior == IOR_B
    # the same IOR again: the failure is the caller's
    server.failures = [gone]
    with pytest.raises(ConnectionFailed):
        server.run(proxy._op(lambda: proxy._g_state()))


def test_the_direct_route_follows_a_moved_device(db_named, monkeypatch):
    """A Database-named proxy's plain synchronous ``state()`` runs its twin, with no
    generator operation (``_op``); a failure to connect still re-imports the device, and
    the call is sent once more only when the Database gives another IOR."""
    proxy, server = db_named
    assert proxy._direct_sync

    def no_generator_route(make: Any) -> Any:
        raise AssertionError("the generator route ran")

    monkeypatch.setattr(proxy, "_op", no_generator_route)
    gone = ConnectionFailed(make_error("API_CantConnectToDevice", "refused", "x"))
    server.calls.clear()
    server.failures = [gone]
    server.db["DbImportDevice"] = imported(IOR_B)
    assert proxy.state() is DevState.ON
    sent = [(c.port, c.object_key) for c in server.calls if c.operation.name == "_get_state"]
    assert sent == [(10001, b"key-a"), (10002, b"key-b")]
    assert proxy.import_info().ior == IOR_B
    # the same IOR again: the failure is the caller's, and the call went once
    server.calls.clear()
    server.failures = [gone]
    with pytest.raises(ConnectionFailed) as info:
        proxy.state()
    assert info.value is gone
    assert [c.operation.name for c in server.calls if c.object_key != b"database"] == ["_get_state"]
    known = proxy._import
    assert known is not None
    with pytest.raises(ConnectionFailed):
        server.run(proxy._g_follow_move(gone, known))


def test_an_unexported_device_takes_the_generator_route(db_named):
    _, server = db_named
    server.db["DbImportDevice"] = imported(exported=0, name="a/b/c")
    proxy = DeviceProxy("a/b/c", _connect=False)
    server.run(proxy._g_connect())
    assert not proxy._direct_sync
    with pytest.raises(ConnectionFailed) as info:
        proxy.state()
    assert info.value.args[0].reason == "API_DeviceNotExported"
    server.db["DbImportDevice"] = imported(name="a/b/c")  # its server has started
    assert proxy.state() is DevState.ON
    assert proxy._direct_sync


def test_device_properties_through_the_database(db_named):
    proxy, server = db_named
    server.db["DbGetDeviceProperty"] = ["test/dev/1", "1", "p", "1", "x"]
    assert server.run(proxy._g_get_property("p")) == {"p": ["x"]}
    server.db["DbPutDeviceProperty"] = None
    server.run(proxy._g_put_property({"p": "y"}))
    assert server.commands()[-1] == ("DbPutDeviceProperty", ["test/dev/1", "1", "p", "1", "y"])
    server.db["DbDeleteDeviceProperty"] = None
    server.run(proxy._g_delete_property("p"))
    assert server.commands()[-1] == ("DbDeleteDeviceProperty", ["test/dev/1", "p"])
    server.db["DbGetDevicePropertyList"] = ["p"]
    assert server.run(proxy._g_get_property_list("*")) == ["p"]
    server.db["DbGetDeviceAlias"] = "al"
    assert proxy.alias() == "al"


def test_an_attribute_alias_is_looked_up_when_the_proxy_connects(db_named):
    _, server = db_named
    server.db["DbGetAttributeAlias"] = "test/dev/1/Attr"
    proxy = AttributeProxy("attr_alias", _connect=False)  # as the green factories make it
    assert server.run(proxy._g_alias_name()) == "test/dev/1/Attr"
    assert server.run(proxy._g_init()) is proxy
    assert proxy.name() == "Attr" and proxy.get_device_proxy().dev_name() == "test/dev/1"
    assert ("DbGetAttributeAlias", "attr_alias") in server.commands()


def test_a_device_without_database_has_no_properties():
    proxy, server = connected()
    with pytest.raises(tango_errors.NonDbDevice):
        server.run(proxy._g_get_property("p"))
    with pytest.raises(tango_errors.NonDbDevice):
        proxy.import_info()


import puretango._errors as tango_errors  # noqa: E402

# -- event subscriptions (the GIOP side; delivery is tested with real peers) -------------------


def test_subscribe_event_refused_by_the_server():
    from puretango import EventType, ExtractAs, GreenMode

    proxy, server = connected()
    server.answers["command_query_2"] = lambda call: _cmd(
        call.args[0], CmdArgType.DevVarStringArray, CmdArgType.DevVarLongStringArray
    )
    server.answers["command_inout_4"] = dev_failed("API_AttributePollingNotStarted")
    op = proxy._g_subscribe_event(
        "scalar", EventType.CHANGE_EVENT, print, False, True, ExtractAs.Numpy, GreenMode.Synchronous
    )
    with pytest.raises(DevFailed) as info:
        server.run(op)
    assert [e.reason for e in info.value.args] == [
        "API_AttributePollingNotStarted",
        "API_CommandFailed",
        "API_DSFailedRegisteringEvent",
    ]
    inout = server.calls[-1]
    assert inout.operation.name == "command_inout_4" and inout.device == "dserver/scripted/1"
    assert list(inout.args[1].value) == ["test/dev/1", "scalar", "subscribe", "change", "6"]
    with pytest.raises(KeyError):
        server.run(proxy._g_unsubscribe_event(1))
