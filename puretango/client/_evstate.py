"""The bookkeeping of the client's event consumer, written once for every green mode,
without I/O (no socket, thread, loop or clock: the driver passes ``now``).

:class:`ConsumerState` owns:

* the subscriptions (id -> :class:`Subscription`), each bound after a successful
  ``ZmqEventSubscriptionChange`` to its topic and to its server's *channel* (heartbeat
  topic, endpoints, last heartbeat, last confirmation);
* which endpoints the SUB socket must be connected to and which topics subscribed to
  (reference counts): it queues socket commands (``connect``, ``subscribe``,
  ``unsubscribe``) that the driver applies (:meth:`ConsumerState.take_commands`), so a
  topic shared by two proxies stays subscribed until both unsubscribe. An endpoint, once
  connected, stays connected for the consumer's life (libzmq reconnects by itself when a
  server comes back on the same port): libzmq 4.3.5 aborts (``!_more``, ``fq.cpp:80``) when
  a SUB socket disconnects an endpoint while a message from it is arriving;
* the per-topic counters (protocol.md §6.4): a repeated counter is a duplicate, dropped;
  a gap delivers an ``API_MissedEvents`` error event before the event;
* the keep-alive decisions (:meth:`ConsumerState.tick`): channels to re-confirm, channels
  whose heartbeat stopped (an ``API_EventTimeout`` error event, then re-subscription),
  subscriptions to (re)try.

The driver (``_events.py``) owns the SUB socket, the dispatch of events to callbacks and
running the GIOP operations of :mod:`._evops`.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..events import (
    HEARTBEAT,
    EventMessage,
    decode_payload,
    payload_type,
    plain_event_name,
    read_call_info,
    read_numeric_scalar,
)
from ..giop import MarshalError
from ..idl import types as t
from ..idl._enums import EventReason, EventType, ExtractAs
from ..idl._values import TimeVal
from ._eventdata import (
    error_event,
    event_from_payload,
    missed_errors,
    scalar_event,
    timeout_errors,
)

__all__ = ["Timings", "Subscription", "Channel", "Due", "ConsumerState", "Command"]

#: a socket command for the driver: (``connect``|``subscribe``|``unsubscribe``, its argument)
Command = tuple[str, str]


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Timings:
    """The client's event timings in seconds, from the environment (read at each tick):

    - ``PURETANGO_EVENT_HEARTBEAT_TIMEOUT`` (10): a channel without heartbeat for longer is
      lost (cppTango's ``EVENT_HEARTBEAT_PERIOD``);
    - ``PURETANGO_EVENT_CONFIRM_PERIOD`` (200): ``EventConfirmSubscription`` period;
    - ``PURETANGO_EVENT_RETRY_PERIOD`` (10): re-subscription attempts of a lost channel and
      of a stateless subscription not yet in place.
    """

    heartbeat_timeout: float = 10.0
    confirm_period: float = 200.0
    retry_period: float = 10.0

    @classmethod
    def from_env(cls) -> Timings:
        return cls(
            _env_seconds("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", 10.0),
            _env_seconds("PURETANGO_EVENT_CONFIRM_PERIOD", 200.0),
            _env_seconds("PURETANGO_EVENT_RETRY_PERIOD", 10.0),
        )

    @property
    def tick(self) -> float:
        """How often the keep-alive should wake."""
        return min(1.0, self.heartbeat_timeout / 4, self.retry_period / 2)


@dataclass(eq=False)
class Subscription:
    """One ``subscribe_event``: who asked, what for, where results go."""

    id: int
    proxy: Any
    attr_name: str
    event_type: EventType
    event: str
    full_name: str
    callback: Callable[[Any], Any] | None
    queue: deque[Any] | None
    extract_as: ExtractAs
    stateless: bool
    #: deliver a synchronous read as the first event (EventSubMode SyncRead, the default)
    read_first: bool = True
    topic: str | None = None
    channel: str | None = None
    active: bool = True
    #: waiting for a (re)subscription: never in place yet, or its channel was lost
    pending: bool = False
    retry_at: float = 0.0
    last_date: TimeVal | None = None

    @property
    def object_name(self) -> str:
        """The object name sent to the server (``dummy`` for interface-change events)."""
        return "dummy" if self.event == "intr_change" else self.attr_name


@dataclass(eq=False)
class Channel:
    """One server's event channel (its admin device), shared by its subscriptions."""

    heartbeat_topic: str
    endpoints: tuple[str, ...]
    admin: Any
    last_heartbeat: float
    last_confirm: float
    alive: bool = True
    subs: set[int] = field(default_factory=set)


@dataclass
class Due:
    """What the keep-alive must do now (from :meth:`ConsumerState.tick`)."""

    #: (admin proxy, EventConfirmSubscription argin)
    confirm: list[tuple[Any, list[str]]] = field(default_factory=list)
    #: subscriptions to subscribe again
    retry: list[Subscription] = field(default_factory=list)
    #: error events to deliver (heartbeat lost)
    events: list[tuple[Subscription, Any]] = field(default_factory=list)


class _Route(NamedTuple):
    """What a received topic says, worked out once per distinct topic."""

    topic: str
    #: the event name without its ``idl5_`` prefix
    event: str
    heartbeat: bool
    #: its payload is an AttributeValue_5 (worth trying :func:`read_numeric_scalar`)
    scalar: bool


#: distinct topics whose :class:`_Route` is kept (then the cache starts again)
_ROUTES_KEPT = 4096


class ConsumerState:
    """The socket-free state of one event consumer (see the module docstring)."""

    def __init__(self) -> None:
        self.subscriptions: dict[int, Subscription] = {}
        self.topics: dict[str, set[int]] = {}
        self.channels: dict[str, Channel] = {}
        #: endpoints connected (never disconnected, see the module docstring)
        self.connected: set[str] = set()
        self.counters: dict[str, int] = {}
        self.commands: list[Command] = []
        #: endpoints whose ZMTP handshake is done (from the socket monitor)
        self.handshaken: set[str] = set()
        #: events a full dispatch queue could not take (callbacks too slow)
        self.dropped = 0
        self._next_id = 0
        self._routes: dict[bytes, _Route] = {}

    # -- subscriptions ---------------------------------------------------------------

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add(self, sub: Subscription) -> None:
        self.subscriptions[sub.id] = sub

    def remove(self, sub_id: int) -> Subscription | None:
        """Forget subscription ``sub_id``; None if unknown (or already removed)."""
        sub = self.subscriptions.pop(sub_id, None)
        if sub is None:
            return None
        sub.active = False
        self._unbind(sub)
        return sub

    def attach(self, sub: Subscription, reply: Any, admin: Any, now: float) -> None:
        """Bind ``sub`` to the server's reply to ``ZmqEventSubscriptionChange``
        (``(lvalue, svalue)``), after its first subscription or a re-subscription."""
        if not sub.active:
            return
        lvalue, svalue = list(reply[0]), list(reply[1])
        if len(svalue) < 2:
            raise MarshalError(f"ZmqEventSubscriptionChange replied {svalue!r}")
        if lvalue and lvalue[0] >= 930 and len(svalue) >= 4:
            topic, channel_name = svalue[-2], svalue[-1]
            endpoints = tuple(svalue[:2])
        else:  # an older server: the topic is ours to build
            topic, channel_name = self._legacy_names(sub, admin)
            endpoints = tuple(svalue[:2])
        suffix = "#dbase=no" if "#dbase=no" in admin._name.fqtrl else ""
        heartbeat = f"{channel_name}{suffix}.heartbeat".lower()
        self._unbind(sub)
        sub.topic, sub.channel, sub.pending = topic, heartbeat, False
        ids = self.topics.setdefault(topic, set())
        if not ids:
            self.commands.append(("subscribe", topic))
        ids.add(sub.id)
        self.counters.pop(topic, None)  # a new server (or the first time): any counter goes
        chan = self.channels.get(heartbeat)
        if chan is None:
            chan = self.channels[heartbeat] = Channel(heartbeat, (), admin, now, now)
            self.commands.append(("subscribe", heartbeat))
        for ep in endpoints:
            if ep not in self.connected:
                self.connected.add(ep)
                self.handshaken.discard(ep)
                self.commands.append(("connect", ep))
        chan.endpoints = endpoints
        chan.admin = admin
        if not chan.alive:
            chan.alive, chan.last_confirm = True, now
        chan.last_heartbeat = now
        chan.subs.add(sub.id)

    def _legacy_names(self, sub: Subscription, admin: Any) -> tuple[str, str]:
        proxy = sub.proxy
        prefix = sub.full_name.split(proxy._dev_name, 1)[0]
        adm = admin._dev_name
        return f"{sub.full_name}.{sub.event}".lower(), f"{prefix}{adm}".lower()

    def _unbind(self, sub: Subscription) -> None:
        topic, heartbeat = sub.topic, sub.channel
        sub.topic = sub.channel = None
        if topic is not None:
            ids = self.topics.get(topic)
            if ids is not None:
                ids.discard(sub.id)
                if not ids:
                    del self.topics[topic]
                    self.counters.pop(topic, None)
                    self.commands.append(("unsubscribe", topic))
        if heartbeat is not None:
            chan = self.channels.get(heartbeat)
            if chan is not None:
                chan.subs.discard(sub.id)
                if not chan.subs:
                    del self.channels[heartbeat]
                    self.commands.append(("unsubscribe", heartbeat))

    def settled(self, sub: Subscription) -> bool:
        """True once the socket commands are applied and ``sub``'s endpoints connected: a
        server push from now on reaches the socket (ZeroMQ's slow-joiner window is over)."""
        if self.commands:
            return False
        chan = self.channels.get(sub.channel) if sub.channel is not None else None
        return chan is None or all(ep in self.handshaken for ep in chan.endpoints)

    def monitor_event(self, event: int, endpoint: str, up: int, down: int) -> None:
        """A socket monitor event: ``up`` (handshake succeeded) or ``down`` (disconnected)."""
        if event == up:
            self.handshaken.add(endpoint)
        elif event == down:
            self.handshaken.discard(endpoint)

    def take_commands(self) -> list[Command]:
        commands, self.commands = self.commands, []
        return commands

    # -- received messages -----------------------------------------------------------------

    def _route(self, topic_frame: Any) -> _Route | None:
        """What a topic says (decoded once per distinct topic); None if it is not text."""
        key = topic_frame if type(topic_frame) is bytes else bytes(topic_frame)
        route = self._routes.get(key)
        if route is None:
            try:
                topic = key.decode()
            except UnicodeDecodeError:
                return None
            wire = topic.rpartition(".")[2].lower()
            try:
                scalar = payload_type(wire) is t.AttributeValue_5
            except KeyError:
                scalar = False
            route = _Route(topic, plain_event_name(wire), wire == HEARTBEAT, scalar)
            if len(self._routes) >= _ROUTES_KEPT:
                self._routes.clear()
            self._routes[key] = route
        return route

    def receive(self, frames: list[bytes], now: float) -> list[tuple[Subscription, Any]]:
        """The events for the subscriptions of one received message (none for a heartbeat,
        a duplicate, or a message nobody waits for)."""
        count = len(frames)
        if count != 4 and count != 3:
            return []  # the dummy message (one frame), or not a Tango event
        route = self._route(frames[0])
        order = frames[1]
        if route is None or len(order) != 1 or order[0] > 1:
            return []
        little = order[0] == 1
        try:
            ctr, is_error = read_call_info(frames[2], little)
        except MarshalError:
            return []
        topic = route.topic
        if route.heartbeat:
            chan = self.channels.get(topic)
            if chan is not None:
                chan.last_heartbeat = now
            return []
        ids = self.topics.get(topic)
        if not ids:
            return []
        last = self.counters.get(topic)
        missed = 0
        if last is not None:
            if ctr == last:
                return []  # the double send of a new client, or a duplicate
            if ctr > last + 1:
                missed = ctr - last - 1
        self.counters[topic] = ctr
        payload = frames[3] if count == 4 else b""
        scalar = read_numeric_scalar(payload, little) if route.scalar and not is_error else None
        value: Any = None
        if scalar is None:
            try:
                value = decode_payload(EventMessage(topic, ctr, is_error, little, bytes(payload)))
            except (MarshalError, KeyError):
                return []
        event = route.event
        out: list[tuple[Subscription, Any]] = []
        for sub_id in ids if len(ids) == 1 else sorted(ids):
            sub = self.subscriptions.get(sub_id)
            if sub is None:
                continue
            if missed:
                errors = missed_errors(topic, missed)
                out.append((sub, error_event(event, sub.full_name, sub.proxy, errors)))
            if is_error:
                out.append((sub, error_event(event, sub.full_name, sub.proxy, value)))
            elif scalar is not None and sub.extract_as is not ExtractAs.Nothing:
                out.append((sub, scalar_event(event, sub.full_name, sub.proxy, scalar)))
            else:
                if value is None:  # a scalar read fast, wanted without its value
                    message = EventMessage(topic, ctr, is_error, little, bytes(payload))
                    value = decode_payload(message)
                built = event_from_payload(
                    event, sub.full_name, sub.proxy, value, extract_as=sub.extract_as
                )
                out.append((sub, built))
        return out

    # -- keep-alive -------------------------------------------------------------------------

    def lost(self, sub: Subscription, now: float, retry_period: float) -> None:
        """``sub`` must be subscribed again (a failed stateless subscription)."""
        sub.pending = True
        sub.retry_at = now + retry_period

    def tick(self, now: float, timings: Timings) -> Due:
        """Decide what the keep-alive does now (see :class:`Due`)."""
        due = Due()
        for chan in list(self.channels.values()):
            if not chan.alive:
                continue
            if now - chan.last_heartbeat > timings.heartbeat_timeout:
                chan.alive = False
                for sub_id in sorted(chan.subs):
                    sub = self.subscriptions.get(sub_id)
                    if sub is None:
                        continue
                    sub.pending, sub.retry_at = True, now
                    errors = timeout_errors(sub.full_name)
                    due.events.append(
                        (sub, error_event(sub.event, sub.full_name, sub.proxy, errors))
                    )
            elif now - chan.last_confirm >= timings.confirm_period:
                chan.last_confirm = now
                argin: list[str] = []
                for sub_id in sorted(chan.subs):
                    sub = self.subscriptions.get(sub_id)
                    if sub is not None and sub.topic is not None:
                        wire = sub.topic.rpartition(".")[2]
                        argin += [sub.proxy._dev_name, sub.object_name.lower(), wire]
                if argin:
                    due.confirm.append((chan.admin, argin))
        for sub in self.subscriptions.values():
            if sub.pending and sub.retry_at <= now:
                sub.retry_at = now + timings.retry_period
                due.retry.append(sub)
        return due

    def subscribe_failed_event(self, sub: Subscription, errors: Any) -> Any:
        """The error event of a failed (stateless) subscription attempt."""
        return error_event(sub.event, sub.full_name, sub.proxy, errors, EventReason.SubFail)
