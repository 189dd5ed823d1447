"""Our client receives every kind of event from a PyTango 10.3 server (code-pushed change,
archive, user, alarm, data-ready, error events; interface change (the subscription's
read); polling-driven change with ``abs_change`` set from the client; periodic; attribute
configuration) and sees what a PyTango client sees: the same scenario runs in both, and
the summaries of the events must be equal."""

from __future__ import annotations

import json
from typing import Any

from peers.launch import PyTangoServer, run_pytango_client

import puretango

from .conftest import EVENT_DEVICES

SCENARIO = r"""
import json, time

def summary(e):
    name = getattr(e, "attr_name", None) or e.device_name
    common = [type(e).__name__, e.event, name, e.err, int(e.event_reason),
              [err.reason for err in e.errors]]
    if type(e).__name__ == "EventData" and e.attr_value is not None:
        v = e.attr_value
        common += [v.name, v.value, v.w_value, int(v.quality), int(v.type), type(v.value).__name__,
                   v.dim_x, v.nb_read, v.nb_written]
    elif type(e).__name__ == "AttrConfEventData" and e.attr_conf is not None:
        c = e.attr_conf
        common += [c.name, c.label, c.events.ch_event.abs_change, int(c.data_type)]
    elif type(e).__name__ == "DataReadyEventData":
        common += [e.ctr, e.attr_data_type]
    elif type(e).__name__ == "DevIntrChangeEventData":
        common += [e.dev_started, sorted(c.cmd_name for c in e.cmd_list),
                   sorted(a.name for a in e.att_list)]
    return common

def scenario(tango, trl):
    d = tango.DeviceProxy(trl)
    d.SetLevel(0.0)
    d.write_attribute("pushed", 0.0)
    time.sleep(0.3)  # the polling cache catches up
    cfg = d.get_attribute_config("polled")
    cfg.events.ch_event.abs_change = "1"
    cfg.events.per_event.period = "200"
    d.set_attribute_config(cfg)
    seen = []
    ids = []
    for attr, et in [("pushed", tango.EventType.CHANGE_EVENT),
                     ("pushed", tango.EventType.ARCHIVE_EVENT),
                     ("pushed", tango.EventType.USER_EVENT),
                     ("pushed", tango.EventType.DATA_READY_EVENT),
                     ("pushed", tango.EventType.ATTR_CONF_EVENT),
                     ("pushed", tango.EventType.ALARM_EVENT),
                     ("polled", tango.EventType.CHANGE_EVENT),
                     ("polled", tango.EventType.PERIODIC_EVENT)]:
        ids.append(d.subscribe_event(attr, et, lambda e: seen.append(summary(e))))
    ids.append(d.subscribe_event(tango.EventType.INTERFACE_CHANGE_EVENT,
                                 lambda e: seen.append(summary(e))))
    time.sleep(0.8)
    d.PushChange(1.5); d.PushArchive(2.5); d.PushUser(3.5); d.PushDataReady(7)
    d.PushAlarm(4.5)
    d.PushError("Boom")
    d.SetLevel(5.0)
    c = d.get_attribute_config("pushed"); c.label = "Lab"; d.set_attribute_config(c)
    time.sleep(1.2)
    for i in ids:
        d.unsubscribe_event(i)
    c.label = "pushed"; d.set_attribute_config(c)
    return sorted({json.dumps(s) for s in seen})
"""


def _ours(trl: str) -> list[str]:
    space: dict[str, Any] = {}
    exec(SCENARIO, space)
    return space["scenario"](puretango, trl)  # type: ignore[no-any-return]


def _pytango(trl: str) -> list[str]:
    code = SCENARIO + f"\nimport tango\nprint(json.dumps(scenario(tango, {trl!r})))\n"
    return json.loads(run_pytango_client(code))  # type: ignore[no-any-return]


def test_every_kind_as_pytango_sees_it(evserver: PyTangoServer) -> None:
    # each client gets a device in its initial state (events depend on the server's history)
    theirs = _pytango(evserver.trl(EVENT_DEVICES[1]))
    ours = _ours(evserver.trl(EVENT_DEVICES[2]))
    assert [s.replace(EVENT_DEVICES[2], EVENT_DEVICES[1]) for s in ours] == theirs
    kinds = {json.loads(s)[1] for s in ours}
    assert kinds == {
        "change", "archive", "user_event", "data_ready", "attr_conf", "periodic", "alarm",
        "intr_change",
    }  # fmt: skip
