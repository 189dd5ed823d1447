"""Helpers shared by the benchmarks in ``bench/`` (``bench_client.py``, ``bench_green.py``,
``bench_server.py``).

Parent side: the common command-line options and run sizes, start a device server
(``benchdev.py`` by default) pinned to a core, talk to client subprocesses by JSON lines,
alternate implementations between rounds, build the markdown table, print the report and
prepend a dated section to ``bench/RESULTS.md``.

Worker side: pin the process to a core, read ``/proc/self/status``.

The benchmarks run as scripts (``python bench/bench_X.py``), so ``bench/`` is on
``sys.path`` and this module is imported as ``_common``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import queue
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SERVER_SCRIPT = BENCH_DIR / "benchdev.py"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
HOST = "127.0.0.1"
READY_MARKER = "Ready to accept request"
RESULT_PREFIX = "@@BENCH "
IMPLS = {"puretango": "puretango", "PyTango": "tango"}  # label -> module name
SERVER_CPU = 0
RESULTS_HEADER = "# puretango client benchmark results\n"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- worker side


def pin_process(cpus: set[int]) -> None:
    """Pin every existing thread of this process to ``cpus`` (new threads inherit it)."""
    for tid in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:  # thread exited meanwhile
            pass


def proc_status_kb(field: str, pid: int | str = "self") -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``, ...) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def proc_cpu_ticks(pid: int) -> int:
    """CPU time of process ``pid`` (all its threads), user + system, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5): utime, stime


def peak_rss_kb() -> int:
    """This process's peak RSS (``VmHWM``) in KiB.

    Not ``getrusage().ru_maxrss``: Linux carries the parent's peak over ``fork``/``exec``
    into it, so a child of a big parent would report the parent's size.
    """
    return proc_status_kb("VmHWM")


