"""The event side of ``DeviceProxy``: ``subscribe_event`` (PyTango's overloads),
``unsubscribe_event`` and the pull-model queue methods (``get_events``,
``get_event_number``/``event_queue_size``, ``is_event_queue_empty``,
``get_last_event_date``).

The subscriptions themselves live in the consumer of the mode they were made in
(:mod:`._events`); they keep their proxy alive, so dropping a proxy never ends a
subscription (its own or another proxy's): ``unsubscribe_event`` does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._errors import EventSystemFailed, make_error
from ..idl._enums import EventSubMode, EventType, ExtractAs, GreenMode
from ..idl._values import TimeVal
from ._engine import Op
from ._eventdata import EVENT_NAMES
from ._evops import full_attr_name
from ._evstate import Subscription
from ._green import green
from ._modes import RUNNERS

if TYPE_CHECKING:
    from ._events import ConsumerBase

__all__ = ["EventsMixin"]

_NO_READ = (EventSubMode.Sync, EventSubMode.Async)
_IN_BACKGROUND = (EventSubMode.Async, EventSubMode.AsyncRead)


def _wrong_args(what: str) -> TypeError:
    return TypeError(f"subscribe_event: {what}")


class EventsMixin:
    """Event subscription methods of ``DeviceProxy``."""

    def get_green_mode(self) -> GreenMode:
        raise NotImplementedError

    def _event_subs(self) -> dict[int, ConsumerBase]:
        subs: dict[int, ConsumerBase] = self.__dict__.setdefault("_event_subscriptions", {})
        return subs

    # -- subscribing ----------------------------------------------------------------------

    def subscribe_event(
        self,
        *args: Any,
        green_mode: GreenMode | None = None,
        wait: bool | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Subscribe to an event; returns its id (PyTango's overloads:
        ``(attr_name, event_type, cb_or_queuesize, sub_mode=SyncRead, extract_as=Numpy)``,
        ``(attr_name, event_type, cb_or_queuesize, filters=[], stateless=False, extract_as)``,
        ``(EventType.INTERFACE_CHANGE_EVENT, cb[, sub_mode | stateless])``)."""
        attr_name, event_type, target, sub_mode, extract_as = _parse(args, kwargs)
        mode = green_mode if green_mode is not None else self.get_green_mode()
        op = self._g_subscribe_event(
            attr_name,
            event_type,
            target,
            sub_mode is EventSubMode.Stateless,
            sub_mode not in _NO_READ,
            extract_as,
            mode,
            background=sub_mode in _IN_BACKGROUND,
        )
        if mode is GreenMode.Asyncio:  # its runner also awaits the ZeroMQ handshake
            from ._events_green import run_asyncio_events

            return run_asyncio_events(op, wait, timeout)
        return RUNNERS[mode](op, wait, timeout)

    def _g_subscribe_event(
        self,
        attr_name: str | None,
        event_type: EventType,
        target: Any,
        stateless: bool,
        read_first: bool,
        extract_as: ExtractAs,
        mode: GreenMode,
        background: bool = False,
    ) -> Op[int]:
        """Subscribe (``Async``/``AsyncRead``: in the background, the outcome delivered as a
        ``SubSuccess`` or ``SubFail`` event, as PyTango 10.3 does)."""
        from ._events import consumer_for  # pyzmq is loaded by the first subscription only

        consumer = consumer_for(mode)
        ring: deque[Any] | None = None
        callback: Any = None
        if isinstance(target, int) and not isinstance(target, bool):
            ring = deque(maxlen=target if target > 0 else None)
        elif callable(target) or hasattr(target, "push_event"):
            callback = target
        else:
            raise TypeError(f"subscribe_event: {target!r} is neither a callback nor a queue size")
        sub = Subscription(
            id=consumer.new_id(),
            proxy=self,
            attr_name=attr_name or "",
            event_type=event_type,
            event=EVENT_NAMES[event_type],
            full_name=full_attr_name(self, attr_name),
            callback=callback,
            queue=ring,
            extract_as=extract_as,
            stateless=stateless,
            read_first=read_first,
        )
        self._event_subs()[sub.id] = consumer
        if background:
            consumer.add(sub)
            consumer.spawn(consumer.g_subscribe_in_background(sub))
            return sub.id
        try:
            return (yield from consumer.g_subscribe(sub))
        except BaseException:
            self._event_subs().pop(sub.id, None)
            raise

    def _g_unsubscribe_event(self, event_id: int) -> Op[None]:
        consumer = self._event_subs().pop(event_id, None)
        if consumer is None:
            raise KeyError(event_id)
        consumer.remove(event_id)
        return None
        yield  # a (trivial) operation, so that it is green

    unsubscribe_event = green(_g_unsubscribe_event)

    # -- pull model ------------------------------------------------------------------------------

    def _pull(self, event_id: int) -> tuple[ConsumerBase, Subscription]:
        consumer = self._event_subs().get(event_id)
        sub = consumer.find(event_id) if consumer is not None else None
        if consumer is None or sub is None:
            raise EventSystemFailed(
                make_error(
                    "API_EventNotFound",
                    f"Failed to find event id {event_id} for {self.__dict__.get('_dev_name')}",
                    "EventConsumer::get_event_system_for_event_id()",
                )
            )
        return consumer, sub

    def get_events(
        self,
        event_id: int,
        callback: Callable[[Any], Any] | None = None,
        extract_as: ExtractAs = ExtractAs.Numpy,
    ) -> Any:
        """The events queued for a pull-model subscription (emptying the queue), or, with
        ``callback``, call it (or its ``push_event``) with each of them."""
        consumer, sub = self._pull(event_id)
        if sub.queue is None:
            raise EventSystemFailed(
                make_error(
                    "API_EventQueues",
                    "No event queue specified during subscribe_event()",
                    "EventConsumer::get_events()",
                )
            )
        with consumer.locked():
            events = list(sub.queue)
            sub.queue.clear()
        if callback is None:
            return events
        push = getattr(callback, "push_event", callback)
        for event in events:
            push(event)
        return None

    def event_queue_size(self, event_id: int) -> int:
        consumer, sub = self._pull(event_id)
        with consumer.locked():
            return len(sub.queue) if sub.queue is not None else 0

    get_event_number = event_queue_size

    def is_event_queue_empty(self, event_id: int) -> bool:
        return self.event_queue_size(event_id) == 0

    def get_last_event_date(self, event_id: int) -> TimeVal:
        _, sub = self._pull(event_id)
        return sub.last_date if sub.last_date is not None else TimeVal()


