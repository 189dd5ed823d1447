"""Database benchmark: puretango's Database against the C++ DataBaseds (cppTango 9.3 on
MariaDB) and PyTango's Python Database, driven by the same PyTango client.

Each Database serves on 127.0.0.1 pinned to core 0 (the C++ one with its MariaDB server);
the client, a PyTango process, runs on core 1. Every Database is given the same data: one
server of 100 devices with 10 properties each, all exported, and 200 one-device servers for
the start-up storm. Figures:

* calls per second of ``DbImportDevice``, ``DbGetDeviceProperty`` (10 properties) and
  ``DbGetDeviceList``, from one client thread and from 20 (each its own connection);
* the start-up storm: 200 device servers start at once. Each is simulated by a client
  thread making the Database calls of a real start-up (protocol.md §7.5: the admin device's
  import and properties, the device list, class and device properties, then an export per
  device and for the admin): seconds until the last has exported;
* peak memory of the Database process (the C++ figure adds MariaDB's, for information).

Targets (issue 8): puretango at least 2x the faster of the other two on every rate and on
the storm, and at most 0.5x PyTango's memory. The C++ Database is skipped, and said so, where
``../shared/peers/cpp-tango`` is absent or not installed (``cpp-tango install``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from _common import (
    HOST,
    READY_MARKER,
    REPO_ROOT,
    RunClock,
    Worker,
    add_results_args,
    child_env,
    client_core,
    fmt,
    free_port,
    machine_info,
    make_parser,
    pin_process,
    proc_status_kb,
    publish,
    reap,
    reply,
    script_argv,
    tmp_dir,
)

DATABASES = ("puretango", "C++ DataBaseds", "PyTango")
CPP_TANGO = REPO_ROOT.parent / "shared" / "peers" / "cpp-tango"
COMMANDS = {
    "DbImportDevice": lambda run, i: run.device(i),
    "DbGetDeviceProperty": lambda run, i: [run.device(i), *PROPERTY_NAMES],
    "DbGetDeviceList": lambda run, i: [run.server, "BenchDev"],
}
PROPERTY_NAMES = [f"prop_{k}" for k in range(10)]
ADMIN_PROPERTIES = ["logging_level", "logging_target", "polled_attr", "blackbox_depth"]
FAKE_IOR = "IOR:" + "00" * 64  # stored and returned as-is: no client connects to it


# --------------------------------------------------------------------------- worker side


class BenchRun:
    """The names one run registers (unique: the C++ Database keeps its data in MariaDB)."""

    def __init__(self, tag: str, devices: int, storm: int) -> None:
        self.tag = tag
        self.server = f"BenchDev/b{tag}"
        self.devices = devices
        self.storm = storm

    def device(self, i: int) -> str:
        return f"bench{self.tag}/dev/{i % self.devices}"

    def storm_server(self, i: int) -> str:
        return f"StormDev/s{self.tag}_{i}"

    def storm_device(self, i: int) -> str:
        return f"storm{self.tag}/dev/{i}"


def _proxy(port: int) -> Any:
    import tango

    return tango.DeviceProxy(f"tango://{HOST}:{port}/sys/database/2")


def _populate(port: int, run: BenchRun) -> dict:
    import tango

    db = tango.Database(HOST, port)
    infos = []
    for i in range(run.devices):
        info = tango.DbDevInfo()
        info.name, info._class, info.server = run.device(i), "BenchDev", run.server
        infos.append(info)
    db.add_server(run.server, infos)
    dev = _proxy(port)
    for i in range(run.devices):
        values = {name: [f"{name} of device {i}", "second value"] for name in PROPERTY_NAMES}
        db.put_device_property(run.device(i), values)
        dev.command_inout("DbExportDevice", [run.device(i), FAKE_IOR, HOST, "1", "6"])
    for i in range(run.storm):
        info = tango.DbDevInfo()
        info.name, info._class, info.server = run.storm_device(i), "StormDev", run.storm_server(i)
        db.add_server(run.storm_server(i), [info])
    return {"ok": True}


def _rate(port: int, run: BenchRun, command: str, threads: int, seconds: float) -> dict:
    """Calls per second of ``command`` over ``seconds``, from ``threads`` client threads."""
    make_arg = COMMANDS[command]
    proxies = [_proxy(port) for _ in range(threads)]
    for proxy in proxies:
        proxy.command_inout(command, make_arg(run, 0))  # connect and warm up
    counts = [0] * threads
    errors: list[str] = []
    start = threading.Barrier(threads + 1)
    stop = time.monotonic() + seconds + 0.5

    def loop(k: int) -> None:
        proxy, i = proxies[k], k
        start.wait()
        try:
            while time.monotonic() < stop:
                proxy.command_inout(command, make_arg(run, i))
                i += threads
                counts[k] += 1
        except Exception:  # noqa: BLE001 - reported to the parent
            errors.append(traceback.format_exc())

    workers = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.monotonic()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - t0
    if errors:
        return {"error": errors[0]}
    return {"rate": sum(counts) / elapsed}


def _storm(port: int, run: BenchRun) -> dict:
    """``run.storm`` simulated device-server start-ups at once: seconds until all exported."""
    errors: list[str] = []
    start = threading.Barrier(run.storm + 1)
    finished: list[float] = []

    def start_up(i: int) -> None:
        server, device = run.storm_server(i), run.storm_device(i)
        admin = f"dserver/{server}"
        try:
            dev = _proxy(port)
            start.wait()
            dev.command_inout("DbImportDevice", admin)
            dev.command_inout("DbGetDeviceProperty", [admin, *ADMIN_PROPERTIES])
            dev.command_inout("DbGetClassProperty", ["StormDev", "doc_url", "cvs_tag"])
            devices = dev.command_inout("DbGetDeviceList", [server, "StormDev"])
            for name in devices:
                dev.command_inout("DbGetDeviceProperty", [name, *PROPERTY_NAMES])
                dev.command_inout("DbGetDeviceAttributeProperty2", [name, "State", "Status"])
            for name in [*devices, admin]:
                dev.command_inout("DbExportDevice", [name, FAKE_IOR, HOST, str(i), "6"])
            assert device in devices, f"{device} not in {devices}"
            finished.append(time.monotonic())
        except Exception:  # noqa: BLE001 - reported to the parent
            errors.append(traceback.format_exc())
            if not start.broken:
                start.abort()

    threads = [threading.Thread(target=start_up, args=(i,)) for i in range(run.storm)]
    for t in threads:
        t.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    t0 = time.monotonic()
    for t in threads:
        t.join()
    if errors:
        return {"error": errors[0]}
    return {"seconds": max(finished) - t0}


def _cleanup(port: int, run: BenchRun) -> dict:
    """Delete what the run registered (the C++ Database keeps it in MariaDB)."""
    import tango

    db = tango.Database(HOST, port)
    for server in [run.server, *(run.storm_server(i) for i in range(run.storm))]:
        db.delete_server(server)
    return {"ok": True}


def worker_main() -> None:
    pin_process({client_core()})
    for line in sys.stdin:
        cmd = json.loads(line)
        run = BenchRun(cmd["tag"], cmd["devices"], cmd["storm"])
        try:
            if cmd["op"] == "populate":
                reply(_populate(cmd["port"], run))
            elif cmd["op"] == "rate":
                reply(_rate(cmd["port"], run, cmd["command"], cmd["threads"], cmd["seconds"]))
            elif cmd["op"] == "storm":
                reply(_storm(cmd["port"], run))
            elif cmd["op"] == "cleanup":
                reply(_cleanup(cmd["port"], run))
        except Exception:  # noqa: BLE001 - reported to the parent
            reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


class DatabaseServer:
    """One Database process on a free port, pinned to core 0; ``pids`` are the processes
    whose memory and CPU count as the Database's (the C++ one adds MariaDB)."""

    def __init__(self, label: str, workdir: Path) -> None:
        self.label = label
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / f"db-{label.split()[0].lower()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []

    def start(self, timeout: float = 60.0) -> None:
        env = {**child_env(), "TANGO_HOST": f"{HOST}:{self.port}"}
        if self.label == "C++ DataBaseds":
            out = subprocess.run(
                [str(CPP_TANGO), "start-db", str(self.port)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
            ).stdout.split()
            self.pids = [int(out[-1])]
            mysqld = [
                pid
                for name in ("mariadbd", "mysqld")
                for pid in subprocess.run(
                    ["pgrep", "-o", "-x", name], capture_output=True, text=True
                ).stdout.split()
            ]
            for pid in [*self.pids, *map(int, mysqld)]:
                subprocess.run(["taskset", "-a", "-p", "-c", "0", str(pid)], capture_output=True)
            self.pids += [int(p) for p in mysqld]
            return
        if self.label == "puretango":
            argv = [sys.executable, "-m", "puretango.databaseds", "2"]
            argv += ["--host", HOST, "--port", str(self.port)]
            argv += ["--db-file", str(self.workdir / "puretango.db")]
        else:
            env["PYTANGO_DATABASE_NAME"] = str(self.workdir / "pytango.db")
            argv = [sys.executable, "-m", "tango.databaseds.database", "2"]
            argv += ["--host", HOST, "--port", str(self.port)]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                ["taskset", "-c", "0", *argv], stdout=log, stderr=subprocess.STDOUT, env=env
            )
        self.pids = [self.proc.pid]
        deadline = time.monotonic() + timeout
        while READY_MARKER not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.label} did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def peak_rss_mib(self) -> float:
        return sum(proc_status_kb("VmHWM", pid) for pid in self.pids) / 1024

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            reap(self.proc)
        elif self.label == "C++ DataBaseds" and self.pids:
            subprocess.run(["kill", str(self.pids[0])], capture_output=True)


