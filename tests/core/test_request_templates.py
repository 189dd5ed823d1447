"""GiopConnection.send_request: the connection owns the wire layout of client requests.

The first request carries the CodeSets context; later ones reuse a cached encoding (the
whole message with a ``template_key``, else the request header) with only the request id
patched. Whatever path is taken, the bytes are those of ``encode_message`` for the same
Request, and the server decodes the same message.
"""

from __future__ import annotations

import pytest

from puretango.giop import (
    CODE_SETS_CONTEXT,
    ConnectionState,
    GiopConnection,
    LocalProtocolError,
    Reply,
    Request,
    Role,
    decode_message,
    encode_message,
)
from puretango.giop._connection import MAX_REQUEST_TEMPLATES

KEY = b"sys/tg_test/1"


def _long(value: int):
    return lambda enc: enc.write_long(value)


def _expected(conn: GiopConnection, request_id: int, operation: str, body, first: bool) -> bytes:
    request = Request(
        request_id=request_id,
        object_key=KEY,
        operation=operation,
        service_contexts=(CODE_SETS_CONTEXT,) if first else (),
        body=body,
    )
    return bytes(encode_message(request, conn.minor, conn.little))


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("template_key", [None, ("x",)])
def test_bytes_equal_a_full_encoding_on_every_path(little, template_key):
    conn = GiopConnection(Role.CLIENT, little=little)
    for n in range(4):  # miss (CodeSets), miss (template stored), hit, hit
        request_id, data = conn.send_request(KEY, "read", _long(7), template_key=template_key)
        assert request_id == 2 + 2 * n
        assert bytes(data) == _expected(conn, request_id, "read", _long(7), first=n == 0)


def test_only_the_first_request_carries_code_sets():
    conn = GiopConnection(Role.CLIENT)
    decoded = [decode_message(conn.send_request(KEY, "ping")[1]) for _ in range(3)]
    assert all(isinstance(m, Request) for m in decoded)
    assert [m.service_contexts for m in decoded] == [(CODE_SETS_CONTEXT,), (), ()]


def test_code_sets_wait_for_a_request_that_could_be_encoded():
    conn = GiopConnection(Role.CLIENT)

    def bad(enc):
        enc.write_long(2**40)

    with pytest.raises(LocalProtocolError):
        conn.send_request(KEY, "write", bad)
    assert conn.pending == set()
    request_id, data = conn.send_request(KEY, "ping")
    message = decode_message(data)
    assert isinstance(message, Request)
    assert message.service_contexts == (CODE_SETS_CONTEXT,)
    assert conn.pending == {request_id}


def test_a_head_template_encodes_each_body():
    conn = GiopConnection(Role.CLIENT)
    conn.send_request(KEY, "first")
    for value in (1, 2, 3):
        request_id, data = conn.send_request(KEY, "write", _long(value))
        assert bytes(data) == _expected(conn, request_id, "write", _long(value), first=False)


def test_oneway_requests_are_not_pending():
    conn = GiopConnection(Role.CLIENT)
    for _ in range(3):
        request_id, data = conn.send_request(KEY, "push", response_expected=False)
        message = decode_message(data)
        assert isinstance(message, Request) and not message.response_expected
    assert conn.pending == set()


def test_replies_match_requests_sent_from_templates():
    client = GiopConnection(Role.CLIENT)
    server = GiopConnection(Role.SERVER)
    ids = []
    for _ in range(3):
        request_id, data = client.send_request(KEY, "state", template_key=())
        server.receive_data(data)
        ids.append(request_id)
    received = [server.next_event() for _ in ids]
    assert [m.request_id for m in received if isinstance(m, Request)] == ids
    for request_id in reversed(ids):
        client.receive_data(server.send(Reply(request_id=request_id)))
        reply = client.next_event()
        assert isinstance(reply, Reply) and reply.request_id == request_id
    assert client.pending == set()


@pytest.mark.parametrize("minor", [0, 1])
def test_older_giop_versions_are_encoded_in_full(minor):
    conn = GiopConnection(Role.CLIENT, minor=minor)
    for n in range(3):
        request_id, data = conn.send_request(KEY, "read", _long(n), template_key=n)
        assert bytes(data) == _expected(conn, request_id, "read", _long(n), first=n == 0)


def test_large_requests_are_fragmented_and_never_reused():
    conn = GiopConnection(Role.CLIENT, fragment_size=64)
    server = GiopConnection(Role.SERVER)
    conn.send_request(KEY, "first")
    body = _long(5)

    def big(enc):
        enc.write_octets(bytes(200))

    for _ in range(2):
        request_id, data = conn.send_request(KEY, "big", big, template_key="big")
        server.receive_data(data)
        message = None
        while not isinstance(message, Request) or message.operation != "big":
            message = server.next_event()
        assert message.request_id == request_id
    assert all(key[1] != "big" for key in conn._request_templates)
    assert conn.send_request(KEY, "small", body, template_key="s")[1]


def test_closed_connection_refuses_requests():
    conn = GiopConnection(Role.CLIENT)
    conn.send_request(KEY, "ping", template_key=())
    conn.send_request(KEY, "ping", template_key=())
    conn.close()
    assert conn.state is ConnectionState.CLOSED
    with pytest.raises(LocalProtocolError):
        conn.send_request(KEY, "ping", template_key=())


def test_a_server_does_not_send_requests():
    with pytest.raises(LocalProtocolError):
        GiopConnection(Role.SERVER).send_request(KEY, "ping")


def test_the_cache_starts_over_when_full():
    conn = GiopConnection(Role.CLIENT)
    conn.send_request(KEY, "first")
    for n in range(MAX_REQUEST_TEMPLATES + 5):
        request_id, data = conn.send_request(KEY, "read", _long(n), template_key=n)
    assert bytes(data) == _expected(conn, request_id, "read", _long(n), first=False)
    assert len(conn._request_templates) <= MAX_REQUEST_TEMPLATES
