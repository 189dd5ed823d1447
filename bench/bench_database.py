"""Database benchmark: puretango's Database, on SQLite and on MariaDB, against the C++
DataBaseds (cppTango 9.3 on MariaDB) and PyTango's Python Database (on SQLite), driven by
the same PyTango client.

Each Database serves on 127.0.0.1 pinned to core 0; the client, a PyTango process, runs on
core 1. The two MariaDB-backed Databases use the one MariaDB server of the cpp-tango peer,
each on a fresh Tango database of its own made from Debian's tango-db files
(``tests/peers/mariadb.py``) and dropped afterwards; the shared ``tango`` database is never
touched. puretango connects by TCP (``--db-url mysql://tango:tango@127.0.0.1:3306/DB``), the
C++ DataBaseds by the Unix socket (``MYSQL_HOST=localhost``, its own default). MariaDB is
one process shared with anything else using it: while a MariaDB-backed Database is measured
every thread of ``mariadbd`` is pinned to core 0 with it (new connection threads inherit
that), and its affinity is restored afterwards. Every Database is given the same data: one
server of 100 devices with 10 properties each, all exported, and 200 one-device servers for
the start-up storm. Figures:

* calls per second of ``DbImportDevice``, ``DbGetDeviceProperty`` (10 properties) and
  ``DbGetDeviceList``, from one client thread and from 20 (each its own connection);
* the start-up storm: 200 device servers start at once. Each is simulated by a client
  thread making the Database calls of a real start-up (protocol.md §7.5: the admin device's
  import and properties, the device list, class and device properties, then an export per
  device and for the admin): seconds until the last has exported;
* peak memory (``VmHWM``) of the Database process (MariaDB's is not counted: it is shared);
* for information, the CPU time per call of the Database process and of ``mariadbd`` (all
  its threads, whoever they served) during each rate figure.

Rounds alternate: each round starts every Database afresh, in an order rotated by one each
round; a figure is the median over the rounds.

Targets. Issue 8: puretango (SQLite) at least 2x the faster of the C++ and PyTango
Databases on every rate and on the storm, and at most 0.5x PyTango's memory. Issue 11:
puretango on MariaDB at least 1.0x the C++ DataBaseds on the same MariaDB on every rate and
on the storm. The MariaDB-backed Databases are skipped, and said so, where the cpp-tango
peer is absent or not installed (``cpp-tango install``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from _common import (
    CLK_TCK,
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
    proc_cpu_ticks,
    proc_status_kb,
    publish,
    reap,
    reply,
    script_argv,
    tmp_dir,
)

PURETANGO, PURETANGO_MARIADB, CPP, PYTANGO = (
    "puretango",
    "puretango MariaDB",
    "C++ DataBaseds",
    "PyTango",
)
DATABASES = (PURETANGO, PURETANGO_MARIADB, CPP, PYTANGO)
ON_MARIADB = (PURETANGO_MARIADB, CPP)
SERVER_CORE = 0
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
    return {"rate": sum(counts) / elapsed, "calls": sum(counts)}


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
        except Exception:  # noqa: BLE001 - reported to the parent
            reply({"error": traceback.format_exc()})


# --------------------------------------------------------------------------- parent side


def _mariadb_helpers() -> Any:
    """``tests/peers/mariadb.py``: fresh Tango databases and the C++ DataBaseds on one."""
    tests = str(REPO_ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import peers.mariadb

    return peers.mariadb


def mariadb_pids() -> list[int]:
    """The running MariaDB server process(es)."""
    pids: list[int] = []
    for name in ("mariadbd", "mysqld"):
        out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
        pids += [int(pid) for pid in out.split()]
    return pids


def pin_all_threads(pid: int, cpus: set[int]) -> dict[int, set[int]]:
    """Pin every thread of process ``pid`` to ``cpus``; their affinities before."""
    before: dict[int, set[int]] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            before[int(tid)] = os.sched_getaffinity(int(tid))
            os.sched_setaffinity(int(tid), cpus)
        except OSError:  # the thread exited meanwhile
            pass
    return before


class MariadbPinning:
    """``mariadbd`` pinned to the Database's core while a MariaDB-backed Database is
    measured; every thread (also those started meanwhile) gets the main thread's old
    affinity back on ``restore``."""

    def __init__(self) -> None:
        self.saved: dict[int, set[int]] = {}

    def pin(self) -> None:
        for pid in mariadb_pids():
            before = pin_all_threads(pid, {SERVER_CORE})
            self.saved[pid] = before.get(pid, set(range(os.cpu_count() or 1)))

    def restore(self) -> None:
        for pid, cpus in self.saved.items():
            try:
                pin_all_threads(pid, cpus)
            except OSError:  # MariaDB went away
                pass
        self.saved.clear()


class DatabaseServer:
    """One Database process on a free port, pinned to core 0. The MariaDB-backed ones get
    a fresh Tango database, dropped by ``stop``."""

    def __init__(self, label: str, workdir: Path, mysql_socket: str | None = None) -> None:
        self.label = label
        self.mysql_socket = mysql_socket  # puretango on MariaDB: by this socket, not TCP
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / f"db-{label.replace(' ', '-').replace('+', 'p').lower()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.database: str | None = None  # the MariaDB database, if any

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # taskset execs the command: same pid

    def start(self, timeout: float = 60.0) -> None:
        env = {**child_env(), "TANGO_HOST": f"{HOST}:{self.port}"}
        if self.label in ON_MARIADB:
            mariadb = _mariadb_helpers()
            config = mariadb.create_tango_database("bench")
            self.database = config.database
            if self.label == CPP:
                self.proc = mariadb.cpp_databaseds(config, self.port, self.log)
                pin_all_threads(self.proc.pid, {SERVER_CORE})
                return
            url = f"mysql://{config.user}:{config.password}@{HOST}:{config.port}/{config.database}"
            if self.mysql_socket:
                url += f"?unix_socket={self.mysql_socket}"
            argv = [sys.executable, "-m", "puretango.databaseds", "2"]
            argv += ["--host", HOST, "--port", str(self.port), "--db-url", url]
        elif self.label == PURETANGO:
            argv = [sys.executable, "-m", "puretango.databaseds", "2"]
            argv += ["--host", HOST, "--port", str(self.port)]
            argv += ["--db-file", str(self.workdir / f"puretango-{self.port}.db")]
        else:
            env["PYTANGO_DATABASE_NAME"] = str(self.workdir / f"pytango-{self.port}.db")
            argv = [sys.executable, "-m", "tango.databaseds.database", "2"]
            argv += ["--host", HOST, "--port", str(self.port)]
        if os.environ.get("BENCH_DB_PROFILE") and self.label.startswith("puretango"):
            argv[1:1] = ["-m", "cProfile", "-o", str(self.log.with_suffix(".prof"))]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                ["taskset", "-c", str(SERVER_CORE), *argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while READY_MARKER not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.label} did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def peak_rss_mib(self) -> float:
        return proc_status_kb("VmHWM", self.pid) / 1024

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            reap(self.proc)
        if self.database is not None:
            _mariadb_helpers().drop_database(self.database)
            self.database = None


def mariadb_unavailable() -> str | None:
    """Why the MariaDB-backed Databases cannot run here, or None if they can."""
    try:
        return _mariadb_helpers().mariadb_available()
    except ImportError as exc:  # PyMySQL or the test helpers missing
        return f"cannot import tests/peers/mariadb.py ({exc})"


def mysql_socket_path() -> str:
    """MariaDB's Unix socket (``@@socket``)."""
    return str(_mariadb_helpers().mysql_root("SELECT @@socket").strip())


