"""The Group scenario both clients run (``python _group_scenario.py MODULE TRL1 TRL2 DEAD``):
``MODULE`` is ``tango`` (PyTango) or ``puretango``; ``TRL1``/``TRL2`` are two TypeDev
devices, ``DEAD`` a device nobody serves. Prints one JSON document of what the client saw."""

from __future__ import annotations

import importlib
import json
import re
import sys
from typing import Any

tango: Any = importlib.import_module(sys.argv[1])
trl1, trl2, dead = sys.argv[2:5]
seen: dict[str, Any] = {}


def outcome(call: Any) -> Any:
    try:
        value = call()
    except tango.DevFailed as exc:
        return ["DevFailed", [e.reason for e in exc.args]]
    except (TypeError, KeyError) as exc:
        return [type(exc).__name__, str(exc)]
    return ["ok", value]


def reply(r: Any) -> dict[str, Any]:
    out = {
        "type": type(r).__name__,
        "dev": r.dev_name(),
        "obj": r.obj_name(),
        "failed": r.has_failed(),
        "enabled": r.group_element_enabled(),
        "reasons": [e.reason for e in r.get_err_stack()],
        "descs": [e.desc for e in r.get_err_stack()][-1:],
    }
    if r.dev_name() == dead:  # how a connection fails is the proxy's business
        out["reasons"], out["descs"] = [], []
    out["descs"] = [re.sub(r"id = \d+", "id = N", d) for d in out["descs"]]
    if type(r).__name__ == "GroupCmdReply":
        out["data"] = outcome(lambda: repr(r.get_data()))[0:1]
        if out["data"] == ["ok"]:
            out["data"] = repr(r.get_data())
    elif type(r).__name__ == "GroupAttrReply":
        da = r.get_data()
        out["data"] = [da.name, repr(da.value), repr(da.w_value), str(da.quality)]
    if out.get("data") != ["TypeError"] or r.has_failed() or not r.group_element_enabled():
        text = str(r)  # (PyTango's str fails on a void command's reply)
        out["str"] = [type(r).__name__ in text, "\n" in text, "\n" in repr(r)]
    return out


def replies(rl: Any) -> list[Any]:
    return [type(rl).__name__, rl.has_failed(), len(rl), [reply(r) for r in rl]]


proxy = tango.DeviceProxy(trl1)
proxy.command_inout("Reset")
tango.DeviceProxy(trl2).command_inout("Reset")

# -- membership ------------------------------------------------------------------------------
g = tango.Group("Root")
seen["empty"] = [len(g), g.get_device_list(), repr(g), replies(g.command_inout("EchoLong", 1))]
g.add(trl1)
g.add([trl2, trl1], timeout_ms=2500)
sub = tango.Group("sub")
g.add(sub)
sub.add(dead)
sub.add(trl2)  # in the parent, not in sub: cppTango adds it again
seen["names"] = [
    g.get_name(),
    g.get_fully_qualified_name(),
    sub.get_fully_qualified_name(),
    g.get_size(),
    g.get_size(False),
    len(g),
    g.get_device_list(),
    g.get_device_list(False),
]
seen["contains"] = [
    trl1 in g,
    trl1.upper() in g,
    "test/type/1" in g,
    g.contains("*TYPE/2*"),
    g.contains("sub"),
    g.contains("Root.sub"),
    g.contains("root"),
    g.contains(dead, False),
    g.contains(dead),
    g.contains("*nowhere*"),
]
seen["groups"] = [
    repr(g.get_group("sub")),
    repr(g.get_group("root.SUB")),
    repr(g.get_group("nothing")),
    g.name_equals("ROOT"),
    g.name_matches("r*t"),
    sub.name_equals("Root.sub"),
]
seen["devices"] = [
    g.get_device(trl1).dev_name(),
    g.get_device(2).dev_name(),
    g[trl2.upper()].dev_name(),
    outcome(lambda: g.get_device("no/such/device")),
    outcome(lambda: g.get_device(7)),
    outcome(lambda: g["no/such/device"]),
    g.get_device(1).get_timeout_millis(),
]
g.set_timeout_millis(1500)
seen["timeouts"] = [g.get_device(1).get_timeout_millis(), g.get_device(2).get_timeout_millis()]
seen["ping"] = [g.ping(), g.ping(False)]

