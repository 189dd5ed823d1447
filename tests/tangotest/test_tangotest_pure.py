"""puretango's TangoTest with puretango's own client, and its data generator alone."""

from __future__ import annotations

import numpy as np
import pytest

import puretango
from puretango.tangotest import TangoTest, TestData
from puretango.tangotest._data import KPI_DEG
from puretango.test_context import DeviceTestContext

from . import spec
from .conftest import DEVICE, TangoTestServer


def test_every_attribute_with_puretango_client(tangotest_server: TangoTestServer) -> None:
    dev = puretango.DeviceProxy(tangotest_server.trl(DEVICE))
    assert dev.state() == puretango.DevState.RUNNING
    assert set(dev.get_attribute_list()) == set(spec.ATTRIBUTES) | {"State", "Status"}
    for name, (tango_type, fmt, access, max_x, max_y) in spec.ATTRIBUTES.items():
        config = dev.get_attribute_config(name)
        assert (config.max_dim_x, config.max_dim_y) == (max_x, max_y), name
        assert (config.data_format.name, config.writable.name) == (fmt, access), name
        if name in ("no_value", "throw_exception"):
            with pytest.raises(puretango.DevFailed):
                dev.read_attribute(name)
            continue
        value = dev.read_attribute(name).value
        assert np.shape(value) == spec.read_shape(name), name
        if fmt != spec.S and tango_type != "DevString":
            assert value.dtype == np.dtype(spec.NUMPY[tango_type]), name
    dev.write_attribute("double_spectrum", [1.0, 2.0])
    np.testing.assert_array_equal(dev.read_attribute("double_spectrum").value, [1.0, 2.0])
    assert dev.command_inout("DevVarLongStringArray", [[1, 2], ["a"]])[1] == ["a"]
    dev.command_inout("SwitchStates")
    assert dev.state() == puretango.DevState.FAULT


def test_properties_in_process() -> None:
    props = {"Mthreaded_impl": "0", "UShort_image_ro_size": "64"}
    with DeviceTestContext(TangoTest, device_name="sys/tg_test/2", properties=props) as dev:
        # Mthreaded_impl = 0 leaves the state alone
        assert dev.state() == puretango.DevState.UNKNOWN
        image = dev.read_attribute("ushort_image_ro").value
        assert image.shape == (64, 64) and image.dtype == np.uint16
        # without the generator "thread" every read request makes a new generation
        phases = [_phase(dev.read_attribute("wave").value) for _ in range(3)]
        assert phases[1] == phases[0] + 1 and phases[2] == phases[0] + 2
        dev.command_inout("SwitchStates")
        assert dev.state() == puretango.DevState.RUNNING


def _phase(wave: np.ndarray) -> int:
    i = np.arange(256)
    return next(k for k in range(360) if np.allclose(wave, np.sin(10 * KPI_DEG * (i + k))))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_generation_follows_the_clock() -> None:
    clock = FakeClock()
    data = TestData(period=2.0, clock=clock, seed=1)
    data.start()  # as the C++ thread: one generation at once
    assert (data.k, data.generation) == (1, 1)
    clock.now = 1.9
    data.tick()
    assert data.k == 1
    clock.now = 2.0
    data.tick()
    assert data.k == 2
    clock.now = 9.0  # the C++ thread would have generated at 4, 6 and 8
    data.tick()
    assert (data.k, data.generation) == (5, 3)
    data.write("echo_mode", True)  # pauses the generator
    clock.now = 20.0
    data.tick()
    assert data.k == 5
    assert data.read("long_scalar") == 256  # echo: the set point
    data.write("echo_mode", False)
    clock.now = 21.0
    data.tick()
    assert data.k == 5
    clock.now = 22.0
    data.tick()
    assert data.k == 6


def test_unthreaded_generates_on_every_tick() -> None:
    data = TestData(threaded=False, seed=2)
    for expected in (1, 2, 3):
        data.tick()
        assert data.k == expected


def test_wave_and_double_scalar_formulas() -> None:
    data = TestData(seed=3, start_k=100)
    data.write("ampli", 3.0)
    data.write("freq", 2.0)
    data.write("double_scalar", 10.0)
    data.generate()  # uses k = 100
    i = np.arange(256)
    np.testing.assert_allclose(data.read("wave"), 3.0 * np.sin(2.0 * KPI_DEG * (i + 100)))
    assert data.read("double_scalar") == pytest.approx(10.0 * np.sin(KPI_DEG * 100))
    assert data.read("double_scalar_rww") == pytest.approx(256.0 * np.sin(KPI_DEG * 100))


def test_randomize_as_cpp() -> None:
    data = TestData(seed=4)
    assert {data.randomize(v) for v in (1, 0.5, 0, -3)} == {0}
    assert {data.randomize(3.7) for _ in range(200)} == {0, 1, 2}


def test_spot_images() -> None:
    data = TestData(seed=5)
    for _ in range(20):
        image = data.spot_image(np.int32)
        assert image.shape == (251, 251) and image.dtype == np.int32
        assert image.min() == 0 and 26 <= image.max() <= 36
        row, col = np.unravel_index(image.argmax(), image.shape)
        assert abs(row - 125) <= 11 and abs(col - 125) <= 11  # centre within 5 % of the middle
        assert (image > 0).sum() > 1000


def test_lazy_images_change_only_with_generations() -> None:
    data = TestData(seed=6)
    data.generate()
    first = data.read("uchar_image_ro")
    assert data.read("uchar_image_ro") is first
    data.generate()
    assert data.read("uchar_image_ro") is not first
