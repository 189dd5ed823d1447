"""Server benchmark: puretango's device server against PyTango's, same PyTango client.

One run starts four device servers serving the same device (``bench/dev/1``: ``scalar``,
``spectrum``, ``image``, ``Cmd``), all pinned to core 0 and bound to 127.0.0.1 only:

* ``PyTango sync``: ``bench/benchdev.py``;
* ``puretango sync``: ``bench/benchdev_pure.py`` (plain methods);
* ``PyTango asyncio``: ``bench/benchdev_async.py`` (``green_mode = GreenMode.Asyncio``);
* ``puretango asyncio``: ``bench/benchdev_pure.py`` with ``BENCH_ASYNC=1``.

Every server gets its own client subprocess (this script re-run with ``--worker``), a
real PyTango ``tango.DeviceProxy`` client. Each round runs every section against every
server, in an order that rotates between rounds:

* latency: client pinned to core 0 like the server; ``read_attribute("scalar")`` N times
  after a warm-up (median, p99). Over the same timed block, the server's CPU time
  (``utime + stime`` of ``/proc/<pid>/stat``, all threads, in clock ticks) / N;
* threads: client on core 1, 20 threads with one ``DeviceProxy`` each calling
  ``read_attribute("scalar")`` for a fixed time; reads/s, and server CPU / read;
* spectrum: client on core 1, ``read_attribute("spectrum")`` (8 MiB float64), MB/s of
  the median read.

Each client checks the values first and last (state ON, ``scalar`` written and read
back, ``Cmd`` echo, ``spectrum`` and ``image`` equal to their ``arange``). A failing
server's output (log file) is printed and recorded with the client's traceback.

Usage: ``python bench/bench_server.py`` (~2-3 min) or ``--quick`` (~30 s smoke run).
Results are printed and prepended to ``bench/RESULTS.md`` (``--no-results`` to skip).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

from _common import (
    CLK_TCK,
    HOST,
    SERVER_CPU,
    RunClock,
    Server,
    Worker,
    add_results_args,
    choose_size,
    client_core,
    fmt,
    machine_info,
    make_parser,
    percentile,
    pin_process,
    proc_cpu_ticks,
    proc_status_kb,
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
SPECTRUM_BYTES = 8 * SPECTRUM_LEN
MB = 1e6

# label -> (script in bench/, extra environment)
SERVERS = {
    "PyTango sync": ("benchdev.py", {}),
    "puretango sync": ("benchdev_pure.py", {"BENCH_ASYNC": "0"}),
    "PyTango asyncio": ("benchdev_async.py", {}),
    "puretango asyncio": ("benchdev_pure.py", {"BENCH_ASYNC": "1"}),
}
# mode -> (PyTango server, puretango server); the ratio is always puretango / PyTango
MODES = {
    "sync": ("PyTango sync", "puretango sync"),
    "asyncio": ("PyTango asyncio", "puretango asyncio"),
}

# Run sizes: latency calls per round, seconds of the threaded block, spectrum reads per
# round, client threads, rounds.
FULL = {"calls": 8000, "seconds": 2.0, "spectrum": 20, "threads": 20, "rounds": 5}
QUICK = {"calls": 1500, "seconds": 0.5, "spectrum": 5, "threads": 20, "rounds": 3}
REPLY_TIMEOUT = 120.0  # seconds a client may take for one section before it is a hang


# --------------------------------------------------------------------------- worker side


def _check(tango, proxy) -> dict:
    """Values and behaviour of the device; an ``error`` entry lists every mismatch."""
    import numpy as np

    problems = []

    def expect(what, got, want):
        if not (got == want):
            problems.append(f"{what}: got {got!r}, expected {want!r}")

    expect("state()", proxy.state(), tango.DevState.ON)
    scalar = proxy.read_attribute("scalar")
    expect("scalar type", scalar.type, tango.CmdArgType.DevDouble)
    expect("scalar quality", scalar.quality, tango.AttrQuality.ATTR_VALID)
    proxy.write_attribute("scalar", 1.5)
    expect("scalar after write 1.5", proxy.read_attribute("scalar").value, 1.5)
    proxy.write_attribute("scalar", 0.0)
    expect("scalar after write 0.0", proxy.read_attribute("scalar").value, 0.0)
    expect('command_inout("Cmd", 2.5)', proxy.command_inout("Cmd", 2.5), 2.5)
    spectrum = proxy.read_attribute("spectrum").value
    expect("spectrum shape", getattr(spectrum, "shape", None), (SPECTRUM_LEN,))
    expect("spectrum dtype", str(getattr(spectrum, "dtype", None)), "float64")
    if getattr(spectrum, "shape", None) == (SPECTRUM_LEN,):
        expect("spectrum == arange", bool(np.array_equal(spectrum, spectrum_data())), True)
    image = proxy.read_attribute("image").value
    expect("image shape", getattr(image, "shape", None), IMAGE_SHAPE)
    if getattr(image, "shape", None) == IMAGE_SHAPE:
        expect("image == arange", bool(np.array_equal(image, image_data())), True)
    return {"error": "wrong values:\n" + "\n".join(problems)} if problems else {"ok": True}


def _latency(proxy, cmd: dict, pid: int) -> dict:
    """``calls`` sequential scalar reads: per-call ns, server and client CPU of the block."""
    read = proxy.read_attribute
    for _ in range(cmd["warmup"]):
        read("scalar")
    pc = time.perf_counter_ns
    lat = []
    append = lat.append
    ticks0, cpu0, t_start = proc_cpu_ticks(pid), time.process_time_ns(), pc()
    for _ in range(cmd["calls"]):
        t0 = pc()
        read("scalar")
        append(pc() - t0)
    wall = pc() - t_start
    ticks, cpu = proc_cpu_ticks(pid) - ticks0, time.process_time_ns() - cpu0
    value = read("scalar").value
    if value != 0.0:
        return {"error": f'read_attribute("scalar").value is {value!r}, expected 0.0'}
    return {"lat_ns": lat, "server_ticks": ticks, "client_cpu_ns": cpu, "wall_ns": wall}


def _threads(tango, proxies: list, trl: str, cmd: dict, pid: int) -> dict:
    """``threads`` threads, one proxy each, reading ``scalar`` for ``seconds``."""
    while len(proxies) < cmd["threads"]:
        proxies.append(tango.DeviceProxy(trl))
    n = cmd["threads"]
    counts = [0] * n
    errors: list[str] = []
    stop = threading.Event()
    barrier = threading.Barrier(n + 1)

    def run(i: int) -> None:
        read = proxies[i].read_attribute
        try:
            for _ in range(10):  # warm-up: connections, first-call paths
                read("scalar")
        except Exception:
            errors.append(traceback.format_exc())
        barrier.wait()
        count = 0
        is_set = stop.is_set
        try:
            while not is_set():
                read("scalar")
                count += 1
        except Exception:
            errors.append(traceback.format_exc())
        counts[i] = count

    pool = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for th in pool:
        th.start()
    barrier.wait()
    ticks0, t0 = proc_cpu_ticks(pid), time.perf_counter()
    time.sleep(cmd["seconds"])
    stop.set()
    for th in pool:
        th.join(REPLY_TIMEOUT / 2)
    if any(th.is_alive() for th in pool):
        return {"error": f"{sum(th.is_alive() for th in pool)} client threads still blocked"}
    elapsed, ticks = time.perf_counter() - t0, proc_cpu_ticks(pid) - ticks0
    if errors:
        return {"error": errors[0]}
    return {"reads": sum(counts), "seconds": elapsed, "server_ticks": ticks}


def _spectrum(proxy, cmd: dict, pid: int) -> dict:
    """``spectrum`` timed reads of the 8 MiB spectrum after one warm-up read."""
    value = proxy.read_attribute("spectrum").value
    if value.nbytes != SPECTRUM_BYTES:
        return {"error": f"spectrum: {value.nbytes} bytes, expected {SPECTRUM_BYTES}"}
    pc = time.perf_counter_ns
    times = []
    ticks0 = proc_cpu_ticks(pid)
    for _ in range(cmd["spectrum"]):
        t0 = pc()
        proxy.read_attribute("spectrum").value  # noqa: B018 - the read is what we time
        times.append(pc() - t0)
    return {"times_ns": times, "server_ticks": proc_cpu_ticks(pid) - ticks0}


def worker_main(args: argparse.Namespace) -> None:
    """A PyTango client: answer JSON-line commands with one ``RESULT_PREFIX`` line each."""
    import tango

    try:
        proxies = [tango.DeviceProxy(args.trl)]
    except Exception:
        setup_error = traceback.format_exc()
        proxies = []
    for line in sys.stdin:
        cmd = json.loads(line)
        if not proxies:
            reply({"error": setup_error})
            continue
        try:
            pin_process({cmd["cpu"]})
            kind = cmd["kind"]
            if kind == "check":
                rep = _check(tango, proxies[0])
            elif kind == "latency":
                rep = _latency(proxies[0], cmd, args.server_pid)
            elif kind == "threads":
                rep = _threads(tango, proxies, args.trl, cmd, args.server_pid)
            else:
                rep = _spectrum(proxies[0], cmd, args.server_pid)
            reply(rep)
        except Exception:
            reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


class BenchServer(Server):
    """One device server (``bench/<script>``) serving ``DEVICE``, named ``label``."""

    def __init__(self, label: str, script: str, env: dict[str, str], log_dir: Path) -> None:
        slug = label.replace(" ", "-").lower()
        log_path = log_dir / f"bench-server-{slug}-{os.getpid()}.log"
        super().__init__(log_path, [DEVICE], script, env)
        self.label = label

    def log(self, tail: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return text if len(text) <= tail else "[...]\n" + text[-tail:]

    def peak_rss_mib(self) -> float | None:
        try:
            return proc_status_kb("VmHWM", self.pid) / 1024
        except (OSError, RuntimeError):
            return None


def start_servers(servers: dict[str, BenchServer], timeout: float = 60.0) -> dict[str, str]:
    """Launch all servers at once; wait for each one's ready line. Returns failures."""
    for s in servers.values():
        s.launch()
    failed: dict[str, str] = {}
    pending = dict(servers)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for label, s in list(pending.items()):
            if s.ready():
                del pending[label]
            elif not s.alive():
                failed[label] = f"server exited ({s.proc.returncode}) before it was ready"
                del pending[label]
        time.sleep(0.05)
    for label in pending:
        failed[label] = f"server not ready within {timeout:.0f} s"
    return failed