# -- commands ----------------------------------------------------------------------------------
seen["cmd"] = replies(g.command_inout("EchoLong", 7))
seen["cmd_local"] = replies(g.command_inout("EchoLong", 8, forward=False))
seen["cmd_void"] = replies(g.command_inout("EchoVoid"))
seen["cmd_fail"] = replies(g.command_inout("Fail"))
seen["cmd_missing"] = replies(g.command_inout("NoSuchCommand"))
seen["cmd_badarg"] = outcome(lambda: g.command_inout("EchoLong", "x"))[0]
rid = g.command_inout_asynch("EchoDouble", 2.5)
seen["asynch_id"] = type(rid).__name__
seen["asynch"] = replies(g.command_inout_reply(rid))
seen["asynch_again"] = outcome(lambda: g.command_inout_reply(rid))
seen["asynch_bad"] = outcome(lambda: g.command_inout_reply(4000))
rid = g.command_inout_asynch("Sleep", 0.5)
seen["asynch_timeout"] = replies(g.command_inout_reply(rid, 50))

# -- attributes --------------------------------------------------------------------------------
seen["write"] = replies(g.write_attribute("long_scalar_rw", 5))
seen["read"] = replies(g.read_attribute("long_scalar_rw"))
seen["write_multi"] = replies(g.write_attribute("long_scalar_rw", [11, 12, 13, 12], multi=True))
seen["read_after_multi"] = [
    r.get_data().w_value for r in list(g.read_attribute("long_scalar_rw"))[:2]
]
seen["write_multi_local"] = replies(
    g.write_attribute("long_scalar_rw", [21, 22], forward=False, multi=True)
)
seen["write_multi_size"] = outcome(lambda: g.write_attribute("long_scalar_rw", [1], multi=True))
seen["write_multi_scalar"] = outcome(lambda: g.write_attribute("long_scalar_rw", 3, multi=True))
seen["write_badvalue"] = outcome(lambda: g.write_attribute("long_scalar_rw", "x"))[0]
info = g.get_device(1).get_attribute_config("double_scalar_rw")
seen["write_info"] = replies(g.write_attribute(info, 1.25))
seen["write_ro"] = replies(g.write_attribute("double_scalar_ro", 2.5))
seen["read_fail"] = replies(g.read_attribute("failing_attr"))
seen["read_missing"] = replies(g.read_attribute("no_such_attr"))
seen["reads"] = replies(g.read_attributes(["long_scalar_rw", "failing_attr", "double_scalar_rw"]))
rid = g.read_attribute_asynch("double_scalar_rw")
seen["read_asynch"] = replies(g.read_attribute_reply(rid))
rid = g.read_attributes_asynch(["double_scalar_rw", "long_scalar_rw"], False)
seen["reads_asynch"] = replies(g.read_attributes_reply(rid))
rid = g.write_attribute_asynch("double_scalar_rw", 4.5)
seen["write_asynch"] = replies(g.write_attribute_reply(rid))

# -- enabling ----------------------------------------------------------------------------------
g.disable(trl2)
seen["enabled"] = [g.is_enabled(trl1), g.is_enabled(trl2), g.is_enabled("no/such/dev")]
seen["disabled_cmd"] = replies(g.command_inout("EchoLong", 3))
seen["disabled_read"] = replies(g.read_attribute("long_scalar_rw"))
seen["disabled_reads"] = replies(g.read_attributes(["long_scalar_rw", "double_scalar_rw"]))
seen["disabled_write"] = replies(g.write_attribute("long_scalar_rw", 4))
g.enable(trl2)
seen["reenabled"] = g.is_enabled(trl2)

# -- removing ----------------------------------------------------------------------------------
g.remove("sub.nothing")
g.remove(dead)
seen["after_remove"] = [g.get_device_list(), sub.get_device_list()]
g.remove("*type/2*", forward=False)
seen["after_pattern_local"] = g.get_device_list()
g.remove(["root", "sub"])
seen["after_remove_group"] = [g.get_device_list(), repr(g.get_group("sub"))]
g.remove_all()
seen["after_remove_all"] = [len(g), g.get_device_list()]

print(json.dumps(seen, default=list))
