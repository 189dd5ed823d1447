"""The classic server API (DeviceClass + DeviceImpl, Util, Attr, AttrData) on puretango's
server: one classic server (``classic_peer.py``) run on PyTango and on puretango and read by
PyTango's client must look the same; classic pairs in test contexts, ``run`` and ``Util``
behave as in PyTango."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from peers.launch import HOST, free_port, peer_env, run_pytango_client

from puretango import DeviceProxy
from puretango.server import (
    Attr,
    AttrDataFormat,
    AttReqType,
    AttrWriteType,
    CmdArgType,
    DevFailed,
    Device,
    Device_4Impl,
    DeviceClass,
    DevState,
    LatestDeviceImpl,
    SpectrumAttr,
    TimedCmdData,
    Util,
    attribute,
    command,
)
from puretango.server._attrdata import AttrData, UserDefaultAttrProp
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

PEER = Path(__file__).resolve().parent / "classic_peer.py"
C, F, W = CmdArgType, AttrDataFormat, AttrWriteType

#: what a PyTango client sees of test/classic/1 (printed as JSON)
CLIENT_VIEW = """
import json, tango
d = tango.DeviceProxy("tango://127.0.0.1:{port}/test/classic/1#dbase=no")
out = {{"state": str(d.state()), "counter": int(d.counter), "speed": float(d.speed),
       "spectrum": list(map(float, d.spectrum)), "names": list(d.Names()), "add": int(d.Add(3))}}
d.counter = 7
out["written"] = int(d.counter)
for n in ("counter", "spectrum", "speed"):
    c = d.get_attribute_config(n)
    out[n + "_config"] = [c.label, c.unit, c.description, c.format, c.max_value, str(c.writable),
                          c.max_dim_x, str(c.data_format), str(c.data_type)]
for n in ("Add", "Names", "Lock"):
    c = d.command_query(n)
    out[n] = [str(c.in_type), c.in_type_desc, str(c.out_type), c.out_type_desc]
out["class"] = d.info().dev_class
d.Lock(True)
for what, call in (("add_refused", lambda: d.Add(1)), ("read_refused", lambda: d.counter)):
    try:
        call()
    except tango.DevFailed as exc:
        out[what] = exc.args[0].reason
