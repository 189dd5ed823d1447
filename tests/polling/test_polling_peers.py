"""Polling with real peers, both ways: the same PyTango client snippet polls a PyTango
server and a puretango server running the same device (``polldev.py``) and must get the
same answers (periods, DevPollStatus texts, histories, CACHE reads, error reasons); our
client polls both servers the same way."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.launch import PyTangoServer, run_pytango_client

import puretango

pytest.importorskip("tango")

POLLDEV = Path(__file__).with_name("polldev.py")
DEVICE = "test/poll/1"

#: runs the polling calls PyTango clients make on $TRL; prints one JSON object
SNIPPET = r"""
import json, os, time
import tango
dev = tango.DeviceProxy(os.environ["TRL"])
out = {}
def reason(f, *a):
    try:
        f(*a)
    except tango.DevFailed as exc:
        return [e.reason for e in exc.args]
    return None
out["declared"] = [
    dev.get_attribute_poll_period("autopolled"), dev.get_command_poll_period("AutoCmd")
]
dev.poll_attribute("spec", 100)
dev.poll_attribute("broken", 100)
dev.poll_command("Arr", 100)
dev.poll_command("Fail", 100)
out["errors"] = [
    reason(dev.poll_attribute, "nope", 100), reason(dev.poll_command, "nope", 100),
    reason(dev.poll_command, "Init", 100), reason(dev.poll_command, "Double", 100),
    reason(dev.poll_attribute, "rw", 1), reason(dev.stop_poll_attribute, "rw"),
    reason(dev.attribute_history, "counter", 2), reason(dev.command_history, "Tick", 2),
    reason(dev.attribute_history, "nope", 2),
]
time.sleep(0.7)
out["periods"] = [
    dev.get_attribute_poll_period("spec"), dev.is_attribute_polled("SPEC"),
    dev.is_attribute_polled("counter"), dev.get_command_poll_period("arr"),
    dev.is_command_polled("Arr"), dev.get_attribute_poll_period("nope"),
]
def lines(text):
    kept = []
    for line in text.split("\n"):
        if line.startswith("\tOrigin"):
            break
        kept.append(line.split(" = ")[0].split(" since ")[0])
    return kept
