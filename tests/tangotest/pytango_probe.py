"""Runs inside a real PyTango client (a fresh interpreter): probes a TangoTest device and
prints one JSON report line. ``python -c "import pytango_probe; pytango_probe.main(TRL)"``
with this folder on ``sys.path``; the tests compare the report with :mod:`spec`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import spec
import tango


def js(value: Any) -> Any:
    """A JSON-able copy of a value PyTango returned."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [js(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return value


def error(exc: tango.DevFailed) -> list[str]:
    return [exc.args[0].reason, exc.args[0].desc, exc.args[0].origin]


def describe(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(value).__name__, "shape": list(np.shape(value))}
    if isinstance(value, np.ndarray):
        out["dtype"] = str(value.dtype)
        if value.size and value.dtype.kind in "biuf":
            out["min"], out["max"] = float(value.min()), float(value.max())
    elif isinstance(value, (tuple, list)):
        flat = (
            [s for row in value for s in row]
            if value and isinstance(value[0], (tuple, list))
            else list(value)
        )
        out["sample"] = flat[:3]
        out["all_str"] = all(isinstance(s, str) for s in flat)
    else:
        out["value"] = js(value)
    return out


def read_all(dev: tango.DeviceProxy, names: list[str]) -> dict[str, Any]:
    reads: dict[str, Any] = {}
    for name in names:
        try:
            reads[name] = describe(dev.read_attribute(name).value)
        except tango.DevFailed as exc:
            reads[name] = {"error": error(exc)}
    return reads


def configs(dev: tango.DeviceProxy) -> dict[str, Any]:
    out = {}
    for c in dev.attribute_list_query_ex():
        out[c.name] = {
            "data_type": tango.CmdArgType(c.data_type).name,
            "data_format": tango.AttrDataFormat(c.data_format).name,
            "writable": tango.AttrWriteType(c.writable).name,
            "max_dim_x": c.max_dim_x,
            "max_dim_y": c.max_dim_y,
            "label": c.label,
            "description": c.description,
            "min_value": c.min_value,
            "max_value": c.max_value,
            "enum_labels": list(c.enum_labels),
            "writable_attr_name": c.writable_attr_name,
        }
    return out


def commands(dev: tango.DeviceProxy) -> dict[str, Any]:
    return {
        c.cmd_name: {
            "in_type": tango.CmdArgType(c.in_type).name,
            "out_type": tango.CmdArgType(c.out_type).name,
            "level": tango.DispLevel(c.disp_level).name,
            "in_type_desc": c.in_type_desc,
            "out_type_desc": c.out_type_desc,
        }
        for c in dev.command_list_query()
    }


def echoes(dev: tango.DeviceProxy) -> dict[str, Any]:
    out = {"DevVoid": js(dev.command_inout("DevVoid"))}
    for name, (arg, _) in spec.ECHOES.items():
        result = dev.command_inout(name, arg)
        item: dict[str, Any] = {"type": type(result).__name__, "value": js(result)}
        if isinstance(result, np.ndarray):
            item["dtype"] = str(result.dtype)
        elif isinstance(result, (list, tuple)) and result and isinstance(result[0], np.ndarray):
            item["dtype"] = str(result[0].dtype)
        out[name] = item
    return out


def state_machine(dev: tango.DeviceProxy) -> dict[str, Any]:
    out: dict[str, Any] = {"initial": str(dev.state())}
    dev.command_inout("SwitchStates")
    out["after_switch"] = str(dev.state())
    out["status_after_switch"] = dev.status()
    out["echo_in_fault"] = js(dev.command_inout("DevLong", 5))  # FAULT disables nothing
    out["read_in_fault"] = describe(dev.read_attribute("long_scalar").value)
    dev.command_inout("SwitchStates")
    out["after_second_switch"] = str(dev.state())
    for name in ("DumpExecutionState", "CrashFromDevelopperThread", "CrashFromOmniThread"):
        out[name] = js(dev.command_inout(name))
    return out


def writes(dev: tango.DeviceProxy) -> dict[str, Any]:
    out = {}
    for name, value in spec.WRITES.items():
        try:
            dev.write_attribute(name, value)
            attr = dev.read_attribute(name)
            out[name] = {
                "value": js(attr.value),
                "w_value": js(attr.w_value),
                "read": describe(attr.value),
            }
        except tango.DevFailed as exc:
            out[name] = {"error": error(exc)}
    return out


def quirks(dev: tango.DeviceProxy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # echo mode: the scalars read their (or their sibling's) last written value
    dev.write_attribute("echo_mode", True)
    out["echo"] = {
        n: js(dev.read_attribute(n).value)
        for n in (
            "long_scalar",
            "long_scalar_rww",
            "short_scalar",
            "short_scalar_rww",
            "double_scalar",
            "double_scalar_rww",
            "long64_scalar",
            "ulong64_scalar",
            "uchar_scalar",
            "ushort_scalar",
            "float_scalar",
            "boolean_scalar",
        )
    }
    dev.write_attribute("echo_mode", False)
    # enum_spectrum writes cannot make it longer; enum_spectrum_ro shares its length
    dev.write_attribute("enum_spectrum", [0, 1, 2, 1, 0])
    out["enum_spectrum_len"] = len(dev.read_attribute("enum_spectrum").value)
    out["enum_spectrum_ro_len"] = len(dev.read_attribute("enum_spectrum_ro").value)
    out["enum_image_ro_shape"] = list(np.shape(dev.read_attribute("enum_image_ro").value))
    out["long_image_head"] = js(dev.read_attribute("long_image").value.reshape(-1)[:6])
    return out


def wave(dev: tango.DeviceProxy, timeout: float = 5.0) -> dict[str, Any]:
    """Wait until the data generated after the writes of ampli/freq show up in wave."""
    ampli = spec.WRITES["ampli"]
    t0 = time.monotonic()
    while True:
        values = dev.read_attribute("wave").value
        if abs(np.abs(values).max() - ampli) < 1e-3 or time.monotonic() - t0 > timeout:
            return {"values": js(values), "waited": time.monotonic() - t0}
        time.sleep(0.1)


def after_init(dev: tango.DeviceProxy) -> dict[str, Any]:
    dev.command_inout("SwitchStates")
    dev.command_inout("Init")
    return {"state": str(dev.state()), "string_scalar": dev.read_attribute("string_scalar").value}


def main(trl: str) -> None:
    dev = tango.DeviceProxy(trl)
    names = list(dev.get_attribute_list())
    report: dict[str, Any] = {
        "state": str(dev.state()),
        "status": dev.status(),
        "dev_class": dev.info().dev_class,
        "adm_name": dev.adm_name(),
        "attribute_list": names,
        "configs": configs(dev),
        "commands": commands(dev),
        "reads": read_all(dev, names),
        "initial_wave": js(dev.read_attribute("wave").value),
    }
    report["state_machine"] = state_machine(dev)
    report["echoes"] = echoes(dev)
    report["writes"] = writes(dev)
    report["quirks"] = quirks(dev)
    report["wave"] = wave(dev)
    report["after_init"] = after_init(dev)
    print(json.dumps(report))