a = tango.DeviceProxy(d.adm_name())
out["classes"], out["devices"] = list(a.QueryClass()), list(a.QueryDevice())
a.command_inout("Kill")
print(json.dumps(out))
"""


def _serve(impl: str, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(PEER), impl, str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=peer_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "Ready to accept request" in line, line
    return proc


def _client_view(impl: str) -> dict[str, Any]:
    port = free_port()
    proc = _serve(impl, port)
    try:
        view: dict[str, Any] = json.loads(run_pytango_client(CLIENT_VIEW.format(port=port)))
        assert proc.wait(30) == 0  # Kill ends server_run, and the process exits cleanly
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return view


def test_classic_server_looks_the_same_on_pytango_and_puretango() -> None:
    ours, theirs = _client_view("puretango"), _client_view("pytango")
    assert ours == theirs
    assert ours["counter"] == 0 and ours["written"] == 7 and ours["speed"] == 2.5
    assert ours["names"] == ["classic", "a", "b"]
    assert ours["add_refused"] == "API_CommandNotAllowed"
    assert ours["read_refused"] == "API_AttrNotAllowed"
    assert ours["classes"] == ["ClassicPeer"]


# -- classic pairs served in this process ------------------------------------------------------


class Counter(LatestDeviceImpl):
    """A classic counter."""

    inits: ClassVar[list[str]] = []

    def __init__(self, cl: Any, name: str) -> None:
        super().__init__(cl, name)
        self.init_device()

    def init_device(self) -> None:
        Counter.inits.append(self.get_name())
        self.get_device_properties()
        self.count = self.Start
        self.values: Any = []
        self.set_state(DevState.ON)
        self.add_version_info("counter", "1.2")

    def delete_device(self) -> None:
        Counter.inits.append("deleted")

    def read_count(self, attr: Any) -> None:
        attr.set_value(self.count)

    def write_count(self, attr: Any) -> None:
        self.count = attr.get_write_value()

    def read_values(self, attr: Any) -> None:
        attr.set_value(self.values)

    def write_values(self, attr: Any) -> None:
        self.values = attr.get_write_value()

    def is_values_allowed(self, req_type: AttReqType) -> bool:
        return req_type == AttReqType.READ_REQ or self.count >= 0

    def Step(self, by: int) -> int:  # noqa: N802 - a Tango command name
        self.count += by
        return int(self.count)

    def Report(self) -> str:  # noqa: N802
        util = Util.instance()
        devices = [d.get_name() for d in util.get_device_list_by_class("Counter")]
        classes = [c.get_name() for c in util.get_class_list()]
        return json.dumps([util.get_ds_name(), devices, classes, self.get_device_class().Unit])

    def dyn_read(self, attr: Any) -> None:
        attr.set_value(self.count * 2)


class CounterClass(DeviceClass):
    class_property_list: ClassVar[dict[str, Any]] = {"Unit": [C.DevString, "unit", "turns"]}
    device_property_list: ClassVar[dict[str, Any]] = {"Start": [C.DevLong, "first count", 5]}
    cmd_list: ClassVar[dict[str, Any]] = {
        "Step": [[C.DevLong, "by"], [C.DevLong, "count"]],
        "Report": [[C.DevVoid], [C.DevString]],
    }
    attr_list: ClassVar[dict[str, Any]] = {
        "count": [[C.DevLong, F.SCALAR, W.READ_WRITE], {"label": "Count", "min_value": -100}],
        "values": [[C.DevDouble, F.SPECTRUM, W.READ_WRITE, 10]],
    }

    def dyn_attr(self, device_list: list[Any]) -> None:
        for device in device_list:
            device.dyn_seen = [d.get_name() for d in device_list]


def test_classic_pair_in_a_device_test_context() -> None:
    Counter.inits.clear()
    with DeviceTestContext(Counter, CounterClass, properties={"Start": ["11"]}) as proxy:
        assert proxy.state() == DevState.ON
        assert proxy.count == 11
        assert proxy.Step(4) == 15
        proxy.count = -3
        assert proxy.count == -3
        with pytest.raises(DevFailed):
            proxy.write_attribute("values", [1.0, 2.0])  # not allowed while count < 0
        proxy.count = 1
        proxy.values = [1.0, 2.0]
        assert list(proxy.values) == [1.0, 2.0]
        assert proxy.get_attribute_config("count").label == "Count"
        assert proxy.get_attribute_config("count").min_value == "-100"
        info = proxy.info()
        assert info.dev_class == "Counter"
        assert info.version_info["counter"] == "1.2"
        name = proxy.dev_name()
        ds_name, devices, classes, unit = json.loads(proxy.Report())
        assert devices == [name] and classes == ["Counter"] and unit == "turns"
        assert ds_name.lower() == "counter/counter"
        assert Counter.inits == [name]  # by the constructor only, not again by the server
        proxy.Init()
        assert Counter.inits == [name, "deleted", name]
        assert proxy.count == 11


def test_classic_pairs_in_a_multi_device_test_context_and_device_lists() -> None:
    info = [
        {
            "class": (CounterClass, Counter),
            "devices": [{"name": "test/counter/1"}, {"name": "test/counter/2"}],
        }
    ]
    with MultiDeviceTestContext(info) as context:
        first = context.get_device("test/counter/1")
        assert first.count == 5
        _, devices, _, _ = json.loads(first.Report())
        assert devices == ["test/counter/1", "test/counter/2"]


class Plain(Device_4Impl):
    def server_init_hook(self) -> None:
        self.set_state(DevState.ON)


def test_a_classic_device_without_constructor_or_lists() -> None:
    with DeviceTestContext(Plain, DeviceClass) as proxy:
        assert proxy.state() == DevState.ON
        assert proxy.info().dev_class == "Plain"


def test_util_instance_and_device_class_in_a_high_level_device() -> None:
    class HighLevel(Device):
        @command(dtype_out=str)
        def where(self) -> str:
            util = Util.instance()
            return f"{self.get_device_class().get_name()} {util.get_ds_inst_name()}"

    assert issubclass(HighLevel, LatestDeviceImpl)
    with DeviceTestContext(HighLevel, instance_name="inst") as proxy:
        assert proxy.where() == "HighLevel inst"


def test_sub_device_diagnostics_from_device_code() -> None:
    class Diag(Device):
        @command(dtype_in=str, dtype_out=str)
        def check(self, sub: str) -> str:
            diag = Util.instance().get_sub_dev_diag()
            diag.register_sub_device(self.get_name(), sub)
            return f"{diag.get_associated_device()} {diag.get_sub_devices()}"

    with DeviceTestContext(Diag, device_name="test/diag/1") as proxy:
        assert proxy.check("other/dev/1") == "test/diag/1 ['test/diag/1 other/dev/1']"


def test_class_attributes_as_attr_objects() -> None:
    pytest.importorskip("puretango.server._attributes")  # MultiClassAttribute's module

    class Listed(Device):
        level = attribute(dtype=float, access=AttrWriteType.READ_WRITE)
        curve = attribute(dtype=(int,), max_dim_x=4)

        @command(dtype_out=(str,))
        def listed(self) -> list[str]:
            (device_class,) = Util.instance().get_class_list()
            attrs = device_class.get_class_attr().get_attr_list()
            return [f"{a.get_name()} {a.get_writable().name} {a.get_max_dim_x()}" for a in attrs]

    with DeviceTestContext(Listed) as proxy:
        assert list(proxy.listed()) == ["level READ_WRITE 1", "curve READ 4"]


class Dynamic(Device):
    allowed = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_command(command(f=self.early, dtype_out=str))  # before it is served

    def early(self) -> str:
        return "early"

    def twice(self, value: int) -> int:
        return 2 * value

    def is_twice_allowed(self) -> bool:
        return self.allowed

    @command(dtype_in=bool)
    def setup(self, allowed: bool) -> None:
        self.allowed = allowed
        self.add_command(command(f=self.twice))
        self.add_command(command(f=Dynamic.early, name="unbound", dtype_out=str))

    @command
    def drop(self) -> None:
        self.remove_command("twice")


def test_commands_added_and_removed_at_run_time() -> None:
    with DeviceTestContext(Dynamic) as proxy:
        assert proxy.early() == "early"
        proxy.setup(True)
        assert proxy.twice(21) == 42
        assert proxy.command_query("twice").in_type == CmdArgType.DevLong64
        assert proxy.unbound() == "early"
        proxy.setup(False)
        with pytest.raises(DevFailed, match="API_CommandNotAllowed"):
            proxy.twice(1)
        proxy.drop()
        with pytest.raises(DevFailed, match="API_CommandNotFound"):
            proxy.command_inout("twice", 1)


class Hooked(Device):
    def server_init_hook(self) -> None:
        raise RuntimeError("no hardware")

    @command(dtype_out=str)
    def who(self) -> str:
        ident = self.get_client_ident()
        return f"{ident.client_pid == os.getpid()} {ident.client_ip} {ident.client_lang.name}"


def test_failing_server_init_hook_and_client_identity() -> None:
    with DeviceTestContext(Hooked) as proxy:
        assert proxy.state() == DevState.FAULT  # the server runs on
        assert proxy.who() == "True collocated client (c++ to c++ call) CPP_6"


class Filled(Device):
    @command(dtype_out=int)
    def cmd(self) -> int:
        return 0

    @command
    def fill(self) -> None:
        records = [TimedCmdData(v, time_stamp=1000.0 + v) for v in (1, 2)]
        records.append(TimedCmdData(error=RuntimeError("broken"), time_stamp=1003.0))
        self.fill_cmd_polling_buffer("cmd", records)


def test_device_code_fills_a_command_polling_buffer() -> None:
    with DeviceTestContext(Filled) as proxy:
        proxy.poll_command("cmd", 0)
        proxy.fill()
        history = proxy.command_history("cmd", 10)
        assert [h.extract() for h in history[:2]] == [1, 2]
        assert history[1].get_date().totime() == 1002.0
        assert history[2].has_failed()


class Alarmed(Device):
    hardware_read = False

    def init_device(self) -> None:
        super().init_device()
        self.set_state(DevState.ON)

    def read_attr_hardware(self, attr_list: list[int]) -> Any:
        Alarmed.hardware_read = True
        return Device.read_attr_hardware(self, attr_list)  # the base's completed awaitable

    @attribute(max_alarm=0)
    def level(self) -> int:
        return 42


class SetAlarm(Device):
    def init_device(self) -> None:
        self.set_state(DevState.ALARM)


def test_state_reads_the_hardware_and_keeps_a_device_alarm() -> None:
    with DeviceTestContext(Alarmed) as proxy:
        assert proxy.state() == DevState.ALARM
        assert Alarmed.hardware_read
    with DeviceTestContext(SetAlarm) as proxy:
        assert proxy.state() == DevState.ALARM


class SelfPolled(Device):
    def init_device(self) -> None:
        super().init_device()
        assert self.get_attribute_poll_period("level") == 1000  # declared
        self.poll_attribute("level", 300)
        self.poll_command("ping_me", 400)
        self.stop_poll_attribute("level")
        self.poll_attribute("level", 200)

    @attribute(polling_period=1000)
    def level(self) -> int:
        return 1

    @command(dtype_out=int)
    def ping_me(self) -> int:
        return 2

    @command(dtype_out=str)
    def periods(self) -> str:
        self.stop_poll_command("ping_me")
        polled = self.is_command_polled("ping_me")
        return f"{self.get_attribute_poll_period('level')} {polled}"


def test_a_device_sets_its_own_polling() -> None:
    with DeviceTestContext(SelfPolled) as proxy:
        assert proxy.get_attribute_poll_period("level") == 200
        assert proxy.get_command_poll_period("ping_me") == 400
        assert proxy.periods() == "200 False"
        assert not proxy.is_command_polled("ping_me")


def test_run_with_a_dict_of_classic_pairs() -> None:
    port = free_port()
    code = f"""
