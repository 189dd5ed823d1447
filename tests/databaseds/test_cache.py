"""The read-reply cache of the Database device never serves a stale answer: writes and
reads interleaved on two client connections (one after the other, and concurrently), and
the wire form of the cached replies is exactly what encoding the ``any`` in place gives."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from puretango._pyvalues import any_to_python, argin_to_any
from puretango.databaseds import EmbeddedDatabase
from puretango.databaseds._replies import long_strings_reply, string_reply, strings_reply
from puretango.giop import (
    NEED_DATA,
    Body,
    CdrEncoder,
    GiopConnection,
    Reply,
    ReplyStatus,
    Role,
    read_any,
    write_any,
)
from puretango.giop import (
    Any as CorbaAny,
)
from puretango.idl._cmdargs import command_typecode
from puretango.idl._enums import CmdArgType

_SA = CmdArgType.DevVarStringArray
_S = CmdArgType.DevString
_LSA = CmdArgType.DevVarLongStringArray


class RawClient:
    """One GIOP connection of its own to the Database (no connection sharing)."""

    def __init__(self, tango_host: str) -> None:
        host, port = tango_host.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.conn = GiopConnection(Role.CLIENT)

    def call(self, command: str, in_type: CmdArgType, value: Any = None) -> Any:
        arg = argin_to_any(value, in_type)

        def body(enc: Any) -> None:
            enc.write_string(command)
            write_any(enc, arg)

        request_id, data = self.conn.send_request(b"database", "command_inout", body)
        self.sock.sendall(data)
        while True:
            event = self.conn.next_event()
            if event is NEED_DATA:
                chunk = self.sock.recv(65536)
                assert chunk, "the Database closed the connection"
                self.conn.receive_data(chunk)
            elif isinstance(event, Reply) and event.request_id == request_id:
                break
        assert event.status is ReplyStatus.NO_EXCEPTION, (command, event.status)
        assert isinstance(event.body, Body)
        return any_to_python(read_any(event.body.decoder()))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def clients(tmp_path: Path) -> Any:
    with EmbeddedDatabase(tmp_path / "tango.db") as db:
        writer, reader = RawClient(db.tango_host), RawClient(db.tango_host)
        writer.call("DbAddServer", _SA, ["Cache/1", "cache/dev/1", "CacheDev"])
        try:
            yield writer, reader
        finally:
            writer.close()
            reader.close()


def _prop(client: RawClient, device: str = "cache/dev/1") -> list[str]:
    reply = client.call("DbGetDeviceProperty", _SA, [device, "value"])
    return list(reply[4:])


def test_every_read_sees_the_last_write_one_after_the_other(clients: Any) -> None:
    writer, reader = clients
    for i in range(40):
        writer.call("DbPutDeviceProperty", _SA, ["cache/dev/1", "1", "value", "1", str(i)])
        assert _prop(reader) == [str(i)]
        assert _prop(reader) == [str(i)]  # the cached answer, still right
        writer.call("DbExportDevice", _SA, ["cache/dev/1", f"IOR:{i:04x}", "h", str(100 + i), "6"])
        longs, strings = reader.call("DbImportDevice", _S, "cache/dev/1")
        assert (list(longs), strings[1]) == ([1, 100 + i], f"IOR:{i:04x}")
        writer.call("DbUnExportDevice", _S, "cache/dev/1")
        assert list(reader.call("DbImportDevice", _S, "cache/dev/1")[0])[0] == 0
        devices = reader.call("DbGetDeviceList", _SA, ["Cache/1", "CacheDev"])
        new = f"cache/extra/{i}"
        writer.call("DbAddDevice", _SA, ["Cache/1", new, "CacheDev"])
        assert reader.call("DbGetDeviceList", _SA, ["Cache/1", "CacheDev"]) == sorted(
            [*devices, new]
        )
        writer.call("DbDeleteDevice", _S, new)
        assert reader.call("DbGetDeviceList", _SA, ["Cache/1", "CacheDev"]) == devices
    writer.call("DbDeleteDeviceProperty", _SA, ["cache/dev/1", "value"])
    assert _prop(reader) == [" "]  # PyTango's dummy element of a property without value


def test_concurrent_reads_never_go_back_behind_an_answered_write(clients: Any) -> None:
    writer, reader = clients
    answered = [-1]  # the last value whose write has answered
    failures: list[str] = []
    done = threading.Event()

    def write() -> None:
        try:
            for i in range(150):
                writer.call("DbPutDeviceProperty", _SA, ["cache/dev/1", "1", "value", "1", str(i)])
                answered[0] = i
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failures.append(repr(exc))
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    reads = 0
    while not done.is_set() or reads < 10:
        floor = answered[0]
        values = _prop(reader)
        seen = int(values[0]) if values != [" "] else -1
        if seen < floor:
            failures.append(f"read {seen} after the write of {floor} had answered")
            break
        reads += 1
    thread.join(30)
    assert not failures
    assert _prop(reader) == ["149"]


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("offset", range(8))
def test_encoded_replies_are_the_any_encoded_in_place(little: bool, offset: int) -> None:
    cases = [
        (string_reply("sys/database/2"), CorbaAny(command_typecode(_S), "sys/database/2")),
        (strings_reply([]), CorbaAny(command_typecode(_SA), [])),
        (strings_reply(["a", "bc", "déf"]), CorbaAny(command_typecode(_SA), ["a", "bc", "déf"])),
        (
            long_strings_reply([1, -7], ["x", "IOR:00"]),
            argin_to_any([[1, -7], ["x", "IOR:00"]], _LSA),
        ),
    ]
    for reply, expected in cases:
        ours, theirs = CdrEncoder(little, base=offset), CdrEncoder(little, base=offset)
        ours.write_raw(b"\1")  # a reply written after an odd-sized header part
        theirs.write_raw(b"\1")
        reply.write(ours)
        reply.write(ours)  # the second time from the kept bytes
        write_any(theirs, expected)
        write_any(theirs, expected)
        assert ours.getvalue() == theirs.getvalue()


def test_the_reply_cache_keeps_to_its_budget() -> None:
    from puretango.databaseds._replies import ReplyCache

    cache = ReplyCache(budget=100_000)
    big = strings_reply(["x" * 10_000])  # above budget // 16: never kept
    assert cache.get(1, "big") is None
    cache.put(1, "big", big)
    assert cache.get(1, "big") is None
    for i in range(200):
        cache.put(1, i, strings_reply([str(i)]))
        assert cache.get(1, i) is not None
    assert cache._used <= cache.budget
    assert cache.get(2, 199) is None  # a new generation drops everything
    assert cache._used == 0


def test_a_write_by_another_process_is_seen_at_once(tmp_path: Path) -> None:
    """Another writer of the file (``puretango db import``, a second store) commits: the
    next read answers its value, not the cached one (SQLite's ``data_version``)."""
    from puretango.databaseds import SqliteStore

    with EmbeddedDatabase(tmp_path / "tango.db") as db:
        reader = RawClient(db.tango_host)
        try:
            reader.call("DbPutDeviceProperty", _SA, ["ext/dev/1", "1", "value", "1", "ours"])
            assert _prop(reader, "ext/dev/1") == ["ours"]
            assert _prop(reader, "ext/dev/1") == ["ours"]  # now cached
            other = SqliteStore(tmp_path / "tango.db")
            other.put_properties("device", "ext/dev/1", {"value": ["theirs"]})
            other.close()
            assert _prop(reader, "ext/dev/1") == ["theirs"]
        finally:
            reader.close()


def test_text_outside_latin1_reaches_clients_as_question_marks(tmp_path: Path) -> None:
    """A value no Tango string can carry (an emoji written by SQL) is sent with ``?`` in
    its place, as MariaDB converts it for a latin-1 client; the rest of the answer stands."""
    from puretango.databaseds import SqliteStore

    store = SqliteStore(tmp_path / "tango.db")
    store.put_properties("device", "emo/dev/1", {"value": ["a😀b", "plain"]})
    store.close()
    with EmbeddedDatabase(tmp_path / "tango.db") as db:
        reader = RawClient(db.tango_host)
        try:
            assert _prop(reader, "emo/dev/1") == ["a?b", "plain"]
            history = reader.call("DbGetDevicePropertyHist", _SA, ["emo/dev/1", "value"])
            assert history[-2:] == ["a?b", "plain"]
        finally:
            reader.close()
