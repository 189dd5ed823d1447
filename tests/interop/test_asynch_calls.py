"""The asynchronous (AMI) calls of ``DeviceProxy``, held against PyTango's.

One scenario (``_asynch_scenario.py``: polling model with and without timeouts, bad ids,
wrong request kinds, failures, forget, callbacks pulled and pushed, call timeouts
reported to callbacks, the green asyncio forms) runs in a subprocess
with PyTango's client and with ours, against a PyTango TypeDev and a puretango TypeDev;
what the two clients saw must be the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from peers.launch import PyTangoServer, peer_env

from .conftest import DEVICES

SCENARIO = Path(__file__).with_name("_asynch_scenario.py")


def _run(module: str, trl: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), module, trl],
        capture_output=True,
        text=True,
        timeout=90,
        env=peer_env(),
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("server_index", [0, 1], ids=["PyTango-server", "puretango-server"])
def test_same_asynch_behaviour_as_pytango(
    typedev_pair: tuple[PyTangoServer, PyTangoServer], server_index: int
) -> None:
    trl = typedev_pair[server_index].trl(DEVICES[1])
    theirs = _run("tango", trl)  # one after the other: the scenario times its calls
    ours = _run("puretango", trl)
    assert ours == theirs
    # the scenario did see the interesting cases
    assert theirs["not_yet"][1] == ["API_AsynReplyNotArrived"]
    assert theirs["bad_id"] == ["AsynCall", ["API_BadAsynPollId"]]
    assert theirs["echo"] == ["ok", "7"]
    assert len(theirs["pull_after"]) == 6 and not theirs["pull_before"]
    assert len(theirs["push"]) == 2
    assert len(theirs["timed_out"]) == 3 and theirs["timeout_text"] == [True]
    assert theirs["asyncio"] == [6.5]


def test_reply_timeout_waits_for_the_reply(dev: Any) -> None:
    rid = dev.command_inout_asynch("Sleep", 0.2)
    assert dev.command_inout_reply(rid, 0) is None
    rid = dev.read_attribute_asynch("double_scalar_ro")
    assert dev.read_attribute_reply(rid, poll_timeout=5000).name == "double_scalar_ro"