def reply(obj: dict) -> None:
    """Send one result line to the parent."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(obj) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- parent side


def make_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of ``doc``, with ``--quick``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="~30 s smoke run")
    return parser


def add_results_args(parser: argparse.ArgumentParser) -> None:
    """``--results FILE`` and ``--no-results``."""
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="markdown file")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")


def choose_size(
    args: argparse.Namespace, full: dict, quick: dict, overrides: Sequence[str]
) -> dict:
    """``quick`` or ``full`` (by ``--quick``), with the options named in ``overrides`` that
    were given on the command line taking precedence."""
    size = dict(quick if args.quick else full)
    for key in overrides:
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    return size


def tmp_dir() -> Path:
    """Where server logs go: ``$TMPDIR`` or ``/tmp``."""
    return Path(os.environ.get("TMPDIR", "/tmp"))


def script_argv(script: str | Path, *args: str) -> list[str]:
    """``script`` (e.g. a benchmark's ``__file__``) run by this interpreter with ``args``."""
    return [sys.executable, str(Path(script).resolve()), *args]


class RunClock:
    """Start time, date stamp and the command line of one benchmark run."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.stamp = _dt.datetime.now().astimezone()
        self.command = f"cd {shlex.quote(os.getcwd())} && " + shlex.join(
            [sys.executable, *sys.argv]
        )

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def title(self, name: str, quick: bool) -> str:
        """``YYYY-MM-DD HH:MM TZ[ name][ (quick)]``."""
        return f"{self.stamp:%Y-%m-%d %H:%M %Z}{' ' + name if name else ''}" + (
            " (quick)" if quick else ""
        )


def publish(
    args: argparse.Namespace,
    clock: RunClock,
    name: str,
    info: list[str],
    table: str,
    notes: list[str],
    failures: Sequence[tuple[str, str]],
) -> None:
    """Print the report (title, machine info, table, notes, failures as ``(heading,
    text)``) and, unless ``--no-results``, prepend it to ``args.results``."""
    body = table + "\n\n" + "\n".join(f"- {n}" for n in notes)
    if failures:
        body += "\n\nFailures:\n" + "\n".join(
            f"\n{heading}:\n```\n{text}\n```" for heading, text in failures
        )
    title = clock.title(name, args.quick)
    print()
    print(f"## {title}")
    print("\n".join(info))
    print(body)
    if not args.no_results:
        write_results(args.results, title, info, clock.command, body)
        print(f"\nwritten to {args.results}")


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


def device_trl(port: int, device: str) -> str:
    return f"tango://{HOST}:{port}/{device}#dbase=no"


def reap(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Wait for ``proc`` to exit; kill it if it has not within ``timeout`` s."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Server:
    """``bench/<script>`` (``benchdev.py`` by default) serving ``devices`` under
    ``taskset -c SERVER_CPU``, with ``extra_env`` added to its environment.

    Output goes to a log file. ``trl`` is the first device's TRL, ``trls`` all of them.
    """

    def __init__(
        self,
        log_path: Path,
        devices: Sequence[str] = ("bench/dev/1",),
        script: str = SERVER_SCRIPT.name,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.devices = list(devices)
        self.trls = [device_trl(self.port, d) for d in self.devices]
        self.trl = self.trls[0]
        self.log_path = log_path
        self.script = script
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        return [
            "taskset",
            "-c",
            str(SERVER_CPU),
            sys.executable,
            str(BENCH_DIR / self.script),
            "bench",
            "-nodb",
            "-port",
            str(self.port),
            "-ORBendPoint",
            f"giop:tcp:{HOST}:{self.port}",
            "-dlist",
            ",".join(self.devices),
        ]

    def launch(self) -> None:
        """Start the process, output to the log file; do not wait."""
        env = {**child_env(), **self.extra_env}
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )

    def ready(self) -> bool:
        return READY_MARKER in self.log_path.read_text(errors="replace")

    def start(self, timeout: float = 30.0) -> None:
        """Launch and wait for the ready line; raise (with the log) if it does not come."""
        self.launch()
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text(errors='replace')}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # taskset execs the interpreter: same pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        reap(self.proc)


class Worker:
    """A persistent client subprocess (``argv``) spoken to by JSON lines.

    The worker answers each command with one ``RESULT_PREFIX`` line on stdout.
    """

    def __init__(self, label: str, argv: list[str]) -> None:
        self.label = label
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

    def _next(self, timeout: float, what: str) -> dict:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"{self.label} worker: {what} within {timeout} s"}

    def ask(self, cmd: dict, timeout: float = 300.0) -> dict:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the reader thread reports the exit
        return self._next(timeout, "no reply")

    def wait_ready(self, timeout: float = 120.0) -> dict:
        """The first unsolicited reply (for workers that report once set up)."""
        return self._next(timeout, "not ready")

    def close(self) -> None:
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        reap(self.proc)


@contextmanager
def open_workers(make: Callable[[str], Worker]) -> Iterator[dict[str, Worker]]:
    """``make(label)`` for every implementation label; all closed on exit."""
    workers = {label: make(label) for label in IMPLS}
    try:
        yield workers
    finally:
        for w in workers.values():
            w.close()


def run_once(argv: list[str], timeout: float = 120.0) -> dict:
    """Run a one-shot worker; its last ``RESULT_PREFIX`` line, or ``{"error": ...}``."""
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=REPO_ROOT,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        return {"error": f"no result within {timeout} s\n{exc.stdout}\n{exc.stderr}"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if lines:
        return json.loads(lines[-1][len(RESULT_PREFIX) :])
    return {"error": f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"}


def client_core() -> int:
    """Core for clients when they must not share the server's core (0 on one core)."""
    return 1 if len(os.sched_getaffinity(0)) > 1 and (os.cpu_count() or 1) > 1 else 0


def round_order(i: int) -> list[str]:
    """Implementation order of round ``i``: puretango first on even rounds."""
    labels = list(IMPLS)
    return labels if i % 2 == 0 else labels[::-1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0..100) of ``values``."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s))) - 1))]


class Results:
    """Metric rows: label -> impl -> value (None if failed), plus collected errors.

    A row may carry a target on the ratio puretango/PyTango, ``("<=", 0.3)`` or
    ``(">=", 1.0)``; the table then gets a target column and says whether it is met.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, bool]] = []  # (metric, unit, higher_is_better)
        self.values: dict[str, dict[str, float | None]] = {}
        self.targets: dict[str, tuple[str, float]] = {}
        self.errors: list[tuple[str, str, str]] = []  # (section, impl, traceback)

    def add(
        self,
        metric: str,
        unit: str,
        impl: str,
        value: float | None,
        higher_is_better: bool = False,
        target: tuple[str, float] | None = None,
    ) -> None:
        if metric not in self.values:
            self.rows.append((metric, unit, higher_is_better))
            self.values[metric] = {}
        self.values[metric][impl] = value
        if target is not None:
            self.targets[metric] = target

    def error(self, section: str, impl: str, tb: str) -> None:
        self.errors.append((section, impl, tb))
        print(f"  !! {impl} failed in {section}:\n{tb}", file=sys.stderr)

    def add_each(
        self,
        metric: str,
        unit: str,
        value: Callable[[str], float | None],
        failed: Collection[str] = (),
        higher_is_better: bool = False,
        target: tuple[str, float] | None = None,
    ) -> None:
        """``add`` for every implementation: ``value(label)``, or None if it ``failed``."""
        for label in IMPLS:
            v = value(label) if label not in failed else None
            self.add(metric, unit, label, v, higher_is_better, target)

    def failures(self) -> list[tuple[str, str]]:
        """Errors as ``(heading, text)`` for ``publish``."""
        return [(f"{section} / {impl}", tb.rstrip()) for section, impl, tb in self.errors]

    def ratio(self, metric: str) -> float | None:
        pt, py = self.values[metric].get("puretango"), self.values[metric].get("PyTango")
        return ratio_of(pt, py)

    def table(self) -> str:
        """Markdown table: value per implementation, ratio puretango/PyTango, direction,
        and (if any row has one) the target on the ratio and whether it is met."""
        with_targets = bool(self.targets)
        head = "| metric | puretango | PyTango | ratio pt/PyTango | ratio better if |"
        rule = "|---|---:|---:|---:|:---:|"
        if with_targets:
            head += " target (ratio) | met |"
            rule += ":---:|:---:|"
        lines = [head, rule]
        for metric, unit, higher in self.rows:
            pt, py = self.values[metric].get("puretango"), self.values[metric].get("PyTango")
            ratio = self.ratio(metric)
            line = (
                f"| {metric} [{unit}] | {fmt(pt)} | {fmt(py)} | "
                f"{ratio_text(ratio)} | {'> 1' if higher else '< 1'} |"
            )
            if with_targets:
                goal, met = target_cells(ratio, self.targets.get(metric))
                line += f" {goal} | {met} |" if goal else " | |"
            lines.append(line)
        return "\n".join(lines)


def alternating_rounds(
    res: Results,
    rounds: int,
    section: str | Callable[[int], str],
    ask: Callable[[str, int], dict],
    collect: Callable[[str, dict], None],
    failed: set[str] | None = None,
    after_round: Callable[[int], None] | None = None,
) -> set[str]:
    """``rounds`` rounds over the implementations in ``round_order``: ``ask(label, i)``
    for a reply, then ``collect(label, reply)``. An error reply is recorded in ``res``
    under ``section`` (or ``section(i)``) and drops that implementation from later rounds.
    ``after_round(i)`` runs after each round. Returns the failed labels (``failed``)."""
    failed = set() if failed is None else failed
    for i in range(rounds):
        for label in round_order(i):
            if label in failed:
                continue
            rep = ask(label, i)
            if "error" in rep:
                failed.add(label)
                res.error(section if isinstance(section, str) else section(i), label, rep["error"])
                continue
            collect(label, rep)
        if after_round is not None:
            after_round(i)
    return failed


def ratio_of(pt: float | None, py: float | None) -> float | None:
    """``pt / py``, or None if either is missing (or ``py`` is 0)."""
    return pt / py if pt is not None and py else None


def ratio_text(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.3g}"


def target_cells(ratio: float | None, target: tuple[str, float] | None) -> tuple[str, str]:
    """Table cells ``(target, met)`` for a ratio and its target (``("", "")`` if none)."""
    if target is None:
        return "", ""
    op, bound = target
    ok = ratio is not None and (ratio <= bound if op == "<=" else ratio >= bound)
    met = "n/a" if ratio is None else "yes" if ok else "**NO**"
    return f"{'≤' if op == '<=' else '≥'} {bound:g}", met


def fmt(value: float | None) -> str:
    if value is None:
        return "FAIL"
    if isinstance(value, int):
        return f"{value:,}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def machine_info(extra_modules: Sequence[str] = ()) -> list[str]:
    """Lines describing the machine, interpreter, library versions and puretango commit."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    env = child_env()
    modules = ["tango", "numpy", *extra_modules]
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {', '.join(modules)}; print({', '.join(f'{m}.__version__' for m in modules)})",
        ],
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    if len(versions) != len(modules):
        versions = ["?"] * len(modules)
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
    extra = "".join(f", {m} {v}" for m, v in zip(extra_modules, versions[2:]))
    return [
        f"nproc: {os.cpu_count()}, CPU: {model}",
        f"Python {platform.python_version()} ({sys.executable}), {platform.platform()}",
        f"PyTango {versions[0]}, numpy {versions[1]}{extra}, "
        f"puretango at {commit}{' + uncommitted changes' if dirty else ''}",
    ]


def write_results(path: Path, title: str, info: list[str], command: str, body: str) -> None:
    """Prepend a dated section to ``path`` (newest first), keeping older sections."""
    old = path.read_text() if path.exists() else RESULTS_HEADER
    if old.startswith(RESULTS_HEADER):
        old = old[len(RESULTS_HEADER) :]
    section = "\n".join(
        [f"## {title}", "", *[f"- {x}" for x in info], f"- command: `{command}`", "", body, ""]
    )
    path.write_text(RESULTS_HEADER + "\n" + section + "\n" + old.lstrip("\n"))
