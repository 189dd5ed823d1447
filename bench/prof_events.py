"""In-process profile of the client's event receive path (not a test, not a benchmark of
record): ``N`` pre-encoded change events (a scalar double as a PyTango server sends it, from
``captures/zmq_ev.jsonl``'s layout) go through :class:`ConsumerState.receive` and the
callback call, timed with ``process_time`` and optionally profiled (``--profile``).

Usage: ``python bench/prof_events.py [-n 50000] [--profile]``.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
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
