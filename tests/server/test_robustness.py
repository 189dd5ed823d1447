"""A live puretango server (TypeDev in a subprocess) survives hostile and unlucky clients.

Malformed GIOP over raw sockets (each named case, then ~200 hypothesis-generated
messages), memory under a huge declared message size, concurrent PyTango clients, a
client-side timeout, a server restart on the same port, and ``Kill`` on the admin device.
After every malformed message the server must answer a request on a fresh connection;
after each named case a real PyTango client (subprocess) must get correct values.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peers import typedev_values as tv
from peers.launch import (
    HOST,
    READY_MARKER,
    PyTangoServer,
    free_port,
    peer_env,
    pure_typedev_server,
    run_pytango_client,
)

from puretango.giop import (
    CODE_SETS_CONTEXT,
    HEADER_SIZE,
    TC_STRING,
    TC_VOID,
    CancelRequest,
    CloseConnection,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MessageError,
    Reply,
    ReplyStatus,
    Request,
    SystemException,
    decode_message,
    encode_message,
    parse_header,
)
from puretango.giop import Any as CorbaAny
from puretango.idl import OPERATIONS, UnionValue
from puretango.idl._enums import DevSource, LockerLanguage

DEVICE = "test/robust/1"
KEY = DEVICE.encode()
PEERS = str(Path(__file__).resolve().parents[1] / "peers")
IDENT = UnionValue(LockerLanguage.CPP, 4242)
MB = 1024 * 1024


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Iterator[PyTangoServer]:
    """The puretango TypeDev server shared by this module (restarted by one test)."""
    srv = pure_typedev_server([DEVICE], instance="robust")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


# ----------------------------------------------------------------------------- helpers


def request(
    operation: str,
    args: list[Any],
    key: bytes = KEY,
    request_id: int = 1,
    response_expected: bool = True,
    minor: int = 2,
) -> bytes:
    """A well-formed GIOP Request for ``operation`` with its IDL arguments."""
    op = OPERATIONS[operation]
    msg = Request(
        request_id=request_id,
        object_key=key,
        operation=operation,
        response_expected=response_expected,
        service_contexts=(CODE_SETS_CONTEXT,),
        body=lambda enc: op.write_args(enc, args),
    )
    return bytes(encode_message(msg, minor))


def raw_request(operation: str, body: Callable[[Any], Any], key: bytes = KEY) -> bytes:
    """A Request whose body is written by ``body(encoder)`` (any bytes, valid or not)."""
    return bytes(
        encode_message(Request(request_id=7, object_key=key, operation=operation, body=body))
    )


class Timeout(Exception):
    """The server neither answered nor closed the connection in time."""


def exchange(port: int, data: bytes, timeout: float = 3.0, half_close: bool = False) -> bytes:
    """Send ``data`` on a fresh connection; return the first GIOP message received, or
    b"" if the server closed the connection without answering. Raises Timeout."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        buf = b""
        try:
            while True:
                if len(buf) >= HEADER_SIZE:
                    size = parse_header(buf[:HEADER_SIZE]).size
                    if len(buf) >= HEADER_SIZE + size:
                        return buf[: HEADER_SIZE + size]
                chunk = sock.recv(65536)
                if not chunk:
                    return buf
                buf += chunk
        except TimeoutError:
            raise Timeout(f"no answer and no close after {timeout} s (got {buf!r})") from None
        except ConnectionResetError:
            return buf


def reply_of(raw: bytes) -> Any:
    """Decode the server's answer: a Reply, MessageError, LocateReply..."""
    assert raw, "the server closed the connection without answering"
    return decode_message(raw)


def system_exception(raw: bytes) -> SystemException:
    reply = reply_of(raw)
    assert isinstance(reply, Reply), reply
    assert reply.status is ReplyStatus.SYSTEM_EXCEPTION, reply
    return SystemException.decode_from(reply.body.decoder())


def assert_ping(port: int) -> None:
    """The server answers ``ping`` on a fresh connection."""
    reply = reply_of(exchange(port, request("ping", [], request_id=99)))
    assert isinstance(reply, Reply) and reply.request_id == 99, reply
    assert reply.status is ReplyStatus.NO_EXCEPTION, reply


