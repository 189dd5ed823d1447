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
import datetime as _dt
import importlib
import json
import os
import platform
import queue
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from functools import partial
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SERVER_SCRIPT = BENCH_DIR / "benchdev.py"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
HOST = "127.0.0.1"
DEVICE = "bench/dev/1"
READY_MARKER = "Ready to accept request"
RESULT_PREFIX = "@@BENCH "
IMPLS = {"puretango": "puretango", "PyTango": "tango"}  # label -> module name
SERVER_CPU = 0
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


def pin_process(cpus: set[int]) -> None:
    """Pin every existing thread of this process to ``cpus`` (new threads inherit it)."""
    for tid in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:  # thread exited meanwhile
            pass


def peak_rss_kb() -> int:
    """This process's peak RSS (``VmHWM``) in KiB.

    Not ``getrusage().ru_maxrss``: Linux carries the parent's peak over ``fork``/``exec``
    into it, so a child of a big parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


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

    def reply(obj: dict) -> None:
        sys.stdout.write(RESULT_PREFIX + json.dumps(obj) + "\n")
        sys.stdout.flush()

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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (racy, good enough for a benchmark)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    """Environment for every subprocess: puretango importable, no Tango database."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("TANGO_HOST", None)
    return env


class Server:
    """``bench/benchdev.py`` under ``taskset -c SERVER_CPU``, output in a log file."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.trl = f"tango://{HOST}:{self.port}/{DEVICE}#dbase=no"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        argv = [
            "taskset",
            "-c",
            str(SERVER_CPU),
            sys.executable,
            str(SERVER_SCRIPT),
            "bench",
            "-nodb",
            "-port",
            str(self.port),
            "-ORBendPoint",
            f"giop:tcp:{HOST}:{self.port}",
            "-dlist",
            DEVICE,
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_env(),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_MARKER in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Worker:
    """A ``--worker persistent`` client subprocess spoken to by JSON lines."""

    def __init__(self, label: str, trl: str, cpu: int) -> None:
        self.label = label
        argv = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            "persistent",
            "--module",
            IMPLS[label],
            "--trl",
            trl,
            "--cpu",
            str(cpu),
        ]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
            cwd=REPO_ROOT,
        )
        self._replies: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(RESULT_PREFIX):
                self._replies.put(json.loads(line[len(RESULT_PREFIX) :]))
        self._replies.put({"error": f"{self.label} worker exited ({self.proc.wait()})"})

    def ask(self, cmd: dict, timeout: float = 300.0) -> dict:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the reader thread reports the exit
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"{self.label} worker: no reply within {timeout} s"}

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def round_order(i: int) -> list[str]:
    """Implementation order of round ``i``: puretango first on even rounds."""
    labels = list(IMPLS)
    return labels if i % 2 == 0 else labels[::-1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0..100) of ``values``."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s))) - 1))]


class Results:
    """Metric rows: label -> impl -> value (None if failed), plus collected errors."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, bool]] = []  # (metric, unit, higher_is_better)
        self.values: dict[str, dict[str, float | None]] = {}
        self.errors: list[tuple[str, str, str]] = []  # (section, impl, traceback)

    def add(
        self, metric: str, unit: str, impl: str, value: float | None, higher_is_better: bool = False
    ) -> None:
        if metric not in self.values:
            self.rows.append((metric, unit, higher_is_better))
            self.values[metric] = {}
        self.values[metric][impl] = value

    def error(self, section: str, impl: str, tb: str) -> None:
        self.errors.append((section, impl, tb))
        print(f"  !! {impl} failed in {section}:\n{tb}", file=sys.stderr)

    def table(self) -> str:
        """Markdown table: value per implementation, ratio puretango/PyTango, direction."""
        lines = [
            "| metric | puretango | PyTango | ratio pt/PyTango | ratio better if |",
            "|---|---:|---:|---:|:---:|",
        ]
        for metric, unit, higher in self.rows:
            pt, py = self.values[metric].get("puretango"), self.values[metric].get("PyTango")
            ratio = f"{pt / py:.3g}" if pt is not None and py else "n/a"
            lines.append(
                f"| {metric} [{unit}] | {fmt(pt)} | {fmt(py)} | {ratio} | "
                f"{'> 1' if higher else '< 1'} |"
            )
        return "\n".join(lines)


