"""The device server: :class:`DeviceServer` serves the devices of one server process
(and its admin device) over GIOP on asyncio; :func:`server_in_thread` runs one on its own
loop in a thread. Given a Database (:class:`._database.DatabaseAccess`), the server applies
its attribute properties and memorized values, exports its devices once listening, stores
memorized set points and unexports itself when it stops (the steps are in
:mod:`._startup`).

Rule 1: a server whose devices are all synchronous (:meth:`DeviceServer.serves_with_threads`)
serves each connection on a thread of its own (:mod:`._threaded`, omniORB's
thread-per-connection model), up to :attr:`DeviceServer.max_connection_threads` threads.
Other servers, and connections beyond that bound, are served on the loop: one TCP
connection is one :class:`_ServerProtocol` over a sans-I/O :class:`GiopConnection`; each
Request becomes a task, so a slow device never delays another device's replies on the same
connection; on an idle loop the task's first step runs at once, in the read callback
(:func:`._eager_task.start_task_now`: a request that never waits is answered without one more
loop iteration). With :attr:`DeviceServer.eager_requests`, a request first runs at once
outside any task and becomes a task only if it waits. The loop accepts every connection.

Rule 2: nothing a client sends can stop the server. Malformed GIOP closes that one
connection (after a MessageError); an unknown key is OBJECT_NOT_EXIST, an unknown
operation BAD_OPERATION, undecodable arguments MARSHAL; a bug of ours is UNKNOWN;
device code errors are DevFailed. Message sizes are bounded by the connection's
``max_message_size``.
"""

from __future__ import annotations

import asyncio
import collections.abc
import concurrent.futures
import logging
import socket
import sys
import threading
import time
from collections.abc import Coroutine, Sequence
from typing import Any, ClassVar

from .._errors import DevFailed, make_error
from ..giop import (
    MINOR,
    NEED_DATA,
    Body,
    CancelRequest,
    CloseConnection,
    ConnectionClosed,
    GiopConnection,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MessageError,
    ProtocolError,
    ReplyStatus,
    Request,
    Role,
    SystemException,
)
from ..idl import types as t
from ..idl._enums import DevState, GreenMode
from ._admin import DServer
from ._database import DatabaseAccess
from ._eager_task import start_task_now
from ._events import EventSupplier
from ._handlers import HANDLERS
from ._model import Device
from ._polling import Poller
from ._publish import dual_stack_socket, publish_host
from ._reply import REPLY_FRAGMENT_SIZE, devfailed_writer, encode_reply
from ._servant import ClientInfo, DeviceServant, MultiDevFailed
from ._startup import (
    MEMORIZED_PROPERTY,
    configure_attributes,
    export_devices,
    memorized_strings,
    restore_memorized,
)
from ._threaded import MAX_CONNECTION_THREADS, ThreadedTransport
from ._values import PreparedReply

__all__ = ["DeviceServer", "server_in_thread"]

log = logging.getLogger("puretango.server")

#: omniORB closes idle incoming connections after about 180 s.
IDLE_TIMEOUT = 180.0

_monotonic = time.monotonic

#: the reply body writer of a DevFailed (used by :meth:`DeviceServer.handle`)
_devfailed_writer = devfailed_writer


