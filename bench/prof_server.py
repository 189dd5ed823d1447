"""Profiles of the server's request path (not a test, not a benchmark of record).

``bench/benchdev_pure.py``'s device is served in this process (``--async``: its asyncio
flavour); a PyTango client in a subprocess (this script with ``--client``) sends ``-n``
sequential requests of each kind: ``read`` (``read_attribute("scalar")``), ``read2``
(``read_attributes(["scalar", "State"])``), ``state``, ``ping``, ``cmd``
(``command_inout("Cmd", 1.5)``), ``write`` (``write_attribute("scalar", 1.5)``).

Default: Python function calls per request in every thread of the server (a profile hook
counting ``call`` and ``c_call`` events, taken around the timed block).
``--micro``: the requests captured from that client are replayed in this thread, no socket
and no event loop: CPU per request of decode + ``DeviceServer.handle`` + reply encoding
(a sync device's operation runs as on a connection's own thread); with ``--profile OP``,
its cProfile.
``--profile OP``: a cProfile of ``OP`` requests (the loop thread and one worker thread),
sorted by own time. ``--cpu``: server CPU per request (``/proc/self/task`` ticks of the
server's threads, no hook installed), best of three blocks.

Usage: ``python bench/prof_server.py [--async] [-n 2000] [--profile read | --cpu]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import threading
import time
from typing import Any

from _common import HOST, proc_cpu_ticks

OPS = ("read", "read2", "state", "ping", "cmd", "write")


def client(trl: str) -> None:
    """The client subprocess: ``OP N`` on stdin -> N requests, then ``done``."""
    import tango

    proxy = tango.DeviceProxy(trl)
    actions = {
        "read": lambda: proxy.read_attribute("scalar"),
        "read2": lambda: proxy.read_attributes(["scalar", "State"]),
        "state": proxy.state,
        "ping": proxy.ping,
        "cmd": lambda: proxy.command_inout("Cmd", 1.5),
        "write": lambda: proxy.write_attribute("scalar", 1.5),
    }
    for action in actions.values():  # warm up every path
        for _ in range(50):
            action()
    print("ready", flush=True)
    for line in sys.stdin:
        op, n = line.split()
        action = actions[op]
        for _ in range(int(n)):
            action()
        print("done", flush=True)


class _Counter:
    """Counts Python and C function calls in every thread started after :meth:`install`."""

    def __init__(self) -> None:
        self.calls = [0, 0]

    def hook(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            self.calls[0] += 1
        elif event == "c_call":
            self.calls[1] += 1

    def install(self) -> None:
        threading.setprofile(self.hook)


def capture(proc: Any, server: Any, ops: list[str]) -> dict[str, bytes]:
    """The bytes of the last request of each op the client sends."""
    from puretango.giop._connection import GiopConnection

    got: list[bytes] = []
    original = GiopConnection.buffer_updated

    def recording(self: Any, nbytes: int) -> None:
        got.append(bytes(self._scratch[:nbytes]))
        original(self, nbytes)

    GiopConnection.buffer_updated = recording  # type: ignore[method-assign]
    requests = {}
    try:
        for op in ops:
            got.clear()
            proc.stdin.write(f"{op} 1\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "done"
            requests[op] = got[-1]
    finally:
        GiopConnection.buffer_updated = original  # type: ignore[method-assign]
    return requests


def micro(server: Any, requests: dict[str, bytes], n: int, profile: str | None) -> None:
    """Replay each request ``n`` times in this thread: decode, handle, encode the reply."""
    from puretango.giop import GiopConnection, Reply, Role
    from puretango.server import _bridge

    loop = server.loop

    async def here(self: Any, operation: Any) -> Any:  # as on a connection's own thread
        return _bridge._run_operation(operation, loop)

    _bridge.UserCodeBridge.run_on_worker = here  # type: ignore[method-assign]
    conn = GiopConnection(Role.SERVER)

    def once(data: bytes) -> Any:
        conn.receive_data(data)
        request = conn.next_event()
        coro = server.handle(request, "localhost")
        try:
            coro.send(None)
        except StopIteration as stop:
            status, writer = stop.value
        else:
            raise RuntimeError("the request waited")
        return conn.send(Reply(request_id=request.request_id, status=status, body=writer), 2)

    for op, data in requests.items():
        for _ in range(200):
            once(data)
        if profile == op:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                once(data)
            prof.disable()
            stats = pstats.Stats(prof).sort_stats(os.environ.get("PROF_SORT", "tottime"))
            stats.print_stats(40)
            if os.environ.get("PROF_CALLERS"):
                stats.print_callers(os.environ["PROF_CALLERS"])
            continue
        best = None
        for _ in range(5):
            cpu = time.thread_time()
            for _ in range(n):
                once(data)
            used = time.thread_time() - cpu
            best = used if best is None else min(best, used)
        assert best is not None
        print(f"micro {op}: {best / n * 1e6:.1f} us CPU per request")


def start_server(asynchronous: bool) -> tuple[Any, int]:
    os.environ["BENCH_ASYNC"] = "1" if asynchronous else "0"
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import benchdev_pure

    from puretango.server._server import DeviceServer, server_in_thread

    server = DeviceServer(
        "bench", "prof", [(benchdev_pure.BenchDev, "bench/dev/1", None)], host=HOST, port=0
    )
    server_in_thread(server)
    return server, server.port


def server_ticks() -> int:
    return proc_cpu_ticks(os.getpid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--client")
    parser.add_argument("--async", dest="asynchronous", action="store_true")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--profile", choices=OPS)
    parser.add_argument("--cpu", action="store_true")
    parser.add_argument("--micro", action="store_true")
    parser.add_argument("--ops", default=",".join(OPS))
    args = parser.parse_args()
    if args.client:
        client(args.client)
        return
    counter = _Counter()
    if not args.cpu and not args.profile and not args.micro:
        counter.install()
    server, port = start_server(args.asynchronous)
    trl = f"tango://{HOST}:{port}/bench/dev/1#dbase=no"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--client", trl],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"

    def run(op: str, n: int) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{op} {n}\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "done"

    flavour = "asyncio" if args.asynchronous else "sync"
    try:
        if args.micro:
            requests = capture(proc, server, args.ops.split(","))
            proc.stdin.close()
            proc.wait()
            micro(server, requests, args.n, args.profile)
            return
        if args.profile:
            profs = [cProfile.Profile(time.thread_time), cProfile.Profile(time.thread_time)]
            assert server.loop is not None
            server.loop.call_soon_threadsafe(profs[0].enable)
            server.executor.submit(profs[1].enable).result()
            time.sleep(0.2)
            run(args.profile, args.n)
            server.loop.call_soon_threadsafe(profs[0].disable)
            server.executor.submit(profs[1].disable).result()
            time.sleep(0.2)
            stats = pstats.Stats(profs[0])
            if profs[1].getstats():
                stats.add(profs[1])
            stats.sort_stats(os.environ.get("PROF_SORT", "tottime")).print_stats(45)
            if os.environ.get("PROF_CALLERS"):
                stats.print_callers(os.environ["PROF_CALLERS"])
            return
        for op in args.ops.split(","):
            if args.cpu:
                best = None
                for _ in range(3):
                    before = server_ticks()
                    run(op, args.n)
                    used = (server_ticks() - before) / os.sysconf("SC_CLK_TCK")
                    best = used if best is None else min(best, used)
                assert best is not None
                print(f"{flavour} {op}: {best / args.n * 1e6:.1f} us server CPU per request")
            else:
                before = list(counter.calls)
                run(op, args.n)
                py, c = (counter.calls[i] - before[i] for i in (0, 1))
                print(
                    f"{flavour} {op}: {py / args.n:.1f} Python + {c / args.n:.1f} C calls"
                    " per request"
                )
    finally:
        if not proc.stdin.closed:
            proc.stdin.close()
        proc.wait()
        server.request_stop()


if __name__ == "__main__":
    main()