class Figures:
    """The figures of every round: metric -> label -> values, in order of first record."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, list[float | None]]] = {}

    def record(self, metric: str, label: str, value: float | None) -> None:
        self.values.setdefault(metric, {}).setdefault(label, []).append(value)

    def medians(self) -> dict[str, dict[str, float | None]]:
        """The median per figure and Database; None if any round failed."""
        out: dict[str, dict[str, float | None]] = {}
        for metric, by_label in self.values.items():
            out[metric] = {}
            for label, values in by_label.items():
                ok = [v for v in values if v is not None]
                out[metric][label] = statistics.median(ok) if len(ok) == len(values) else None
        return out


def measure(
    label: str,
    workdir: Path,
    storm: int,
    seconds: float,
    figures: Figures,
    mysql_socket: str | None = None,
) -> list[tuple[str, str]]:
    """Start ``label``'s Database, take every figure, stop it; the failures."""
    failures: list[tuple[str, str]] = []
    server = DatabaseServer(label, workdir, mysql_socket)
    worker = Worker(label, script_argv(__file__, "--worker"))
    run = BenchRun(uuid.uuid4().hex[:8], devices=100, storm=storm)
    base = {"port": server.port, "tag": run.tag, "devices": run.devices, "storm": run.storm}
    pinning = MariadbPinning()
    try:
        if label in ON_MARIADB:
            pinning.pin()
        server.start()
        print(f"{label}: serving on {HOST}:{server.port}", flush=True)
        rep = worker.ask({**base, "op": "populate"}, timeout=600)
        if "error" in rep:
            raise RuntimeError(rep["error"])
        for command in COMMANDS:
            for threads in (1, 20):
                metric = f"{command} calls/s, {threads} client thread{'s' * (threads > 1)}"
                cmd = {**base, "op": "rate", "command": command}
                cpu = _cpu_ticks(server, label)
                rep = worker.ask({**cmd, "threads": threads, "seconds": seconds})
                cpu = [after - before for before, after in zip(cpu, _cpu_ticks(server, label))]
                if "error" in rep:
                    failures.append((f"{metric} / {label}", rep["error"]))
                figures.record(metric, label, rep.get("rate"))
                calls = rep.get("calls") or 0
                per_call = [1e6 * t / CLK_TCK / calls if calls else None for t in cpu]
                figures.record(f"CPU per call, {metric} [µs]: Database", label, per_call[0])
                if label in ON_MARIADB:
                    figures.record(f"CPU per call, {metric} [µs]: MariaDB", label, per_call[1])
                print(f"  {metric}: {fmt(rep.get('rate'))}, CPU µs/call {per_call}", flush=True)
        rep = worker.ask({**base, "op": "storm"}, timeout=600)
        if "error" in rep:
            failures.append((f"storm / {label}", rep["error"]))
        figures.record(f"start-up storm of {storm} servers [s]", label, rep.get("seconds"))
        print(f"  storm: {fmt(rep.get('seconds'))} s", flush=True)
        figures.record("Database peak RSS [MiB]", label, server.peak_rss_mib())
    except Exception:  # noqa: BLE001 - the other Databases still run
        failures.append((label, traceback.format_exc()))
    finally:
        worker.close()
        server.stop()
        pinning.restore()
    return failures


