"""Several hosts for real: two network namespaces joined by a veth pair stand for two
machines (A: 10.213.0.1 and fd13:213::1; B: 10.213.0.2, 10.213.0.3 and fd13:213::2), each
with a loopback of its own. The IORs a device server exports must carry an address the
other host reaches.

1. Our Database and a real PyTango client on A, our TangoTest bound to all interfaces
   (no endpoint, and ``[::]``) on B: the client reads ``sys/tg_test/1`` by name.
2. Our Database and a real PyTango device server (``peers/typedev.py``, with the Database)
   on B, our client on A.
3. ``-ORBendPointPublish`` on a server bound to 0.0.0.0: the IOR carries what it was told.
4. A server bound to B's IPv6 address, reached from A by PyTango's client and ours.
5. TANGO_HOST and the published host as names (hosta.test, hostb.test) that each host's
   own hosts file resolves; the machine's own name resolves on neither host.

Needs root (``ip netns``); skipped with the reason otherwise. Every namespace, link and
process (and /etc/netns/<namespace>) is named by this run's pid and torn down at the end;
leftovers of runs that died before their teardown are removed first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from peers.launch import READY_MARKER, TYPEDEV_SCRIPT

from puretango.giop import IOR

PREFIX = "pt2h"  # names: netns pt2h-<pid>-a, veth pt2h<pid>a (15 characters at most)
A_ADDRESS, B_ADDRESS, B_OTHER_ADDRESS = "10.213.0.1", "10.213.0.2", "10.213.0.3"
A_IPV6, B_IPV6 = "fd13:213::1", "fd13:213::2"  # unique local addresses
DB_PORT = 10000  # each namespace has a port space of its own
A_NAME, B_NAME = "hosta.test", "hostb.test"
#: ``ip netns exec NS`` mounts the files of /etc/netns/NS over /etc: each host gets a hosts
#: file of its own, with the names of both hosts but none for the machine's own name (as
#: in a container), and no name server (nothing may leave the two namespaces)
NETNS_ETC = Path("/etc/netns")
HOSTS_FILE = f"""127.0.0.1 localhost
::1 localhost
{A_ADDRESS} {A_NAME}
{B_ADDRESS} {B_NAME}
"""
COMMAND_TIMEOUT = 20.0
START_TIMEOUT = 20.0


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["ip", *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_pid(name: str) -> int | None:
    """The pid of the run that made ``name`` (``pt2h-<pid>-a`` or ``pt2h<pid>a``)."""
    digits = name.removeprefix(PREFIX).strip("-").split("-")[0].rstrip("ab")
    return int(digits) if digits.isdigit() else None


def _kill_pids(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _namespace_pids(ns: str) -> list[int]:
    out = _ip("netns", "pids", ns, check=False).stdout
    return [int(word) for word in out.split() if word.isdigit()]


def remove_leftovers() -> None:
    """Namespaces and links of earlier runs of this test whose process is gone (a run
    killed before its teardown), with the processes still inside them."""
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        pid = _run_pid(name) if name.startswith(PREFIX + "-") else None
        if pid is not None and pid != os.getpid() and not _pid_alive(pid):
            _kill_pids(_namespace_pids(name))
            _ip("netns", "del", name, check=False)
    for line in _ip("-o", "link", "show", check=False).stdout.splitlines():
        parts = line.split(":")
        name = parts[1].strip().split("@")[0] if len(parts) > 1 else ""
        pid = _run_pid(name) if name.startswith(PREFIX) else None
        if pid is not None and pid != os.getpid() and not _pid_alive(pid):
            _ip("link", "del", name, check=False)
    for folder in NETNS_ETC.glob(f"{PREFIX}-*"):
        pid = _run_pid(folder.name)
        if pid is not None and pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Process:
    """A process inside a namespace; its output is collected by a thread."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if READY_MARKER in line:
                self.ready.set()

    def stop(self, timeout: float = 5) -> None:
        """SIGTERM (servers unexport), then SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        if self.reader is not None:
            self.reader.join(timeout)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@dataclass
class Host:
    """One namespace: a machine of its own, with its address on the veth link."""

    ns: str
    address: str
    #: every process started on either host, in start order (shared by both hosts)
    started: list[Process]

    def env(self, tango_host: str | None) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("TANGO_HOST", None)
        if tango_host:
            env["TANGO_HOST"] = tango_host
        return env

    def run(self, argv: list[str], tango_host: str) -> str:
        """Run a command on this host; its stdout (a failure shows all its output)."""
        result = subprocess.run(
            ["ip", "netns", "exec", self.ns, *argv],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=self.env(tango_host),
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, f"{argv} on {self.ns}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def python(self, code: str, tango_host: str) -> str:
        """Run a Python snippet on this host; its stdout."""
        return self.run([sys.executable, "-c", code], tango_host)

    def cli(self, tango_host: str, *args: str) -> None:
        """``puretango ARGS...`` on this host."""
        self.run([sys.executable, "-m", "puretango.cli", *args], tango_host)

    def start(self, argv: list[str], tango_host: str | None) -> Process:
        """Start a server on this host and wait until it is ready to accept requests."""
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, *argv],  # ip execs the command: same pid
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=self.env(tango_host),
        )
        process = Process(proc)
        self.started.append(process)
        process.reader = threading.Thread(target=process.read, daemon=True)
        process.reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not process.ready.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                process.stop()
                pytest.fail(f"{argv[1:]} did not start on {self.ns}:\n{process.output}")
        return process


@dataclass
class TwoHosts:
    a: Host
    b: Host
    ipv6: bool  # the IPv6 addresses could be given (the kernel may have IPv6 disabled)


def _create(a: Host, b: Host, tag: str) -> bool:
    """B, the veth pair, each host's /etc files (A exists already); True if IPv6
    addresses were given."""
    veth_a, veth_b = f"{tag}a", f"{tag}b"
    for host in (a, b):
        folder = NETNS_ETC / host.ns
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "hosts").write_text(HOSTS_FILE)
        (folder / "resolv.conf").write_text("")
    _ip("netns", "add", b.ns)
    _ip("link", "add", veth_a, "type", "veth", "peer", "name", veth_b)
    for host, veth in ((a, veth_a), (b, veth_b)):
        _ip("link", "set", veth, "netns", host.ns)
        _ip("-n", host.ns, "addr", "add", f"{host.address}/24", "dev", veth)
        _ip("-n", host.ns, "link", "set", "lo", "up")
        _ip("-n", host.ns, "link", "set", veth, "up")
    _ip("-n", b.ns, "addr", "add", f"{B_OTHER_ADDRESS}/24", "dev", veth_b)
    ipv6 = True
    for host, veth, address in ((a, veth_a, A_IPV6), (b, veth_b, B_IPV6)):
        added = _ip(
            "-n", host.ns, "addr", "add", f"{address}/64", "dev", veth, "nodad", check=False
        )
        ipv6 = ipv6 and added.returncode == 0
    return ipv6


def _destroy(started: list[Process], *hosts: Host) -> None:
    while started:  # servers before the Database they unexport from
        started.pop().stop()
    for host in hosts:
        _kill_pids(_namespace_pids(host.ns))
        _ip("netns", "del", host.ns, check=False)  # takes its end of the veth pair along
        shutil.rmtree(NETNS_ETC / host.ns, ignore_errors=True)


@pytest.fixture(scope="module")
def hosts() -> Iterator[TwoHosts]:
    """Hosts A and B, joined by a veth pair; always torn down."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (ip netns)")
    tag = f"{PREFIX}{os.getpid()}"
    etc_existed = NETNS_ETC.exists()
    started: list[Process] = []
    a = Host(f"{PREFIX}-{os.getpid()}-a", A_ADDRESS, started)
    b = Host(f"{PREFIX}-{os.getpid()}-b", B_ADDRESS, started)
    try:
        remove_leftovers()
        first = _ip("netns", "add", a.ns, check=False)
    except FileNotFoundError:
        pytest.skip("the ip command (iproute2) is not installed")
    try:
        if first.returncode != 0:
            pytest.skip(f"ip netns add refused: {first.stderr.strip()}")
        yield TwoHosts(a, b, _create(a, b, tag))
    finally:
        _destroy(started, a, b)
        _ip("link", "del", f"{tag}a", check=False)  # if creation stopped half-way
        if not etc_existed:
            with contextlib.suppress(OSError):  # only if empty: another run may use it
                NETNS_ETC.rmdir()


