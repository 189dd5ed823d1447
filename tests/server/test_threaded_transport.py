"""The thread-per-connection transport of a server of synchronous devices
(:mod:`puretango.server._threaded`): which thread serves a request, errors, a device calling
its own server back, many connections, the thread bound, idle and malformed connections,
requests overlapping on one connection, and a clean stop. Clients: ours, PyTango's (a
subprocess) and raw GIOP sockets."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from peers.launch import HOST, run_pytango_client

from puretango import DevFailed, DeviceProxy
from puretango._pyvalues import argin_to_any
from puretango.giop import (
    CODE_SETS_CONTEXT,
    HEADER_SIZE,
    CancelRequest,
    CloseConnection,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MessageError,
    Reply,
    ReplyStatus,
    Request,
    decode_message,
    encode_message,
    parse_header,
)
from puretango.giop._typecode import read_any
from puretango.idl import OPERATIONS, UnionValue
from puretango.idl._enums import CmdArgType, DevSource, DevState, GreenMode, LockerLanguage
from puretango.server import Device, DeviceServer, attribute, command
from puretango.server._server import server_in_thread

DEVICES = ["test/threaded/1", "test/threaded/2", "test/threaded/3"]
IDENT = UnionValue(LockerLanguage.CPP, 4242)


_together = [0, 0]  # SleepTogether running now, most at once
_together_lock = threading.Lock()


class ThreadedDev(Device):
    """Tells which thread serves it; calls its server back through DeviceProxy."""

    def init_device(self) -> None:
        super().init_device()
        self._value = 1.5
        self.set_state(DevState.ON)

    @attribute(dtype=str)
    def served_by(self) -> str:
        return threading.current_thread().name

    @attribute(dtype=float)
    def value(self) -> float:
        return self._value

    @value.write
    def value(self, value: float) -> None:
        self._value = value

    @command(dtype_in=str, dtype_out=str)
    def Echo(self, text: str) -> str:  # noqa: N802 - a Tango command name
        return text

    @command(dtype_in=float, dtype_out=float)
    def Sleep(self, seconds: float) -> float:  # noqa: N802
        time.sleep(seconds)
        return seconds

    @command(dtype_in=float, dtype_out=int)
    def SleepTogether(self, seconds: float) -> int:  # noqa: N802
        """Sleep; return how many SleepTogether of the server ran at most at once."""
        with _together_lock:
            _together[0] += 1
            _together[1] = max(_together[1], _together[0])
        time.sleep(seconds)
        with _together_lock:
            _together[0] -= 1
            return _together[1]

    @command
    def Fail(self) -> None:  # noqa: N802
        raise ValueError("refused")

    @command(dtype_out=str)
    def Euro(self) -> str:  # noqa: N802
        return "\u20ac"  # not Latin-1: the reply cannot be encoded

    @command(dtype_in=str, dtype_out=str)
    def ReadThrough(self, trl: str) -> str:  # noqa: N802
        """Read ``served_by`` of ``trl`` through a DeviceProxy (this very server)."""
        return str(DeviceProxy(trl).read_attribute("served_by").value)

    @command(dtype_in=(str,), dtype_out=str)
    def ChainThrough(self, trls: list[str]) -> str:  # noqa: N802
        """Call ReadThrough of ``trls[0]`` on ``trls[1]``: a nested call back."""
        return str(DeviceProxy(trls[0]).command_inout("ReadThrough", trls[1]))


class AsyncDev(Device):
    green_mode = GreenMode.Asyncio

    @attribute(dtype=str)
    async def served_by(self) -> str:
        return threading.current_thread().name


def _start(server: DeviceServer) -> threading.Thread:
    thread, _ = server_in_thread(server)
    return thread


def _stop(server: DeviceServer, thread: threading.Thread) -> None:
    server.request_stop()
    thread.join(10)
    assert not thread.is_alive()


@pytest.fixture(scope="module")
def server() -> Iterator[DeviceServer]:
    srv = DeviceServer(
        "ThreadedDev", "t", [(ThreadedDev, name, None) for name in DEVICES], host=HOST
    )
    thread = _start(srv)
    try:
        yield srv
    finally:
        _stop(srv, thread)


def trl(server: DeviceServer, name: str = DEVICES[0]) -> str:
    return f"tango://{HOST}:{server.port}/{name}#dbase=no"


# ------------------------------------------------------------------------ raw GIOP helpers


def request(operation: str, args: list[Any], request_id: int = 1, key: str = DEVICES[0]) -> bytes:
    op = OPERATIONS[operation]
    msg = Request(
        request_id=request_id,
        object_key=key.encode(),
        operation=operation,
        response_expected=True,
        service_contexts=(CODE_SETS_CONTEXT,),
        body=lambda enc: op.write_args(enc, args),
    )
    return bytes(encode_message(msg, 2))


def command_request(
    name: str, argin: Any, request_id: int, key: str = DEVICES[0], ident: Any = IDENT
) -> bytes:
    in_type = CmdArgType.DevDouble if isinstance(argin, float) else CmdArgType.DevString
    args = [name, argin_to_any(argin, in_type), DevSource.DEV, ident]
    return request("command_inout_4", args, request_id, key)


_unread: dict[socket.socket, bytes] = {}


def receive(sock: socket.socket) -> Any:
    """The next GIOP message from ``sock`` (None at EOF)."""
    buf = _unread.pop(sock, b"")
    while True:
        if len(buf) >= HEADER_SIZE:
            size = parse_header(buf[:HEADER_SIZE]).size
            if len(buf) >= HEADER_SIZE + size:
                _unread[sock] = buf[HEADER_SIZE + size :]
                return decode_message(buf[: HEADER_SIZE + size])
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk


def connect(server: DeviceServer) -> socket.socket:
    return socket.create_connection((HOST, server.port), timeout=10)


def ping(sock: socket.socket, request_id: int = 5, key: str = DEVICES[0]) -> None:
    sock.sendall(request("ping", [], request_id, key))
    reply = receive(sock)
    assert isinstance(reply, Reply) and reply.request_id == request_id, reply
    assert reply.status is ReplyStatus.NO_EXCEPTION


def connection_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("puretango-conn-")]


def served(server: DeviceServer, sock: socket.socket) -> Any:
    """The threaded transport's connection serving the client socket ``sock`` (or None)."""
    assert server._threads is not None
    me = sock.getsockname()
    for conn in list(server._threads.connections):
        try:
            if conn.sock.getpeername() == me:
                return conn
        except OSError:
            continue
    return None


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --------------------------------------------------------------------------------- tests


