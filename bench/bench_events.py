"""Event benchmark: change events from PyTango and puretango servers to PyTango and
puretango clients, both ends each way, in one run.

Servers: ``bench/benchdev_events.py`` (the same device code under PyTango or puretango,
``BENCH_IMPL``), no Database, 127.0.0.1, pinned to core 0, 100 devices ``bench/ev/1`` ..
``bench/ev/100`` with ten change-event attributes each, pushed by device code. Clients:
PyTango's ``DeviceProxy`` (its callbacks always run on its own ZeroMQ thread) and
puretango's in sync, gevent and asyncio modes, each a subprocess (this script with
``--worker``). Figures, per (server -> client) pair:

* events/s: the client subscribes to ``a0`` of one device and calls ``Burst(n)``, which
  pushes ``n`` events as fast as the server can; rate = events received / (time of the
  last - time the command was sent); lost = ``n`` - received (ZeroMQ's high-water marks,
  1,000 on each side, drop what a slow end cannot take); client CPU per event over it;
* latency: ``Stream([rate, count])`` pushes events stamped with ``time.time()`` at a fixed
  rate (below every pair's burst rate); latency = callback time - stamp, median and p99;
  client and server pinned to the same core; lost events reported;
* 1,000 subscriptions (10 attributes x 100 devices) in one client: seconds to subscribe,
  client RSS growth and OS threads after, then ``PushAll`` on every device: client CPU
  per event.

Targets (issue 9), on the ratio to PyTango -> PyTango: events/s >= 1.5 (puretango server
to puretango client), latency <= 1.0, client CPU per event <= 0.5 in gevent and asyncio
modes. Rounds alternate the order of the pairs; only figures of this run are compared.

Usage: ``python bench/bench_events.py`` (~3 min) or ``--quick``; ``--no-results`` to only
print. Results are prepended to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import statistics
import sys
import time
import traceback
from typing import Any

from _common import (
    SERVER_CPU,
    RunClock,
    Server,
    add_results_args,
    client_core,
    fmt,
    machine_info,
    make_parser,
    percentile,
    pin_process,
    proc_status_kb,
    publish,
    reply,
    run_once,
    script_argv,
    tmp_dir,
)

SERVERS = {"PyTango": "tango", "puretango": "puretango"}
CLIENTS = ["PyTango sync", "puretango sync", "puretango gevent", "puretango asyncio"]
BASELINE = ("PyTango", "PyTango sync")
FULL = {"burst": 20000, "rate": 500.0, "count": 2500, "devices": 100, "push_rounds": 5, "rounds": 2}
QUICK = {"burst": 5000, "rate": 500.0, "count": 500, "devices": 20, "push_rounds": 2, "rounds": 1}
IDLE_END = 3.0  # seconds without an event after which a measurement stops waiting


# --------------------------------------------------------------------------- worker side


class Sink:
    """Counts events (errors apart), remembers the time of the last one and, for stamped
    values, the latency."""

    def __init__(self) -> None:
        self.count = 0
        self.errors: list[str] = []
        self.last = time.perf_counter()
        self.latencies: list[float] = []
        self.stamped = False
        self.values: set[float] = set()

    def __call__(self, event: Any) -> None:
        now = time.time()
        self.last = time.perf_counter()
        if event.err:
            self.errors.append(str(event.errors[0].reason) if event.errors else "?")
            return
        self.count += 1
        self.values.add(float(event.attr_value.value))
        if self.stamped:
            self.latencies.append(now - float(event.attr_value.value))

    def push_event(self, event: Any) -> None:  # PyTango's callback object form
        self(event)


class Client:
    """One implementation and mode: proxies, subscriptions, commands, waiting."""

    def __init__(self, label: str) -> None:
        impl, self.mode = label.split()
        self.pytango = impl == "PyTango"
        self.tango = importlib.import_module("tango" if self.pytango else "puretango")
        self.loop: asyncio.AbstractEventLoop | None = None
        if self.mode == "asyncio":
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
        if self.mode == "gevent":
            import gevent  # noqa: F401 - imported before the proxies, as users do

    def run(self, coro_or_value: Any) -> Any:
        if self.loop is not None and asyncio.iscoroutine(coro_or_value):
            return self.loop.run_until_complete(coro_or_value)
        return coro_or_value

    def proxy(self, trl: str) -> Any:
        if self.mode == "gevent":
            return importlib.import_module(self.tango.__name__ + ".gevent").DeviceProxy(trl)
        if self.mode == "asyncio":
            factory = importlib.import_module(self.tango.__name__ + ".asyncio").DeviceProxy
            return self.run(factory(trl))
        return self.tango.DeviceProxy(trl)

    def subscribe(self, proxy: Any, attr: str, sink: Sink) -> int:
        kind = self.tango.EventType.CHANGE_EVENT
        callback = sink if not self.pytango else sink.push_event
        return self.run(proxy.subscribe_event(attr, kind, callback))

    def command(self, proxy: Any, name: str, arg: Any) -> Any:
        return self.run(proxy.command_inout(name, arg))

    def sleep(self, seconds: float) -> None:
        if self.mode == "gevent":
            import gevent

            gevent.sleep(seconds)
        elif self.loop is not None:
            self.loop.run_until_complete(asyncio.sleep(seconds))
        else:
            time.sleep(seconds)

    def wait_for(self, sink: Sink, count: int) -> None:
        """Until ``sink`` has ``count`` events or none came for ``IDLE_END`` s."""
        while sink.count < count and time.perf_counter() - sink.last < IDLE_END:
            self.sleep(0.005)


def nthreads() -> int:
    return len(os.listdir("/proc/self/task"))


def worker(args: argparse.Namespace) -> None:
    pin_process({args.cpu})
    size = json.loads(args.size)
    client = Client(args.client)
    trl = "tango://127.0.0.1:{}/bench/ev/{}#dbase=no"
    try:
        if args.task == "burst":
            reply(task_burst(client, trl.format(args.port, 1), size["burst"]))
        elif args.task == "stream":
            reply(task_stream(client, trl.format(args.port, 1), size["rate"], size["count"]))
        else:
            trls = [trl.format(args.port, i) for i in range(1, size["devices"] + 1)]
            reply(task_many(client, trls, size["push_rounds"]))
    except Exception:  # noqa: BLE001 - reported to the parent
        reply({"error": traceback.format_exc()})
    sys.stdout.flush()
    os._exit(0)  # do not wait for event threads to wind down


def _settle(client: Client, sink: Sink) -> None:
    """Let the first (synchronous-read) event arrive, then start counting from zero."""
    client.sleep(0.5)
    sink.count, sink.errors, sink.latencies, sink.values = 0, [], [], set()


def task_burst(client: Client, trl: str, n: int) -> dict:
    proxy = client.proxy(trl)
    sink = Sink()
    client.subscribe(proxy, "a0", sink)
    _settle(client, sink)
    cpu0, start = time.process_time(), time.perf_counter()
    client.command(proxy, "Burst", n)
    client.wait_for(sink, n)
    cpu = time.process_time() - cpu0
    received = sink.count
    elapsed = sink.last - start
    return {
        "events_per_s": received / elapsed if received else 0.0,
        "lost": n - len(sink.values & set(map(float, range(1, n + 1)))),
        "cpu_per_event_us": cpu / max(received, 1) * 1e6,
        "errors": sink.errors[:3],
    }


def task_stream(client: Client, trl: str, rate: float, count: int) -> dict:
    proxy = client.proxy(trl)
    sink = Sink()
    client.subscribe(proxy, "a0", sink)
    _settle(client, sink)
    sink.stamped = True
    client.command(proxy, "Stream", [rate, float(count)])
    client.wait_for(sink, count)
    lat = [x * 1e6 for x in sink.latencies]
    return {
        "median_us": statistics.median(lat) if lat else None,
        "p99_us": percentile(lat, 99) if lat else None,
        "lost": count - sink.count,
        "errors": sink.errors[:3],
    }


def task_many(client: Client, trls: list[str], rounds: int) -> dict:
    gc.collect()
    rss0 = proc_status_kb("VmRSS")
    start = time.perf_counter()
    proxies = [client.proxy(t) for t in trls]
    sink = Sink()
    for p in proxies:
        for i in range(10):
            client.subscribe(p, f"a{i}", sink)
    subscribe_s = time.perf_counter() - start
    _settle(client, sink)
    rss = proc_status_kb("VmRSS")
    threads = nthreads()
    expected = rounds * 10 * len(proxies)
    cpu0 = time.process_time()
    for p in proxies:
        client.command(p, "PushAll", rounds)
    client.wait_for(sink, expected)
    cpu = time.process_time() - cpu0
    return {
        "subscribe_s": subscribe_s,
        "rss_mib": (rss - rss0) / 1024,
        "threads": threads,
        "cpu_per_event_us": cpu / max(sink.count, 1) * 1e6,
        "lost": expected - sink.count,
        "errors": sink.errors[:3],
    }


# --------------------------------------------------------------------------- parent side


def start_server(impl: str, devices: int) -> Server:
    names = [f"bench/ev/{i}" for i in range(1, devices + 1)]
    log = tmp_dir() / f"bench_events_{impl}_{os.getpid()}.log"
    server = Server(log, names, "benchdev_events.py", {"BENCH_IMPL": SERVERS[impl]})
    server.start(timeout=60)
    return server


def ask(task: str, client: str, port: int, cpu: int, size: dict) -> dict:
    argv = script_argv(
        __file__,
        "--worker",
        "--task",
        task,
        "--client",
        client,
        "--port",
        str(port),
        "--cpu",
        str(cpu),
        "--size",
        json.dumps(size),
    )
    return run_once(argv, timeout=300)


Pair = tuple[str, str]


def parent_main(args: argparse.Namespace) -> int:
    clock = RunClock()
    size = dict(QUICK if args.quick else FULL)
    servers_wanted = args.servers.split(",") if args.servers else list(SERVERS)
    clients_wanted = args.clients.split(",") if args.clients else CLIENTS
    pairs: list[Pair] = [(s, c) for s in servers_wanted for c in clients_wanted]
    values: dict[tuple[Pair, str], list[float]] = {}
    failures: list[tuple[str, str]] = []
    split = client_core()
    servers = {impl: start_server(impl, size["devices"]) for impl in servers_wanted}
    try:
        for rnd in range(size["rounds"]):
            order = pairs if rnd % 2 == 0 else pairs[::-1]
            for task, cpu in (("burst", split), ("stream", SERVER_CPU), ("many", split)):
                for pair in order:
                    print(f"round {rnd + 1}: {task} {pair[0]} -> {pair[1]}", flush=True)
                    rep = ask(task, pair[1], servers[pair[0]].port, cpu, size)
                    if "error" in rep:
                        failures.append((f"{task} {pair[0]} -> {pair[1]}", rep["error"]))
                        continue
                    for key, value in rep.items():
                        if isinstance(value, (int, float)) and value is not None:
                            values.setdefault((pair, f"{task}.{key}"), []).append(float(value))
                        elif key == "errors" and value:
                            failures.append(
                                (f"{task} {pair[0]} -> {pair[1]} error events", "\n".join(value))
                            )
    finally:
        for server in servers.values():
            server.stop()
    table = build_table(pairs, values)
    info = machine_info(["zmq", "gevent"])
    notes = [
        f"Sizes: {json.dumps(size)}; each figure is the median over rounds; 'many "
        f"subscriptions' = 10 attributes x {size['devices']} devices in one client.",
        "Burst and many subscriptions: server on core 0, client on core "
        f"{split}; latency: both on core {SERVER_CPU}.",
        "Ratio = the pair's figure / PyTango server -> PyTango client. PyTango's client has "
        "one mode here: its callbacks run on its own ZeroMQ thread whatever the green mode.",
        "Lost events are ZeroMQ high-water-mark drops (1,000 on each side, as cppTango) "
        "while a burst outruns the slower end; the stream rate is below every burst rate.",
    ]
    publish(args, clock, "events", info, table, notes, failures)
    return 1 if failures else 0


METRICS = [
    ("burst.events_per_s", "events/s, burst", True),
    ("burst.lost", "lost in burst", False),
    ("burst.cpu_per_event_us", "client CPU per event, burst [µs]", False),
    ("stream.median_us", "latency median [µs]", False),
    ("stream.p99_us", "latency p99 [µs]", False),
    ("stream.lost", "lost in stream", False),
    ("many.subscribe_s", "many subscriptions: time [s]", False),
    ("many.rss_mib", "many subscriptions: client RSS growth [MiB]", False),
    ("many.threads", "many subscriptions: client OS threads", False),
    ("many.cpu_per_event_us", "many subscriptions: client CPU per event [µs]", False),
    ("many.lost", "many subscriptions: lost", False),
]


def build_table(pairs: list[Pair], values: dict[tuple[Pair, str], list[float]]) -> str:
    def value(pair: Pair, key: str) -> float | None:
        v = values.get((pair, key))
        return statistics.median(v) if v else None

    head = "| metric | " + " | ".join(f"{s} → {c}" for s, c in pairs) + " |"
    rule = "|---|" + "---:|" * len(pairs)
    lines = [head, rule]
    for key, label, _higher in METRICS:
        base = value(BASELINE, key)
        cells = []
        for pair in pairs:
            v = value(pair, key)
            text = fmt(v)
            if v is not None and base and pair != BASELINE and not key.endswith("lost"):
                text += f" ({v / base:.2f}x)"
            cells.append(text)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = make_parser(__doc__)
    add_results_args(parser)
    parser.add_argument("--servers", help=f"comma list of {', '.join(SERVERS)}")
    parser.add_argument("--clients", help=f"comma list of {', '.join(CLIENTS)}")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--task", choices=["burst", "stream", "many"], help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
