"""What a real PyTango client sees of a TypeDev device: run as a script, prints JSON.

``python _probe.py TRL`` talks to the TypeDev device at ``TRL`` with ``tango.DeviceProxy``
and prints one JSON document (last line of stdout) describing everything observable:
values and DeviceAttribute metadata of every attribute, attribute configurations,
write-then-read of every READ_WRITE attribute, Echo command results, error stacks,
command queries, attribute/command lists, identity and the admin device.

The same script runs against the PyTango TypeDev and the puretango TypeDev; the test
compares the two documents. Values are serialised with their Python/numpy types, so
"same value" means same type too. The probe also checks each value against
``typedev_values`` itself (``*_ok`` booleans).
"""

from __future__ import annotations

import enum
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import tango

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))
import typedev_values as tv  # noqa: E402

_BIG = 1024  # arrays longer than this are summarised (dtype, shape, sha256 of the bytes)


def ser(v: Any) -> Any:
    """A JSON-able, type-preserving description of a value returned by PyTango."""
    if isinstance(v, np.ndarray):
        out: dict[str, Any] = {"t": "ndarray", "dtype": str(v.dtype), "shape": list(v.shape)}
        if v.size > _BIG:
            out["sha256"] = hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()
        else:
            out["v"] = ser(v.tolist())
        return out
    if isinstance(v, enum.Enum):
        return {"t": f"enum {type(v).__name__}", "name": v.name, "v": int(v.value)}
    if isinstance(v, bool | np.bool_):
        return {"t": type(v).__name__, "v": bool(v)}
    if isinstance(v, int | np.integer):
        return {"t": type(v).__name__, "v": int(v)}
    if isinstance(v, float | np.floating):
        return {"t": type(v).__name__, "v": repr(float(v))}  # repr keeps -0.0, inf
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, bytes | bytearray):
        return {"t": type(v).__name__, "v": bytes(v).hex()}
    if isinstance(v, list | tuple):
        return {"t": type(v).__name__, "v": [ser(x) for x in v]}
    if v is None:
        return {"t": "None"}
    return {"t": type(v).__name__, "repr": repr(v)}


def errors_of(exc: BaseException) -> dict[str, Any]:
    """Exception class and its DevError stack."""
    if isinstance(exc, tango.DevFailed):
        stack = [
            {"reason": e.reason, "desc": e.desc, "origin": e.origin, "severity": int(e.severity)}
            for e in exc.args
        ]
        return {"exc": type(exc).__name__, "stack": stack}
    return {"exc": type(exc).__name__, "text": str(exc)}


def attempt(fn: Any, *args: Any) -> dict[str, Any]:
    """Call ``fn``; describe its result or its exception."""
    try:
        result = fn(*args)
    except Exception as exc:  # noqa: BLE001 - what failed is the observation
        return {"raised": errors_of(exc)}
    return {"result": ser(result)}


def metadata(da: Any) -> dict[str, Any]:
    """The DeviceAttribute fields compared between servers (not time)."""
    out = {
        "name": da.name,
        "data_format": str(da.data_format),
        "type": str(da.type),
        "dim_x": da.dim_x,
        "dim_y": da.dim_y,
        "w_dim_x": da.w_dim_x,
        "w_dim_y": da.w_dim_y,
        "r_dimension": [da.r_dimension.dim_x, da.r_dimension.dim_y],
        "w_dimension": [da.w_dimension.dim_x, da.w_dimension.dim_y],
        "nb_read": da.nb_read,
        "nb_written": da.nb_written,
        "quality": str(da.quality),
        "has_failed": da.has_failed,
        "is_empty": da.is_empty,
    }
    if da.has_failed:
        out["err_stack"] = [[e.reason, e.desc, int(e.severity)] for e in da.get_err_stack()]
    else:
        out["value"] = ser(da.value)
        out["w_value"] = ser(da.w_value)
    return out


