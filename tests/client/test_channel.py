"""The channel bookkeeping shared by the transports (puretango.client._channel), without
sockets: a server GiopConnection answers in memory."""

from __future__ import annotations

import errno
from typing import Any

import pytest

from puretango import CommunicationFailed
from puretango.client._channel import (
    DEFAULT_CONNECT_TIMEOUT,
    ChannelState,
    ConnectionDropped,
    connect_timeout,
    invoke_retrying,
)
from puretango.client._engine import Call
from puretango.giop import (
    CloseConnection,
    GiopConnection,
    Reply,
    Request,
    Role,
)
from puretango.idl import OPERATIONS


class Slot:
    def __init__(self) -> None:
        self.reply: Reply | None = None
        self.error: BaseException | None = None


def _deliver(slot: Slot, reply: Reply) -> None:
    slot.reply = reply


def _fail(slot: Slot, error: BaseException) -> None:
    slot.error = error


def _call(operation: str = "_get_status", *args: Any, cache_key: Any = ()) -> Call:
    return Call("h", 1, b"a/b/c", OPERATIONS[operation], args, 3.0, "a/b/c", cache_key)


def _state() -> ChannelState[Slot]:
    return ChannelState(_deliver, _fail)


def _answer(conn: GiopConnection, server: GiopConnection, data: bytes, *request_ids: int) -> None:
    """The server receives ``data`` and answers ``request_ids`` (a status string each)."""
    server.receive_data(data)
    while isinstance(server.next_event(), Request):
        pass
    for request_id in request_ids:
        reply = Reply(
            request_id=request_id, body=lambda enc, r=request_id: enc.write_string(f"#{r}")
        )
        conn.receive_data(server.send(reply))


def test_replies_reach_their_waiters_in_any_order():
    state = _state()
    conn = state.open()
    server = GiopConnection(Role.SERVER)
    slots = [Slot() for _ in range(3)]
    sent = [state.start(conn, _call(), slot) for slot in slots]
    assert [s[:2] for s in sent] == [(2, True), (4, True), (6, True)]
    assert set(state.waiters) == {2, 4, 6}
    _answer(conn, server, b"".join(s[2] for s in sent), 6, 2, 4)
    state.dispatch(conn)
    assert [slot.reply.request_id for slot in slots if slot.reply] == [2, 4, 6]
    for request_id, _, _ in sent:
        state.forget(conn, request_id)
    assert state.waiters == {} and conn.pending == set()


def test_a_forgotten_request_drops_its_late_reply():
    state = _state()
    conn = state.open()
    server = GiopConnection(Role.SERVER)
    slot = Slot()
    request_id, _, data = state.start(conn, _call(), slot)
    state.forget(conn, request_id)
    _answer(conn, server, data, request_id)
    state.dispatch(conn)
    assert slot.reply is None and state.waiters == {}


def test_drop_fails_every_waiter_and_clears_the_connection():
    state = _state()
    conn = state.open()
    slots = [Slot(), Slot()]
    for slot in slots:
        state.start(conn, _call(), slot)
    assert state.drop(conn, "gone")
    assert state.conn is None and state.waiters == {}
    assert all(isinstance(s.error, ConnectionDropped) and str(s.error) == "gone" for s in slots)
    assert slots[0].error is not slots[1].error  # one exception per waiter (threads)
    assert not state.drop(conn, "again")


def test_an_old_generation_cannot_touch_the_new_one():
    state = _state()
    old = state.open()
    old_slot = Slot()
    old_id, _, _ = state.start(old, _call(), old_slot)
    state.drop(old, "server restarted")
    new = state.open()
    new_slot = Slot()
    new_id, _, _ = state.start(new, _call(), new_slot)
    assert new_id == old_id  # ids start over on a new connection
    state.forget(old, old_id)  # the old caller leaves late
    assert not state.drop(old, "late drop of the old connection")
    assert state.waiters == {new_id: new_slot} and new_slot.error is None
    assert new.pending == {new_id}


def test_opening_replaces_a_current_connection():
    state = _state()
    conn = state.open()
    slot = Slot()
    state.start(conn, _call(), slot)
    assert state.open() is not conn
    assert isinstance(slot.error, ConnectionDropped)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (b"", "connection closed by the server"),
        (b"not GIOP at all", "protocol error"),
        (None, "server sent CloseConnection"),
    ],
)
def test_dispatch_reports_a_dead_connection(event, reason):
    state = _state()
    conn = state.open()
    if event is None:
        conn.receive_data(GiopConnection(Role.SERVER).send(CloseConnection()))
    elif event:
        conn.receive_data(event)
    else:
        conn.buffer_updated(0)
    with pytest.raises(ConnectionDropped, match=reason):
        state.dispatch(conn)


