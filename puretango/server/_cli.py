"""The command line of a device server: :func:`run` parses PyTango's arguments
(``INSTANCE [-nodb -port P -dlist a/b/c]``, ``-ORBendPoint giop:tcp:<host>:<port>``,
``-ORBendPointPublish giop:tcp:<host>:<port>``) and serves, until the admin device's
``Kill`` (or Ctrl-C, or SIGTERM with the Database), the devices the Database defines for
the classes given (:mod:`._startup`), or with ``-nodb`` those of ``-dlist`` (first class)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import inspect
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._errors import DevFailed
from ..idl._enums import GreenMode
from ._database import DatabaseAccess, database_factory
from ._model import Device
from ._publish import parse_endpoint
from ._server import DeviceServer
from ._startup import database_server

__all__ = ["run", "make_server"]

#: start-up refusals PyTango reports with a bare line and exit status 255
_PYTANGO_EXITS = ("API_ServerNotDefined", "API_ServerAlreadyRunning")


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
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
    """The Device classes to serve: classes, (DeviceClass, DeviceImpl) pairs, or a dict
    of them by Tango class name (see :func:`._classic.device_type_of`)."""
    from ._classic import device_type_of

    if isinstance(classes, dict):
        return [device_type_of(item, name) for name, item in classes.items()]
    if isinstance(classes, type):
        classes = [classes]
    return [device_type_of(item) for item in classes]


def to_callback(callback: Any, what: str, green_mode: Any = None) -> Callable[[], Any]:
    """A ``pre_init_callback``/``post_init_callback`` of :func:`run` as a function of no
    argument: a callable, or ``(callable[, args[, kwargs]])``; None does nothing. With the
    Asyncio green mode, a plain function becomes a coroutine function."""
    if callback is None:
        return lambda: None
    problem = f"{what} must be a callable or sequence <callable [, args, [, kwargs]]>"
    if callable(callback):
        func = callback
    elif isinstance(callback, Sequence) and not isinstance(callback, str):
        if not 1 <= len(callback) <= 3 or not callable(callback[0]):
            raise TypeError(problem)
        args = callback[1] if len(callback) > 1 else ()
        kwargs = callback[2] if len(callback) > 2 else {}
        func = functools.partial(callback[0], *args, **kwargs)
    else:
        raise TypeError(problem)
    if green_mode == GreenMode.Asyncio and not inspect.iscoroutinefunction(func):
        plain = func

        @functools.wraps(plain)
        async def as_coroutine() -> Any:
            return plain()

        return as_coroutine
    return func


def make_server(
    classes: Any, argv: Sequence[str], database: DatabaseAccess | None = None
) -> DeviceServer:
    """The :class:`._server.DeviceServer` a command line (``argv``, program name first)
    defines for ``classes`` (blocking: with a Database, it is asked for the devices)."""
    device_classes = _class_list(classes)
    server_name = (
        os.path.splitext(os.path.basename(argv[0]))[0] if argv else device_classes[0].__name__
    )
    options = _parse_args(argv)
    host, port = _endpoint(options)
    published_host, published_port = _published(options)
    if options.nodb:
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
        return server
    return database_server(
        device_classes,
        server_name,
        options.instance,
        database if database is not None else database_factory(),
        host,
        port,
        published_host=published_host,
        published_port=published_port,
    )


def run(
    classes: Any,
    args: Sequence[str] | None = None,
    msg_stream: Any = sys.stdout,
    verbose: bool = False,
    green_mode: Any = None,
    raises: bool = False,
    database: DatabaseAccess | None = None,
    pre_init_callback: Any = None,
    post_init_callback: Any = None,
    **_ignored: Any,
) -> None:
    """Run a device server: ``python myserver.py INSTANCE`` (devices, properties and
    memorized values from the Database: ``database``, else the factory registered with
    :func:`._database.set_database_factory`) or ``INSTANCE -nodb -port P -dlist a/b/c``."""
    argv = list(sys.argv if args is None else args)
    try:
        pre_init = to_callback(pre_init_callback, "pre_init_callback")
        post_init = to_callback(post_init_callback, "post_init_callback")
        pre_init()
        server = make_server(classes, argv, database)

        async def main() -> None:
            if server.database is not None:  # stop cleanly (and unexport) on a signal
                loop = asyncio.get_running_loop()
                for signum in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                        loop.add_signal_handler(signum, server.request_stop)
            await server.start()
            if inspect.iscoroutinefunction(post_init):
                await post_init()
            else:  # on a thread: it may well call the devices just started
                await asyncio.get_running_loop().run_in_executor(None, post_init)
            msg_stream.write("Ready to accept request\n")
            msg_stream.flush()
            await server.serve_until_stopped()

        asyncio.run(main())
    except DevFailed as exc:
        if raises:
            raise
        reason = exc.errors[0].reason if exc.errors else ""
        desc = exc.errors[0].desc if exc.errors else str(exc)
        if reason in _PYTANGO_EXITS:  # PyTango's own line and exit status (-1)
            msg_stream.write(f"{desc}\n")
            msg_stream.flush()
            raise SystemExit(255) from None
        msg_stream.write(f"Exiting: {desc}\n")
        msg_stream.flush()
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        pass