import sys
sys.path.insert(0, {str(PEER.parent)!r})
sys.argv = ["classic_peer.py", "puretango"]
from puretango.server import run
from classic_peer import ClassicPeer, ClassicPeerClass
run({{"Renamed": (ClassicPeerClass, ClassicPeer)}},
    args=["Renamed", "x", "-nodb", "-dlist", "a/b/c", "-ORBendPoint", "giop:tcp:{HOST}:{port}"])
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=peer_env()
    )
    try:
        assert proc.stdout is not None
        assert "Ready to accept request" in proc.stdout.readline()
        proxy = DeviceProxy(f"tango://{HOST}:{port}/a/b/c#dbase=no")
        assert proxy.info().dev_class == "Renamed"
        assert proxy.speed == 2.5
        DeviceProxy(proxy.adm_name()).command_inout("Kill")
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- descriptions ------------------------------------------------------------------------------


def test_attr_data_reads_attr_list_entries_with_pytango_checks() -> None:
    data = AttrData("a", "K", [[C.DevDouble, F.SPECTRUM, W.READ, 7], {"memorized": "TRUE"}])
    assert (data.dim_x, data.memorized, data.hw_memorized) == (7, True, True)
    attr = data.to_attr()
    assert isinstance(attr, SpectrumAttr) and attr.get_max_dim_x() == 7
    with pytest.raises(DevFailed, match="must have 4 elements"):
        AttrData("a", "K", [[C.DevDouble, F.SPECTRUM, W.READ]])
    with pytest.raises(DevFailed, match="Missing 'enum_labels' key"):
        AttrData("a", "K", [[C.DevEnum, F.SCALAR, W.READ], {}])
    with pytest.raises(DevFailed, match="Wrong definition of attribute"):
        AttrData.from_dict({"name": "a", "I DONT EXIST": None})
    assert AttrData.from_dict({"name": "a", "delta_time": 1234}).att_prop.delta_t == "1234"


def test_attr_to_attribute_carries_the_default_properties() -> None:
    props = UserDefaultAttrProp()
    props.set_label("Volts")
    props.set_unit("V")
    props.set_event_abs_change("0.5")
    attr = Attr("volts", C.DevDouble, W.READ_WRITE)
    attr.set_default_properties(props)
    attr.set_memorized()
    attr.set_memorized_init(False)
    decl = attr.to_attribute()
    assert decl.name == "volts" and decl.data_type is C.DevDouble
    assert decl.kwargs["label"] == "Volts" and decl.kwargs["abs_change"] == "0.5"
    assert decl.kwargs["memorized"] and not decl.kwargs["hw_memorized"]


@pytest.fixture(autouse=True)
def _no_util_left() -> Iterator[None]:
    yield
    Util._instance = None