_PYTANGO_CHECK = """
import json, sys
sys.path.insert(0, {peers!r})
import tango, typedev_values as tv
dev = tango.DeviceProxy({trl!r})
da = dev.read_attribute("double_spectrum_ro")
ok = tv.same_value(da.value, tv.ATTRS["double_spectrum"].read)
ok = ok and dev.command_inout("EchoString", "still here") == "still here"
print(json.dumps({{"ok": bool(ok), "pid": dev.command_inout("GetPid")}}))
"""


def assert_pytango_served(server: PyTangoServer) -> None:
    """A real PyTango client (new process, so a new connection) gets correct values."""
    code = _PYTANGO_CHECK.format(peers=PEERS, trl=server.trl(DEVICE))
    out = json.loads(run_pytango_client(code, timeout=30).strip().splitlines()[-1])
    assert out == {"ok": True, "pid": server.pid}, out


def rss_bytes(pid: int) -> int:
    """Resident set size of process ``pid`` (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def header(msg_type: int, size: int, minor: int = 2, flags: int = 1) -> bytes:
    """A GIOP header: magic, version 1.minor, flags, type, body size (little-endian)."""
    return b"GIOP" + bytes([1, minor, flags, msg_type]) + struct.pack("<I", size)


# ----------------------------------------------------------- named malformed messages


def _ping() -> bytes:
    return request("ping", [])


def _bad_magic() -> bytes:
    return b"GIOX" + _ping()[4:]


def _bad_version() -> bytes:
    data = bytearray(_ping())
    data[4:6] = b"\x09\x09"
    return bytes(data)


def _unknown_msg_type() -> bytes:
    return header(42, 4) + b"\0\0\0\0"


def _huge_size() -> bytes:
    return header(0, 0xFFFFFFF0) + b"x" * 1024


def _inner_truncated() -> bytes:
    # header size consistent with what follows, but the Request header fields are cut
    # (the operation name's length runs past the end of the message)
    body = _ping()[HEADER_SIZE:][:24]
    return header(0, len(body)) + body


def _reply_to_server() -> bytes:
    return bytes(encode_message(Reply(request_id=1)))


def _locate_reply_to_server() -> bytes:
    return bytes(encode_message(LocateReply(request_id=1, status=LocateStatus.OBJECT_HERE)))


def _orphan_fragment() -> bytes:
    return header(7, 8) + struct.pack("<I", 5) + b"\0\0\0\0"


def _garbage() -> bytes:
    return bytes(range(256)) * 2


# these make the server drop the connection, after a MessageError
CLOSING_CASES: dict[str, Callable[[], bytes]] = {
    "garbage": _garbage,
    "bad_magic": _bad_magic,
    "bad_version": _bad_version,
    "unknown_message_type": _unknown_msg_type,
    "huge_declared_size": _huge_size,
    "request_header_truncated": _inner_truncated,
    "reply_sent_to_server": _reply_to_server,
    "locate_reply_sent_to_server": _locate_reply_to_server,
    "fragment_without_start": _orphan_fragment,
}


@pytest.mark.parametrize("case", list(CLOSING_CASES))
def test_malformed_message_closes_only_that_connection(server: PyTangoServer, case: str) -> None:
    answer = exchange(server.port, CLOSING_CASES[case]())
    if answer:  # a MessageError is the polite way to say goodbye; anything else is wrong
        assert isinstance(reply_of(answer), MessageError), reply_of(answer)
    assert_ping(server.port)
    assert_pytango_served(server)


def test_truncated_request_then_close(server: PyTangoServer) -> None:
    """Half a request, then the client goes away (EOF): nothing is left waiting."""
    data = request("read_attributes_5", [["double_scalar_ro"], DevSource.CACHE_DEV, IDENT])
    for cut in (1, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 5, len(data) - 1):
        assert exchange(server.port, data[:cut], half_close=True) == b""
    with pytest.raises(Timeout):  # half a message: the server waits for the rest...
        exchange(server.port, data[: len(data) // 2], timeout=0.5)
    assert_ping(server.port)  # ...without blocking anybody else
    assert_pytango_served(server)


def _marshal_cases() -> dict[str, bytes]:
    def names_then(*tail: Callable[[Any], Any]) -> Callable[[Any], None]:
        def write(enc: Any) -> None:
            enc.write_ulong(1)
            enc.write_string("double_scalar_ro")
            for part in tail:
                part(enc)

        return write

    return {
        "sequence_length_beyond_message": raw_request(
            "read_attributes_5", lambda enc: enc.write_ulong(0x7FFFFFFF)
        ),
        "enum_out_of_range": raw_request(
            "read_attributes_5", names_then(lambda enc: enc.write_ulong(99))
        ),
        "union_discriminator_unknown": raw_request(
            "read_attributes_5",
            names_then(lambda enc: enc.write_ulong(0), lambda enc: enc.write_ulong(77)),
        ),
        "arguments_missing": raw_request("command_inout_4", lambda enc: None),
        "any_with_bad_typecode": raw_request(
            "command_inout_4",
            lambda enc: (enc.write_string("EchoDouble"), enc.write_ulong(0xDEAD)),
        ),
    }


@pytest.mark.parametrize("case", list(_marshal_cases()))
def test_undecodable_arguments_give_marshal(server: PyTangoServer, case: str) -> None:
    exc = system_exception(exchange(server.port, _marshal_cases()[case]))
    assert exc.name == "MARSHAL", exc
    assert_ping(server.port)


def test_unknown_object_key_gives_object_not_exist(server: PyTangoServer) -> None:
    exc = system_exception(exchange(server.port, request("ping", [], key=b"no/such/device")))
    assert exc.name == "OBJECT_NOT_EXIST", exc
    locate = reply_of(
        exchange(
            server.port, bytes(encode_message(LocateRequest(request_id=3, object_key=b"x/y/z")))
        )
    )
    assert isinstance(locate, LocateReply) and locate.status is LocateStatus.UNKNOWN_OBJECT, locate
    here = reply_of(
        exchange(server.port, bytes(encode_message(LocateRequest(request_id=4, object_key=KEY))))
    )
    assert isinstance(here, LocateReply) and here.status is LocateStatus.OBJECT_HERE, here
    assert_pytango_served(server)


def test_unknown_operation_gives_bad_operation(server: PyTangoServer) -> None:
    exc = system_exception(exchange(server.port, raw_request("frobnicate", lambda enc: None)))
    assert exc.name == "BAD_OPERATION", exc
    assert_pytango_served(server)


def test_oneway_cancel_and_close_connection(server: PyTangoServer) -> None:
    """No reply for a oneway request; CancelRequest and CloseConnection are harmless."""
    stream = (
        request(
            "command_inout_4", ["Reset", _void_any(), DevSource.DEV, IDENT], response_expected=False
        )
        + bytes(encode_message(CancelRequest(request_id=12345)))
        + request("ping", [], request_id=5)
    )
    reply = reply_of(exchange(server.port, stream))
    assert isinstance(reply, Reply) and reply.request_id == 5, reply  # the oneway got none
    assert exchange(server.port, bytes(encode_message(CloseConnection()))) == b""
    assert_ping(server.port)


def _void_any() -> Any:
    return CorbaAny(TC_VOID, None)


def _string_any(text: str) -> Any:
    return CorbaAny(TC_STRING, text)


# ------------------------------------------------------------------------------ memory


def test_huge_declared_sizes_do_not_allocate(server: PyTangoServer) -> None:
    """Over the limit: refused at once. Under the limit (256 MB declared, 2 MB sent): the
    server holds only what arrived. RSS must not grow by more than 50 MB."""
    assert server.pid is not None
    before = rss_bytes(server.pid)
    assert isinstance(reply_of(exchange(server.port, _huge_size())), MessageError)
    for minor in (0, 1, 2):
        assert isinstance(
            reply_of(exchange(server.port, header(0, 0xFFFFFFF0, minor) + b"\0" * 64)), MessageError
        )
    assert rss_bytes(server.pid) - before < 50 * MB
    with socket.create_connection((HOST, server.port), timeout=5) as sock:
        sock.sendall(header(0, 0x0FFFFFF0) + b"\0" * (2 * MB))
        time.sleep(0.3)
        assert_ping(server.port)
        grown = rss_bytes(server.pid) - before
    assert grown < 50 * MB, f"RSS grew by {grown / MB:.1f} MB"
    assert_pytango_served(server)


# ---------------------------------------------------------------------------------- fuzz

_BASES = [
    request("ping", []),
    request(
        "read_attributes_5", [["double_scalar_ro", "string_spectrum_ro"], DevSource.DEV, IDENT]
    ),
    request("command_inout_4", ["EchoString", _string_any("fuzz"), DevSource.DEV, IDENT]),
    request("get_attribute_config_5", [["long_image_rw"]]),
    request("command_query_2", ["EchoDouble"], minor=1),
    request("read_attributes_5", [["double_scalar_ro"], DevSource.DEV, IDENT], minor=0),
]

_mutated = st.tuples(
    st.sampled_from(range(len(_BASES))),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
    st.one_of(st.none(), st.integers(0, 400)),
    st.booleans(),
)


def _mutate(spec: tuple[int, list[tuple[int, int]], int | None, bool]) -> bytes:
    """Flip bytes of a valid request, maybe truncate, maybe fix the header's size field
    (so that the damage reaches the body decoder rather than the framing)."""
    base, flips, cut, fix_size = spec
    data = bytearray(_BASES[base])
    for pos, byte in flips:
        data[pos % len(data)] = byte
    if cut is not None:
        del data[max(cut, 1) :]
    if fix_size and len(data) >= HEADER_SIZE:
        little = data[6] & 1
        struct.pack_into("<I" if little else ">I", data, 8, len(data) - HEADER_SIZE)
    return bytes(data)


_random = st.tuples(st.integers(0, 9), st.binary(max_size=300), st.sampled_from([0, 1, 2]))


def _random_message(spec: tuple[int, bytes, int]) -> bytes:
    """A valid header (any type, even unknown ones) followed by random bytes."""
    msg_type, body, minor = spec
    return header(msg_type, len(body), minor) + body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_mutated)
def test_fuzz_mutated_requests(server: PyTangoServer, spec: Any) -> None:
    _fuzz_once(server.port, _mutate(spec))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_random)
def test_fuzz_random_messages(server: PyTangoServer, spec: Any) -> None:
    _fuzz_once(server.port, _random_message(spec))


def _fuzz_once(port: int, data: bytes) -> None:
    """Whatever arrives, the server answers with well-formed GIOP (or closes), and a
    fresh connection is served."""
    answer = exchange(port, data, half_close=True)
    if answer:
        msg = decode_message(answer)
        assert isinstance(msg, Reply | MessageError | LocateReply), msg
    assert_ping(port)


def test_after_fuzzing_pytango_is_served(server: PyTangoServer) -> None:
    assert_pytango_served(server)
    assert "Traceback" not in server.output, server.output[-3000:]


# --------------------------------------------------------------- real PyTango clients

_CONCURRENT_CLIENT = """
import json, sys
sys.path.insert(0, {peers!r})
import numpy as np, tango, typedev_values as tv
dev = tango.DeviceProxy({trl!r})
bad = 0
for i in range({n}):
    da = dev.read_attribute("long_image_ro")
    bad += not tv.same_value(da.value, tv.ATTRS["long_image"].read)
    arg = {k} * 1_000_000 + i
    bad += dev.command_inout("EchoLong64", arg) != arg
    strings = ["client {k}", str(i)]
    bad += list(dev.command_inout("EchoVarStringArray", strings)) != strings
