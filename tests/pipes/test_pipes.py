"""Pipes end to end: devices with pipes in every PyTango 9 form (``pipedev.py``, served by
puretango in a subprocess) read and written by puretango's client, in every green mode; the
configuration rules, the errors, and the values of every type a pipe carries."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from peers.launch import PyTangoServer

import puretango as tango
import puretango.asyncio as tango_asyncio
from puretango import CmdArgType, DevState, DispLevel, GreenMode, PipeWriteType

PIPEDEV = Path(__file__).resolve().parent / "pipedev.py"
DEVICE = "test/pipes/1"
_C = CmdArgType


@pytest.fixture(scope="module")
def server() -> Iterator[PyTangoServer]:
    with PyTangoServer(PIPEDEV, "pipes", [DEVICE]) as srv:
        yield srv


@pytest.fixture
def dev(server: PyTangoServer) -> tango.DeviceProxy:
    proxy = tango.DeviceProxy(server.trl(DEVICE))
    proxy.Open(True)
    return proxy


def reasons(call, *args) -> list[str]:
    with pytest.raises(tango.DevFailed) as caught:
        call(*args)
    return [e.reason for e in caught.value.args]


def test_pipe_list_and_configs(dev: tango.DeviceProxy) -> None:
    assert dev.get_pipe_list() == [
        "rw_pipe",
        "ro_pipe",
        "classic_pipe",
        "gated_pipe",
        "broken_pipe",
        "deco_pipe",
        "bad_pipe",
        "silent_pipe",
    ]
    rw = dev.get_pipe_config("rw_pipe")
    assert (rw.name, rw.label, rw.description, rw.disp_level, rw.writable) == (
        "rw_pipe",
        "RW pipe",
        "read-write",
        DispLevel.OPERATOR,
        PipeWriteType.PIPE_READ_WRITE,
    )
    ro = dev.pipe_query("RO_PIPE")
    assert (ro.label, ro.description, ro.disp_level, ro.writable) == (
        "ro_pipe",
        "No description",
        DispLevel.EXPERT,
        PipeWriteType.PIPE_READ,
    )
    deco = dev.get_pipe_config(["deco_pipe"])[0]
    assert (deco.label, deco.description, deco.writable) == (
        "Decorated",
        "A decorated pipe.",
        PipeWriteType.PIPE_READ_WRITE,
    )
    assert [i.name for i in dev.pipe_list_query()] == dev.get_pipe_list()
    assert len(dev.get_pipe_config()) == len(dev.get_pipe_list())


def test_every_read_form(dev: tango.DeviceProxy) -> None:
    name, data = dev.read_pipe("ro_pipe")
    assert name == "ro"
    assert [(e["name"], e["dtype"]) for e in data] == [
        ("string", _C.DevString),
        ("long", _C.DevLong),
        ("short", _C.DevShort),
        ("doubles", _C.DevVarDoubleArray),
        ("strings", _C.DevVarStringArray),
        ("state", _C.DevState),
        ("inner", _C.DevPipeBlob),
    ]
    values = {e["name"]: e["value"] for e in data}
    assert (values["string"], values["long"], values["short"]) == ("The string", 666, 12)
    assert values["doubles"].tolist() == [1.5, -2.5] and values["strings"] == ["a", "b"]
    assert values["state"] is DevState.FAULT
    inner_name, inner = values["inner"]
    assert inner_name == "nested" and inner[0] == {
        "name": "flag",
        "dtype": _C.DevBoolean,
        "value": True,
    }
    assert inner[1]["dtype"] is _C.DevVarLong64Array and inner[1]["value"].tolist() == [1, 2, 3]
    assert dev.read_pipe("classic_pipe") == (
        "classic",
        [{"name": "x", "dtype": _C.DevDouble, "value": 1.25}],
    )
    listed = dev.read_pipe("ro_pipe", extract_as=tango.ExtractAs.List)[1]
    assert listed[3]["value"] == [1.5, -2.5]


ALL_TYPES = [
    {"name": "bool", "value": True, "dtype": _C.DevBoolean},
    {"name": "uchar", "value": 200, "dtype": _C.DevUChar},
    {"name": "short", "value": -3, "dtype": _C.DevShort},
    {"name": "ushort", "value": 65535, "dtype": _C.DevUShort},
    {"name": "long", "value": -(2**31), "dtype": _C.DevLong},
    {"name": "ulong", "value": 2**32 - 1, "dtype": _C.DevULong},
    {"name": "long64", "value": -(2**63), "dtype": _C.DevLong64},
    {"name": "ulong64", "value": 2**64 - 1, "dtype": _C.DevULong64},
    {"name": "float", "value": 0.5, "dtype": _C.DevFloat},
    {"name": "double", "value": 1e300, "dtype": _C.DevDouble},
    {"name": "string", "value": "é ok", "dtype": _C.DevString},
    {"name": "state", "value": DevState.ALARM, "dtype": _C.DevState},
    {"name": "encoded", "value": ("fmt", b"\x00\xff"), "dtype": _C.DevEncoded},
    {"name": "bools", "value": [True, False], "dtype": _C.DevVarBooleanArray},
    {"name": "chars", "value": [0, 255], "dtype": _C.DevVarCharArray},
    {"name": "shorts", "value": [1, -1], "dtype": _C.DevVarShortArray},
    {"name": "ushorts", "value": [1, 2], "dtype": _C.DevVarUShortArray},
    {"name": "longs", "value": [3], "dtype": _C.DevVarLongArray},
    {"name": "ulongs", "value": [4, 5], "dtype": _C.DevVarULongArray},
    {"name": "long64s", "value": [6], "dtype": _C.DevVarLong64Array},
    {"name": "ulong64s", "value": [7], "dtype": _C.DevVarULong64Array},
    {"name": "floats", "value": [0.25], "dtype": _C.DevVarFloatArray},
    {"name": "doubles", "value": [], "dtype": _C.DevVarDoubleArray},
    {"name": "strings", "value": ["x", ""], "dtype": _C.DevVarStringArray},
    {"name": "states", "value": [DevState.ON, DevState.OFF], "dtype": _C.DevVarStateArray},
    {"name": "blob", "value": ("l1", [("l2", ("l2", {"deep": "yes"}))]), "dtype": _C.DevPipeBlob},
]


def _plain(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


def test_every_type_round_trips_through_a_device(dev: tango.DeviceProxy) -> None:
    dev.write_pipe("rw_pipe", ("all", ALL_TYPES))
    name, data = dev.read_pipe("rw_pipe")
    assert name == "all"
    assert [(e["name"], e["dtype"]) for e in data] == [(e["name"], e["dtype"]) for e in ALL_TYPES]
    for got, sent in zip(data[:-1], ALL_TYPES[:-1]):
        assert _plain(got["value"]) == sent["value"], sent["name"]
    assert data[-1]["value"] == (
        "l1",
        [
            {
                "name": "l2",
                "dtype": _C.DevPipeBlob,
                "value": ("l2", [{"name": "deep", "dtype": _C.DevString, "value": "yes"}]),
            }
        ],
    )
    # the device's write method got the blob as PyTango 9 gives it
    assert "'dtype': <CmdArgType.DevUChar: 22>" in dev.LastWritten()


def test_the_accepted_spellings_of_a_blob(dev: tango.DeviceProxy) -> None:
    as_dict = ("d", {"a": 1, "b": "two"})
    as_pairs = ("d", [("a", 1), ("b", "two")])
    as_dicts = ("d", [{"name": "a", "value": 1}, {"name": "b", "blob": "two"}])
    for spelling in (as_dict, as_pairs, as_dicts):
        dev.write_pipe("rw_pipe", spelling)
        assert dev.read_pipe("rw_pipe") == (
            "d",
            [
                {"name": "a", "dtype": _C.DevLong64, "value": 1},
                {"name": "b", "dtype": _C.DevString, "value": "two"},
            ],
        )


def test_pipes_are_members_of_the_proxy(dev: tango.DeviceProxy) -> None:
    dev.rw_pipe = ("member", {"m": 1})
    assert dev.RW_PIPE == ("member", [{"name": "m", "dtype": _C.DevLong64, "value": 1}])
    assert not hasattr(dev, "no_such_member")
    with pytest.raises(AttributeError):
        dev.no_such_member = 1


def test_write_read_pipe_and_the_decorated_pipe(dev: tango.DeviceProxy) -> None:
    got = dev.write_read_pipe("deco_pipe", ("b2", {"q": 3}))
    assert got == ("deco", [{"name": "value", "dtype": _C.DevString, "value": "b2"}])


def test_errors(dev: tango.DeviceProxy) -> None:
    dev.Open(False)
    assert reasons(dev.read_pipe, "gated_pipe") == ["API_PipeNotAllowed", "API_PipeFailed"]
    blob = ("x", {"a": 1})
    assert reasons(dev.write_pipe, "gated_pipe", blob) == ["API_PipeNotAllowed", "API_PipeFailed"]
    dev.Open(True)
    assert dev.read_pipe("gated_pipe")[1][0]["value"] is True
    assert reasons(dev.read_pipe, "broken_pipe") == ["PyDs_PythonError", "API_PipeFailed"]
    assert reasons(dev.read_pipe, "bad_pipe")[0] == "PyDs_WrongPythonDataTypeForPipe"
    assert reasons(dev.read_pipe, "silent_pipe")[0] == "API_PipeValueNotSet"
    assert reasons(dev.write_pipe, "ro_pipe", blob)[0] == "API_PipeNotWritable"
    assert reasons(dev.read_pipe, "nope")[0] == "API_PipeNotFound"
    assert reasons(dev.get_pipe_config, "nope") == ["API_PipeNotFound"]
    assert reasons(dev.write_pipe, "rw_pipe", ("empty", [])) == ["API_PipeNoDataElement"]
    with pytest.raises(TypeError):
        dev.write_pipe("rw_pipe", ("x", [object()]))
    with pytest.raises(ValueError):
        dev.write_pipe("rw_pipe", ("x", {"a": object()}))


def test_set_pipe_config_follows_cpptango(dev: tango.DeviceProxy) -> None:
    info = dev.get_pipe_config("rw_pipe")
    info.label, info.description = "L", "D"
    dev.set_pipe_config(info)
    assert (dev.pipe_query("rw_pipe").label, dev.pipe_query("rw_pipe").description) == ("L", "D")
    info.label, info.description = "", ""  # back to the declared values
    dev.set_pipe_config([info])
    got = dev.pipe_query("rw_pipe")
    assert (got.label, got.description) == ("RW pipe", "read-write")
    info.label, info.description = "Not specified", "NaN"  # the library's, the declared
    dev.set_pipe_config(info)
    got = dev.pipe_query("rw_pipe")
    assert (got.label, got.description) == ("rw_pipe", "read-write")
    info.label, info.description = "", ""
    dev.set_pipe_config(info)
    info.writable = PipeWriteType.PIPE_READ
    assert reasons(dev.set_pipe_config, info) == ["API_AttrNotAllowed"]
    info.name = "nope"
    assert reasons(dev.set_pipe_config, info) == ["API_PipeNotFound"]
    with pytest.raises(TypeError):
        dev.set_pipe_config("rw_pipe")


def test_green_modes(server: PyTangoServer) -> None:
    trl = server.trl(DEVICE)
    futures = tango.DeviceProxy(trl, green_mode=GreenMode.Futures)
    assert futures.read_pipe("classic_pipe", wait=False).result(timeout=10)[0] == "classic"

    async def main() -> None:
        proxy = await tango_asyncio.DeviceProxy(trl)
        await proxy.write_pipe("rw_pipe", ("aio", {"v": 2.5}))
        assert (await proxy.read_pipe("rw_pipe"))[1][0]["value"] == 2.5

    asyncio.run(main())


def test_an_asyncio_device() -> None:
    with PyTangoServer(PIPEDEV, "async", ["test/apipes/1"]) as srv:
        proxy = tango.DeviceProxy(srv.trl("test/apipes/1"))
        assert proxy.read_pipe("apipe") == (
            "async",
            [{"name": "n", "dtype": _C.DevLong64, "value": 1}],
        )
        proxy.write_pipe("apipe", ("new", {"s": "x"}))
        assert proxy.read_pipe("apipe")[0] == "new"


def test_a_classic_pipe_list_entry() -> None:
    with PyTangoServer(PIPEDEV, "classic", ["test/cpipes/1"]) as srv:
        proxy = tango.DeviceProxy(srv.trl("test/cpipes/1"))
        info = proxy.get_pipe_config("cpipe")
        assert (info.label, info.description, info.disp_level, info.writable) == (
            "Classic",
            "d",
            DispLevel.EXPERT,
            PipeWriteType.PIPE_READ_WRITE,
        )
        assert proxy.read_pipe("cpipe")[0] == "classic"
        proxy.write_pipe("cpipe", ("again", {"s": "x"}))
        assert proxy.read_pipe("cpipe") == (
            "again",
            [{"name": "s", "dtype": _C.DevString, "value": "x"}],
        )


@pytest.mark.parametrize(
    "info", [PipeWriteType.PIPE_READ, [], [PipeWriteType.PIPE_READ, {"unit": "m"}], [7]]
)
def test_wrong_classic_pipe_definitions(info) -> None:
    from puretango.server._pipes import pipe

    with pytest.raises(tango.DevFailed) as caught:
        pipe.from_pipe_info("p", info)
    assert caught.value.args[0].reason == "PyDs_WrongPipeDefinition"
