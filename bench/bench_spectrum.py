"""Large values, both sides: every client against every server reading the 8 MiB spectrum
(and the 2 MiB image) of ``bench/dev/1``.

Two servers, both pinned to core 0 and bound to 127.0.0.1: ``PyTango`` (``benchdev.py``)
and ``puretango`` (``benchdev_pure.py``, plain methods). Two clients, PyTango's and
puretango's ``DeviceProxy``, each in its own subprocess per server (this script re-run
with ``--worker``), on core 1. Each round reads ``spectrum`` then ``image`` through the
four (client, server) pairs, in an order that rotates between rounds; the first read of
each block is a warm-up.

Per pair: reads/s and MB/s of the median read, client CPU per read (``process_time``),
server CPU per read (``utime + stime`` of ``/proc/<pid>/stat``, clock ticks, summed over
rounds). Ratios, with issue 12's targets on the spectrum:

* server side: PyTango client, puretango server / PyTango server (>= 1.0);
* client side: PyTango server, puretango client / PyTango client (>= 1.0);
* both: puretango client and server / PyTango client and server (>= 1.5).

Usage: ``python bench/bench_spectrum.py`` (~1 min) or ``--quick``; ``--no-results`` to
skip prepending the report to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

from _common import (
    CLK_TCK,
    IMPLS,
    Server,
    Worker,
    add_results_args,
    client_core,
    fmt,
    machine_info,
    make_parser,
    pin_process,
    proc_cpu_ticks,
    publish,
    ratio_of,
    ratio_text,
    reply,
    script_argv,
    target_cells,
    tmp_dir,
)
from benchdev_data import IMAGE_SHAPE, SPECTRUM_LEN, image_data, spectrum_data

DEVICE = "bench/dev/1"
SERVERS = {"PyTango": "benchdev.py", "puretango": "benchdev_pure.py"}
ATTRS = {"spectrum": 8 * SPECTRUM_LEN, "image": 8 * IMAGE_SHAPE[0] * IMAGE_SHAPE[1]}
FULL = {"spectrum": 40, "image": 100, "rounds": 5}
QUICK = {"spectrum": 10, "image": 25, "rounds": 3}
MB = 1e6
# (title, (client, server) measured, (client, server) reference, target on the ratio)
RATIOS = [
    ("server side (PyTango client)", ("PyTango", "puretango"), ("PyTango", "PyTango"), 1.0),
    ("client side (PyTango server)", ("puretango", "PyTango"), ("PyTango", "PyTango"), 1.0),
    ("both sides", ("puretango", "puretango"), ("PyTango", "PyTango"), 1.5),
]


# --------------------------------------------------------------------------- worker side


def worker_main(args: argparse.Namespace) -> None:
    """One client (``--client``) of one server: answer JSON-line commands."""
    import numpy as np

    module = __import__(IMPLS[args.client])
    proxy = module.DeviceProxy(args.trl)
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            pin_process({cmd["cpu"]})
            attr = cmd["attr"]
            value = proxy.read_attribute(attr).value  # warm-up, and the value check
            want = spectrum_data() if attr == "spectrum" else image_data()
            if not np.array_equal(value, want):
                reply({"error": f"{attr}: wrong value (shape {getattr(value, 'shape', None)})"})
                continue
            times = []
            ticks0, cpu0 = proc_cpu_ticks(args.server_pid), time.process_time_ns()
            for _ in range(cmd["reads"]):
                t0 = time.perf_counter_ns()
                proxy.read_attribute(attr)
                times.append(time.perf_counter_ns() - t0)
            cpu = time.process_time_ns() - cpu0
            reply(
                {
                    "times_ns": times,
                    "client_cpu_ns": cpu,
                    "server_ticks": proc_cpu_ticks(args.server_pid) - ticks0,
                }
            )
        except Exception:
            reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


def _table(samples: dict, size: dict) -> tuple[str, list[str]]:
    """The per-pair table and the ratio lines."""
    lines = [
        "| attribute | client | server | reads/s | MB/s | client CPU/read [ms] "
        "| server CPU/read [ms] |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    rate: dict[tuple[str, str, str], float] = {}
    for attr, nbytes in ATTRS.items():
        for (client, server), got in samples[attr].items():
            if not got["times"]:
                lines.append(f"| {attr} | {client} | {server} | FAIL | | | |")
                continue
            median = statistics.median(got["times"]) / 1e9
            reads = len(got["times"])
            rate[(attr, client, server)] = 1 / median
            lines.append(
                f"| {attr} | {client} | {server} | {fmt(1 / median)} | {fmt(nbytes / median / MB)}"
                f" | {fmt(got['cpu_ns'] / reads / 1e6)}"
                f" | {fmt(got['ticks'] * 1000 / CLK_TCK / reads)} |"
            )
    ratios = [
        "| ratio of reads/s | attribute | value | target | met |",
        "|---|---|---:|:---:|:---:|",
    ]
    for title, pair, ref, target in RATIOS:
        for attr in ATTRS:
            r = ratio_of(rate.get((attr, *pair)), rate.get((attr, *ref)))
            goal, met = target_cells(r, (">=", target)) if attr == "spectrum" else ("", "")
            ratios.append(f"| {title} | {attr} | {ratio_text(r)} | {goal} | {met} |")
    return "\n".join(lines) + "\n\n" + "\n".join(ratios), []


def main() -> None:
    parser = make_parser(__doc__)
    add_results_args(parser)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--trl", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    from _common import RunClock

    clock = RunClock()
    size = QUICK if args.quick else FULL
    log_dir = tmp_dir()
    servers = {
        label: Server(log_dir / f"bench-spectrum-{label.lower()}-{os.getpid()}.log", [DEVICE], s)
        for label, s in SERVERS.items()
    }
    failures: list[tuple[str, str]] = []
    pairs = [(c, s) for s in SERVERS for c in IMPLS]
    samples = {a: {p: {"times": [], "cpu_ns": 0, "ticks": 0} for p in pairs} for a in ATTRS}
    workers: dict[tuple[str, str], Worker] = {}
    try:
        for server in servers.values():
            server.start()
        for client, label in pairs:
            server = servers[label]
            argv = script_argv(
                __file__, "--worker", "--client", client, "--trl", server.trl,
                "--server-pid", str(server.pid),
            )  # fmt: skip
            workers[(client, label)] = Worker(f"{client} client / {label} server", argv)
        core = client_core()
        broken: set[tuple[str, str]] = set()
        for i in range(size["rounds"]):
            order = pairs[i % len(pairs) :] + pairs[: i % len(pairs)]
            for attr in ATTRS:
                for pair in order:
                    if pair in broken:
                        continue
                    rep = workers[pair].ask({"attr": attr, "reads": size[attr], "cpu": core})
                    if "error" in rep:
                        broken.add(pair)
                        failures.append((f"{pair[0]} client / {pair[1]} server", rep["error"]))
                        continue
                    got = samples[attr][pair]
                    got["times"] += rep["times_ns"]
                    got["cpu_ns"] += rep["client_cpu_ns"]
                    got["ticks"] += rep["server_ticks"]
            print(f"  round {i + 1}/{size['rounds']} done ({clock.elapsed():.0f} s)", flush=True)
    finally:
        for w in workers.values():
            w.close()
        for server in servers.values():
            server.stop()
    table, _ = _table(samples, size)
    notes = [
        "Servers: PyTango = `bench/benchdev.py`, puretango = `bench/benchdev_pure.py` (plain "
        "methods); both under `taskset -c 0`, -nodb, bound to 127.0.0.1. Clients on core "
        f"{client_core()}, one subprocess per (client, server) pair.",
        f"{size['rounds']} rounds of {size['spectrum']} spectrum (8 MiB float64) and "
        f"{size['image']} image (2 MiB float64) reads per pair, after one warm-up read; "
        "the pair order rotates every round. reads/s and MB/s of the median read "
        "(MB = 10^6 bytes); CPU per read summed over rounds (server: clock ticks of 10 ms).",
        "Ratios compare reads/s of the median read; targets (issue 12) on the spectrum.",
        f"Run took {clock.elapsed():.0f} s.",
    ]
    publish(args, clock, "large values", machine_info(), table, notes, failures)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