def test_a_request_runs_on_its_connection_thread(server: DeviceServer) -> None:
    proxy = DeviceProxy(trl(server))
    served_by = proxy.read_attribute("served_by").value
    assert served_by.startswith("puretango-conn-"), served_by
    assert proxy.command_inout("Echo", "abc") == "abc"
    proxy.write_attribute("value", 2.5)
    assert proxy.read_attribute("value").value == 2.5
    assert proxy.state() is not None
    proxy.ping()
    assert server.serves_with_threads()


def test_pytango_client_values_and_errors(server: DeviceServer) -> None:
    code = f"""
import json, tango
d = tango.DeviceProxy({trl(server)!r})
out = {{"served_by": d.read_attribute("served_by").value, "echo": d.command_inout("Echo", "x")}}
d.write_attribute("value", 4.0)
out["value"] = d.read_attribute("value").value
out["state"] = str(d.state())
try:
    d.command_inout("Fail")
except tango.DevFailed as exc:
    out["fail"] = exc.args[0].desc
try:
    d.command_inout("NoSuchCommand")
except tango.DevFailed as exc:
    out["nocmd"] = exc.args[0].reason
try:
    tango.DeviceProxy({trl(server, "test/threaded/404")!r}).ping()
except tango.DevFailed as exc:
    out["nodev"] = "OBJECT_NOT_EXIST" in str(exc) or "TRANSIENT" in str(exc) or str(exc)
print(json.dumps(out))
"""
    out = json.loads(run_pytango_client(code, timeout=60).strip().splitlines()[-1])
    assert out["served_by"].startswith("puretango-conn-")
    assert out["echo"] == "x" and out["value"] == 4.0 and out["state"] == "ON"
    assert "ValueError: refused" in out["fail"]
    assert out["nocmd"] == "API_CommandNotFound"
    assert out["nodev"] is True


def test_unknown_device_and_operation_are_system_exceptions(server: DeviceServer) -> None:
    with connect(server) as sock:
        sock.sendall(request("ping", [], 3, key="test/threaded/404"))
        reply = receive(sock)
        assert reply.request_id == 3 and reply.status is ReplyStatus.SYSTEM_EXCEPTION
        sock.sendall(request("ping", [], 4).replace(b"ping", b"pong"))
        reply = receive(sock)
        assert reply.request_id == 4 and reply.status is ReplyStatus.SYSTEM_EXCEPTION
        ping(sock)


def test_a_device_calls_its_own_server_back(server: DeviceServer) -> None:
    proxy = DeviceProxy(trl(server))
    served_by = proxy.command_inout("ReadThrough", trl(server, DEVICES[1]))
    assert served_by.startswith("puretango-conn-")
    # two levels: 1 -> 2 -> 3, the inner calls sharing this process's client connection
    nested = proxy.command_inout("ChainThrough", [trl(server, DEVICES[1]), trl(server, DEVICES[2])])
    assert nested.startswith("puretango-conn-")
    # the same from a PyTango client (the outer request then holds the device's lock)
    code = f"""
import tango
d = tango.DeviceProxy({trl(server)!r})
print(d.command_inout("ChainThrough", [{trl(server, DEVICES[1])!r}, {trl(server)!r}]))
"""
    assert run_pytango_client(code, timeout=60).split()[-1].startswith("puretango-conn-")


