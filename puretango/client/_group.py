"""``Group``: a named hierarchy of devices and sub-groups driven as one (PyTango's
``tango.Group`` over cppTango's ``Tango::Group``).

Membership (``add`` with names, patterns or a sub-group; ``remove``; ``contains``;
``get_device``; ``get_group``; enable/disable) follows cppTango's rules, described in
:mod:`._group_members`. A group call (``command_inout``, ``read_attribute(s)``,
``write_attribute``) is asynchronous inside, as in cppTango: the ``*_asynch`` form sends
one request to every device of the hierarchy at once (each is an ordinary asynchronous call
of the device's proxy, filed in :data:`._asynch.REQUESTS`) and returns a request id of
the group; the ``*_reply`` form collects the replies in the order of the devices and makes
one reply per device (per attribute for ``read_attributes``), failed or not. The
synchronous forms are the two in a row. ``forward=False`` leaves the sub-groups out.

PyTango has no green-mode forms for ``Group``: every method here is synchronous.
"""

from __future__ import annotations

import concurrent.futures
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import DevFailed, make_error
from ._asynch import REQUESTS, Request
from ._engine import Op
from ._group_calls import ArgumentPlan, plan_command_argument, plan_write_values
from ._group_members import DeviceMember, name_matches, names_of_pattern, qualified
from ._group_reply import (
    GroupAttrReply,
    GroupAttrReplyList,
    GroupCmdReply,
    GroupCmdReplyList,
    GroupReply,
    GroupReplyList,
)
from ._modes import submit
from ._proxy import DeviceProxy

__all__ = ["Group"]


@dataclass(slots=True)
class _Sent:
    """One device's part of a group request: its asynchronous call id, or why none."""

    member: DeviceMember
    obj_names: list[str]
    rid: int | None = None
    error: DevFailed | None = None
    enabled: bool = True


@dataclass(slots=True)
class _GroupRequest:
    kind: str  # "command", "read", "reads" or "write"
    sent: list[_Sent]


def _bad_id(origin: str) -> DevFailed:
    return DevFailed(
        make_error("API_BadAsynPollId", "Invalid asynch. request identifier specified", origin)
    )


def _as_devfailed(exc: BaseException, origin: str) -> DevFailed:
    if isinstance(exc, DevFailed):
        return exc
    return DevFailed(make_error("unknown exception caught", f"{type(exc).__name__}: {exc}", origin))


