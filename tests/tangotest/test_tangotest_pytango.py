"""puretango's TangoTest served to a real PyTango client: every attribute, every command.

One PyTango client run (:mod:`.pytango_probe`) probes the device and reports in JSON;
the tests below compare that report with what the C++ TangoTest declares (:mod:`.spec`).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from peers.launch import run_pytango_client

from . import spec
from .conftest import DEVICE, TangoTestServer

pytest.importorskip("tango")

HERE = Path(__file__).resolve().parent
KPI_DEG = 3.14159 / 180.0


@pytest.fixture(scope="module")
def report(tangotest_server: TangoTestServer) -> dict[str, Any]:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import pytango_probe; "
        f"pytango_probe.main({tangotest_server.trl(DEVICE)!r})"
    )
    out = run_pytango_client(code, timeout=60)
    return json.loads(out.strip().splitlines()[-1])


def test_identity_and_initial_state(report: dict[str, Any]) -> None:
    assert report["dev_class"] == "TangoTest"
    assert report["adm_name"].endswith("dserver/TangoTest/test#dbase=no")
    assert report["state"] == "RUNNING"
    assert report["status"] == "The device is in RUNNING state."


def test_attribute_list(report: dict[str, Any]) -> None:
    names = report["attribute_list"]
    assert len(names) == len(set(names)) == 70
    assert set(names) == set(spec.ATTRIBUTES) | {"State", "Status"}


@pytest.mark.parametrize("name", list(spec.ATTRIBUTES))
def test_attribute_config(report: dict[str, Any], name: str) -> None:
    tango_type, fmt, access, max_x, max_y = spec.ATTRIBUTES[name]
    config = report["configs"][name]
    assert [config["data_type"], config["data_format"], config["writable"]] == [
        tango_type,
        fmt,
        access,
    ]
    assert (config["max_dim_x"], config["max_dim_y"]) == (max_x, max_y)
    expected = {
        "label": name,
        "description": "No description",
        "min_value": "Not specified",
        "max_value": "Not specified",
        **spec.CONFIG.get(name, {}),
    }
    assert {key: config[key] for key in expected} == expected
    assert config["enum_labels"] == spec.ENUM_LABELS.get(name, [])


@pytest.mark.parametrize(
    "name", [n for n, s in spec.ATTRIBUTES.items() if n not in ("no_value", "throw_exception")]
)
def test_read_gives_right_type_and_shape(report: dict[str, Any], name: str) -> None:
    tango_type, fmt, _, _, _ = spec.ATTRIBUTES[name]
    read = report["reads"][name]
    assert "error" not in read, read
    assert tuple(read["shape"]) == spec.read_shape(name)
    if tango_type == "DevString":
        assert read["type"] == ("str" if fmt == spec.S else "tuple")
        if fmt != spec.S:
            assert read["all_str"]
    elif fmt == spec.S:
        assert read["type"] == spec.PYTHON_SCALAR.get(tango_type, "int")
    else:
        assert read["type"] == "ndarray"
        assert read["dtype"] == spec.NUMPY[tango_type]


def test_read_errors(report: dict[str, Any]) -> None:
    assert report["reads"]["no_value"]["error"][0] == "API_AttrValueNotSet"
    assert report["reads"]["throw_exception"]["error"] == [
        "exception test",
        "here is the exception you requested",
        "TangoTest::read_throw_exception",
    ]


def test_initial_values(report: dict[str, Any]) -> None:
    reads = report["reads"]
    assert reads["boolean_scalar"]["value"] is True
    assert reads["string_scalar"]["value"] == "Default string"
    assert reads["echo_mode"]["value"] is False
    for name in ("ampli", "freq", "double_scalar_w", "long_scalar_w", "short_scalar_w"):
        assert reads[name]["value"] == 0  # never written: the type's zero, as cppTango sends
    assert abs(reads["double_scalar"]["value"]) <= 256
    for name in (
        "short_scalar",
        "short_scalar_ro",
        "long_scalar",
        "ulong_scalar",
        "long64_scalar",
        "ulong64_scalar",
        "long_scalar_rww",
        "short_scalar_rww",
    ):
        assert 0 <= reads[name]["value"] < 256, name
    # the set points of uchar_scalar and ushort_scalar start at 0
    assert reads["uchar_scalar"]["value"] == reads["ushort_scalar"]["value"] == 0
    assert reads["enum_scalar"]["value"] in (0, 1) and reads["enum_scalar_ro"]["value"] in (0, 1)
    for kind in spec.RANDOM_SPECTRA:
        r = reads[f"{kind}_spectrum_ro"]
        assert 0 <= r["min"] <= r["max"] < 256
    for kind in ("double", "float", "long", "short", "uchar", "ushort", "boolean"):
        # zeros at init
        assert reads[f"{kind}_spectrum"]["max"] == reads[f"{kind}_image"]["max"] == 0
    for kind in ("short", "long", "ulong", "long64", "ulong64", "float", "double"):
        r = reads[f"{kind}_image_ro"]
        assert r["min"] == 0 and 20 <= r["max"] <= 40  # a conical spot on a zero background
    assert reads["uchar_image_ro"]["max"] <= 255 and reads["boolean_image_ro"]["dtype"] == "bool"
    assert re.fullmatch(r"\[00\]::hello-world-\d{4}", reads["string_spectrum_ro"]["sample"][0])
    assert re.fullmatch(r"\[01\]\[00\]::hello world::\d{4}", reads["string_image_ro"]["sample"][1])


def test_initial_wave(report: dict[str, Any]) -> None:
    wave = np.array(report["initial_wave"])
    assert wave.shape == (256,)
    assert _wave_phase(wave, 1.0, 10.0) is not None


def _wave_phase(wave: np.ndarray, ampli: float, freq: float) -> int | None:
    """The k (mod 360) for which wave = ampli * sin(freq * kpi * (i + k)), if any."""
    i = np.arange(256)
    for k in range(360):
        if np.allclose(wave, ampli * np.sin(freq * KPI_DEG * (i + k)), atol=1e-9):
            return k
    return None


def test_wave_follows_ampli_and_freq(report: dict[str, Any]) -> None:
    wave = np.array(report["wave"]["values"])
    assert wave.shape == (256,)
    assert math.isclose(np.abs(wave).max(), spec.WRITES["ampli"], rel_tol=1e-4)
    assert _wave_phase(wave, spec.WRITES["ampli"], spec.WRITES["freq"]) is not None
    assert report["wave"]["waited"] < 2.5  # Sleep_period is 2 s


def test_state_machine(report: dict[str, Any]) -> None:
    sm = report["state_machine"]
    assert sm["initial"] == "RUNNING"
    assert sm["after_switch"] == "FAULT"
    assert sm["status_after_switch"] == "The device is in FAULT state."
    assert sm["echo_in_fault"] == 5 and "error" not in sm["read_in_fault"]
    assert sm["after_second_switch"] == "RUNNING"
    assert sm["DumpExecutionState"] is None
    assert report["after_init"] == {"state": "RUNNING", "string_scalar": "Default string"}


def test_command_list(report: dict[str, Any]) -> None:
    cmds = report["commands"]
    assert set(cmds) == set(spec.COMMANDS)
    for name, (in_type, out_type, level) in spec.COMMANDS.items():
        assert [cmds[name][key] for key in ("in_type", "out_type", "level")] == [
            in_type,
            out_type,
            level,
        ]
    assert cmds["DevBoolean"]["in_type_desc"] == "Any boolean value"
    assert cmds["DevDouble"]["out_type_desc"] == "Echo of the argin value"
    descriptions = {n: (c["in_type_desc"], c["out_type_desc"]) for n, c in cmds.items()}
    assert descriptions["DevVoid"] == ("N/A", "N/A")
    assert descriptions["DevString"] == descriptions["DevVarStringArray"] == ("-", "-")
    assert descriptions["DevVarLong64Array"] == ("Uninitialised", "Uninitialised")
    assert report["echoes"]["DevVoid"] is None


@pytest.mark.parametrize("name", list(spec.ECHOES))
def test_echo_command(report: dict[str, Any], name: str) -> None:
    arg, dtype = spec.ECHOES[name]
    echo = report["echoes"][name]
    assert echo["value"] == arg
    if dtype is not None:
        assert echo["dtype"] == dtype
    elif isinstance(arg, list):
        assert echo["type"] == "list"
    else:
        assert echo["type"] == type(arg).__name__


@pytest.mark.parametrize("name", list(spec.WRITES))
def test_write_round_trip(report: dict[str, Any], name: str) -> None:
    written = spec.WRITES[name]
    result = report["writes"][name]
    assert "error" not in result, result
    assert result["w_value"] == written
    if name in spec.READS_WHAT_WAS_WRITTEN:
        assert result["value"] == written


def test_write_quirks_of_the_cpp_device(report: dict[str, Any]) -> None:
    writes, quirks = report["writes"], report["quirks"]
    assert writes["long_image"]["read"]["shape"] == [251, 251]  # long_image always reads 251 x 251
    assert quirks["long_image_head"] == [v for row in spec.WRITES["long_image"] for v in row]
    assert writes["enum_spectrum"]["read"]["shape"] == [3]
    # writes cannot lengthen enum_spectrum, and enum_spectrum_ro has its length
    assert quirks["enum_spectrum_len"] == quirks["enum_spectrum_ro_len"] == 3
    assert writes["enum_image"]["read"]["shape"] == [3, 2]
    assert quirks["enum_image_ro_shape"] == [3, 2]  # dims shared with enum_image


def test_echo_mode(report: dict[str, Any]) -> None:
    w = spec.WRITES
    assert report["quirks"]["echo"] == {
        "long_scalar": w["long_scalar"], "long_scalar_rww": w["long_scalar"],
        "short_scalar": w["short_scalar"], "short_scalar_rww": w["short_scalar"],
        "double_scalar": w["double_scalar"], "double_scalar_rww": w["double_scalar"],
        "long64_scalar": w["long64_scalar"], "ulong64_scalar": w["ulong64_scalar"],
        "uchar_scalar": w["uchar_scalar"], "ushort_scalar": w["ushort_scalar"],
        "float_scalar": w["float_scalar"], "boolean_scalar": w["boolean_scalar"],
    }  # fmt: skip
