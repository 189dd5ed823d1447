"""``set_pipe_config`` from our client to the C++ TangoTest of cppTango 9.3 registered in the
C++ DataBaseds (it crashes on this call without a Database), and the same steps on our
TangoTest: the label and description after each step are the same; the C++ server also
stores them as device pipe properties."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from peers.launch import CPP_TANGO, TANGOTEST_DEVICE, CppTangoTest, TangoTestServer, cpp_database

import puretango as tango

if not CPP_TANGO.exists():
    pytest.skip(f"{CPP_TANGO} is absent", allow_module_level=True)

TAG = f"pipes{os.getpid()}{uuid.uuid4().hex[:6]}"
SERVER = f"TangoTest/{TAG}"
DEVICE = f"test/{TAG}/1"
PIPE = "string_long_short_ro"
#: (label, description) sent, in order: values, the declared defaults (""), the library's
STEPS = [("L", "D"), ("", ""), ("Lx", "Dx"), ("Not specified", "NaN"), ("NaN", "Not specified")]


@pytest.fixture(scope="module")
def cpp_device() -> Iterator[tuple[str, str]]:
    """(TANGO_HOST, TRL) of the C++ TangoTest ``DEVICE`` in a C++ DataBaseds."""
    with cpp_database() as tango_host:
        db = tango.Database(*tango_host.split(":"))
        info = tango.DbDevInfo()
        info.name, info._class, info.server = DEVICE, "TangoTest", SERVER
        db.add_server(SERVER, info, with_dserver=True)
        try:
            with CppTangoTest(tango_host, TAG, DEVICE):
                yield tango_host, f"tango://{tango_host}/{DEVICE}"
        finally:
            db.delete_server(SERVER)


def _run_steps(proxy: tango.DeviceProxy) -> list[tuple[str, str]]:
    seen = []
    for label, description in STEPS:
        info = proxy.get_pipe_config(PIPE)
        info.label, info.description = label, description
        proxy.set_pipe_config(info)
        got = proxy.pipe_query(PIPE)
        seen.append((got.label, got.description))
    return seen


def test_set_pipe_config_matches_cpp(cpp_device: tuple[str, str]) -> None:
    tango_host, trl = cpp_device
    cpp = tango.DeviceProxy(trl)
    cpp_seen = _run_steps(cpp)
    assert cpp_seen == [
        ("L", "D"),
        (PIPE, "Pipe example"),
        ("Lx", "Dx"),
        (PIPE, "Pipe example"),
        (PIPE, "No description"),
    ]
    with TangoTestServer(instance="pipecfg") as server:
        ours = tango.DeviceProxy(server.trl(TANGOTEST_DEVICE))
        assert _run_steps(ours) == cpp_seen
    # the C++ server keeps a changed label in its Database
    info = cpp.get_pipe_config(PIPE)
    info.label = "Stored"
    cpp.set_pipe_config(info)
    db = tango.DeviceProxy(f"tango://{tango_host}/sys/database/2")
    stored = list(db.command_inout("DbGetDevicePipeProperty", [DEVICE, PIPE]))
    assert stored[:2] == [DEVICE, "1"] and "Stored" in stored
    info.writable = tango.PipeWriteType.PIPE_READ_WRITE
    with pytest.raises(tango.DevFailed) as caught:
        cpp.set_pipe_config(info)
    assert caught.value.args[0].reason == "API_AttrNotAllowed"
