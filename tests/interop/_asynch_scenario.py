"""The AMI scenario both clients run (``python _scenario.py MODULE TRL``): ``MODULE`` is
``tango`` (PyTango) or ``puretango``; prints one JSON document of what the client saw."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
from typing import Any

tango: Any = importlib.import_module(sys.argv[1])
proxy = tango.DeviceProxy(sys.argv[2])
proxy.command_inout("Reset")
seen: dict[str, Any] = {}


def outcome(call: Any) -> Any:
    try:
        value = call()
    except tango.DevFailed as exc:
        return [type(exc).__name__, [e.reason for e in exc.args], exc.args[-1].desc]
    if hasattr(value, "has_failed"):
        return ["da", value.name, value.has_failed, repr(value.value)]
    if isinstance(value, list):
        return [["da", v.name, v.has_failed, repr(v.value)] for v in value]
    return ["ok", repr(value)]


def errors(errs: Any) -> Any:
    if hasattr(errs, "get_faulty_attr_nb"):
        return ["named", errs.get_faulty_attr_nb()]
    return [e.reason for e in errs]


# -- polling model --------------------------------------------------------------------------
rid = proxy.command_inout_asynch("Sleep", 0.4)
seen["id_type"] = type(rid).__name__
seen["not_yet"] = outcome(lambda: proxy.command_inout_reply(rid))
seen["not_yet_timeout"] = outcome(lambda: proxy.command_inout_reply(rid, 20))
seen["wait"] = outcome(lambda: proxy.command_inout_reply(rid, 0))
seen["gone"] = outcome(lambda: proxy.command_inout_reply(rid))[:2]
seen["bad_id"] = outcome(lambda: proxy.command_inout_reply(987654))[:2]
rid = proxy.command_inout_asynch("EchoLong", 7)
seen["echo"] = outcome(lambda: proxy.command_inout_reply(rid, 2000))
rid = proxy.command_inout_asynch("EchoVoid")
seen["void"] = outcome(lambda: proxy.command_inout_reply(rid, 2000))
rid = proxy.command_inout_asynch("Fail")
seen["fail"] = outcome(lambda: proxy.command_inout_reply(rid, 2000))
seen["forget"] = proxy.command_inout_asynch("EchoLong", 1, True)
rid = proxy.read_attribute_asynch("double_scalar_ro")
seen["wrong_kind"] = outcome(lambda: proxy.command_inout_reply(rid, 2000))[:2]
seen["read"] = outcome(lambda: proxy.read_attribute_reply(rid, 2000))
rid = proxy.read_attributes_asynch(["double_scalar_ro", "failing_attr"])
seen["reads"] = outcome(lambda: proxy.read_attributes_reply(rid, poll_timeout=2000))
rid = proxy.read_attribute_asynch("failing_attr")
seen["read_failing"] = outcome(lambda: proxy.read_attribute_reply(rid, 2000))[:2]
rid = proxy.write_attribute_asynch("double_scalar_rw", 2.5)
seen["write"] = outcome(lambda: proxy.write_attribute_reply(rid, 2000))
seen["written"] = proxy.read_attribute("double_scalar_rw").w_value
rid = proxy.write_attributes_asynch([("long_scalar_rw", 3), ("double_scalar_rw", 1.5)])
seen["writes"] = outcome(lambda: proxy.write_attributes_reply(rid, 2000))
rid = proxy.write_attribute_asynch("double_scalar_ro", 2.5)
seen["write_ro"] = outcome(lambda: proxy.write_attribute_reply(rid, 2000))[:2]
rid = proxy.write_attributes_asynch([("double_scalar_ro", 2.5)])
seen["writes_ro"] = outcome(lambda: proxy.write_attributes_reply(rid, 2000))[:2]
try:
    proxy.command_inout_asynch("EchoLong", "x")
except TypeError:
    seen["bad_argin"] = "TypeError"


# -- callback model ---------------------------------------------------------------------------
class Callback:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def cmd_ended(self, ev: Any) -> None:
        argout = None if ev.err else ev.argout
        self.events.append(["cmd", ev.cmd_name, ev.err, errors(ev.errors), repr(argout)])

    def attr_read(self, ev: Any) -> None:
        values = [[d.name, d.has_failed] for d in ev.argout or []]
        self.events.append(["read", list(ev.attr_names), ev.err, errors(ev.errors), values])

    def attr_written(self, ev: Any) -> None:
        self.events.append(["written", list(ev.attr_names), ev.err, errors(ev.errors)])


cb = Callback()
seen["cb_return"] = repr(proxy.command_inout_asynch("EchoLong", 5, cb))
proxy.command_inout_asynch("Fail", cb)
proxy.read_attributes_asynch(["double_scalar_ro", "failing_attr"], cb)
proxy.read_attribute_asynch("double_scalar_ro", cb)
proxy.write_attribute_asynch("double_scalar_rw", 4.5, cb)
proxy.write_attribute_asynch("double_scalar_ro", 4.5, cb)
time.sleep(0.5)
seen["pull_before"] = list(cb.events)
proxy.get_asynch_replies(2000)
seen["pull_after"] = sorted(cb.events, key=repr)
api = tango.ApiUtil.instance()
seen["model"] = str(api.get_asynch_cb_sub_model())
api.set_asynch_cb_sub_model(tango.cb_sub_model.PUSH_CALLBACK)
pushed = Callback()
proxy.command_inout_asynch("EchoLong", 6, pushed)
proxy.read_attribute_asynch("double_scalar_ro", pushed)
deadline = time.monotonic() + 5
while len(pushed.events) < 2 and time.monotonic() < deadline:
    time.sleep(0.02)
seen["push"] = sorted(pushed.events, key=repr)
api.set_asynch_cb_sub_model(tango.cb_sub_model.PULL_CALLBACK)
seen["pending"] = api.pending_asynch_call(tango.asyn_req_type.ALL_ASYNCH)


# -- timeouts and plain callables as callbacks (PyTango's tests/test_async.py does this) -------
def described(ev: Any) -> Any:
    try:
        argout = repr(ev.argout)
    except AttributeError:
        argout = "-"
    except tango.DevFailed as exc:
        argout = exc.args[0].reason
    first = ev.errors.err_list if hasattr(ev.errors, "err_list") else ev.errors
    return [type(ev).__name__, ev.err, argout if ev.err else "", len(first)]


timed_out: list[Any] = []


def collect(ev: Any) -> None:  # a plain function (PyTango ignores a builtin such as list.append)
    timed_out.append(ev)


proxy.set_timeout_millis(150)
proxy.command_inout_asynch("Sleep", 0.5, collect)
# the Sleep holds the device before the next two calls queue behind it: requests sent at once
# may start in any order on the server's threads (omniORB serves each on its own thread)
time.sleep(0.05)
proxy.read_attribute_asynch("slow_attr", collect)
proxy.write_attribute_asynch("double_scalar_rw", 1.0, collect)
api.get_asynch_replies(3000)
proxy.set_timeout_millis(3000)
seen["timed_out"] = sorted(described(ev) for ev in timed_out)
seen["timeout_text"] = [
    "TRANSIENT_CallTimedout" in str(ev.errors[0]) for ev in timed_out if type(ev).__name__[0] == "C"
]
time.sleep(0.5)  # the slow calls end on the server


async def green_asyncio() -> Any:
    mode = tango.GreenMode.Asyncio
    rid = await proxy.write_attribute_asynch("double_scalar_rw", 6.5, green_mode=mode)
    await proxy.write_attribute_reply(rid, 2000, green_mode=mode)
    rid = await proxy.read_attributes_asynch(["double_scalar_rw"], green_mode=mode)
    values = await proxy.read_attributes_reply(rid, poll_timeout=2000, green_mode=mode)
    return [v.w_value for v in values]


seen["asyncio"] = asyncio.run(green_asyncio())
print(json.dumps(seen))