class DeviceServer:
    """Devices of one server process (``<server_name>/<instance>``) served over GIOP."""

    #: run each request at once up to its first wait, in a task only if it waits: less
    #: latency, but device code runs outside any task (no ``asyncio.current_task()``)
    eager_requests = False

    #: the ``-v`` trace level: where each device's logging starts (see :mod:`._logging`)
    trace_level = 0

    #: threads serving connections of a server of synchronous devices (0: none, every
    #: connection served on the loop); connections beyond are served on the loop
    max_connection_threads = MAX_CONNECTION_THREADS

    #: the server's green mode when :func:`._cli.run` was given one (None: the classes')
    green_mode: GreenMode | None = None

    #: the servers of this process started and not stopped yet (``Util.instance()``)
    running: ClassVar[list[DeviceServer]] = []

    def __init__(
        self,
        server_name: str,
        instance: str,
        devices: Sequence[tuple[type[Device], str, dict[str, Any] | None]],
        host: str = "0.0.0.0",
        port: int = 0,
        published_host: str | None = None,
        published_port: int | None = None,
        max_workers: int = 16,
        idle_timeout: float | None = IDLE_TIMEOUT,
        database: DatabaseAccess | None = None,
    ) -> None:
        """``idle_timeout``: seconds after which a connection with no request in progress
        is closed with a CloseConnection message, as omniORB does (None: never).
        ``database``: the Database the server configures, exports and unexports itself in
        (None: a ``-nodb`` server); see :func:`._startup.database_server`."""
        self.idle_timeout = idle_timeout
        self.server_name, self.instance = server_name, instance
        self.admin_name = f"dserver/{server_name}/{instance}"
        self.host, self.port = host, port
        #: what the IORs carry (``-ORBendPointPublish``); None: chosen as omniORB does
        self.published_host = published_host
        self.published_port = published_port
        self.device_specs = list(devices)
        self.database = database
        #: class name -> {class property: Database values}
        self.class_properties: dict[str, dict[str, list[str]]] = {}
        self.classes: dict[str, type[Device]] = {}
        for cls, _, _ in self.device_specs:
            self.classes.setdefault(cls.__name__, cls)
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="puretango-dev"
        )
        self.servants: dict[bytes, DeviceServant] = {}
        self._server: asyncio.AbstractServer | None = None
        #: duplicates of the listening sockets, accepted from on the loop (:meth:`_accept`)
        self._listeners: list[socket.socket] = []
        self._threads: ThreadedTransport | None = None
        self._accepting: set[asyncio.Task[Any]] = set()
        self._stopped: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ior_host: str | None = None
        self.poller = Poller(self)
        self.events = EventSupplier(self)

    # -- queries used by the admin device ----------------------------------------------------
    def class_names(self) -> list[str]:
        return list(self.classes)

    def device_class(self, name: str) -> type[Device]:
        for cls_name, cls in self.classes.items():
            if cls_name.lower() == name.lower():
                return cls
        raise DevFailed(make_error("API_ClassNotFound", f"Class {name} not found", "DServer"))

    def device_servants(self) -> list[DeviceServant]:
        return [s for s in self.servants.values() if not isinstance(s.device, DServer)]

    # -- lifecycle -----------------------------------------------------------------------------
    async def listen(self) -> None:
        """Open the listening socket: :attr:`port` is known from then on, before the devices
        exist (as omniORB's port before ``server_init``). :meth:`start` calls it if needed."""
        if self._server is not None:
            return
        self.loop = loop = asyncio.get_running_loop()
        sock = dual_stack_socket(self.host, self.port)
        where: dict[str, Any] = {"sock": sock} if sock else {"host": self.host, "port": self.port}
        # asyncio's server owns the listening sockets; the loop accepts from them here
        self._server = await loop.create_server(
            lambda: _ServerProtocol(self), **where, start_serving=False
        )
        self._threads = ThreadedTransport(self, loop, self.max_connection_threads)
        for bound in self._server.sockets:
            listener = socket.fromfd(bound.fileno(), bound.family, bound.type)
            listener.setblocking(False)
            listener.listen(100)  # what ``start_serving`` does, with asyncio's backlog
            self._listeners.append(listener)
            loop.add_reader(listener.fileno(), self._accept, listener)
        self.port = self._server.sockets[0].getsockname()[1]

    def serves_with_threads(self) -> bool:
        """Whether new connections get a thread of their own: every device class is
        synchronous (the admin device, an asyncio one, is served on the loop from them)."""
        if self.max_connection_threads <= 0 or self.green_mode not in (
            None,
            GreenMode.Synchronous,
        ):
            return False
        return all(
            getattr(cls, "green_mode", None) in (None, GreenMode.Synchronous)
            for cls, _, _ in self.device_specs
        )

    def _resume_accepting(self, listener: socket.socket) -> None:
        if self.loop is not None and listener in self._listeners:
            self.loop.add_reader(listener.fileno(), self._accept, listener)

    def _accept(self, listener: socket.socket) -> None:
        """On the loop: accept every waiting connection, on a thread or on the loop."""
        loop = self.loop
        assert loop is not None
        threaded = self.serves_with_threads()
        for _ in range(100):
            try:
                sock, peer = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: try again in a second
                log.warning("cannot accept a connection: %s", exc)
                loop.remove_reader(listener.fileno())
                loop.call_later(1.0, self._resume_accepting, listener)
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threads = self._threads
            if threaded and threads is not None and threads.adopt(sock, _client_host(peer)):
                continue
            task = loop.create_task(
                loop.connect_accepted_socket(lambda: _ServerProtocol(self), sock)
            )
            self._accepting.add(task)
            task.add_done_callback(self._accepting.discard)

    async def start(self) -> None:
        # running from the first device on: ``Util.instance()`` in ``init_device`` finds it
        DeviceServer.running.append(self)
        try:
            await self._start()
        except BaseException:
            if self in DeviceServer.running:
                DeviceServer.running.remove(self)
            raise

    async def _start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        await self._add(DServer(self.admin_name, None, server=self), "DServer")
        for cls, name, props in self.device_specs:
            await self._add(cls(name, props, server=self), cls.__name__)
        for servant in self.device_servants():
            await servant.user_call(servant.device.initialize_dynamic_attributes)
        await self.listen()
        await self.events.start()
        if self.database is not None:
            names = [s.name for s in self.device_servants()] + [self.admin_name]
            await self.loop.run_in_executor(
                self.executor, export_devices, self.database, self, names
            )
        for servant in self.device_servants():
            try:
                await servant.user_call(servant.device.server_init_hook)
            except Exception as exc:  # noqa: BLE001 - the device is FAULT, the server runs
                log.exception("server_init_hook of %s failed", servant.name)
                servant.device.set_state(DevState.FAULT)
                servant.device.set_status(f"server_init_hook failed: {exc!r}")
        await self.poller.start()

    async def _add(self, device: Device, class_name: str) -> None:
        device._server = self
        servant = DeviceServant(device, self, class_name)
        memorized: dict[str, list[str]] = {}
        if self.database is not None and not isinstance(device, DServer):
            memorized = await servant.user_call(configure_attributes, self.database, servant)
        await servant.initialise()
        if memorized:
            await restore_memorized(servant, memorized)
        self.servants[device.get_name().lower().encode("latin-1")] = servant

    async def restart_device(self, name: str) -> None:
        name = name.split("://")[-1].split("#")[0]
        if name.count("/") > 2:
            name = "/".join(name.split("/")[-3:])
        key = name.lower().encode("latin-1")
        servant = self.servants.get(key)
        if servant is None or isinstance(servant.device, DServer):
            raise DevFailed(
                make_error("API_DeviceNotFound", f"Device {name} not found", "DServer::DevRestart")
            )
        await servant.user_call(servant.device.delete_device)
        cls = type(servant.device)
        new = cls(servant.name, servant.device._raw_properties, server=self)
        await self._add(new, servant.class_name)
        # a restarted device adds its dynamic attributes again, as at start-up
        await self.servants[key].user_call(new.initialize_dynamic_attributes)

    def ior(self, device_name: str) -> str:
        """The stringified IOR of a served device (what a Database publishes for it):
        IIOP 1.2, the published address (:func:`._publish.publish_host`), the device name
        as key."""
        from ..giop import IOR

        key = device_name.lower().encode("latin-1")
        if key not in self.servants:
            raise DevFailed(
                make_error("API_DeviceNotFound", f"Device {device_name} not served here", "ior")
            )
        if self._ior_host is None:
            self._ior_host = publish_host(self.host, self.published_host)
        port = self.published_port or self.port
        return IOR.for_object("IDL:Tango/Device_6:1.0", self._ior_host, port, key).to_string()

    def memorize(self, device: str, attribute: str, value: Any) -> None:
        """Store the set point of a memorized attribute in the Database (blocking; device
        code's thread). A Database failure is logged: the write itself succeeded."""
        if self.database is None:
            return
        props = {attribute: {MEMORIZED_PROPERTY: memorized_strings(value)}}
        try:
            self.database.put_device_attribute_properties(device, props)
        except Exception:  # noqa: BLE001 - reported, never fatal to the write
            log.exception("cannot memorize %s/%s in the Database", device, attribute)

    def request_stop(self) -> None:
        """Ask the server to stop (from any thread)."""
        if self.loop is not None and self._stopped is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._stopped.set)

    async def serve_until_stopped(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()
        await self.stop()

    async def stop(self) -> None:
        if self in DeviceServer.running:
            DeviceServer.running.remove(self)
        await self.poller.stop()
        loop = asyncio.get_running_loop()
        for listener in self._listeners:
            loop.remove_reader(listener.fileno())
            listener.close()
        self._listeners = []
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._threads is not None:
            self._threads.shutdown()
            await self._threads.join()
        for servant in list(self.servants.values()):
            try:
                await servant.hook("delete_device")
            except Exception as exc:  # noqa: BLE001 - shutting down regardless
                _report_delete_device_failure(servant.name, exc)
        if self.database is not None:
            full_name = f"{self.server_name}/{self.instance}"
            try:
                await asyncio.get_running_loop().run_in_executor(
                    self.executor, self.database.unexport_server, full_name
                )
            except Exception:  # noqa: BLE001 - shutting down regardless
                log.exception("cannot unexport %s from the Database", full_name)
        await self.events.stop()
        self.executor.shutdown(wait=False)

    # -- requests ------------------------------------------------------------------------------
    async def handle(self, request: Request, client_host: str) -> tuple[ReplyStatus, Any]:
        """Run one request: (reply status, body writer)."""
        servant = self.servants.get(bytes(request.object_key).lower())
        if servant is None:
            return _system("OBJECT_NOT_EXIST")
        handler = HANDLERS.get(request.operation)
        if handler is None:
            return _system("BAD_OPERATION")
        body = request.body
        assert isinstance(body, Body)
        try:
            args = (
                handler.decode_args(body)
                if handler.reuse_args
                else handler.operation.read_args(body.decoder())
            )
        except ProtocolError:
            return _system("MARSHAL")
        if handler.takes_client_ident:
            client = ClientInfo.cached(args[-1], client_host)
        else:
            client = ClientInfo(host=client_host)
        try:
            result = await servant.invoke(handler, args, client)
        except DevFailed as exc:
            return ReplyStatus.USER_EXCEPTION, _devfailed_writer(exc.errors)
        except MultiDevFailed as exc:
            if handler.multi_errors:
                return ReplyStatus.USER_EXCEPTION, _multidevfailed_writer(exc.errors)
            return ReplyStatus.USER_EXCEPTION, _devfailed_writer(exc.errors[0].err_list)
        except Exception:  # noqa: BLE001 - a bug of ours must not take the server down
            log.exception("internal error while serving %s on %s", request.operation, servant.name)
            return _system("UNKNOWN")
        if isinstance(result, PreparedReply):
            return ReplyStatus.NO_EXCEPTION, result.write
        write_result = handler.operation.result.write
        return ReplyStatus.NO_EXCEPTION, lambda enc: write_result(enc, result)


def _report_delete_device_failure(device: str, exc: Exception) -> None:
    """What cppTango prints (on stderr) when ``delete_device`` fails at shutdown."""
    if isinstance(exc, DevFailed) and exc.errors:
        what = exc.errors[0].desc
    else:
        what = f"{type(exc).__name__}: {exc}"
    sys.stderr.write(f"{time.ctime()}: delete_device() raised a DevFailed exception: \n\n")
    sys.stderr.write(f"{what}\n")
    log.debug("delete_device of %s failed", device, exc_info=exc)


def _system(name: str) -> tuple[ReplyStatus, Any]:
    exc = SystemException(name, MINOR[name])
    return ReplyStatus.SYSTEM_EXCEPTION, exc.encode_into


def _multidevfailed_writer(errors: Sequence[Any]) -> Any:
    def write(enc: Any) -> None:
        enc.write_string(t.MultiDevFailed.repo_id)
        t.MultiDevFailed.fields[0][1].write(enc, list(errors))

    return write


class _ServerProtocol(asyncio.BufferedProtocol):
    """One client connection."""

    def __init__(self, server: DeviceServer) -> None:
        self.server = server
        # large GIOP 1.2 replies go out as Fragments, as omniORB sends them
        self.conn = GiopConnection(Role.SERVER, fragment_size=REPLY_FRAGMENT_SIZE)
        self.transport: asyncio.Transport | None = None
        self.client_host = "unknown"
        self.tasks: set[asyncio.Task[None]] = set()
        #: made on the loop by the server's protocol factory
        self._loop = asyncio.get_running_loop()
        self._idle_handle: asyncio.TimerHandle | None = None
        self._last_request = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        if peer:
            self.client_host = _client_host(peer)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_idle_timer()

    def _arm_idle_timer(self) -> None:
        """Note a request: the connection is idle ``idle_timeout`` seconds after the last
        one. One timer per connection, moved on only when it fires (not per request)."""
        timeout = self.server.idle_timeout
        if timeout is None or self.transport is None:
            return
        self._last_request = _monotonic()
        if self._idle_handle is None:
            self._idle_handle = self._loop.call_later(timeout, self._idle)

    def _idle(self) -> None:
        """No request for ``idle_timeout`` seconds: say goodbye the GIOP way and close."""
        self._idle_handle = None
        timeout = self.server.idle_timeout
        if timeout is None or self.transport is None:
            return
        left = self._last_request + timeout - _monotonic()
        if self.tasks or left > 0:  # a request is being served, or came since: not idle
            self._idle_handle = self._loop.call_later(left if left > 0 else timeout, self._idle)
            return
        if not self.transport.is_closing():
            self._write(self.conn.close())
            self._close()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.conn.get_buffer(sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        conn = self.conn
        conn.buffer_updated(nbytes)
        try:
            while True:
                event = conn.next_event()
                if event is NEED_DATA:
                    return
                minor = conn.peer_minor
                if isinstance(event, Request):
                    self._arm_idle_timer()
                    self._start(self._respond(event, minor))
                elif isinstance(event, LocateRequest):
                    key = bytes(event.object_key).lower()
                    status = (
                        LocateStatus.OBJECT_HERE
                        if key in self.server.servants
                        else LocateStatus.UNKNOWN_OBJECT
                    )
                    self._write(
                        conn.send(LocateReply(request_id=event.request_id, status=status), minor)
                    )
                elif isinstance(event, (CloseConnection, ConnectionClosed, MessageError)):
                    self._close()
                    return
                elif isinstance(event, CancelRequest):
                    pass  # the reply, if any, will simply be sent
        except ProtocolError as exc:
            log.info("closing connection from %s: %s", self.client_host, exc)
            try:
                self._write(self.conn.message_error())
            finally:
                self._close()

    def _start(self, respond: Coroutine[Any, Any, None]) -> None:
        """Serve a request in a task of its own, its first step run here if the loop is idle
        (a request that never waits is then answered before this returns); with
        ``server.eager_requests``, first run it here outside any task, up to its first wait
        (a task only if it waits)."""
        if not self.server.eager_requests:
            task = start_task_now(self._loop, respond)
            if task.done():
                return
        else:
            try:
                waiting_on = respond.send(None)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - as a task would report it
                log.exception("request from %s failed", self.client_host)
                return
            task = asyncio.ensure_future(_Resumed(respond, waiting_on))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def eof_received(self) -> bool | None:
        self._close()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        for task in list(self.tasks):
            task.cancel()
        self.transport = None

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def _respond(self, request: Request, minor: int) -> None:
        status, writer = await self.server.handle(request, self.client_host)
        if not request.response_expected or self.transport is None:
            return
        # piece by piece (3.11's writelines joins them): write sends at once what the socket
        # takes and copies only the rest (a memoryview: slicing it copies nothing)
        for piece in encode_reply(self.conn, request.request_id, status, writer, minor):
            self._write(memoryview(piece))


def _client_host(peer: Any) -> str:
    """A client's host as the servants know it: ``localhost`` for the loopback address."""
    return "localhost" if peer[0] in ("127.0.0.1", "::1") else str(peer[0])


class _Resumed(collections.abc.Coroutine):
    """A coroutine already run up to its first wait, handed to a task: the task's first step
    gets back what it waits on; every later step goes to the coroutine."""

    __slots__ = ("_coro", "_waiting_on", "_resumed")

    def __init__(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        self._coro, self._waiting_on, self._resumed = coro, waiting_on, False

    def send(self, value: Any) -> Any:
        if self._resumed:
            return self._coro.send(value)
        self._resumed = True
        return self._waiting_on

    def throw(self, *exc: Any) -> Any:
        self._resumed = True
        return self._coro.throw(*exc)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Any:
        return self._coro.__await__()


def server_in_thread(
    server: DeviceServer, timeout: float = 30.0
) -> tuple[threading.Thread, asyncio.AbstractEventLoop]:
    """Start ``server`` on a new event loop in a daemon thread; return once it listens."""
    ready = threading.Event()
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()

    def target() -> None:
        asyncio.set_event_loop(loop)

        async def main() -> None:
            try:
                await server.start()
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            await server.serve_until_stopped()

        loop.run_until_complete(main())
        loop.close()

    thread = threading.Thread(
        target=target, name=f"puretango-server-{server.instance}", daemon=True
    )
    thread.start()
    if not ready.wait(timeout):
        raise TimeoutError("device server did not start in time")
    if failure:
        raise failure[0]
    return thread, loop
