"""``Group``, held against PyTango's.

One scenario (``_group_scenario.py``: membership and names, nested groups, ``forward``,
commands with and without arguments, failures, asynchronous ids and reply timeouts, reads,
writes with one value and with one per device, enabling, removing, an unreachable member)
runs in a subprocess with PyTango's client and with ours, against a PyTango TypeDev and a
puretango TypeDev; every reply must be the same field by field. The other tests drive our
``Group`` in-process: concurrency, ``DeviceData``-like arguments, exception mode, patterns
through a Database, and release without the garbage collector.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
from peers.launch import PyTangoServer, free_port, peer_env

import puretango
from puretango import DevFailed, Group, GroupAttrReply, GroupCmdReply, GroupReply
from puretango.server import Device, attribute
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

from .conftest import DEVICES

SCENARIO = Path(__file__).with_name("_group_scenario.py")


def _run(module: str, trl1: str, trl2: str, dead: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), module, trl1, trl2, dead],
        capture_output=True,
        text=True,
        timeout=90,
        env=peer_env(),
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("server_index", [0, 1], ids=["PyTango-server", "puretango-server"])
def test_same_replies_as_pytango(
    typedev_pair: tuple[PyTangoServer, PyTangoServer], server_index: int
) -> None:
    server = typedev_pair[server_index]
    trl1, trl2 = server.trl(DEVICES[0]), server.trl(DEVICES[1].title())
    dead = f"tango://127.0.0.1:{free_port()}/dead/type/9#dbase=no"
    theirs = _run("tango", trl1, trl2, dead)
    ours = _run("puretango", trl1, trl2, dead)
    assert ours == theirs
    # the scenario saw the interesting cases
    assert theirs["names"][3:6] == [4, 2, 4]
    assert theirs["cmd"][1] is True and theirs["cmd"][3][0]["data"] == "7"
    assert theirs["disabled_cmd"][3][1]["enabled"] is False
    assert theirs["asynch_bad"] == ["DevFailed", ["API_BadAsynPollId"]]
    assert theirs["write_multi_size"] == ["DevFailed", ["API_MethodArgument"]]


@pytest.fixture
def group(typedev: PyTangoServer) -> Any:
    g = Group("g")
    g.add([typedev.trl(d) for d in DEVICES])
    for d in DEVICES:
        g.get_device(typedev.trl(d)).command_inout("Reset")
    return g


def test_calls_run_concurrently(group: Group) -> None:
    start = time.monotonic()
    replies = group.command_inout("Sleep", 0.6)
    elapsed = time.monotonic() - start
    assert [r.has_failed() for r in replies] == [False, False]
    assert elapsed < 1.15  # one after the other would take 1.2 s at least


class _Data:
    """Stands for PyTango's DeviceData: ``extract()`` and ``get_type()``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def extract(self) -> Any:
        return self.value

    def get_type(self) -> puretango.CmdArgType:
        return puretango.CmdArgType.DevLong


class _EmptyData(_Data):
    """An empty DeviceData: asking its value raises, as PyTango's."""

    def extract(self) -> Any:
        raise DevFailed(puretango.DevError("API_EmptyDeviceData", 1, "empty", "DeviceData"))


def test_device_data_arguments(group: Group) -> None:
    assert not group.command_inout("EchoVoid", _EmptyData(None)).has_failed()
    assert [r.get_data() for r in group.command_inout("EchoLong", _Data(4))] == [4, 4]
    per_device = group.command_inout("EchoLong", [_Data(5), _Data(6)])
    assert [r.get_data() for r in per_device] == [5, 6]
    with pytest.raises(DevFailed) as info:
        group.command_inout("EchoLong", [_Data(5)])
    assert info.value.args[0].reason == "API_MethodArgument"
    # a raw result can be sent on
    raw = per_device[0].get_data_raw()
    assert [r.get_data() for r in group.command_inout("EchoLong", _Data(raw.extract()))] == [5, 5]


