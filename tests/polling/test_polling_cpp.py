"""Our client polling the C++ TangoTest of cppTango 9.3 (IDL 5), registered in the C++
DataBaseds (started with ``../shared/peers/cpp-tango``; skipped only when that script is
absent): periods through its admin device's DevPollStatus, the history of a polled
attribute and command, and ``polled_attr`` stored in its Database."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
from peers.launch import CPP_TANGO, CppTangoTest, cpp_database

import puretango as tango

if not CPP_TANGO.exists():
    pytest.skip(f"{CPP_TANGO} is absent", allow_module_level=True)

TAG = f"poll{os.getpid()}{uuid.uuid4().hex[:6]}"
SERVER = f"TangoTest/{TAG}"
DEVICE = f"test/{TAG}/1"


@pytest.fixture(scope="module")
def tangotest() -> Iterator[str]:
    """A C++ DataBaseds and the C++ TangoTest ``DEVICE`` in it; yields TANGO_HOST."""
    with cpp_database() as tango_host:
        db = tango.Database(*tango_host.split(":"))
        info = tango.DbDevInfo()
        info.name, info._class, info.server = DEVICE, "TangoTest", SERVER
        db.add_server(SERVER, info, with_dserver=True)
        try:
            with CppTangoTest(tango_host, TAG, DEVICE):
                yield tango_host
        finally:
            db.delete_server(SERVER)


def test_our_client_polls_cpp_tangotest(tangotest: str) -> None:
    dev = tango.DeviceProxy(f"tango://{tangotest}/{DEVICE}")
    assert not dev.is_attribute_polled("double_scalar")
    dev.poll_attribute("double_scalar", 100)
    dev.poll_attribute("long_spectrum_ro", 100)
    dev.poll_command("DevVoid", 150)  # a command without input: polled as any other
    time.sleep(0.6)
    assert dev.get_attribute_poll_period("double_scalar") == 100
    assert dev.is_command_polled("devvoid") and dev.get_command_poll_period("DevVoid") == 150
    status = dev.polling_status()
    together = "Time needed for the last attributes (double_scalar + long_spectrum_ro) reading"
    assert any(together in s for s in status), status
    history = dev.attribute_history("double_scalar", 3)
    assert len(history) == 3 and not any(h.has_failed for h in history)
    assert all(isinstance(h.value, float) and h.w_value is not None for h in history)
    spectra = dev.attribute_history("long_spectrum_ro", 2)
    assert [h.dim_x for h in spectra] == [len(h.value) for h in spectra]
    voids = dev.command_history("DevVoid", 2)
    assert len(voids) == 2 and not voids[0].has_failed()
    db = tango.Database(*tangotest.split(":"))
    stored = db.get_device_property(DEVICE, ["polled_attr"])["polled_attr"]
    assert list(stored) == ["double_scalar", "100", "long_spectrum_ro", "100"]
    dev.stop_poll_attribute("double_scalar")
    dev.stop_poll_attribute("long_spectrum_ro")
    dev.stop_poll_command("DevVoid")
    assert not dev.is_attribute_polled("double_scalar")