def attr_config(c: Any) -> dict[str, Any]:
    """The AttributeInfoEx fields compared between servers."""
    al, ev = c.alarms, c.events
    return {
        "name": c.name,
        "writable": str(c.writable),
        "data_format": str(c.data_format),
        "data_type": int(c.data_type),
        "max_dim_x": c.max_dim_x,
        "max_dim_y": c.max_dim_y,
        "label": c.label,
        "unit": c.unit,
        "standard_unit": c.standard_unit,
        "display_unit": c.display_unit,
        "format": c.format,
        "description": c.description,
        "min_value": c.min_value,
        "max_value": c.max_value,
        "min_alarm": c.min_alarm,
        "max_alarm": c.max_alarm,
        "alarms": [
            al.min_alarm, al.max_alarm, al.min_warning, al.max_warning, al.delta_t, al.delta_val,
        ],
        "events": [
            ev.ch_event.rel_change, ev.ch_event.abs_change, ev.per_event.period,
            ev.arch_event.archive_rel_change, ev.arch_event.archive_abs_change,
            ev.arch_event.archive_period,
        ],
        "enum_labels": list(c.enum_labels),
        "writable_attr_name": c.writable_attr_name,
        "disp_level": str(c.disp_level),
        "memorized": str(c.memorized),
        "root_attr_name": c.root_attr_name,
    }  # fmt: skip


def cmd_info(c: Any) -> dict[str, Any]:
    """CommandInfo fields."""
    return {
        "cmd_name": c.cmd_name,
        "cmd_tag": c.cmd_tag,
        "in_type": str(c.in_type),
        "out_type": str(c.out_type),
        "in_type_desc": c.in_type_desc,
        "out_type_desc": c.out_type_desc,
        "disp_level": str(c.disp_level),
    }