def test_exception_mode(group: Group, typedev: PyTangoServer) -> None:
    failed = group.command_inout("Fail")
    attr = group.read_attribute("failing_attr")
    group.disable(typedev.trl(DEVICES[1]))
    disabled = group.command_inout("EchoLong", 1)[1]
    assert isinstance(failed[0], GroupCmdReply) and isinstance(attr[0], GroupAttrReply)
    with pytest.raises(TypeError):
        failed[0].get_data()
    assert attr[0].get_data().value is None
    previous = GroupReply.enable_exception(True)
    try:
        assert previous is False
        with pytest.raises(DevFailed) as info:
            failed[0].get_data()
        assert info.value.args[-1].reason == "API_CommandFailed"
        with pytest.raises(DevFailed) as info:
            attr[0].get_data()
        assert info.value.args[-1].reason == "API_AttributeFailed"
        with pytest.raises(DevFailed) as info:
            disabled.get_data()
        assert info.value.args[0].reason == "no data - group member is disabled"
    finally:
        GroupReply.enable_exception(False)


def test_extract_as_and_rereading(group: Group) -> None:
    group.write_attribute("double_spectrum_rw", [1.0, 2.0])
    reply = group.read_attribute("double_spectrum_rw")[0]
    assert list(reply.get_data().value) == [1.0, 2.0]
    assert reply.get_data(puretango.ExtractAs.List).value == [1.0, 2.0]
    assert list(reply.get_data().value) == [1.0, 2.0]


def test_group_is_released_without_gc(typedev: PyTangoServer) -> None:
    gc.disable()
    try:
        g = Group("test")
        sub = Group("sub")
        g.add(typedev.trl(DEVICES[0]))
        g.add(sub)
        sub.add(typedev.trl(DEVICES[1]))
        g.command_inout("EchoLong", 1)
        refs = weakref.ref(g), weakref.ref(sub)
        del g, sub
        assert [r() for r in refs] == [None, None]
    finally:
        gc.enable()


def test_indexing_and_slices(group: Group, typedev: PyTangoServer) -> None:
    sub = Group("Sub")
    group.add(sub)
    assert group["sub"] is sub and group.get_group("g.SUB") is sub
    assert [p.name() for p in group[1:3]] == DEVICES
    del group[typedev.trl(DEVICES[0])]
    assert group.get_device_list() == [typedev.trl(DEVICES[1])]
    with pytest.raises(TypeError):
        Group(3)  # type: ignore[arg-type]


class _Guarded(Device):
    """A device whose attribute and command are never allowed."""

    def init_device(self) -> None:
        super().init_device()
        self.set_state(puretango.DevState.ON)

    @attribute(access=puretango.AttrWriteType.READ_WRITE)
    def value(self) -> int:
        return 1

    def write_value(self, value: int) -> None:
        pass

    def is_value_allowed(self, request: Any) -> bool:
        return False


def test_not_allowed_replies_give_cpptango_messages() -> None:
    with DeviceTestContext(_Guarded, device_name="test/guarded/1") as dev:
        group = Group("guarded")
        group.add(f"tango://127.0.0.1:{dev.get_dev_port()}/test/guarded/1#dbase=no")
        (written,) = group.write_attribute("value", 2)
        (read,) = group.read_attribute("value")
    assert written.get_err_stack()[0].desc == (
        "It is currently not allowed to write attribute value. The device state is ON"
    )
    assert read.get_err_stack()[0].desc == "It is currently not allowed to read attribute value"


class _Numbered(Device):
    """Devices that answer with the number ending their name."""

    @attribute
    def number(self) -> int:
        return int(self.get_name()[-1])


def test_short_names_in_a_test_context() -> None:
    info = [{"class": _Numbered, "devices": [{"name": "test/num/1"}, {"name": "test/num/2"}]}]
    with MultiDeviceTestContext(info) as context:
        group = Group("numbers")
        group.add(["test/num/1", "test/num/2"])
        assert context.get_device_access("test/num/2") in group
        replies = group.read_attribute("number")
        assert [r.get_data().value for r in replies] == [1, 2]
        assert [r.dev_name() for r in replies] == [
            context.get_device_access(f"test/num/{n}") for n in (1, 2)
        ]
        with pytest.raises(DevFailed):  # no Database behind a test context
            group.add("test/num/*")