def cpp_available() -> str | None:
    """Why the C++ Database cannot run here, or None if it can."""
    if not CPP_TANGO.exists():
        return f"{CPP_TANGO} is absent"
    status = subprocess.run([str(CPP_TANGO), "status"], capture_output=True, text=True).stdout
    if "not installed" in status:
        return "cpp-tango is not installed (run: cpp-tango install)"
    return None


def main() -> None:
    parser = make_parser(__doc__ or "")
    add_results_args(parser)
    parser.add_argument("--seconds", type=float, help="seconds per rate measurement (5)")
    parser.add_argument("--storm", type=int, help="servers in the start-up storm (200)")
    args = parser.parse_args()
    seconds = args.seconds or (1.0 if args.quick else 5.0)
    storm = args.storm or (40 if args.quick else 200)
    clock = RunClock()
    workdir = Path(tmp_dir()) / f"bench-db-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    skipped = cpp_available()
    labels = [label for label in DATABASES if not (skipped and label.startswith("C++"))]
    values: dict[str, dict[str, float | None]] = {}
    failures: list[tuple[str, str]] = []

    def record(metric: str, label: str, value: float | None) -> None:
        values.setdefault(metric, {})[label] = value

    for label in labels:  # one Database at a time: each has both cores' worth of quiet
        server = DatabaseServer(label, workdir)
        worker = Worker(label, script_argv(__file__, "--worker"))
        run = BenchRun(uuid.uuid4().hex[:8], devices=100, storm=storm)
        base = {"port": server.port, "tag": run.tag, "devices": run.devices, "storm": run.storm}
        try:
            server.start()
            print(f"{label}: serving on {HOST}:{server.port}", flush=True)
            rep = worker.ask({**base, "op": "populate"}, timeout=600)
            if "error" in rep:
                raise RuntimeError(rep["error"])
            for command in COMMANDS:
                for threads in (1, 20):
                    metric = f"{command} calls/s, {threads} client thread{'s' * (threads > 1)}"
                    cmd = {**base, "op": "rate", "command": command}
                    rep = worker.ask({**cmd, "threads": threads, "seconds": seconds})
                    if "error" in rep:
                        failures.append((f"{metric} / {label}", rep["error"]))
                    record(metric, label, rep.get("rate"))
                    print(f"  {metric}: {fmt(rep.get('rate'))}", flush=True)
            rep = worker.ask({**base, "op": "storm"}, timeout=600)
            if "error" in rep:
                failures.append((f"storm / {label}", rep["error"]))
            record(f"start-up storm of {storm} servers [s]", label, rep.get("seconds"))
            print(f"  storm: {fmt(rep.get('seconds'))} s", flush=True)
            record("Database peak RSS [MiB]", label, server.peak_rss_mib())
            if label.startswith("C++"):
                worker.ask({**base, "op": "cleanup"}, timeout=600)
        except Exception:  # noqa: BLE001 - the other Databases still run
            failures.append((label, traceback.format_exc()))
        finally:
            worker.close()
            server.stop()

    table = _table(values, labels)
    notes = [
        f"{seconds:g} s per rate figure after a warm-up call; 20 threads = 20 connections "
        "(one PyTango DeviceProxy each); the client (PyTango) on core 1, each Database on "
        "core 0 (the C++ one with MariaDB), one Database running at a time.",
        "Storm: one thread per simulated server start-up, all released at once; the time "
        "is until the last one has exported its devices and its admin device.",
        "Ratio = puretango / the faster of the other two (rates: higher is better; storm and "
        "memory: lower is better; memory is compared with PyTango's Python Database only).",
    ]
    if skipped:
        notes.append(f"C++ DataBaseds not measured: {skipped}.")
    publish(args, clock, "Database", machine_info(), table, notes, failures)