def cores_busy_ticks(cores: set[int]) -> int:
    """Busy clock ticks (all but idle and iowait) of ``cores``, from ``/proc/stat``."""
    busy = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cores:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
            busy += user + nice + system + irq + softirq + steal
    return busy


def own_ticks(pids: list[int]) -> int:
    """CPU ticks of this process and of ``pids`` (our servers and clients) so far."""
    t = os.times()
    total = round((t.user + t.system) * CLK_TCK)
    for pid in pids:
        try:
            total += proc_cpu_ticks(pid)
        except OSError:
            pass
    return total


def client_worker(label: str, server: BenchServer) -> Worker:
    argv = script_argv(__file__, "--worker", "--trl", server.trl, "--server-pid", str(server.pid))
    return Worker(label, argv)


class Run:
    """Collected samples per server, failures with server logs, and the table."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.lat: dict[str, list[int]] = {lb: [] for lb in labels}
        self.lat_ticks = dict.fromkeys(labels, 0)
        self.lat_calls = dict.fromkeys(labels, 0)
        self.lat_client_ns = dict.fromkeys(labels, 0)
        self.rps: dict[str, list[float]] = {lb: [] for lb in labels}
        self.thr_ticks = dict.fromkeys(labels, 0)
        self.thr_reads = dict.fromkeys(labels, 0)
        self.spec: dict[str, list[int]] = {lb: [] for lb in labels}
        self.spec_ticks = dict.fromkeys(labels, 0)
        self.rss: dict[str, float | None] = dict.fromkeys(labels)
        self.failed: dict[str, str] = {}  # label -> error text (client traceback + server log)

    def fail(self, label: str, section: str, error: str, server: BenchServer | None) -> None:
        text = f"{section}: {error.rstrip()}"
        if server is not None:
            state = "running" if server.alive() else f"exited ({server.proc.returncode})"
            text += (
                f"\n\nserver {state}; command: {shlex.join(server.argv())}"
                f"{' with ' + str(server.extra_env) if server.extra_env else ''}"
                f"\nserver output ({server.log_path}):\n{server.log()}"
            )
        self.failed[label] = text
        print(f"  !! {label} failed in {section}:\n{text}", file=sys.stderr, flush=True)

    # metrics: label -> value (None if that server failed) ---------------------------------
    def metrics(self) -> list[tuple[str, str, bool, dict[str, float | None], dict]]:
        """Rows: (metric, unit, higher is better, values per label, targets per mode)."""
        ok = [lb for lb in self.labels if lb not in self.failed]

        def per(fn) -> dict[str, float | None]:
            return {lb: (fn(lb) if lb in ok else None) for lb in self.labels}

        tick_us = 1e6 / CLK_TCK
        return [
            (
                'read_attribute("scalar") median, same core',
                "µs",
                False,
                per(lambda lb: statistics.median(self.lat[lb]) / 1e3),
                {"sync": ("<=", 1.0), "asyncio": ("<=", 0.8)},
            ),
            (
                'read_attribute("scalar") p99, same core',
                "µs",
                False,
                per(lambda lb: percentile(self.lat[lb], 99) / 1e3),
                {},
            ),
            (
                "server CPU per read, sequential",
                "µs",
                False,
                per(lambda lb: self.lat_ticks[lb] * tick_us / self.lat_calls[lb]),
                {"sync": ("<=", 1.2), "asyncio": ("<=", 0.2)},
            ),
            (
                "client CPU per read, sequential",
                "µs",
                False,
                per(lambda lb: self.lat_client_ns[lb] / 1e3 / self.lat_calls[lb]),
                {},
            ),
            (
                "reads/s, 20 client threads, split cores",
                "1/s",
                True,
                per(lambda lb: statistics.median(self.rps[lb])),
                {"sync": (">=", 1.2), "asyncio": (">=", 1.5)},
            ),
            (
                "server CPU per read, 20 client threads",
                "µs",
                False,
                per(lambda lb: self.thr_ticks[lb] * tick_us / max(1, self.thr_reads[lb])),
                {},
            ),
            (
                "read spectrum (8 MiB float64), split cores",
                "MB/s",
                True,
                per(lambda lb: SPECTRUM_BYTES / MB / (statistics.median(self.spec[lb]) / 1e9)),
                {"sync": (">=", 1.0), "asyncio": (">=", 1.0)},
            ),
            (
                "server CPU per spectrum read",
                "ms",
                False,
                per(lambda lb: self.spec_ticks[lb] * tick_us / 1e3 / len(self.spec[lb])),
                {},
            ),
            ("server peak RSS (VmHWM) at the end", "MiB", False, per(lambda lb: self.rss[lb]), {}),
        ]

    def table(self) -> str:
        head = "| metric | better |"
        rule = "|---|:---:|"
        for mode, (py, pt) in MODES.items():
            head += f" {py} | {pt} | ratio {mode} | target | met |"
            rule += "---:|---:|---:|:---:|:---:|"
        lines = [head, rule]
        for metric, unit, higher, values, targets in self.metrics():
            line = f"| {metric} [{unit}] | {'higher' if higher else 'lower'} |"
            for mode, (py, pt) in MODES.items():
                a, b = values[py], values[pt]
                ratio = ratio_of(b, a)
                goal, met = target_cells(ratio, targets.get(mode))
                line += f" {fmt(a)} | {fmt(b)} | {ratio_text(ratio)} | {goal} | {met} |"
            lines.append(line)
        return "\n".join(lines)


def round_order(labels: list[str], i: int) -> list[str]:
    """Server order of round ``i``: rotated by one each round, reversed every other."""
    k = i % len(labels)
    order = labels[k:] + labels[:k]
    return order if i % 2 == 0 else order[::-1]


def ask(run: Run, label: str, section: str, worker: Worker, server: BenchServer, cmd: dict):
    """One command to ``label``'s client; on failure record it and return None."""
    rep = worker.ask(cmd, timeout=REPLY_TIMEOUT)
    if "error" in rep:
        run.fail(label, section, rep["error"], server)
        if worker.proc.poll() is None:
            worker.proc.kill()
        return None
    if not server.alive():
        run.fail(label, section, "server process died", server)
        return None
    return rep