def database_on(host: Host, tmp_path: Path) -> tuple[Process, str]:
    """Our Database on ``host``, bound to all interfaces; (process, TANGO_HOST)."""
    argv = [sys.executable, "-m", "puretango.databaseds", "2", "--host", "0.0.0.0"]
    argv += ["--port", str(DB_PORT), "--db-file", str(tmp_path / f"{host.ns}.db")]
    return host.start(argv, None), f"{host.address}:{DB_PORT}"


@pytest.fixture(scope="module")
def database_a(hosts: TwoHosts, tmp_path_factory: pytest.TempPathFactory) -> str:
    """TANGO_HOST of our Database on A (stopped last, with the namespaces)."""
    return database_on(hosts.a, tmp_path_factory.mktemp("two_hosts"))[1]


def ior_address(ior: str) -> tuple[str, int]:
    profile = IOR.from_string(ior).iiop()
    return profile.host, profile.port


PYTANGO_READS = """
import json, tango
dev = tango.DeviceProxy({device!r})
dev.set_timeout_millis(5000)
admin = tango.DeviceProxy(dev.adm_name())
print(json.dumps({{
    "state": str(dev.state()),
    "echo": dev.command_inout("DevString", "across hosts"),
    "admin": str(admin.state()),
    "ior": tango.Database().import_device({device!r}).ior,
}}))
"""