print(json.dumps({{"bad": bad}}))
"""


def test_concurrent_pytango_clients(server: PyTangoServer) -> None:
    """4 PyTango client processes x 200 iterations of read + 2 commands, all correct."""
    codes = [
        _CONCURRENT_CLIENT.format(peers=PEERS, trl=server.trl(DEVICE), n=200, k=k) for k in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda code: run_pytango_client(code, timeout=60), codes))
    assert [json.loads(o.strip().splitlines()[-1]) for o in outs] == [{"bad": 0}] * 4


_TIMEOUT_CLIENT = """
import json, time, tango
dev = tango.DeviceProxy({trl!r})
dev.set_timeout_millis(200)
t0 = time.monotonic()
try:
    dev.command_inout("Sleep", 1.0)
    reasons = []
except tango.DevFailed as exc:
    reasons = [e.reason for e in exc.args]
elapsed = time.monotonic() - t0
dev.set_timeout_millis(3000)
value = dev.read_attribute("double_scalar_ro").value
echo = dev.command_inout("EchoDouble", 2.5)
print(json.dumps({{"reasons": reasons, "elapsed": elapsed, "value": value, "echo": echo}}))
"""


def test_client_timeout_then_recovery(server: PyTangoServer) -> None:
    out = json.loads(
        run_pytango_client(_TIMEOUT_CLIENT.format(trl=server.trl(DEVICE))).strip().splitlines()[-1]
    )
    assert "API_DeviceTimedOut" in out["reasons"], out
    assert out["elapsed"] < 0.9, out
    assert out["value"] == tv.ATTRS["double_scalar"].read and out["echo"] == 2.5, out


_RESTART_CLIENT = """
import json, sys, time, tango
dev = tango.DeviceProxy({trl!r})
print(json.dumps({{"pid": dev.command_inout("GetPid")}}), flush=True)
sys.stdin.readline()
errors = []
for attempt in range(10):
    try:
        pid = dev.command_inout("GetPid")
        break
    except tango.DevFailed as exc:
        errors.append(exc.args[0].reason)
        time.sleep(0.2)