def _cpu_ticks(server: DatabaseServer, label: str) -> list[int]:
    """CPU ticks so far of the Database process and (MariaDB-backed) of ``mariadbd``."""
    ticks = [proc_cpu_ticks(server.pid)]
    if label in ON_MARIADB:
        ticks.append(sum(proc_cpu_ticks(pid) for pid in mariadb_pids()))
    return ticks


def main() -> None:
    parser = make_parser(__doc__ or "")
    add_results_args(parser)
    parser.add_argument("--seconds", type=float, help="seconds per rate measurement (5)")
    parser.add_argument("--storm", type=int, help="servers in the start-up storm (200)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (3; quick 1)")
    parser.add_argument(
        "--only", help="comma-separated Databases to run (" + ", ".join(DATABASES) + ")"
    )
    parser.add_argument(
        "--mysql-socket",
        action="store_true",
        help="puretango on MariaDB connects by MariaDB's Unix socket (as the C++ one does)",
    )
    args = parser.parse_args()
    seconds = args.seconds or (1.0 if args.quick else 5.0)
    storm = args.storm or (40 if args.quick else 200)
    rounds = args.rounds or (1 if args.quick else 3)
    clock = RunClock()
    workdir = Path(tmp_dir()) / f"bench-db-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    wanted = args.only.split(",") if args.only else list(DATABASES)
    skipped = mariadb_unavailable() if set(wanted) & set(ON_MARIADB) else None
    labels = [db for db in DATABASES if db in wanted and not (skipped and db in ON_MARIADB)]
    figures = Figures()
    failures: list[tuple[str, str]] = []
    loads = [os.getloadavg()[0]]
    mysql_socket = mysql_socket_path() if args.mysql_socket and not skipped else None
    for i in range(rounds):
        order = labels[i % len(labels) :] + labels[: i % len(labels)]
        print(f"round {i + 1}/{rounds}: {', '.join(order)}", flush=True)
        for label in order:  # one Database at a time
            failures += measure(label, workdir, storm, seconds, figures, mysql_socket)
        loads.append(os.getloadavg()[0])

    medians = figures.medians()
    table = _table({m: v for m, v in medians.items() if not m.startswith("CPU")}, labels)
    cpu_table = _cpu_table({m: v for m, v in medians.items() if m.startswith("CPU")}, labels)
    notes = [
        f"{seconds:g} s per rate figure after a warm-up call; 20 threads = 20 connections "
        "(one PyTango DeviceProxy each); the client (PyTango) on core 1, each Database on "
        f"core 0, one Database running at a time; {rounds} round(s), each starting every "
        "Database afresh in an order rotated by one per round; medians over the rounds.",
        "puretango and PyTango on SQLite; puretango MariaDB and the C++ DataBaseds each on "
        "a fresh Tango database (Debian's tango-db schema) of the one shared MariaDB 10.11 "
        "server, all of whose threads are pinned to core 0 with the Database while it is "
        "measured (puretango by "
        + (f"the Unix socket {mysql_socket}" if mysql_socket else "TCP to 127.0.0.1:3306")
        + ", the C++ one by the Unix socket).",
        "Storm: one thread per simulated server start-up, all released at once; the time "
        "is until the last one has exported its devices and its admin device.",
        "pt/faster other = puretango (SQLite) / the faster of the C++ DataBaseds and PyTango "
        "(rates: higher is better; storm and memory: lower is better; memory is compared "
        "with PyTango's Python Database only); target 2x (issue 8).",
        "ptM/C++ = puretango on MariaDB / the C++ DataBaseds on MariaDB; target 1.0x "
        "(issue 11). Peak RSS is the Database process alone (MariaDB not counted).",
        "1-minute load average at the start and after each round: "
        + ", ".join(f"{x:.2f}" for x in loads)
        + " (other sessions' tests may use the same MariaDB meanwhile).",
    ]
    if skipped:
        notes.append(f"puretango MariaDB and the C++ DataBaseds not measured: {skipped}.")
    table += (
        "\n\nCPU time per call during the rate figures (µs; user + system, all threads, "
        "the proxies' set-up included; MariaDB's counts whatever else it served):\n\n" + cpu_table
    )
    publish(args, clock, "Database", machine_info(["pymysql"]), table, notes, failures)