def test_fifty_concurrent_connections(server: DeviceServer) -> None:
    socks = [connect(server) for _ in range(50)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(command_request("Echo", f"n{i}", 100 + i))
        for i, sock in enumerate(socks):
            reply = receive(sock)
            assert isinstance(reply, Reply) and reply.request_id == 100 + i
            assert reply.status is ReplyStatus.NO_EXCEPTION
        assert len(connection_threads()) >= 50
    finally:
        for sock in socks:
            sock.close()
    wait_until(lambda: len(connection_threads()) < 50)


def test_overlapping_requests_on_one_connection(server: DeviceServer) -> None:
    """A slow request does not hold up the next ones of its connection for good; every
    reply carries its own request id."""
    with connect(server) as sock:
        sock.sendall(command_request("Sleep", 1.0, 1) + request("ping", [], 2))
        first = receive(sock)
        assert first.request_id == 2  # a helper thread served the ping meanwhile
        second = receive(sock)
        assert second.request_id == 1 and second.status is ReplyStatus.NO_EXCEPTION
        # in order when nothing is slow
        sock.sendall(b"".join(request("ping", [], i) for i in range(10, 20)))
        assert [receive(sock).request_id for _ in range(10)] == list(range(10, 20))


def test_locate_cancel_and_garbage(server: DeviceServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            bytes(encode_message(LocateRequest(request_id=9, object_key=b"test/threaded/1")))
        )
        reply = receive(sock)
        assert isinstance(reply, LocateReply) and reply.status is LocateStatus.OBJECT_HERE
        sock.sendall(bytes(encode_message(CancelRequest(request_id=9))))
        ping(sock)
        sock.sendall(b"GIOX" + b"\x01\x02\x01\x00" + b"\x00" * 40)
        assert isinstance(receive(sock), MessageError)
        assert receive(sock) is None  # then closed
    with connect(server) as sock:
        ping(sock)  # the server still serves


def test_a_client_closing_ends_its_thread(server: DeviceServer) -> None:
    assert server._threads is not None
    with connect(server) as sock:
        ping(sock)
        conn = served(server, sock)
        assert conn is not None and conn.threads == 1
        sock.sendall(bytes(encode_message(CloseConnection())))
        assert receive(sock) is None
    wait_until(lambda: conn.threads == 0 and conn not in server._threads.connections)


def test_marshalling_error_reply(server: DeviceServer) -> None:
    proxy = DeviceProxy(trl(server))
    with pytest.raises(DevFailed) as info:
        proxy.command_inout("Euro")
    assert info.value.args[0].reason == "API_MarshallingError"
    assert proxy.command_inout("Echo", "after") == "after"


def test_thread_bound_idle_close_and_stop() -> None:
    srv = DeviceServer("ThreadedDev", "b", [(ThreadedDev, "test/threaded/9", None)], host=HOST)
    srv.max_connection_threads = 2
    srv.idle_timeout = 0.3
    thread = _start(srv)
    socks: list[socket.socket] = []
    try:
        assert srv._threads is not None
        for _ in range(4):
            socks.append(connect(srv))
            ping(socks[-1], key="test/threaded/9")
        assert len(srv._threads.threads) == 2  # the other two are served on the loop
        for sock in socks:  # all four are closed when idle, the GIOP way
            assert isinstance(receive(sock), CloseConnection)
            assert receive(sock) is None
        wait_until(lambda: not srv._threads.threads)
        socks = [connect(srv) for _ in range(2)]
        for sock in socks:
            ping(sock, key="test/threaded/9")
        threads = list(srv._threads.threads)
        assert len(threads) == 2
    finally:
        _stop(srv, thread)
        for sock in socks:
            sock.close()
    assert not any(t.is_alive() for t in threads)  # the stop joined them


def test_an_asyncio_server_is_served_on_its_loop() -> None:
    srv = DeviceServer("AsyncDev", "a", [(AsyncDev, "test/threaded/a", None)], host=HOST)
    thread = _start(srv)
    try:
        assert not srv.serves_with_threads()
        proxy = DeviceProxy(f"tango://{HOST}:{srv.port}/test/threaded/a#dbase=no")
        assert proxy.read_attribute("served_by").value == thread.name
    finally:
        _stop(srv, thread)


def test_send_segments_sends_every_byte_in_order() -> None:
    """Partial sends (a small socket buffer) and many segments: the peer gets them all."""
    import numpy as np

    from puretango.server._threaded import send_segments

    array = np.arange(300_000, dtype=np.float64)
    segments: list[Any] = [b"head", array, bytearray(b"x" * 1000), memoryview(b"tail")]
    segments += [b"%d" % i for i in range(1500)]  # more than one sendmsg takes at once
    expected = b"".join(bytes(memoryview(s).cast("B")) for s in segments)
    left, right = socket.socketpair()
    left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
    received = bytearray()

    def drain() -> None:
        while len(received) < len(expected):
            chunk = right.recv(65536)
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        send_segments(left, segments)
        reader.join(30)
    finally:
        left.close()
        right.close()
    assert bytes(received) == expected


def test_admin_device_and_socket_options(server: DeviceServer) -> None:
    """The admin device (an asyncio one) is reached through a connection thread too (its
    operations run on the loop); accepted sockets have TCP_NODELAY."""
    admin = DeviceProxy(f"tango://{HOST}:{server.port}/{server.admin_name}#dbase=no")
    assert sorted(admin.command_inout("QueryDevice")) == sorted(
        f"ThreadedDev::{name}" for name in DEVICES
    )
    with connect(server) as sock:
        ping(sock)
        conn = served(server, sock)
        assert conn is not None
        assert conn.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


_FD_LIMITED_SERVER = """
import resource, sys, time
sys.path.insert(0, {tests!r})
from server.test_threaded_transport import ThreadedDev
from puretango.server import DeviceServer
from puretango.server._server import server_in_thread
srv = DeviceServer("ThreadedDev", "fd", [(ThreadedDev, "test/threaded/1", None)], host={host!r})
server_in_thread(srv)
import os
used = len(os.listdir("/proc/self/fd"))
resource.setrlimit(resource.RLIMIT_NOFILE, (used + 4, used + 4))
print(srv.port, flush=True)
sys.stdin.readline()
"""


def test_out_of_file_descriptors_then_accepting_again() -> None:
    """Accepting fails while the process has no file descriptor left; once connections
    close, new ones are accepted again (the listener is watched again a second later)."""
    import subprocess
    import sys
    from pathlib import Path

    from peers.launch import peer_env

    tests = str(Path(__file__).resolve().parents[1])
    code = _FD_LIMITED_SERVER.format(tests=tests, host=HOST)
    env = {**peer_env(), "PYTHONPATH": tests}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        socks = [socket.create_connection((HOST, port), timeout=1) for _ in range(8)]
        served = []
        for sock in socks:
            try:
                ping(sock)
                served.append(sock)
            except (TimeoutError, OSError, AssertionError):
                break
        assert 0 < len(served) < 8  # the limit was reached
        for sock in socks:
            sock.close()
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=2) as sock:
                    ping(sock)
                break
            except (TimeoutError, OSError, AssertionError):
                assert time.monotonic() < deadline, "no connection served again"
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=10)
    # one warning per attempt, about one attempt a second (not a busy loop)
    assert 0 < err.count(b"cannot accept a connection") < 30


