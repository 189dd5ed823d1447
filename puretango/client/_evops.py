"""The GIOP side of event subscriptions, as client operations (generators of calls, see
:mod:`._engine`), so every green mode runs the same code:

* :func:`g_subscribe_server`: find the device's admin device and send it
  ``ZmqEventSubscriptionChange`` (protocol.md §6.3); a refusal is a ``DevFailed`` with
  cppTango's ``API_DSFailedRegisteringEvent`` on top;
* :func:`g_first_event`: the synchronous read delivered as the first event (§6.6 step 4);
* :func:`g_confirm`: ``EventConfirmSubscription`` of a channel's events (§6.5).
"""

from __future__ import annotations

from typing import Any

from .._errors import DevFailed, make_error
from ..events import plain_event_name
from ..idl._enums import EventReason
from ..idl._values import TimeVal
from ._engine import Op
from ._eventdata import DevIntrChangeEventData, error_event, event_from_payload
from ._evstate import Subscription

__all__ = ["full_attr_name", "g_subscribe_server", "g_first_event", "g_confirm", "subscribed_event"]

#: the client IDL version sent with a subscription (cppTango/PyTango 10 send 6)
CLIENT_IDL = "6"


def full_attr_name(proxy: Any, attr: str | None) -> str:
    """``attr_name`` of the events: ``tango://host:port/dev/attr`` (the Database's address,
    or the device's with ``#dbase=no``), lower case; the device alone when ``attr`` is None."""
    obj = proxy._dev_name if attr is None else f"{proxy._dev_name}/{attr}"
    if proxy._db_addresses is None:
        return f"tango://{proxy._host}:{proxy._port}/{obj}#dbase=no".lower()
    host, port = proxy._db_addresses[0]
    return f"tango://{host}:{port}/{obj}".lower()


def g_adm_name(proxy: Any) -> Op[str]:
    return str((yield proxy._call("_get_adm_name")))


def g_admin(proxy: Any) -> Op[Any]:
    """The (connected) proxy of ``proxy``'s admin device, made once per proxy."""
    admin = proxy.__dict__.get("_event_admin")
    if admin is not None:
        return admin
    adm = yield from proxy._op(lambda: g_adm_name(proxy))
    if proxy._db_addresses is None:
        name = f"tango://{proxy._host}:{proxy._port}/{adm}#dbase=no"
    else:
        host, port = proxy._db_addresses[0]
        name = f"tango://{host}:{port}/{adm}"
    admin = type(proxy)(name, _connect=False)
    yield from admin._g_connect()
    proxy.__dict__["_event_admin"] = admin
    return admin


def g_subscribe_server(sub: Subscription) -> Op[tuple[Any, Any]]:
    """``(reply, admin)``: the admin device's reply to ``ZmqEventSubscriptionChange`` for
    ``sub`` and the admin proxy."""
    proxy = sub.proxy
    argin = [proxy._dev_name, sub.object_name, "subscribe", sub.event, CLIENT_IDL]
    try:
        admin = yield from g_admin(proxy)
        reply = yield from admin._op(
            lambda: admin._g_command_inout("ZmqEventSubscriptionChange", argin)
        )
    except DevFailed as exc:
        raise type(exc)(
            *exc.args,
            make_error(
                "API_DSFailedRegisteringEvent",
                "Device server send exception while trying to register event",
                "EventConsumer::connect_event()",
            ),
        ) from None
    return reply, admin


def g_first_event(sub: Subscription) -> Op[Any]:
    """The event built from a synchronous read at subscription (None for data-ready)."""
    proxy, event, name = sub.proxy, sub.event, sub.full_name
    reason = EventReason.SubSuccess
    try:
        if event == "data_ready":
            return None
        if event == "attr_conf":
            infos = yield from proxy._op(lambda: proxy._g_attribute_configs([sub.attr_name]))
            return event_from_payload(event, name, proxy, infos[0], reason)
        if event == "intr_change":
            cmds = yield from proxy._op(proxy._g_command_list)
            atts = yield from proxy._op(lambda: proxy._g_attribute_configs(["All attributes_3"]))
            return DevIntrChangeEventData(
                device_name=name,
                cmd_list=cmds,
                att_list=atts,
                dev_started=True,  # as cppTango reports it at subscription
                device=proxy,
                event=event,
                event_reason=reason,
                reception_date=TimeVal.now(),
            )
        values = yield from proxy._op(lambda: proxy._g_read_values([sub.attr_name]))
    except DevFailed as exc:
        return error_event(event, name, proxy, exc.args, reason)
    av = values[0]
    if av.err_list:
        return error_event(event, name, proxy, av.err_list, reason)
    return event_from_payload(event, name, proxy, av, reason, sub.extract_as)


def subscribed_event(sub: Subscription) -> Any:
    """The ``SubSuccess`` event without data of an ``Async`` subscription."""
    event = error_event(sub.event, sub.full_name, sub.proxy, (), EventReason.SubSuccess)
    event.err = False
    return event


def g_confirm(admin: Any, argin: list[str]) -> Op[None]:
    """Re-confirm a channel's subscriptions (``[dev, obj, wire event name]*``); a server
    without ``EventConfirmSubscription`` gets one ``ZmqEventSubscriptionChange`` per event
    (5th argument ``"0"``), as cppTango falls back. Other failures are left to the heartbeat
    watch."""
    try:
        yield from admin._op(lambda: admin._g_command_inout("EventConfirmSubscription", argin))
    except DevFailed as exc:
        if not any(e.reason == "API_CommandNotFound" for e in exc.args):
            return
        for i in range(0, len(argin) - 2, 3):
            dev, obj, event = argin[i : i + 3]
            again = [dev, obj, "subscribe", plain_event_name(event), "0"]
            try:
                yield from admin._op(
                    lambda again=again: admin._g_command_inout("ZmqEventSubscriptionChange", again)
                )
            except DevFailed:
                pass
