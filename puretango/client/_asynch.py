"""The process-wide table of asynchronous (AMI) calls, as cppTango's ``ApiUtil`` keeps it.

An asynchronous call is an ordinary client operation run on the futures I/O thread
(:func:`._modes.submit`): its request goes out on the endpoint's shared connection at once
and its reply is collected later. This module owns the ids (one counter per process), the
polling model (``*_reply``: the result, ``AsynReplyNotArrived``, ``API_BadAsynPollId``), the
callback model (``CmdDoneEvent``, ``AttrReadEvent``, ``AttrWrittenEvent``; pulled by
``get_asynch_replies`` or pushed from a dispatcher thread) and ``ApiUtil``.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._errors import AsynCall, AsynReplyNotArrived, DevFailed, make_error
from ..idl._enums import TangoEnum, _legacy_dicts

__all__ = [
    "ApiUtil",
    "AttrReadEvent",
    "AttrWrittenEvent",
    "CmdDoneEvent",
    "asyn_req_type",
    "cb_sub_model",
    "REQUESTS",
]


@_legacy_dicts
class cb_sub_model(TangoEnum):  # noqa: N801 - PyTango's name
    PUSH_CALLBACK = 0
    PULL_CALLBACK = 1


@_legacy_dicts
class asyn_req_type(TangoEnum):  # noqa: N801 - PyTango's name
    POLLING = 0
    CALLBACK = 1
    ALL_ASYNCH = 2


class CmdDoneEvent:
    """What a ``cmd_ended`` callback receives (``argout`` raises when the command failed)."""

    def __init__(
        self, device: Any, cmd_name: str, argout: Any, err: bool, errors: tuple[Any, ...]
    ) -> None:
        self.device, self.cmd_name, self._argout = device, cmd_name, argout
        self.err, self.errors = err, errors

    @property
    def argout(self) -> Any:
        if self.err:
            raise DevFailed(
                make_error(
                    "API_EmptyDeviceData",
                    "Cannot extract, no data in DeviceData object",
                    "DeviceData::check_type()",
                )
            )
        return self._argout

    def __repr__(self) -> str:
        return f"CmdDoneEvent(cmd_name={self.cmd_name!r}, err={self.err})"


@dataclass
class AttrReadEvent:
    """What an ``attr_read`` callback receives."""

    device: Any
    attr_names: list[str]
    argout: Any
    err: bool
    errors: tuple[Any, ...]


@dataclass
class AttrWrittenEvent:
    """What an ``attr_written`` callback receives."""

    device: Any
    attr_names: list[str]
    err: bool
    errors: Any


#: Builds the callback's event from (future result or None, DevFailed or None).
EventMaker = Callable[[Any, "DevFailed | None"], Any]


@dataclass(eq=False)
class Request:
    """One asynchronous call in flight or arrived."""

    kind: str  # "command", "read" or "write"
    device: Any
    future: concurrent.futures.Future[Any]
    callback: Callable[[Any], None] | None = None
    make_event: EventMaker | None = None
    fired: bool = field(default=False)

    def event(self) -> Any:
        assert self.make_event is not None
        exc = self.future.exception()
        if exc is not None and not isinstance(exc, DevFailed):
            exc = DevFailed(make_error("PyDs_PythonError", repr(exc), "asynch call"))
        return self.make_event(None if exc is not None else self.future.result(), exc)


class _Requests:
    """The table of asynchronous calls: polled ones by id, callback ones until fired."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._polled: dict[int, Request] = {}
        self._callbacks: list[Request] = []
        self.model = cb_sub_model.PULL_CALLBACK
        self._push_queue: queue.SimpleQueue[Request] | None = None

    # -- polling model ------------------------------------------------------------------

    def add_polled(self, request: Request) -> int:
        with self._lock:
            rid = next(self._ids)
            self._polled[rid] = request
        return rid

    def forget(self, rid: int) -> None:
        """Drop polled call ``rid``: its reply is not wanted (``forget=True``)."""
        with self._lock:
            self._polled.pop(rid, None)

    def reply(self, rid: int, kind: str, timeout_ms: int | None, origin: str) -> Any:
        """The result of polled call ``rid`` (or its error), once arrived."""
        with self._lock:
            request = self._polled.get(rid)
        if request is None:
            raise AsynCall(
                make_error(
                    "API_BadAsynPollId",
                    f"Failed to find a asynchronous polling request with id = {rid}",
                    "AsynReq::get_request()",
                )
            )
        if request.kind != kind:
            raise AsynCall(make_error("API_BadAsynReqType", "Incompatible request type", origin))
        if timeout_ms is not None:
            concurrent.futures.wait([request.future], timeout_ms / 1000 if timeout_ms else None)
        if not request.future.done():
            raise AsynReplyNotArrived(
                make_error(
                    "API_AsynReplyNotArrived",
                    f"Device {request.device.dev_name()}: Reply for asynchronous call "
                    f"(id = {rid}) is not yet arrived",
                    origin,
                )
            )
        with self._lock:
            self._polled.pop(rid, None)
        return request.future.result()

    # -- callback model ------------------------------------------------------------------

    def add_callback(self, request: Request) -> None:
        with self._lock:
            self._callbacks.append(request)
            push = self.model is cb_sub_model.PUSH_CALLBACK
        if push:
            request.future.add_done_callback(lambda _f: self._push(request))

    def _push(self, request: Request) -> None:
        with self._lock:
            if self._push_queue is None:
                self._push_queue = queue.SimpleQueue()
                threading.Thread(
                    target=self._dispatch,
                    args=(self._push_queue,),
                    name="puretango-asynch-cb",
                    daemon=True,
                ).start()
            self._push_queue.put(request)

    def _dispatch(self, requests: queue.SimpleQueue[Request]) -> None:
        while True:
            self._fire(requests.get())

    def _fire(self, request: Request) -> None:
        with self._lock:
            if request.fired:
                return
            request.fired = True
            if request in self._callbacks:
                self._callbacks.remove(request)
        assert request.callback is not None
        try:
            request.callback(request.event())
        except Exception as exc:  # noqa: BLE001 - a callback error must not stop the others
            print(f"{time.ctime()}: asynchronous callback of {request.device} failed: {exc!r}")

    def fire_arrived(self, device: Any = None, timeout_ms: int | None = None) -> None:
        """Run the callbacks of arrived replies (of ``device``, or of every device).

        With ``timeout_ms`` wait for every pending reply first (0: without limit) and raise
        ``AsynReplyNotArrived`` if some are still missing.
        """
        with self._lock:
            pending = [r for r in self._callbacks if device is None or r.device is device]
        if timeout_ms is not None:
            futures = [r.future for r in pending]
            _, missing = concurrent.futures.wait(futures, timeout_ms / 1000 if timeout_ms else None)
            if missing:
                for request in pending:
                    if request.future.done():
                        self._fire(request)
                raise AsynReplyNotArrived(
                    make_error(
                        "API_AsynReplyNotArrived",
                        "Still some reply(ies) for asynchronous callback call(s) to be received",
                        "ApiUtil::get_asynch_replies()",
                    )
                )
        for request in pending:
            if request.future.done():
                self._fire(request)

    def pending(self, req_type: int = asyn_req_type.ALL_ASYNCH, device: Any = None) -> int:
        with self._lock:
            polled = sum(1 for r in self._polled.values() if device is None or r.device is device)
            callbacks = sum(1 for r in self._callbacks if device is None or r.device is device)
        if req_type == asyn_req_type.POLLING:
            return polled
        if req_type == asyn_req_type.CALLBACK:
            return callbacks
        return polled + callbacks


#: The process-wide table (cppTango keeps one per process too).
REQUESTS = _Requests()


class ApiUtil:
    """PyTango's ``tango.ApiUtil``: the process-wide client settings (a singleton)."""

    _instance: ApiUtil | None = None

    @classmethod
    def instance(cls) -> ApiUtil:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    @staticmethod
    def set_asynch_cb_sub_model(model: cb_sub_model) -> None:
        REQUESTS.model = cb_sub_model(model)

    @staticmethod
    def get_asynch_cb_sub_model() -> cb_sub_model:
        return REQUESTS.model

    @staticmethod
    def get_asynch_replies(timeout: int | None = None) -> None:
        REQUESTS.fire_arrived(None, timeout)

    @staticmethod
    def pending_asynch_call(req_type: asyn_req_type) -> int:
        return REQUESTS.pending(req_type)

    @staticmethod
    def in_server() -> bool:
        return False

    @staticmethod
    def get_env_var(name: str) -> str | None:
        """The value of environment variable ``name`` (None if unset)."""
        return os.environ.get(name)
