"""Green-mode benchmark: puretango's futures, gevent and asyncio clients against PyTango's.

One run starts one real PyTango device server (``bench/benchdev.py``) serving 20 devices
``bench/dev/1`` .. ``bench/dev/20``, pinned to core 0 and bound to 127.0.0.1 only. Every
client subprocess is pinned to core 1, so server and client never share a core. Each
mode does ``--reads`` (10,000) ``read_attribute("scalar")`` calls spread round-robin over
20 proxies, one per device:

* ``futures``: ``dev.read_attribute("scalar", wait=False)`` (``puretango.futures`` /
  ``tango.futures``) for every read, with at most ``--window`` (200) futures in flight:
  once 200 are pending, the oldest one's ``.result()`` is taken before the next submit
  (a FIFO sliding window); then all remaining futures are waited for.
* ``gevent A``: ``--greenlets`` (100) greenlets each calling the blocking
  ``dev.read_attribute("scalar")`` (``puretango.gevent`` / ``tango.gevent``) until all
  reads are done.
* ``gevent B``: ``dev.read_attribute("scalar", wait=False)`` AsyncResults in batches of
  ``--batch`` (100): ``gevent.joinall(batch)`` and then ``.get()`` on each.
* ``asyncio``: ``asyncio.gather`` over one coroutine per read, each holding an
  ``asyncio.Semaphore(--limit)`` (100) around ``await dev.read_attribute("scalar")``, on
  proxies made by ``await DeviceProxy(trl)`` (``puretango.asyncio`` / ``tango.asyncio``).

Reported per mode and implementation: reads/s (median over rounds), client CPU per read
(``time.process_time`` of the whole client process, all threads, over the timed part /
reads), and the largest number of OS threads of the client process seen during the timed
part (``len(os.listdir("/proc/self/task"))`` sampled every ``SAMPLE_EVERY`` reads and at
start/end). Then memory per proxy: a fresh process per sample makes 1,000 synchronous
proxies (50 per device, ``puretango.DeviceProxy`` / ``tango.DeviceProxy``) and reports
the ``VmRSS`` delta / 1,000, once right after creating them and once after one
``read_attribute("scalar")`` on each.

Rules (as in ``bench_client.py``): every client runs in its own subprocess (this script
re-run with ``--worker``); rounds alternate which implementation goes first; the parent
never imports ``tango`` or ``puretango``; only figures from this one run are compared.

Usage: ``python bench/bench_green.py`` (~2 min) or ``--quick`` (~30 s smoke run).
Results are printed and prepended to ``bench/RESULTS.md`` (``--no-results`` to skip).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import statistics
import sys
import time
import traceback
from collections import deque
from functools import partial
from pathlib import Path

from _common import (
    CLK_TCK,
    IMPLS,
    SERVER_CPU,
    Results,
    RunClock,
    Server,
    Worker,
    add_results_args,
    alternating_rounds,
    choose_size,
    client_core,
    device_trl,
    machine_info,
    make_parser,
    open_workers,
    pin_process,
    proc_cpu_ticks,
    proc_status_kb,
    publish,
    reply,
    run_once,
    script_argv,
    tmp_dir,
)

NDEV = 20
DEVICES = [f"bench/dev/{i}" for i in range(1, NDEV + 1)]
ATTR = "scalar"
SAMPLE_EVERY = 250  # reads between two thread-count samples
# mode key -> (label, green submodule)
MODES = {
    "futures": ("futures (wait=False, window)", "futures"),
    "gevent_a": ("gevent A (greenlets, blocking)", "gevent"),
    "gevent_b": ("gevent B (wait=False, joinall batches)", "gevent"),
    "asyncio": ("asyncio (gather + semaphore)", "asyncio"),
}
TARGET_CPU = ("<=", 0.5)  # client CPU per read: puretango <= 0.5x PyTango (issue 12)
TARGET_RATE = (">=", 1.2)  # reads/s: puretango >= 1.2x PyTango (issue 12)
TARGET_MEM = ("<=", 1.0)  # memory per proxy: puretango <= PyTango

# reads per round, rounds, warm-up reads per worker, proxies and fresh processes for memory
FULL = {"reads": 10000, "rounds": 5, "warmup": 1000, "proxies": 1000, "mem_samples": 3}
QUICK = {"reads": 4000, "rounds": 3, "warmup": 500, "proxies": 1000, "mem_samples": 2}


# --------------------------------------------------------------------------- worker side


def nthreads() -> int:
    return len(os.listdir("/proc/self/task"))


def tcp_connections() -> int:
    """Established TCP connections owned by this process (its socket fds found in
    ``/proc/self/net/tcp``/``tcp6`` in state 01)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listdir fd itself)
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    n = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            n += fields[3] == "01" and fields[9] in inodes
    return n