def test_waiting_requests_of_a_stalled_connection_run_side_by_side(
    server: DeviceServer,
) -> None:
    """Slow requests pipelined on one connection (as this process's client, sharing one
    connection, sends them: no device lock) are served side by side, all at once."""
    import os

    here = UnionValue(LockerLanguage.CPP, os.getpid())
    count = 15
    with connect(server) as sock:
        sock.sendall(
            b"".join(command_request("SleepTogether", 0.4, i, ident=here) for i in range(count))
        )
        replies = [receive(sock) for _ in range(count)]
    assert sorted(r.request_id for r in replies) == list(range(count))
    assert all(r.status is ReplyStatus.NO_EXCEPTION for r in replies)
    assert max(read_any(r.body.decoder()).value for r in replies) == count


def test_send_segments_never_waits_on_the_array() -> None:
    """A client that does not read yet: what the socket does not take at once is copied
    before ``send_segments`` waits, so the device changing its array in place afterwards
    does not change the value on its way (PyTango copies a value at the read)."""
    import numpy as np

    from puretango.server._threaded import send_segments

    array = np.arange(1_000_000, dtype=np.float64)  # 8 MB: far more than the socket buffer
    original = array.tobytes()
    left, right = socket.socketpair()
    left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sender = threading.Thread(target=send_segments, args=(left, [b"head", array, b"tail"]))
    sender.start()
    try:
        time.sleep(1.0)  # the sender has filled the socket and waits for the reader
        array[:] = -1.0  # the device's next acquisition, in place
        received = bytearray()
        while len(received) < len(original) + 8:
            chunk = right.recv(1 << 20)
            if not chunk:
                break
            received.extend(chunk)
        sender.join(30)
    finally:
        left.close()
        right.close()
    assert bytes(received) == b"head" + original + b"tail"
