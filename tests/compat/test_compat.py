"""The drop-in ``tango`` package (compat/) in an environment without PyTango: a
PyTango-style device server under ``DeviceTestContext``, clients in every green mode, the
``TangoTest`` console script, the list of missing names; and its refusal to run, or to be
built, where PyTango is installed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from peers.launch import PyTangoServer

from compat.compat_env import ROOT, CompatVenv
from compat.missing_names import MISSING

DEVICE_SERVER = textwrap.dedent(
    """
    import tango
    from tango import AttrWriteType, DevState
    from tango.server import Device, attribute, command, device_property
    from tango.test_context import DeviceTestContext


    class Motor(Device):
        speed = device_property(dtype=float, default_value=2.0)
        position = attribute(dtype=float, access=AttrWriteType.READ_WRITE, unit="mm")

        def init_device(self):
            super().init_device()
            self._position = 1.5
            self.set_state(DevState.ON)

        def read_position(self):
            return self._position

        def write_position(self, value):
            self._position = value

        @command(dtype_in=int, dtype_out=int)
        def Double(self, value):
            return 2 * value

        @command(dtype_out=float)
        def Speed(self):
            return self.speed


    with DeviceTestContext(Motor, properties={"speed": 7.5}) as proxy:
        assert isinstance(proxy, tango.DeviceProxy)
        assert proxy.state() == tango.DevState.ON
        proxy.position = 3.0
        reply = proxy.read_attribute("position")
        assert reply.value == 3.0 and reply.quality == tango.AttrQuality.ATTR_VALID
        assert proxy.get_attribute_config("position").unit == "mm"
        assert proxy.command_inout("Double", 21) == 42
        assert proxy.Speed() == 7.5
        try:
            proxy.read_attribute("no_such_attribute")
        except tango.DevFailed as exc:
            print("refused", exc.args[0].reason)
    """
)


def test_a_pytango_style_device_server_runs_under_device_test_context(
    compat_venv: CompatVenv,
) -> None:
    assert compat_venv.run(DEVICE_SERVER).split() == ["refused", "API_AttrNotFound"]


def test_the_utils_helpers_answer_as_pytango(compat_venv: CompatVenv) -> None:
    code = """
import tango
from tango import utils
assert tango.is_scalar_type(tango.DevLong) and not tango.is_scalar_type(tango.DevVarLongArray)
assert tango.is_array_type(tango.DevVarStringArray) and not tango.is_array_type(tango.DevString)
assert tango.is_numerical_type(tango.DevUShort)
assert not tango.is_numerical_type(tango.DevVarDoubleArray)
assert tango.is_numerical_type(tango.DevVarDoubleArray, inc_array=True)
assert tango.is_int_type(tango.DevLong64) and not tango.is_int_type(tango.DevDouble)
assert tango.is_float_type(tango.DevFloat) and tango.is_bool_type(tango.DevBoolean)
assert tango.is_str_type(tango.DevString) and tango.is_str_type(tango.DevVarStringArray, True)
assert utils.scalar_to_array_type(tango.DevShort) == tango.DevVarShortArray
assert tango.obj_2_str([1, 2, 3], tango.DevVarLongArray) == "1\\n2\\n3"
assert tango.obj_2_str([4.5], tango.DevDouble) == "4.5"
assert tango.seqStr_2_obj(["1", "2"], tango.DevVarLongArray) == [1, 2]
assert tango.seqStr_2_obj(["1.5"], tango.DevDouble) == 1.5
assert tango.seqStr_2_obj(["1", "2"], tango.DevLong, tango.SPECTRUM) == [1, 2]
assert tango.str_2_obj("yes", tango.DevBoolean) is True
assert tango.requires_pytango("9.3", software_name="Old")
try:
    tango.requires_pytango("99.0")
except Exception as exc:
    assert "requires pytango 99.0" in str(exc)
else:
    raise AssertionError("requires_pytango accepted 99.0")