out["status"] = [lines(s) for s in dev.polling_status()]
out["hist"] = [
    (r.name, r.value.tolist(), str(r.quality), str(r.data_format), str(r.type), r.has_failed,
     r.dim_x, r.w_value.tolist())
    for r in dev.attribute_history("spec", 3)
]
out["hist_broken"] = [
    (r.has_failed, str(r.quality), str(r.data_format), str(r.type), r.get_err_stack()[0].reason,
     r.get_err_stack()[0].desc, r.value)
    for r in dev.attribute_history("broken", 2)
]
out["hist_auto"] = [(r.value, r.nb_read) for r in dev.attribute_history("autopolled", 2)]
out["cmd_hist"] = [
    (list(r.extract()), r.has_failed(), str(r.get_type())) for r in dev.command_history("Arr", 2)
]
out["cmd_hist_fail"] = [
    (r.has_failed(), [e.reason for e in r.get_err_stack()]) for r in dev.command_history("Fail", 2)
]
out["cmd_auto"] = [(r.extract(), str(r.get_type())) for r in dev.command_history("AutoCmd", 1)]
dev.set_source(tango.DevSource.CACHE)
out["cache"] = [
    dev.read_attribute("spec").value.tolist(), reason(dev.read_attribute, "counter"),
    reason(dev.read_attribute, "broken"), dev.command_inout("AutoCmd"),
    reason(dev.command_inout, "Tick"),
]
dev.set_source(tango.DevSource.CACHE_DEV)
out["cache_dev"] = [dev.read_attribute("text").value, dev.read_attribute("autopolled").value]
dev.set_source(tango.DevSource.DEV)
dev.stop_poll_attribute("spec")
dev.stop_poll_command("Arr")
out["stopped"] = [dev.is_attribute_polled("spec"), dev.is_command_polled("Arr")]
adm = tango.DeviceProxy(dev.adm_name())
out["polled_device"] = list(adm.PolledDevice())
adm.StopPolling()
out["adm_status"] = [adm.status()]
adm.StartPolling()
out["adm_status"].append(adm.status())
print(json.dumps(out))
"""


def _server(pure: bool) -> PyTangoServer:
    return PyTangoServer(POLLDEV, "test", [DEVICE], extra_args=["--pure"] if pure else [])


@pytest.fixture(params=["pytango", "puretango"])
def server(request: pytest.FixtureRequest) -> Iterator[PyTangoServer]:
    with _server(request.param == "puretango") as srv:
        yield srv


@pytest.fixture(scope="module")
def pytango_answers() -> dict[str, Any]:
    with _server(False) as srv:
        out = run_pytango_client(SNIPPET, env={"TRL": srv.trl(DEVICE)})
    return dict(json.loads(out))


def test_pytango_client_polls_ours_as_pytango(pytango_answers: dict[str, Any]) -> None:
    with _server(True) as srv:
        ours = json.loads(run_pytango_client(SNIPPET, env={"TRL": srv.trl(DEVICE)}))
    expected = pytango_answers
    assert expected["declared"] == [200, 300]
    assert [e[0] for e in expected["errors"]] == [
        "API_AttrNotFound", "API_CommandNotFound", "API_NotSupported",
        "API_IncompatibleCmdArgumentType", "API_NotSupported", "API_PollObjNotFound",
        "API_AttrNotPolled", "API_CmdNotPolled", "API_AttrNotFound",
    ]  # fmt: skip
    assert expected["errors"][0] == ["API_AttrNotFound", "API_CommandFailed"]
    for key in expected:
        assert ours[key] == expected[key], key


def test_our_client_polls(server: PyTangoServer) -> None:
    dev = puretango.DeviceProxy(server.trl(DEVICE))
    assert dev.get_attribute_poll_period("autopolled") == 200
    assert dev.is_command_polled("AutoCmd") and dev.get_command_poll_period("autocmd") == 300
    assert not dev.is_attribute_polled("spec") and dev.get_attribute_poll_period("spec") == 0
    dev.poll_attribute("spec", 100)
    dev.poll_attribute("rw", 150)
    dev.poll_command("Arr", 100)
    with pytest.raises(puretango.DevFailed) as failed:
        dev.poll_attribute("nope", 100)
    assert failed.value.args[0].reason == "API_AttrNotFound"
    with pytest.raises(puretango.DevFailed) as failed:
        dev.attribute_history("counter", 3)
    assert failed.value.args[0].reason == "API_AttrNotPolled"
    time.sleep(0.6)
    assert dev.get_attribute_poll_period("spec") == 100 and dev.is_attribute_polled("SPEC")
    dev.poll_attribute("rw", 200)  # polled already: a new period
    assert dev.get_attribute_poll_period("rw") == 200
    status = dev.polling_status()
    assert isinstance(status, list) and len(status) == 5
    assert status[0].startswith("Polled command name = AutoCmd\nPolling period (mS) = 300\n")
    spec_status = "Polled attribute name = spec\nPolling period (mS) = 100"
    assert any(s.startswith(spec_status) for s in status)
    history = dev.attribute_history("spec", 3)
    assert len(history) == 3
    assert type(history[0]).__name__ == "DeviceAttributeHistory"
    assert repr(history[0]).startswith("DeviceAttributeHistory(data_format = ")
    assert [h.value.tolist() for h in history] == [[1.0, 2.0, 3.0]] * 3
    assert history[0].time.totime() < history[1].time.totime() < history[2].time.totime()
    as_list = dev.attribute_history("spec", 1, extract_as=puretango.ExtractAs.List)
    assert as_list[0].value == [1.0, 2.0, 3.0]
    rw = dev.attribute_history("rw", 1)[0]
    assert (rw.value, rw.nb_written, rw.w_dim_x) == (1.5, 1, 1)
    commands = dev.command_history("AutoCmd", 2)
    assert [c.extract() for c in commands] == [7, 7]
    assert repr(commands[0]) == "DeviceDataHistory()" and not commands[0].has_failed()
    assert commands[0].get_type() == puretango.CmdArgType.DevLong64
    arrays = dev.command_history("Arr", 2)
    assert [list(c.extract()) for c in arrays] == [[1.0, 2.0], [1.0, 2.0]]
    dev.set_source(puretango.DevSource.CACHE)
    assert dev.read_attribute("spec").value.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(puretango.DevFailed) as failed:
        dev.read_attribute("counter")
    assert failed.value.args[0].reason == "API_AttrNotPolled"
    dev.set_source(puretango.DevSource.DEV)
    dev.stop_poll_attribute("spec")
    dev.stop_poll_command("Arr")
    assert not dev.is_attribute_polled("spec") and not dev.is_command_polled("Arr")
    with pytest.raises(puretango.DevFailed) as failed:
        dev.stop_poll_attribute("spec")
    assert failed.value.args[0].reason == "API_PollObjNotFound"


def test_attribute_proxy_and_green_modes() -> None:
    """``AttributeProxy.poll``/``history``/...; the polling methods stay synchronous in
    every green mode, as PyTango's (plain bindings of cppTango's client)."""
    with _server(True) as srv:
        trl = srv.trl(DEVICE)
        attr = puretango.AttributeProxy(trl.replace(DEVICE, f"{DEVICE}/text"))
        attr.poll(150)
        assert attr.is_polled() and attr.get_poll_period() == 150
        time.sleep(0.4)
        assert [r.value for r in attr.history(2)] == ["hello", "hello"]
        attr.stop_poll()
        assert not attr.is_polled()

        async def main() -> None:
            from puretango.asyncio import DeviceProxy

            dev = await DeviceProxy(trl)
            assert dev.get_attribute_poll_period("autopolled") == 200
            assert [c.extract() for c in dev.command_history("AutoCmd", 1)] == [7]

        asyncio.run(main())
        pytest.importorskip("gevent")
        from puretango.gevent import DeviceProxy as GeventProxy

        dev = GeventProxy(trl)
        assert dev.is_command_polled("AutoCmd") and len(dev.attribute_history("autopolled", 2)) == 2