def probe(trl: str) -> dict[str, Any]:
    """Everything observable about the device at ``trl``."""
    dev = tango.DeviceProxy(trl)
    dev.set_timeout_millis(10_000)
    dev.command_inout(tv.RESET_COMMAND)
    out: dict[str, Any] = {}

    # ---- identity, lists, admin device
    info = dev.info()
    admin = tango.DeviceProxy(dev.adm_name())
    out["identity"] = {
        "name": dev.name(),
        "dev_name": dev.dev_name(),
        "adm_name": dev.adm_name(),
        "state": str(dev.state()),
        "status": dev.status(),
        "description": dev.description(),
        "ping_ok": dev.ping() >= 0,
        "info": {
            "dev_class": info.dev_class,
            "dev_type": info.dev_type,
            "server_id": info.server_id,
            "server_host": info.server_host,
            "server_version": info.server_version,
            "doc_url": info.doc_url,
            "version_info": dict(info.version_info),
        },
        "admin_state": str(admin.state()),
        "admin_status": admin.status(),
        "QueryClass": ser(admin.command_inout("QueryClass")),
        "QueryDevice": ser(admin.command_inout("QueryDevice")),
        "admin_info_dev_class": admin.info().dev_class,
        "admin_commands": sorted(admin.get_command_list()),
    }
    out["attribute_list"] = sorted(dev.get_attribute_list())
    out["command_list"] = sorted(dev.get_command_list())

    # ---- reads (fresh values) of everything readable
    read_names = tv.all_attr_names() + ["State", "Status"]
    read: dict[str, Any] = {}
    for name in read_names:
        try:
            da = dev.read_attribute(name)
        except tango.DevFailed as exc:
            read[name] = {"raised": errors_of(exc)}
            continue
        entry = metadata(da)
        if name in tv.typed_attr_names():
            spec = tv.by_attr_name(name)
            entry["value_ok"] = tv.same_value(da.value, spec.read)
            if name == spec.rw_name:
                entry["w_value_ok"] = tv.same_value(da.w_value, spec.setpoint)
        read[name] = entry
    out["read"] = read
    out["counter"] = [int(dev.read_attribute(tv.COUNTER_ATTR).value) for _ in range(3)]
    multi = dev.read_attributes(["double_scalar_ro", tv.FAILING_ATTR, tv.DEVFAILED_ATTR, "State"])
    out["read_attributes_mixed"] = [metadata(da) for da in multi]

    # ---- attribute configuration
    out["config"] = {name: attr_config(dev.get_attribute_config(name)) for name in read_names}
    out["config_all"] = sorted(c.name for c in dev.attribute_list_query_ex())

    # ---- write then read every READ_WRITE attribute
    written: dict[str, Any] = {}
    for spec in tv.ATTRS.values():
        name = spec.rw_name
        try:
            dev.write_attribute(name, spec.write)
            da = dev.read_attribute(name)
        except tango.DevFailed as exc:
            written[name] = {"raised": errors_of(exc)}
            continue
        entry = metadata(da)
        entry["value_ok"] = tv.same_value(da.value, spec.write)
        entry["w_value_ok"] = tv.same_value(da.w_value, spec.write)
        written[name] = entry
    wr = dev.write_read_attribute("double_scalar_rw", 6.5)
    written["write_read_attribute"] = metadata(wr)
    dev.command_inout(tv.RESET_COMMAND)
    after_reset = dev.read_attribute("double_scalar_rw")
    written["after_reset"] = {"value": ser(after_reset.value), "w_value": ser(after_reset.w_value)}
    out["write"] = written

    # ---- Echo commands
    echo: dict[str, Any] = {}
    for cmd in tv.ECHO_COMMANDS.values():
        args = () if cmd.tango_type == "DevVoid" else (cmd.arg,)
        res = attempt(dev.command_inout, cmd.name, *args)
        if "result" in res:
            result = dev.command_inout(cmd.name, *args)
            res["same_as_arg"] = (
                cmd.arg is None
                and result is None
                or tv.same_value(result, cmd.arg, check_dtype=False)
            )
        echo[cmd.name] = res
    echo["GetPid_type"] = type(dev.command_inout(tv.GETPID_COMMAND)).__name__
    echo["Sleep"] = attempt(dev.command_inout, tv.SLEEP_COMMAND, 0.01)
    echo["Init"] = attempt(dev.command_inout, "Init")
    echo["State"] = attempt(dev.command_inout, "State")
    echo["Status"] = attempt(dev.command_inout, "Status")
    out["echo"] = echo

    # ---- error stacks
    def raw_string_to(cmd: str) -> Any:
        data = tango.DeviceData()
        data.insert(tango.CmdArgType.DevString, "not a number")
        return dev.command_inout_raw(cmd, data)

    errors = {
        "Fail": attempt(dev.command_inout, tv.FAIL_COMMAND),
        "PyError": attempt(dev.command_inout, tv.PYERROR_COMMAND),
        "NoSuchCommand": attempt(dev.command_inout, "NoSuchCommand"),
        "failing_attr": attempt(dev.read_attribute, tv.FAILING_ATTR),
        "devfailed_attr": attempt(dev.read_attribute, tv.DEVFAILED_ATTR),
        "no_such_attribute": attempt(dev.read_attribute, "no_such_attribute"),
        "config_no_such_attribute": attempt(dev.get_attribute_config, "no_such_attribute"),
        "write_ro": attempt(dev.write_attribute, "double_scalar_ro", 1.0),
        "write_no_such_attribute": attempt(dev.write_attribute, "no_such_attribute", 1.0),
        "write_spectrum_too_long": attempt(
            dev.write_attribute, "double_spectrum_rw", np.zeros(tv.SPECTRUM_MAX_X + 1)
        ),
        "write_image_too_wide": attempt(
            dev.write_attribute, "double_image_rw", np.zeros((2, tv.IMAGE_MAX_X + 1))
        ),
        "write_image_too_tall": attempt(
            dev.write_attribute, "long_image_rw", np.zeros((tv.IMAGE_MAX_Y + 1, 2), np.int32)
        ),
        "write_string_spectrum_too_long": attempt(
            dev.write_attribute, "string_spectrum_rw", ["s"] * (tv.SPECTRUM_MAX_X + 1)
        ),
        "write_empty_spectrum": attempt(
            dev.write_attribute, "long_spectrum_rw", np.zeros(0, np.int32)
        ),
        "missing_argin": attempt(dev.command_inout, "EchoDouble"),
        "wrong_argin_type": attempt(raw_string_to, "EchoDouble"),
        "argin_to_void_command": attempt(raw_string_to, "Reset"),
        "command_query_no_such": attempt(dev.command_query, "NoSuchCommand"),
    }
    out["errors"] = errors
    out["errors_left_state"] = {
        name: {
            "value": ser(da.value),
            "w_value": ser(da.w_value),
            "w_dim": [da.w_dim_x, da.w_dim_y],
        }
        for name in ("double_spectrum_rw", "double_image_rw", "long_image_rw", "long_spectrum_rw")
        for da in [dev.read_attribute(name)]
    }

    # ---- command queries
    out["command_query"] = {
        name: cmd_info(dev.command_query(name)) for name in dev.get_command_list()
    }
    out["command_list_query"] = sorted(
        (cmd_info(c) for c in dev.command_list_query()), key=lambda c: c["cmd_name"]
    )

    dev.command_inout(tv.RESET_COMMAND)
    return out


def main() -> None:
    print(json.dumps(probe(sys.argv[1])))


if __name__ == "__main__":
    main()