def test_dispatch_stops_when_a_woken_waiter_drops_the_connection():
    server = GiopConnection(Role.SERVER)
    calls = []

    def deliver(slot: Slot, reply: Reply) -> None:
        calls.append(reply.request_id)
        state.drop(state.conn, "dropped by the woken caller")

    state: ChannelState[Slot] = ChannelState(deliver, _fail)
    conn = state.open()
    sent = [state.start(conn, _call(), Slot()) for _ in range(2)]
    _answer(conn, server, b"".join(s[2] for s in sent), 2, 4)
    state.dispatch(conn)
    assert calls == [2]


def test_a_value_that_cannot_be_encoded_is_a_type_error():
    state = _state()
    conn = state.open()
    with pytest.raises(TypeError, match="cannot send black_box"):
        state.start(conn, _call("black_box", 2**40), Slot())
    assert state.waiters == {} and conn.pending == set()


@pytest.mark.parametrize(
    ("env", "call_timeout", "expected"),
    [
        (None, 3.0, DEFAULT_CONNECT_TIMEOUT),
        (None, 0.5, 0.5),
        (None, 0.0, DEFAULT_CONNECT_TIMEOUT),
        ("500", 3.0, 0.5),
        ("5000", 3.0, 3.0),
        ("5000", 0.0, 5.0),
        ("", 3.0, DEFAULT_CONNECT_TIMEOUT),
        ("0", 3.0, DEFAULT_CONNECT_TIMEOUT),
        ("nonsense", 3.0, DEFAULT_CONNECT_TIMEOUT),
    ],
)
def test_connect_timeout(monkeypatch, env, call_timeout, expected):
    if env is None:
        monkeypatch.delenv("TANGOconnectTimeout", raising=False)
    else:
        monkeypatch.setenv("TANGOconnectTimeout", env)
    assert connect_timeout(call_timeout) == pytest.approx(expected)


def test_connect_timeout_is_read_at_each_connection(monkeypatch):
    monkeypatch.setenv("TANGOconnectTimeout", "100")
    assert connect_timeout(3.0) == pytest.approx(0.1)
    monkeypatch.setenv("TANGOconnectTimeout", "200")
    assert connect_timeout(3.0) == pytest.approx(0.2)


def _status_reply(request_id: int = 2, text: str = "fine") -> Reply:
    from puretango.giop import Body, CdrEncoder

    enc = CdrEncoder(True, 0)
    enc.write_string(text)
    return Reply(request_id=request_id, body=Body(bytes(enc.buf), 0, True))


def test_retry_once_after_a_drop():
    outcomes: list[Any] = [ConnectionDropped("idle close"), _status_reply()]
    seen = []

    def roundtrip(call: Call) -> Reply:
        seen.append(call)
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    call = _call()
    assert invoke_retrying(roundtrip, call) == "fine"
    assert seen == [call, call]


def test_a_second_drop_is_a_communication_failure():
    attempts = []

    def roundtrip(call: Call) -> Reply:
        attempts.append(call)
        raise ConnectionDropped(f"drop {len(attempts)}")

    with pytest.raises(CommunicationFailed) as info:
        invoke_retrying(roundtrip, _call())
    assert len(attempts) == 2
    assert "drop 2" in info.value.args[0].desc
    assert info.value.args[-1].reason == "API_CommunicationFailed"


def test_other_errors_are_not_retried():
    attempts = []

    def roundtrip(call: Call) -> Reply:
        attempts.append(call)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        invoke_retrying(roundtrip, _call())
    assert len(attempts) == 1


# -- the gevent transport's reading of connect_ex -------------------------------------------


def test_connect_ex_results_by_errno_name():
    pytest.importorskip("gevent")
    from puretango.client._gevent import connect_pending

    assert connect_pending(0) is False
    for err in (errno.EINPROGRESS, errno.EALREADY, errno.EAGAIN, errno.EWOULDBLOCK):
        assert connect_pending(err) is True
    for err in (errno.ENAMETOOLONG, errno.ECONNREFUSED, errno.EHOSTUNREACH):
        with pytest.raises(OSError) as info:
            connect_pending(err)
        assert info.value.errno == err