def _ratio(ours: float | None, other: float | None) -> float | None:
    return ours / other if ours is not None and other else None


def _met(ratio: float | None, higher: bool, bound: float) -> str:
    if ratio is None:
        return "n/a"
    return "yes" if (ratio >= bound if higher else ratio <= 1 / bound) else "**NO**"


def _table(values: dict[str, dict[str, float | None]], labels: list[str]) -> str:
    head = "| metric | " + " | ".join(labels)
    head += " | pt/faster other | ≥ 2x (issue 8) | ptM/C++ | ≥ 1x (issue 11) |"
    lines = [head, "|---|" + "---:|" * len(labels) + "---:|:---:|---:|:---:|"]
    for metric, by_label in values.items():
        higher = "calls/s" in metric
        if "RSS" in metric:
            others = [by_label.get(PYTANGO)]
        else:
            others = [by_label.get(CPP), by_label.get(PYTANGO)]
        present = [v for v in others if v]
        best = (max(present) if higher else min(present)) if present else None
        ratio = _ratio(by_label.get(PURETANGO), best)
        ratio_m = _ratio(by_label.get(PURETANGO_MARIADB), by_label.get(CPP))
        met_m = "(info)" if "RSS" in metric else _met(ratio_m, higher, 1.0)
        cells = " | ".join(fmt(by_label.get(label)) for label in labels)
        lines.append(
            f"| {metric} | {cells} | {_ratio_text(ratio)} | {_met(ratio, higher, 2.0)} "
            f"| {_ratio_text(ratio_m)} | {met_m} |"
        )
    return "\n".join(lines)


def _cpu_table(values: dict[str, dict[str, float | None]], labels: list[str]) -> str:
    lines = ["| CPU per call [µs] | " + " | ".join(labels) + " |"]
    lines.append("|---|" + "---:|" * len(labels))
    for metric, by_label in values.items():
        name = metric.removeprefix("CPU per call, ").replace(" [µs]", "").replace(" calls/s", "")
        cells = " | ".join(fmt(by_label[label]) if label in by_label else "" for label in labels)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


def _ratio_text(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.3g}"


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker_main()
    else:
        main()
