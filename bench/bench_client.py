"""Client benchmark: puretango's synchronous DeviceProxy against PyTango's, same server.

One run starts one real PyTango device server (``bench/benchdev.py``, pinned to core 0,
bound to 127.0.0.1 only) and measures both client implementations against it:

* latency of small calls, client and server pinned to core 0 (median, p99, client CPU);
* throughput reading an 8 MB spectrum and a 2 MB image, client on core 1, server on core 0;
* new proxy + first call, ``import`` time, installed size and peak RSS.

Rules of this file:

1. Every client runs in its own subprocess (this script re-run with ``--worker``), so
   the two libraries never share an interpreter and their memory is measured apart.
2. Rounds alternate between the implementations (the first one swaps every round), so
   slow drifts of the machine hit both sides alike.
3. The parent only orchestrates and prints; it never imports ``tango`` or ``puretango``.

Usage: ``python bench/bench_client.py`` (~2-3 min) or ``--quick`` (~20 s smoke run).
Results are printed and prepended to ``bench/RESULTS.md`` (``--no-results`` to skip).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
from functools import partial
from pathlib import Path

from _common import (
    IMPLS,
    REPO_ROOT,
    SERVER_CPU,
    Results,
    RunClock,
    Server,
    Worker,
    add_results_args,
    alternating_rounds,
    child_env,
    choose_size,
    client_core,
    machine_info,
    make_parser,
    open_workers,
    peak_rss_kb,
    percentile,
    pin_process,
    publish,
    reply,
    round_order,
    run_once,
    script_argv,
    tmp_dir,
)

DEVICE = "bench/dev/1"
LATENCY_OPS = {
    'read_attribute("scalar")': ("read_attribute", ("scalar",)),
    'write_attribute("scalar", 1.0)': ("write_attribute", ("scalar", 1.0)),
    'command_inout("Cmd", 1.0)': ("command_inout", ("Cmd", 1.0)),
    "state()": ("state", ()),
    "ping()": ("ping", ()),
}
BULK_ATTRS = {"spectrum": 8 * (1 << 20), "image": 8 * 512 * 512}  # attribute -> bytes
BULK_LABELS = {"spectrum": "1,048,576 float64 = 8 MiB", "image": "512x512 float64 = 2 MiB"}
MB = 1e6

# Run sizes: calls per op per round, rounds, bulk reads per round, fresh-process samples.
FULL = {"calls": 20000, "rounds": 5, "spectrum": 40, "image": 150, "samples": 9, "warm": 50}
QUICK = {"calls": 2000, "rounds": 2, "spectrum": 10, "image": 30, "samples": 3, "warm": 10}


# --------------------------------------------------------------------------- worker side


def _worker_latency(proxy, cmd: dict) -> dict:
    """Time each op ``calls`` times after a short warm-up; per-call ns and CPU per op."""
    out = {}
    pc = time.perf_counter_ns
    for label, (method, args) in LATENCY_OPS.items():
        fn = partial(getattr(proxy, method), *args)
        for _ in range(cmd["warmup"]):
            fn()
        lat = []
        append = lat.append
        cpu0 = time.process_time_ns()
        for _ in range(cmd["calls"]):
            t0 = pc()
            fn()
            append(pc() - t0)
        cpu = time.process_time_ns() - cpu0
        out[label] = {"lat_ns": lat, "cpu_ns": cpu}
    return out


def _worker_throughput(proxy, cmd: dict) -> dict:
    """Seconds per full read of each bulk attribute (after one warm-up read)."""
    out = {}
    pc = time.perf_counter_ns
    for attr, nbytes in BULK_ATTRS.items():
        value = proxy.read_attribute(attr).value
        if value.nbytes != nbytes:
            raise RuntimeError(f"{attr}: got {value.nbytes} bytes, expected {nbytes}")
        times = []
        for _ in range(cmd[attr]):
            t0 = pc()
            proxy.read_attribute(attr).value  # noqa: B018 - the read is what we time
            times.append(pc() - t0)
        out[attr] = times
    return out


def worker_main(args: argparse.Namespace) -> None:
    """Serve commands read as JSON lines on stdin; answer one ``RESULT_PREFIX`` line each.

    ``--worker persistent``: import, make one proxy, then run ``latency``/``throughput``
    commands until stdin closes. ``--worker connect``: time ``DeviceProxy(trl)`` plus a
    first ``read_attribute("scalar")`` in this fresh process, report peak RSS after that
    one proxy, then time ``warm`` more new-proxy-plus-first-call in the same process.
    """
    if args.cpu is not None:
        pin_process({args.cpu})
    t0 = time.perf_counter_ns()
    tango = importlib.import_module(args.module)
    t_import = time.perf_counter_ns() - t0

    if args.worker == "connect":
        try:
            t0 = time.perf_counter_ns()
            proxy = tango.DeviceProxy(args.trl)
            proxy.read_attribute("scalar")
            first = time.perf_counter_ns() - t0
            rss_kb = peak_rss_kb()
            warm = []
            for _ in range(args.warm):
                t0 = time.perf_counter_ns()
                p = tango.DeviceProxy(args.trl)
                p.read_attribute("scalar")
                warm.append(time.perf_counter_ns() - t0)
                del p
            reply({"import_ns": t_import, "first_ns": first, "warm_ns": warm, "rss_kb": rss_kb})
        except Exception:
            reply({"error": traceback.format_exc()})
        return

    try:
        proxy = tango.DeviceProxy(args.trl)
    except Exception:
        proxy = None
        setup_error = traceback.format_exc()
    handlers = {"latency": _worker_latency, "throughput": _worker_throughput}
    for line in sys.stdin:
        cmd = json.loads(line)
        if proxy is None:
            reply({"error": setup_error})
            continue
        try:
            reply(handlers[cmd["kind"]](proxy, cmd))
        except Exception:
            reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


def persistent_worker(label: str, trl: str, cpu: int) -> Worker:
    """A ``--worker persistent`` client subprocess of implementation ``label``."""
    argv = script_argv(__file__, "--worker", "persistent", "--module", IMPLS[label])
    return Worker(label, [*argv, "--trl", trl, "--cpu", str(cpu)])


def run_latency(res: Results, trl: str, size: dict) -> None:
    """Client and server on core 0; alternate rounds of ``calls`` per op."""
    print(
        f"latency: {size['rounds']} rounds x {size['calls']} calls/op, client+server "
        f"on core {SERVER_CPU}",
        flush=True,
    )
    lat: dict[str, dict[str, list[int]]] = {
        label: {op: [] for op in LATENCY_OPS} for label in IMPLS
    }
    cpu: dict[str, dict[str, int]] = {label: dict.fromkeys(LATENCY_OPS, 0) for label in IMPLS}
    cmd = {"kind": "latency", "calls": size["calls"], "warmup": max(20, size["calls"] // 20)}

    def collect(label: str, rep: dict) -> None:
        for op, data in rep.items():
            lat[label][op] += data["lat_ns"]
            cpu[label][op] += data["cpu_ns"]

    with open_workers(lambda label: persistent_worker(label, trl, SERVER_CPU)) as workers:
        failed = alternating_rounds(
            res,
            size["rounds"],
            "latency",
            lambda label, i: workers[label].ask(cmd),
            collect,
            after_round=lambda i: print(f"  round {i + 1}/{size['rounds']} done", flush=True),
        )

    def add_op(op: str) -> None:
        samples = {label: lat[label][op] for label in IMPLS}
        res.add_each(
            f"{op} median",
            "µs",
            lambda lb: statistics.median(samples[lb]) / 1e3,
            failed,
            target=LATENCY_TARGET,
        )
        res.add_each(f"{op} p99", "µs", lambda lb: percentile(samples[lb], 99) / 1e3, failed)
        res.add_each(
            f"{op} client CPU/call",
            "µs",
            lambda lb: cpu[lb][op] / len(samples[lb]) / 1e3,
            failed,
            target=CPU_TARGETS.get(op),
        )

    for op in LATENCY_OPS:
        add_op(op)


#: issue 12's targets on the ratio puretango/PyTango: latency of every op, client CPU of a
#: read, of state() and of ping(); the 8 MiB spectrum's MB/s
LATENCY_TARGET = ("<=", 1.0)
CPU_TARGETS = {
    'read_attribute("scalar")': ("<=", 1.5),
    "state()": ("<=", 1.5),
    "ping()": ("<=", 1.5),
}
SPECTRUM_TARGET = (">=", 1.0)


def run_throughput(res: Results, trl: str, size: dict) -> int:
    """Client on core 1 (0 if the machine has one core), server on core 0."""
    client_cpu = client_core()
    print(f"throughput: client on core {client_cpu}, server on core {SERVER_CPU}", flush=True)
    times: dict[str, dict[str, list[int]]] = {label: {a: [] for a in BULK_ATTRS} for label in IMPLS}
    cmd = {"kind": "throughput", "spectrum": size["spectrum"], "image": size["image"]}

    def collect(label: str, rep: dict) -> None:
        for attr, t in rep.items():
            times[label][attr] += t

    with open_workers(lambda label: persistent_worker(label, trl, client_cpu)) as workers:
        failed = alternating_rounds(
            res, size["rounds"], "throughput", lambda label, i: workers[label].ask(cmd), collect
        )
    for attr, nbytes in BULK_ATTRS.items():
        res.add_each(
            f"read {attr} ({BULK_LABELS[attr]})",
            "MB/s",
            lambda lb, attr=attr, nbytes=nbytes: (
                nbytes / MB / (statistics.median(times[lb][attr]) / 1e9)
            ),
            failed,
            True,
            target=SPECTRUM_TARGET if attr == "spectrum" else None,
        )
    return client_cpu


def run_connect(res: Results, trl: str, size: dict) -> None:
    """Fresh process per sample: first proxy + first call, RSS, warm new proxies."""
    print(f"new proxy / RSS: {size['samples']} fresh processes per implementation", flush=True)
    data: dict[str, dict[str, list[float]]] = {
        label: {"first": [], "warm": [], "rss": []} for label in IMPLS
    }

    def connect(label: str, i: int) -> dict:
        argv = script_argv(__file__, "--worker", "connect", "--module", IMPLS[label])
        return run_once([*argv, "--trl", trl, "--warm", str(size["warm"])])

    def collect(label: str, rep: dict) -> None:
        data[label]["first"].append(rep["first_ns"] / 1e6)
        data[label]["warm"].extend(t / 1e6 for t in rep["warm_ns"])
        data[label]["rss"].append(rep["rss_kb"] / 1024)

    failed = alternating_rounds(res, size["samples"], "new proxy", connect, collect)
    res.add_each(
        "new proxy + first read, fresh process",
        "ms",
        lambda lb: statistics.median(data[lb]["first"]),
        failed,
    )
    res.add_each(
        "new proxy + first read, same process again",
        "ms",
        lambda lb: statistics.median(data[lb]["warm"]) if data[lb]["warm"] else None,
        failed,
    )
    res.add_each(
        "peak RSS after one proxy", "MiB", lambda lb: statistics.median(data[lb]["rss"]), failed
    )


def run_import(res: Results, size: dict) -> None:
    """Wall time of ``python -c "import X"`` minus ``python -c "pass"`` (medians)."""
    n = size["samples"] + 2
    print(f"import time: {n} fresh interpreters each", flush=True)
    env = child_env()

    def wall(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - t0

    for module in IMPLS.values():  # warm the page cache and write any missing .pyc
        wall(f"import {module}")
    samples: dict[str, list[float]] = {"pass": [], **{label: [] for label in IMPLS}}
    for i in range(n):
        samples["pass"].append(wall("pass"))
        for label in round_order(i):
            samples[label].append(wall(f"import {IMPLS[label]}"))
    base = statistics.median(samples["pass"])
    for label in IMPLS:
        res.add(
            "import time (minus bare interpreter)",
            "ms",
            label,
            (statistics.median(samples[label]) - base) * 1e3,
        )


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path``, ``__pycache__`` excluded."""
    return sum(
        p.stat().st_size for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )


def run_size(res: Results) -> str:
    """Installed size; returns a note naming the directories counted."""
    env = child_env()
    where = {}
    for label, module in IMPLS.items():
        out = subprocess.run(
            [sys.executable, "-c", f"import {module}; print({module}.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=REPO_ROOT,
        )
        where[label] = Path(out.stdout.strip()).parent
    dirs = {"puretango": [where["puretango"]], "PyTango": [where["PyTango"]]}
    dirs["PyTango"] += sorted(where["PyTango"].parent.glob("pytango*.libs"))
    for label, paths in dirs.items():
        res.add("installed size", "MB", label, sum(dir_size(p) for p in paths) / MB)
    return "; ".join(
        f"{label}: {', '.join(str(p) for p in paths)}" for label, paths in dirs.items()
    )


def parent_main(args: argparse.Namespace) -> int:
    size = choose_size(args, FULL, QUICK, ("calls", "rounds"))
    clock = RunClock()
    res = Results()
    log_path = tmp_dir() / f"benchdev-{os.getpid()}.log"
    server = Server(log_path, [DEVICE])
    print(f"server: {server.trl} (pinned to core {SERVER_CPU}, log {log_path})", flush=True)
    server.start()
    try:
        run_latency(res, server.trl, size)
        client_cpu = run_throughput(res, server.trl, size)
        run_connect(res, server.trl, size)
    finally:
        server.stop()
    run_import(res, size)
    size_note = run_size(res)
    elapsed = clock.elapsed()
    info = machine_info()
    notes = [
        f"Latency: {size['rounds']} rounds x {size['calls']} calls per op per implementation, "
        f"client and server pinned to core {SERVER_CPU}; CPU/call = client process_time "
        f"over the timed loop / calls. Throughput: client on core {client_cpu}, "
        f"server on core {SERVER_CPU}, "
        f"median of {size['rounds']} x ({size['spectrum']} spectrum, {size['image']} image) "
        "reads; MB = 10^6 bytes.",
        "Ratio = puretango / PyTango; 'ratio better if' tells which side favours puretango.",
        f"Installed size counts files except __pycache__ in: {size_note}.",
        f"Run took {elapsed:.0f} s{' (--quick)' if args.quick else ''}.",
    ]
    publish(args, clock, "", info, res.table(), notes, res.failures())
    return 1 if res.errors else 0


def main() -> int:
    parser = make_parser(__doc__)
    parser.add_argument("--calls", type=int, help="latency calls per op per round")
    parser.add_argument("--rounds", type=int, help="alternating rounds")
    add_results_args(parser)
    # internal: client subprocess modes
    parser.add_argument("--worker", choices=["persistent", "connect"], help=argparse.SUPPRESS)
    parser.add_argument("--module", help=argparse.SUPPRESS)
    parser.add_argument("--trl", help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return 0
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
