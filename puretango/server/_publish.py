"""The address a device server publishes in its IORs (what the Database hands to clients),
chosen as omniORB chooses it.

Rule: an explicit ``-ORBendPointPublish giop:tcp:HOST:PORT`` wins; else the host of
``-ORBendPoint giop:tcp:HOST:PORT`` as given; else, for a server bound to all interfaces
(``0.0.0.0``, ``::`` or no host), the first non-loopback IPv4 address of the machine
(interface order), then an address the host's name resolves to, then ``127.0.0.1`` on a
machine with loopback only.

A server bound to all interfaces by ``::`` or no host listens on one socket for IPv4 and
IPv6 alike (:func:`dual_stack_socket`), as omniORB does, so that the IPv4 address it
publishes reaches it (asyncio alone would bind ``::`` to IPv6 only, and no host to two
sockets with two different ports).
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

__all__ = [
    "ANY_HOSTS",
    "dual_stack_socket",
    "first_non_loopback_address",
    "parse_endpoint",
    "publish_host",
]

#: bind addresses meaning "all interfaces"
ANY_HOSTS = frozenset(("", "0.0.0.0", "::", "[::]"))

#: bind addresses meaning "all interfaces, IPv6 included"
_ANY_V6_HOSTS = frozenset(("", "::", "[::]"))

_SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


def parse_endpoint(text: str, option: str = "-ORBendPoint") -> tuple[str, int]:
    """``giop:tcp:HOST:PORT`` -> (host, port); an empty host or port is "" / 0;
    ``[v6]`` hosts lose their brackets."""
    scheme, sep, rest = text.partition("giop:tcp:")
    if scheme or not sep:
        raise ValueError(f"bad {option} {text!r}: expected giop:tcp:<host>:<port>")
    host, colon, port = rest.rpartition(":")
    if not colon:
        host, port = rest, ""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return host, int(port or 0)
    except ValueError:
        raise ValueError(f"bad {option} {text!r}: the port is not a number") from None


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return True


def _interface_addresses() -> list[str]:
    """IPv4 addresses of the network interfaces, in interface order (Linux; else [])."""
    addresses = []
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in interfaces:
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
            except OSError:  # no IPv4 address on this interface
                continue
            addresses.append(socket.inet_ntoa(reply[20:24]))
    return addresses


def _host_name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def first_non_loopback_address() -> str | None:
    """The machine's first non-loopback IPv4 address, or None if it has none."""
    for address in _interface_addresses() + _host_name_addresses():
        if not _is_loopback(address):
            return address
    return None


def publish_host(bind_host: str, published: str | None = None) -> str:
    """The host a server bound to ``bind_host`` puts in its IORs (``published``: the
    host of ``-ORBendPointPublish``, if given)."""
    if published and published not in ANY_HOSTS:
        return published
    if bind_host not in ANY_HOSTS:
        return bind_host
    return first_non_loopback_address() or "127.0.0.1"


def dual_stack_socket(bind_host: str, port: int) -> socket.socket | None:
    """A listening socket on all interfaces, IPv4 and IPv6, for a server bound to ``::``
    or no host (no host without IPv6: IPv4 only); None for any other ``bind_host``."""
    if bind_host not in _ANY_V6_HOSTS:
        return None
    if socket.has_dualstack_ipv6():
        return socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
    if not bind_host:
        return socket.create_server(("0.0.0.0", port))
    return None