def fmt(value: float | None) -> str:
    if value is None:
        return "FAIL"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def run_latency(res: Results, trl: str, size: dict) -> None:
    """Client and server on core 0; alternate rounds of ``calls`` per op."""
    print(
        f"latency: {size['rounds']} rounds x {size['calls']} calls/op, client+server "
        f"on core {SERVER_CPU}",
        flush=True,
    )
    workers = {label: Worker(label, trl, SERVER_CPU) for label in IMPLS}
    lat: dict[str, dict[str, list[int]]] = {
        label: {op: [] for op in LATENCY_OPS} for label in IMPLS
    }
    cpu: dict[str, dict[str, int]] = {label: dict.fromkeys(LATENCY_OPS, 0) for label in IMPLS}
    failed: set[str] = set()
    cmd = {"kind": "latency", "calls": size["calls"], "warmup": max(20, size["calls"] // 20)}
    try:
        for i in range(size["rounds"]):
            for label in round_order(i):
                if label in failed:
                    continue
                rep = workers[label].ask(cmd)
                if "error" in rep:
                    failed.add(label)
                    res.error("latency", label, rep["error"])
                    continue
                for op, data in rep.items():
                    lat[label][op] += data["lat_ns"]
                    cpu[label][op] += data["cpu_ns"]
            print(f"  round {i + 1}/{size['rounds']} done", flush=True)
    finally:
        for w in workers.values():
            w.close()
    for op in LATENCY_OPS:
        for label in IMPLS:
            ok = label not in failed
            samples = lat[label][op]
            res.add(f"{op} median", "µs", label, statistics.median(samples) / 1e3 if ok else None)
            res.add(f"{op} p99", "µs", label, percentile(samples, 99) / 1e3 if ok else None)
            res.add(
                f"{op} client CPU/call",
                "µs",
                label,
                cpu[label][op] / len(samples) / 1e3 if ok else None,
            )


def run_throughput(res: Results, trl: str, size: dict) -> int:
    """Client on core 1 (0 if the machine has one core), server on core 0."""
    client_cpu = 1 if len(os.sched_getaffinity(0)) > 1 and os.cpu_count() > 1 else 0
    print(f"throughput: client on core {client_cpu}, server on core {SERVER_CPU}", flush=True)
    workers = {label: Worker(label, trl, client_cpu) for label in IMPLS}
    times: dict[str, dict[str, list[int]]] = {label: {a: [] for a in BULK_ATTRS} for label in IMPLS}
    failed: set[str] = set()
    cmd = {"kind": "throughput", "spectrum": size["spectrum"], "image": size["image"]}
    try:
        for i in range(size["rounds"]):
            for label in round_order(i):
                if label in failed:
                    continue
                rep = workers[label].ask(cmd)
                if "error" in rep:
                    failed.add(label)
                    res.error("throughput", label, rep["error"])
                    continue
                for attr, t in rep.items():
                    times[label][attr] += t
    finally:
        for w in workers.values():
            w.close()
    for attr, nbytes in BULK_ATTRS.items():
        for label in IMPLS:
            ok = label not in failed
            mbps = nbytes / MB / (statistics.median(times[label][attr]) / 1e9) if ok else None
            res.add(f"read {attr} ({BULK_LABELS[attr]})", "MB/s", label, mbps, True)
    return client_cpu


def run_connect(res: Results, trl: str, size: dict) -> None:
    """Fresh process per sample: first proxy + first call, RSS, warm new proxies."""
    print(f"new proxy / RSS: {size['samples']} fresh processes per implementation", flush=True)
    data: dict[str, dict[str, list[float]]] = {
        label: {"first": [], "warm": [], "rss": []} for label in IMPLS
    }
    failed: set[str] = set()
    for i in range(size["samples"]):
        for label in round_order(i):
            if label in failed:
                continue
            argv = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                "connect",
                "--module",
                IMPLS[label],
                "--trl",
                trl,
                "--warm",
                str(size["warm"]),
            ]
            proc = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                env=child_env(),
                cwd=REPO_ROOT,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
            rep = (
                json.loads(lines[-1][len(RESULT_PREFIX) :])
                if lines
                else {"error": f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"}
            )
            if "error" in rep:
                failed.add(label)
                res.error("new proxy", label, rep["error"])
                continue
            data[label]["first"].append(rep["first_ns"] / 1e6)
            data[label]["warm"].extend(t / 1e6 for t in rep["warm_ns"])
            data[label]["rss"].append(rep["rss_kb"] / 1024)
    for label in IMPLS:
        ok = label not in failed
        d = data[label]
        res.add(
            "new proxy + first read, fresh process",
            "ms",
            label,
            statistics.median(d["first"]) if ok else None,
        )
        res.add(
            "new proxy + first read, same process again",
            "ms",
            label,
            statistics.median(d["warm"]) if ok and d["warm"] else None,
        )
        res.add(
            "peak RSS after one proxy", "MiB", label, statistics.median(d["rss"]) if ok else None
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


def machine_info() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    env = child_env()
    versions = subprocess.run(
        [sys.executable, "-c", "import numpy, tango; print(tango.__version__, numpy.__version__)"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split() or ["?", "?"]
    commit = (
        subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        or "?"
    )
    dirty = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "puretango"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return [
        f"nproc: {os.cpu_count()}, CPU: {model}",
        f"Python {platform.python_version()} ({sys.executable}), {platform.platform()}",
        f"PyTango {versions[0]}, numpy {versions[-1]}, "
        f"puretango at {commit}{' + uncommitted changes' if dirty else ''}",
    ]


def write_results(path: Path, title: str, info: list[str], command: str, body: str) -> None:
    """Prepend a dated section to ``path`` (newest first), keeping older sections."""
    header = "# puretango client benchmark results\n"
    old = path.read_text() if path.exists() else header
    if old.startswith(header):
        old = old[len(header) :]
    section = "\n".join(
        [f"## {title}", "", *[f"- {x}" for x in info], f"- command: `{command}`", "", body, ""]
    )
    path.write_text(header + "\n" + section + "\n" + old.lstrip("\n"))


def parent_main(args: argparse.Namespace) -> int:
    size = dict(QUICK if args.quick else FULL)
    for key in ("calls", "rounds"):
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    started = time.monotonic()
    stamp = _dt.datetime.now().astimezone()
    command = f"cd {shlex.quote(os.getcwd())} && " + shlex.join([sys.executable, *sys.argv])
    res = Results()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"benchdev-{os.getpid()}.log"
    server = Server(log_path)
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
    elapsed = time.monotonic() - started
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
    body = res.table() + "\n\n" + "\n".join(f"- {n}" for n in notes)
    if res.errors:
        body += "\n\nFailures:\n" + "\n".join(
            f"\n{section} / {impl}:\n```\n{tb.rstrip()}\n```" for section, impl, tb in res.errors
        )
    title = f"{stamp:%Y-%m-%d %H:%M %Z}{' (quick)' if args.quick else ''}"
    print()
    print(f"## {title}")
    print("\n".join(info))
    print(body)
    if not args.no_results:
        write_results(args.results, title, info, command, body)
        print(f"\nwritten to {args.results}")
    return 1 if res.errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="~30 s smoke run")
    parser.add_argument("--calls", type=int, help="latency calls per op per round")
    parser.add_argument("--rounds", type=int, help="alternating rounds")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="markdown file")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
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