def parent_main(args: argparse.Namespace) -> int:
    size = choose_size(args, FULL, QUICK, ("calls", "rounds"))
    clock = RunClock()
    load_start = os.getloadavg()[0]
    labels = list(SERVERS)
    run = Run(labels)
    ccore = client_core()
    log_dir = tmp_dir()
    servers = {lb: BenchServer(lb, *SERVERS[lb], log_dir) for lb in labels}
    workers: dict[str, Worker] = {}
    cores = {SERVER_CPU, ccore}
    busy0 = cores_busy_ticks(cores)

    def check(label: str, section: str) -> None:
        """Values and behaviour of ``label``'s device, checked by its client."""
        ask(run, label, section, workers[label], servers[label], {"kind": "check", "cpu": ccore})

    if load_start > 0.5:
        print(f"warning: load average {load_start:.2f} before the start", file=sys.stderr)
    try:
        for label, why in start_servers(servers).items():
            run.fail(label, "start", why, servers[label])
        for label, s in servers.items():
            print(f"server {label}: {s.trl} (pid {s.pid}, core {SERVER_CPU}, log {s.log_path})")
        for label in labels:
            if label not in run.failed:
                workers[label] = client_worker(label, servers[label])
        for label in labels:  # first check: values and behaviour
            if label in workers:
                check(label, "check")
        print(
            f"{size['rounds']} rounds: latency {size['calls']} reads (client+server core "
            f"{SERVER_CPU}); {size['threads']} threads x {size['seconds']} s and "
            f"{size['spectrum']} spectrum reads (client core {ccore})",
            flush=True,
        )
        for i in range(size["rounds"]):
            order = [lb for lb in round_order(labels, i)]
            line = []
            for label in order:
                if label in run.failed:
                    continue
                w, s = workers[label], servers[label]
                cmd = {"kind": "latency", "cpu": SERVER_CPU, "calls": size["calls"]}
                cmd["warmup"] = max(100, size["calls"] // 10)
                rep = ask(run, label, f"latency, round {i + 1}", w, s, cmd)
                if rep is None:
                    continue
                run.lat[label] += rep["lat_ns"]
                run.lat_ticks[label] += rep["server_ticks"]
                run.lat_calls[label] += len(rep["lat_ns"])
                run.lat_client_ns[label] += rep["client_cpu_ns"]
                lat_med = statistics.median(rep["lat_ns"]) / 1e3
                cpu = rep["server_ticks"] * 1e6 / CLK_TCK / len(rep["lat_ns"])
                cmd = {"kind": "threads", "cpu": ccore, "threads": size["threads"]}
                cmd["seconds"] = size["seconds"]
                rep = ask(run, label, f"{size['threads']} threads, round {i + 1}", w, s, cmd)
                if rep is None:
                    continue
                rps = rep["reads"] / rep["seconds"]
                run.rps[label].append(rps)
                run.thr_ticks[label] += rep["server_ticks"]
                run.thr_reads[label] += rep["reads"]
                cmd = {"kind": "spectrum", "cpu": ccore, "spectrum": size["spectrum"]}
                rep = ask(run, label, f"spectrum, round {i + 1}", w, s, cmd)
                if rep is None:
                    continue
                run.spec[label] += rep["times_ns"]
                run.spec_ticks[label] += rep["server_ticks"]
                mbps = SPECTRUM_BYTES / MB / (statistics.median(rep["times_ns"]) / 1e9)
                line.append(
                    f"{label}: {lat_med:.0f} µs, {cpu:.0f} µs CPU, {rps:,.0f}/s, {mbps:,.0f} MB/s"
                )
            print(f"  round {i + 1}/{size['rounds']}: " + "; ".join(line), flush=True)
        for label in labels:  # last check: still the right values
            if label not in run.failed:
                check(label, "final check")
                run.rss[label] = servers[label].peak_rss_mib()
        pids = [s.pid for s in servers.values()] + [w.proc.pid for w in workers.values()]
        foreign = cores_busy_ticks(cores) - busy0 - own_ticks(pids)
        foreign_cores = max(0.0, foreign / CLK_TCK / clock.elapsed())
    finally:
        for w in workers.values():
            w.close()
        for s in servers.values():
            s.stop()
    elapsed = clock.elapsed()

    info = machine_info()
    ticks_ms = 1e3 / CLK_TCK
    notes = [
        "Servers: PyTango sync = `bench/benchdev.py`; puretango sync = `bench/benchdev_pure.py`; "
        "PyTango asyncio = `bench/benchdev_async.py`; puretango asyncio = "
        "`BENCH_ASYNC=1 bench/benchdev_pure.py`. All four run at once for the whole run, "
        f"each under `taskset -c {SERVER_CPU}`, -nodb, bound to {HOST}. The client is always "
        "PyTango's `tango.DeviceProxy`, one subprocess per server.",
        f"{size['rounds']} rounds; the server order rotates every round. Latency: "
        f"{size['calls']} sequential reads per round after a warm-up, client pinned to core "
        f"{SERVER_CPU} with the server; median/p99 over all rounds' calls.",
        "Server CPU per read = (utime + stime of /proc/<server pid>/stat, all threads) over "
        "the timed block / reads, summed over rounds; the clock tick is "
        f"{ticks_ms:g} ms. Client CPU = the client's `time.process_time()` over the same block.",
        f"Threads: {size['threads']} threads in one client process (client on core {ccore}, "
        f"server on core {SERVER_CPU}), one DeviceProxy each, reading for {size['seconds']} s "
        "per round; reads/s is the median over rounds. omniORB multiplexes the proxies over "
        "its own connection pool.",
        f"Spectrum: {size['spectrum']} reads per round (client on core {ccore}), MB/s of the "
        "median read, MB = 10^6 bytes.",
        "Ratio = puretango / PyTango in the same mode (sync with sync, asyncio with asyncio); "
        "targets apply to that ratio; 'better' says which way a value (and ratio) favours "
        "puretango.",
        f"Run took {elapsed:.0f} s{' (--quick)' if args.quick else ''}. Other processes "
        f"kept {foreign_cores:.2f} of cores {sorted(cores)} busy on average during the run "
        f"(busy ticks of /proc/stat minus this run's processes); load average "
        f"{load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end.",
    ]
    failures = list(run.failed.items())
    publish(args, clock, "device servers", info, run.table(), notes, failures)
    return 1 if run.failed else 0


def main() -> int:
    parser = make_parser(__doc__)
    parser.add_argument("--calls", type=int, help="latency reads per server per round")
    parser.add_argument("--rounds", type=int, help="rounds (server order rotates)")
    add_results_args(parser)
    # internal: client subprocess
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trl", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return 0
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