def check(result) -> None:
    """A completed read must carry a float value."""
    value = result.value
    if not isinstance(value, float):
        raise RuntimeError(f"unexpected value {value!r} from {result!r}")


def work_futures(proxies: list, n: int, opts: dict) -> int:
    """``wait=False`` futures, FIFO sliding window of ``window`` in flight."""
    window = opts["window"]
    pending: deque = deque()
    popleft, append = pending.popleft, pending.append
    np_ = len(proxies)
    tmax = nthreads()
    for i in range(n):
        if len(pending) >= window:
            popleft().result()
        append(proxies[i % np_].read_attribute(ATTR, wait=False))
        if i % SAMPLE_EVERY == 0:
            tmax = max(tmax, nthreads())
    last = None
    while pending:
        last = popleft().result()
    check(last)
    return max(tmax, nthreads())


def work_gevent_a(proxies: list, n: int, opts: dict) -> int:
    """``greenlets`` greenlets doing blocking reads until ``n`` are done."""
    import gevent

    np_ = len(proxies)
    state = {"next": 0, "tmax": nthreads(), "last": None}

    def loop() -> None:
        while state["next"] < n:
            i = state["next"]
            state["next"] = i + 1
            state["last"] = proxies[i % np_].read_attribute(ATTR)
            if i % SAMPLE_EVERY == 0:
                state["tmax"] = max(state["tmax"], nthreads())

    greenlets = [gevent.spawn(loop) for _ in range(opts["greenlets"])]
    gevent.joinall(greenlets, raise_error=True)
    check(state["last"])
    return max(state["tmax"], nthreads())


def work_gevent_b(proxies: list, n: int, opts: dict) -> int:
    """``wait=False`` AsyncResults in batches of ``batch``: joinall, then ``.get()``."""
    import gevent

    np_ = len(proxies)
    batch_size = opts["batch"]
    tmax = nthreads()
    last = None
    for start in range(0, n, batch_size):
        batch = [
            proxies[i % np_].read_attribute(ATTR, wait=False)
            for i in range(start, min(n, start + batch_size))
        ]
        gevent.joinall(batch)
        for r in batch:
            last = r.get()
        if start % SAMPLE_EVERY < batch_size:
            tmax = max(tmax, nthreads())
    check(last)
    return max(tmax, nthreads())


async def awork_asyncio(proxies: list, n: int, opts: dict) -> int:
    """``asyncio.gather`` of ``n`` coroutines, at most ``limit`` in flight (semaphore)."""
    import asyncio

    sem = asyncio.Semaphore(opts["limit"])
    np_ = len(proxies)
    state = {"tmax": nthreads()}

    async def one(i: int):
        async with sem:
            result = await proxies[i % np_].read_attribute(ATTR)
        if i % SAMPLE_EVERY == 0:
            state["tmax"] = max(state["tmax"], nthreads())
        return result

    results = await asyncio.gather(*(one(i) for i in range(n)))
    check(results[-1])
    return max(state["tmax"], nthreads())


