"""Runs in a fresh interpreter as a client of a TangoTest device and prints one JSON
report: ``python probe.py TRL MODULE MODE`` with MODULE ``tango`` (PyTango) or ``puretango``
and MODE ``read`` (every attribute read once) or ``info`` (attribute configurations and
command infos)."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import numpy as np


def shape_of(value: Any) -> dict[str, Any]:
    """Type, dtype and shape of a value; its content too when small."""
    if isinstance(value, np.ndarray):
        out: dict[str, Any] = {"dtype": str(value.dtype), "shape": list(value.shape)}
        if value.size <= 4:
            out["items"] = value.tolist()
        return out
    if isinstance(value, (tuple, list)):
        return {"type": type(value).__name__, "len": len(value)}
    return {"type": type(value).__name__}


def read_report(proxy: Any) -> dict[str, Any]:
    """Each attribute's DeviceAttribute fields (values by shape: many are random)."""
    report: dict[str, Any] = {}
    for name in proxy.get_attribute_list():
        try:
            da = proxy.read_attribute(name)
        except Exception as exc:  # noqa: BLE001 - the failure is the report
            report[name] = {"error": type(exc).__name__}
            continue
        report[name] = {
            "value": shape_of(da.value),
            "w_value": shape_of(da.w_value),
            "nb_read": da.nb_read,
            "nb_written": da.nb_written,
            "dims": [da.dim_x, da.dim_y, da.w_dim_x, da.w_dim_y],
            "quality": str(da.quality),
            "type": str(da.type),
            "data_format": str(da.data_format),
            "is_empty": da.is_empty,
            "has_failed": da.has_failed,
        }
    return report


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in dir(obj):
        if key.startswith("_") or key in skip:
            continue
        value = getattr(obj, key)
        if callable(value) and not hasattr(value, "__int__"):
            continue
        if hasattr(value, "__len__") and not isinstance(value, str):
            out[key] = [str(item) for item in value]
            continue
        if hasattr(value, "__dict__") or type(value).__module__.startswith(("tango", "pure")):
            if not isinstance(value, int):
                out[key] = _fields(value)
                continue
        out[key] = str(value) if not isinstance(value, (int, float, str, list)) else value
    return out


def info_report(proxy: Any) -> dict[str, Any]:
    """Every attribute configuration and command info, field by field."""
    attrs = {c.name: _fields(c) for c in proxy.attribute_list_query_ex()}
    cmds = {c.cmd_name: _fields(c) for c in proxy.command_list_query()}
    return {"attributes": attrs, "commands": cmds}


def main() -> None:
    trl, module, mode = sys.argv[1:4]
    tango = importlib.import_module(module)
    proxy = tango.DeviceProxy(trl)
    report = read_report(proxy) if mode == "read" else info_report(proxy)
    print(json.dumps(report, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