@pytest.mark.parametrize(
    ("instance", "device", "endpoint"),
    [
        ("two", "sys/tg_test/1", []),  # all interfaces: 0.0.0.0
        ("anyv6", "sys/tg_test/2", ["-ORBendPoint", "giop:tcp:[::]:0"]),  # IPv4 too
    ],
)
def test_pytango_client_reaches_our_server_on_another_host(
    hosts: TwoHosts, database_a: str, instance: str, device: str, endpoint: list[str]
) -> None:
    hosts.a.cli(database_a, "server", "add", f"TangoTest/{instance}", "TangoTest", device)
    hosts.b.start([sys.executable, "-m", "puretango.tangotest", instance, *endpoint], database_a)

    seen = json.loads(hosts.a.python(PYTANGO_READS.format(device=device), database_a))

    assert ior_address(seen.pop("ior"))[0] == B_ADDRESS
    assert seen == {"state": "RUNNING", "echo": "across hosts", "admin": "ON"}


OUR_CLIENT_READS = """
import json, puretango
dev = puretango.DeviceProxy("test/type/1")
dev.set_timeout_millis(5000)
print(json.dumps({
    "state": str(dev.state()),
    "echo": dev.command_inout("EchoDouble", 2.5),
    "pid": dev.command_inout("GetPid"),
    "ior": puretango.Database().import_device("test/type/1").ior,
}))
"""


def test_our_client_reaches_a_pytango_server_on_another_host(
    hosts: TwoHosts, tmp_path: Path
) -> None:
    tango_host = database_on(hosts.b, tmp_path)[1]
    hosts.b.cli(tango_host, "server", "add", "typedev/two", "TypeDev", "test/type/1")
    server = hosts.b.start([sys.executable, str(TYPEDEV_SCRIPT), "two"], tango_host)

    seen = json.loads(hosts.a.python(OUR_CLIENT_READS, tango_host))

    assert ior_address(seen.pop("ior"))[0] == B_ADDRESS
    assert seen == {"state": "ON", "echo": 2.5, "pid": server.proc.pid}


def test_published_endpoint_is_what_the_server_was_told(hosts: TwoHosts, database_a: str) -> None:
    hosts.a.cli(database_a, "server", "add", "TangoTest/pub", "TangoTest", "sys/tg_test/pub")
    port = 12345
    argv = [sys.executable, "-m", "puretango.tangotest", "pub"]
    argv += ["-ORBendPoint", f"giop:tcp:0.0.0.0:{port}"]
    argv += ["-ORBendPointPublish", f"giop:tcp:{B_OTHER_ADDRESS}:{port}"]
    hosts.b.start(argv, database_a)

    seen = json.loads(hosts.a.python(PYTANGO_READS.format(device="sys/tg_test/pub"), database_a))

    assert ior_address(seen.pop("ior")) == (B_OTHER_ADDRESS, port)
    assert seen == {"state": "RUNNING", "echo": "across hosts", "admin": "ON"}


OUR_TANGOTEST_READS = """
import json, puretango
dev = puretango.DeviceProxy({device!r})
dev.set_timeout_millis(5000)
print(json.dumps([str(dev.state()), dev.command_inout("DevString", "across hosts")]))
"""


def test_an_ipv6_address_across_hosts(hosts: TwoHosts, database_a: str) -> None:
    if not hosts.ipv6:
        pytest.skip("IPv6 addresses refused in the namespaces (IPv6 disabled?)")
    hosts.a.cli(database_a, "server", "add", "TangoTest/v6", "TangoTest", "sys/tg_test/v6")
    argv = [sys.executable, "-m", "puretango.tangotest", "v6"]
    hosts.b.start([*argv, "-ORBendPoint", f"giop:tcp:[{B_IPV6}]:0"], database_a)

    seen = json.loads(hosts.a.python(PYTANGO_READS.format(device="sys/tg_test/v6"), database_a))
    ours = json.loads(
        hosts.a.python(OUR_TANGOTEST_READS.format(device="sys/tg_test/v6"), database_a)
    )

    assert ior_address(seen.pop("ior"))[0] == B_IPV6
    assert seen == {"state": "RUNNING", "echo": "across hosts", "admin": "ON"}
    assert ours == ["RUNNING", "across hosts"]


def test_host_names_resolved_by_each_host(hosts: TwoHosts, database_a: str) -> None:
    """TANGO_HOST and the published host as names, which only each host's own hosts file
    resolves (the machine's own name resolves nowhere)."""
    tango_host = f"{A_NAME}:{DB_PORT}"  # the Database of database_a, by name
    hosts.a.cli(tango_host, "server", "add", "TangoTest/names", "TangoTest", "sys/tg_test/n")
    argv = [sys.executable, "-m", "puretango.tangotest", "names", "-ORBendPoint"]
    argv += ["giop:tcp::12020", "-ORBendPointPublish", f"giop:tcp:{B_NAME}:12020"]
    hosts.b.start(argv, tango_host)

    seen = json.loads(hosts.a.python(PYTANGO_READS.format(device="sys/tg_test/n"), tango_host))
    ours = json.loads(
        hosts.a.python(OUR_TANGOTEST_READS.format(device="sys/tg_test/n"), tango_host)
    )

    assert ior_address(seen.pop("ior")) == (B_NAME, 12020)
    assert seen == {"state": "RUNNING", "echo": "across hosts", "admin": "ON"}
    assert ours == ["RUNNING", "across hosts"]