def green_worker(args: argparse.Namespace) -> None:
    """``--worker green``: make 20 proxies in one green mode, warm up, then serve ``run``
    commands (JSON lines on stdin) until stdin closes, one ``reply`` per command."""
    pin_process({args.cpu})
    opts = json.loads(args.opts)
    trls = [device_trl(args.port, d) for d in DEVICES[: args.ndev]]
    submodule = MODES[args.mode][1]
    loop = None
    try:
        green = importlib.import_module(f"{args.module}.{submodule}")
        if args.mode == "asyncio":
            import asyncio

            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            async def make() -> list:
                return [await green.DeviceProxy(t) for t in trls]

            proxies = loop.run_until_complete(make())

            def work(n: int) -> int:
                return loop.run_until_complete(awork_asyncio(proxies, n, opts))
        else:
            proxies = [green.DeviceProxy(t) for t in trls]
            fn = {"futures": work_futures, "gevent_a": work_gevent_a, "gevent_b": work_gevent_b}
            body = fn[args.mode]

            def work(n: int) -> int:
                return body(proxies, n, opts)

        work(opts["warmup"])
        reply({"ready": True, "threads": nthreads()})
    except Exception:
        reply({"error": traceback.format_exc()})
        return
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            gc.collect()
            c0 = time.process_time_ns()
            t0 = time.perf_counter_ns()
            tmax = work(cmd["reads"])
            wall = time.perf_counter_ns() - t0
            cpu = time.process_time_ns() - c0
            reply(
                {
                    "reads": cmd["reads"],
                    "wall_ns": wall,
                    "cpu_ns": cpu,
                    "threads": tmax,
                    "tcp": tcp_connections(),
                }
            )
        except Exception:
            reply({"error": traceback.format_exc()})


def memory_worker(args: argparse.Namespace) -> None:
    """``--worker memory``: VmRSS delta per synchronous proxy, fresh process.

    One proxy per device is made and read first, so the import, the ORB/engine set-up and
    the connections are in the baseline; then ``proxies`` more are made (round-robin over
    the devices), and each one then reads ``scalar`` once.
    """
    pin_process({args.cpu})
    try:
        tango = importlib.import_module(args.module)
        trls = [device_trl(args.port, d) for d in DEVICES[: args.ndev]]
        base = [tango.DeviceProxy(t) for t in trls]
        for p in base:
            p.read_attribute(ATTR)
        gc.collect()
        rss0 = proc_status_kb("VmRSS")
        proxies = [tango.DeviceProxy(trls[i % len(trls)]) for i in range(args.proxies)]
        gc.collect()
        rss1 = proc_status_kb("VmRSS")
        for p in proxies:
            check(p.read_attribute(ATTR))
        gc.collect()
        rss2 = proc_status_kb("VmRSS")
        reply(
            {
                "created_kb": (rss1 - rss0) / args.proxies,
                "read_kb": (rss2 - rss0) / args.proxies,
                "threads": nthreads(),
            }
        )
    except Exception:
        reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


def proc_cpu_ns(pid: int) -> int:
    """CPU time (user + system, all threads) of process ``pid`` so far, in ns."""
    return proc_cpu_ticks(pid) * 1_000_000_000 // CLK_TCK


def worker_argv(kind: str, label: str, port: int, cpu: int, *args: str) -> list[str]:
    """This script as a ``--worker kind`` client of implementation ``label``."""
    argv = script_argv(__file__, "--worker", kind, "--module", IMPLS[label], *args)
    return [*argv, "--port", str(port), "--ndev", str(NDEV), "--cpu", str(cpu)]


def green_worker_proc(label: str, mode: str, port: int, cpu: int, opts: dict) -> Worker:
    argv = worker_argv("green", label, port, cpu, "--mode", mode)
    return Worker(label, [*argv, "--opts", json.dumps(opts)])


