"""Where the microseconds of one ``read_attribute("scalar")`` go, on each side (not a test).

Three profiles, each of a process doing nothing but sequential reads for ``--seconds``:

* ``server sync``: puretango's synchronous device server (``benchdev_pure.py``), read by a
  PyTango client;
* ``server asyncio``: the same with ``BENCH_ASYNC=1`` (``async def`` methods);
* ``client``: puretango's synchronous ``DeviceProxy`` reading PyTango's server
  (``benchdev.py``).

Client and server are pinned to core 0 together (as in the latency figures of
``bench_client.py`` and ``bench_server.py``); py-spy samples the profiled process from
core 1 without stopping it (``--nonblocking``; idle threads are not sampled). The profiled
process's CPU per read comes from ``/proc/PID/stat`` over the same reads, and each
function's share of the samples turns into microseconds per read.

Usage: ``python bench/prof_read.py [--seconds 6] [--rate 1000] [--top 12] [--no-results]``
(needs ``py-spy`` on ``PATH`` or beside the interpreter, and root or ptrace rights).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import (
    CLK_TCK,
    SERVER_CPU,
    RunClock,
    Server,
    add_results_args,
    child_env,
    machine_info,
    proc_cpu_ticks,
    publish,
    tmp_dir,
)

#: a client process: ``DeviceProxy(trl)``, then reads until told to stop; prints its pid
#: first and its read count and CPU seconds last
CLIENT = """
import sys, time
import {module} as tango
proxy = tango.DeviceProxy(sys.argv[1])
proxy.read_attribute("scalar")
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[2])
reads, cpu = 0, time.process_time()
while time.monotonic() < end:
    proxy.read_attribute("scalar")
    reads += 1
print(reads, time.process_time() - cpu, flush=True)
"""

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*)(?::\d+)?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy not found (pip install py-spy)")
    return found


def start_client(module: str, trl: str, seconds: float) -> subprocess.Popen[str]:
    argv = ["taskset", "-c", str(SERVER_CPU), sys.executable, "-c"]
    argv += [CLIENT.format(module=module), trl, str(seconds)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=child_env())
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError(f"{module} client did not start")
    return proc


def sample(pid: int, seconds: float, rate: int) -> collections.Counter[tuple[str, ...]]:
    """py-spy's samples of ``pid``: stack (outermost first, ``func (file)``) -> count."""
    with tempfile.NamedTemporaryFile(suffix=".raw", delete=False) as out:
        path = out.name
    argv = [py_spy(), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", str(rate)]
    argv += ["--format", "raw", "--nonblocking", "-o", path]
    subprocess.run(["taskset", "-c", "1", *argv], check=True, capture_output=True)
    stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = []
        for frame in stack.split(";"):
            m = _FRAME.match(frame)
            frames.append(f"{m['func']} ({_short(m['file'])})" if m else frame)
        stacks[tuple(frames)] += int(count)
    os.unlink(path)
    return stacks


def _short(file: str) -> str:
    """``puretango/server/_servant.py`` rather than a full path; stdlib as its base name."""
    for marker in ("puretango/", "site-packages/", "bench/"):
        if marker in file:
            return file[file.index(marker) + (0 if marker == "puretango/" else len(marker)) :]
    return os.path.basename(file)


def profile(
    label: str,
    pid: int,
    client: subprocess.Popen[str],
    seconds: float,
    rate: int,
    top: int,
    cpu_of_client: bool,
) -> str:
    """Sample ``pid`` while ``client`` reads; a markdown block of where its CPU goes."""
    ticks = proc_cpu_ticks(pid)
    stacks = sample(pid, seconds - 1.5, rate)
    assert client.stdout is not None
    reads_text, cpu_text = client.stdout.readline().split()
    client.wait(30)
    reads = int(reads_text)
    if cpu_of_client:
        cpu_us = float(cpu_text) * 1e6 / reads
    else:
        cpu_us = (proc_cpu_ticks(pid) - ticks) * 1e6 / CLK_TCK / reads
    total = sum(stacks.values()) or 1
    self_time: collections.Counter[str] = collections.Counter()
    by_file: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for stack, count in stacks.items():
        self_time[stack[-1]] += count
        by_file[stack[-1].rpartition("(")[2].rstrip(")")] += count
        for frame in set(stack):
            inclusive[frame] += count

    def rows(counter: collections.Counter[str], n: int) -> list[str]:
        return [
            f"| `{name}` | {100 * c / total:.1f} | {cpu_us * c / total:.1f} |"
            for name, c in counter.most_common(n)
        ]

    lines = [
        f"### {label}: {cpu_us:.0f} µs of CPU per read ({reads:,} reads, {total:,} samples)",
        "",
        "| file (self time) | % | µs/read |",
        "|---|---:|---:|",
        *rows(by_file, top),
        "",
        "| function (self time) | % | µs/read |",
        "|---|---:|---:|",
        *rows(self_time, top),
        "",
        "| function (inclusive) | % | µs/read |",
        "|---|---:|---:|",
        *rows(inclusive, top + 8),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="reads per profile [s]")
    parser.add_argument("--rate", type=int, default=1000, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=12, help="rows per table")
    parser.add_argument("--quick", action="store_true", help="3 s per profile")
    add_results_args(parser)
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    clock = RunClock()
    blocks = []
    cases = [
        ("server sync (puretango), PyTango client", "benchdev_pure.py", {}, "tango", False),
        (
            "server asyncio (puretango), PyTango client",
            "benchdev_pure.py",
            {"BENCH_ASYNC": "1"},
            "tango",
            False,
        ),
        ("client (puretango), PyTango server", "benchdev.py", {}, "puretango", True),
    ]
    for label, script, env, module, client_side in cases:
        log = tmp_dir() / f"prof-read-{os.getpid()}.log"
        server = Server(log, script=script, extra_env=env)
        server.start()
        try:
            client = start_client(module, server.trl, seconds)
            pid = client.pid if client_side else server.pid
            blocks.append(profile(label, pid, client, seconds, args.rate, args.top, client_side))
            print(blocks[-1] + "\n", flush=True)
        finally:
            server.stop()
    notes = [
        f'{seconds:g} s of sequential `read_attribute("scalar")` per profile, client and '
        f"server on core {SERVER_CPU}; py-spy at {args.rate} Hz on core 1, `--nonblocking`, "
        "idle threads not sampled. µs/read = share of samples x the profiled process's CPU "
        "per read (a server: /proc/PID/stat over the reads; the client: its process_time).",
        "Self time is the innermost Python frame: the time of a C call (a socket send, a "
        "poll) counts in the function that made it.",
    ]
    publish(args, clock, "profile of one read", machine_info(), "\n\n".join(blocks), notes, [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