assert utils.from_version_str_to_hex_str("9.3.4") == "0x09030400"
assert utils.get_home()
"""
    compat_venv.run(code)


EVENT_CALLBACK = textwrap.dedent(
    """
    import io, time
    import tango
    from tango.server import Device, attribute, command
    from tango.test_context import DeviceTestContext
    from tango.utils import EventCallback


    class Counter(Device):
        count = attribute(dtype=int)

        def init_device(self):
            super().init_device()
            self._count = 0
            self.set_change_event("count", True, False)

        def read_count(self):
            return self._count

        @command
        def Bump(self):
            self._count += 1
            self.push_change_event("count", self._count)


    with DeviceTestContext(Counter) as proxy:
        out = io.StringIO()
        callback = EventCallback(format="{dev_name} {name} {type} {reason} {value}", fd=out)
        event_id = proxy.subscribe_event("count", tango.EventType.CHANGE_EVENT, callback)
        proxy.Bump()
        deadline = time.monotonic() + 20
        while len(callback.get_events()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        proxy.unsubscribe_event(event_id)
        print(out.getvalue())
    """
)


def test_event_callback_prints_the_lines_pytango_prints(compat_venv: CompatVenv) -> None:
    assert compat_venv.run(EVENT_CALLBACK).splitlines()[:2] == [
        "TEST/NODB/COUNTER COUNT CHANGE SUBSUCCESS [ATTR_VALID] 0",
        "TEST/NODB/COUNTER COUNT CHANGE UPDATE [ATTR_VALID] 1",
    ]


def test_puretango_itself_never_imports_tango() -> None:
    for path in sorted((ROOT / "puretango").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            assert not any(m == "tango" or m.startswith("tango.") for m in modules), path


class ConsoleTangoTest(PyTangoServer):
    """The ``TangoTest`` console script of the drop-in, without Database, on 127.0.0.1."""

    def __init__(self, bin_dir: Path) -> None:
        super().__init__(bin_dir / "TangoTest", "test", ["sys/tg_test/1"])
        self.bin_dir = bin_dir

    def command_line(self) -> list[str]:
        endpoint = f"giop:tcp:{self.host}:{self.port}"
        devices = ",".join(self.devices)
        tangotest = str(self.bin_dir / "TangoTest")
        return [tangotest, self.instance, "-nodb", "-ORBendPoint", endpoint, "-dlist", devices]


@pytest.fixture(scope="module")
def tangotest(compat_venv: CompatVenv) -> ConsoleTangoTest:
    with ConsoleTangoTest(compat_venv.bin) as server:
        yield server


CLIENTS = {
    "sync": """
import tango
proxy = tango.DeviceProxy(TRL)
print(proxy.state(), proxy.read_attribute("short_scalar_ro").type, proxy.info().dev_class)
""",
    "futures": """
import tango, tango.futures
proxy = tango.futures.DeviceProxy(TRL)
reply = proxy.read_attribute("long_scalar", wait=False).result(10)
print(proxy.state(), reply.type, proxy.info().dev_class)
""",
    "gevent": """
import tango, tango.gevent
proxy = tango.gevent.DeviceProxy(TRL)
reply = proxy.read_attribute("double_scalar", wait=False).get(timeout=10)
print(proxy.state(), reply.type, proxy.info().dev_class)
""",
    "asyncio": """
import asyncio, tango, tango.asyncio

async def main():
    proxy = await tango.asyncio.DeviceProxy(TRL)
    reply = await proxy.read_attribute("string_scalar")
    print(await proxy.state(), reply.type, proxy.info().dev_class)

asyncio.run(main())
""",
}
EXPECTED_TYPES = {"sync": "DevShort", "futures": "DevLong", "gevent": "DevDouble"}


@pytest.mark.parametrize("mode", sorted(CLIENTS))
def test_the_tangotest_console_script_serves_clients_of_every_green_mode(
    compat_venv: CompatVenv, tangotest: ConsoleTangoTest, mode: str
) -> None:
    code = f"TRL = {tangotest.trl('sys/tg_test/1')!r}\n" + CLIENTS[mode]
    state, dtype, dev_class = compat_venv.run(code).split()
    assert state == "RUNNING" and dev_class == "TangoTest"
    assert dtype == EXPECTED_TYPES.get(mode, "DevString")


def test_the_missing_names_list_is_what_the_drop_in_lacks(
    compat_venv: CompatVenv, reference_names: dict[str, list[str]]
) -> None:
    present = compat_venv.public_names()
    lacking = {
        module: sorted(set(names) - set(present[module]))
        for module, names in reference_names.items()
        if set(names) - set(present[module])
    }
    assert lacking == MISSING, "update tests/compat/missing_names.py"


def _python_with_pytango() -> str:
    pytest.importorskip("tango")
    import tango

    if not hasattr(tango, "_tango"):
        pytest.skip("the `tango` importable here is not PyTango")
    return sys.executable


def test_importing_the_drop_in_beside_pytango_fails_with_what_to_do(tmp_path: Path) -> None:
    python = _python_with_pytango()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "compat"))
    done = subprocess.run(
        [python, "-c", "import tango"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert done.returncode != 0
    assert "ImportError: this `tango` package is puretango's drop-in" in done.stderr
    assert "PyTango is installed in the same environment" in done.stderr


def test_installing_the_drop_in_beside_pytango_is_refused(tmp_path: Path) -> None:
    python = _python_with_pytango()
    done = subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--no-deps", str(ROOT / "compat")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode != 0
    assert "puretango-compat installs a `tango` package and PyTango is installed" in (
        done.stdout + done.stderr
    )