def run_mode(
    res: Results, server: Server, mode: str, size: dict, opts: dict, cpu: int, timeout: float
) -> None:
    """Both implementations in ``mode``: one worker each, ``rounds`` alternating rounds."""
    title = MODES[mode][0]
    print(f"{title}: {size['rounds']} rounds x {size['reads']} reads", flush=True)
    rates: dict[str, list[float]] = {label: [] for label in IMPLS}
    cpu_ns = dict.fromkeys(IMPLS, 0)
    reads = dict.fromkeys(IMPLS, 0)
    threads = dict.fromkeys(IMPLS, 0)
    tcp = dict.fromkeys(IMPLS, 0)
    server_ns = dict.fromkeys(IMPLS, 0)
    assert server.proc is not None
    failed: set[str] = set()

    def ask(label: str, i: int) -> dict:
        s0 = proc_cpu_ns(server.pid)
        rep = workers[label].ask({"kind": "run", "reads": size["reads"]}, timeout)
        s1 = proc_cpu_ns(server.pid)
        if "error" not in rep:
            server_ns[label] += s1 - s0
        return rep

    def collect(label: str, rep: dict) -> None:
        rates[label].append(rep["reads"] / (rep["wall_ns"] / 1e9))
        cpu_ns[label] += rep["cpu_ns"]
        reads[label] += rep["reads"]
        threads[label] = max(threads[label], rep["threads"])
        tcp[label] = max(tcp[label], rep["tcp"])

    def after_round(i: int) -> None:
        done = ", ".join(
            f"{label} {rates[label][-1]:,.0f}/s" if label not in failed else f"{label} FAIL"
            for label in IMPLS
        )
        print(f"  round {i + 1}/{size['rounds']}: {done}", flush=True)
        if not server.alive():
            raise RuntimeError(f"device server died during {title}")

    make = partial(green_worker_proc, mode=mode, port=server.port, cpu=cpu, opts=opts)
    with open_workers(make) as workers:
        for label, w in workers.items():
            rep = w.wait_ready(timeout)
            if "error" in rep:
                failed.add(label)
                res.error(f"{title}: set-up + warm-up", label, rep["error"])
            else:
                threads[label] = rep["threads"]
        alternating_rounds(
            res,
            size["rounds"],
            lambda i: f"{title}: round {i + 1}",
            ask,
            collect,
            failed,
            after_round,
        )
    res.add_each(
        f"{title}: reads/s",
        "1/s",
        lambda lb: statistics.median(rates[lb]),
        failed,
        True,
        TARGET_RATE,
    )
    res.add_each(
        f"{title}: client CPU per read",
        "µs",
        lambda lb: cpu_ns[lb] / reads[lb] / 1e3,
        failed,
        target=TARGET_CPU,
    )
    res.add_each(f"{title}: OS threads in client (max)", "n", threads.get, failed)
    res.add_each(f"{title}: TCP connections of client", "n", tcp.get, failed)
    res.add_each(
        f"{title}: server CPU per read",
        "µs",
        lambda lb: server_ns[lb] / reads[lb] / 1e3,
        failed,
    )


def run_memory(res: Results, server: Server, size: dict, cpu: int) -> None:
    n = size["proxies"]
    print(f"memory: {size['mem_samples']} fresh processes x {n} proxies each", flush=True)
    data: dict[str, dict[str, list[float]]] = {
        label: {"created_kb": [], "read_kb": []} for label in IMPLS
    }

    def measure(label: str, i: int) -> dict:
        return run_once(worker_argv("memory", label, server.port, cpu, "--proxies", str(n)))

    def collect(label: str, rep: dict) -> None:
        for key in data[label]:
            data[label][key].append(rep[key])

    failed = alternating_rounds(res, size["mem_samples"], "memory per proxy", measure, collect)
    for key, when in (("created_kb", "created"), ("read_kb", "after one read each")):
        res.add_each(
            f"memory per proxy, {n:,} sync proxies {when}",
            "KiB",
            lambda lb, key=key: statistics.median(data[lb][key]),
            failed,
            target=TARGET_MEM,
        )


