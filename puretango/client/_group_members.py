"""The parts of a ``Group`` below the group itself: name matching, the device member, and
the resolution of the names and patterns given to ``Group.add``.

Names follow cppTango's group rules. An element is named by the string it was given (a
device name or TRL, kept as written; a group name); ``name_equals`` compares without case
against that name and against the fully qualified name (the parent's, a dot, the name);
``name_matches`` takes ``*`` as a wildcard: the pieces between the stars must appear in
order (anywhere) in either name. A pattern given to ``add`` is asked of the Database
(``DbGetDeviceExportedList``) when it holds a ``*``: of ``TANGO_HOST``'s, or of the one
its ``tango://host:port/`` names; a name without ``*`` is taken as it is.

A device member holds its ``DeviceProxy`` from the moment it joins (the connection is made
then if the device answers, and retried on the next call otherwise).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .._errors import DevFailed, WrongNameSyntax, make_error
from ._engine import Op
from ._green import run_blocking
from ._names import with_test_context_host
from ._proxy import DeviceProxy
from ._tangohost import parse_tango_host

if TYPE_CHECKING:
    from ._group import Group

__all__ = ["DeviceMember", "name_matches", "names_of_pattern", "qualified"]

T = TypeVar("T")


def _tokens(pattern: str) -> list[str]:
    return [piece for piece in pattern.lower().split("*") if piece]


def _matches(name: str, tokens: list[str]) -> bool:
    text, pos = name.lower(), 0
    for token in tokens:
        pos = text.find(token, pos)
        if pos < 0:
            return False
    return True


def name_matches(pattern: str, name: str, full_name: str) -> bool:
    """cppTango's wildcard match of ``pattern`` against an element's two names."""
    tokens = _tokens(pattern)
    return _matches(name, tokens) or _matches(full_name, tokens)


def qualified(name: str) -> str:
    """``name`` on the host of a running test context, if one is set (as PyTango does for
    short names given to ``Group.add``)."""
    return with_test_context_host(name)


def _wrong(pattern: str) -> WrongNameSyntax:
    return WrongNameSyntax(
        make_error(
            "API_WrongDeviceNameSyntax",
            f"Wrong device name syntax in {pattern}",
            "GroupElementFactory::parse_name()",
        )
    )


def names_of_pattern(pattern: str) -> list[str]:
    """The device names ``add(pattern)`` attaches, in the Database's order."""
    if "*" not in pattern:
        return [pattern]
    from ._database import shared_database
    from ._tangohost import tango_host_addresses

    text, _, fragment = pattern.partition("#")
    if text.lower().startswith("tango://"):
        text = text[len("tango://") :]
    head, sep, rest = text.partition("/")
    if not sep:
        raise _wrong(pattern)
    prefix = ""
    if ":" in head:  # tango://host:port/pattern: that Database, whose names they are
        addresses = parse_tango_host(head)
        prefix, text = f"tango://{head}/", rest
    else:
        addresses = tango_host_addresses()
    db = shared_database(addresses)
    if fragment:  # asked as it is (cppTango): no device name has a fragment
        text = f"{text}#{fragment}"
    names = run_blocking(
        db._op(lambda: db._g_command("DbGetDeviceWideList", text)), db.get_green_mode()
    )
    return [prefix + str(name) for name in names]


class DeviceMember:
    """One device of a group: its name as given, its proxy, whether it is enabled."""

    is_group = False

    def __init__(self, name: str, parent: Group) -> None:
        self.name = name
        self.enabled = True
        self._parent = weakref.ref(parent)
        self._proxy: DeviceProxy | None = None
        self._error: DevFailed | None = None
        try:
            self._proxy = DeviceProxy(name, _connect=False)
        except DevFailed as exc:
            self._error = exc

    # -- names ------------------------------------------------------------------------------

    def set_parent(self, parent: Group) -> None:
        self._parent = weakref.ref(parent)

    def get_fully_qualified_name(self) -> str:
        parent = self._parent()
        return self.name if parent is None else f"{parent.get_fully_qualified_name()}.{self.name}"

    def name_equals(self, name: str) -> bool:
        wanted = name.lower()
        return wanted == self.name.lower() or wanted == self.get_fully_qualified_name().lower()

    def name_matches(self, pattern: str) -> bool:
        return name_matches(pattern, self.name, self.get_fully_qualified_name())

    # -- the proxy --------------------------------------------------------------------------

    def connect_op(self) -> Op[None] | None:
        """The operation connecting the proxy, or None if there is nothing to connect."""
        proxy = self._proxy
        if proxy is None or proxy._initialised:
            return None
        return proxy._g_connect()

    def proxy(self) -> DeviceProxy:
        """The proxy, connected (now, if it was not); ``DevFailed`` if it cannot be."""
        if self._proxy is None:
            self._proxy = DeviceProxy(self.name, _connect=False)
        proxy = self._proxy
        if not proxy._initialised:
            proxy._run_blocking(proxy._g_connect())
        return proxy

    def call_op(self, make: Callable[[DeviceProxy], Op[T]]) -> Op[T]:
        """An operation on the device (connecting first if needed); raises ``DevFailed`` now
        if even the proxy cannot be made."""
        if self._proxy is None:
            try:
                self._proxy = DeviceProxy(self.name, _connect=False)
            except DevFailed as exc:
                self._error = exc
                raise
        return self._run_connected(self._proxy, make)

    @staticmethod
    def _run_connected(proxy: DeviceProxy, make: Callable[[DeviceProxy], Op[T]]) -> Op[T]:
        if not proxy._initialised:
            yield from proxy._g_connect()
        return (yield from proxy._op(lambda: make(proxy)))

    def known_proxy(self) -> DeviceProxy | None:
        return self._proxy

    def set_timeout_millis(self, millis: int) -> None:
        if millis >= 0 and self._proxy is not None:
            self._proxy.set_timeout_millis(millis)

    def __repr__(self) -> str:
        return f"DeviceMember({self.name!r})"
