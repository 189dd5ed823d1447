"""The address a server publishes in its IORs: omniORB's choice (explicit publish
endpoint, else the endpoint's host, else the first non-loopback address)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from puretango.giop import IOR
from puretango.server import _publish
from puretango.server._cli import _endpoint, _parse_args, _published
from puretango.server._publish import dual_stack_socket, parse_endpoint, publish_host
from puretango.server._server import DeviceServer, server_in_thread


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("giop:tcp:127.0.0.1:10000", ("127.0.0.1", 10000)),
        ("giop:tcp::10000", ("", 10000)),
        ("giop:tcp:myhost.example.org:", ("myhost.example.org", 0)),
        ("giop:tcp:[::1]:7000", ("::1", 7000)),
        ("giop:tcp:0.0.0.0:0", ("0.0.0.0", 0)),
    ],
)
def test_parse_endpoint(text: str, expected: tuple[str, int]) -> None:
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize("text", ["tcp:1.2.3.4:5", "giop:udp:1.2.3.4:5", "giop:tcp:h:x"])
def test_bad_endpoint(text: str) -> None:
    with pytest.raises(ValueError, match="giop:tcp|port"):
        parse_endpoint(text)


def test_publish_host_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_publish, "_interface_addresses", lambda: ["127.0.0.1", "10.1.2.3"])
    monkeypatch.setattr(_publish, "_host_name_addresses", lambda: ["192.168.5.5"])
    assert publish_host("0.0.0.0") == "10.1.2.3"  # all interfaces: first non-loopback
    assert publish_host("") == "10.1.2.3"
    assert publish_host("192.168.7.7") == "192.168.7.7"  # bound to one host: that one
    assert publish_host("myhost") == "myhost"  # a name is published as given
    assert publish_host("0.0.0.0", "pub.example.org") == "pub.example.org"  # publish wins
    assert publish_host("127.0.0.1", "10.9.9.9") == "10.9.9.9"
    monkeypatch.setattr(_publish, "_interface_addresses", lambda: ["127.0.0.1"])
    assert publish_host("0.0.0.0") == "192.168.5.5"  # then what the host name resolves to
    monkeypatch.setattr(_publish, "_host_name_addresses", lambda: ["127.0.1.1"])
    assert publish_host("0.0.0.0") == "127.0.0.1"  # loopback only


def test_this_machine_has_a_published_address() -> None:
    address = publish_host("0.0.0.0")
    assert address and not address.startswith("0.")


def test_command_line_options() -> None:
    options = _parse_args(["srv", "inst", "-ORBendPoint", "giop:tcp::12345"])
    assert _endpoint(options) == ("0.0.0.0", 12345)
    assert _published(options) == (None, None)
    options = _parse_args(
        [
            "srv",
            "inst",
            "-ORBendPoint",
            "giop:tcp:0.0.0.0:0",
            "-ORBendPointPublish",
            "giop:tcp:gateway.example.org:20000",
        ]
    )
    assert _published(options) == ("gateway.example.org", 20000)
    with pytest.raises(SystemExit):
        _endpoint(_parse_args(["srv", "inst", "-ORBendPoint", "tcp:1:2"]))


def _ior_address(server: DeviceServer) -> tuple[str, int]:
    server.servants[b"a/b/c"] = object()  # type: ignore[assignment]
    profile = IOR.from_string(server.ior("a/b/c")).iiop()
    return profile.host, profile.port


def test_ior_carries_the_published_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_publish, "_interface_addresses", lambda: ["127.0.0.1", "10.1.2.3"])
    server = DeviceServer("srv", "1", [], "0.0.0.0", 4321)
    assert _ior_address(server) == ("10.1.2.3", 4321)
    server = DeviceServer("srv", "1", [], "127.0.0.1", 4321)
    assert _ior_address(server) == ("127.0.0.1", 4321)
    server = DeviceServer(
        "srv", "1", [], "0.0.0.0", 4321, published_host="pub.example", published_port=9
    )
    assert _ior_address(server) == ("pub.example", 9)


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6 here")
@pytest.mark.parametrize("host", ["::", ""])
def test_all_interfaces_by_ipv6_or_no_host_listen_on_ipv4_too(host: str) -> None:
    """The IPv4 address a server bound to ``::`` (or no host) publishes reaches it, on the
    one port it publishes (asyncio alone: IPv6 only, or two sockets on two ports)."""
    server = DeviceServer("srv", "1", [], host, 0)
    thread, _ = server_in_thread(server)
    try:
        assert isinstance(server._server, asyncio.Server) and len(server._server.sockets) == 1
        for address in ("127.0.0.1", "::1"):
            with socket.create_connection((address, server.port), timeout=5):
                pass
    finally:
        server.request_stop()
        thread.join(10)


def test_only_all_interfaces_by_ipv6_or_no_host_get_a_dual_stack_socket() -> None:
    for host in ("0.0.0.0", "127.0.0.1", "localhost"):
        assert dual_stack_socket(host, 0) is None