def _table(values: dict[str, dict[str, float | None]], labels: list[str]) -> str:
    head = "| metric | " + " | ".join(labels) + " | ratio to the faster other | target | met |"
    lines = [head, "|---|" + "---:|" * len(labels) + "---:|:---:|:---:|"]
    for metric, by_label in values.items():
        ours = by_label.get("puretango")
        higher = "calls/s" in metric
        if "RSS" in metric:
            others = [v for k, v in by_label.items() if k == "PyTango" and v]
        else:
            others = [v for k, v in by_label.items() if k != "puretango" and v]
        best = (max(others) if higher else min(others)) if others else None
        ratio = ours / best if ours is not None and best else None
        if "RSS" in metric:
            target, ok = "≤ 0.5", ratio is not None and ratio <= 0.5
        elif higher:
            target, ok = "≥ 2", ratio is not None and ratio >= 2
        else:  # seconds: puretango at least twice as fast means at most half the time
            target, ok = "≤ 0.5", ratio is not None and ratio <= 0.5
        cells = " | ".join(fmt(by_label.get(label)) for label in labels)
        met = "n/a" if ratio is None else "yes" if ok else "**NO**"
        ratio_cell = "n/a" if ratio is None else f"{ratio:.3g}"
        lines.append(f"| {metric} | {cells} | {ratio_cell} | {target} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker_main()
    else:
        main()
