"""The command line of a device server: :func:`run` parses PyTango's arguments
(``INSTANCE [-nodb -port P -dlist a/b/c]``, ``-ORBendPoint giop:tcp:<host>:<port>``,
``-ORBendPointPublish giop:tcp:<host>:<port>``, ``-file=PATH``) and serves, until the
admin device's ``Kill`` (or Ctrl-C, or SIGTERM with the Database), the devices the Database
(or the file database, :mod:`._filedb`) defines for the classes given (:mod:`._startup`),
or with ``-nodb`` those of ``-dlist`` (first class). It resolves the server's green mode
as PyTango does (:func:`resolve_green_mode`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import functools
import inspect
import os
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, cast

from .. import _registry
from .._errors import DevFailed
from ..idl._enums import GreenMode
from ._argv import ArgvError, parse_args
from ._database import DatabaseAccess, database_factory
from ._filedb import FileDatabase
from ._model import Device
from ._publish import parse_endpoint
from ._server import DeviceServer
from ._startup import database_server

__all__ = [
    "make_server",
    "to_callback",
    "parse_args",
    "resolve_green_mode",
    "run",
    "running_server",
    "server_green_mode",
    "server_run",
]

#: start-up refusals PyTango reports with a bare line and exit status 255
_PYTANGO_EXITS = ("API_ServerNotDefined", "API_ServerAlreadyRunning")


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    with contextlib.suppress(ArgvError):  # PyTango's spellings first (--port, -vvvv...)
        argv = parse_args(argv, strict=False)
    parser = argparse.ArgumentParser(prog=argv[0] if argv else "server", add_help=True)
    parser.add_argument("instance")
    parser.add_argument("-nodb", action="store_true")
    parser.add_argument("-dlist", default="")
    parser.add_argument("-port", type=int, default=None)
    parser.add_argument("-host", default=None)
    parser.add_argument("-ORBendPoint", dest="endpoint", default=None)
    parser.add_argument("-ORBendPointPublish", dest="publish", default=None)
    parser.add_argument("-v", dest="verbose", nargs="?", const="1", default="0")
    parser.add_argument("-file", default=None)
    parser.add_argument("-dbg", "-debug", dest="debug", action="store_true")
    args, _unknown = parser.parse_known_args(list(argv[1:]))
    return args


def _endpoint(args: argparse.Namespace) -> tuple[str, int]:
    """Where to listen: ``-ORBendPoint giop:tcp:<host>:<port>``, else ``-host``/``-port``."""
    if args.endpoint:
        try:
            host, port = parse_endpoint(args.endpoint)
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        return host or "0.0.0.0", port
    return args.host or "0.0.0.0", args.port or 0


def _published(args: argparse.Namespace) -> tuple[str | None, int | None]:
    """What the IORs carry: ``-ORBendPointPublish giop:tcp:<host>:<port>`` (or nothing)."""
    if not args.publish:
        return None, None
    try:
        host, port = parse_endpoint(args.publish, "-ORBendPointPublish")
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return host or None, port or None


def _class_list(classes: Any) -> list[type[Device]]:
    """The device classes of ``run``'s first argument: classes, ``(DeviceClass, DeviceImpl
    [, name])`` sequences (served as :func:`._classic.device_type_of` makes them), or a
    dict of either by Tango class name."""
    from ._classic import device_type_of

    if isinstance(classes, dict):
        return [device_type_of(item, name) for name, item in classes.items()]
    if isinstance(classes, type):
        classes = [classes]
    return [device_type_of(item) for item in classes]


def to_callback(callback: Any, what: str, green_mode: Any = None) -> Callable[[], Any]:
    """PyTango's callback conversion (``tango.server.__to_callback``): a callable, or
    ``(callable[, args[, kwargs]])``, as a function of no argument (None does nothing);
    with the Asyncio green mode a plain function becomes a coroutine function."""
    func = _callback(callback, what)
    if func is None:
        return lambda: None
    if green_mode == GreenMode.Asyncio and not inspect.iscoroutinefunction(func):
        plain = func

        @functools.wraps(plain)
        async def as_coroutine() -> Any:
            return plain()

        return as_coroutine
    return func


def default_green_mode() -> GreenMode:
    """The process-wide green mode (the client's ``get_green_mode``, once wired)."""
    getter = _registry.default_green_mode
    return GreenMode.Synchronous if getter is None else GreenMode(getter())


def resolve_green_mode(classes: Sequence[type[Any]], green_mode: Any = None) -> GreenMode:
    """The one green mode of a server: each class's ``green_mode``, else ``green_mode``,
    else the process-wide mode; ValueError if they differ, as PyTango."""
    default = default_green_mode() if green_mode is None else GreenMode(green_mode)
    modes = set()
    for cls in classes:
        own = getattr(cls, "green_mode", None)
        modes.add(default if own is None else GreenMode(own))
    if len(modes) > 1:
        raise ValueError(
            "Devices with mixed green modes cannot be run in the same device server "
            f"process. Modes: {modes}. Classes: {list(classes)}."
        )
    if not modes:
        raise ValueError("No device classes specified - cannot run a device server without.")
    return modes.pop()


_HOOKS = (
    "init_device",
    "delete_device",
    "dev_state",
    "dev_status",
    "read_attr_hardware",
    "always_executed_hook",
    "server_init_hook",
)


def _warn_sync_hooks(classes: Sequence[type[Any]], mode: GreenMode) -> None:
    """Asyncio servers: PyTango's deprecation of plain (not ``async``) standard methods."""
    if mode is not GreenMode.Asyncio:
        return
    for cls in classes:
        for name in _HOOKS:
            method = getattr(cls, name, None)
            base = getattr(Device, name, None)
            if (
                method is not None
                and method is not base
                and not inspect.iscoroutinefunction(method)
            ):
                warnings.warn(
                    f"{name} is sync: support of sync functions in Asyncio Servers is "
                    "deprecated. Use 'async def' instead of 'def'.",
                    DeprecationWarning,
                    stacklevel=3,
                )


def _callback(callback: Any, what: str) -> Callable[[], Any] | None:
    """``callable`` or ``(callable [, args [, kwargs]])`` -> a callable without arguments."""
    if callback is None:
        return None
    if callable(callback):
        return cast(Callable[[], Any], callback)
    if isinstance(callback, (list, tuple)) and 1 <= len(callback) <= 3 and callable(callback[0]):
        args = callback[1] if len(callback) > 1 else ()
        kwargs = callback[2] if len(callback) > 2 else {}
        return functools.partial(callback[0], *args, **kwargs)
    raise TypeError(f"{what} must be a callable or sequence <callable [, args, [, kwargs]]>")


async def _call_user(fn: Callable[[], Any] | None) -> None:
    """Run a user callback: a coroutine function on the loop, anything else on a thread."""
    if fn is None:
        return
    target = fn.func if isinstance(fn, functools.partial) else fn
    if inspect.iscoroutinefunction(target):
        await fn()
        return
    result = await asyncio.to_thread(fn)
    if inspect.isawaitable(result):
        await result


async def _repeat(fn: Callable[[], Any]) -> None:
    """``run(event_loop=fn)``: call ``fn`` again and again while the server runs."""
    while True:
        await _call_user(fn)
        await asyncio.sleep(0.001)


#: the server :func:`run` serves, in its task (and the callbacks it runs on threads)
_current_server: contextvars.ContextVar[DeviceServer | None] = contextvars.ContextVar(
    "puretango_current_server", default=None
)
#: the green mode :func:`run` resolved last (PyTango's ``device_server.get_worker``)
_last_green_mode: list[GreenMode] = [GreenMode.Synchronous]


def running_server() -> DeviceServer | None:
    """The server of the :func:`run` calling this (from its callbacks), if any."""
    return _current_server.get()


def server_green_mode() -> GreenMode:
    """The green mode of the server :func:`run` started last (Synchronous before any)."""
    return _last_green_mode[0]


def make_server(
    classes: Any, argv: Sequence[str], database: DatabaseAccess | None = None
) -> DeviceServer:
    """The :class:`._server.DeviceServer` a command line (``argv``, program name first)
    defines for ``classes`` (blocking: with a Database, it is asked for the devices;
    ``-file=PATH``: a file database)."""
    device_classes = _class_list(classes)
    server_name = (
        os.path.splitext(os.path.basename(argv[0]))[0] if argv else device_classes[0].__name__
    )
    options = _parse_args(argv)
    host, port = _endpoint(options)
    published_host, published_port = _published(options)
    if options.file and database is None:
        database = FileDatabase(options.file)
    if options.nodb and database is None:
        names = [n for n in options.dlist.split(",") if n] or [
            f"{device_classes[0].__name__}/{options.instance}/1".lower()
        ]
        devices = [(device_classes[0], name, None) for name in names]
        server = DeviceServer(
            server_name,
            options.instance,
            devices,
            host,
            port,
            published_host=published_host,
            published_port=published_port,
        )
        for cls in device_classes:
            server.classes.setdefault(cls.__name__, cls)
    else:
        server = database_server(
            device_classes,
            server_name,
            options.instance,
            database if database is not None else database_factory(),
            host,
            port,
            published_host=published_host,
            published_port=published_port,
        )
    server.trace_level = _trace_level(options.verbose)
    return server


def _trace_level(verbose: str) -> int:
    """The ``-vN`` trace level (``-v`` alone: 1; not a number: 0)."""
    try:
        return max(int(verbose), 0)
    except (TypeError, ValueError):
        return 0


def run(
    classes: Any,
    args: Sequence[str] | None = None,
    msg_stream: Any = sys.stdout,
    verbose: bool = False,
    util: Any = None,
    event_loop: Any = None,
    pre_init_callback: Any = None,
    post_init_callback: Any = None,
    green_mode: Any = None,
    raises: bool = False,
    err_stream: Any = sys.stderr,
    cleanup: bool = False,
    database: DatabaseAccess | None = None,
    configure: Callable[[DeviceServer], None] | None = None,
    **_ignored: Any,
) -> None:
    """Run a device server: ``python myserver.py INSTANCE`` (devices, properties and
    memorized values from the Database: ``database``, else the factory registered with
    :func:`._database.set_database_factory`), ``INSTANCE -file=PATH`` (a file database,
    :mod:`._filedb`) or ``INSTANCE -nodb -port P -dlist a/b/c``.

    ``pre_init_callback`` runs once the server listens (its port known), before the
    devices are made, ``post_init_callback`` once they are served (each a callable or
    ``(callable [, args [, kwargs]])``);
    ``event_loop`` is called again and again while serving; ``configure(server)`` may
    set the :class:`._server.DeviceServer`'s options before it starts; ``util`` and
    ``cleanup`` are accepted and unused. Unlike PyTango, several servers may run in one
    process (each :func:`run` in its own thread)."""
    argv = list(sys.argv if args is None else args)
    device_classes = _class_list(classes)
    mode = resolve_green_mode(device_classes, green_mode)
    _warn_sync_hooks(device_classes, mode)
    pre_init = _callback(pre_init_callback, "pre_init_callback")
    post_init = _callback(post_init_callback, "post_init_callback")
    repeat = _callback(event_loop, "event_loop")
    write = msg_stream.write if msg_stream is not None else (lambda text: None)
    try:
        _last_green_mode[0] = mode

        async def main() -> None:
            server = await asyncio.to_thread(make_server, classes, argv, database)
            server.green_mode = mode  # a green-mode server is served on the loop
            if configure is not None:
                configure(server)
            _current_server.set(server)
            await server.listen()
            await _call_user(pre_init)
            if server.database is not None:  # stop cleanly (and unexport) on a signal
                loop = asyncio.get_running_loop()
                for signum in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                        loop.add_signal_handler(signum, server.request_stop)
            await server.start()
            await _call_user(post_init)
            write("Ready to accept request\n")
            if msg_stream is not None:
                msg_stream.flush()
            repeating = asyncio.ensure_future(_repeat(repeat)) if repeat else None
            try:
                await server.serve_until_stopped()
            finally:
                if repeating is not None:
                    repeating.cancel()

        asyncio.run(main())
    except DevFailed as exc:
        if raises:
            raise
        reason = exc.errors[0].reason if exc.errors else ""
        desc = exc.errors[0].desc if exc.errors else str(exc)
        if reason in _PYTANGO_EXITS:  # PyTango's own line and exit status (-1)
            write(f"{desc}\n")
            if msg_stream is not None:
                msg_stream.flush()
            raise SystemExit(255) from None
        write(f"Exiting: {desc}\n")
        if msg_stream is not None:
            msg_stream.flush()
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        pass


def server_run(
    classes: Any,
    args: Sequence[str] | None = None,
    msg_stream: Any = sys.stdout,
    verbose: bool = False,
    util: Any = None,
    event_loop: Any = None,
    pre_init_callback: Any = None,
    post_init_callback: Any = None,
    green_mode: Any = None,
    err_stream: Any = sys.stderr,
    cleanup: bool = False,
) -> None:
    """PyTango's older name of :func:`run` (same arguments, no ``raises``)."""
    run(
        classes,
        args,
        msg_stream,
        verbose,
        util,
        event_loop,
        pre_init_callback,
        post_init_callback,
        green_mode,
        err_stream=err_stream,
        cleanup=cleanup,
    )