class Group:
    """A Tango group: devices and sub-groups addressed together."""

    is_group = True

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("Constructor expected receives a str")
        self._name = name
        self._parent: weakref.ref[Group] | None = None
        self._elements: list[DeviceMember | Group] = []
        self.enabled = True
        self._requests: dict[int, _GroupRequest] = {}
        self._last_id = 0
        self._lock = threading.Lock()  # request ids and the table of requests

    # -- names ---------------------------------------------------------------------------------

    def get_name(self) -> str:
        return self._name

    def get_fully_qualified_name(self) -> str:
        parent = self._parent() if self._parent is not None else None
        if parent is None:
            return self._name
        return f"{parent.get_fully_qualified_name()}.{self._name}"

    def set_parent(self, parent: Group) -> None:
        self._parent = weakref.ref(parent)

    def name_equals(self, name: str) -> bool:
        wanted = name.lower()
        return wanted in (self._name.lower(), self.get_fully_qualified_name().lower())

    def name_matches(self, pattern: str) -> bool:
        return name_matches(pattern, self._name, self.get_fully_qualified_name())

    def __repr__(self) -> str:
        return f"Group({self._name})"

    # -- the hierarchy -------------------------------------------------------------------------

    def _find(self, name: str, forward: bool = True) -> DeviceMember | Group | None:
        """cppTango's ``find_i``: this group, one of its elements, or (forwarded) deeper."""
        pattern = "*" in name
        if self.name_matches(name) if pattern else self.name_equals(name):
            return self
        for element in self._elements:
            if element.name_matches(name) if pattern else element.name_equals(name):
                return element
        if forward:
            for element in self._elements:
                found = element._find(name) if isinstance(element, Group) else None
                if found is None and isinstance(element, DeviceMember):
                    found = element if element.name_equals(name) else None
                if found is not None:
                    return found
        return None

    def _members(self, forward: bool = True) -> Iterator[DeviceMember]:
        """The devices of the hierarchy in order (only this group's with ``forward=False``)."""
        for element in self._elements:
            if isinstance(element, DeviceMember):
                yield element
            elif forward:
                yield from element._members(True)

    def get_size(self, forward: bool = True) -> int:
        return sum(1 for _ in self._members(forward))

    def __len__(self) -> int:
        return self.get_size()

    def get_device_list(self, forward: bool = True) -> list[str]:
        return [member.name for member in self._members(forward)]

    def contains(self, pattern: str, forward: bool = True) -> bool:
        return self._find(pattern, forward) is not None

    def __contains__(self, pattern: str) -> bool:
        return self.contains(pattern)

    def add(self, patterns_or_group: Any, timeout_ms: int = -1) -> None:
        """Attach devices (names or ``*`` patterns, one or a sequence) or a sub-group.

        A device already in the hierarchy is not added again; ``timeout_ms`` (if not -1)
        becomes the client timeout of every device named.
        """
        if isinstance(patterns_or_group, Group):
            self._add_group(patterns_or_group, timeout_ms)
            return
        if isinstance(patterns_or_group, str):
            patterns = [patterns_or_group]
        elif isinstance(patterns_or_group, Iterable):
            patterns = list(patterns_or_group)
            if not all(isinstance(p, str) for p in patterns):
                raise TypeError("Group.add: a device name pattern must be a str")
        else:
            raise TypeError(
                "Parameter patterns_or_group: Should be Group, str or a sequence of strings."
            )
        added: list[DeviceMember] = []
        for pattern in patterns:
            for name in names_of_pattern(qualified(pattern)):
                found = self._find(name)
                if found is not None and found is not self:
                    found.set_timeout_millis(timeout_ms)
                    continue
                member = DeviceMember(name, self)
                self._elements.append(member)
                added.append(member)
        self._connect(added)
        for member in added:
            member.set_timeout_millis(timeout_ms)

    @staticmethod
    def _connect(members: list[DeviceMember]) -> None:
        """Connect new members' proxies all at once; a device that does not answer is
        connected on its first call (as cppTango, whose members connect when added)."""
        futures = [submit(op) for op in (m.connect_op() for m in members) if op is not None]
        concurrent.futures.wait(futures)

    def _add_group(self, group: Group, timeout_ms: int) -> None:
        if self._get_group(group._name) is group or group._get_group(self._name) is self:
            group.set_timeout_millis(timeout_ms)
            return
        found = None if group is self else self._find(group._name, False)
        if group is not self and (found is None or found is self):
            self._elements.append(group)
            group.set_parent(self)
        group.set_timeout_millis(timeout_ms)

    def remove(self, patterns: str | Sequence[str], forward: bool = True) -> None:
        """Remove the groups and devices named (or matched by ``*`` patterns)."""
        if isinstance(patterns, str):
            self._remove(patterns, forward)
        elif isinstance(patterns, Sequence):
            for pattern in patterns:
                self._remove(pattern, forward)
        else:
            raise TypeError("Parameter patterns: Should be a str or a sequence of str.")

    def _remove(self, pattern: str, forward: bool) -> None:
        if self.name_equals(pattern):
            return
        if "*" not in pattern:
            for i, element in enumerate(self._elements):
                if element.name_equals(pattern):
                    del self._elements[i]
                    break
        else:
            self._elements = [e for e in self._elements if not e.name_matches(pattern)]
        if forward:
            for element in self._elements:
                if isinstance(element, Group):
                    element._remove(pattern, forward)

    def remove_all(self) -> None:
        self._elements.clear()

    def __delitem__(self, key: Any) -> None:
        for item in _keys(key):
            self.remove(item)

    def _get_group(self, name: str) -> Group | None:
        found = self._find(name, True)
        return found if isinstance(found, Group) else None

    def get_group(self, group_name: str) -> Group | None:
        """The (sub-)group of that (simple or fully qualified) name, or None."""
        return self._get_group(group_name)

    def get_device(self, name_or_index: str | int) -> DeviceProxy:
        """The proxy of a device of the hierarchy, by name or by 1-based position;
        ``KeyError`` if there is none, ``DevFailed`` if it cannot be reached."""
        member: DeviceMember | None = None
        if isinstance(name_or_index, str):
            member = next((m for m in self._members() if m.name_equals(name_or_index)), None)
        elif isinstance(name_or_index, int) and name_or_index >= 1:
            member = next((m for i, m in enumerate(self._members(), 1) if i == name_or_index), None)
        if member is None:
            raise KeyError(f"Group does not have device {name_or_index}")
        return member.proxy()

    def __getitem__(self, key: Any) -> Any:
        items = [self._item(k) for k in _keys(key)]
        return items if isinstance(key, slice) else items[0]

    def _item(self, key: Any) -> Any:
        if isinstance(key, str):
            group = self.get_group(key)
            if group is not None:
                return group
        return self.get_device(key)

    # -- enabling ------------------------------------------------------------------------------

    def enable(self, device_name: str | None = None, forward: bool = True) -> None:
        """Enable this group (no name) or the element named."""
        self._set_enabled(device_name, forward, True)

    def disable(self, device_name: str | None = None, forward: bool = True) -> None:
        """Disable this group (no name) or the element named: a disabled device takes no
        part in the group's calls (its replies say so)."""
        self._set_enabled(device_name, forward, False)

    def _set_enabled(self, name: str | None, forward: bool, enabled: bool) -> None:
        element = self if name is None else self._find(name, forward)
        if element is not None:
            element.enabled = enabled

    def is_enabled(self, device_name: str | None = None, forward: bool = True) -> bool:
        element = self if device_name is None else self._find(device_name, forward)
        return element.enabled if element is not None else False

    # -- device-like calls ---------------------------------------------------------------------

    def ping(self, forward: bool = True) -> bool:
        """True if every device of the hierarchy answers a ping."""
        futures = []
        for member in self._members(forward):
            try:
                futures.append(submit(member.call_op(lambda p: p._g_ping())))
            except DevFailed:
                return False
        return all(f.exception() is None for f in futures)

    def set_timeout_millis(self, timeout_ms: int) -> None:
        """The client timeout of every device of the hierarchy."""
        for element in self._elements:
            try:
                element.set_timeout_millis(timeout_ms)
            except (DevFailed, ValueError):
                pass

    # -- asynchronous requests -----------------------------------------------------------------

    def _file(self, request: _GroupRequest | None) -> int:
        """A new request id (cppTango's: 1 to 4094, then again), the request filed under it."""
        with self._lock:
            self._last_id = rid = self._last_id % 0x0FFE + 1
            if request is not None:
                self._requests[rid] = request
        return rid

    def _send(
        self,
        kind: str,
        obj_names: list[str],
        forward: bool,
        make: Callable[[int, DeviceMember], Callable[[DeviceProxy], Op[Any]]],
        forget: bool = False,
    ) -> int:
        """Start one call per device (``make(index, member)`` builds it) and file them."""
        sent: list[_Sent] = []
        for index, member in enumerate(self._members(forward)):
            entry = _Sent(member, obj_names, enabled=member.enabled)
            sent.append(entry)
            if not member.enabled:
                continue
            try:
                future = submit(member.call_op(make(index, member)))
            except DevFailed as exc:
                entry.error = exc
                continue
            if not forget:
                proxy = member.known_proxy()
                entry.rid = REQUESTS.add_polled(Request(_REQUEST_KIND[kind], proxy, future))
        return self._file(None if forget else _GroupRequest(kind, sent))

    def _take(self, rid: int, origin: str) -> list[_Sent]:
        with self._lock:
            request = self._requests.pop(rid, None)
        if request is None:
            raise _bad_id(origin)
        return request.sent

    def _collect(self, entry: _Sent, kind: str, timeout_ms: int, origin: str) -> Any:
        """The result of one device's call; raises its ``DevFailed``."""
        if entry.error is not None:
            raise entry.error
        assert entry.rid is not None
        try:
            return REQUESTS.reply(entry.rid, _REQUEST_KIND[kind], timeout_ms, origin)
        except DevFailed:
            REQUESTS.forget(entry.rid)
            raise
        except Exception as exc:  # noqa: BLE001 - a failed call is part of the reply
            raise _as_devfailed(exc, origin) from None

    # -- commands ------------------------------------------------------------------------------

    def command_inout_asynch(
        self, cmd_name: str, param: Any = None, forward: bool = True, *, forget: bool = False
    ) -> int:
        """Send the command to every device; ``param`` goes to all of them, or (a
        ``DeviceDataList``) one item to each."""
        plan: ArgumentPlan = plan_command_argument(self, cmd_name, param, forward)

        def make(index: int, member: DeviceMember) -> Callable[[DeviceProxy], Op[Any]]:
            argin = plan.argument(index)
            return lambda proxy: proxy._command_asynch_op(cmd_name, argin)

        return self._send("command", [cmd_name], forward, make, forget)

    def command_inout_reply(self, req_id: int, timeout_ms: int = 0) -> GroupCmdReplyList:
        """The replies of ``command_inout_asynch`` (``timeout_ms`` per device, 0: no limit)."""
        from ._group_reply import CommandResult

        replies = GroupCmdReplyList()
        for entry in self._take(req_id, "Group::command_inout_reply"):
            name, obj = entry.member.name, entry.obj_names[0]
            if not entry.enabled:
                replies.append(GroupCmdReply(name, obj, enabled=False))
                continue
            try:
                value = self._collect(
                    entry, "command", timeout_ms, "Connection::command_inout_reply()"
                )
            except DevFailed as exc:
                replies.append(GroupCmdReply(name, obj, errors=exc.args))
            else:
                # no output (DevVoid) is an empty DeviceData: get_data() raises, as in PyTango
                data = CommandResult(value, value is None)
                replies.append(GroupCmdReply(name, obj, data=data))
        return replies

    def command_inout(
        self, cmd_name: str, param: Any = None, forward: bool = True
    ) -> GroupCmdReplyList:
        """Run the command on every device; one reply per device."""
        return self.command_inout_reply(self.command_inout_asynch(cmd_name, param, forward))

    # -- reading -------------------------------------------------------------------------------

    def read_attribute_asynch(self, attr_name: str, forward: bool = True) -> int:
        return self._send(
            "read",
            [attr_name],
            forward,
            lambda _i, _m: lambda proxy: proxy._g_read_values([attr_name]),
        )

    def read_attributes_asynch(self, attr_names: Sequence[str], forward: bool = True) -> int:
        names = [attr_names] if isinstance(attr_names, str) else list(attr_names)
        return self._send(
            "reads", names, forward, lambda _i, _m: lambda proxy: proxy._g_read_values(names)
        )

    def read_attribute_reply(self, req_id: int, timeout_ms: int = 0) -> GroupAttrReplyList:
        return self._read_reply(req_id, timeout_ms, "read", "Group::read_attribute_reply")

    def read_attributes_reply(self, req_id: int, timeout_ms: int = 0) -> GroupAttrReplyList:
        return self._read_reply(req_id, timeout_ms, "reads", "Group::read_attributes_reply")

    def _read_reply(
        self, req_id: int, timeout_ms: int, kind: str, origin: str
    ) -> GroupAttrReplyList:
        from ._group_calls import attribute_replies

        replies = GroupAttrReplyList()
        for entry in self._take(req_id, origin):
            name = entry.member.name
            if not entry.enabled:
                replies.extend(GroupAttrReply(name, o, enabled=False) for o in entry.obj_names)
                continue
            try:
                values = self._collect(
                    entry, kind, timeout_ms, "DeviceProxy::read_attributes_reply()"
                )
            except DevFailed as exc:
                replies.extend(GroupAttrReply(name, o, errors=exc.args) for o in entry.obj_names)
                continue
            proxy = entry.member.known_proxy()
            device = proxy._dev_name if proxy is not None else name
            replies.extend(attribute_replies(name, device, entry.obj_names, values))
        return replies

    def read_attribute(self, attr_name: str, forward: bool = True) -> GroupAttrReplyList:
        return self.read_attribute_reply(self.read_attribute_asynch(attr_name, forward))

    def read_attributes(
        self, attr_names: Sequence[str], forward: bool = True
    ) -> GroupAttrReplyList:
        return self.read_attributes_reply(self.read_attributes_asynch(attr_names, forward))

    # -- writing -------------------------------------------------------------------------------

    def write_attribute_asynch(
        self, attr_name: Any, value: Any, forward: bool = True, multi: bool = False
    ) -> int:
        """Write the attribute (a name or an ``AttributeInfoEx``) on every device: ``value``
        to all of them, or with ``multi=True`` one item of ``value`` to each."""
        attr, values = plan_write_values(self, attr_name, value, forward, multi)
        name = str(getattr(attr, "name", attr))

        def make(index: int, member: DeviceMember) -> Callable[[DeviceProxy], Op[Any]]:
            item = values(index)
            return lambda proxy: proxy._g_write_attributes([(attr, item)])

        return self._send("write", [name], forward, make)

    def write_attribute_reply(self, req_id: int, timeout_ms: int = 0) -> GroupReplyList:
        replies = GroupReplyList()
        for entry in self._take(req_id, "Group::write_attribute_reply"):
            name, obj = entry.member.name, entry.obj_names[0]
            if not entry.enabled:
                replies.append(GroupReply(name, obj, enabled=False))
                continue
            try:
                if entry.error is not None:
                    raise entry.error
                proxy = entry.member.known_proxy()
                assert proxy is not None and entry.rid is not None
                try:
                    proxy._write_attribute_reply_now(entry.rid, timeout_ms)
                except DevFailed:
                    REQUESTS.forget(entry.rid)
                    raise
                except Exception as exc:  # noqa: BLE001 - a failed call is part of the reply
                    raise _as_devfailed(exc, "DeviceProxy::write_attribute_reply()") from None
            except DevFailed as exc:
                replies.append(GroupReply(name, obj, errors=exc.args))
            else:
                replies.append(GroupReply(name, obj))
        return replies

    def write_attribute(
        self, attr_name: Any, value: Any, forward: bool = True, multi: bool = False
    ) -> GroupReplyList:
        return self.write_attribute_reply(
            self.write_attribute_asynch(attr_name, value, forward, multi)
        )


#: the kind of the device calls behind each kind of group request
_REQUEST_KIND = {"command": "command", "read": "read", "reads": "read", "write": "write"}


def _keys(key: Any) -> list[Any]:
    """The items a ``group[key]`` names: one, or those of a slice."""
    if isinstance(key, slice):
        return list(range(key.start or 0, key.stop, key.step or 1))
    return [key]