else:
    pid = None
value = dev.read_attribute("double_scalar_ro").value
print(json.dumps({{"pid": pid, "errors": errors, "value": value}}), flush=True)
"""


def test_server_restart_pytango_client_reconnects(server: PyTangoServer) -> None:
    """Stop the server, start it again on the same port: the same DeviceProxy carries on."""
    client = subprocess.Popen(
        [sys.executable, "-c", _RESTART_CLIENT.format(trl=server.trl(DEVICE))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=peer_env(),
    )  # fmt: skip
    try:
        assert client.stdout is not None and client.stdin is not None
        first = json.loads(client.stdout.readline())
        assert first["pid"] == server.pid
        old_port = server.port
        server.restart()
        assert server.port == old_port and server.pid != first["pid"]
        client.stdin.write("go\n")
        client.stdin.flush()
        out, err = client.communicate(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    second = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"stderr": err}
    assert second.get("pid") == server.pid, second
    assert second["value"] == tv.ATTRS["double_scalar"].read
    # omniORB reconnects transparently: no call fails after a clean restart
    assert second["errors"] == [], second


def test_admin_kill_exits_cleanly() -> None:
    """``Kill`` on dserver/typedev_pure/<instance>: the reply arrives, the process exits 0."""
    srv = pure_typedev_server([DEVICE], instance="kill", port=free_port())
    proc = subprocess.Popen(
        srv.command_line(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env=peer_env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if READY_MARKER in line:
                break
        else:
            pytest.fail("server did not start:\n" + "".join(lines))
        code = (
            "import tango\n"
            f"admin = tango.DeviceProxy('tango://{HOST}:{srv.port}/dserver/typedev_pure/kill#dbase=no')\n"
            "print(admin.command_inout('QueryDevice'))\n"
            "admin.command_inout('Kill')\n"
            "print('killed')\n"
        )
        out = run_pytango_client(code)
        assert f"TypeDev::{DEVICE}" in out and "killed" in out, out
        assert proc.wait(10) == 0
        rest = proc.stdout.read()
        assert "Traceback" not in rest, rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_large_reply_fragmented_for_giop12_client() -> None:
    """A GIOP 1.2 client (ours) gets a >4 MiB value as a first part and Fragments."""
    import numpy as np

    import puretango
    from puretango.server import Device, attribute
    from puretango.test_context import DeviceTestContext

    class Big(Device):
        @attribute(dtype=(np.float64,), max_dim_x=1_000_000)
        def big(self) -> np.ndarray:
            return np.arange(700_000, dtype=np.float64)

    with DeviceTestContext(Big) as proxy:
        assert isinstance(proxy, puretango.DeviceProxy)
        value = proxy.read_attribute("big").value
        assert np.array_equal(value, np.arange(700_000, dtype=np.float64))
