"""Profiles of the event path (not a test, not a benchmark of record).

Client (default): ``N`` pre-encoded change events (a scalar double as a PyTango server
sends it, ``captures/zmq_ev.jsonl``) go through :class:`ConsumerState.receive` and the
callback call in process, timed with ``process_time`` and optionally profiled.

Server (``--server``): a puretango server (``bench/profdev_events.py``) pushes ``N`` change
events to one subscribed puretango client; the push loop's time per event, and its profile
with ``--profile`` (the profiled run is a second one).

Usage: ``python bench/prof_events.py [--server] [-n 50000] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from typing import Any

from puretango.client._events import call_back
from puretango.client._evstate import ConsumerState, Subscription
from puretango.events import encode_call_info
from puretango.idl._enums import EventType, ExtractAs

TOPIC = "tango://127.0.0.1:10000/bench/ev/1/a0#dbase=no.idl5_change"
# frame 4 of a PyTango 10.3 server's change event of a scalar double (captures/zmq_ev.jsonl)
PAYLOAD = bytes.fromhex(
    "c0dec0de05000000020000000000000000001e4000000000000012400000000000000000050000008ccb06"
    "6bafa80700df0000000400000064626c000100000000000000010000000000000000000000"
)


def messages(n: int) -> list[list[bytes]]:
    topic = TOPIC.encode()
    return [[topic, b"\x01", encode_call_info(i + 1), PAYLOAD] for i in range(n)]


def new_state() -> tuple[ConsumerState, list[Any]]:
    state = ConsumerState()
    got: list[Any] = []
    sub = Subscription(
        1, None, "a0", EventType.CHANGE_EVENT, "change",
        "tango://127.0.0.1:10000/bench/ev/1/a0#dbase=no", got.append, None,
        ExtractAs.Numpy, False,
    )  # fmt: skip
    state.subscriptions[1] = sub
    state.topics[TOPIC] = {1}
    return state, got


def run(msgs: list[list[bytes]]) -> tuple[float, list[Any]]:
    state, got = new_state()
    receive = state.receive
    cpu = time.process_time()
    for frames in msgs:
        for sub, event in receive(frames, 0.0):
            call_back(sub, event)
    return time.process_time() - cpu, got


def server(n: int, profile: bool) -> None:
    import os
    import subprocess
    import sys
    import tempfile

    from _common import HOST, free_port

    import puretango

    out = os.path.join(tempfile.mkdtemp(), "push.prof")
    port = free_port()
    script = os.path.join(os.path.dirname(__file__), "profdev_events.py")
    argv = ["taskset", "-c", "0", sys.executable, script, "prof", "-nodb", "-port", str(port)]
    argv += ["-ORBendPoint", f"giop:tcp:{HOST}:{port}", "-dlist", "prof/ev/1"]
    proc = subprocess.Popen(argv, env={**os.environ, "PROF_OUT": out}, stdout=None)
    try:
        for _ in range(100):
            try:
                proxy = puretango.DeviceProxy(f"tango://{HOST}:{port}/prof/ev/1#dbase=no")
                break
            except puretango.DevFailed:
                time.sleep(0.1)
        proxy.set_timeout_millis(60000)
        got: list[Any] = []
        proxy.subscribe_event("a0", puretango.EventType.CHANGE_EVENT, got.append)
        time.sleep(0.3)
        proxy.command_inout("ProfBurst", 1000)  # warm up
        seconds = min(proxy.command_inout("ProfBurst", n) for _ in range(3))
        print(f"server push loop: {seconds / n * 1e6:.2f} us/event (CPU of the pushing thread)")
        if profile:
            proxy.command_inout("ProfBurst", -n)
    finally:
        proc.terminate()
        proc.wait()
    if profile:
        pstats.Stats(out).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--server", action="store_true")
    args = parser.parse_args()
    if args.server:
        server(args.n, args.profile)
        return
    msgs = messages(args.n)
    run(msgs[:1000])  # warm up
    best = min(run(msgs)[0] for _ in range(3))
    _, got = run(msgs[:1])
    print(f"receive + decode + callback: {best / args.n * 1e6:.2f} us/event")
    print("value:", got[0].attr_value.value, type(got[0].attr_value.value).__name__)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run(msgs)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