def _parse(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[str | None, EventType, Any, EventSubMode, ExtractAs]:
    """``(attr_name, event_type, callback_or_size, sub_mode, extract_as)`` (``stateless``
    True is the ``Stateless`` mode)."""
    first = args[0] if args else kwargs.get("attr_name", kwargs.get("event_type"))
    if not isinstance(first, str):
        # (event_type, cb[, sub_mode | stateless]): device-level (interface change)
        event_type = EventType(args[0] if args else kwargs.pop("event_type"))
        rest = list(args[1:])
        target = rest.pop(0) if rest else kwargs.pop("cb", kwargs.pop("cb_or_queuesize", None))
        attr_name = None
    else:
        attr_name = args[0] if args else kwargs.pop("attr_name")
        event_type = EventType(args[1] if len(args) > 1 else kwargs.pop("event_type"))
        if len(args) > 2:
            target = args[2]
        else:
            target = kwargs.pop("cb_or_queuesize", None)
            if target is None:
                target = kwargs.pop("cb", kwargs.pop("queuesize", None))
        rest = list(args[3:])
    sub_mode = kwargs.pop("sub_mode", None)
    filters = kwargs.pop("filters", None)
    stateless = kwargs.pop("stateless", None)
    extract_as = kwargs.pop("extract_as", ExtractAs.Numpy)
    if rest and isinstance(rest[0], EventSubMode):
        sub_mode = rest.pop(0)
    elif rest and isinstance(rest[0], bool):
        stateless = rest.pop(0)
    elif rest:
        filters = rest.pop(0)
        if rest:
            stateless = rest.pop(0)
    if rest:
        extract_as = rest.pop(0)
    if rest or kwargs:
        raise _wrong_args(f"unexpected arguments {rest or list(kwargs)}")
    if target is None:
        raise _wrong_args("a callback or a queue size is needed")
    if sub_mode is not None and (filters or stateless):
        raise _wrong_args("sub_mode cannot be combined with filters or stateless")
    mode = EventSubMode(sub_mode) if sub_mode is not None else EventSubMode.SyncRead
    if stateless:
        mode = EventSubMode.Stateless
    return attr_name, event_type, target, mode, ExtractAs(extract_as)