def parent_main(args: argparse.Namespace) -> int:
    size = choose_size(args, FULL, QUICK, ("reads", "rounds"))
    opts = {
        "window": args.window,
        "greenlets": args.greenlets,
        "batch": args.batch,
        "limit": args.limit,
        "warmup": size["warmup"],
    }
    modes = args.modes.split(",") if args.modes else list(MODES)
    clock = RunClock()
    cpu = client_core()
    load0 = os.getloadavg()
    res = Results()
    log_path = tmp_dir() / f"benchdev-green-{os.getpid()}.log"
    server = Server(log_path, DEVICES)
    print(
        f"server: {NDEV} devices on port {server.port} (pinned to core {SERVER_CPU}, "
        f"log {log_path}); clients on core {cpu}",
        flush=True,
    )
    server.start()
    try:
        for mode in modes:
            run_mode(res, server, mode, size, opts, cpu, args.timeout)
        run_memory(res, server, size, cpu)
    finally:
        server.stop()
    elapsed = clock.elapsed()
    info = machine_info(("gevent",))
    notes = [
        f"Server: one PyTango process (`benchdev.py`), {NDEV} devices, pinned to core "
        f"{SERVER_CPU}; every client its own subprocess pinned to core {cpu}.",
        f"Each mode: {size['rounds']} alternating rounds x {size['reads']:,} "
        f'`read_attribute("{ATTR}")` per implementation, round-robin over {NDEV} proxies '
        f"(one per device), after {size['warmup']} warm-up reads. In flight at most: futures "
        f"{opts['window']} (FIFO sliding window: the oldest future's `.result()` is taken "
        f"before submitting more), gevent A {opts['greenlets']} greenlets, gevent B batches "
        f"of {opts['batch']} (`gevent.joinall` then `.get()`), asyncio "
        f"`asyncio.Semaphore({opts['limit']})` inside one `asyncio.gather`.",
        "reads/s: median of the rounds. Client CPU per read: `time.process_time()` of the "
        "client process (all threads) over the timed part, summed over rounds / reads. "
        "OS threads: max of `len(os.listdir('/proc/self/task'))` after set-up and every "
        f"{SAMPLE_EVERY} reads during the timed part. TCP connections: established ones "
        "owned by the client after each round (max). Server CPU per read: user+system "
        "time of the server process (`/proc/PID/stat`, clock-tick resolution) across each "
        "timed round as seen by the parent (includes worker command overhead) / reads; "
        "diagnostic only, no target.",
        f"Memory per proxy: fresh process per sample ({size['mem_samples']} per "
        "implementation, median), synchronous `DeviceProxy`; after one proxy per device "
        f"has been made and read (baseline), `VmRSS` delta of {size['proxies']:,} more "
        "proxies / their number, right after creation and after one read on each.",
        "Ratio = puretango / PyTango. Targets on the ratio: client CPU per read ≤ 0.5, "
        "reads/s ≥ 1.2, memory per proxy ≤ 1.0 (issue 12).",
        f"Run took {elapsed:.0f} s{' (--quick)' if args.quick else ''}; load average "
        f"(1/5/15 min) {'/'.join(f'{x:.2f}' for x in load0)} at start, "
        f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())} at end (other processes on "
        "the same cores disturb wall-clock figures more than CPU per read).",
    ]
    publish(args, clock, "green modes", info, res.table(), notes, res.failures())
    return 1 if res.errors else 0


def main() -> int:
    parser = make_parser(__doc__)
    parser.add_argument("--reads", type=int, help="reads per mode per round (10000)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (5; quick 3)")
    parser.add_argument("--window", type=int, default=200, help="futures in flight (200)")
    parser.add_argument("--greenlets", type=int, default=100, help="gevent A greenlets (100)")
    parser.add_argument("--batch", type=int, default=100, help="gevent B batch size (100)")
    parser.add_argument("--limit", type=int, default=100, help="asyncio semaphore (100)")
    parser.add_argument("--modes", help=f"comma-separated subset of {','.join(MODES)}")
    parser.add_argument("--timeout", type=float, default=120.0, help="per round, seconds")
    add_results_args(parser)
    # internal: client subprocess modes
    parser.add_argument("--worker", choices=["green", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--module", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ndev", type=int, default=NDEV, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--opts", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--proxies", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "green":
        green_worker(args)
        return 0
    if args.worker == "memory":
        memory_worker(args)
        return 0
    if args.modes and not set(args.modes.split(",")) <= set(MODES):
        parser.error(f"--modes: choose from {','.join(MODES)}")
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
